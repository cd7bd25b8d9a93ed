import { createHash } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { makeToken, makeUser, signIn, TEST_PASSWORD } from '../support/access.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const day = 24 * 60 * 60 * 1000;

describeEachDatabase('API tokens', (get) => {
  let api: TestApi;
  let siteA: any;
  let siteB: any;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const tag = Date.now() % 100000;
    siteA = (await api.post('/api/v1/locations', { kind: 'site', code: `TA${tag}`, name: 'A', site_type: 'store' })).body;
    siteB = (await api.post('/api/v1/locations', { kind: 'site', code: `TB${tag}`, name: 'B', site_type: 'warehouse' })).body;
  });

  /** A manager signed in with a session, and a client for it. */
  const manager = async (sites: string[]) => {
    const person = await makeUser(api, 'manager', sites);
    const signed = await signIn(api, person.email, TEST_PASSWORD);
    return { ...person, client: api.as({ session: signed.session, csrf: signed.csrf }) };
  };

  it('shows the secret once, keeps only its hash, and never lists it', async () => {
    const created = await api.post('/api/v1/tokens', { name: 'Webshop sync', role: 'staff', sites: [siteA.id] });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^stk_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({ name: 'Webshop sync', role: 'staff', sites: [siteA.id], status: 'active', secret_hint: secret.slice(0, 10), last_used_at: null });
    const row = await get().db.kysely.selectFrom('api_tokens').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(sha256(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    const one = await api.get(`/api/v1/tokens/${created.body.id}`);
    expect(one.body).not.toHaveProperty('secret');
    expect(JSON.stringify(one.body)).not.toContain(secret);
    const list = await api.get('/api/v1/tokens?limit=500');
    expect(list.body.data.map((t: any) => t.id)).toContain(created.body.id);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    const me = await api.as({ bearer: secret }).get('/api/v1/session');
    expect(me.body).toMatchObject({ kind: 'token', token: { id: created.body.id, name: 'Webshop sync' }, role: 'staff', sites: [siteA.id], csrf_token: null });
  });

  it('records when a token was last used, writing at most once a minute', async () => {
    const token = await makeToken(api, 'viewer', [siteA.id]);
    const lastUsed = async () =>
      (await get().db.kysely.selectFrom('api_tokens').select('last_used_at').where('id', '=', token.id).executeTakeFirstOrThrow()).last_used_at;
    expect(await lastUsed()).toBeNull();
    await api.as({ bearer: token.secret }).get('/api/v1/items');
    const first = await lastUsed();
    expect(first).not.toBeNull();
    api.clock.advance(30_000);
    await api.as({ bearer: token.secret }).get('/api/v1/items');
    expect(await lastUsed()).toBe(first);
    api.clock.advance(31_000);
    await api.as({ bearer: token.secret }).get('/api/v1/items');
    expect(await lastUsed()).toBeGreaterThanOrEqual(first! + 60_000);
    expect((await api.get(`/api/v1/tokens/${token.id}`)).body.last_used_at).not.toBeNull();
  });

  it('stops working at once when revoked, and revoking again changes nothing', async () => {
    const token = await makeToken(api, 'staff', [siteA.id]);
    expect((await api.as({ bearer: token.secret }).get('/api/v1/items')).status).toBe(200);
    const revoked = await api.delete(`/api/v1/tokens/${token.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revoked_at: expect.any(String) });
    const refused = await api.as({ bearer: token.secret }).get('/api/v1/items');
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toMatch(/revoked/);
    expect((await api.delete(`/api/v1/tokens/${token.id}`)).body.revoked_at).toBe(revoked.body.revoked_at);
    const active = await api.get('/api/v1/tokens?limit=500');
    expect(active.body.data.map((t: any) => t.id)).not.toContain(token.id);
    const all = await api.get('/api/v1/tokens?limit=500&include_revoked=true');
    expect(all.body.data.map((t: any) => t.id)).toContain(token.id);
  });

  it('stops working when it expires', async () => {
    const created = await api.post('/api/v1/tokens', { name: 'Stocktake weekend', role: 'staff', sites: [siteA.id], expires_in_days: 2 });
    expect(created.body.expires_at).toBe(new Date(Date.parse(created.body.created_at) + 2 * day).toISOString());
    const client = api.as({ bearer: created.body.secret });
    expect((await client.get('/api/v1/items')).status).toBe(200);
    api.clock.advance(2 * day + 1);
    const expired = await client.get('/api/v1/items');
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toMatch(/expired/);
    expect((await api.get(`/api/v1/tokens/${created.body.id}`)).body.status).toBe('expired');
    const past = await api.post('/api/v1/tokens', { name: 'Too late', role: 'staff', sites: [], expires_at: '2001-01-01T00:00:00Z' });
    expect(past.status).toBe(422);
  });

  it('refuses malformed and unknown bearer credentials', async () => {
    expect((await api.as(null).get('/api/v1/items', { authorization: 'Basic dXNlcjpwYXNz' })).body.code).toBe('unauthenticated');
    expect((await api.as({ bearer: 'stk_not-a-real-token' }).get('/api/v1/items')).status).toBe(401);
    expect((await api.as({ bearer: 'something-else' }).get('/api/v1/items')).status).toBe(401);
  });

  it('never has more than its maker: no higher role, no other sites', async () => {
    const { client } = await manager([siteA.id]);
    const owner = await client.post('/api/v1/tokens', { name: 'x', role: 'owner' });
    expect(owner.status).toBe(403);
    expect(owner.body.code).toBe('grant_exceeds_own');
    expect((await client.post('/api/v1/tokens', { name: 'x', role: 'staff', sites: [siteB.id] })).body.code).toBe('grant_exceeds_own');
    expect((await client.post('/api/v1/tokens', { name: 'x', role: 'staff', sites: 'all' })).body.code).toBe('grant_exceeds_own');
    const fine = await client.post('/api/v1/tokens', { name: 'Till 2', role: 'staff', sites: [siteA.id] });
    expect(fine.status).toBe(201);
    const peer = await client.post('/api/v1/tokens', { name: 'Deputy', role: 'manager', sites: [siteA.id] });
    expect(peer.status).toBe(201);
    // Nor can a token make a token with more than it has.
    const viaToken = await api.as({ bearer: peer.body.secret }).post('/api/v1/tokens', { name: 'y', role: 'manager', sites: [siteA.id, siteB.id] });
    expect(viaToken.body.code).toBe('grant_exceeds_own');
    expect((await api.post('/api/v1/tokens', { name: 'bad grant', role: 'staff', sites: [siteA.default_bin_id] })).body.code).toBe('grant_invalid');
  });

  it('is revoked when the person it acts for is disabled, demoted or loses a site it holds', async () => {
    const boss = await manager([siteA.id, siteB.id]);
    const both = (await boss.client.post('/api/v1/tokens', { name: 'Both sites', role: 'staff', sites: [siteA.id, siteB.id] })).body.secret;
    const atA = (await boss.client.post('/api/v1/tokens', { name: 'Site A', role: 'staff', sites: [siteA.id] })).body.secret;
    const asManager = (await boss.client.post('/api/v1/tokens', { name: 'Manager', role: 'manager', sites: [siteA.id] })).body.secret;
    const balancesAtB = () => api.as({ bearer: both }).get(`/api/v1/balances?location_id=${siteB.id}`);
    expect((await balancesAtB()).status).toBe(200);

    expect((await api.patch(`/api/v1/users/${boss.user.id}`, { sites: [siteA.id] })).status).toBe(200);
    const shrunk = await balancesAtB();
    expect(shrunk.status).toBe(401);
    expect(shrunk.body.detail).toMatch(/revoked/);
    expect((await api.as({ bearer: atA }).get(`/api/v1/balances?location_id=${siteA.id}`)).status).toBe(200);

    expect((await api.patch(`/api/v1/users/${boss.user.id}`, { role: 'staff' })).status).toBe(200);
    const demoted = await api.as({ bearer: asManager }).get('/api/v1/items');
    expect(demoted.status).toBe(401);
    expect(demoted.body.detail).toMatch(/revoked/);
    expect((await api.as({ bearer: atA }).get('/api/v1/items')).status).toBe(200);

    expect((await api.post(`/api/v1/users/${boss.user.id}/disable`)).status).toBe(200);
    expect((await api.as({ bearer: atA }).get('/api/v1/items')).status).toBe(401);
    // Enabled again, or given back the role and sites: what was revoked stays revoked.
    expect((await api.post(`/api/v1/users/${boss.user.id}/enable`)).status).toBe(200);
    expect((await api.patch(`/api/v1/users/${boss.user.id}`, { role: 'manager', sites: [siteA.id, siteB.id] })).status).toBe(200);
    for (const secret of [both, atA, asManager]) expect((await api.as({ bearer: secret }).get('/api/v1/items')).status).toBe(401);
  });

  it('lists for a manager only the tokens they made, and hides the others', async () => {
    const mine = await manager([siteA.id]);
    const theirs = await manager([siteA.id]);
    const made = (await mine.client.post('/api/v1/tokens', { name: 'Mine', role: 'viewer', sites: [siteA.id] })).body;
    const other = (await theirs.client.post('/api/v1/tokens', { name: 'Theirs', role: 'viewer', sites: [siteA.id] })).body;
    const listed = (await mine.client.get('/api/v1/tokens')).body.data.map((t: any) => t.id);
    expect(listed).toEqual([made.id]);
    expect((await mine.client.get(`/api/v1/tokens/${other.id}`)).status).toBe(404);
    expect((await mine.client.delete(`/api/v1/tokens/${other.id}`)).status).toBe(404);
    expect((await api.as({ bearer: other.secret }).get('/api/v1/items')).status).toBe(200);
    expect((await api.get(`/api/v1/tokens/${other.id}`)).status).toBe(200);
  });
});
