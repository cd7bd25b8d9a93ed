import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api } from '../api/client.ts';
import { mapProblem, type MappedProblem } from '../api/problem.ts';
import type { Item } from '../api/types.ts';
import { ItemSearch } from '../components/ItemSearch.tsx';
import { CheckField, FormErrors, Loading, PageHeader, SelectField, TextArea, TextField } from '../components/ui.tsx';
import { useCapabilities } from '../lib/capabilities.ts';
import { formatQty, parseMoneyInput, parseQuantityInput } from '../lib/decimal.ts';
import { itemLabel, useItemsById } from '../lib/items.ts';
import { blankListing, fromListing, LISTING_FIELDS, ListingFields, listingBody, type ListingJson, type ListingState } from './item/ListingFields.tsx';
import { TaxExemptField, useTaxExempt } from './item/TaxExempt.tsx';

interface FormState {
  sku: string;
  name: string;
  description: string;
  category: string;
  base_unit: string;
  price: string;
  unit_weight_g: string;
  reorder_point: string;
  tracking: 'none' | 'lot' | 'serial';
  tracks_expiry: boolean;
  costing_method: 'fifo' | 'average';
  stocked: boolean;
  barcodes: string;
  units: { name: string; factor: string }[];
  components: { item_id: string; qty: string }[];
}

const blank: FormState = {
  sku: '',
  name: '',
  description: '',
  category: '',
  base_unit: 'ea',
  price: '',
  unit_weight_g: '',
  reorder_point: '',
  tracking: 'none',
  tracks_expiry: false,
  costing_method: 'fifo',
  stocked: true,
  barcodes: '',
  units: [],
  components: [],
};

function fromItem(item: Item): FormState {
  return {
    sku: item.sku,
    name: item.name,
    description: item.description ?? '',
    category: item.category ?? '',
    base_unit: item.base_unit,
    price: item.price ?? '',
    unit_weight_g: item.unit_weight_g === null ? '' : String(item.unit_weight_g),
    reorder_point: item.reorder_point === null || item.reorder_point === undefined ? '' : String(item.reorder_point),
    tracking: item.tracking,
    tracks_expiry: item.tracks_expiry,
    costing_method: item.costing_method,
    stocked: item.stocked,
    barcodes: item.barcodes.map((b) => b.code).join('\n'),
    units: item.units.map((u) => ({ name: u.name, factor: formatQty(u.factor).replace(/,/g, '') })),
    components: item.components.map((c) => ({ item_id: c.item_id, qty: String(c.qty) })),
  };
}

const none: MappedProblem = { byField: {}, general: [] };

/** Builds the request body, checking numbers as the server would; returns the local errors too. */
export function itemBody(form: FormState, withReorderPoint: boolean): { body: Record<string, unknown>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const money = form.price.trim() ? parseMoneyInput(form.price) : null;
  if (money && !money.ok) errors.price = money.message;
  const weight = form.unit_weight_g.trim() ? parseQuantityInput(form.unit_weight_g) : null;
  if (weight && !weight.ok) errors.unit_weight_g = weight.message;
  const reorder = form.reorder_point.trim() ? parseQuantityInput(form.reorder_point, { allowZero: true }) : null;
  if (reorder && !reorder.ok) errors.reorder_point = reorder.message;
  const units = form.units.map((u, i) => {
    const f = parseQuantityInput(u.factor);
    if (!f.ok) errors[`units.${i}.factor`] = f.message;
    return { name: u.name.trim(), factor: f.ok ? f.value : 0 };
  });
  const components = form.components.map((c, i) => {
    const q = parseQuantityInput(c.qty);
    if (!q.ok) errors[`components.${i}.qty`] = q.message;
    return { item_id: c.item_id, qty: q.ok ? q.value : 0 };
  });
  const body: Record<string, unknown> = {
    sku: form.sku.trim(),
    name: form.name,
    description: form.description.trim() || null,
    category: form.category.trim() || null,
    base_unit: form.base_unit.trim(),
    price: money?.ok ? money.value : null,
    unit_weight_g: weight?.ok ? weight.value : null,
    tracking: form.tracking,
    tracks_expiry: form.tracks_expiry,
    costing_method: form.costing_method,
    stocked: form.stocked,
    barcodes: form.barcodes
      .split(/[\s,]+/)
      .map((b) => b.trim())
      .filter(Boolean),
    units,
    components,
  };
  if (withReorderPoint) body.reorder_point = reorder?.ok ? reorder.value : null;
  return { body, errors };
}

export function ItemFormPage() {
  const { id } = useParams();
  const editing = Boolean(id);
  const navigate = useNavigate();
  const qc = useQueryClient();
  const caps = useCapabilities();
  const hasReorderPoint = caps.schemaHas('Item', 'reorder_point');
  const existing = useQuery({ queryKey: ['item', id], queryFn: () => api.get<Item>(`/api/v1/items/${id}`), enabled: editing });
  const hasListing = caps.has('put', '/api/v1/items/{id}/listing');
  const existingListing = useQuery({ queryKey: ['item-listing', id], queryFn: () => api.get<ListingJson>(`/api/v1/items/${id}/listing`), enabled: editing && hasListing });
  const [listing, setListing] = useState<ListingState>(blankListing);
  const [listingLoaded, setListingLoaded] = useState(false);
  const [form, setForm] = useState<FormState>(blank);
  const [loaded, setLoaded] = useState(!editing);
  const [problem, setProblem] = useState(none);
  useEffect(() => {
    if (existing.data && !loaded) {
      setForm(fromItem(existing.data));
      setLoaded(true);
    }
  }, [existing.data, loaded]);
  useEffect(() => {
    if (existingListing.data && !listingLoaded) {
      setListing(fromListing(existingListing.data));
      setListingLoaded(true);
    }
  }, [existingListing.data, listingLoaded]);
  const tax = useTaxExempt(id);
  const componentItems = useItemsById(form.components.map((c) => c.item_id));
  const fields = [
    ...Object.keys(blank),
    ...LISTING_FIELDS,
    ...form.units.flatMap((_, i) => [`units.${i}`, `units.${i}.name`, `units.${i}.factor`]),
    ...form.components.flatMap((_, i) => [`components.${i}`, `components.${i}.qty`, `components.${i}.item_id`]),
  ];
  const save = useMutation({
    mutationFn: async (body: Record<string, unknown>) => {
      const item = await (editing ? api.patch<Item>(`/api/v1/items/${id}`, body) : api.post<Item>('/api/v1/items', body));
      // The listing is its own resource; a new item gets one only when something was filled in.
      if (hasListing && (editing || listing.google || listing.brand || listing.image_url || listing.link_url || listing.condition !== 'new')) {
        await api.put(`/api/v1/items/${item.id}/listing`, listingBody(listing));
        void qc.invalidateQueries({ queryKey: ['item-listing', item.id] });
      }
      await tax.save(item.id);
      return item;
    },
    onSuccess: (item) => {
      qc.setQueryData(['item', item.id], item);
      void qc.invalidateQueries({ queryKey: ['items'] });
      navigate(`/items/${item.id}`);
    },
    // The form keeps everything typed; the messages go beside the fields they concern.
    onError: (error) => setProblem(mapProblem(error, fields)),
  });
  const set = <K extends keyof FormState>(key: K) => (value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { body, errors } = itemBody(form, hasReorderPoint);
    if (Object.keys(errors).length > 0) {
      setProblem({ byField: errors, general: ['Some fields need attention; see the messages beside them.'] });
      return;
    }
    setProblem(none);
    save.mutate(body);
  };
  if (editing && (!loaded || (hasListing && !listingLoaded && !existingListing.error))) return <Loading />;
  const err = problem.byField;
  return (
    <section>
      <PageHeader title={editing ? `Edit ${existing.data?.name ?? 'item'}` : 'New item'} />
      <form className="card form" onSubmit={submit} noValidate>
        <FormErrors messages={problem.general} />
        <div className="grid-3">
          <TextField label="SKU" value={form.sku} onValue={set('sku')} error={err.sku} required autoFocus={!editing} />
          <TextField label="Name" value={form.name} onValue={set('name')} error={err.name} required />
          <TextField label="Category" value={form.category} onValue={set('category')} error={err.category} hint="Tax rules can give a category its own rate" />
          <TaxExemptField exempt={tax.exempt} onChange={tax.setExempt} disabled={!tax.canWrite} />
          <TextField label="Price" inputMode="decimal" value={form.price} onValue={set('price')} error={err.price} hint="Per base unit, e.g. 12.50" />
          <TextField label="Base unit" value={form.base_unit} onValue={set('base_unit')} error={err.base_unit} hint="ea, kg, l…" />
          <TextField label="Weight of one unit (g)" inputMode="decimal" value={form.unit_weight_g} onValue={set('unit_weight_g')} error={err.unit_weight_g} />
          {hasReorderPoint && <TextField label="Shop-wide reorder point (old)" inputMode="decimal" value={form.reorder_point} onValue={set('reorder_point')} error={err.reorder_point} hint="Only for sites with no min of their own: set min and max per site on the item page" />}
          <SelectField
            label="Tracking"
            value={form.tracking}
            onValue={(v) => set('tracking')(v as FormState['tracking'])}
            error={err.tracking}
            options={[
              { value: 'none', label: 'None' },
              { value: 'lot', label: 'By lot' },
              { value: 'serial', label: 'By serial number' },
            ]}
          />
          <SelectField
            label="Costing"
            value={form.costing_method}
            onValue={(v) => set('costing_method')(v as FormState['costing_method'])}
            error={err.costing_method}
            options={[
              { value: 'fifo', label: 'FIFO' },
              { value: 'average', label: 'Moving average' },
            ]}
          />
        </div>
        <CheckField label="Tracks expiry dates" checked={form.tracks_expiry} onValue={set('tracks_expiry')} />
        <CheckField label="Stocked (uncheck for bundles and recipes made at the moment of sale)" checked={form.stocked} onValue={set('stocked')} />
        <TextArea label="Description" value={form.description} onValue={set('description')} error={err.description} rows={2} />
        <TextArea label="Barcodes (one per line)" value={form.barcodes} onValue={set('barcodes')} error={err.barcodes} rows={3} />

        {hasListing && <ListingFields value={listing} onValue={setListing} errors={err} variant={Boolean(existingListing.data?.product_id)} />}

        <fieldset>
          <legend>Purchase units</legend>
          {form.units.map((u, i) => (
            <div className="row" key={i}>
              <TextField label="Unit name" value={u.name} onValue={(v) => set('units')(form.units.map((x, j) => (j === i ? { ...x, name: v } : x)))} error={err[`units.${i}.name`] ?? err[`units.${i}`]} />
              <TextField
                label={`Base units (${form.base_unit}) in one`}
                inputMode="decimal"
                value={u.factor}
                onValue={(v) => set('units')(form.units.map((x, j) => (j === i ? { ...x, factor: v } : x)))}
                error={err[`units.${i}.factor`]}
              />
              <button type="button" className="link" onClick={() => set('units')(form.units.filter((_, j) => j !== i))}>
                Remove unit
              </button>
            </div>
          ))}
          {err.units && <div className="field-error">{err.units}</div>}
          <button type="button" onClick={() => set('units')([...form.units, { name: 'case', factor: '12' }])}>
            Add a unit
          </button>
        </fieldset>

        <fieldset>
          <legend>Components (bill of materials)</legend>
          {form.components.map((c, i) => (
            <div className="row" key={c.item_id}>
              <span>{itemLabel(componentItems.get(c.item_id), c.item_id)}</span>
              <TextField
                label={`Quantity per ${form.base_unit}`}
                inputMode="decimal"
                value={c.qty}
                onValue={(v) => set('components')(form.components.map((x, j) => (j === i ? { ...x, qty: v } : x)))}
                error={err[`components.${i}.qty`] ?? err[`components.${i}`]}
              />
              <button type="button" className="link" onClick={() => set('components')(form.components.filter((_, j) => j !== i))}>
                Remove component
              </button>
            </div>
          ))}
          {err.components && <div className="field-error">{err.components}</div>}
          <ItemSearch label="Add a component" onPick={(item) => set('components')([...form.components.filter((c) => c.item_id !== item.id), { item_id: item.id, qty: '1' }])} />
        </fieldset>

        <div className="form-actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : editing ? 'Save changes' : 'Create item'}
          </button>
          <button type="button" onClick={() => navigate(-1)}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
