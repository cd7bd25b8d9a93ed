import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { purgeEndedSessions, SESSION_ABSOLUTE_MS, SESSION_COOKIE, SESSION_IDLE_MS } from '../../src/modules/access/index.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { makeUser, signIn, TEST_PASSWORD } from '../support/access.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

const hour = 60 * 60 * 1000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describeEachDatabase('sessions', (get) => {
  let api: TestApi;
  let siteA: any;
  let siteB: any;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const tag = Date.now() % 100000;
    siteA = (await api.post('/api/v1/locations', { kind: 'site', code: `SA${tag}`, name: 'A', site_type: 'store' })).body;
    siteB = (await api.post('/api/v1/locations', { kind: 'site', code: `SB${tag}`, name: 'B', site_type: 'store' })).body;
  });

  const whoAmI = (session: string) => api.as({ session }).get('/api/v1/session');

  it('signs in with a HttpOnly, SameSite=Lax cookie and answers who the user is, with a CSRF token', async () => {
    const { email, user } = await makeUser(api, 'staff', [siteA.id]);
    const response = await api.as(null).post('/api/v1/session', { email: email.toUpperCase(), password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/; Secure/);
    expect(response.body).toMatchObject({
      kind: 'session',
      user: { id: user.id, email, role: 'staff' },
      role: 'staff',
      sites: [siteA.id],
      csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(response.body.permissions).toContain('sales.write');
    expect(response.body.permissions).not.toContain('costs.read');
    const me = await whoAmI(response.cookies[SESSION_COOKIE]!);
    expect(me.status).toBe(200);
    expect(me.body.csrf_token).toBe(response.body.csrf_token);
  });

  it('marks the cookie Secure when the request came over HTTPS through a trusted proxy', async () => {
    const proxied = await buildTestApi(get().db, { trustProxy: true });
    try {
      const { email } = await makeUser(proxied, 'viewer', [siteA.id]);
      const response = await proxied.as(null).request('POST', '/api/v1/session', {
        body: { email, password: TEST_PASSWORD },
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(response.status).toBe(200);
      expect(String(response.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await proxied.app.close();
    }
  });

  it('keeps only a hash of the session id', async () => {
    const { email } = await makeUser(api, 'viewer', [siteA.id]);
    const { session } = await signIn(api, email, TEST_PASSWORD);
    const rows = await get().db.kysely.selectFrom('sessions').selectAll().execute();
    expect(rows.some((r) => r.secret_hash === sha256(session))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(session);
  });

  it('refuses a wrong password, an unknown email and a disabled user alike', async () => {
    const { email, user } = await makeUser(api, 'staff', [siteA.id]);
    const wrong = await api.as(null).post('/api/v1/session', { email, password: 'not-the-password-1' });
    const unknown = await api.as(null).post('/api/v1/session', { email: `nobody.${email}`, password: TEST_PASSWORD });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect((await api.post(`/api/v1/users/${user.id}/disable`)).status).toBe(200);
    const disabled = await api.as(null).post('/api/v1/session', { email, password: TEST_PASSWORD });
    expect(disabled.status).toBe(401);
    expect(disabled.body.code).toBe('invalid_credentials');
  });

  it('gives a new session id at every sign-in and ends the one the browser had', async () => {
    const { email } = await makeUser(api, 'staff', [siteA.id]);
    const first = await signIn(api, email, TEST_PASSWORD);
    const again = await api.as({ session: first.session }).request('POST', '/api/v1/session', { body: { email, password: TEST_PASSWORD } });
    expect(again.status).toBe(200);
    const second = again.cookies[SESSION_COOKIE]!;
    expect(second).not.toBe(first.session);
    expect(again.body.csrf_token).not.toBe(first.csrf);
    expect((await whoAmI(first.session)).status).toBe(401);
    expect((await whoAmI(second)).status).toBe(200);
  });

  it('expires after twelve idle hours, measured on the app clock', async () => {
    const { email } = await makeUser(api, 'staff', [siteA.id]);
    const { session } = await signIn(api, email, TEST_PASSWORD);
    api.clock.advance(SESSION_IDLE_MS - hour);
    expect((await whoAmI(session)).status).toBe(200);
    // Activity moved the idle deadline forward.
    api.clock.advance(SESSION_IDLE_MS - hour);
    expect((await whoAmI(session)).status).toBe(200);
    api.clock.advance(SESSION_IDLE_MS + 1);
    const expired = await whoAmI(session);
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ code: 'unauthenticated', detail: expect.stringMatching(/expired/) });
    // The stale cookie is cleared.
    expect(expired.cookies[SESSION_COOKIE]).toBe('');
  });

  it('expires seven days after sign-in however busy it is', async () => {
    const { email } = await makeUser(api, 'staff', [siteA.id]);
    const { session } = await signIn(api, email, TEST_PASSWORD);
    let elapsed = 0;
    while (elapsed + 10 * hour < SESSION_ABSOLUTE_MS) {
      api.clock.advance(10 * hour);
      elapsed += 10 * hour;
      expect((await whoAmI(session)).status).toBe(200);
    }
    api.clock.advance(SESSION_ABSOLUTE_MS - elapsed);
    expect((await whoAmI(session)).status).toBe(401);
  });

  it('ends at sign-out, and the cookie is cleared', async () => {
    const { email } = await makeUser(api, 'viewer', [siteA.id]);
    const { session, csrf } = await signIn(api, email, TEST_PASSWORD);
    const out = await api.as({ session, csrf }).delete('/api/v1/session');
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ signed_out: true });
    expect(out.cookies[SESSION_COOKIE]).toBe('');
    const after = await whoAmI(session);
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/ended/);
  });

  it('ends every session of a user whose password, role or sites change, but not for a new name', async () => {
    const { email, user } = await makeUser(api, 'staff', [siteA.id]);
    const renamed = await signIn(api, email, TEST_PASSWORD);
    expect((await api.patch(`/api/v1/users/${user.id}`, { name: 'New name' })).status).toBe(200);
    expect((await whoAmI(renamed.session)).status).toBe(200);

    expect((await api.patch(`/api/v1/users/${user.id}`, { role: 'viewer' })).status).toBe(200);
    expect((await whoAmI(renamed.session)).status).toBe(401);

    const regranted = await signIn(api, email, TEST_PASSWORD);
    expect(regranted.body.role).toBe('viewer');
    expect((await api.patch(`/api/v1/users/${user.id}`, { sites: [siteA.id, siteB.id] })).status).toBe(200);
    expect((await whoAmI(regranted.session)).status).toBe(401);

    const reset = await signIn(api, email, TEST_PASSWORD);
    expect(reset.body.sites).toEqual([siteA.id, siteB.id].sort());
    expect((await api.post(`/api/v1/users/${user.id}/password`, { password: 'fresh-orchard-ladder' })).status).toBe(200);
    expect((await whoAmI(reset.session)).status).toBe(401);
    expect((await api.as(null).post('/api/v1/session', { email, password: TEST_PASSWORD })).status).toBe(401);
    await signIn(api, email, 'fresh-orchard-ladder');
  });

  it('keeps sessions when a change leaves the sites as they were, in whatever order', async () => {
    const { email, user } = await makeUser(api, 'staff', [siteA.id, siteB.id]);
    const { session } = await signIn(api, email, TEST_PASSWORD);
    expect((await api.patch(`/api/v1/users/${user.id}`, { sites: [siteB.id, siteA.id, siteB.id] })).status).toBe(200);
    expect((await whoAmI(session)).status).toBe(200);
  });

  it('changes one’s own password after checking the current one, replacing every session', async () => {
    const { email } = await makeUser(api, 'staff', [siteA.id]);
    const elsewhere = await signIn(api, email, TEST_PASSWORD);
    const here = await signIn(api, email, TEST_PASSWORD);
    const client = api.as({ session: here.session, csrf: here.csrf });
    const wrong = await client.post('/api/v1/session/password', { current_password: 'not-it-at-all', new_password: 'garden-violin-ember' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('current_password_incorrect');
    const weak = await client.post('/api/v1/session/password', { current_password: TEST_PASSWORD, new_password: 'password2024!' });
    expect(weak.status).toBe(422);
    expect(weak.body).toMatchObject({ code: 'password_too_weak', errors: [{ field: 'body.new_password', code: 'common' }] });
    const changed = await client.post('/api/v1/session/password', { current_password: TEST_PASSWORD, new_password: 'garden-violin-ember' });
    expect(changed.status).toBe(200);
    const replacement = changed.cookies[SESSION_COOKIE]!;
    expect(replacement).toBeTruthy();
    expect((await whoAmI(here.session)).status).toBe(401);
    expect((await whoAmI(elsewhere.session)).status).toBe(401);
    expect((await whoAmI(replacement)).status).toBe(200);
    await signIn(api, email, 'garden-violin-ember');
  });

  it('forgets sessions a month after they ended, and keeps live ones', async () => {
    const { email } = await makeUser(api, 'viewer', [siteA.id]);
    const ended = await signIn(api, email, TEST_PASSWORD);
    await api.as({ session: ended.session, csrf: ended.csrf }).delete('/api/v1/session');
    api.clock.advance(31 * 24 * hour);
    const live = await signIn(api, email, TEST_PASSWORD);
    expect(await purgeEndedSessions(get().db, api.clock.now())).toBeGreaterThanOrEqual(1);
    const hashes = (await get().db.kysely.selectFrom('sessions').select('secret_hash').execute()).map((r) => r.secret_hash);
    expect(hashes).not.toContain(sha256(ended.session));
    expect(hashes).toContain(sha256(live.session));
    expect((await whoAmI(live.session)).status).toBe(200);
  });

  it('tells a token that it has no password to change', async () => {
    const response = await api.post('/api/v1/session/password', { current_password: 'whatever-it-is', new_password: 'garden-violin-ember' });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('session_required');
  });

  describe('cross-site request forgery', () => {
    it('refuses a cookie-authenticated write without the session’s CSRF token', async () => {
      const { email } = await makeUser(api, 'manager', [siteA.id]);
      const { session, csrf } = await signIn(api, email, TEST_PASSWORD);
      const body = { sku: `CSRF-${Date.now()}`, name: 'Forged' };
      const missing = await api.as({ session }).post('/api/v1/items', body);
      expect(missing.status).toBe(403);
      expect(missing.body.code).toBe('csrf_failed');
      const wrong = await api.as({ session, csrf: `${csrf.slice(0, -2)}xx` }).post('/api/v1/items', body);
      expect(wrong.body.code).toBe('csrf_failed');
      const otherSessions = await signIn(api, email, TEST_PASSWORD);
      // Another session's token does not fit this one.
      expect((await api.as({ session, csrf: otherSessions.csrf }).post('/api/v1/items', body)).body.code).toBe('csrf_failed');
      expect((await api.get(`/api/v1/items?q=${body.sku}`)).body.data).toEqual([]);
      const ok = await api.as({ session: otherSessions.session, csrf: otherSessions.csrf }).post('/api/v1/items', body);
      expect(ok.status).toBe(201);
    });

    it('lets cookie-authenticated reads through without the token', async () => {
      const { email } = await makeUser(api, 'viewer', [siteA.id]);
      const { session } = await signIn(api, email, TEST_PASSWORD);
      expect((await api.as({ session }).get('/api/v1/items')).status).toBe(200);
    });

    it('refuses a write sent from another origin even with the token', async () => {
      const { email } = await makeUser(api, 'manager', [siteA.id]);
      const { session, csrf } = await signIn(api, email, TEST_PASSWORD);
      const body = { sku: `ORIGIN-${Date.now()}`, name: 'Forged' };
      const foreign = await api.as({ session, csrf }).post('/api/v1/items', body, { origin: 'https://evil.example' });
      expect(foreign.status).toBe(403);
      expect(foreign.body.code).toBe('csrf_failed');
      const same = await api.as({ session, csrf }).post('/api/v1/items', body, { origin: 'http://shop.local:3000', host: 'shop.local:3000' });
      expect(same.status).toBe(201);
      const login = await api.as(null).request('POST', '/api/v1/session', { body: { email, password: TEST_PASSWORD }, headers: { origin: 'https://evil.example' } });
      expect(login.body.code).toBe('csrf_failed');
    });

    it('does not ask bearer-token requests for a CSRF token', async () => {
      const created = await api.post('/api/v1/items', { sku: `BEARER-${Date.now()}`, name: 'Fine' }, { origin: 'https://integration.example' });
      expect(created.status).toBe(201);
    });
  });
});

describe('first-run setup', () => {
  // Its own database: setup is open only while no user exists.
  describeEachDatabase('setup', (get) => {
    let api: TestApi;
    beforeAll(async () => {
      api = await buildTestApi(get().db);
    });

    it('is open until the first owner exists, then closed for good', async () => {
      expect((await api.as(null).get('/api/v1/setup')).body).toEqual({ open: true, signed_in: false });
      const weak = await api.as(null).post('/api/v1/setup', { email: 'owner@shop.test', name: 'Olive Owner', password: 'short' });
      expect(weak.status).toBe(422);
      expect(weak.body.code).toBe('password_too_weak');
      const done = await api.as(null).post('/api/v1/setup', { email: 'owner@shop.test', name: 'Olive Owner', password: 'harbour-lights-at-dusk' });
      expect(done.status).toBe(201);
      expect(done.body).toMatchObject({ kind: 'session', role: 'owner', sites: 'all', user: { email: 'owner@shop.test', role: 'owner', sites: 'all' } });
      const session = done.cookies[SESSION_COOKIE]!;
      expect((await api.as({ session }).get('/api/v1/session')).body.user.email).toBe('owner@shop.test');
      expect((await api.as(null).get('/api/v1/setup')).body).toEqual({ open: false, signed_in: false });
      // The web app asks here whether it is signed in, so the sign-in page never logs a 401 from GET /session.
      expect((await api.as({ session }).get('/api/v1/setup')).body).toEqual({ open: false, signed_in: true });
      const second = await api.as(null).post('/api/v1/setup', { email: 'intruder@shop.test', name: 'Intruder', password: 'harbour-lights-at-noon' });
      expect(second.status).toBe(409);
      expect(second.body.code).toBe('setup_closed');
      const events = await api.get('/api/v1/audit-events?route=/api/v1/setup');
      expect(events.body.data.map((e: any) => [e.status, e.actor?.label ?? null])).toEqual([
        [409, null],
        [201, 'owner@shop.test'],
        [422, null],
      ]);
    });
  });
});
