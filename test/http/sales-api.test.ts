import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { makeToken } from '../support/access.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter += 1)}`;

function expectProblem(response: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, code });
}

describeEachDatabase('HTTP API: selling', (get) => {
  let api: TestApi;
  let store: any;
  let warehouse: any;
  let bin: any;
  let mug: any;
  let milk: any;
  let oat: any;
  let latte: any;
  let group: any;
  let channel: any;
  const key = () => ({ 'idempotency-key': unique('key') });

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    store = (await api.post('/api/v1/locations', { kind: 'site', code: unique('ST'), name: 'Store', site_type: 'store' })).body;
    warehouse = (await api.post('/api/v1/locations', { kind: 'site', code: unique('WH'), name: 'Warehouse', site_type: 'warehouse' })).body;
    bin = (await api.post('/api/v1/locations', { kind: 'bin', parent_id: warehouse.id, code: 'A1', name: 'A-1', pick_order: 1 })).body;
    mug = (await api.post('/api/v1/items', { sku: unique('MUG'), name: 'Mug', price: '16.00', barcodes: [] })).body;
    milk = (await api.post('/api/v1/items', { sku: unique('MILK'), name: 'Milk', base_unit: 'l', price: '1.90' })).body;
    oat = (await api.post('/api/v1/items', { sku: unique('OAT'), name: 'Oat milk', base_unit: 'l', price: '2.60' })).body;
    latte = (await api.post('/api/v1/items', { sku: unique('LATTE'), name: 'Latte', price: '4.20', stocked: false, components: [{ item_id: milk.id, qty: 0.2 }] })).body;
    for (const [location, item, qty] of [[store.id, mug.id, 10], [bin.id, mug.id, 10], [store.id, milk.id, 10], [store.id, oat.id, 10]] as const) {
      expect((await api.post('/api/v1/adjustments', { location_id: location, reason: 'opening_balance', lines: [{ item_id: item, qty, unit_cost: '1.00' }] })).status).toBe(201);
    }
    group = (await api.post('/api/v1/modifier-groups', { name: 'Milk', selection: 'single', modifiers: [{ name: 'Oat milk', price_delta: '0.50', components: [{ item_id: oat.id, replaces_item_id: milk.id }] }] })).body;
    expect((await api.request('PUT', `/api/v1/items/${latte.id}/modifier-groups`, { body: { group_ids: [group.id] } })).status).toBe(200);
    channel = (await api.post('/api/v1/channels', { name: 'Web', kind: 'online', site_ids: [warehouse.id] })).body;
  });

  describe('modifier groups', () => {
    it('creates, lists and attaches them, and refuses one that replaces what the item lacks', async () => {
      expect((await api.get(`/api/v1/modifier-groups/${group.id}`)).body).toMatchObject({ name: 'Milk', selection: 'single', required: false, min: 0, max: 1 });
      expect((await api.get('/api/v1/modifier-groups')).body.data.map((g: any) => g.id)).toContain(group.id);
      expect((await api.get(`/api/v1/items/${latte.id}/modifier-groups`)).body.data.map((g: any) => g.id)).toEqual([group.id]);
      expectProblem(await api.request('PUT', `/api/v1/items/${mug.id}/modifier-groups`, { body: { group_ids: [group.id] } }), 422, 'modifier_invalid');
      expectProblem(await api.post('/api/v1/modifier-groups', { name: 'Bad', selection: 'single', min: 1, modifiers: [{ name: 'x' }] }), 400, 'validation_failed');
      expectProblem(await api.post('/api/v1/modifier-groups', { name: 'Bad', selection: 'multiple', modifiers: [{ name: 'x', components: [{ item_id: 'itm_NOPE', qty: 1 }] }] }), 422, 'modifier_invalid');
      expectProblem(await api.get('/api/v1/modifier-groups/mgr_NOPE'), 404, 'modifier_group_not_found');
    });
  });

  describe('counter sales', () => {
    const body = () => ({ location_id: store.id, register: 'T1', lines: [{ item_id: mug.id, qty: 1 }], payments: [{ tender: 'cash', amount: '20.00' }] });

    it('needs an Idempotency-Key, replays the first receipt for a repeated key and posts once', async () => {
      expectProblem(await api.post('/api/v1/sales', body()), 400, 'idempotency_key_invalid');
      const headers = key();
      const first = await api.post('/api/v1/sales', body(), headers);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ totals: { total: '16.00', paid: '20.00', change: '4.00' }, cost_of_goods: '1.00', margin: '15.00' });
      const again = await api.post('/api/v1/sales', body(), headers);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const balance = await api.get(`/api/v1/balances?item_id=${mug.id}&location_id=${store.id}`);
      expect(balance.body.data[0].on_hand).toBe(9);
      expectProblem(await api.post('/api/v1/sales', { ...body(), note: 'other' }, headers), 422, 'idempotency_key_reused');
      expect((await api.get(`/api/v1/sales/${first.body.id}`)).body.number).toBe(first.body.number);
      const listed = await api.get(`/api/v1/sales?location_id=${store.id}&limit=1`);
      expect(listed.body.data).toHaveLength(1);
    });

    it('sells a latte with oat milk and reports the modifier', async () => {
      const from = new Date(Date.now() - 1000).toISOString();
      const sale = await api.post('/api/v1/sales', { location_id: store.id, register: 'T2', lines: [{ item_id: latte.id, qty: 2, modifiers: [group.modifiers[0].id] }], payments: [{ tender: 'card', amount: '9.40' }] }, key());
      expect(sale.status).toBe(201);
      expect(sale.body.lines[0].consumed.map((c: any) => [c.item_id, c.qty])).toEqual([[oat.id, 0.4]]);
      const to = new Date(Date.now() + 60_000).toISOString();
      const report = await api.get(`/api/v1/reports/modifier-sales?from=${from}&to=${to}`);
      expect(report.body.data.find((r: any) => r.modifier_id === group.modifiers[0].id)).toMatchObject({ name: 'Oat milk', lines: 1, qty: 2, revenue: '1.00' });
    });

    it('refuses bad sales with problems that name the field', async () => {
      const precise = await api.post('/api/v1/sales', { ...body(), lines: [{ item_id: mug.id, qty: 1.0001 }] }, key());
      expectProblem(precise, 400, 'validation_failed');
      expect(precise.body.errors[0].field).toBe('body.lines.0.qty');
      expectProblem(await api.post('/api/v1/sales', { ...body(), lines: [{ item_id: mug.id, sku: mug.sku, qty: 1 }] }, key()), 400, 'validation_failed');
      expectProblem(await api.post('/api/v1/sales', { ...body(), lines: [{ item_id: mug.id, qty: 1, discount: { amount: '1.00', percent: 5, reason: 'x' } }] }, key()), 400, 'validation_failed');
      expectProblem(await api.post('/api/v1/sales', { ...body(), lines: [{ barcode: '0000000000000', qty: 1 }] }, key()), 422, 'sale_line_invalid');
      expectProblem(await api.post('/api/v1/sales', { ...body(), lines: [{ item_id: mug.id, qty: 1, tax_rate: '101' }] }, key()), 400, 'validation_failed');
      expectProblem(await api.post('/api/v1/sales', { ...body(), payments: [{ tender: 'cheque', amount: '20.00' }] }, key()), 400, 'validation_failed');
      expectProblem(await api.post('/api/v1/sales', { ...body(), location_id: bin.id, lines: [{ item_id: mug.id, qty: 11 }], payments: [{ tender: 'card', amount: '176.00' }] }, key()), 409, 'insufficient_stock');
    });

    it('voids a sale once and shows it on the sale', async () => {
      const sale = (await api.post('/api/v1/sales', body(), key())).body;
      const voided = await api.post(`/api/v1/sales/${sale.id}/void`, { reason: 'wrong item' });
      expect(voided.status).toBe(201);
      expect(voided.body).toMatchObject({ kind: 'void', refund: '16.00', refunds: [{ tender: 'cash', amount: '16.00' }] });
      expect((await api.get(`/api/v1/returns/${voided.body.id}`)).body.id).toBe(voided.body.id);
      expect((await api.get(`/api/v1/sales/${sale.id}`)).body).toMatchObject({ status: 'voided', totals: { refunded: '16.00' } });
      expectProblem(await api.post(`/api/v1/sales/${sale.id}/void`, { reason: 'again' }), 409, 'sale_already_voided');
      expectProblem(await api.post('/api/v1/sales/sal_NOPE/void', { reason: 'x' }), 404, 'sale_not_found');
    });
  });

  describe('orders', () => {
    it('keeps a channel, its orders, pick lists and shipments out of sight of someone granted none of its sites', async () => {
      // An item of its own, so the other order tests' outbox and balances stay as they expect.
      const scarf = (await api.post('/api/v1/items', { sku: unique('SCARF'), name: 'Scarf', price: '30.00' })).body;
      expect((await api.post('/api/v1/adjustments', { location_id: bin.id, reason: 'opening_balance', lines: [{ item_id: scarf.id, qty: 5, unit_cost: '9.00' }] })).status).toBe(201);
      const order = await api.post('/api/v1/orders', { channel_id: channel.id, channel_order_id: unique('WEB'), lines: [{ item_id: scarf.id, qty: 1 }] }, key());
      expect(order.status).toBe(201);
      const storeStaff = api.as({ bearer: (await makeToken(api, 'staff', [store.id])).secret });
      expectProblem(await storeStaff.post(`/api/v1/orders/${order.body.id}/pick-lists`, {}), 404, 'order_not_found');
      const [list] = (await api.post(`/api/v1/orders/${order.body.id}/pick-lists`, {})).body.data;
      expect((await api.post(`/api/v1/pick-lists/${list.id}/picked`, {})).status).toBe(200);
      const shipment = await api.post(`/api/v1/pick-lists/${list.id}/shipments`, { packages: [{ weight_g: 500, lines: [{ order_line_id: order.body.lines[0].id, qty: 1 }] }] });
      expect(shipment.status).toBe(201);

      const storeManager = api.as({ bearer: (await makeToken(api, 'manager', [store.id])).secret });
      expect((await storeManager.get('/api/v1/channels')).body.data.map((c: any) => c.id)).not.toContain(channel.id);
      expectProblem(await storeManager.get(`/api/v1/channels/${channel.id}`), 404, 'channel_not_found');
      expectProblem(await storeManager.get(`/api/v1/channels/${channel.id}/availability`), 404, 'channel_not_found');
      expect((await storeManager.get(`/api/v1/orders?channel_id=${channel.id}`)).body.data).toEqual([]);
      expectProblem(await storeManager.get(`/api/v1/orders/${order.body.id}`), 404, 'order_not_found');
      expectProblem(await storeManager.post(`/api/v1/orders/${order.body.id}/confirm`, {}), 404, 'order_not_found');
      expectProblem(await storeManager.post(`/api/v1/orders/${order.body.id}/cancel`, { reason: 'not mine' }), 404, 'order_not_found');
      expectProblem(await storeManager.get(`/api/v1/pick-lists/${list.id}`), 404, 'pick_list_not_found');
      expectProblem(await storeManager.get(`/api/v1/shipments/${shipment.body.id}`), 404, 'shipment_not_found');
      expectProblem(await storeManager.post(`/api/v1/shipments/${shipment.body.id}/cancel`, {}), 404, 'shipment_not_found');
      expectProblem(
        await storeManager.post('/api/v1/orders', { channel_id: channel.id, channel_order_id: unique('WEB'), lines: [{ item_id: scarf.id, qty: 1 }] }, key()),
        404,
        'channel_not_found',
      );
      expect((await api.get(`/api/v1/orders/${order.body.id}`)).body.status).toBe('allocated');

      const warehouseManager = api.as({ bearer: (await makeToken(api, 'manager', [warehouse.id])).secret });
      expect((await warehouseManager.get(`/api/v1/orders/${order.body.id}`)).status).toBe(200);
      expect((await warehouseManager.get(`/api/v1/orders?channel_id=${channel.id}`)).body.data.map((o: any) => o.id)).toContain(order.body.id);
      expect((await warehouseManager.get(`/api/v1/shipments/${shipment.body.id}`)).status).toBe(200);
      expect((await warehouseManager.post(`/api/v1/shipments/${shipment.body.id}/cancel`, {})).status).toBe(200);
      expect((await warehouseManager.post(`/api/v1/orders/${order.body.id}/cancel`, { reason: 'test over' })).status).toBe(200);
    });

    it('answers a repeated channel order id with the order already taken, 200 instead of 201', async () => {
      const body = { channel_id: channel.id, channel_order_id: unique('WEB'), customer: { name: 'Ada', email: 'ada@example.com' }, lines: [{ sku: mug.sku, qty: 2 }] };
      const first = await api.post('/api/v1/orders', body, key());
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ status: 'allocated', total: '32.00', lines: [{ qty: 2, qty_open: 2, reservations: [{ location_id: bin.id, qty: 2 }] }] });
      const again = await api.post('/api/v1/orders', body, key());
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      const replay = await api.post('/api/v1/orders', body, { 'idempotency-key': 'same-order-key' });
      const replayed = await api.post('/api/v1/orders', body, { 'idempotency-key': 'same-order-key' });
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.body.id).toBe(replay.body.id);
      expect((await api.get(`/api/v1/balances?item_id=${mug.id}&location_id=${bin.id}`)).body.data[0]).toMatchObject({ on_hand: 10, reserved: 2, available: 8 });
      const availability = await api.get(`/api/v1/channels/${channel.id}/availability?item_id=${mug.id}`);
      expect(availability.body.data).toEqual([{ item_id: mug.id, sku: mug.sku, name: mug.name, bundle: false, on_hand_available: 8, buffer: 0, available: 8 }]);
      const buffered = await api.request('PUT', `/api/v1/channels/${channel.id}/buffers/${mug.id}`, { body: { qty: 3 } });
      expect(buffered.body).toEqual({ channel_id: channel.id, item_id: mug.id, buffer: 3, available: 5 });
      const outbox = await api.get(`/api/v1/outbox?item_id=${mug.id}&channel_id=${channel.id}`);
      expect(outbox.body.data.map((e: any) => [e.seq, e.payload.available])).toEqual([
        [1, 8],
        [2, 5],
      ]);
      const big = await api.post('/api/v1/orders', { ...body, channel_order_id: unique('WEB'), lines: [{ item_id: mug.id, qty: 9 }] }, key());
      expectProblem(big, 409, 'insufficient_stock');
      expect(big.body.shortfall).toMatchObject({ item_id: mug.id, requested: 9, available: 8 });
      const cancelled = await api.post(`/api/v1/orders/${first.body.id}/cancel`, { reason: 'changed mind' });
      expect(cancelled.body.status).toBe('cancelled');
      expect((await api.get(`/api/v1/orders?channel_id=${channel.id}&status=cancelled`)).body.data.map((o: any) => o.id)).toContain(first.body.id);
      expectProblem(await api.post(`/api/v1/orders/${first.body.id}/cancel`, { reason: 'again' }), 409, 'order_not_open');
      expectProblem(await api.post('/api/v1/orders', { ...body, channel_id: 'chn_NOPE' }, key()), 404, 'channel_not_found');
    });

    it('describes every new route in the OpenAPI document', async () => {
      const paths = Object.keys((await api.get('/api/openapi.json')).body.paths);
      for (const path of [
        '/api/v1/sales',
        '/api/v1/sales/{id}/void',
        '/api/v1/returns',
        '/api/v1/exchanges',
        '/api/v1/channels/{id}/availability',
        '/api/v1/outbox',
        '/api/v1/orders',
        '/api/v1/orders/{id}/pick-lists',
        '/api/v1/pick-lists/{id}/shipments',
        '/api/v1/shipments/{id}/ship',
        '/api/v1/modifier-groups',
        '/api/v1/reports/modifier-sales',
      ]) {
        expect(paths).toContain(path);
      }
    });
  });
});
