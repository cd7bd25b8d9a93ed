import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import type { PricingResult } from '../../api/types.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { PrintLabels } from '../../components/PrintLabels.tsx';
import { ErrorBanner, PageHeader, SelectField, TextField } from '../../components/ui.tsx';
import { MarginAlerts } from './MarginAlerts.tsx';
import { PricingPreview } from './PricingPreview.tsx';

type RoundingChoice = 'none' | '0.99' | '0.95' | 'nearest_0.05' | 'bands';

/** Endings by price band: under 10 → .99, under 100 → .95, above → …9.00. */
const standardBands = [
  { below: '10', ending: '0.99' },
  { below: '100', ending: '0.95' },
  { ending: '9.00', step: '10' },
];

function roundingBody(choice: RoundingChoice) {
  if (choice === 'none') return { kind: 'none' };
  if (choice === 'nearest_0.05') return { kind: 'nearest', step: '0.05' };
  if (choice === 'bands') return { kind: 'bands', bands: standardBands };
  return { kind: 'ending', ending: choice };
}

/**
 * The pricing calculator: choose items (a category, a vendor's items, or a selection from the
 * items list), a markup or target margin over a cost, and a rounding; preview shows the margin
 * before and after; apply writes the prices with a reason.
 */
export function PricingPage() {
  const session = useSignedIn();
  const [params] = useSearchParams();
  const ids = (params.get('ids') ?? '').split(',').filter(Boolean);
  const [category, setCategory] = useState('');
  const [vendorId, setVendorId] = useState('');
  const [method, setMethod] = useState('markup');
  const [percent, setPercent] = useState('60');
  const [basis, setBasis] = useState('last');
  const [rounding, setRounding] = useState<RoundingChoice>('0.99');
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<PricingResult | null>(null);
  const [key, setKey] = useState(() => newIdempotencyKey('pricing'));

  const body = () => ({
    selection: { ...(ids.length ? { item_ids: ids } : {}), ...(category.trim() ? { category: category.trim() } : {}), ...(vendorId.trim() ? { vendor_id: vendorId.trim() } : {}) },
    method,
    percent,
    cost_basis: basis,
    rounding: roundingBody(rounding),
  });
  const preview = useMutation({
    mutationFn: () => api.post<PricingResult>('/api/v1/pricing/preview', body()),
    onSuccess: (r) => {
      setResult(r);
      setKey(newIdempotencyKey('pricing'));
    },
  });
  const apply = useMutation({ mutationFn: () => api.post<PricingResult>('/api/v1/pricing/apply', { ...body(), reason }, { idempotencyKey: key }), onSuccess: setResult });

  return (
    <section>
      <PageHeader title="Pricing">
        <p className="subtitle">Set prices by markup or target margin over a cost, preview the margins, then apply with a reason.</p>
      </PageHeader>
      <div className="card">
        {ids.length > 0 && <p>{ids.length} items selected in the items list.</p>}
        <TextField label="Category" value={category} onValue={setCategory} placeholder="Any" />
        <TextField label="Vendor id" value={vendorId} onValue={setVendorId} placeholder="ven_… (items this vendor supplies)" />
        <SelectField label="Method" value={method} onValue={setMethod} options={[{ value: 'markup', label: 'Markup over cost' }, { value: 'margin', label: 'Target margin' }]} />
        <TextField label="Percent" value={percent} onValue={setPercent} inputMode="decimal" />
        <SelectField
          label="Cost"
          value={basis}
          onValue={setBasis}
          options={[
            { value: 'last', label: 'Last receipt cost' },
            { value: 'average', label: 'Average cost' },
            { value: 'replacement', label: 'Replacement (preferred vendor’s price)' },
          ]}
        />
        <SelectField
          label="Rounding"
          value={rounding}
          onValue={(v) => setRounding(v as RoundingChoice)}
          options={[
            { value: '0.99', label: 'Up to .99' },
            { value: '0.95', label: 'Up to .95' },
            { value: 'nearest_0.05', label: 'Nearest 0.05' },
            { value: 'bands', label: 'By price band (.99 under 10, .95 under 100, …9.00 above)' },
            { value: 'none', label: 'No rounding' },
          ]}
        />
        <button type="button" className="button" disabled={preview.isPending} onClick={() => preview.mutate()}>
          Preview
        </button>
        <ErrorBanner error={preview.error} title="The preview failed" />
      </div>
      {result && <PricingPreview result={result} />}
      {result?.applied && result.changed > 0 && (
        <div className="card">
          <p>New prices need new shelf tags.</p>
          <PrintLabels source={{ kind: 'items', items: result.lines.filter((l) => l.outcome === 'changed').map((l) => ({ item_id: l.item_id })) }} defaultTemplate="shelf_tag" />
        </div>
      )}
      {result && !result.applied && session.can('items.write') && (
        <div className="card">
          <TextField label="Reason" value={reason} onValue={setReason} placeholder="Supplier price rise" />
          <button type="button" className="button primary" disabled={!reason.trim() || apply.isPending} onClick={() => apply.mutate()}>
            Apply {result.changed} new prices
          </button>
          <ErrorBanner error={apply.error} title="The prices were not changed" />
        </div>
      )}
      <MarginAlerts />
    </section>
  );
}
