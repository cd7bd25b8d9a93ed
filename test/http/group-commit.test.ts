import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

/**
 * Sales sent at once: on SQLite they may share a group commit (see platform/db/group-commit.ts;
 * its own test shows the sharing, which fastify.inject does not reliably produce). One
 * that cannot be sold — more than a strict warehouse holds — answers its own 409 and leaves no
 * trace (no sale, no idempotency record, no audit event), while the sales beside it commit and
 * answer 201. Its key can then be used again. The same holds on PostgreSQL, which commits each alone.
 */

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter += 1)}`;

describeEachDatabase('HTTP API: commands committed together', (get) => {
  let api: TestApi;
  let warehouse: { id: string };
  let item: { id: string };

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    warehouse = (await api.post('/api/v1/locations', { kind: 'site', code: unique('GW'), name: 'Strict warehouse', site_type: 'warehouse' })).body;
    item = (await api.post('/api/v1/items', { sku: unique('GC'), name: 'Grouped', price: '5.00', barcodes: [] })).body;
    const opening = await api.post('/api/v1/adjustments', { location_id: warehouse.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 10, unit_cost: '1.00' }] });
    expect(opening.status).toBe(201);
  });

  const sale = (qty: number, note: string) => ({ location_id: warehouse.id, register: 'GC', note, lines: [{ item_id: item.id, qty, unit_price: '5.00' }], payments: [{ tender: 'cash', amount: (qty * 5).toFixed(2) }] });

  it('answers a failing command its own error, commits its neighbours, and keeps nothing of it', async () => {
    const keys = [unique('k'), unique('k'), unique('k')];
    const [first, tooMany, last] = await Promise.all([
      api.post('/api/v1/sales', sale(2, keys[0]!), { 'idempotency-key': keys[0]! }),
      api.post('/api/v1/sales', sale(50, keys[1]!), { 'idempotency-key': keys[1]! }),
      api.post('/api/v1/sales', sale(3, keys[2]!), { 'idempotency-key': keys[2]! }),
    ]);
    expect([first.status, tooMany.status, last.status], JSON.stringify(tooMany.body)).toEqual([201, 409, 201]);
    expect(tooMany.body.code).toBe('insufficient_stock');
    expect(first.body.note).toBe(keys[0]);
    expect(last.body.note).toBe(keys[2]);
    const db = get().db.kysely;
    const sales = await db.selectFrom('sales').select('note').where('note', 'in', keys).execute();
    expect(sales.map((s) => s.note).sort()).toEqual([keys[0], keys[2]].sort());
    const records = await db.selectFrom('idempotency_keys').select('key').where('key', 'in', keys).execute();
    expect(records.map((r) => r.key).sort()).toEqual([keys[0], keys[2]].sort());
    const held = await db
      .selectFrom('balances as b')
      .innerJoin('locations as l', 'l.id', 'b.location_id')
      .select((eb) => eb.fn.sum<number>('b.on_hand').as('on_hand'))
      .where('b.item_id', '=', item.id)
      .where('l.kind', '!=', 'virtual')
      .executeTakeFirstOrThrow();
    expect(Number(held.on_hand)).toBe(5_000);

    // The refused key left nothing behind, so it can be sent again with what is really there.
    const again = await api.post('/api/v1/sales', sale(5, keys[1]!), { 'idempotency-key': keys[1]! });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
  });
});
