import { sql } from 'kysely';
import { inTransaction, reader, type Actor, type Role, type ServiceContext } from '../../platform/context.ts';
import { isUniqueViolation } from '../../platform/db/dialect.ts';
import type { UserRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { PlatformError } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { AccessError } from './access.errors.ts';
import { roleCovers } from './access.permissions.ts';
import { assertSitesExist, loadGrantedSites, normalizeSites, replaceGrantedSites, sitesCover, toSiteGrant, type SiteGrant } from './grants.service.ts';
import type { PasswordHash } from './passwords.ts';
import { revokeUserSessions, type SessionRevocation } from './sessions.service.ts';
import { clearAccountThrottle } from './throttle.service.ts';
import { revokeUserTokens } from './tokens.service.ts';

/**
 * People who sign in. An owner covers every site; everybody else covers the sites granted to
 * them. Owners manage everybody; a manager manages the staff and viewers whose sites all lie
 * within the manager's own, and nobody grants a role or a site they do not hold themselves.
 */

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: Role;
  sites: SiteGrant;
  status: UserRow['status'];
  last_login_at: number | null;
  password_changed_at: number;
  created_by_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface CreateUserInput {
  email: string;
  name: string;
  role: Role;
  sites: SiteGrant;
  passwordHash: PasswordHash;
}

export interface UpdateUserInput {
  name?: string | undefined;
  role?: Role | undefined;
  sites?: SiteGrant | undefined;
}

export function emailKeyOf(email: string): string {
  return email.trim().toLowerCase();
}

function toRecord(row: UserRow, sites: readonly string[]): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    sites: toSiteGrant(row.role === 'owner' ? 1 : row.all_sites, sites),
    status: row.status,
    last_login_at: row.last_login_at,
    password_changed_at: row.password_changed_at,
    created_by_id: row.created_by_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** Refuses handing out a role or sites the actor does not hold, and managers adding anyone but staff and viewers. */
function assertMayGrant(actor: Actor, role: Role, sites: SiteGrant): void {
  if (!roleCovers(actor.role, role)) {
    throw new AccessError('grant_exceeds_own', `A ${actor.role} cannot give the ${role} role: it holds permissions you do not.`);
  }
  if (actor.role !== 'owner' && role !== 'staff' && role !== 'viewer') {
    throw new AccessError('grant_exceeds_own', 'Managers add and change staff and viewers only; ask an owner.');
  }
  if (!sitesCover(actor.sites, sites)) {
    throw new AccessError('grant_exceeds_own', 'You cannot grant sites you are not granted yourself.');
  }
}

function mayManage(actor: Actor, target: UserRecord): boolean {
  if (actor.role === 'owner') return true;
  return actor.role === 'manager' && (target.role === 'staff' || target.role === 'viewer') && sitesCover(actor.sites, target.sites);
}

/** A user the actor may not manage is invisible to them (404), unless it is themselves. */
function mayView(actor: Actor, target: UserRecord): boolean {
  return mayManage(actor, target) || (actor.kind === 'user' && actor.id === target.id);
}

async function loadUser(db: Executor, id: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return toRecord(row, (await loadGrantedSites(db, [id])).get(id) ?? []);
}

async function loadManageable(ctx: ServiceContext, trx: Trx, id: string): Promise<UserRecord> {
  const user = await loadUser(trx, id);
  if (!user || !mayView(ctx.actor, user)) throw new AccessError('user_not_found', `No user ${id}.`);
  if (!mayManage(ctx.actor, user)) throw new PlatformError('forbidden', 'Only an owner can change this account.');
  return user;
}

export async function getUser(ctx: ServiceContext, id: string): Promise<UserRecord> {
  const user = await loadUser(reader(ctx), id);
  if (!user || !mayView(ctx.actor, user)) throw new AccessError('user_not_found', `No user ${id}.`);
  return user;
}

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email_key', '=', emailKeyOf(email)).executeTakeFirst();
}

export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countUsers(db: Executor): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function createUser(ctx: ServiceContext, input: CreateUserInput, options: { id?: string } = {}): Promise<UserRecord> {
  const sites: SiteGrant = input.role === 'owner' ? 'all' : normalizeSites(input.sites);
  assertMayGrant(ctx.actor, input.role, sites);
  return inTransaction(ctx, async (trx) => {
    await assertSitesExist(trx, sites);
    const now = ctx.clock.now();
    const row: UserRow = {
      id: options.id ?? newId('usr', now),
      email: input.email.trim(),
      email_key: emailKeyOf(input.email),
      name: input.name,
      role: input.role,
      all_sites: sites === 'all' ? 1 : 0,
      status: 'active',
      password_hash: input.passwordHash,
      password_changed_at: now,
      last_login_at: null,
      created_by_id: ctx.actor.kind === 'system' ? null : ctx.actor.id,
      created_at: now,
      updated_at: now,
    };
    try {
      await trx.insertInto('users').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new AccessError('email_taken', `A user with the email ${row.email} already exists.`);
      throw error;
    }
    await replaceGrantedSites(trx, row.id, sites);
    return toRecord(row, sites === 'all' ? [] : sites);
  });
}

export async function updateUser(ctx: ServiceContext, id: string, input: UpdateUserInput): Promise<UserRecord> {
  return inTransaction(ctx, async (trx) => {
    const user = await loadManageable(ctx, trx, id);
    const role = input.role ?? user.role;
    const sites: SiteGrant = role === 'owner' ? 'all' : normalizeSites(input.sites ?? user.sites);
    const roleChanged = role !== user.role;
    const sitesChanged = JSON.stringify(sites) !== JSON.stringify(user.sites);
    if (roleChanged || sitesChanged) {
      assertMayGrant(ctx.actor, role, sites);
      await assertSitesExist(trx, sites);
    }
    if (roleChanged && user.role === 'owner' && user.status === 'active') await assertAnotherOwner(trx, user.id);
    const now = ctx.clock.now();
    await trx
      .updateTable('users')
      .set({ name: input.name ?? user.name, role, all_sites: sites === 'all' ? 1 : 0, updated_at: now })
      .where('id', '=', id)
      .execute();
    if (sitesChanged) await replaceGrantedSites(trx, id, sites);
    // New rights take effect at the next sign-in; a session must not keep the old ones. A token
    // that would exceed them is revoked for good, so a later promotion does not bring it back.
    if (roleChanged || sitesChanged) {
      await revokeUserSessions(trx, id, roleChanged ? 'role_changed' : 'grants_changed', now);
      await revokeUserTokens(trx, id, { role, sites }, ctx.actor, now);
    }
    return (await loadUser(trx, id))!;
  });
}

export async function setUserStatus(ctx: ServiceContext, id: string, status: UserRow['status']): Promise<UserRecord> {
  return inTransaction(ctx, async (trx) => {
    const user = await loadManageable(ctx, trx, id);
    if (user.status === status) return user;
    if (status === 'disabled' && user.role === 'owner') await assertAnotherOwner(trx, user.id);
    const now = ctx.clock.now();
    await trx.updateTable('users').set({ status, updated_at: now }).where('id', '=', id).execute();
    if (status === 'disabled') {
      await revokeUserSessions(trx, id, 'user_disabled', now);
      // Revoked, not suspended: enabling the user again does not bring a token back.
      await revokeUserTokens(trx, id, null, ctx.actor, now);
    }
    return (await loadUser(trx, id))!;
  });
}

/** Sets a new password chosen by an owner or manager; the user's sessions end and any lock is lifted. */
export async function resetUserPassword(ctx: ServiceContext, id: string, passwordHash: PasswordHash): Promise<UserRecord> {
  return inTransaction(ctx, async (trx) => {
    const user = await loadManageable(ctx, trx, id);
    await writePassword(trx, user, passwordHash, ctx.clock.now());
    return (await loadUser(trx, id))!;
  });
}

/** A signed-in user's own change; the caller has checked the current password. */
export async function changeOwnPassword(ctx: ServiceContext, passwordHash: PasswordHash): Promise<UserRecord> {
  if (ctx.actor.kind !== 'user') throw new AccessError('session_required', 'Only a signed-in person has a password to change.');
  const userId = ctx.actor.id;
  return inTransaction(ctx, async (trx) => {
    const user = await loadUser(trx, userId);
    if (!user) throw new AccessError('user_not_found', `No user ${userId}.`);
    await writePassword(trx, user, passwordHash, ctx.clock.now());
    return (await loadUser(trx, userId))!;
  });
}

async function writePassword(trx: Trx, user: UserRecord, passwordHash: PasswordHash, now: number, reason: SessionRevocation = 'password_changed'): Promise<void> {
  await trx.updateTable('users').set({ password_hash: passwordHash, password_changed_at: now, updated_at: now }).where('id', '=', user.id).execute();
  await revokeUserSessions(trx, user.id, reason, now);
  await clearAccountThrottle(trx, user.email);
}

/** Keeps at least one active owner, so the shop cannot lock itself out. */
async function assertAnotherOwner(trx: Trx, exceptId: string): Promise<void> {
  const others = await trx
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'owner')
    .where('status', '=', 'active')
    .where('id', '<>', exceptId)
    .limit(1)
    .executeTakeFirst();
  if (!others) throw new AccessError('last_owner', 'This is the last active owner; make another owner first.');
}

export interface UserQuery {
  q?: string | undefined;
  role?: Role | undefined;
  status?: UserRow['status'] | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Users the actor may see, by email. */
export async function listUsers(ctx: ServiceContext, query: UserQuery): Promise<{ records: UserRecord[]; nextCursor: string | null }> {
  const db = reader(ctx);
  const after = decodeCursor(query.cursor, ['string', 'string']);
  let q = db.selectFrom('users').selectAll();
  const actor = ctx.actor;
  if (actor.role !== 'owner') {
    const self = actor.kind === 'user' ? actor.id : '';
    const mine = actor.sites === 'all' ? null : [...actor.sites];
    q = q.where((eb) => {
      if (actor.role !== 'manager') return eb('id', '=', self);
      // Staff and viewers with no grant outside the manager's sites, as in mayManage.
      const outside = eb
        .selectFrom('site_grants as g')
        .select('g.site_id')
        .whereRef('g.principal_id', '=', 'users.id')
        .where(mine && mine.length ? sql<boolean>`g.site_id not in (${sql.join(mine)})` : sql<boolean>`1 = 1`);
      const manageable = eb.and([
        eb('role', 'in', ['staff', 'viewer']),
        ...(mine === null ? [] : [eb('all_sites', '=', 0), eb.not(eb.exists(outside))]),
      ]);
      return eb.or([eb('id', '=', self), manageable]);
    });
  }
  if (query.q) {
    const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([sql<boolean>`email_key like ${pattern} escape '\\'`, sql<boolean>`lower(name) like ${pattern} escape '\\'`]));
  }
  if (query.role) q = q.where('role', '=', query.role);
  if (query.status) q = q.where('status', '=', query.status);
  if (after) {
    const [key, id] = after as [string, string];
    q = q.where((eb) => eb.or([eb('email_key', '>', key), eb.and([eb('email_key', '=', key), eb('id', '>', id)])]));
  }
  const rows = await q.orderBy('email_key').orderBy('id').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const grants = await loadGrantedSites(db, page.map((r) => r.id));
  const last = page[page.length - 1];
  return {
    records: page.map((r) => toRecord(r, grants.get(r.id) ?? [])),
    nextCursor: more && last ? encodeCursor([last.email_key, last.id]) : null,
  };
}

/** Records a successful sign-in, and a stronger hash of the same password when parameters have grown. */
export async function recordSignIn(trx: Trx, userId: string, now: number, rehashed: PasswordHash | null): Promise<void> {
  await trx
    .updateTable('users')
    .set({ last_login_at: now, ...(rehashed ? { password_hash: rehashed } : {}) })
    .where('id', '=', userId)
    .execute();
}
