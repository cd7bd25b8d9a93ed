import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../../api/problem.ts';
import { useLocations } from '../../../auth/session.tsx';
import { DataTable, type Column } from '../../../components/PagedList.tsx';
import { Empty, FormErrors, SelectField, TextField } from '../../../components/ui.tsx';
import type { TaxRate, TaxRule } from './tax-types.ts';

const none: MappedProblem = { byField: {}, general: [] };
const EVERY = '';

/**
 * Which rate each site and category gets. The most specific wins: an exempt item pays none; then
 * its category at the site, its category everywhere, the site's default, the shop's default.
 */
export function TaxRules({ rules, rates, canWrite }: { rules: TaxRule[]; rates: TaxRate[]; canWrite: boolean }) {
  const { byId } = useLocations();
  const qc = useQueryClient();
  const [problem, setProblem] = useState(none);
  const set = useMutation({
    mutationFn: (body: { site_id: string | null; category: string | null; tax_rate_id: string | null }) => api.put('/api/v1/tax-rules', body),
    onSuccess: () => {
      setProblem(none);
      void qc.invalidateQueries({ queryKey: ['tax-rules'] });
      void qc.invalidateQueries({ queryKey: ['tax-rates'] });
      void qc.invalidateQueries({ queryKey: ['tax-table'] });
    },
    onError: (error) => setProblem(mapProblem(error, ['site_id', 'category', 'tax_rate_id'])),
  });
  const columns: Column<TaxRule>[] = [
    { key: 'site', header: 'Site', cell: (r) => (r.site_id ? (byId.get(r.site_id)?.name ?? r.site_id) : 'Every site') },
    { key: 'category', header: 'Category', cell: (r) => r.category ?? 'Every category (default)' },
    { key: 'rate', header: 'Rate', cell: (r) => `${r.name} (${r.rate}%)` },
    ...(canWrite
      ? [
          {
            key: 'remove',
            header: '',
            cell: (r: TaxRule) => (
              <button type="button" onClick={() => set.mutate({ site_id: r.site_id, category: r.category, tax_rate_id: null })} aria-label={`Remove the rule for ${r.category ?? 'every category'}`}>
                Remove
              </button>
            ),
          },
        ]
      : []),
  ];
  return (
    <div className="card">
      <h2>Rules</h2>
      <p className="muted">An exempt item pays no tax. Otherwise its category’s rate at the site wins, then its category’s rate everywhere, then the site’s default, then the shop’s default.</p>
      <FormErrors messages={problem.general} />
      {rules.length === 0 ? <Empty>No rules yet.</Empty> : <DataTable columns={columns} rows={rules} rowKey={(r) => `${r.site_id ?? ''}:${r.category ?? ''}`} label="tax rules" testId="tax-rules" />}
      {canWrite && rates.length > 0 && <NewTaxRule rates={rates} onSet={(body) => set.mutate(body)} problem={problem} pending={set.isPending} />}
    </div>
  );
}

function NewTaxRule(props: { rates: TaxRate[]; onSet(body: { site_id: string | null; category: string | null; tax_rate_id: string }): void; problem: MappedProblem; pending: boolean }) {
  const { sites } = useLocations();
  const [form, setForm] = useState({ site: EVERY, category: '', rate: props.rates[0]!.id });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSet({ site_id: form.site === EVERY ? null : form.site, category: form.category.trim() || null, tax_rate_id: form.rate });
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Set a tax rule">
      <div className="grid-3">
        <SelectField label="Site" value={form.site} onValue={(v) => setForm((f) => ({ ...f, site: v }))} options={[{ value: EVERY, label: 'Every site' }, ...sites.map((s) => ({ value: s.id, label: s.name }))]} error={props.problem.byField.site_id} />
        <TextField label="Category" value={form.category} onValue={(v) => setForm((f) => ({ ...f, category: v }))} hint="Empty: the default rate" error={props.problem.byField.category} />
        <SelectField label="Rate" value={form.rate} onValue={(v) => setForm((f) => ({ ...f, rate: v }))} options={props.rates.map((r) => ({ value: r.id, label: `${r.name} (${r.rate}%)` }))} error={props.problem.byField.tax_rate_id} />
      </div>
      <button type="submit" className="primary" disabled={props.pending}>
        Set rule
      </button>
    </form>
  );
}
