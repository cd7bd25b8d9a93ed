import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api/client.ts';
import { mapProblem, type MappedProblem } from '../api/problem.ts';
import type { Item, Vendor, VendorItem } from '../api/types.ts';
import { useSignedIn } from '../auth/session.tsx';
import { ItemSearch } from '../components/ItemSearch.tsx';
import { FilterInput, FilterSelect, PagedList, useUrlFilters, type Column } from '../components/PagedList.tsx';
import { CheckField, Empty, ErrorBanner, FormErrors, Loading, Money, PageHeader, StatusBadge, TextField } from '../components/ui.tsx';
import { parseMoneyInput, parseQuantityInput } from '../lib/decimal.ts';
import { itemLabel, useItemsById } from '../lib/items.ts';
import { ListTable } from '../components/ListTable.tsx';

const none: MappedProblem = { byField: {}, general: [] };

export function VendorsPage() {
  const session = useSignedIn();
  const [showForm, setShowForm] = useState(false);
  const filters = useUrlFilters();
  const status = filters.get('status', 'active');
  const q = filters.get('q').trim();
  const columns: Column<Vendor>[] = [
    { key: 'name', header: 'Name', cell: (v) => <Link to={`/purchasing/vendors/${v.id}`}>{v.name}</Link> },
    { key: 'contact', header: 'Contact', cell: (v) => [v.contact_name, v.email, v.phone].filter(Boolean).join(' · ') },
    { key: 'currency', header: 'Currency', cell: (v) => v.currency },
    { key: 'terms', header: 'Terms', cell: (v) => v.payment_terms ?? '' },
    { key: 'lead', header: 'Lead time', cell: (v) => (v.lead_time_days === null ? '—' : `${v.lead_time_days} days`) },
    { key: 'status', header: 'Status', cell: (v) => <StatusBadge status={v.status} /> },
  ];
  return (
    <section>
      <PageHeader
        title="Vendors"
        actions={
          session.can('purchasing.write') && (
            <button type="button" className="primary" onClick={() => setShowForm((s) => !s)} aria-expanded={showForm}>
              New vendor
            </button>
          )
        }
      />
      {showForm && <VendorForm onDone={() => setShowForm(false)} />}
      <PagedList<Vendor>
        noun="vendors"
        queryKey={['vendors', 'list', status, q]}
        sources={{ path: '/api/v1/vendors', query: { status, q: q || undefined } }}
        columns={columns}
        rowKey={(v) => v.id}
        empty="No vendors here."
        filters={
          <>
            <FilterInput label="Search" name="q" placeholder="Name" />
            <FilterSelect
              label="Status"
              name="status"
              fallback="active"
              options={[
                { value: 'active', label: 'Active' },
                { value: 'archived', label: 'Archived' },
                { value: 'all', label: 'All' },
              ]}
            />
          </>
        }
      />
    </section>
  );
}

function VendorForm({ vendor, onDone }: { vendor?: Vendor; onDone(v: Vendor): void }) {
  const qc = useQueryClient();
  const [form, setForm] = useState({
    name: vendor?.name ?? '',
    email: vendor?.email ?? '',
    phone: vendor?.phone ?? '',
    contact_name: vendor?.contact_name ?? '',
    currency: vendor?.currency ?? '',
    payment_terms: vendor?.payment_terms ?? '',
    lead_time_days: vendor?.lead_time_days?.toString() ?? '',
    over_receipt_tolerance_percent: vendor ? String(vendor.over_receipt_tolerance_percent) : '',
  });
  const [problem, setProblem] = useState(none);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const save = useMutation({
    mutationFn: (body: unknown) => (vendor ? api.patch<Vendor>(`/api/v1/vendors/${vendor.id}`, body) : api.post<Vendor>('/api/v1/vendors', body)),
    onSuccess: (v) => {
      void qc.invalidateQueries({ queryKey: ['vendors'] });
      qc.setQueryData(['vendor', v.id], v);
      onDone(v);
    },
    onError: (e) => setProblem(mapProblem(e, Object.keys(form))),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const lead = form.lead_time_days.trim();
    const tol = form.over_receipt_tolerance_percent.trim() ? parseQuantityInput(form.over_receipt_tolerance_percent, { allowZero: true }) : null;
    if (lead && !/^\d+$/.test(lead)) return setProblem({ byField: { lead_time_days: 'Whole days, e.g. 5' }, general: [] });
    if (tol && !tol.ok) return setProblem({ byField: { over_receipt_tolerance_percent: tol.message }, general: [] });
    setProblem(none);
    save.mutate({
      name: form.name,
      email: form.email.trim() || null,
      phone: form.phone.trim() || null,
      contact_name: form.contact_name.trim() || null,
      ...(form.currency.trim() ? { currency: form.currency.trim().toUpperCase() } : {}),
      payment_terms: form.payment_terms.trim() || null,
      lead_time_days: lead ? Number(lead) : null,
      ...(tol?.ok ? { over_receipt_tolerance_percent: tol.value } : {}),
    });
  };
  const err = problem.byField;
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label={vendor ? 'Edit vendor' : 'New vendor'}>
      <FormErrors messages={problem.general} />
      <div className="grid-3">
        <TextField label="Name" value={form.name} onValue={set('name')} error={err.name} required autoFocus />
        <TextField label="Contact" value={form.contact_name} onValue={set('contact_name')} error={err.contact_name} />
        <TextField label="Email" type="email" value={form.email} onValue={set('email')} error={err.email} />
        <TextField label="Phone" value={form.phone} onValue={set('phone')} error={err.phone} />
        <TextField label="Currency" value={form.currency} onValue={set('currency')} error={err.currency} hint="Three letters; the shop’s when empty" />
        <TextField label="Payment terms" value={form.payment_terms} onValue={set('payment_terms')} error={err.payment_terms} />
        <TextField label="Lead time (days)" inputMode="numeric" value={form.lead_time_days} onValue={set('lead_time_days')} error={err.lead_time_days} />
        <TextField label="Over-receipt tolerance (%)" inputMode="decimal" value={form.over_receipt_tolerance_percent} onValue={set('over_receipt_tolerance_percent')} error={err.over_receipt_tolerance_percent} />
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : vendor ? 'Save vendor' : 'Create vendor'}
        </button>
      </div>
    </form>
  );
}

export function VendorPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const vendor = useQuery({ queryKey: ['vendor', id], queryFn: () => api.get<Vendor>(`/api/v1/vendors/${id}`) });
  const terms = useQuery({ queryKey: ['vendor-items', id], queryFn: () => api.get<{ data: VendorItem[] }>(`/api/v1/vendors/${id}/items`) });
  const items = useItemsById((terms.data?.data ?? []).map((t) => t.item_id));
  if (vendor.isLoading) return <Loading />;
  if (!vendor.data) return <ErrorBanner error={vendor.error} />;
  const v = vendor.data;
  return (
    <section>
      <PageHeader
        title={v.name}
        actions={
          <>
            {session.can('purchasing.write') && (
              <button type="button" onClick={() => setEditing((e) => !e)}>
                Edit
              </button>
            )}
            {session.can('purchasing.write') && (
              <button type="button" className="primary" onClick={() => navigate(`/purchasing/orders/new?vendor_id=${v.id}`)}>
                New purchase order
              </button>
            )}
          </>
        }
      >
        <p className="subtitle">
          {v.currency} · {v.payment_terms ?? 'no terms'} · lead time {v.lead_time_days ?? '—'} days · over-receipt tolerance {v.over_receipt_tolerance_percent}%
        </p>
      </PageHeader>
      {editing && <VendorForm vendor={v} onDone={() => setEditing(false)} />}
      <div className="card">
        <h2>What they sell</h2>
        <ErrorBanner error={terms.error} />
        {(terms.data?.data ?? []).length === 0 ? (
          <Empty>No terms yet.</Empty>
        ) : (
          <ListTable exportName="vendor-terms">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Vendor SKU</th>
                <th scope="col">Unit</th>
                {session.seesCosts && (
                  <th scope="col" className="num">
                    Unit cost
                  </th>
                )}
                <th scope="col">Min / multiple</th>
                <th scope="col">Preferred</th>
              </tr>
            </thead>
            <tbody>
              {terms.data!.data.map((t) => (
                <tr key={t.item_id}>
                  <td>
                    <Link to={`/items/${t.item_id}`}>{itemLabel(items.get(t.item_id), t.item_id)}</Link>
                  </td>
                  <td className="mono">{t.vendor_sku ?? '—'}</td>
                  <td>{t.purchase_unit}</td>
                  {session.seesCosts && (
                    <td className="num">
                      <Money value={t.unit_cost} currency={v.currency} unitCost />
                    </td>
                  )}
                  <td>
                    {t.min_order_qty ?? '—'} / {t.pack_multiple ?? '—'}
                  </td>
                  <td>{t.preferred ? 'yes' : ''}</td>
                </tr>
              ))}
            </tbody>
          </ListTable>
        )}
        {session.can('purchasing.write') && <TermsForm vendor={v} />}
      </div>
    </section>
  );
}

function TermsForm({ vendor }: { vendor: Vendor }) {
  const qc = useQueryClient();
  const [item, setItem] = useState<Item | null>(null);
  const [form, setForm] = useState({ vendor_sku: '', purchase_unit: '', unit_cost: '', min_order_qty: '', pack_multiple: '', preferred: false });
  const [problem, setProblem] = useState(none);
  const save = useMutation({
    mutationFn: (body: unknown) => api.put<VendorItem>(`/api/v1/vendors/${vendor.id}/items/${item!.id}`, body),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['vendor-items', vendor.id] });
      void qc.invalidateQueries({ queryKey: ['item-vendors'] });
      setItem(null);
      setForm({ vendor_sku: '', purchase_unit: '', unit_cost: '', min_order_qty: '', pack_multiple: '', preferred: false });
    },
    onError: (e) => setProblem(mapProblem(e, Object.keys(form))),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const cost = parseMoneyInput(form.unit_cost);
    const min = form.min_order_qty.trim() ? parseQuantityInput(form.min_order_qty) : null;
    const mult = form.pack_multiple.trim() ? parseQuantityInput(form.pack_multiple) : null;
    const local: Record<string, string> = {};
    if (!cost.ok) local.unit_cost = cost.message;
    if (min && !min.ok) local.min_order_qty = min.message;
    if (mult && !mult.ok) local.pack_multiple = mult.message;
    if (Object.keys(local).length) return setProblem({ byField: local, general: [] });
    save.mutate({
      vendor_sku: form.vendor_sku.trim() || null,
      ...(form.purchase_unit.trim() ? { purchase_unit: form.purchase_unit.trim() } : {}),
      unit_cost: cost.ok ? cost.value : '0',
      min_order_qty: min?.ok ? min.value : null,
      pack_multiple: mult?.ok ? mult.value : null,
      preferred: form.preferred,
    });
  };
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  return (
    <form onSubmit={submit} className="form subform" noValidate aria-label="Add or change terms">
      <h3>Add or change an item’s terms</h3>
      {item ? (
        <p>
          {item.name} <span className="muted">{item.sku}</span>{' '}
          <button type="button" className="link" onClick={() => setItem(null)}>
            change
          </button>
        </p>
      ) : (
        <ItemSearch label="Item" onPick={setItem} />
      )}
      {item && (
        <>
          <FormErrors messages={problem.general} />
          <div className="grid-3">
            <TextField label="Vendor SKU" value={form.vendor_sku} onValue={set('vendor_sku')} error={problem.byField.vendor_sku} />
            <TextField label="Purchase unit" value={form.purchase_unit} onValue={set('purchase_unit')} error={problem.byField.purchase_unit} hint={`${item.base_unit}${item.units.map((u) => `, ${u.name}`).join('')}`} />
            <TextField label={`Cost per purchase unit (${vendor.currency})`} inputMode="decimal" value={form.unit_cost} onValue={set('unit_cost')} error={problem.byField.unit_cost} />
            <TextField label="Minimum order" inputMode="decimal" value={form.min_order_qty} onValue={set('min_order_qty')} error={problem.byField.min_order_qty} />
            <TextField label="Pack multiple" inputMode="decimal" value={form.pack_multiple} onValue={set('pack_multiple')} error={problem.byField.pack_multiple} />
          </div>
          <CheckField label="Preferred vendor for this item" checked={form.preferred} onValue={(v) => setForm((f) => ({ ...f, preferred: v }))} />
          <button type="submit" className="primary" disabled={save.isPending}>
            Save terms
          </button>
        </>
      )}
    </form>
  );
}
