import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE, SESSION_IDLE_MS } from '../../src/modules/access/index.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { makeToken, makeUser, signIn, TEST_PASSWORD } from '../support/access.ts';
import { buildTestApi, type ApiResponse, type TestApi } from '../support/http.ts';

/**
 * The HTTP glue of the access module (access.http.ts and the users, session, tokens and audit
 * routes), each behaviour in one short case so that a mutation run can afford it: how a
 * credential is read and refused, the permission, CSRF and location checks, what the audit
 * log is told, and what each route answers and refuses. The broader suites (users, tokens,
 * sessions, audit, access-matrix) cover the same routes from the product's side.
 */

const day = 24 * 60 * 60 * 1000;
const genericSignIn = 'Sign in, or send an API token as `Authorization: Bearer stk_…`.';

function expectProblem(response: ApiResponse, status: number, code: string, detail?: string | RegExp): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(response.body.code).toBe(code);
  if (typeof detail === 'string') expect(response.body.detail).toBe(detail);
  else if (detail) expect(response.body.detail).toMatch(detail);
}

describeEachDatabase('access HTTP glue', (get) => {
  let api: TestApi;
  let siteA: any;
  let siteB: any;
  let binA: any;
  // Made by the first migration; it has no site, so only its kind lets a site-limited caller read it.
  const virtual = { id: 'loc_scrap' };

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const tag = Date.now() % 100000;
    siteA = (await api.post('/api/v1/locations', { kind: 'site', code: `GA${tag}`, name: 'A', site_type: 'store' })).body;
    siteB = (await api.post('/api/v1/locations', { kind: 'site', code: `GB${tag}`, name: 'B', site_type: 'store' })).body;
    binA = (await api.post('/api/v1/locations', { kind: 'bin', parent_id: siteA.id, code: `GA${tag}-1`, name: 'A1' })).body;
  });

  /** The newest audit events about a record, newest first. */
  const eventsAbout = async (id: string) => (await api.get(`/api/v1/audit-events?target_id=${id}`)).body.data;
  const lastEventOf = async (actorId: string) => (await api.get(`/api/v1/audit-events?actor_id=${actorId}&limit=1`)).body.data[0];
  const session = (signed: { session: string; csrf: string }) => api.as({ session: signed.session, csrf: signed.csrf });
  /** A user's sessions, oldest first. */
  const sessionsOf = (userId: string) =>
    get().db.kysely.selectFrom('sessions').select(['id', 'revoked_at', 'revoked_reason']).where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();

  describe('credentials', () => {
    it('asks a caller without credentials to sign in, and sets no cookie', async () => {
      const response = await api.as(null).get('/api/v1/users');
      expectProblem(response, 401, 'unauthenticated', genericSignIn);
      expect(response.headers['set-cookie']).toBeUndefined();
    });

    it('explains a malformed Authorization header, and takes the scheme in any case', async () => {
      expectProblem(await api.as(null).get('/api/v1/session', { authorization: `Basic ${api.ownerToken}` }), 401, 'unauthenticated', 'The Authorization header must be `Bearer stk_…`.');
      expectProblem(await api.as(null).get('/api/v1/session', { authorization: `Bearer ${api.ownerToken} extra` }), 401, 'unauthenticated', /must be `Bearer/);
      expect((await api.as(null).get('/api/v1/session', { authorization: `bearer   ${api.ownerToken}` })).status).toBe(200);
    });

    it('says why a bearer token was refused: unknown, revoked or expired', async () => {
      expectProblem(await api.as({ bearer: 'stk_not_one_of_ours' }).get('/api/v1/session'), 401, 'unauthenticated', 'The bearer token is not one this server issued.');
      const revoked = await makeToken(api, 'staff', [siteA.id]);
      expect((await api.delete(`/api/v1/tokens/${revoked.id}`)).status).toBe(200);
      expectProblem(await api.as({ bearer: revoked.secret }).get('/api/v1/session'), 401, 'unauthenticated', 'The bearer token was revoked.');
      const expiring = await makeToken(api, 'staff', [siteA.id], { expiresAt: api.clock.now() + 1000 });
      api.clock.advance(2000);
      expectProblem(await api.as({ bearer: expiring.secret }).get('/api/v1/session'), 401, 'unauthenticated', 'The bearer token has expired.');
    });

    it('says why a session cookie was refused, and clears it', async () => {
      const unknown = await api.as({ session: 'no-such-session' }).get('/api/v1/session');
      expectProblem(unknown, 401, 'unauthenticated', 'The session is not known; sign in again.');
      expect(unknown.cookies[SESSION_COOKIE]).toBe('');

      const { email } = await makeUser(api, 'viewer', [siteA.id]);
      const ended = await signIn(api, email, TEST_PASSWORD);
      expect((await session(ended).delete('/api/v1/session')).body).toEqual({ signed_out: true });
      expectProblem(await api.as({ session: ended.session }).get('/api/v1/session'), 401, 'unauthenticated', 'The session was ended; sign in again.');

      const idle = await signIn(api, email, TEST_PASSWORD);
      api.clock.advance(SESSION_IDLE_MS + 1000);
      expectProblem(await api.as({ session: idle.session }).get('/api/v1/session'), 401, 'unauthenticated', 'The session has expired; sign in again.');
    });

    it('treats an empty session cookie as no credentials', async () => {
      const response = await api.as(null).get('/api/v1/session', { cookie: `${SESSION_COOKIE}=` });
      expectProblem(response, 401, 'unauthenticated', genericSignIn);
    });

    it('lets a bearer token win over a session cookie', async () => {
      const { email } = await makeUser(api, 'viewer', [siteA.id]);
      const signed = await signIn(api, email, TEST_PASSWORD);
      const staff = await makeToken(api, 'staff', [siteB.id], { name: 'wins' });
      const both = await api.as({ bearer: staff.secret }).get('/api/v1/session', { cookie: `${SESSION_COOKIE}=${signed.session}` });
      expect(both.body).toMatchObject({ kind: 'token', token: { id: staff.id, name: 'wins' }, role: 'staff', csrf_token: null });
      const bad = await api.as({ bearer: 'stk_unknown' }).get('/api/v1/session', { cookie: `${SESSION_COOKIE}=${signed.session}` });
      expectProblem(bad, 401, 'unauthenticated', 'The bearer token is not one this server issued.');
    });
  });

  describe('permissions, CSRF and sites', () => {
    it('refuses a role without the route’s permission, naming it', async () => {
      const staff = await makeToken(api, 'staff', [siteA.id]);
      const response = await api.as({ bearer: staff.secret }).get('/api/v1/users');
      expectProblem(response, 403, 'forbidden', 'The staff role does not include users.manage.');
      expect(response.body.permission).toBe('users.manage');
      expect((await api.as({ bearer: staff.secret }).get('/api/v1/permissions')).status).toBe(200);
    });

    it('asks a cookie write for the session’s CSRF token and our own origin; not a read, not a token', async () => {
      const { email } = await makeUser(api, 'manager', [siteA.id]);
      const signed = await signIn(api, email, TEST_PASSWORD);
      const body = { name: 'csrf', role: 'viewer', sites: [siteA.id] };
      const csrfDetail = /X-CSRF-Token header/;
      expectProblem(await api.as({ session: signed.session }).post('/api/v1/tokens', body), 403, 'csrf_failed', csrfDetail);
      expectProblem(await api.as({ session: signed.session, csrf: 'x'.repeat(43) }).post('/api/v1/tokens', body), 403, 'csrf_failed', csrfDetail);
      expectProblem(await session(signed).post('/api/v1/tokens', body, { origin: 'https://evil.example' }), 403, 'csrf_failed', 'Requests from https://evil.example are not accepted.');
      expectProblem(await session(signed).post('/api/v1/tokens', body, { origin: 'not a url' }), 403, 'csrf_failed', 'Requests from not a url are not accepted.');
      expect((await session(signed).post('/api/v1/tokens', body, { host: 'stock.example', origin: 'https://stock.example' })).status).toBe(201);
      expect((await session(signed).post('/api/v1/tokens', body)).status).toBe(201);
      expect((await api.as({ session: signed.session }).get('/api/v1/tokens', { origin: 'https://evil.example' })).status).toBe(200);
      expect((await api.post('/api/v1/tokens', body, { origin: 'https://evil.example' })).status).toBe(201);
    });

    it('refuses a public write from another origin', async () => {
      const response = await api.as(null).post('/api/v1/session', { email: 'nobody@example.test', password: 'whatever' }, { origin: 'https://evil.example' });
      expectProblem(response, 403, 'csrf_failed', 'Requests from https://evil.example are not accepted.');
    });

    it('refuses a location at a site not granted, wherever the route reads it', async () => {
      const atB = await makeToken(api, 'manager', [siteB.id]);
      const client = api.as({ bearer: atB.secret });
      const params = await client.get(`/api/v1/locations/${binA.id}`);
      expectProblem(params, 403, 'forbidden', `You have no grant for the site of ${binA.id}.`);
      expect(params.body.location_id).toBe(binA.id);
      expectProblem(await client.get(`/api/v1/locations?site_id=${siteA.id}`), 403, 'forbidden', `You have no grant for the site of ${siteA.id}.`);
      expectProblem(await client.post('/api/v1/locations', { kind: 'bin', parent_id: siteA.id, code: `NO${Date.now() % 100000}`, name: 'no' }), 403, 'forbidden');
      expect((await client.get(`/api/v1/locations/${siteB.id}`)).status).toBe(200);
      expect((await client.get(`/api/v1/locations?site_id=${siteB.id}`)).status).toBe(200);
      expect((await client.get(`/api/v1/locations/${virtual.id}`)).status).toBe(200);
      expectProblem(await client.get('/api/v1/locations/loc_NOPE'), 404, 'location_not_found');
    });

    it('remembers a location’s site, never a decision nor a location it did not find', async () => {
      const atB = api.as({ bearer: (await makeToken(api, 'manager', [siteB.id])).secret });
      // The owner's request makes the app remember bin A's site; a caller granted B alone is still refused.
      expect((await api.get(`/api/v1/locations/${binA.id}`)).status).toBe(200);
      expectProblem(await atB.get(`/api/v1/locations/${binA.id}`), 403, 'forbidden');
      // A location asked about before it exists is looked up again: here it appears at site A.
      const id = `loc_LATER${Date.now() % 100000}`;
      expectProblem(await atB.get(`/api/v1/locations/${id}`), 404, 'location_not_found');
      const bin = await get().db.kysely.selectFrom('locations').selectAll().where('id', '=', binA.id).executeTakeFirstOrThrow();
      await get().db.kysely.insertInto('locations').values({ ...bin, id, path: `${bin.path}${id}/`, code: `${bin.code}L`, full_code: `${bin.full_code}L`, full_code_key: `${bin.full_code_key}L` }).execute();
      expectProblem(await atB.get(`/api/v1/locations/${id}`), 403, 'forbidden');
    });

    it('files a change at the site of the location it named', async () => {
      const code = `AT${Date.now() % 100000}`;
      const made = await api.post('/api/v1/locations', { kind: 'bin', parent_id: siteA.id, code, name: 'filed' });
      expect(made.status).toBe(201);
      const [event] = await eventsAbout(made.body.id);
      expect(event).toMatchObject({ site_id: siteA.id, status: 201, outcome: 'success', route: '/api/v1/locations' });
    });
  });

  describe('the audit log’s hooks', () => {
    it('records a change with its credential, request and targets', async () => {
      const owner = await makeToken(api, 'owner', 'all');
      const key = `glue-${Date.now()}-${'k'.repeat(300)}`;
      const response = await api.as({ bearer: owner.secret }).request('POST', '/api/v1/tokens', {
        body: { name: 'audited', role: 'viewer', sites: [siteA.id] },
        headers: { 'user-agent': 'glue/1.0', 'idempotency-key': key.slice(0, 200), 'x-request-id': 'ignored' },
        remoteAddress: '192.0.2.9',
      });
      expect(response.status).toBe(201);
      const [event] = await eventsAbout(response.body.id);
      expect(event).toMatchObject({
        actor: { kind: 'token', id: owner.id },
        credential_id: owner.id,
        method: 'POST',
        route: '/api/v1/tokens',
        path: '/api/v1/tokens',
        status: 201,
        outcome: 'success',
        problem_code: null,
        targets: [{ type: 'token', id: response.body.id }],
        site_id: null,
        ip: '192.0.2.9',
        user_agent: 'glue/1.0',
        idempotency_key: key.slice(0, 200),
        note: null,
      });
      expect(event.request_id).toEqual(expect.any(String));
    });

    it('records refused and failed writes with their code and the ids in their path, and no reads', async () => {
      const viewer = await makeToken(api, 'viewer', [siteA.id]);
      const refused = await api.as({ bearer: viewer.secret }).request('DELETE', '/api/v1/tokens/tok_GLUE1?x=1');
      expect(refused.status).toBe(403);
      expect(await lastEventOf(viewer.id)).toMatchObject({
        status: 403,
        outcome: 'failure',
        problem_code: 'forbidden',
        route: '/api/v1/tokens/:id',
        path: '/api/v1/tokens/tok_GLUE1',
        targets: [{ type: 'token', id: 'tok_GLUE1' }],
        credential_id: viewer.id,
        idempotency_key: null,
      });
      const owner = await makeToken(api, 'owner', 'all');
      const client = api.as({ bearer: owner.secret });
      expect((await client.post('/api/v1/users/usr_GLUE2/disable')).status).toBe(404);
      expect(await lastEventOf(owner.id)).toMatchObject({ status: 404, problem_code: 'user_not_found', targets: [{ type: 'user', id: 'usr_GLUE2' }] });
      expect((await client.get('/api/v1/users/usr_GLUE3')).status).toBe(404);
      expect(await eventsAbout('usr_GLUE3')).toEqual([]);
      expect((await client.get('/api/v1/items/itm_GLUE4')).status).toBe(404);
      expect((await client.patch('/api/v1/items/itm_GLUE4', { name: 'x' })).status).toBe(404);
      expect((await eventsAbout('itm_GLUE4')).map((e: any) => e.targets)).toEqual([[{ type: 'item', id: 'itm_GLUE4' }]]);
    });

    it('records an unauthenticated write with no actor, and a replay as such', async () => {
      const anonymous = await api.as(null).request('DELETE', '/api/v1/tokens/tok_GLUE5');
      expect(anonymous.status).toBe(401);
      expect(await eventsAbout('tok_GLUE5')).toMatchObject([{ actor: null, credential_id: null, problem_code: 'unauthenticated' }]);

      const owner = await makeToken(api, 'owner', 'all');
      const client = api.as({ bearer: owner.secret });
      const key = `replay-${Date.now()}`;
      const first = await client.post('/api/v1/tokens', { name: 'once', role: 'viewer', sites: [siteA.id] }, { 'idempotency-key': key });
      const again = await client.post('/api/v1/tokens', { name: 'once', role: 'viewer', sites: [siteA.id] }, { 'idempotency-key': key });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect((await eventsAbout(first.body.id)).map((e: any) => e.note)).toEqual([null]);
      expect(await lastEventOf(owner.id)).toMatchObject({ status: 201, idempotency_key: key, note: 'replayed the stored response of an earlier request' });
    });
  });

  describe('users', () => {
    it('adds, reads, renames, disables, enables and lists users', async () => {
      const email = `glue.${Date.now()}@example.test`;
      const made = await api.post('/api/v1/users', { email, name: 'Glue', role: 'staff', sites: [siteA.id], password: TEST_PASSWORD });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ email, name: 'Glue', role: 'staff', sites: [siteA.id], status: 'active', last_login_at: null });
      expect(made.body).not.toHaveProperty('password_hash');
      expect((await eventsAbout(made.body.id))[0].targets).toEqual([{ type: 'user', id: made.body.id }]);
      const id = made.body.id;
      expect((await api.get(`/api/v1/users/${id}`)).body).toEqual(made.body);
      const renamed = await api.patch(`/api/v1/users/${id}`, { name: 'Glued' });
      expect(renamed.body).toMatchObject({ id, name: 'Glued' });
      expect((await eventsAbout(id))[0]).toMatchObject({ method: 'PATCH', targets: [{ type: 'user', id }] });
      expect((await api.post(`/api/v1/users/${id}/disable`)).body).toMatchObject({ id, status: 'disabled' });
      expect((await eventsAbout(id))[0]).toMatchObject({ route: '/api/v1/users/:id/disable', targets: [{ type: 'user', id }] });
      expect((await api.post(`/api/v1/users/${id}/enable`)).body).toMatchObject({ id, status: 'active' });
      expect((await eventsAbout(id))[0]).toMatchObject({ route: '/api/v1/users/:id/enable', targets: [{ type: 'user', id }] });
      const listed = await api.get(`/api/v1/users?q=${encodeURIComponent(email)}`);
      expect(listed.body).toEqual({ data: [{ ...made.body, name: 'Glued', updated_at: expect.any(String) }], next_cursor: null });
    });

    it('pages the user list with a cursor', async () => {
      await makeUser(api, 'viewer', [siteB.id], { name: 'Pager one' });
      await makeUser(api, 'viewer', [siteB.id], { name: 'Pager two' });
      const first = await api.get('/api/v1/users?limit=1&role=viewer');
      expect(first.body.data).toHaveLength(1);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      const second = await api.get(`/api/v1/users?limit=1&role=viewer&cursor=${first.body.next_cursor}`);
      expect(second.body.data).toHaveLength(1);
      expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
    });

    it('refuses a bad body, a weak password, a taken email and an empty change', async () => {
      expectProblem(await api.post('/api/v1/users', { email: 'not-an-email', name: 'x', role: 'staff', password: TEST_PASSWORD }), 400, 'validation_failed');
      const weak = await api.post('/api/v1/users', { email: `weak.${Date.now()}@example.test`, name: 'Weak', role: 'staff', password: 'short' });
      expectProblem(weak, 422, 'password_too_weak');
      const { email, user } = await makeUser(api, 'viewer', [siteA.id]);
      expectProblem(await api.post('/api/v1/users', { email, name: 'Twin', role: 'staff', password: TEST_PASSWORD }), 409, 'email_taken');
      expectProblem(await api.patch(`/api/v1/users/${user.id}`, {}), 400, 'validation_failed');
    });

    it('refuses a password that is the person’s own email, when added and when reset', async () => {
      const email = `personal.${Date.now()}@example.test`;
      const added = await api.post('/api/v1/users', { email, name: 'Personal', role: 'staff', password: email });
      expectProblem(added, 422, 'password_too_weak');
      expect(added.body.errors).toEqual([expect.objectContaining({ field: 'body.password', code: 'personal' })]);
      const { email: theirs, user } = await makeUser(api, 'viewer', [siteA.id]);
      const reset = await api.post(`/api/v1/users/${user.id}/password`, { password: theirs });
      expectProblem(reset, 422, 'password_too_weak');
      expect(reset.body.errors[0].code).toBe('personal');
    });

    it('validates its paths and query before the service sees them', async () => {
      // Another kind's id is malformed (400), not merely unknown (404).
      for (const path of ['/api/v1/users/tok_1', '/api/v1/users?limit=0']) expectProblem(await api.get(path), 400, 'validation_failed');
      for (const action of ['enable', 'disable']) expectProblem(await api.post(`/api/v1/users/tok_1/${action}`, {}), 400, 'validation_failed');
      expectProblem(await api.post('/api/v1/users/tok_1/password', { password: TEST_PASSWORD }), 400, 'validation_failed');
    });

    it('sets a new password: the old one stops working, the new one works', async () => {
      const { email, user } = await makeUser(api, 'viewer', [siteA.id]);
      const newPassword = 'quince-harbour-violin-77';
      const reset = await api.post(`/api/v1/users/${user.id}/password`, { password: newPassword });
      expect(reset.status).toBe(200);
      expect(reset.body).toMatchObject({ id: user.id, email });
      expect((await eventsAbout(user.id))[0]).toMatchObject({ route: '/api/v1/users/:id/password', targets: [{ type: 'user', id: user.id }] });
      expectProblem(await api.as(null).post('/api/v1/session', { email, password: TEST_PASSWORD }), 401, 'invalid_credentials');
      expect((await api.as(null).post('/api/v1/session', { email, password: newPassword })).status).toBe(200);
      expectProblem(await api.post(`/api/v1/users/${user.id}/password`, { password: 'short' }), 422, 'password_too_weak');
    });

    it('answers 404 for a user out of a manager’s reach, before any password is hashed', async () => {
      const { user } = await makeUser(api, 'viewer', [siteA.id]);
      const manager = api.as({ bearer: (await makeToken(api, 'manager', [siteB.id])).secret });
      expectProblem(await manager.get(`/api/v1/users/${user.id}`), 404, 'user_not_found');
      expectProblem(await manager.post(`/api/v1/users/${user.id}/password`, { password: 'short' }), 404, 'user_not_found');
    });
  });

  describe('tokens', () => {
    it('shows the secret once, and never again', async () => {
      const made = await api.post('/api/v1/tokens', { name: 'once', role: 'staff', sites: [siteA.id] });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ name: 'once', role: 'staff', sites: [siteA.id], status: 'active', expires_at: null, revoked_at: null });
      expect(made.body.secret).toMatch(/^stk_/);
      expect(made.body.secret.startsWith(made.body.secret_hint)).toBe(true);
      expect((await api.as({ bearer: made.body.secret }).get('/api/v1/session')).body).toMatchObject({ kind: 'token', token: { id: made.body.id } });
      const one = await api.get(`/api/v1/tokens/${made.body.id}`);
      const { secret: _secret, ...shown } = made.body;
      expect(one.body).toEqual({ ...shown, last_used_at: expect.any(String) });
      const listed = (await api.get('/api/v1/tokens?limit=200')).body.data.find((t: any) => t.id === made.body.id);
      expect(listed).toEqual(one.body);
      expectProblem(await api.get('/api/v1/tokens/tok_NOPE'), 404, 'token_not_found');
    });

    it('validates its path and query before the service sees them', async () => {
      // Another kind's id is malformed (400), not merely unknown (404).
      expectProblem(await api.get('/api/v1/tokens/usr_1'), 400, 'validation_failed');
      expectProblem(await api.delete('/api/v1/tokens/usr_1'), 400, 'validation_failed');
      expectProblem(await api.get('/api/v1/tokens?limit=0'), 400, 'validation_failed');
    });

    it('takes an expiry as an instant or in days, not both, and reports status on the app clock', async () => {
      const at = new Date(api.clock.now() + 3 * day).toISOString();
      const byInstant = await api.post('/api/v1/tokens', { name: 'instant', role: 'viewer', sites: [siteA.id], expires_at: at });
      expect(byInstant.body.expires_at).toBe(at);
      const byDays = await api.post('/api/v1/tokens', { name: 'days', role: 'viewer', sites: [siteA.id], expires_in_days: 2 });
      expect(Date.parse(byDays.body.expires_at) - Date.parse(byDays.body.created_at)).toBe(2 * day);
      expectProblem(await api.post('/api/v1/tokens', { name: 'both', role: 'viewer', expires_at: at, expires_in_days: 2 }), 400, 'validation_failed');
      api.clock.advance(2 * day + 1000);
      expect((await api.get(`/api/v1/tokens/${byDays.body.id}`)).body.status).toBe('expired');
      const listed = (await api.get('/api/v1/tokens?limit=200')).body.data;
      expect(listed.find((t: any) => t.id === byDays.body.id).status).toBe('expired');
      expect(listed.find((t: any) => t.id === byInstant.body.id).status).toBe('active');
    });

    it('revokes a token, lists it only when asked, and pages the list', async () => {
      const made = (await api.post('/api/v1/tokens', { name: 'doomed', role: 'viewer', sites: [siteA.id] })).body;
      const revoked = await api.delete(`/api/v1/tokens/${made.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: made.id, status: 'revoked', revoked_at: expect.any(String) });
      expect(revoked.body).not.toHaveProperty('secret');
      expect((await eventsAbout(made.id))[0]).toMatchObject({ method: 'DELETE', targets: [{ type: 'token', id: made.id }] });
      expect((await api.get('/api/v1/tokens?limit=200')).body.data.map((t: any) => t.id)).not.toContain(made.id);
      expect((await api.get('/api/v1/tokens?limit=200&include_revoked=true')).body.data.map((t: any) => t.id)).toContain(made.id);
      const first = await api.get('/api/v1/tokens?limit=1');
      expect(first.body.data).toHaveLength(1);
      const second = await api.get(`/api/v1/tokens?limit=1&cursor=${first.body.next_cursor}`);
      expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
      expectProblem(await api.post('/api/v1/tokens', { name: 'too much', role: 'owner', sites: 'all' }, { authorization: `Bearer ${(await makeToken(api, 'manager', [siteA.id])).secret}` }), 403, 'grant_exceeds_own');
    });
  });

  describe('the audit route', () => {
    it('filters by actor, target, route, method, outcome and time, and pages', async () => {
      const token = await makeToken(api, 'manager', [siteA.id]);
      const client = api.as({ bearer: token.secret });
      const from = new Date(api.clock.now() + 500).toISOString();
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        api.clock.advance(1000);
        ids.push((await client.post('/api/v1/tokens', { name: `f${i}`, role: 'viewer', sites: [siteA.id] })).body.id);
      }
      api.clock.advance(1000);
      await client.delete('/api/v1/tokens/tok_GLUE6');
      const query = (q: string) => api.get(`/api/v1/audit-events?actor_id=${token.id}${q}`).then((r) => r.body);
      expect((await query('')).data).toHaveLength(4);
      expect((await query(`&target_id=${ids[1]}`)).data.map((e: any) => e.targets[0].id)).toEqual([ids[1]]);
      expect((await query('&outcome=failure')).data.map((e: any) => e.status)).toEqual([404]);
      expect((await query('&outcome=success')).data).toHaveLength(3);
      expect((await query('&method=DELETE')).data).toHaveLength(1);
      expect((await query(`&route=${encodeURIComponent('/api/v1/tokens/:id')}`)).data).toHaveLength(1);
      const to = new Date(Date.parse(from) + 1500).toISOString();
      expect((await query(`&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).data.map((e: any) => e.targets[0].id)).toEqual([ids[0]]);
      const page = await query('&limit=3');
      expect(page.data).toHaveLength(3);
      const rest = await query(`&limit=3&cursor=${page.next_cursor}`);
      expect(rest).toEqual({ data: [expect.objectContaining({ targets: [{ type: 'token', id: ids[0] }] })], next_cursor: null });
    });
  });

  describe('sessions', () => {
    it('signs in with a cookie for the session’s lifetime, and records the attempt', async () => {
      const { email, user } = await makeUser(api, 'staff', [siteA.id]);
      const response = await api.as(null).request('POST', '/api/v1/session', { body: { email, password: TEST_PASSWORD }, headers: { 'user-agent': 'glue-browser' } });
      expect(response.status).toBe(200);
      const cookie = String(response.headers['set-cookie']);
      expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[^;]+; Max-Age=${SESSION_ABSOLUTE_MS / 1000}; Path=/; HttpOnly; SameSite=Lax$`));
      expect(response.body).toMatchObject({ kind: 'session', user: { id: user.id, email, last_login_at: expect.any(String) }, token: null, role: 'staff', sites: [siteA.id] });
      expect(response.body.csrf_token).toEqual(expect.any(String));
      const [event] = await eventsAbout(user.id);
      expect(event).toMatchObject({ route: '/api/v1/session', status: 200, note: `sign-in as ${email}`, targets: [{ type: 'user', id: user.id }], user_agent: 'glue-browser' });
      expect(event.actor).toMatchObject({ kind: 'user', id: user.id });
      const me = await api.as({ session: response.cookies[SESSION_COOKIE]! }).get('/api/v1/session');
      expect(me.body).toMatchObject({ kind: 'session', user: { id: user.id }, csrf_token: response.body.csrf_token });
    });

    it('refuses a wrong password, an unknown email and a disabled user alike, noting the attempt', async () => {
      const { email, user } = await makeUser(api, 'staff', [siteA.id]);
      expectProblem(await api.as(null).post('/api/v1/session', { email, password: 'wrong-password-123' }), 401, 'invalid_credentials', 'The email or password is wrong.');
      expect((await eventsAbout(user.id))[0]).toMatchObject({ status: 401, problem_code: 'invalid_credentials', note: `sign-in as ${email}`, actor: null, targets: [{ type: 'user', id: user.id }] });
      const stranger = `nobody.${Date.now()}@example.test`;
      expectProblem(await api.as(null).post('/api/v1/session', { email: stranger, password: TEST_PASSWORD }), 401, 'invalid_credentials');
      const [unknown] = (await api.get(`/api/v1/audit-events?route=${encodeURIComponent('/api/v1/session')}&outcome=failure&limit=1`)).body.data;
      expect(unknown).toMatchObject({ note: `sign-in as ${stranger}`, targets: [] });
      await api.post(`/api/v1/users/${user.id}/disable`);
      expectProblem(await api.as(null).post('/api/v1/session', { email, password: TEST_PASSWORD }), 401, 'invalid_credentials');
    });

    it('slows repeated wrong passwords with 429 and the wait, before checking the password', async () => {
      const { email, user } = await makeUser(api, 'viewer', [siteA.id]);
      const address = '198.51.100.23';
      const attempt = () => api.as(null).request('POST', '/api/v1/session', { body: { email, password: 'wrong-password-123' }, remoteAddress: address });
      // Five attempts are free; the sixth is checked and starts the delay.
      for (let i = 0; i < 6; i += 1) expect((await attempt()).status).toBe(401);
      const held = await api.as(null).request('POST', '/api/v1/session', { body: { email, password: TEST_PASSWORD }, remoteAddress: address });
      expectProblem(held, 429, 'rate_limited', 'Too many sign-in attempts for this account from this address; try again in 1 s.');
      expect(held.body.retry_after_s).toBe(1);
      expect(held.headers['retry-after']).toBe('1');
      expect((await eventsAbout(user.id))[0].note).toBe(`sign-in as ${email}; throttled (account_address) for 1 s`);
      // Once the second has passed, the eighth attempt (the held one counted too) is checked and sets a 4 s wait.
      api.clock.advance(1_100);
      expect((await attempt()).status).toBe(401);
      const longer = await attempt();
      expectProblem(longer, 429, 'rate_limited', 'Too many sign-in attempts for this account from this address; try again in 4 s.');
      expect(longer.headers['retry-after']).toBe('4');
    });

    it('lets a person in from an address she signed in from before while her account is slowed elsewhere', async () => {
      const { email } = await makeUser(api, 'viewer', [siteA.id]);
      const home = '203.0.113.44';
      const signInFrom = (remoteAddress: string, password: string) => api.as(null).request('POST', '/api/v1/session', { body: { email, password }, remoteAddress });
      expect((await signInFrom(home, TEST_PASSWORD)).status).toBe(200);
      // Twenty wrong passwords are free to the account; the 21st is checked and starts its delay.
      for (let i = 1; i <= 21; i += 1) expect((await signInFrom(`198.51.101.${i}`, 'wrong-password-123')).status).toBe(401);
      expectProblem(await signInFrom('198.51.101.99', TEST_PASSWORD), 429, 'rate_limited', /for this account;/);
      expect((await signInFrom(home, TEST_PASSWORD)).status).toBe(200);
    });

    it('notes a throttled password change as such', async () => {
      const { email, user } = await makeUser(api, 'viewer', [siteA.id]);
      const signed = await signIn(api, email, TEST_PASSWORD);
      const change = () => session(signed).post('/api/v1/session/password', { current_password: 'not-it-at-all-9', new_password: 'walnut-meadow-cobalt-31' });
      for (let i = 0; i < 6; i += 1) expect((await change()).status).toBe(422);
      expectProblem(await change(), 429, 'rate_limited');
      expect((await lastEventOf(user.id)).note).toBe('password check; throttled (account_address) for 1 s');
    });

    it('signs in a client that sends no user agent', async () => {
      const { email, user } = await makeUser(api, 'viewer', [siteA.id]);
      const body = JSON.stringify({ email, password: TEST_PASSWORD });
      const served = await buildTestApi(get().db);
      await served.app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const { port } = served.app.server.address() as AddressInfo;
        // Node's own client adds no User-Agent header; the test injector always does.
        const status = await new Promise<number>((resolve, reject) => {
          const sent = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/session', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          sent.on('error', reject);
          sent.end(body);
        });
        expect(status).toBe(200);
        expect((await sessionsOf(user.id)).length).toBe(1);
        expect((await get().db.kysely.selectFrom('sessions').select('user_agent').where('user_id', '=', user.id).executeTakeFirstOrThrow()).user_agent).toBeNull();
      } finally {
        await served.app.close();
      }
    });

    it('gives a new session at sign-in and ends the one the browser had', async () => {
      const { email, user } = await makeUser(api, 'viewer', [siteA.id]);
      const first = await signIn(api, email, TEST_PASSWORD);
      const again = await api.as({ session: first.session }).post('/api/v1/session', { email, password: TEST_PASSWORD });
      expect(again.status).toBe(200);
      expect(again.cookies[SESSION_COOKIE]).not.toBe(first.session);
      expectProblem(await api.as({ session: first.session }).get('/api/v1/session'), 401, 'unauthenticated', 'The session was ended; sign in again.');
      expect((await api.as({ session: again.cookies[SESSION_COOKIE]! }).get('/api/v1/session')).status).toBe(200);
      const rows = await sessionsOf(user.id);
      expect(rows.map((row) => row.revoked_reason)).toEqual(['signed_in_again', null]);
      // The audit log names the session the sign-in made, not the one the browser came with.
      expect((await eventsAbout(user.id))[0]).toMatchObject({ route: '/api/v1/session', status: 200, credential_id: rows[1]!.id });
    });

    it('keeps the browser’s user agent on the session, cut to 300 characters', async () => {
      const agentOf = async (agent: string) => {
        const { email, user } = await makeUser(api, 'viewer', [siteA.id]);
        expect((await api.as(null).post('/api/v1/session', { email, password: TEST_PASSWORD }, { 'user-agent': agent })).status).toBe(200);
        return (await get().db.kysely.selectFrom('sessions').select('user_agent').where('user_id', '=', user.id).executeTakeFirstOrThrow()).user_agent;
      };
      expect(await agentOf('Till 7 (Firefox)')).toBe('Till 7 (Firefox)');
      expect(await agentOf('x'.repeat(400))).toBe('x'.repeat(300));
    });

    it('signs out a session, clearing its cookie, and leaves a token signed in', async () => {
      const { email } = await makeUser(api, 'viewer', [siteA.id]);
      const signed = await signIn(api, email, TEST_PASSWORD);
      const out = await session(signed).delete('/api/v1/session');
      expect(out.body).toEqual({ signed_out: true });
      expect(out.cookies[SESSION_COOKIE]).toBe('');
      const [event] = (await api.get(`/api/v1/audit-events?route=${encodeURIComponent('/api/v1/session')}&method=DELETE&limit=1`)).body.data;
      expect(event.targets).toEqual([{ type: 'session', id: event.credential_id }]);
      expect((await get().db.kysely.selectFrom('sessions').select('revoked_reason').where('id', '=', event.credential_id).executeTakeFirstOrThrow()).revoked_reason).toBe('signed_out');
      const token = await makeToken(api, 'viewer', [siteA.id]);
      const tokenOut = await api.as({ bearer: token.secret }).delete('/api/v1/session');
      expect(tokenOut.body).toEqual({ signed_out: false });
      expect(tokenOut.headers['set-cookie']).toBeUndefined();
      expect((await lastEventOf(token.id)).targets).toEqual([]);
      expect((await api.as({ bearer: token.secret }).get('/api/v1/session')).status).toBe(200);
    });

    it('changes one’s own password: checks the current one, replaces the session', async () => {
      const { email, user } = await makeUser(api, 'viewer', [siteA.id]);
      const signed = await signIn(api, email, TEST_PASSWORD);
      const wrong = await session(signed).post('/api/v1/session/password', { current_password: 'not-it-at-all-9', new_password: 'walnut-meadow-cobalt-31' });
      expectProblem(wrong, 422, 'current_password_incorrect', 'The current password is wrong.');
      expect(wrong.body.errors).toEqual([{ field: 'body.current_password', code: 'incorrect', message: 'is not your current password' }]);
      const weak = await session(signed).post('/api/v1/session/password', { current_password: TEST_PASSWORD, new_password: 'short' });
      expectProblem(weak, 422, 'password_too_weak');
      expect(weak.body.errors[0].field).toBe('body.new_password');
      const own = await session(signed).post('/api/v1/session/password', { current_password: TEST_PASSWORD, new_password: email });
      expect(own.body.errors[0]).toMatchObject({ field: 'body.new_password', code: 'personal' });
      const changed = await session(signed).post('/api/v1/session/password', { current_password: TEST_PASSWORD, new_password: 'walnut-meadow-cobalt-31' });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ kind: 'session', user: { id: user.id } });
      expect(changed.body.csrf_token).not.toBe(signed.csrf);
      const fresh = changed.cookies[SESSION_COOKIE]!;
      expect(fresh).not.toBe(signed.session);
      expectProblem(await api.as({ session: signed.session }).get('/api/v1/session'), 401, 'unauthenticated');
      expect((await api.as({ session: fresh }).get('/api/v1/session')).body.user.id).toBe(user.id);
      const live = (await sessionsOf(user.id)).filter((row) => row.revoked_at === null);
      expect(live).toHaveLength(1);
      expect((await eventsAbout(user.id))[0]).toMatchObject({ route: '/api/v1/session/password', status: 200, targets: [{ type: 'user', id: user.id }], credential_id: live[0]!.id });
      expect((await api.as(null).post('/api/v1/session', { email, password: 'walnut-meadow-cobalt-31' })).status).toBe(200);
    });

    it('validates the sign-in and password bodies before anything is checked', async () => {
      const { email } = await makeUser(api, 'viewer', [siteA.id]);
      const badSignIn = await api.as(null).post('/api/v1/session', { email, password: 12345678 });
      expectProblem(badSignIn, 400, 'validation_failed');
      expect(badSignIn.body.errors[0].field).toBe('body.password');
      const token = await makeToken(api, 'viewer', [siteA.id]);
      const badChange = await api.as({ bearer: token.secret }).post('/api/v1/session/password', { current_password: 'x' });
      expectProblem(badChange, 400, 'validation_failed');
      expect(badChange.body.errors[0].field).toBe('body.new_password');
    });

    it('tells a token it has no password to change', async () => {
      const token = await makeToken(api, 'viewer', [siteA.id]);
      const response = await api.as({ bearer: token.secret }).post('/api/v1/session/password', { current_password: 'x', new_password: 'walnut-meadow-cobalt-31' });
      expectProblem(response, 422, 'session_required', 'Only a signed-in person has a password to change; tokens have none.');
    });

    it('answers who a token is, and lists the permission catalogue', async () => {
      const token = await makeToken(api, 'manager', [siteB.id, siteA.id], { name: 'who' });
      const me = await api.as({ bearer: token.secret }).get('/api/v1/session');
      expect(me.body).toEqual({
        kind: 'token',
        user: null,
        token: { id: token.id, name: 'who' },
        role: 'manager',
        sites: [siteA.id, siteB.id].sort(),
        permissions: expect.arrayContaining(['users.manage', 'tokens.manage']),
        csrf_token: null,
        expires_at: null,
        idle_expires_at: null,
      });
      const catalogue = (await api.as({ bearer: token.secret }).get('/api/v1/permissions')).body;
      expect(catalogue.permissions).toContainEqual({ name: 'users.manage', description: expect.any(String) });
      expect(catalogue.roles.map((r: any) => r.role)).toEqual(['owner', 'manager', 'staff', 'viewer']);
      const staff = catalogue.roles.find((r: any) => r.role === 'staff');
      expect(staff.permissions).toContain('sales.write');
      expect(staff.permissions).not.toContain('users.manage');
      expect(staff.description).toEqual(expect.any(String));
    });
  });
});

describeEachDatabase('access HTTP glue, edges', (get) => {
  let api: TestApi;
  let siteA: any;
  let binA: any;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const tag = Date.now() % 100000;
    siteA = (await api.post('/api/v1/locations', { kind: 'site', code: `EA${tag}`, name: 'A', site_type: 'store' })).body;
    binA = (await api.post('/api/v1/locations', { kind: 'bin', parent_id: siteA.id, code: `EA${tag}-1`, name: 'A1' })).body;
  });

  const lastEventOf = async (actorId: string) => (await api.get(`/api/v1/audit-events?actor_id=${actorId}&limit=1`)).body.data[0];

  it('answers 404 for an unknown path, lets a public read come from anywhere, and notes only replays', async () => {
    expect((await api.get('/api/v1/no-such-route')).status).toBe(404);
    expect((await api.as(null).get('/api/v1/setup', { origin: 'https://elsewhere.example' })).status).toBe(200);
    const token = await makeToken(api, 'viewer', [siteA.id]);
    expect((await api.as({ bearer: token.secret }).post('/api/v1/users/usr_GLUE8/disable')).status).toBe(403);
    expect((await lastEventOf(token.id)).note).toBeNull();
  });

  it('takes the Bearer scheme only at the start of the header', async () => {
    expectProblem(await api.as(null).get('/api/v1/session', { authorization: `Basic Bearer ${api.ownerToken}` }), 401, 'unauthenticated', /must be `Bearer/);
  });

  it('clears the cookie with the attributes it was set with', async () => {
    const { email } = await makeUser(api, 'viewer', [siteA.id]);
    const signed = await signIn(api, email, TEST_PASSWORD);
    const out = await api.as({ session: signed.session, csrf: signed.csrf }).delete('/api/v1/session');
    expect(String(out.headers['set-cookie'])).toMatch(new RegExp(`^${SESSION_COOKIE}=; Max-Age=0; Path=/; Expires=[^;]+; HttpOnly; SameSite=Lax$`));
  });

  it('records a refused write’s path ids only when they are ids, by their kind, and its validation code', async () => {
    const token = await makeToken(api, 'owner', 'all');
    const client = api.as({ bearer: token.secret });
    expectProblem(await client.post('/api/v1/users/not-an-id/disable'), 400, 'validation_failed');
    expect(await lastEventOf(token.id)).toMatchObject({ status: 400, problem_code: 'validation_failed', targets: [] });
    expect((await client.delete('/api/v1/vendors/ven_GLUE7')).status).toBe(404);
    expect((await lastEventOf(token.id)).targets).toEqual([{ type: 'record', id: 'ven_GLUE7' }]);
  });

  it('keeps at most 255 characters of an idempotency key in the log', async () => {
    const token = await makeToken(api, 'owner', 'all');
    const key = 'k'.repeat(300);
    expectProblem(await api.as({ bearer: token.secret }).post('/api/v1/tokens', { name: 'long key', role: 'viewer' }, { 'idempotency-key': key }), 400, 'idempotency_key_invalid');
    expect((await lastEventOf(token.id)).idempotency_key).toBe(key.slice(0, 255));
  });

  it('files a change that names no location at the one site its stock moved at', async () => {
    const item = (await api.post('/api/v1/items', { sku: `GLUE-${Date.now()}`, name: 'Filed' })).body;
    const adjustment = (await api.post('/api/v1/adjustments', { location_id: binA.id, reason: 'found', lines: [{ item_id: item.id, qty: 2 }] })).body;
    const reversed = await api.post(`/api/v1/adjustments/${adjustment.id}/reverse`, { note: 'glue' });
    expect(reversed.status).toBe(201);
    const [event] = (await api.get(`/api/v1/audit-events?target_id=${reversed.body.id}`)).body.data;
    expect(event).toMatchObject({ route: '/api/v1/adjustments/:id/reverse', site_id: siteA.id });
  });

  it('marks the cookie Secure, set and cleared, behind a trusted proxy on HTTPS', async () => {
    const proxied = await buildTestApi(get().db, { trustProxy: true });
    try {
      const { email } = await makeUser(proxied, 'viewer', [siteA.id]);
      const https = { 'x-forwarded-proto': 'https' };
      const signed = await proxied.as(null).request('POST', '/api/v1/session', { body: { email, password: TEST_PASSWORD }, headers: https });
      expect(String(signed.headers['set-cookie'])).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
      const session = signed.cookies[SESSION_COOKIE]!;
      const out = await proxied.as({ session, csrf: signed.body.csrf_token }).request('DELETE', '/api/v1/session', { headers: https });
      expect(String(out.headers['set-cookie'])).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
    } finally {
      await proxied.app.close();
    }
  });

  it('counts requests against each credential’s own principal for the rate limit', async () => {
    const limited = await buildTestApi(get().db, { rateLimit: { perMinute: 2 } });
    try {
      const first = await makeToken(limited, 'viewer', [siteA.id]);
      const second = await makeToken(limited, 'viewer', [siteA.id]);
      const one = await makeUser(limited, 'viewer', [siteA.id]);
      const two = await makeUser(limited, 'viewer', [siteA.id]);
      const sessions = [await signIn(limited, one.email, TEST_PASSWORD), await signIn(limited, two.email, TEST_PASSWORD)];
      const statuses = async (client: ReturnType<TestApi['as']>) => [(await client.get('/api/v1/session')).status, (await client.get('/api/v1/session')).status, (await client.get('/api/v1/session')).status];
      expect(await statuses(limited.as({ bearer: first.secret }))).toEqual([200, 200, 429]);
      expect(await statuses(limited.as({ bearer: second.secret }))).toEqual([200, 200, 429]);
      expect(await statuses(limited.as({ session: sessions[0]!.session }))).toEqual([200, 200, 429]);
      expect(await statuses(limited.as({ session: sessions[1]!.session }))).toEqual([200, 200, 429]);
    } finally {
      await limited.app.close();
    }
  });
});

describeEachDatabase('route declarations', (get) => {
  // Built inside the test, not in beforeAll, so that the checks made as routes register count as its own.
  const build = (extraRoutes: NonNullable<Parameters<typeof buildTestApi>[1]>['extraRoutes']) => buildTestApi(get().db, { extraRoutes });

  it('refuses a route without access, with an unknown permission, or public without a reason', async () => {
    await expect(build((r) => r.get('/api/v1/glue-none', { handler: async () => ({}) }))).rejects.toThrow('route GET /api/v1/glue-none declares no access (config.access)');
    await expect(build((r) => r.get('/api/v1/glue-typo', { config: { access: { permission: 'user.manage' } } as never, handler: async () => ({}) }))).rejects.toThrow(
      'route GET /api/v1/glue-typo names an unknown permission "user.manage"',
    );
    await expect(build((r) => r.get('/api/v1/glue-why', { config: { access: { public: true, reason: '' } } as never, handler: async () => ({}) }))).rejects.toThrow(
      'public route GET /api/v1/glue-why must say why it is public',
    );
  });

  it('keeps every route’s access, makes the API browser public, and says in the API description what each route needs', async () => {
    const api = await build((r) => r.post('/api/v1/glue-open', { config: { access: { public: true, reason: 'a test' } } as never, handler: async () => ({ ok: true }) }));
    try {
      const routes = api.app.accessRoutes;
      expect(routes).toContainEqual({ method: 'GET', url: '/api/v1/users', access: { permission: 'users.manage' } });
      expect(routes).toContainEqual({ method: 'HEAD', url: '/api/v1/users', access: { permission: 'users.manage' } });
      expect(routes).toContainEqual({ method: 'POST', url: '/api/v1/glue-open', access: { public: true, reason: 'a test' } });
      const docs = routes.filter((r) => r.url.startsWith('/api/docs'));
      expect(docs.length).toBeGreaterThan(0);
      for (const route of docs) expect(route.access).toEqual({ public: true, reason: 'the API browser and its assets, which show the public API description' });
      expect((await api.as(null).post('/api/v1/glue-open', {})).body).toEqual({ ok: true });

      const paths = (await api.as(null).get('/api/openapi.json')).body.paths;
      expect(paths['/api/v1/users'].get.description).toBe('Needs the `users.manage` permission.');
      expect(paths['/api/v1/users'].post.description).toBe(
        'Nobody grants a role or a site they do not hold; managers add staff and viewers of their own sites.\n\nNeeds the `users.manage` permission.',
      );
      expect(paths['/api/v1/locations/{id}'].get.description).toBe('Needs the `locations.read` permission, at the site of `id` when given.');
      expect(paths['/api/v1/setup'].post.security).toEqual([]);
      expect(paths['/api/v1/setup'].post.description).toBeUndefined();
      expect(paths['/api/v1/users'].get.security).toBeUndefined();
    } finally {
      await api.app.close();
    }
  });
});

describe('first-run setup', () => {
  describeEachDatabase('setup', (get) => {
    let api: TestApi;
    beforeAll(async () => {
      api = await buildTestApi(get().db);
    });

    it('is open until the first owner exists, signs them in, then closes', async () => {
      expect((await api.as(null).get('/api/v1/setup')).body).toEqual({ open: true, signed_in: false });
      expect((await api.get('/api/v1/setup')).body).toEqual({ open: true, signed_in: true });
      expectProblem(await api.as(null).post('/api/v1/setup', { email: 'first@example.test', name: 'First', password: 'short' }), 422, 'password_too_weak');
      const personal = await api.as(null).post('/api/v1/setup', { email: 'first@example.test', name: 'First', password: 'first@example.test' });
      expect(personal.body.errors[0].code).toBe('personal');
      const malformed = await api.as(null).post('/api/v1/setup', { email: 'first@example.test', name: 'First' });
      expectProblem(malformed, 400, 'validation_failed');
      expect(malformed.body.errors[0].field).toBe('body.password');
      expect((await api.as(null).get('/api/v1/setup')).body.open).toBe(true);
      const before = api.clock.now();
      const made = await api.as(null).post('/api/v1/setup', { email: 'first@example.test', name: 'First', password: TEST_PASSWORD });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ kind: 'session', role: 'owner', sites: 'all', user: { email: 'first@example.test', role: 'owner', name: 'First', sites: 'all' } });
      expect(made.body.user.id).toMatch(/^usr_/);
      const cookie = made.cookies[SESSION_COOKIE]!;
      const completed = await get().db.kysely.selectFrom('settings').select('value').where('key', '=', 'access.setup_completed_at').executeTakeFirstOrThrow();
      expect(Date.parse(String(completed.value))).toBeGreaterThanOrEqual(before);
      expect(Date.parse(String(completed.value))).toBeLessThanOrEqual(api.clock.now());
      const [ownerSession] = await get().db.kysely.selectFrom('sessions').select('id').where('user_id', '=', made.body.user.id).execute();
      const me = await api.as({ session: cookie }).get('/api/v1/session');
      expect(me.body).toMatchObject({ kind: 'session', user: { id: made.body.user.id }, csrf_token: made.body.csrf_token });
      expect((await api.get(`/api/v1/audit-events?target_id=${made.body.user.id}`)).body.data[0]).toMatchObject({
        route: '/api/v1/setup',
        status: 201,
        actor: { kind: 'user', id: made.body.user.id },
        credential_id: ownerSession!.id,
        targets: [{ type: 'user', id: made.body.user.id }],
      });
      expect((await api.as(null).get('/api/v1/setup')).body).toEqual({ open: false, signed_in: false });
      const closed = await api.as(null).post('/api/v1/setup', { email: 'second@example.test', name: 'Second', password: TEST_PASSWORD });
      expectProblem(closed, 409, 'setup_closed', 'Setup is done: a user already exists. Sign in instead.');
    });
  });
});
