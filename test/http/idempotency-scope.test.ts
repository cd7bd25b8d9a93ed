import { beforeAll, expect, it } from 'vitest';
import { createToken } from '../../src/modules/access/index.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { IDEMPOTENCY_KEY_TTL_MS, purgeExpiredIdempotencyKeys } from '../../src/platform/http/command.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi, type TestClient } from '../support/http.ts';

/**
 * An Idempotency-Key belongs to the credential that sent it: the same key from another caller is
 * another command, never a replay of someone else's response. A key lives
 * IDEMPOTENCY_KEY_TTL_MS; after that it is a new command, and the purge deletes it.
 */
describeEachDatabase('idempotency keys: scope, expiry and purge', (get) => {
  let api: TestApi;
  // A clock that stands still between requests, so a key's lifetime is measured to the millisecond.
  const clock = new ManualClock(Date.now());
  let other: TestClient;
  let binId = '';
  let itemId = '';
  const tag = `${Date.now() % 1_000_000}`;
  let keyCounter = 0;
  const newKey = (label: string) => `${label}-${tag}-${(keyCounter += 1)}`;

  const adjust = (client: TestClient, key: string, qty = 1, note = 'found') =>
    client.post('/api/v1/adjustments', { location_id: binId, reason: 'found', note, lines: [{ item_id: itemId, qty }] }, { 'idempotency-key': key });
  const onHand = async () => (await api.get(`/api/v1/balances?item_id=${itemId}&location_id=${binId}`)).body.data[0]?.on_hand ?? 0;
  const storedKeys = async (key: string) => get().db.kysely.selectFrom('idempotency_keys').select(['scope', 'expires_at']).where('key', '=', key).execute();

  beforeAll(async () => {
    api = await buildTestApi(get().db, { clock });
    const second = await createToken({ db: get().db, clock, actor: systemActor }, { name: 'second caller', role: 'owner', sites: 'all' });
    other = api.as({ bearer: second.secret });
    const site = (await api.post('/api/v1/locations', { kind: 'site', code: `IK${tag}`, name: 'Key store', site_type: 'store' })).body;
    binId = site.default_bin_id;
    itemId = (await api.post('/api/v1/items', { sku: `IKEY-${tag}`, name: 'Keyed item' })).body.id;
  });

  it('runs the same key from two credentials as two independent commands', async () => {
    const key = newKey('shared');
    const before = await onHand();
    const mine = await adjust(api, key);
    const theirs = await adjust(other, key);
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(await onHand()).toBe(before + 2);
    expect(new Set((await storedKeys(key)).map((k) => k.scope)).size).toBe(2);

    // Each caller's replay answers with its own first response.
    const mineAgain = await adjust(api, key);
    const theirsAgain = await adjust(other, key);
    expect(mineAgain.headers['idempotent-replayed']).toBe('true');
    expect(theirsAgain.headers['idempotent-replayed']).toBe('true');
    expect(mineAgain.body).toEqual(mine.body);
    expect(theirsAgain.body).toEqual(theirs.body);
    expect(await onHand()).toBe(before + 2);
  });

  it('lets another caller use a key with a different body, where the key’s owner is refused', async () => {
    const key = newKey('body');
    expect((await adjust(api, key, 1)).status).toBe(201);
    const theirs = await adjust(other, key, 3);
    expect(theirs.status).toBe(201);
    expect(theirs.body.lines[0].qty).toBe(3);
    const mine = await adjust(api, key, 3);
    expect(mine.status).toBe(422);
    expect(mine.body.code).toBe('idempotency_key_reused');
  });

  it('replays a key until its lifetime is over, then runs it as a new command', async () => {
    const key = newKey('expiry');
    const first = await adjust(api, key);
    expect(first.status).toBe(201);
    const [stored] = await storedKeys(key);
    expect(Number(stored!.expires_at)).toBe(clock.now() + IDEMPOTENCY_KEY_TTL_MS);

    clock.advance(IDEMPOTENCY_KEY_TTL_MS - 60_000);
    const late = await adjust(api, key);
    expect(late.headers['idempotent-replayed']).toBe('true');
    expect(late.body).toEqual(first.body);

    clock.advance(59_999);
    expect((await adjust(api, key)).headers['idempotent-replayed']).toBe('true');
    clock.advance(1);
    const before = await onHand();
    const expired = await adjust(api, key, 2);
    expect(expired.status).toBe(201);
    expect(expired.headers['idempotent-replayed']).toBeUndefined();
    expect(expired.body.id).not.toBe(first.body.id);
    expect(await onHand()).toBe(before + 2);
    // The key is claimed afresh: a replay now returns the new command's response.
    const replay = await adjust(api, key, 2);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(expired.body);
  });

  it('purges keys past their lifetime in batches, keeps the live ones, and a purged key can be used again', async () => {
    const doomed = Array.from({ length: 5 }, () => newKey('purge'));
    for (const key of doomed) expect((await adjust(api, key)).status).toBe(201);
    clock.advance(60_000);
    const live = newKey('live');
    expect((await adjust(api, live)).status).toBe(201);

    // Nothing is due yet.
    clock.advance(IDEMPOTENCY_KEY_TTL_MS - 60_001);
    await purgeExpiredIdempotencyKeys(get().db, clock.now(), 2);
    for (const key of [...doomed, live]) expect(await storedKeys(key)).toHaveLength(1);

    clock.advance(1);
    const purged = await purgeExpiredIdempotencyKeys(get().db, clock.now(), 2);
    expect(purged).toBeGreaterThanOrEqual(doomed.length);
    for (const key of doomed) expect(await storedKeys(key)).toEqual([]);
    expect(await storedKeys(live)).toHaveLength(1);
    expect(await purgeExpiredIdempotencyKeys(get().db, clock.now(), 2)).toBe(0);

    // A purged key is free: another body under it is a new command, not a 422.
    const again = await adjust(api, doomed[0]!, 4);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.lines[0].qty).toBe(4);
  });
});
