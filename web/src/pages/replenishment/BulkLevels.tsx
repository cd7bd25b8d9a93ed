import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import type { Page, Vendor } from '../../api/types.ts';
import { useLocations } from '../../auth/session.tsx';
import { CheckField, FormErrors, SelectField, TextField } from '../../components/ui.tsx';
import { parseQuantityInput } from '../../lib/decimal.ts';

const none: MappedProblem = { byField: {}, general: [] };

/** One min and max for every item of a category or a vendor at a site; or suggested from the forecast. */
export function BulkLevels() {
  const { sites } = useLocations();
  const vendors = useQuery({ queryKey: ['vendors', 'all'], queryFn: () => api.get<Page<Vendor>>('/api/v1/vendors', { limit: 500 }) });
  const [site, setSite] = useState(sites[0]?.id ?? '');
  const [category, setCategory] = useState('');
  const [vendor, setVendor] = useState('');
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const [daily, setDaily] = useState(false);
  const [problem, setProblem] = useState<MappedProblem>(none);
  const [result, setResult] = useState<string | null>(null);
  const filter = () => ({ ...(category.trim() ? { category: category.trim() } : {}), ...(vendor ? { vendor_id: vendor } : {}) });
  const bulk = useMutation({
    mutationFn: (body: unknown) => api.post<{ updated: number }>('/api/v1/stock-levels/bulk', body),
    onSuccess: (r) => setResult(`Set the levels of ${r.updated} items.`),
    onError: (e) => setProblem(mapProblem(e, ['min', 'max', 'location_id'])),
  });
  const suggest = useMutation({
    mutationFn: () => api.post<{ data: unknown[] }>('/api/v1/stock-levels/suggest', { site_id: site, ...filter(), apply: true }),
    onSuccess: (r) => setResult(`Suggested and applied levels for ${r.data.length} items.`),
    onError: (e) => setProblem(mapProblem(e, ['site_id'])),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const lo = parseQuantityInput(min, { allowZero: true });
    const hi = parseQuantityInput(max, { allowZero: true });
    const byField: Record<string, string> = {};
    if (!lo.ok) byField.min = lo.message;
    if (!hi.ok) byField.max = hi.message;
    if (!site) byField.location_id = 'choose a site';
    if (!category.trim() && !vendor) byField.location_id = 'choose a category or a vendor';
    if (Object.keys(byField).length || !lo.ok || !hi.ok) return setProblem({ byField, general: [] });
    setProblem(none);
    bulk.mutate({ location_id: site, ...filter(), min: lo.value, max: hi.value, delivered_daily: daily || undefined });
  };
  return (
    <form className="card form" onSubmit={submit} data-testid="bulk-levels">
      <h2>Levels in bulk</h2>
      <FormErrors messages={problem.general} />
      {result && <p role="status">{result}</p>}
      <SelectField label="Site" value={site} onValue={setSite} options={sites.map((s) => ({ value: s.id, label: s.name }))} error={problem.byField.location_id} />
      <TextField label="Category" value={category} onValue={setCategory} />
      <SelectField label="Vendor" value={vendor} onValue={setVendor} options={[{ value: '', label: 'Any' }, ...(vendors.data?.data ?? []).map((v) => ({ value: v.id, label: v.name }))]} />
      <TextField label="Min (reorder point)" inputMode="decimal" value={min} onValue={setMin} error={problem.byField.min} />
      <TextField label="Max (order up to)" inputMode="decimal" value={max} onValue={setMax} error={problem.byField.max} />
      <CheckField label="Delivered daily (sold out at closing is not out of stock)" checked={daily} onValue={setDaily} />
      <div className="button-row">
        <button type="submit" className="primary" disabled={bulk.isPending}>
          Set these levels
        </button>
        <button type="button" className="ghost" disabled={suggest.isPending || !site} onClick={() => suggest.mutate()}>
          Suggest from the forecast and apply
        </button>
      </div>
    </form>
  );
}
