import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter += 1)}`;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * What an offline till's queue sends when it reconnects: each sale and scanner document with the
 * Idempotency-Key it was given when it was made and the moment it was made. Replaying the queue
 * twice (the connection dropped after the server answered) posts everything once.
 */
describeEachDatabase('HTTP API: offline replay', (get) => {
  let api: TestApi;
  let store: any;
  let item: any;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    store = (await api.post('/api/v1/locations', { kind: 'site', code: unique('OF'), name: 'Offline store', site_type: 'store' })).body;
    item = (await api.post('/api/v1/items', { sku: unique('TEA'), name: 'Tea', price: '3.00' })).body;
  });

  it('posts a queue of receipt, adjustment and sales once each, in order, at their original times, however often it replays', async () => {
    const start = Date.now() - 2 * HOUR;
    const queue = [
      { path: '/api/v1/receipts', key: unique('rcv'), body: { site_id: store.id, lines: [{ item_id: item.id, qty: 10, unit_cost: '1.00' }], post: true, occurred_at: iso(start) } },
      { path: '/api/v1/adjustments', key: unique('adj'), body: { location_id: store.id, reason: 'damaged', lines: [{ item_id: item.id, qty: -1 }], occurred_at: iso(start + 60_000) } },
      ...[1, 2, 3].map((n) => ({
        path: '/api/v1/sales',
        key: unique('sale'),
        body: { location_id: store.id, register: 'OFF1', lines: [{ item_id: item.id, qty: 1, unit_price: '3.00' }], payments: [{ tender: 'cash', amount: '3.00' }], occurred_at: iso(start + n * 120_000) },
      })),
    ];
    const firstPass = [];
    for (const entry of queue) {
      const response = await api.post(entry.path, entry.body, { 'idempotency-key': entry.key });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      firstPass.push(response.body);
    }
    for (const [i, entry] of queue.entries()) {
      const again = await api.post(entry.path, entry.body, { 'idempotency-key': entry.key });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(firstPass[i]);
    }
    const sales = firstPass.slice(2);
    expect(sales.map((s: any) => s.created_at)).toEqual([1, 2, 3].map((n) => iso(start + n * 120_000)));
    expect(sales.map((s: any) => s.number.split('-').pop())).toEqual(['000001', '000002', '000003']);
    expect(firstPass[0].received_at).toBe(iso(start));
    expect(firstPass[1].effective_at).toBe(iso(start + 60_000));
    const moves = (await api.get(`/api/v1/movements?item_id=${item.id}&limit=100`)).body.data;
    expect(moves).toHaveLength(5);
    const expected = [iso(start), iso(start + 60_000), ...[1, 2, 3].map((n) => iso(start + n * 120_000))];
    expect(moves.map((m: any) => m.effective_at).sort()).toEqual(expected.sort());
    const balance = (await api.get(`/api/v1/balances?item_id=${item.id}&location_id=${store.id}`)).body.data;
    expect(balance.map((b: any) => b.on_hand)).toEqual([6]);
  });

  it('counts a scan a phone made offline at the instant it was made', async () => {
    const count = (await api.post('/api/v1/counts', { site_id: store.id, kind: 'spot', scope: { item_ids: [item.id] } })).body;
    const at = Date.now() - 30 * 60_000;
    const scan = await api.post(`/api/v1/counts/${count.id}/scans`, { location_id: store.default_bin_id, code: item.sku, occurred_at: iso(at) }, { 'idempotency-key': unique('cnt') });
    expect(scan.status, JSON.stringify(scan.body)).toBe(200);
    expect(scan.body).toMatchObject({ result: 'counted', line: { counted_qty: 1, counted_at: iso(at) } });
    const old = await api.post(`/api/v1/counts/${count.id}/scans`, { location_id: store.default_bin_id, code: item.sku, occurred_at: iso(Date.now() - 9 * 24 * HOUR) });
    expect(old.body).toMatchObject({ status: 422, code: 'occurred_at_too_old' });
    await api.post(`/api/v1/counts/${count.id}/cancel`, {});
  });

  it('answers occurred_at_too_old and occurred_at_in_future with their codes, and follows the shop’s window', async () => {
    const body = (at: number) => ({ location_id: store.id, register: 'OFF2', lines: [{ item_id: item.id, qty: 1, unit_price: '3.00' }], payments: [{ tender: 'cash', amount: '3.00' }], occurred_at: iso(at) });
    const old = await api.post('/api/v1/sales', body(Date.now() - 8 * 24 * HOUR), { 'idempotency-key': unique('k') });
    expect(old.status).toBe(422);
    expect(old.body).toMatchObject({ code: 'occurred_at_too_old', errors: [{ field: 'body.occurred_at', code: 'too_old' }] });
    const ahead = await api.post('/api/v1/sales', body(Date.now() + HOUR), { 'idempotency-key': unique('k') });
    expect(ahead.body).toMatchObject({ status: 422, code: 'occurred_at_in_future' });
    const late = await api.post('/api/v1/adjustments', { location_id: store.id, reason: 'found', lines: [{ item_id: item.id, qty: 1 }], occurred_at: iso(Date.now() - 30 * 24 * HOUR) });
    expect(late.body).toMatchObject({ status: 422, code: 'occurred_at_too_old' });
    const both = await api.post('/api/v1/receipts', { site_id: store.id, received_at: iso(Date.now()), occurred_at: iso(Date.now()) });
    expect(both.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((await api.patch('/api/v1/settings', { offline_window_days: 10 })).body).toMatchObject({ offline_window_days: 10 });
    try {
      const accepted = await api.post('/api/v1/sales', body(Date.now() - 8 * 24 * HOUR), { 'idempotency-key': unique('k') });
      expect(accepted.status).toBe(201);
    } finally {
      await api.patch('/api/v1/settings', { offline_window_days: 7 });
    }
  });
});
