import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

/**
 * 250 keys, each sent 4 times at once; 50 of them sent again with a changed body and 50 again
 * after the clock moves 24 hours. Exactly 250 postings, identical replays, 422 for changed bodies.
 */
describeEachDatabase('idempotency under load', (get, dialect) => {
  let api: TestApi;
  let binId = '';
  let itemId = '';
  const seed = Date.now() % 1_000_000;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const site = (await api.post('/api/v1/locations', { kind: 'site', code: `ID${seed}`, name: 'Idempotency store', site_type: 'store' })).body;
    binId = site.default_bin_id;
    itemId = (await api.post('/api/v1/items', { sku: `IDEM-${seed}`, name: 'Idempotent item' })).body.id;
  });

  it('posts each key once however often and however concurrently it is sent', async () => {
    console.log(`idempotency [${dialect}] seed ${seed}`);
    const keys = Array.from({ length: 250 }, (_, i) => `idem-${seed}-${i}`);
    const body = (i: number) => ({ location_id: binId, reason: 'found', note: keys[i], lines: [{ item_id: itemId, qty: 1 }] });
    const first = new Map<string, unknown>();
    for (let batch = 0; batch < keys.length; batch += 25) {
      const slice = keys.slice(batch, batch + 25);
      const responses = await Promise.all(
        slice.flatMap((key, j) => Array.from({ length: 4 }, () => api.post('/api/v1/adjustments', body(batch + j), { 'idempotency-key': key }).then((r) => ({ key, r })))),
      );
      for (const { key, r } of responses) {
        expect(r.status, key).toBe(201);
        if (!first.has(key)) first.set(key, r.body);
        else expect(r.body).toEqual(first.get(key));
      }
    }

    for (const [i, key] of keys.slice(0, 50).entries()) {
      const changed = await api.post('/api/v1/adjustments', { ...body(i), lines: [{ item_id: itemId, qty: 2 }] }, { 'idempotency-key': key });
      expect(changed.status).toBe(422);
      expect(changed.body.code).toBe('idempotency_key_reused');
    }

    api.clock.advance(24 * 60 * 60 * 1000);
    for (const [j, key] of keys.slice(50, 100).entries()) {
      const later = await api.post('/api/v1/adjustments', body(50 + j), { 'idempotency-key': key });
      expect(later.status).toBe(201);
      expect(later.body).toEqual(first.get(key));
      expect(later.headers['idempotent-replayed']).toBe('true');
    }

    const postings = await get().db.kysely.selectFrom('adjustments').select((eb) => eb.fn.countAll<number>().as('n')).where('note', 'in', keys).executeTakeFirstOrThrow();
    expect(Number(postings.n)).toBe(250);
    const balance = await api.get(`/api/v1/balances?item_id=${itemId}`);
    expect(balance.body.data[0].on_hand).toBe(250);
  });
});
