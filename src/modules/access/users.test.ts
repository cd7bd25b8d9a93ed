import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { createLocation } from '../locations/index.ts';
import type { Actor, ServiceContext } from '../../platform/context.ts';
import { transact } from '../../platform/db/transaction.ts';
import type { PasswordHash } from './passwords.ts';
import { authenticateSession, createSession, userActor } from './sessions.service.ts';
import { gateSignIn } from './throttle.service.ts';
import { authenticateToken, createToken } from './tokens.service.ts';
import { changeOwnPassword, countUsers, createUser, findUserByEmail, getUser, listUsers, recordSignIn, resetUserPassword, setUserStatus, updateUser, type UserRecord } from './users.service.ts';

/**
 * Users at service level: who may add, see and change whom, and what a change of role, sites,
 * status or password does to the person's sessions and tokens. test/http/users.test.ts checks the
 * same through the API; these run in a second, for mutation testing.
 */
describeEachDatabase('users', (get) => {
  const hash = (s = 'h') => s as PasswordHash;
  let system: ReturnType<typeof serviceContext>;
  let siteA: string;
  let siteB: string;
  let n = 0;

  beforeAll(async () => {
    system = serviceContext(get().db);
    siteA = (await createLocation(system, { kind: 'site', code: `UA${process.pid % 1000}`, name: 'A', site_type: 'store' })).id;
    siteB = (await createLocation(system, { kind: 'site', code: `UB${process.pid % 1000}`, name: 'B', site_type: 'store' })).id;
  });

  const as = (user: UserRecord): ServiceContext => ({ ...system, actor: userActor({ id: user.id, email: user.email, role: user.role, all_sites: user.sites === 'all' ? 1 : 0 }, user.sites === 'all' ? [] : user.sites) });
  const add = (ctx: ServiceContext, role: Actor['role'], sites: 'all' | string[], name = `User ${(n += 1)}`) =>
    createUser(ctx, { email: ` ${name.replace(' ', '.')}-${Math.random().toString(36).slice(2, 7)}@Example.com `, name, role, sites, passwordHash: hash() });
  const session = async (userId: string) => (await transact(system.db, (trx) => createSession(trx, { userId, now: system.clock.now(), ip: null, userAgent: null }))).secret;

  it('adds a user with a trimmed email, sorted sites, and the system as nobody; an owner has every site; an email is taken once', async () => {
    const before = await countUsers(system.db.kysely);
    const user = await add(system, 'manager', [siteB, siteA, siteB]);
    expect(user).toMatchObject({ role: 'manager', sites: [siteA, siteB].sort(), status: 'active', created_by_id: null, last_login_at: null, password_changed_at: system.clock.now() });
    expect(user.email).toBe(user.email.trim());
    expect(user.id).toMatch(/^usr_/);
    expect(await countUsers(system.db.kysely)).toBe(before + 1);
    expect((await findUserByEmail(system.db.kysely, ` ${user.email.toUpperCase()} `))!.id).toBe(user.id);
    expect(await getUser(system, user.id)).toEqual(user);
    const owner = await add(system, 'owner', [siteA]);
    expect(owner.sites).toBe('all');
    expect((await add(as(owner), 'staff', [siteA])).created_by_id).toBe(owner.id);
    await expect(createUser(system, { email: user.email.toLowerCase(), name: 'Again', role: 'staff', sites: [], passwordHash: hash() })).rejects.toMatchObject({ code: 'email_taken' });
    await expect(add(system, 'staff', ['loc_nowhere'])).rejects.toMatchObject({ code: 'grant_invalid' });
  });

  it('lets a manager add only staff and viewers at its own sites', async () => {
    const manager = as(await add(system, 'manager', [siteA]));
    expect((await add(manager, 'staff', [siteA])).role).toBe('staff');
    expect((await add(manager, 'viewer', [])).role).toBe('viewer');
    await expect(add(manager, 'owner', 'all')).rejects.toMatchObject({ code: 'grant_exceeds_own', message: expect.stringContaining('owner role') });
    await expect(add(manager, 'manager', [siteA])).rejects.toMatchObject({ code: 'grant_exceeds_own', message: expect.stringContaining('staff and viewers') });
    await expect(add(manager, 'staff', [siteB])).rejects.toMatchObject({ code: 'grant_exceeds_own', message: expect.stringContaining('sites') });
    await expect(add(manager, 'staff', 'all')).rejects.toMatchObject({ code: 'grant_exceeds_own' });
    const staff = as(await add(system, 'staff', [siteA]));
    await expect(add(staff, 'viewer', [siteA])).rejects.toMatchObject({ code: 'grant_exceeds_own' });
  });

  it('shows a manager the staff and viewers within its sites and itself; others see only themselves', async () => {
    const tag = `Team${(n += 1)}`;
    const manager = await add(system, 'manager', [siteA], `${tag} manager`);
    const mine = await add(system, 'staff', [siteA], `${tag} mine`);
    const nowhere = await add(system, 'viewer', [], `${tag} nowhere`);
    const wider = await add(system, 'staff', [siteA, siteB], `${tag} wider`);
    const everywhere = await add(system, 'staff', 'all', `${tag} everywhere`);
    const peer = await add(system, 'manager', [siteA], `${tag} peer`);
    const names = async (ctx: ServiceContext, query = {}) => (await listUsers(ctx, { q: tag, limit: 50, ...query })).records.map((u) => u.name).sort();
    expect(await names(as(manager))).toEqual([`${tag} manager`, `${tag} mine`, `${tag} nowhere`]);
    expect(await names(as(mine))).toEqual([`${tag} mine`]);
    expect(await names(system)).toEqual([manager, mine, nowhere, wider, everywhere, peer].map((u) => u.name).sort());
    const allSites = as(await add(system, 'manager', 'all', `${tag} all-sites manager`));
    expect(await names(allSites)).toEqual([`${tag} all-sites manager`, `${tag} everywhere`, `${tag} mine`, `${tag} nowhere`, `${tag} wider`]);
    expect(await names(system, { role: 'manager' })).toEqual([`${tag} all-sites manager`, `${tag} manager`, `${tag} peer`]);
    await setUserStatus(system, nowhere.id, 'disabled');
    expect(await names(system, { status: 'disabled' })).toEqual([`${tag} nowhere`]);
    // A search for _ or % means those characters, not any.
    expect(await listUsers(system, { q: '%', limit: 5 })).toMatchObject({ records: [] });
    // Pages in email order.
    const page = await listUsers(system, { q: tag, limit: 4 });
    const rest = await listUsers(system, { q: tag, limit: 4, cursor: page.nextCursor! });
    const emails = [...page.records, ...rest.records].map((u) => u.email.toLowerCase());
    expect(emails).toEqual([...emails].sort());
    expect(new Set(emails).size).toBe(7);
    expect(rest.nextCursor).toBeNull();
    expect(page.records).toHaveLength(4);
    // Seven users fill a page of seven exactly: no next page. Each comes with its sites.
    const whole = await listUsers(system, { q: tag, limit: 7 });
    expect(whole.nextCursor).toBeNull();
    expect(whole.records.find((u) => u.id === wider.id)!.sites).toEqual([siteA, siteB].sort());

    await expect(getUser(as(manager), wider.id)).rejects.toMatchObject({ code: 'user_not_found', message: expect.stringContaining(wider.id) });
    await expect(getUser(as(manager), peer.id)).rejects.toMatchObject({ code: 'user_not_found' });
    await expect(getUser(as(manager), everywhere.id)).rejects.toMatchObject({ code: 'user_not_found' });
    expect((await getUser(as(manager), mine.id)).id).toBe(mine.id);
    expect((await getUser(as(mine), mine.id)).id).toBe(mine.id);
    // A viewer within the manager's sites is managed like staff.
    expect((await updateUser(as(manager), nowhere.id, { name: `${tag} nowhere` })).id).toBe(nowhere.id);
    // No search at all: staff see themselves alone.
    expect((await listUsers(as(mine), { limit: 50 })).records.map((u) => u.id)).toEqual([mine.id]);
    await expect(getUser(as(mine), manager.id)).rejects.toMatchObject({ code: 'user_not_found' });
    // Staff manage nobody, not even a viewer with no sites.
    await expect(getUser(as(mine), nowhere.id)).rejects.toMatchObject({ code: 'user_not_found' });
    await expect(updateUser(as(mine), nowhere.id, { name: 'x' })).rejects.toMatchObject({ code: 'user_not_found' });
    // Seeing oneself is not managing oneself.
    await expect(updateUser(as(manager), manager.id, { name: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(updateUser(as(manager), wider.id, { name: 'x' })).rejects.toMatchObject({ code: 'user_not_found', message: expect.stringContaining(wider.id) });
  });

  it('searches for _ and % as themselves, in names and emails', async () => {
    const tag = `Lit${(n += 1)}`;
    const literal = await add(system, 'staff', [siteA], `${tag} snake_case`);
    await add(system, 'staff', [siteA], `${tag} snakeXcase`);
    const found = async (q: string) => (await listUsers(system, { q, limit: 10 })).records.map((u) => u.id);
    expect(await found(`${tag} snake_case`)).toEqual([literal.id]);
    expect(await found(`${tag} snake_`)).toEqual([literal.id]);
  });

  it('ends sessions and revokes exceeding tokens when role or sites change; a rename touches neither', async () => {
    const user = await add(system, 'manager', [siteA, siteB]);
    const secret = await session(user.id);
    const token = await createToken(as(user), { name: 't', role: 'manager', sites: [siteB] });
    system.clock.advance(1000);
    const renamed = await updateUser(system, user.id, { name: 'Renamed' });
    expect(renamed).toMatchObject({ name: 'Renamed', role: 'manager', sites: [siteA, siteB].sort(), updated_at: system.clock.now() });
    expect((await authenticateSession(system.db, secret, system.clock.now())).ok).toBe(true);
    // The same sites in another order are no change.
    await updateUser(system, user.id, { sites: [siteB, siteA] });
    expect((await authenticateSession(system.db, secret, system.clock.now())).ok).toBe(true);
    const narrowed = await updateUser(system, user.id, { sites: [siteA] });
    expect(narrowed.sites).toEqual([siteA]);
    expect(await authenticateSession(system.db, secret, system.clock.now())).toEqual({ ok: false, reason: 'revoked' });
    expect(await system.db.kysely.selectFrom('sessions').select('revoked_reason').where('user_id', '=', user.id).executeTakeFirstOrThrow()).toEqual({ revoked_reason: 'grants_changed' });
    expect(await authenticateToken(system.db, token.secret, system.clock.now())).toEqual({ ok: false, reason: 'revoked' });
    const again = await session(user.id);
    const promoted = await updateUser(system, user.id, { role: 'owner' });
    expect(promoted.sites).toBe('all');
    expect(await authenticateSession(system.db, again, system.clock.now())).toEqual({ ok: false, reason: 'revoked' });
    const reasons = await system.db.kysely.selectFrom('sessions').select('revoked_reason').where('user_id', '=', user.id).orderBy('created_at').orderBy('id').execute();
    expect(reasons.map((r) => r.revoked_reason).sort()).toEqual(['grants_changed', 'role_changed']);
    const manager = as(await add(system, 'manager', [siteA]));
    const staff = await add(system, 'staff', [siteA]);
    await expect(updateUser(manager, staff.id, { role: 'manager' })).rejects.toMatchObject({ code: 'grant_exceeds_own' });
    await expect(updateUser(manager, staff.id, { sites: [siteB] })).rejects.toMatchObject({ code: 'grant_exceeds_own' });
    await expect(updateUser(system, staff.id, { sites: ['loc_nowhere'] })).rejects.toMatchObject({ code: 'grant_invalid' });
    expect((await updateUser(manager, staff.id, { role: 'viewer' })).role).toBe('viewer');
    // Every site, for someone who is not an owner, is kept as every site (sites added later included).
    expect((await updateUser(system, staff.id, { sites: 'all' })).sites).toBe('all');
  });

  it('keeps one active owner; disabling ends sessions and tokens for good; enabling again brings neither back', async () => {
    const owners = await system.db.kysely.selectFrom('users').select('id').where('role', '=', 'owner').where('status', '=', 'active').execute();
    for (const o of owners) await system.db.kysely.updateTable('users').set({ status: 'disabled' }).where('id', '=', o.id).execute();
    const only = await add(system, 'owner', 'all');
    await expect(setUserStatus(system, only.id, 'disabled')).rejects.toMatchObject({ code: 'last_owner' });
    await expect(updateUser(system, only.id, { role: 'manager' })).rejects.toMatchObject({ code: 'last_owner' });
    const second = await add(system, 'owner', 'all');
    const secret = await session(only.id);
    const token = await createToken(as(only), { name: 'o', role: 'owner', sites: 'all' });
    system.clock.advance(1000);
    expect(await setUserStatus(system, only.id, 'disabled')).toMatchObject({ status: 'disabled', updated_at: system.clock.now() });
    expect(await authenticateSession(system.db, secret, system.clock.now())).toEqual({ ok: false, reason: 'revoked' });
    expect((await system.db.kysely.selectFrom('sessions').select('revoked_reason').where('user_id', '=', only.id).executeTakeFirstOrThrow()).revoked_reason).toBe('user_disabled');
    await setUserStatus(system, only.id, 'active');
    expect(await authenticateToken(system.db, token.secret, system.clock.now())).toEqual({ ok: false, reason: 'revoked' });
    // Setting the status it has changes nothing.
    system.clock.advance(1000);
    expect((await setUserStatus(system, only.id, 'active')).updated_at).toBe(system.clock.now() - 1000);
    // A disabled owner may be demoted, and the last active one kept even when another is disabled.
    await setUserStatus(system, second.id, 'disabled');
    expect((await updateUser(system, second.id, { role: 'manager' })).role).toBe('manager');
    await expect(setUserStatus(system, only.id, 'disabled')).rejects.toMatchObject({ code: 'last_owner' });
  });

  it('sets a password: sessions end and the account counts start afresh; only a person changes their own', async () => {
    const user = await add(system, 'staff', [siteA]);
    const secret = await session(user.id);
    for (let i = 0; i < 8; i += 1) await gateSignIn(system.db.kysely, { email: user.email, ip: '10.2.0.1', userId: null, now: system.clock.now() });
    system.clock.advance(1000);
    const reset = await resetUserPassword(system, user.id, hash('new'));
    expect(reset.password_changed_at).toBe(system.clock.now());
    expect((await system.db.kysely.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()).password_hash).toBe('new');
    expect(await authenticateSession(system.db, secret, system.clock.now())).toEqual({ ok: false, reason: 'revoked' });
    expect((await system.db.kysely.selectFrom('sessions').select('revoked_reason').where('user_id', '=', user.id).executeTakeFirstOrThrow()).revoked_reason).toBe('password_changed');
    expect(await gateSignIn(system.db.kysely, { email: user.email, ip: '10.2.0.1', userId: null, now: system.clock.now() })).toMatchObject({ allowed: true });

    system.clock.advance(1000);
    const own = await changeOwnPassword(as(user), hash('mine'));
    expect(own.password_changed_at).toBe(system.clock.now());
    await expect(changeOwnPassword(system, hash('x'))).rejects.toMatchObject({ code: 'session_required' });
    await expect(changeOwnPassword({ ...system, actor: { ...as(user).actor, id: 'usr_gone' } }, hash('x'))).rejects.toMatchObject({ code: 'user_not_found', message: expect.stringContaining('usr_gone') });

    await transact(system.db, (trx) => recordSignIn(trx, user.id, system.clock.now() + 5, null));
    expect((await getUser(system, user.id)).last_login_at).toBe(system.clock.now() + 5);
    expect((await findUserByEmail(system.db.kysely, user.email))!.password_hash).toBe('mine');
    await transact(system.db, (trx) => recordSignIn(trx, user.id, system.clock.now() + 6, hash('stronger')));
    expect((await findUserByEmail(system.db.kysely, user.email))!.password_hash).toBe('stronger');
  });
});
