import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { makeToken, makeUser, signIn, TEST_PASSWORD, uniqueEmail } from '../support/access.ts';
import { buildTestApi, type TestApi, type TestClient } from '../support/http.ts';

/** Every key in a JSON document, at any depth. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
}
// `costing_method` (fifo or average) says how cost is figured, not what anything cost.
const costKey = /^(?!costing_method$).*(cost|value|margin)/i;

describeEachDatabase('users, roles and grants', (get) => {
  let api: TestApi;
  let siteA: any;
  let siteB: any;
  let item: any;
  let adjustmentA: any;
  let adjustmentB: any;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const tag = Date.now() % 100000;
    siteA = (await api.post('/api/v1/locations', { kind: 'site', code: `UA${tag}`, name: 'Main Street', site_type: 'store' })).body;
    siteB = (await api.post('/api/v1/locations', { kind: 'site', code: `UB${tag}`, name: 'Harbour', site_type: 'store' })).body;
    item = (await api.post('/api/v1/items', { sku: `USERS-${tag}`, name: 'Peach candle', price: '18.00' })).body;
    adjustmentA = (await api.post('/api/v1/adjustments', { location_id: siteA.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 10, unit_cost: '5.60' }] })).body;
    adjustmentB = (await api.post('/api/v1/adjustments', { location_id: siteB.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 4, unit_cost: '5.60' }] })).body;
  });

  const sessionOf = async (role: 'owner' | 'manager' | 'staff' | 'viewer', sites: string[] | 'all') => {
    const person = await makeUser(api, role, sites);
    const signed = await signIn(api, person.email, TEST_PASSWORD);
    return { ...person, client: api.as({ session: signed.session, csrf: signed.csrf }) };
  };

  describe('staff, signed in as a newcomer would', () => {
    let staff: TestClient;
    beforeAll(async () => {
      staff = (await sessionOf('staff', [siteA.id])).client;
    });

    it('never see costs: movements and adjustments leave out unit costs and values', async () => {
      const movements = await staff.get(`/api/v1/movements?item_id=${item.id}`);
      expect(movements.status).toBe(200);
      expect(movements.body.data.length).toBeGreaterThan(0);
      for (const line of movements.body.data) {
        expect(line).not.toHaveProperty('unit_cost');
        expect(line).not.toHaveProperty('value');
      }
      const one = await staff.get(`/api/v1/adjustments/${adjustmentA.id}`);
      expect(one.status).toBe(200);
      expect(one.body.lines[0]).not.toHaveProperty('unit_cost');
      const posted = await staff.post('/api/v1/adjustments', { location_id: siteA.id, reason: 'found', lines: [{ item_id: item.id, qty: 1, unit_cost: '5.60' }] });
      expect(posted.status).toBe(201);
      expect(keysOf(posted.body).filter((k) => costKey.test(k))).toEqual([]);
      const reversed = await staff.post(`/api/v1/adjustments/${posted.body.id}/reverse`, {});
      expect(reversed.status).toBe(201);
      expect(keysOf(reversed.body).filter((k) => costKey.test(k))).toEqual([]);
    });

    it('find no cost or value anywhere in what they may read', async () => {
      const urls = [
        '/api/v1/session',
        '/api/v1/permissions',
        '/api/v1/items?limit=50',
        `/api/v1/items/${item.id}`,
        '/api/v1/locations',
        `/api/v1/locations/${siteA.id}`,
        `/api/v1/balances?location_id=${siteA.id}`,
        `/api/v1/balances?group_by=item`,
        `/api/v1/movements?location_id=${siteA.id}`,
        '/api/v1/movements',
        `/api/v1/lots?item_id=${item.id}`,
        '/api/v1/reservations',
        '/api/v1/adjustments',
        `/api/v1/adjustments/${adjustmentA.id}`,
      ];
      for (const url of urls) {
        const response = await staff.get(url);
        expect(response.status, url).toBe(200);
        expect(keysOf(response.body).filter((k) => costKey.test(k) && k !== 'costs.read'), url).toEqual([]);
      }
    });

    it('are refused another site’s stock (403) and another site’s documents (404, as if missing)', async () => {
      const balances = await staff.get(`/api/v1/balances?location_id=${siteB.id}`);
      expect(balances.status).toBe(403);
      expect(balances.body).toMatchObject({ code: 'forbidden', location_id: siteB.id });
      expect((await staff.get(`/api/v1/movements?location_id=${siteB.default_bin_id}`)).status).toBe(403);
      expect((await staff.post('/api/v1/adjustments', { location_id: siteB.id, reason: 'found', lines: [{ item_id: item.id, qty: 1 }] })).status).toBe(403);
      const foreign = await staff.get(`/api/v1/adjustments/${adjustmentB.id}`);
      const missing = await staff.get('/api/v1/adjustments/adj_01JD0000000000000000000000');
      expect(foreign.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(foreign.body.code).toBe(missing.body.code);
      // Lists leave the other site out instead of failing.
      const all = await staff.get(`/api/v1/balances?item_id=${item.id}`);
      expect(all.body.data.map((b: any) => b.location_id)).toEqual([siteA.default_bin_id]);
      const adjustments = (await staff.get('/api/v1/adjustments?limit=500')).body.data.map((a: any) => a.id);
      expect(adjustments).toContain(adjustmentA.id);
      expect(adjustments).not.toContain(adjustmentB.id);
    });

    it('are refused the user list and every other administration', async () => {
      const users = await staff.get('/api/v1/users');
      expect(users.status).toBe(403);
      expect(users.body).toMatchObject({ code: 'forbidden', permission: 'users.manage' });
      expect((await staff.get('/api/v1/tokens')).status).toBe(403);
      expect((await staff.get('/api/v1/audit-events')).status).toBe(403);
      expect((await staff.post('/api/v1/items', { sku: 'STAFF-1', name: 'x' })).status).toBe(403);
    });
  });

  it('shows costs to managers and viewers', async () => {
    const manager = await makeToken(api, 'manager', [siteA.id]);
    const viewer = await makeToken(api, 'viewer', [siteA.id]);
    for (const secret of [manager.secret, viewer.secret]) {
      const movements = await api.as({ bearer: secret }).get(`/api/v1/movements?item_id=${item.id}&location_id=${siteA.id}`);
      expect(movements.body.data.at(-1)).toMatchObject({ unit_cost: '5.60', value: '56.00' });
      expect((await api.as({ bearer: secret }).get(`/api/v1/adjustments/${adjustmentA.id}`)).body.lines[0].unit_cost).toBe('5.60');
    }
  });

  describe('managing users', () => {
    it('lets an owner add a user, with a hashed password and a case-insensitive unique email', async () => {
      const email = uniqueEmail('Casey');
      const created = await api.post('/api/v1/users', { email, name: 'Casey Counter', role: 'staff', sites: [siteA.id], password: 'lantern-orchard-9' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ email, name: 'Casey Counter', role: 'staff', sites: [siteA.id], status: 'active', last_login_at: null });
      expect(created.body).not.toHaveProperty('password');
      expect(created.body).not.toHaveProperty('password_hash');
      const row = await get().db.kysely.selectFrom('users').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      const again = await api.post('/api/v1/users', { email: email.toUpperCase(), name: 'Twin', role: 'viewer', password: 'lantern-orchard-9' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('email_taken');
      const weak = await api.post('/api/v1/users', { email: uniqueEmail(), name: 'Weak', role: 'viewer', password: 'password12345' });
      expect(weak.status).toBe(422);
      expect(weak.body).toMatchObject({ code: 'password_too_weak', errors: [{ field: 'body.password', code: 'common' }] });
      const bin = await api.post('/api/v1/users', { email: uniqueEmail(), name: 'Bin', role: 'staff', sites: [siteA.default_bin_id], password: 'lantern-orchard-9' });
      expect(bin.status).toBe(422);
      expect(bin.body.code).toBe('grant_invalid');
      const owner = await api.post('/api/v1/users', { email: uniqueEmail('o'), name: 'Co-owner', role: 'owner', sites: [siteA.id], password: 'lantern-orchard-9' });
      expect(owner.body.sites).toBe('all');
    });

    it('lets a manager manage the staff and viewers of their own sites, and nobody else', async () => {
      const boss = await sessionOf('manager', [siteA.id]);
      const mine = await boss.client.post('/api/v1/users', { email: uniqueEmail(), name: 'New staff', role: 'staff', sites: [siteA.id], password: 'lantern-orchard-9' });
      expect(mine.status).toBe(201);
      expect(mine.body.created_by_id).toBe(boss.user.id);
      for (const body of [
        { role: 'manager', sites: [siteA.id] },
        { role: 'owner', sites: 'all' },
        { role: 'staff', sites: [siteB.id] },
        { role: 'staff', sites: 'all' },
      ]) {
        const refused = await boss.client.post('/api/v1/users', { email: uniqueEmail(), name: 'Nope', password: 'lantern-orchard-9', ...body });
        expect(refused.status, JSON.stringify(body)).toBe(403);
        expect(refused.body.code).toBe('grant_exceeds_own');
      }
      const elsewhere = await makeUser(api, 'staff', [siteB.id]);
      const owner = await makeUser(api, 'owner', 'all');
      const listed = (await boss.client.get('/api/v1/users?limit=500')).body.data.map((u: any) => u.id);
      expect(listed).toContain(mine.body.id);
      expect(listed).toContain(boss.user.id);
      expect(listed).not.toContain(elsewhere.user.id);
      expect(listed).not.toContain(owner.user.id);
      expect((await boss.client.get(`/api/v1/users/${owner.user.id}`)).status).toBe(404);
      expect((await boss.client.post(`/api/v1/users/${elsewhere.user.id}/disable`)).status).toBe(404);
      expect((await boss.client.patch(`/api/v1/users/${mine.body.id}`, { role: 'manager' })).body.code).toBe('grant_exceeds_own');
      expect((await boss.client.patch(`/api/v1/users/${mine.body.id}`, { role: 'viewer' })).body.role).toBe('viewer');
      expect((await boss.client.post(`/api/v1/users/${mine.body.id}/disable`)).body.status).toBe('disabled');
      expect((await boss.client.post(`/api/v1/users/${mine.body.id}/enable`)).body.status).toBe('active');
      // Their own account is theirs to see, an owner's to change.
      expect((await boss.client.get(`/api/v1/users/${boss.user.id}`)).status).toBe(200);
      expect((await boss.client.patch(`/api/v1/users/${boss.user.id}`, { sites: [siteA.id, siteB.id] })).status).toBe(403);
    });

    it('searches and pages the user list', async () => {
      const tag = `pager${Date.now().toString(36)}`;
      for (let i = 0; i < 3; i += 1) await makeUser(api, 'viewer', [siteA.id], { email: `${tag}.${i}@example.test` });
      const first = await api.get(`/api/v1/users?q=${tag}&limit=2`);
      expect(first.body.data.map((u: any) => u.email)).toEqual([`${tag}.0@example.test`, `${tag}.1@example.test`]);
      const second = await api.get(`/api/v1/users?q=${tag}&limit=2&cursor=${first.body.next_cursor}`);
      expect(second.body).toMatchObject({ data: [{ email: `${tag}.2@example.test` }], next_cursor: null });
      expect((await api.get(`/api/v1/users?q=${tag}&role=staff`)).body.data).toEqual([]);
    });
  });
});

describeEachDatabase('the last owner', (get) => {
  it('cannot be disabled or demoted while no other owner is active', async () => {
    const api = await buildTestApi(get().db);
    const only = await makeUser(api, 'owner', 'all');
    const disable = await api.post(`/api/v1/users/${only.user.id}/disable`);
    expect(disable.status).toBe(409);
    expect(disable.body.code).toBe('last_owner');
    expect((await api.patch(`/api/v1/users/${only.user.id}`, { role: 'manager' })).body.code).toBe('last_owner');
    const second = await makeUser(api, 'owner', 'all');
    expect((await api.patch(`/api/v1/users/${only.user.id}`, { role: 'manager' })).body).toMatchObject({ role: 'manager', sites: 'all' });
    expect((await api.post(`/api/v1/users/${second.user.id}/disable`)).body.code).toBe('last_owner');
    await api.app.close();
  });
});
