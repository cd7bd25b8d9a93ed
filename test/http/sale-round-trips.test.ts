import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { watchPostgresQueries } from '../support/postgres-round-trips.ts';

// Round trips at the client; installed before the suite opens its pool.
const watched = { on: false, trips: 0, sent: [] as string[] };
afterAll(
  watchPostgresQueries((text, startsTrip) => {
    if (!watched.on) return;
    watched.sent.push(`${startsTrip ? '→' : '+'} ${text.slice(0, 60)}`);
    if (startsTrip) watched.trips += 1;
  }),
);

/**
 * A counter sale's round trips to PostgreSQL (issue 20): the token, then one transaction in which
 * the begin, the idempotency claim and the first read share a trip, the receipt number shares the
 * cost rows' lock's, and the stock observers' first reads share the costing's (pg-pipeline.ts).
 * A change that makes a statement wait again fails here; the statements themselves are listed by
 * `npx tsx bench/sale-statements.ts --postgres --list`.
 */
describeEachDatabase('a counter sale’s round trips', (get, dialect) => {
  let api: TestApi;
  let storeId = '';
  const itemIds: string[] = [];

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    storeId = (await api.post('/api/v1/locations', { kind: 'site', code: 'TRIPS', name: 'Trips store', site_type: 'store' })).body.id;
    for (const n of [1, 2, 3]) itemIds.push((await api.post('/api/v1/items', { sku: `TRIP-${n}`, name: `Trip item ${n}`, price: '2.50' })).body.id);
    const lines = itemIds.map((item_id) => ({ item_id, qty: 100, unit_cost: '1.00' }));
    expect((await api.post('/api/v1/adjustments', { location_id: storeId, reason: 'opening_balance', lines })).status).toBe(201);
  });

  const sell = (key: string) =>
    api.post('/api/v1/sales', { location_id: storeId, register: 'R1', lines: itemIds.map((item_id) => ({ item_id, qty: 1 })), payments: [{ tender: 'card', amount: '7.50' }] }, { 'idempotency-key': key });

  it.runIf(dialect === 'postgres')('takes 7 round trips for a 3-line sale once its caches are warm', async () => {
    expect((await sell('trips-warm')).status).toBe(201);
    Object.assign(watched, { on: true, trips: 0, sent: [] });
    const sale = await sell('trips-counted');
    watched.on = false;
    expect(sale.status).toBe(201);
    expect(watched.trips, watched.sent.join('\n')).toBe(7);
  });
});
