import { beforeAll, expect, it } from 'vitest';
import { makeToken } from '../support/access.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { idempotent, ok, unique } from '../support/site-documents.ts';

describeEachDatabase('pricing calculator HTTP API', (get) => {
  let api: TestApi;
  let site: any;
  let category: string;
  let a: any;
  let b: any;
  let bare: any;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    site = ok(await api.post('/api/v1/locations', { kind: 'site', code: unique('PR'), name: 'Pricing store', site_type: 'store' }), 201);
    category = unique('Jams');
    a = ok(await api.post('/api/v1/items', { sku: unique('JAM'), name: 'Plum jam', category, price: '5.00' }), 201);
    b = ok(await api.post('/api/v1/items', { sku: unique('HON'), name: 'Honey', category, price: '6.00' }), 201);
    bare = ok(await api.post('/api/v1/items', { sku: unique('NEW'), name: 'Uncosted', category, price: '3.00' }), 201);
    ok(
      await api.post('/api/v1/adjustments', {
        location_id: site.id,
        reason: 'opening_balance',
        lines: [
          { item_id: a.id, qty: 10, unit_cost: '4.00' },
          { item_id: b.id, qty: 10, unit_cost: '4.20' },
        ],
      }),
      201,
    );
  });

  const ninetyNine = { kind: 'ending', ending: '0.99' };

  it('previews a 60 % markup on 4.00 as 6.40 rounded up to 6.99, with the margin before and after', async () => {
    const preview = ok(await api.post('/api/v1/pricing/preview', { selection: { item_ids: [a.id] }, method: 'markup', percent: '60', cost_basis: 'last', rounding: ninetyNine }));
    expect(preview.applied).toBe(false);
    // Before: (5.00 − 4.00) / 5.00 = 20 %; after: (6.99 − 4.00) / 6.99 = 42.7754 %.
    expect(preview.lines).toEqual([
      expect.objectContaining({ item_id: a.id, cost: '4.00', price_before: '5.00', price_after: '6.99', margin_before_percent: '20', margin_after_percent: '42.7754', outcome: 'changed' }),
    ]);
    const unrounded = ok(await api.post('/api/v1/pricing/preview', { selection: { item_ids: [a.id] }, method: 'markup', percent: 60, cost_basis: 'average' }));
    expect(unrounded.lines[0].price_after).toBe('6.40');
    expect((ok(await api.get(`/api/v1/items/${a.id}`)) as any).price).toBe('5.00');
  });

  it('prices 4.20 at a 40 % target margin at 7.00, and leaves items without a cost alone', async () => {
    const preview = ok(await api.post('/api/v1/pricing/preview', { selection: { category }, method: 'margin', percent: '40', cost_basis: 'last', rounding: { kind: 'nearest', step: '0.05' } }));
    const bySku = Object.fromEntries(preview.lines.map((l: any) => [l.item_id, l]));
    expect(bySku[b.id]).toMatchObject({ cost: '4.20', price_before: '6.00', price_after: '7.00', margin_before_percent: '30', margin_after_percent: '40' });
    // 4.00 / 0.6 = 6.666… → 6.65 to the nearest 0.05.
    expect(bySku[a.id]).toMatchObject({ price_after: '6.65' });
    expect(bySku[bare.id]).toMatchObject({ cost: null, price_after: '3.00', outcome: 'no_cost' });
    expect(preview).toMatchObject({ changed: 2, skipped: 1 });
  });

  it('applies a repricing once with its reason, records the history, and replays a retried key', async () => {
    const body = { selection: { item_ids: [b.id] }, method: 'margin', percent: '40', cost_basis: 'last', rounding: { kind: 'none' }, reason: 'Honey cost went up' };
    const key = idempotent();
    const first = ok(await api.post('/api/v1/pricing/apply', body, key));
    expect(first).toMatchObject({ applied: true, changed: 1 });
    const again = ok(await api.post('/api/v1/pricing/apply', body, key));
    expect(again).toEqual(first);
    expect((ok(await api.get(`/api/v1/items/${b.id}`)) as any).price).toBe('7.00');
    const history = ok(await api.get(`/api/v1/items/${b.id}/price-history`));
    expect(history.data).toEqual([expect.objectContaining({ price_before: '6.00', price_after: '7.00', cost: '4.20', cost_basis: 'last', reason: 'Honey cost went up' })]);
    // Applied again without a key, the price is already 7.00: nothing changes and no history is added.
    const unchanged = ok(await api.post('/api/v1/pricing/apply', body));
    expect(unchanged.lines[0].outcome).toBe('unchanged');
    expect(ok(await api.get(`/api/v1/items/${b.id}/price-history`)).data).toHaveLength(1);
  });

  it('prices a vendor’s items over the preferred vendor’s price per base unit (replacement cost)', async () => {
    const item = ok(await api.post('/api/v1/items', { sku: unique('TIN'), name: 'Tea tin', price: '5.00', units: [{ name: 'case', factor: 6 }] }), 201);
    const vendor = ok(await api.post('/api/v1/vendors', { name: unique('Tin Co ') }), 201);
    ok(await api.request('PUT', `/api/v1/vendors/${vendor.id}/items/${item.id}`, { body: { purchase_unit: 'case', unit_cost: '24.00', preferred: true } }));
    // 24.00 a case of 6 is 4.00 each; 60 % markup is 6.40, up to .95 is 6.95.
    const preview = ok(await api.post('/api/v1/pricing/preview', { selection: { vendor_id: vendor.id }, method: 'markup', percent: '60', cost_basis: 'replacement', rounding: { kind: 'ending', ending: '0.95' } }));
    expect(preview.lines).toEqual([expect.objectContaining({ item_id: item.id, cost: '4.00', price_after: '6.95' })]);
  });

  it('uses endings per price band', async () => {
    const bands = { kind: 'bands', bands: [{ below: '5.00', ending: '0.49' }, { below: '100', ending: '0.95' }, { ending: '9.00', step: '10' }] };
    const preview = ok(await api.post('/api/v1/pricing/preview', { selection: { item_ids: [a.id] }, method: 'markup', percent: '2900', cost_basis: 'last', rounding: bands }));
    // 4.00 × 30 = 120.00 → band three: …9.00 in steps of 10 → 129.00.
    expect(preview.lines[0].price_after).toBe('129.00');
  });

  it('refuses a margin of 100 % and an empty selection, and keeps costs from staff', async () => {
    const margin = await api.post('/api/v1/pricing/preview', { selection: { item_ids: [a.id] }, method: 'margin', percent: '100', cost_basis: 'last' });
    expect(margin.status).toBe(422);
    expect(margin.body.code).toBe('pricing_rule_invalid');
    const empty = await api.post('/api/v1/pricing/preview', { selection: {}, method: 'markup', percent: '10', cost_basis: 'last' });
    expect(empty.body.code).toBe('pricing_selection_empty');
    const staff = api.as({ bearer: (await makeToken(api, 'staff')).secret });
    expect((await staff.post('/api/v1/pricing/preview', { selection: { item_ids: [a.id] }, method: 'markup', percent: '60', cost_basis: 'last' })).status).toBe(403);
    expect((await staff.get(`/api/v1/items/${a.id}/price-history`)).status).toBe(403);
    expect((await staff.post('/api/v1/pricing/apply', { selection: { item_ids: [a.id] }, method: 'markup', percent: '60', cost_basis: 'last', reason: 'x' })).status).toBe(403);
  });

  it('flags an item whose margin fell below the threshold after a receipt at a higher cost', async () => {
    const item = ok(await api.post('/api/v1/items', { sku: unique('OIL'), name: 'Olive oil', price: '6.00' }), 201);
    const vendor = ok(await api.post('/api/v1/vendors', { name: unique('Oil Co ') }), 201);
    const receive = async (unitPrice: string) => {
      const po = ok(await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.id, lines: [{ item_id: item.id, qty: 2, unit_price: unitPrice }] }), 201);
      ok(await api.post(`/api/v1/purchase-orders/${po.id}/send`));
      return ok(await api.post('/api/v1/receipts', { purchase_order_id: po.id, lines: [{ purchase_order_line_id: po.lines[0].id, qty: 2 }], post: true }), 201);
    };
    await receive('4.00');
    const mine = (alerts: any) => alerts.data.filter((x: any) => x.item_id === item.id);
    expect(mine(ok(await api.get('/api/v1/pricing/margin-alerts?below_percent=30')))).toEqual([]);
    const second = await receive('5.00');
    // Before: (6 − 4) / 6 = 33.3333 %; after: (6 − 5) / 6 = 16.6667 %, below 30 %.
    expect(mine(ok(await api.get('/api/v1/pricing/margin-alerts?below_percent=30')))).toEqual([
      expect.objectContaining({ price: '6.00', previous_cost: '4.00', cost: '5.00', margin_before_percent: '33.3333', margin_percent: '16.6667', receipt_id: second.id }),
    ]);
    expect(mine(ok(await api.get('/api/v1/pricing/margin-alerts?below_percent=15')))).toEqual([]);
  });
});
