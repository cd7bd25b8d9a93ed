import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../../api/problem.ts';
import { DataTable, type Column } from '../../../components/PagedList.tsx';
import { Empty, FormErrors, TextField } from '../../../components/ui.tsx';
import type { TaxRate } from './tax-types.ts';

const none: MappedProblem = { byField: {}, general: [] };

/** The shop's named rates; a rate no rule uses can be deleted. */
export function TaxRates({ rates, canWrite }: { rates: TaxRate[]; canWrite: boolean }) {
  const qc = useQueryClient();
  const [problem, setProblem] = useState(none);
  const remove = useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/tax-rates/${id}`),
    onSuccess: () => {
      setProblem(none);
      void qc.invalidateQueries({ queryKey: ['tax-rates'] });
    },
    onError: (error) => setProblem(mapProblem(error, [])),
  });
  const columns: Column<TaxRate>[] = [
    { key: 'name', header: 'Name', cell: (r) => r.name },
    { key: 'rate', header: 'Rate', cell: (r) => `${r.rate}%`, num: true },
    { key: 'rules', header: 'Rules using it', cell: (r) => r.rules, num: true },
    ...(canWrite
      ? [
          {
            key: 'delete',
            header: '',
            cell: (r: TaxRate) =>
              r.rules === 0 ? (
                <button type="button" onClick={() => remove.mutate(r.id)} aria-label={`Delete ${r.name}`}>
                  Delete
                </button>
              ) : null,
          },
        ]
      : []),
  ];
  return (
    <div className="card">
      <h2>Rates</h2>
      <FormErrors messages={problem.general} />
      {rates.length === 0 ? <Empty>No tax rates yet: every sale is charged no tax.</Empty> : <DataTable columns={columns} rows={rates} rowKey={(r) => r.id} label="tax rates" testId="tax-rates" />}
      {canWrite && <NewTaxRate />}
    </div>
  );
}

function NewTaxRate() {
  const qc = useQueryClient();
  const [form, setForm] = useState({ name: '', rate: '' });
  const [problem, setProblem] = useState(none);
  const save = useMutation({
    mutationFn: () => api.post<TaxRate>('/api/v1/tax-rates', { name: form.name.trim(), rate: form.rate.trim() }),
    onSuccess: () => {
      setForm({ name: '', rate: '' });
      setProblem(none);
      void qc.invalidateQueries({ queryKey: ['tax-rates'] });
    },
    onError: (error) => setProblem(mapProblem(error, ['name', 'rate'])),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Add a tax rate">
      <FormErrors messages={problem.general} />
      <div className="grid-3">
        <TextField label="Name" value={form.name} onValue={(v) => setForm((f) => ({ ...f, name: v }))} error={problem.byField.name} placeholder="Sales tax" required />
        <TextField label="Rate (%)" inputMode="decimal" value={form.rate} onValue={(v) => setForm((f) => ({ ...f, rate: v }))} error={problem.byField.rate} placeholder="8.875" required />
      </div>
      <button type="submit" className="primary" disabled={save.isPending}>
        Add rate
      </button>
    </form>
  );
}
