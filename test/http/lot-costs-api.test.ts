import { beforeAll, expect, it } from 'vitest';
import { checkLedger } from '../../src/modules/ledger/index.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

/**
 * Cost of goods by lot, worked by hand through the HTTP API. Two lots of milk: lot A at 1.40
 * received first and expiring last, lot B at 1.60 received later and expiring first. FIFO over the
 * item would cost a sale 1.40 a litre; FEFO sells lot B, and lot B cost 1.60.
 */

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36).toUpperCase()}${(counter += 1)}`;
const HOUR = 3_600_000;

function ok<T = any>(response: { status: number; body: T }, status = 200): T {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

describeEachDatabase('cost of goods by lot (HTTP)', (get) => {
  let api: TestApi;
  let store: any;
  let vendor: any;
  const key = () => ({ 'idempotency-key': unique('k') });
  const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

  const receive = async (itemId: string, lot: string, expiresOn: string, qty: number, unitCost: string, receivedAt: string) =>
    ok(
      await api.post(
        '/api/v1/receipts',
        { site_id: store.id, vendor_id: vendor.id, received_at: receivedAt, post: true, lines: [{ item_id: itemId, qty, unit_cost: unitCost, lot_code: lot, expires_on: expiresOn }] },
        key(),
      ),
      201,
    );
  const sell = async (itemId: string, qty: number, lotCode?: string) =>
    ok(
      await api.post(
        '/api/v1/sales',
        { location_id: store.id, register: 'T1', lines: [{ item_id: itemId, qty, ...(lotCode ? { lot_code: lotCode } : {}) }], payments: [{ tender: 'cash', amount: '50.00' }] },
        key(),
      ),
      201,
    );
  const lotIds = async (itemId: string) => new Map<string, string>(ok(await api.get(`/api/v1/lots?item_id=${itemId}`)).data.map((l: any) => [l.code, l.id]));
  const byLot = async (query = '') => ok(await api.get(`/api/v1/reports/valuation?group_by=lot${query}`));

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    store = ok(await api.post('/api/v1/locations', { kind: 'site', code: unique('ST'), name: 'Café', site_type: 'store' }), 201);
    vendor = ok(await api.post('/api/v1/vendors', { name: unique('Dairy ') }), 201);
  });

  it('costs a FEFO sale at the lot it sold, a named lot at its own cost, and re-costs only that lot’s sales after a back-dated receipt', async () => {
    const milk = ok(await api.post('/api/v1/items', { sku: unique('MILK'), name: 'Milk', base_unit: 'l', price: '1.90', tracking: 'lot', tracks_expiry: true }), 201);
    expect(milk.costing_method).toBe('fifo');
    await receive(milk.id, 'A', '2099-02-10', 10, '1.40', ago(3));
    const receiptB = await receive(milk.id, 'B', '2099-02-05', 10, '1.60', ago(2));
    const lots = await lotIds(milk.id);

    // No lot named: FEFO takes lot B (expires first), which cost 1.60; FIFO over the item would say 2 × 1.40 = 2.80.
    const fefo = await sell(milk.id, 2);
    expect(fefo.lines[0].consumed.map((c: any) => [c.lot_id, c.qty, c.cost])).toEqual([[lots.get('B'), 2, '3.20']]);
    expect(fefo.cost_of_goods).toBe('3.20');

    // Lot A named at the counter: 1 × 1.40.
    const named = await sell(milk.id, 1, 'A');
    expect(named.lines[0].consumed.map((c: any) => [c.lot_id, c.cost])).toEqual([[lots.get('A'), '1.40']]);
    expect(named.cost_of_goods).toBe('1.40');

    // A forgotten delivery of lot A at 1.00, received before the first: lot A's sale now draws it
    // (1 × 1.00); lot B's sale keeps its 3.20 (FIFO over the item would have moved it to 2 × 1.00).
    await receive(milk.id, 'A', '2099-02-10', 5, '1.00', ago(4));
    expect(ok(await api.get(`/api/v1/sales/${named.id}`)).cost_of_goods).toBe('1.00');
    expect(ok(await api.get(`/api/v1/sales/${fefo.id}`)).cost_of_goods).toBe('3.20');

    // The layers carry their lots: A has 4 left at 1.00 and 10 at 1.40, B 8 at 1.60.
    const costs = ok(await api.get(`/api/v1/items/${milk.id}/costs`));
    expect(costs.layers.map((l: any) => [l.lot_id, l.qty_remaining, l.unit_cost])).toEqual([
      [lots.get('A'), 4, '1.00'],
      [lots.get('A'), 10, '1.40'],
      [lots.get('B'), 8, '1.60'],
    ]);
    expect(costs.value).toBe('30.80');

    // Valued by lot: A 4.00 + 14.00 = 18.00 for 14 l; B 8 × 1.60 = 12.80. Soonest expiry first.
    const expected = [
      { lot_id: lots.get('B'), lot_code: 'B', expires_on: '2099-02-05', on_hand: 8, value: '12.80', unit_cost: '1.60' },
      { lot_id: lots.get('A'), lot_code: 'A', expires_on: '2099-02-10', on_hand: 14, value: '18.00', unit_cost: '1.285714' },
    ];
    expect((await byLot()).data.filter((l: any) => l.item_id === milk.id)).toMatchObject(expected);
    expect((await byLot(`&location_id=${store.id}`)).data.filter((l: any) => l.item_id === milk.id)).toMatchObject(expected);
    // As of before the sales: A 10 at 1.40 plus the back-dated 5 at 1.00, B 10 at 1.60.
    const before = (await byLot(`&as_of=${encodeURIComponent(ago(1.5))}`)).data.filter((l: any) => l.item_id === milk.id);
    expect(before.map((l: any) => [l.lot_code, l.on_hand, l.value])).toEqual([
      ['B', 10, '16.00'],
      ['A', 15, '19.00'],
    ]);
    // Grouped by item, nothing changes: one line with the item's whole value.
    const byItem = ok(await api.get('/api/v1/reports/valuation')).data.filter((l: any) => l.item_id === milk.id);
    expect(byItem).toEqual([expect.objectContaining({ on_hand: 22, value: '30.80' })]);
    expect(byItem[0]).not.toHaveProperty('lot_id');

    // Freight of 2.00 on lot B's receipt: lot B's 10 l now cost 1.80, so its sale costs 2 × 1.80;
    // lot A's sale keeps its 1.00, and lot B's 8 l left are worth 14.40.
    ok(await api.post(`/api/v1/receipts/${receiptB.id}/landed-costs`, { charges: [{ kind: 'freight', amount: '2.00' }] }, key()), 201);
    expect(ok(await api.get(`/api/v1/sales/${fefo.id}`)).cost_of_goods).toBe('3.60');
    expect(ok(await api.get(`/api/v1/sales/${named.id}`)).cost_of_goods).toBe('1.00');
    expect((await byLot()).data.filter((l: any) => l.item_id === milk.id).map((l: any) => [l.lot_code, l.value])).toEqual([
      ['B', '14.40'],
      ['A', '18.00'],
    ]);

    expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
  });

  it('costs an average item’s lots at the shared average', async () => {
    const cream = ok(await api.post('/api/v1/items', { sku: unique('CREAM'), name: 'Cream', base_unit: 'l', price: '3.00', tracking: 'lot', tracks_expiry: true, costing_method: 'average' }), 201);
    await receive(cream.id, 'X', '2099-03-10', 10, '1.40', ago(3));
    await receive(cream.id, 'Y', '2099-03-05', 10, '1.60', ago(2));
    const lots = await lotIds(cream.id);
    // FEFO sells lot Y, at the average of both lots: 2 × 1.50.
    const sale = await sell(cream.id, 2);
    expect(sale.lines[0].consumed.map((c: any) => [c.lot_id, c.cost])).toEqual([[lots.get('Y'), '3.00']]);
    // 18 l left worth 27.00, shared over the lots at 1.50.
    const lines = (await byLot()).data.filter((l: any) => l.item_id === cream.id);
    expect(lines.map((l: any) => [l.lot_code, l.on_hand, l.unit_cost, l.value])).toEqual([
      ['Y', 8, '1.50', '12.00'],
      ['X', 10, '1.50', '15.00'],
    ]);
    expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
  });
});
