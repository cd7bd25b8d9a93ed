import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import type { Item, Page, Vendor, VendorReturn } from '../../api/types.ts';
import { useSite } from '../../auth/session.tsx';
import { ItemSearch } from '../../components/ItemSearch.tsx';
import { LocationSelect } from '../../components/LocationSelect.tsx';
import { FormErrors, PageHeader, SelectField, TextField } from '../../components/ui.tsx';
import { parseQuantityInput } from '../../lib/decimal.ts';

export const RETURN_REASONS = ['defective', 'damaged', 'wrong_item', 'overstock', 'expired', 'recall', 'other'].map((value) => ({ value, label: value.replace(/_/g, ' ') }));

interface Line {
  item: Item;
  qty: string;
  lot: string;
}

const none: MappedProblem = { byField: {}, general: [] };

/** A draft return: from a receipt (`?receipt_id=`, vendor and site follow from it) or from a vendor and a site. */
export function NewVendorReturnPage() {
  const { siteId } = useSite();
  const [params] = useSearchParams();
  const receiptId = params.get('receipt_id') ?? '';
  const navigate = useNavigate();
  const qc = useQueryClient();
  const vendors = useQuery({ queryKey: ['vendors', 'active'], queryFn: () => api.get<Page<Vendor>>('/api/v1/vendors', { limit: 500 }) });
  const [vendorId, setVendorId] = useState(params.get('vendor_id') ?? '');
  const [site, setSite] = useState(siteId ?? '');
  const [reason, setReason] = useState('defective');
  const [notes, setNotes] = useState('');
  const [lines, setLines] = useState<Line[]>([]);
  const [problem, setProblem] = useState(none);
  const [key] = useState(() => newIdempotencyKey('vrt'));
  const fields = ['vendor_id', 'site_id', 'reason', 'notes', 'lines', ...lines.flatMap((_, i) => [`lines.${i}.qty`, `lines.${i}.lot_code`, `lines.${i}.item_id`, `lines.${i}.bin_id`])];
  const save = useMutation({
    mutationFn: (body: unknown) => api.post<VendorReturn>('/api/v1/vendor-returns', body, { idempotencyKey: key }),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['vendor-returns'] });
      navigate(`/purchasing/vendor-returns/${r.id}`);
    },
    onError: (error) => setProblem(mapProblem(error, fields)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!receiptId && !vendorId) local.vendor_id = 'Choose the vendor';
    if (!receiptId && !site) local.site_id = 'Choose the site the goods leave from';
    if (lines.length === 0) local.lines = 'Add at least one item';
    const body = {
      ...(receiptId ? { receipt_id: receiptId } : { vendor_id: vendorId, site_id: site }),
      reason,
      notes: notes || undefined,
      lines: lines.map((l, i) => {
        const q = parseQuantityInput(l.qty);
        if (!q.ok) local[`lines.${i}.qty`] = q.message;
        return { item_id: l.item.id, qty: q.ok ? q.value : 0, ...(l.lot.trim() ? { lot_code: l.lot.trim() } : {}) };
      }),
    };
    if (Object.keys(local).length > 0) return setProblem({ byField: local, general: [] });
    setProblem(none);
    save.mutate(body);
  };
  const update = (i: number, change: Partial<Line>) => setLines((ls) => ls.map((l, j) => (j === i ? { ...l, ...change } : l)));
  return (
    <section>
      <PageHeader title="Return to vendor">{receiptId && <p className="subtitle">Against receipt {receiptId}: the vendor, the site and the prices follow from it.</p>}</PageHeader>
      <form onSubmit={submit} className="card form" noValidate>
        <FormErrors messages={problem.general} />
        <div className="grid-3">
          {!receiptId && (
            <SelectField label="Vendor" value={vendorId} onValue={setVendorId} error={problem.byField.vendor_id} options={[{ value: '', label: 'Choose…' }, ...(vendors.data?.data ?? []).map((v) => ({ value: v.id, label: v.name }))]} />
          )}
          {!receiptId && <LocationSelect label="From site" value={site} onValue={setSite} error={problem.byField.site_id} sitesOnly />}
          <SelectField label="Reason" value={reason} onValue={setReason} options={RETURN_REASONS} error={problem.byField.reason} />
        </div>
        <TextField label="Notes" value={notes} onValue={setNotes} error={problem.byField.notes} />
        <ItemSearch label="Add an item" onPick={(item) => setLines((ls) => [...ls, { item, qty: '1', lot: '' }])} stockedOnly />
        {problem.byField.lines && <div className="field-error">{problem.byField.lines}</div>}
        {lines.map((l, i) => (
          <div className="grid-3" key={i}>
            <div>
              {l.item.name} <span className="muted">{l.item.sku}</span>
            </div>
            <TextField label={`Quantity of ${l.item.name}`} inputMode="decimal" value={l.qty} onValue={(v) => update(i, { qty: v })} error={problem.byField[`lines.${i}.qty`]} />
            <TextField label="Lot or serial" value={l.lot} onValue={(v) => update(i, { lot: v })} error={problem.byField[`lines.${i}.lot_code`]} />
          </div>
        ))}
        <button type="submit" className="primary" disabled={save.isPending}>
          Save draft
        </button>
      </form>
    </section>
  );
}
