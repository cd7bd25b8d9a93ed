import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

const DAY = 86_400_000;

describeEachDatabase('reports', (get) => {
  let api: TestApi;
  let site: any;
  const tag = `R${Date.now().toString(36)}`;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    site = (await api.post('/api/v1/locations', { kind: 'site', code: tag, name: 'Report store', site_type: 'store' })).body;
  });

  const item = async (sku: string, reorder_point: number | null) => (await api.post('/api/v1/items', { sku: `${tag}-${sku}`, name: sku, reorder_point })).body;
  const adjust = (item_id: string, qty: number, unit_cost?: string) =>
    api.post('/api/v1/adjustments', { location_id: site.id, reason: qty > 0 ? 'found' : 'correction', lines: [{ item_id, qty, ...(unit_cost ? { unit_cost } : {}) }] });

  it('lists what is out of stock and what is at or below its reorder point', async () => {
    const plenty = await item('PLENTY', 5);
    const low = await item('LOW', 5);
    const out = await item('OUT', null);
    const never = await item('NEVER', 2);
    await adjust(plenty.id, 10);
    await adjust(low.id, 5);
    await adjust(out.id, 1);
    await adjust(out.id, -1);
    const quarantine = (await api.post('/api/v1/locations', { kind: 'bin', parent_id: site.id, code: 'Q', name: 'Quarantine', purpose: 'quarantine' })).body;
    await api.post('/api/v1/adjustments', { location_id: quarantine.id, reason: 'found', lines: [{ item_id: never.id, qty: 9 }] });

    const response = await api.get(`/api/v1/reports/stock-alerts?location_id=${site.id}`);
    expect(response.status).toBe(200);
    const mine = response.body.data.filter((a: any) => a.sku.startsWith(tag));
    expect(mine.map((a: any) => [a.sku.slice(tag.length + 1), a.status, a.on_hand])).toEqual([
      ['NEVER', 'out_of_stock', 0],
      ['OUT', 'out_of_stock', 0],
      ['LOW', 'low', 5],
    ]);
    expect(response.body.counts.low).toBeGreaterThanOrEqual(1);
    // Without a location (the whole shop, decided by the database) the same, since all of it is at this site.
    const shop = await api.get('/api/v1/reports/stock-alerts?limit=5000');
    expect(shop.status).toBe(200);
    expect(shop.body.data.filter((a: any) => a.sku.startsWith(tag))).toEqual(mine);

    // What is already on its way shows beside the alert: owed on sent orders to this site.
    const vendor = (await api.post('/api/v1/vendors', { name: `${tag} Supplies` })).body;
    const po = (await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.id, lines: [{ item_id: never.id, qty: 3, unit_price: '1.00' }, { item_id: low.id, qty: 4, unit_price: '1.00' }] })).body;
    const draft = (await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.id, lines: [{ item_id: out.id, qty: 7, unit_price: '1.00' }] })).body;
    const sent = await api.post(`/api/v1/purchase-orders/${po.id}/send`);
    expect(sent.status, JSON.stringify([po, sent.body])).toBe(200);
    const onOrder = async () =>
      Object.fromEntries(
        (await api.get(`/api/v1/reports/stock-alerts?location_id=${site.id}`)).body.data.filter((a: any) => a.sku.startsWith(tag)).map((a: any) => [a.sku.slice(tag.length + 1), a.on_order]),
      );
    expect(await onOrder()).toEqual({ NEVER: 3, OUT: 0, LOW: 4 });
    const shopWide = (await api.get('/api/v1/reports/stock-alerts?limit=5000')).body.data.filter((a: any) => a.sku.startsWith(tag));
    expect(Object.fromEntries(shopWide.map((a: any) => [a.sku.slice(tag.length + 1), a.on_order]))).toEqual({ NEVER: 3, OUT: 0, LOW: 4 });
    // A part delivered is no longer owed; a draft order was never sent, so it is not on order.
    expect((await api.post('/api/v1/receipts', { purchase_order_id: po.id, post: true, lines: [{ item_id: never.id, qty: 1 }] })).status).toBe(201);
    expect(await onOrder()).toEqual({ NEVER: 2, OUT: 0, LOW: 4 });
    expect(draft.status).toBe('draft');
  });

  it('charts stock value at the end of each day', async () => {
    const valued = await item('VALUED', null);
    await adjust(valued.id, 4, '2.50');
    const history = await api.get('/api/v1/reports/stock-value-history?days=3');
    expect(history.status).toBe(200);
    expect(history.body.data).toHaveLength(3);
    const valuation = await api.get('/api/v1/reports/valuation');
    expect(history.body.data[2].value).toBe(valuation.body.total_value);
    expect(valuation.body.data.length).toBeGreaterThan(0);
    // The dashboard's tile asks for the total alone.
    const total = await api.get('/api/v1/reports/valuation?lines=false');
    expect(total.body).toMatchObject({ total_value: valuation.body.total_value, data: [] });
    api.clock.advance(DAY);
    const next = await api.get('/api/v1/reports/stock-value-history?days=2');
    expect(next.body.data[0]).toEqual(history.body.data[2]);
    expect(Number(history.body.data[0].value)).toBeLessThanOrEqual(Number(history.body.data[2].value));
  });

  it('sums sales per day with their cost of goods, and hides the cost from staff', async () => {
    const mug = await item('MUG', null);
    await adjust(mug.id, 10, '4.00');
    const sell = (qty: number, key: string) =>
      api.post('/api/v1/sales', { location_id: site.id, register: 'T1', lines: [{ item_id: mug.id, qty, unit_price: '10.00' }], payments: [{ tender: 'card', amount: String(qty * 10) + '.00' }] }, { 'idempotency-key': key });
    expect((await sell(2, `${tag}-s1`)).status).toBe(201);
    expect((await sell(1, `${tag}-s2`)).status).toBe(201);
    const today = new Date(api.clock.now()).toISOString().slice(0, 10);
    const report = await api.get(`/api/v1/reports/sales-by-day?from=${today}&to=${today}&location_id=${site.id}`);
    expect(report.status).toBe(200);
    expect(report.body.data).toEqual([{ date: today, sales_count: 2, revenue: '30.00', cogs: '12.00' }]);
    const week = await api.get(`/api/v1/reports/sales-by-day?from=2026-01-01&to=2026-01-07`);
    expect(week.body.data.map((d: any) => d.date)).toEqual(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06', '2026-01-07']);
    expect((await api.get('/api/v1/reports/sales-by-day?from=2026-02-01&to=2026-01-01')).status).toBe(400);
  });
});
