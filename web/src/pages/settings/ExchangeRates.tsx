import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import { useSettings, useSignedIn } from '../../auth/session.tsx';
import { DataTable, type Column } from '../../components/PagedList.tsx';
import { Empty, ErrorBanner, FormErrors, Loading, PageHeader, TextField } from '../../components/ui.tsx';

interface ExchangeRate {
  currency: string;
  rate: string;
  effective_on: string;
}

const none: MappedProblem = { byField: {}, general: [] };

/** Today on the browser's calendar, as YYYY-MM-DD. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Exchange rates for buying in other currencies: a receipt in a vendor's currency is valued at the
 * latest rate on or before the day the goods arrived, unless the receipt names its own.
 */
export function ExchangeRatesPage() {
  const session = useSignedIn();
  const settings = useSettings();
  const rates = useQuery({ queryKey: ['exchange-rates'], queryFn: () => api.get<{ data: ExchangeRate[] }>('/api/v1/exchange-rates') });
  const columns: Column<ExchangeRate>[] = [
    { key: 'currency', header: 'Currency', cell: (r) => r.currency },
    { key: 'rate', header: `${settings.base_currency} per unit`, cell: (r) => r.rate, num: true },
    { key: 'from', header: 'From', cell: (r) => r.effective_on },
  ];
  return (
    <section>
      <PageHeader title="Exchange rates">
        <p className="subtitle">How many {settings.base_currency} one unit of each currency buys, from the day given until the next rate.</p>
      </PageHeader>
      {session.can('settings.write') && <ExchangeRateForm base={settings.base_currency} />}
      <ErrorBanner error={rates.error} />
      {rates.isPending ? (
        <Loading />
      ) : (rates.data?.data.length ?? 0) === 0 ? (
        <Empty>No exchange rates yet. Everything is bought in {settings.base_currency}.</Empty>
      ) : (
        <DataTable columns={columns} rows={rates.data?.data ?? []} rowKey={(r) => `${r.currency}:${r.effective_on}`} label="exchange rates" testId="exchange-rates" />
      )}
    </section>
  );
}

function ExchangeRateForm({ base }: { base: string }) {
  const qc = useQueryClient();
  const [form, setForm] = useState({ currency: '', rate: '', effective_on: today() });
  const [problem, setProblem] = useState(none);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const save = useMutation({
    mutationFn: () => api.post<ExchangeRate>('/api/v1/exchange-rates', { currency: form.currency.trim().toUpperCase(), rate: form.rate.trim(), effective_on: form.effective_on }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['exchange-rates'] });
      setForm((f) => ({ ...f, rate: '' }));
      setProblem(none);
    },
    onError: (error) => setProblem(mapProblem(error, ['currency', 'rate', 'effective_on'])),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Set an exchange rate">
      <h2>Set a rate</h2>
      <FormErrors messages={problem.general} />
      <div className="grid-3">
      <TextField label="Currency" value={form.currency} onValue={set('currency')} error={problem.byField.currency} placeholder="EUR" maxLength={3} required />
      <TextField label={`${base} per unit`} value={form.rate} onValue={set('rate')} error={problem.byField.rate} placeholder="1.0825" inputMode="decimal" required />
      <TextField label="From" type="date" value={form.effective_on} onValue={set('effective_on')} error={problem.byField.effective_on} required />
      </div>
      <button type="submit" className="primary" disabled={save.isPending}>
        Set rate
      </button>
    </form>
  );
}
