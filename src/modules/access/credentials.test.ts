import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { createLocation } from '../locations/index.ts';
import type { Actor, ServiceContext } from '../../platform/context.ts';
import { transact } from '../../platform/db/transaction.ts';
import type { PasswordHash } from './passwords.ts';
import { hashSecret } from './secrets.ts';
import {
  authenticateSession,
  createSession,
  idleExpiryOf,
  purgeEndedSessions,
  revokeSession,
  revokeUserSessions,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  SESSION_RETENTION_MS,
  SESSION_TOUCH_MS,
  userActor,
} from './sessions.service.ts';
import { authenticateToken, createToken, getToken, listTokens, revokeToken, revokeUserTokens, TOKEN_PREFIX, TOKEN_TOUCH_MS } from './tokens.service.ts';
import { createUser, setUserStatus, updateUser } from './users.service.ts';

/**
 * API tokens and web sessions at service level: who may make, see and revoke a token, what a
 * bearer secret or a session cookie signs in as, and when either stops working. The HTTP suites
 * (test/http/tokens.test.ts, sessions.test.ts) check the same through the API; these run in a
 * second, so mutation testing can use them (`access` target).
 */
describeEachDatabase('tokens and sessions', (get) => {
  const day = 24 * 60 * 60 * 1000;
  const hash = 'not-a-real-hash' as PasswordHash;
  let owner: ReturnType<typeof serviceContext>;
  let siteA: string;
  let siteB: string;
  let n = 0;

  beforeAll(async () => {
    owner = serviceContext(get().db);
    siteA = (await createLocation(owner, { kind: 'site', code: `TA${process.pid % 1000}`, name: 'A', site_type: 'store' })).id;
    siteB = (await createLocation(owner, { kind: 'site', code: `TB${process.pid % 1000}`, name: 'B', site_type: 'store' })).id;
  });

  /** A user, and a context acting as them (as a session would). */
  async function person(role: Actor['role'], sites: 'all' | string[]) {
    const user = await createUser(owner, { email: `p${(n += 1)}-${Math.random()}@example.com`, name: `P${n}`, role, sites, passwordHash: hash });
    const ctx: ServiceContext = { ...owner, actor: userActor({ id: user.id, email: user.email, role: user.role, all_sites: user.sites === 'all' ? 1 : 0 }, user.sites === 'all' ? [] : user.sites) };
    return { user, ctx };
  }

  it('makes a token no stronger than its maker, for the maker, with an expiry in the future', async () => {
    const { user, ctx } = await person('manager', [siteA]);
    const now = owner.clock.now();
    const made = await createToken(ctx, { name: 'till', role: 'staff', sites: [siteA, siteA], expiresInDays: 30 });
    expect(made.secret.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(made.secret.length).toBeGreaterThan(TOKEN_PREFIX.length + 20);
    expect(made.token).toMatchObject({ name: 'till', role: 'staff', sites: [siteA], owner_user_id: user.id, created_by_id: user.id, created_by_label: user.email, created_at: now, expires_at: now + 30 * day, last_used_at: null, revoked_at: null });
    expect(made.token.secret_hint).toBe(made.secret.slice(0, TOKEN_PREFIX.length + 6));
    expect(made.token.id).toMatch(/^tok_/);
    expect(made.token).not.toHaveProperty('secret_hash');
    const row = await owner.db.kysely.selectFrom('api_tokens').selectAll().where('id', '=', made.token.id).executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(hashSecret(made.secret));
    expect(row.all_sites).toBe(0);
    expect(await getToken(ctx, made.token.id)).toEqual(made.token);

    const at = await createToken(ctx, { name: 'until', role: 'viewer', sites: [siteA], expiresAt: now + 1 });
    expect(at.token.expires_at).toBe(now + 1);
    expect((await createToken(ctx, { name: 'forever', role: 'viewer', sites: [siteA] })).token.expires_at).toBeNull();

    await expect(createToken(ctx, { name: 'x', role: 'owner', sites: 'all' })).rejects.toMatchObject({ code: 'grant_exceeds_own' });
    await expect(createToken(ctx, { name: 'x', role: 'staff', sites: [siteB] })).rejects.toMatchObject({ code: 'grant_exceeds_own' });
    await expect(createToken(ctx, { name: 'x', role: 'staff', sites: 'all' })).rejects.toMatchObject({ code: 'grant_exceeds_own' });
    await expect(createToken(ctx, { name: 'x', role: 'staff', sites: [siteA], expiresAt: now })).rejects.toMatchObject({ code: 'grant_invalid', errors: [{ field: 'body.expires_at' }] });
    await expect(createToken(owner, { name: 'x', role: 'staff', sites: ['loc_nowhere'] })).rejects.toMatchObject({ code: 'grant_invalid' });
  });

  it('gives an owner token every site; a token made by a token acts for the same person; the system makes tokens for nobody', async () => {
    const { user, ctx } = await person('owner', 'all');
    const top = await createToken(ctx, { name: 'top', role: 'owner', sites: [siteA] });
    expect(top.token).toMatchObject({ role: 'owner', sites: 'all', owner_user_id: user.id });
    const signedIn = await authenticateToken(owner.db, top.secret, owner.clock.now());
    if (!signedIn.ok) throw new Error(signedIn.reason);
    const child = await createToken({ ...owner, actor: signedIn.actor }, { name: 'child', role: 'manager', sites: [siteB] });
    expect(child.token).toMatchObject({ owner_user_id: user.id, created_by_id: top.token.id, sites: [siteB] });
    const fromSystem = await createToken(owner, { name: 'system', role: 'staff', sites: [siteA] });
    expect(fromSystem.token.owner_user_id).toBeNull();
    // With nobody behind it, it reaches exactly its own sites.
    const bySystem = await authenticateToken(owner.db, fromSystem.secret, owner.clock.now());
    if (!bySystem.ok) throw new Error(bySystem.reason);
    expect([...(bySystem.actor.sites as Set<string>)]).toEqual([siteA]);
  });

  it('pages tokens made in the same instant, each once, and ends a list that fills its page exactly', async () => {
    const { ctx } = await person('manager', [siteA]);
    for (const name of ['t1', 't2', 't3']) await createToken(ctx, { name, role: 'staff', sites: [siteA] });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 3; i += 1) {
      const page = await listTokens(ctx, { includeRevoked: false, limit: 1, ...(cursor ? { cursor } : {}) });
      seen.push(...page.records.map((t) => t.name));
      cursor = page.nextCursor ?? undefined;
      expect(page.nextCursor === null).toBe(i === 2);
    }
    expect(seen.sort()).toEqual(['t1', 't2', 't3']);
    expect((await listTokens(ctx, { includeRevoked: false, limit: 3 })).nextCursor).toBeNull();
  });

  it('shows a token to an owner, its maker and the person it acts for; lists the same, newest first, revoked ones on request', async () => {
    const maker = await person('manager', [siteA]);
    const stranger = await person('manager', [siteA]);
    const boss = await person('owner', 'all');
    const first = (await createToken(maker.ctx, { name: 'first', role: 'staff', sites: [siteA] })).token;
    owner.clock.advance(1000);
    const second = (await createToken(maker.ctx, { name: 'second', role: 'staff', sites: [siteA] })).token;
    owner.clock.advance(1000);
    const third = (await createToken(maker.ctx, { name: 'third', role: 'staff', sites: [siteA] })).token;
    await expect(getToken(stranger.ctx, first.id)).rejects.toMatchObject({ code: 'token_not_found', message: expect.stringContaining(first.id) });
    await expect(getToken(maker.ctx, 'tok_unknown')).rejects.toMatchObject({ code: 'token_not_found' });
    expect((await getToken(boss.ctx, first.id)).id).toBe(first.id);
    // A token made by another caller (here, a token with no person behind it) is not the maker's to see.
    const given = (await createToken({ ...owner, actor: { ...maker.ctx.actor, kind: 'token', id: 'tok_elsewhere' } }, { name: 'given', role: 'staff', sites: [siteA] })).token;
    expect(given.owner_user_id).toBeNull();
    await expect(getToken(maker.ctx, given.id)).rejects.toMatchObject({ code: 'token_not_found' });

    const names = async (ctx: ServiceContext, includeRevoked = false) => (await listTokens(ctx, { includeRevoked, limit: 50 })).records.map((t) => t.name);
    expect(await names(maker.ctx)).toEqual(['third', 'second', 'first']);
    expect(await names(stranger.ctx)).toEqual([]);
    expect(await names(boss.ctx)).toEqual(expect.arrayContaining(['third', 'second', 'first', 'given']));
    const page1 = await listTokens(maker.ctx, { includeRevoked: false, limit: 2 });
    expect(page1.records.map((t) => t.name)).toEqual(['third', 'second']);
    const page2 = await listTokens(maker.ctx, { includeRevoked: false, limit: 2, cursor: page1.nextCursor! });
    expect([page2.records.map((t) => t.name), page2.nextCursor]).toEqual([['first'], null]);
    expect(page1.records[0]!.sites).toEqual([siteA]);

    const revoked = await revokeToken(maker.ctx, second.id);
    expect(revoked).toMatchObject({ revoked_at: owner.clock.now(), revoked_by_id: maker.user.id });
    owner.clock.advance(1000);
    // Revoking again changes nothing, not even the time.
    expect(await revokeToken(maker.ctx, second.id)).toMatchObject({ revoked_at: revoked.revoked_at });
    await expect(revokeToken(stranger.ctx, third.id)).rejects.toMatchObject({ code: 'token_not_found' });
    expect(await names(maker.ctx)).toEqual(['third', 'first']);
    expect(await names(maker.ctx, true)).toEqual(['third', 'second', 'first']);

    // A token made by the maker's own token acts for the maker: the maker sees and lists it, though they did not make it.
    const signedIn = await authenticateToken(owner.db, (await createToken(maker.ctx, { name: 'parent', role: 'staff', sites: [siteA] })).secret, owner.clock.now());
    if (!signedIn.ok) throw new Error(signedIn.reason);
    owner.clock.advance(1000);
    const child = (await createToken({ ...owner, actor: signedIn.actor }, { name: 'child', role: 'staff', sites: [siteA] })).token;
    expect((await getToken(maker.ctx, child.id)).created_by_id).toBe(signedIn.actor.id);
    expect((await getToken({ ...owner, actor: signedIn.actor }, child.id)).id).toBe(child.id);
    await expect(getToken(stranger.ctx, child.id)).rejects.toMatchObject({ code: 'token_not_found' });
    expect(await names(maker.ctx)).toEqual(['child', 'parent', 'third', 'first']);
    expect(await names({ ...owner, actor: signedIn.actor })).toEqual(['child']);
  });

  it('signs a bearer in as the token, within what its person still holds, until it is revoked or expires', async () => {
    const { user, ctx } = await person('manager', [siteA, siteB]);
    const now = owner.clock.now();
    const made = await createToken(ctx, { name: 'scanner', role: 'staff', sites: [siteA, siteB], expiresAt: now + 10 * 60_000 });
    // A token narrower than its person reaches only its own sites.
    const narrower = await authenticateToken(owner.db, (await createToken(ctx, { name: 'one site', role: 'staff', sites: [siteB] })).secret, now);
    if (!narrower.ok) throw new Error(narrower.reason);
    expect([...(narrower.actor.sites as Set<string>)]).toEqual([siteB]);
    const check = await authenticateToken(owner.db, made.secret, now);
    expect(check).toMatchObject({ ok: true, actor: { kind: 'token', id: made.token.id, label: 'token scanner', role: 'staff' }, token: { last_used_at: now } });
    if (!check.ok) throw new Error('not signed in');
    expect([...(check.actor.sites as Set<string>)].sort()).toEqual([siteA, siteB].sort());
    // last_used_at is written at most once a minute.
    await authenticateToken(owner.db, made.secret, now + TOKEN_TOUCH_MS - 1);
    expect((await getToken(ctx, made.token.id)).last_used_at).toBe(now);
    await authenticateToken(owner.db, made.secret, now + TOKEN_TOUCH_MS);
    expect((await getToken(ctx, made.token.id)).last_used_at).toBe(now + TOKEN_TOUCH_MS);

    expect(await authenticateToken(owner.db, 'nope', now)).toEqual({ ok: false, reason: 'unknown' });
    expect(await authenticateToken(owner.db, `${TOKEN_PREFIX}nope`, now)).toEqual({ ok: false, reason: 'unknown' });
    expect((await authenticateToken(owner.db, made.secret, now + 10 * 60_000 - 1)).ok).toBe(true);
    expect(await authenticateToken(owner.db, made.secret, now + 10 * 60_000)).toEqual({ ok: false, reason: 'expired' });

    // The person loses site B: the token reaches A only (and is revoked, as it exceeds them now).
    const lasting = await createToken(ctx, { name: 'lasting', role: 'staff', sites: [siteA] });
    const narrow = await createToken(ctx, { name: 'narrow', role: 'staff', sites: [siteA, siteB] });
    await updateUser(owner, user.id, { sites: [siteA] });
    expect(await authenticateToken(owner.db, narrow.secret, now)).toEqual({ ok: false, reason: 'revoked' });
    const still = await authenticateToken(owner.db, lasting.secret, now);
    if (!still.ok) throw new Error(still.reason);
    expect([...(still.actor.sites as Set<string>)]).toEqual([siteA]);
    // A grant row left behind for site B (as before a revocation) still reaches only what the person holds.
    await owner.db.kysely.insertInto('site_grants').values({ principal_id: lasting.token.id, site_id: siteB }).execute();
    const intersected = await authenticateToken(owner.db, lasting.secret, now);
    if (!intersected.ok) throw new Error(intersected.reason);
    expect([...(intersected.actor.sites as Set<string>)]).toEqual([siteA]);

    await setUserStatus(owner, user.id, 'disabled');
    expect(await authenticateToken(owner.db, lasting.secret, now)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('refuses a token whose person is disabled or lost its role, even before it is revoked', async () => {
    const { user, ctx } = await person('manager', [siteA]);
    const made = await createToken(ctx, { name: 'stock', role: 'manager', sites: [siteA] });
    const now = owner.clock.now();
    await owner.db.kysely.updateTable('users').set({ role: 'staff' }).where('id', '=', user.id).execute();
    expect(await authenticateToken(owner.db, made.secret, now)).toEqual({ ok: false, reason: 'owner_lacks_role' });
    await owner.db.kysely.updateTable('users').set({ role: 'manager', status: 'disabled' }).where('id', '=', user.id).execute();
    expect(await authenticateToken(owner.db, made.secret, now)).toEqual({ ok: false, reason: 'owner_disabled' });
    // A system-made token has no person to check: all its sites, its own role.
    const system = await createToken(owner, { name: 'system', role: 'staff', sites: 'all' });
    const check = await authenticateToken(owner.db, system.secret, now);
    expect(check).toMatchObject({ ok: true, actor: { role: 'staff', sites: 'all' } });
  });

  it('revokes exactly the tokens that exceed what a user now holds, once, and all of them when disabled', async () => {
    const { user, ctx } = await person('manager', [siteA, siteB]);
    const staffA = (await createToken(ctx, { name: 'staffA', role: 'staff', sites: [siteA] })).token;
    const staffAB = (await createToken(ctx, { name: 'staffAB', role: 'staff', sites: [siteA, siteB] })).token;
    const managerA = (await createToken(ctx, { name: 'managerA', role: 'manager', sites: [siteA] })).token;
    const now = owner.clock.now();
    const by: Actor = { ...owner.actor, id: 'usr_by' };
    const live = async () => (await listTokens(ctx, { includeRevoked: false, limit: 50 })).records.map((t) => t.name).sort();
    expect(await transact(owner.db, (trx) => revokeUserTokens(trx, user.id, { role: 'manager', sites: [siteA, siteB] }, by, now))).toBe(0);
    expect(await transact(owner.db, (trx) => revokeUserTokens(trx, user.id, { role: 'manager', sites: 'all' }, by, now))).toBe(0);
    expect(await transact(owner.db, (trx) => revokeUserTokens(trx, user.id, { role: 'staff', sites: [siteA, siteB] }, by, now))).toBe(1);
    expect(await live()).toEqual(['staffA', 'staffAB']);
    expect(await getToken(ctx, managerA.id)).toMatchObject({ revoked_at: now, revoked_by_id: 'usr_by' });
    expect(await transact(owner.db, (trx) => revokeUserTokens(trx, user.id, { role: 'staff', sites: [siteA] }, by, now))).toBe(1);
    expect(await live()).toEqual(['staffA']);
    expect(await transact(owner.db, (trx) => revokeUserTokens(trx, user.id, null, by, now + 5))).toBe(1);
    expect(await live()).toEqual([]);
    // Revoked for good: the earlier revocations keep their time.
    expect((await getToken(ctx, staffAB.id)).revoked_at).toBe(now);
    expect((await getToken(ctx, staffA.id)).revoked_at).toBe(now + 5);
  });

  it('signs a session in as its user until it idles out, reaches its absolute end, or is revoked', async () => {
    const { user } = await person('staff', [siteA]);
    const start = owner.clock.now();
    const made = await transact(owner.db, (trx) => createSession(trx, { userId: user.id, now: start, ip: '10.0.0.1', userAgent: 'test' }));
    expect(made.row).toMatchObject({ user_id: user.id, created_at: start, last_seen_at: start, expires_at: start + SESSION_ABSOLUTE_MS, revoked_at: null, ip: '10.0.0.1', user_agent: 'test' });
    expect(made.row.secret_hash).toBe(hashSecret(made.secret));
    expect(made.row.id).toMatch(/^ses_/);
    expect(made.row.csrf_token).not.toBe(made.secret);
    expect(idleExpiryOf(made.row)).toBe(start + SESSION_IDLE_MS);
    expect(idleExpiryOf({ last_seen_at: start + SESSION_ABSOLUTE_MS - 1, expires_at: start + SESSION_ABSOLUTE_MS })).toBe(start + SESSION_ABSOLUTE_MS);

    const check = await authenticateSession(owner.db, made.secret, start + 1);
    expect(check).toMatchObject({ ok: true, user: { id: user.id }, actor: { kind: 'user', id: user.id, label: user.email, role: 'staff' }, session: { last_seen_at: start } });
    if (!check.ok) throw new Error(check.reason);
    expect([...(check.actor.sites as Set<string>)]).toEqual([siteA]);
    expect(await authenticateSession(owner.db, 'unknown', start)).toEqual({ ok: false, reason: 'unknown' });
    // Idle: seen at start, so it ends 12 hours later, unless it is seen again first (at most one write a minute).
    expect(await authenticateSession(owner.db, made.secret, start + SESSION_IDLE_MS)).toEqual({ ok: false, reason: 'expired' });
    expect((await authenticateSession(owner.db, made.secret, start + SESSION_TOUCH_MS - 1)).ok).toBe(true);
    const seen = await authenticateSession(owner.db, made.secret, start + SESSION_TOUCH_MS);
    expect(seen).toMatchObject({ ok: true, session: { last_seen_at: start + SESSION_TOUCH_MS } });
    expect((await authenticateSession(owner.db, made.secret, start + SESSION_IDLE_MS)).ok).toBe(true);

    // Kept alive every few hours, it still ends a week after it began.
    let at = start + SESSION_TOUCH_MS;
    while (at + 6 * 60 * 60 * 1000 < start + SESSION_ABSOLUTE_MS) {
      at += 6 * 60 * 60 * 1000;
      expect((await authenticateSession(owner.db, made.secret, at)).ok).toBe(true);
    }
    expect(await authenticateSession(owner.db, made.secret, start + SESSION_ABSOLUTE_MS)).toEqual({ ok: false, reason: 'expired' });

    const other = await transact(owner.db, (trx) => createSession(trx, { userId: user.id, now: start, ip: null, userAgent: null }));
    await transact(owner.db, (trx) => revokeSession(trx, other.row.id, 'signed_out', start + 2));
    expect(await authenticateSession(owner.db, other.secret, start + 3)).toEqual({ ok: false, reason: 'revoked' });
    const row = await owner.db.kysely.selectFrom('sessions').selectAll().where('id', '=', other.row.id).executeTakeFirstOrThrow();
    expect([row.revoked_at, row.revoked_reason]).toEqual([start + 2, 'signed_out']);
    // Revoking a revoked session keeps the first reason.
    await transact(owner.db, (trx) => revokeSession(trx, other.row.id, 'password_changed', start + 4));
    expect((await owner.db.kysely.selectFrom('sessions').select('revoked_reason').where('id', '=', other.row.id).executeTakeFirstOrThrow()).revoked_reason).toBe('signed_out');
  });

  it("ends every open session of a user, counts them, and refuses a disabled user's session", async () => {
    const { user } = await person('viewer', [siteA]);
    const now = owner.clock.now();
    const [s1, s2] = await transact(owner.db, async (trx) => [await createSession(trx, { userId: user.id, now, ip: null, userAgent: null }), await createSession(trx, { userId: user.id, now, ip: null, userAgent: null })]);
    const everyone = await person('owner', 'all');
    const owners = await transact(owner.db, (trx) => createSession(trx, { userId: everyone.user.id, now, ip: null, userAgent: null }));
    const ownerCheck = await authenticateSession(owner.db, owners.secret, now);
    expect(ownerCheck).toMatchObject({ ok: true, actor: { sites: 'all' } });
    await owner.db.kysely.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
    expect(await authenticateSession(owner.db, s1!.secret, now)).toEqual({ ok: false, reason: 'user_disabled' });
    expect(await transact(owner.db, (trx) => revokeUserSessions(trx, user.id, 'user_disabled', now + 1))).toBe(2);
    expect(await transact(owner.db, (trx) => revokeUserSessions(trx, user.id, 'user_disabled', now + 2))).toBe(0);
    expect(await authenticateSession(owner.db, s2!.secret, now)).toEqual({ ok: false, reason: 'revoked' });
    expect((await authenticateSession(owner.db, owners.secret, now)).ok).toBe(true);
  });

  it('purges sessions a month after they ended, and no sooner', async () => {
    const { user } = await person('viewer', [siteA]);
    const t0 = owner.clock.now() + 400 * day;
    const make = (now: number) => transact(owner.db, (trx) => createSession(trx, { userId: user.id, now, ip: null, userAgent: null }));
    const expired = await make(t0);
    // Seen an hour before its week is up: it ends at its absolute expiry, not by idling.
    await owner.db.kysely.updateTable('sessions').set({ last_seen_at: t0 + SESSION_ABSOLUTE_MS - 60 * 60 * 1000 }).where('id', '=', expired.row.id).execute();
    const revoked = await make(t0 + 10 * day);
    await transact(owner.db, (trx) => revokeSession(trx, revoked.row.id, 'signed_out', t0 + 10 * day));
    const idle = await make(t0 + 10 * day);
    const ids = async () => (await owner.db.kysely.selectFrom('sessions').select('id').where('id', 'in', [expired.row.id, revoked.row.id, idle.row.id]).execute()).map((r) => r.id).sort();
    // The expired one ended at t0 + 7 days; the revoked one at t0 + 10 days; the idle one at t0 + 10 days + 12 h.
    const expiredEnd = t0 + SESSION_ABSOLUTE_MS;
    await purgeEndedSessions(owner.db, expiredEnd + SESSION_RETENTION_MS);
    expect(await ids()).toEqual([expired.row.id, revoked.row.id, idle.row.id].sort());
    // Every session of the tests before ended long before t0, so the call above took them and this one only the expired one.
    expect(await purgeEndedSessions(owner.db, expiredEnd + SESSION_RETENTION_MS + 1)).toBe(1);
    expect(await ids()).toEqual([revoked.row.id, idle.row.id].sort());
    await purgeEndedSessions(owner.db, t0 + 10 * day + SESSION_RETENTION_MS + 1);
    expect(await ids()).toEqual([idle.row.id]);
    await purgeEndedSessions(owner.db, t0 + 10 * day + SESSION_IDLE_MS + SESSION_RETENTION_MS);
    expect(await ids()).toEqual([idle.row.id]);
    await purgeEndedSessions(owner.db, t0 + 10 * day + SESSION_IDLE_MS + SESSION_RETENTION_MS + 1);
    expect(await ids()).toEqual([]);
  });
});
