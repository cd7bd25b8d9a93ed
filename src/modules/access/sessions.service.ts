import type { Actor } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import type { SessionRow, UserRow } from '../../platform/db/schema.ts';
import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { toActorSites } from './grants.service.ts';
import { hashSecret, randomSecret } from './secrets.ts';

/**
 * Web sessions. The cookie carries a random secret; the database keeps only its sha256, so a
 * copy of the database does not sign anybody in. A session ends at its absolute expiry, after
 * an idle spell, at sign-out, and whenever its user's password, role or grants change.
 */
export const SESSION_COOKIE = 'stockroom_session';
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** `last_seen_at` is written at most this often, so reading does not turn into a write per request. */
export const SESSION_TOUCH_MS = 60 * 1000;

export interface NewSession {
  /** Goes in the cookie, and nowhere else. */
  secret: string;
  row: SessionRow;
}

export async function createSession(trx: Trx, input: { userId: string; now: number; ip: string | null; userAgent: string | null }): Promise<NewSession> {
  const secret = randomSecret();
  const row: SessionRow = {
    id: newId('ses', input.now),
    secret_hash: hashSecret(secret),
    user_id: input.userId,
    csrf_token: randomSecret(),
    created_at: input.now,
    last_seen_at: input.now,
    expires_at: input.now + SESSION_ABSOLUTE_MS,
    revoked_at: null,
    revoked_reason: null,
    ip: input.ip,
    user_agent: input.userAgent,
  };
  await trx.insertInto('sessions').values(row).execute();
  return { secret, row };
}

export type SessionRevocation = 'signed_out' | 'signed_in_again' | 'password_changed' | 'role_changed' | 'grants_changed' | 'user_disabled';

export async function revokeSession(trx: Trx, id: string, reason: SessionRevocation, now: number): Promise<void> {
  await trx.updateTable('sessions').set({ revoked_at: now, revoked_reason: reason }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Ends every open session of a user; returns how many. */
export async function revokeUserSessions(trx: Trx, userId: string, reason: SessionRevocation, now: number): Promise<number> {
  const result = await trx
    .updateTable('sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export type SessionCheck =
  | { ok: true; actor: Actor; session: SessionRow; user: UserRow }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'user_disabled' };

export function idleExpiryOf(session: Pick<SessionRow, 'last_seen_at' | 'expires_at'>): number {
  return Math.min(session.last_seen_at + SESSION_IDLE_MS, session.expires_at);
}

const sessionColumns = ['id', 'secret_hash', 'user_id', 'csrf_token', 'created_at', 'last_seen_at', 'expires_at', 'revoked_at', 'revoked_reason', 'ip', 'user_agent'] as const satisfies ReadonlyArray<keyof SessionRow>;
const userColumns = [
  'id',
  'email',
  'email_key',
  'name',
  'role',
  'all_sites',
  'status',
  'password_hash',
  'password_changed_at',
  'last_login_at',
  'created_by_id',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof UserRow>;

/**
 * The session, its user and the user's site grants in one read: every request of the web app
 * authenticates, and on PostgreSQL each statement is a round trip. One row per grant, or one
 * with no grant.
 */
const sessionWithUserQuery = cachedQuery((db: Executor, args: { secretHash: string }) =>
  db
    .selectFrom('sessions as s')
    .leftJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('site_grants as g', 'g.principal_id', 's.user_id')
    .select(sessionColumns.map((c) => `s.${c}` as const))
    .select(userColumns.map((c) => `u.${c} as u_${c}` as const))
    .select('g.site_id as grant_site_id')
    .where('s.secret_hash', '=', args.secretHash),
);

/** Finds the session a cookie's secret stands for and the actor it signs in. */
export async function authenticateSession(db: Database, secret: string, now: number): Promise<SessionCheck> {
  const rows = await sessionWithUserQuery.execute(db.kysely, { secretHash: hashSecret(secret) });
  const first = rows[0];
  if (!first) return { ok: false, reason: 'unknown' };
  const found = Object.fromEntries(sessionColumns.map((c) => [c, first[c]])) as unknown as SessionRow;
  if (found.revoked_at !== null) return { ok: false, reason: 'revoked' };
  if (now >= idleExpiryOf(found)) return { ok: false, reason: 'expired' };
  if (first.u_id === null) throw new Error(`session ${found.id} names no user`);
  const user = Object.fromEntries(userColumns.map((c) => [c, first[`u_${c}`]])) as unknown as UserRow;
  if (user.status !== 'active') return { ok: false, reason: 'user_disabled' };
  const session = { ...found };
  // Sorted here rather than by the database, whose collation may differ (as loadGrantedSites).
  const sites = rows.flatMap((r) => (r.grant_site_id !== null ? [r.grant_site_id] : [])).sort();
  if (now - session.last_seen_at >= SESSION_TOUCH_MS) {
    await db.kysely.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', session.id).execute();
    session.last_seen_at = now;
  }
  return { ok: true, session, user, actor: userActor(user, sites) };
}

export function userActor(user: Pick<UserRow, 'id' | 'email' | 'role' | 'all_sites'>, sites: readonly string[]): Actor {
  return { kind: 'user', id: user.id, label: user.email, role: user.role, sites: toActorSites(user.role === 'owner' || user.all_sites === 1, sites) };
}

/** Sessions are kept a month after they end, for the audit trail's credential ids; then they go. */
export const SESSION_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** Deletes sessions that ended more than the retention ago; returns how many. */
export async function purgeEndedSessions(db: Database, now: number): Promise<number> {
  const cutoff = now - SESSION_RETENTION_MS;
  const result = await db.kysely
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('revoked_at', '<', cutoff), eb('last_seen_at', '<', cutoff - SESSION_IDLE_MS)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
