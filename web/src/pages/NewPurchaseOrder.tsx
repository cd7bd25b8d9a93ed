import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { mapProblem, type MappedProblem } from '../api/problem.ts';
import type { Item, Page, PurchaseOrder, Vendor, VendorItem } from '../api/types.ts';
import { useSignedIn, useSite } from '../auth/session.tsx';
import { ItemSearch } from '../components/ItemSearch.tsx';
import { LocationSelect } from '../components/LocationSelect.tsx';
import { FormErrors, Money, PageHeader, SelectField, TextArea, TextField } from '../components/ui.tsx';
import { parseMoneyInput, parseQuantityInput } from '../lib/decimal.ts';

interface Line {
  item: Item;
  qty: string;
  unit: string;
  unitPrice: string;
  terms: VendorItem | undefined;
}

const none: MappedProblem = { byField: {}, general: [] };

/** A draft order: pick the vendor, then items (their terms fill in the unit and price). */
export function NewPurchaseOrderPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [vendorId, setVendorId] = useState(params.get('vendor_id') ?? '');
  const [site, setSite] = useState(siteId ?? '');
  const [expected, setExpected] = useState('');
  const [tax, setTax] = useState('');
  const [shipping, setShipping] = useState('');
  const [notes, setNotes] = useState('');
  const [lines, setLines] = useState<Line[]>([]);
  const [problem, setProblem] = useState(none);
  const vendors = useQuery({ queryKey: ['vendors', 'active'], queryFn: () => api.get<Page<Vendor>>('/api/v1/vendors', { limit: 500 }) });
  const terms = useQuery({ queryKey: ['vendor-items', vendorId], queryFn: () => api.get<{ data: VendorItem[] }>(`/api/v1/vendors/${vendorId}/items`), enabled: Boolean(vendorId) });
  const vendor = vendors.data?.data.find((v) => v.id === vendorId);
  const fields = ['vendor_id', 'delivery_site_id', 'expected_on', 'tax_rate_percent', 'shipping', 'notes', 'lines', ...lines.flatMap((_, i) => [`lines.${i}`, `lines.${i}.qty`, `lines.${i}.unit`, `lines.${i}.unit_price`, `lines.${i}.item_id`])];
  const save = useMutation({
    mutationFn: (body: unknown) => api.post<PurchaseOrder>('/api/v1/purchase-orders', body),
    onSuccess: (po) => navigate(`/purchasing/orders/${po.id}`),
    onError: (e) => setProblem(mapProblem(e, fields)),
  });
  const addItem = (item: Item) => {
    const t = terms.data?.data.find((x) => x.item_id === item.id);
    setLines((ls) => [...ls, { item, qty: String(t?.min_order_qty ?? 1), unit: t?.purchase_unit ?? item.base_unit, unitPrice: t?.unit_cost ?? '', terms: t }]);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!vendorId) local.vendor_id = 'Choose a vendor';
    if (!site) local.delivery_site_id = 'Choose where it is delivered';
    const taxParsed = tax.trim() ? parseQuantityInput(tax, { allowZero: true }) : null;
    if (taxParsed && !taxParsed.ok) local.tax_rate_percent = taxParsed.message;
    const ship = shipping.trim() ? parseMoneyInput(shipping) : null;
    if (ship && !ship.ok) local.shipping = ship.message;
    const bodyLines = lines.map((l, i) => {
      const q = parseQuantityInput(l.qty);
      if (!q.ok) local[`lines.${i}.qty`] = q.message;
      const p = l.unitPrice.trim() ? parseMoneyInput(l.unitPrice) : null;
      if (p && !p.ok) local[`lines.${i}.unit_price`] = p.message;
      return { item_id: l.item.id, qty: q.ok ? q.value : 0, unit: l.unit, ...(p?.ok ? { unit_price: p.value } : {}) };
    });
    if (Object.keys(local).length) return setProblem({ byField: local, general: ['Some fields need attention; see the messages beside them.'] });
    setProblem(none);
    save.mutate({
      vendor_id: vendorId,
      delivery_site_id: site,
      expected_on: expected || null,
      ...(taxParsed?.ok ? { tax_rate_percent: taxParsed.value } : {}),
      ...(ship?.ok ? { shipping: ship.value } : {}),
      notes: notes.trim() || null,
      lines: bodyLines,
    });
  };
  const update = (i: number, change: Partial<Line>) => setLines((ls) => ls.map((l, j) => (j === i ? { ...l, ...change } : l)));
  const err = problem.byField;
  return (
    <section>
      <PageHeader title="New purchase order" />
      <form className="card form" onSubmit={submit} noValidate>
        <FormErrors messages={problem.general} />
        <div className="grid-3">
          <SelectField label="Vendor" value={vendorId} onValue={setVendorId} error={err.vendor_id} options={[{ value: '', label: 'Choose…' }, ...(vendors.data?.data ?? []).map((v) => ({ value: v.id, label: v.name }))]} />
          <LocationSelect label="Deliver to" value={site} onValue={setSite} error={err.delivery_site_id} sitesOnly withinSite={null} />
          <TextField label="Expected on" type="date" value={expected} onValue={setExpected} error={err.expected_on} />
          <TextField label="Tax rate (%)" inputMode="decimal" value={tax} onValue={setTax} error={err.tax_rate_percent} />
          <TextField label={`Shipping${vendor ? ` (${vendor.currency})` : ''}`} inputMode="decimal" value={shipping} onValue={setShipping} error={err.shipping} />
        </div>
        {vendor && (
          <p className="hint">
            {vendor.name}: {vendor.payment_terms ?? 'no payment terms'}, lead time {vendor.lead_time_days ?? '—'} days, {(terms.data?.data ?? []).length} items with terms.
          </p>
        )}
        <ItemSearch label="Add an item" onPick={addItem} stockedOnly />
        {err.lines && <div className="field-error">{err.lines}</div>}
        {lines.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Quantity</th>
                <th scope="col">Unit</th>
                {session.seesCosts && <th scope="col">Price per unit</th>}
                <th scope="col">
                  <span className="sr-only">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l, i) => (
                <tr key={`${l.item.id}-${i}`}>
                  <td>
                    {l.item.name} <span className="muted">{l.item.sku}</span>
                    {l.terms ? (
                      <div className="hint">
                        Vendor terms: {l.terms.vendor_sku ?? 'no vendor SKU'}, {l.terms.purchase_unit}
                        {session.seesCosts && l.terms.unit_cost && (
                          <>
                            {' '}
                            at <Money value={l.terms.unit_cost} currency={vendor?.currency} unitCost />
                          </>
                        )}
                        {l.terms.min_order_qty ? `, minimum ${l.terms.min_order_qty}` : ''}
                        {l.terms.pack_multiple ? `, multiples of ${l.terms.pack_multiple}` : ''}
                      </div>
                    ) : (
                      <div className="hint">No terms with this vendor: give a price.</div>
                    )}
                    {err[`lines.${i}`] && <div className="field-error">{err[`lines.${i}`]}</div>}
                  </td>
                  <td>
                    <TextField label={<span className="sr-only">Quantity of {l.item.name}</span>} inputMode="decimal" value={l.qty} onValue={(v) => update(i, { qty: v })} error={err[`lines.${i}.qty`]} />
                  </td>
                  <td>
                    <SelectField
                      label={<span className="sr-only">Unit of {l.item.name}</span>}
                      value={l.unit}
                      onValue={(v) => update(i, { unit: v })}
                      error={err[`lines.${i}.unit`]}
                      options={[l.item.base_unit, ...l.item.units.map((u) => u.name)].map((u) => ({ value: u, label: u }))}
                    />
                  </td>
                  {session.seesCosts && (
                    <td>
                      <TextField label={<span className="sr-only">Price of {l.item.name}</span>} inputMode="decimal" value={l.unitPrice} onValue={(v) => update(i, { unitPrice: v })} error={err[`lines.${i}.unit_price`]} />
                    </td>
                  )}
                  <td>
                    <button type="button" className="link" onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))} aria-label={`Remove ${l.item.name}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <TextArea label="Notes for the vendor" value={notes} onValue={setNotes} error={err.notes} rows={2} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            {save.isPending ? 'Creating…' : 'Create draft order'}
          </button>
        </div>
      </form>
    </section>
  );
}
