import path from 'node:path';
import { CLI_TEST_TIMEOUT_MS } from './support/cli-timeout.ts';
import { beforeAll, expect, it } from 'vitest';
import { systemActor } from '../src/platform/context.ts';
import { findUserByEmail, listTokens } from '../src/modules/access/index.ts';
import { loadDemoStore } from '../src/demo/demo-store.ts';
import { DEMO_TOKEN_NAME, DEMO_USERS, ensureDemoUsers, freshDemoToken } from '../src/demo/demo-users.ts';
import { describeEachDatabase } from './support/databases.ts';
import { makeUser, signIn } from './support/access.ts';
import { buildTestApi, type TestApi } from './support/http.ts';
import { dbUrlOf, stockroom } from './support/cli.ts';

describeEachDatabase('the demo users and the access commands', (get) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi(get().db);
    await loadDemoStore({ db: get().db, clock: api.clock, actor: systemActor });
  });

  it('creates one demo user per role once, each signing in with the printed password and sites', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const ctx = { db: get().db, clock: api.clock, actor: systemActor };
    expect(await ensureDemoUsers(ctx)).toBe('created');
    expect(await ensureDemoUsers(ctx)).toBe('present');
    const codesById = new Map<string, string>(
      (await api.get('/api/v1/locations')).body.data.map((site: any) => [site.id, site.code]),
    );
    for (const person of DEMO_USERS) {
      const { body } = await signIn(api, person.email, person.password);
      expect(body.role).toBe(person.role);
      expect(body.sites === 'all' ? 'all' : body.sites.map((id: string) => codesById.get(id)).sort()).toEqual(person.sites === 'all' ? 'all' : [...person.sites].sort());
    }
  });

  it('prints a fresh owner token at each demo start and revokes the one before', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const ctx = { db: get().db, clock: api.clock, actor: systemActor };
    const first = await freshDemoToken(ctx);
    const second = await freshDemoToken(ctx);
    expect((await api.as({ bearer: first }).get('/api/v1/items')).status).toBe(401);
    expect((await api.as({ bearer: second }).get('/api/v1/session')).body.role).toBe('owner');
    const open = (await listTokens(ctx, { includeRevoked: false, limit: 500 })).records.filter((t) => t.name === DEMO_TOKEN_NAME);
    expect(open).toHaveLength(1);
    // It acts for the demo owner, not for nobody.
    const owner = await findUserByEmail(get().db.kysely, DEMO_USERS[0]!.email);
    const row = await get().db.kysely.selectFrom('api_tokens').select('owner_user_id').where('id', '=', open[0]!.id).executeTakeFirstOrThrow();
    expect(row.owner_user_id).toBe(owner!.id);
  });

  it('adds a user from the command line, reading the password from standard input', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const email = `cli.${get().dialect}.${Date.now()}@shop.test`;
    const added = await stockroom(['user', 'add', '--email', email, '--role', 'staff', '--site', 'main', '--name', 'Cli Person', '--db', dbUrlOf(get())], 'violet-hammock-tide\n');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^Added staff .* covering 1 site/);
    const { body } = await signIn(api, email, 'violet-hammock-tide');
    expect(body.user).toMatchObject({ name: 'Cli Person', role: 'staff' });
    const weak = await stockroom(['user', 'add', '--email', `weak.${email}`, '--role', 'viewer', '--db', dbUrlOf(get())], 'short\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/at least 12 characters/);
    expect(await findUserByEmail(get().db.kysely, `weak.${email}`)).toBeUndefined();
  });

  it('makes a token from the command line and prints it once', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const made = await stockroom(['token', 'create', '--name', 'till sync', '--role', 'staff', '--site', 'MAIN', '--expires-in-days', '30', '--db', dbUrlOf(get())], '');
    expect(made.code).toBe(0);
    const secret = made.stdout.trim();
    expect(secret).toMatch(/^stk_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toMatch(/not shown again/);
    const me = await api.as({ bearer: secret }).get('/api/v1/session');
    expect(me.body).toMatchObject({ kind: 'token', role: 'staff', token: { name: 'till sync' } });
    expect(me.body.sites).toHaveLength(1);
  });

  it('prints no demo token or passwords once the shop has a real user, and the demo token dies with the demo owner', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const ctx = { db: get().db, clock: api.clock, actor: systemActor };
    const token = await freshDemoToken(ctx);
    // The tests above added people from the command line: this is somebody's shop now.
    expect(await ensureDemoUsers(ctx)).toBe('not_demo');
    const started = await stockroom(['demo', '--no-serve', '--db', dbUrlOf(get())], '');
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).not.toMatch(/STOCKROOM_TOKEN|stk_/);
    for (const person of DEMO_USERS) expect(started.stdout).not.toContain(person.password);

    const owner = await findUserByEmail(get().db.kysely, DEMO_USERS[0]!.email);
    expect((await api.as({ bearer: token }).get('/api/v1/session')).status).toBe(200);
    await makeUser(api, 'owner'); // the shop keeps an owner when the demo one is disabled
    expect((await api.post(`/api/v1/users/${owner!.id}/disable`)).status).toBe(200);
    expect((await api.as({ bearer: token }).get('/api/v1/session')).status).toBe(401);
  });
});
