import { inTransaction, reader, type Actor, type Role, type ServiceContext } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import type { ApiTokenRow } from '../../platform/db/schema.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { AccessError } from './access.errors.ts';
import { roleCovers } from './access.permissions.ts';
import { assertSitesExist, intersectSites, normalizeSites, loadGrantedSites, replaceGrantedSites, sitesCover, toActorSites, toSiteGrant, type SiteGrant } from './grants.service.ts';
import { hashSecret, randomSecret } from './secrets.ts';
import { userActor } from './sessions.service.ts';

/**
 * API tokens for integrations and scripts: `Authorization: Bearer stk_…`. The secret is shown
 * once, when the token is made; the database keeps its sha256. A token acts for the person who
 * made it and never has more than they have now: when that person is disabled, or loses the
 * role or sites, the token is revoked (revokeUserTokens), and authentication checks the person
 * again on every request besides.
 */
export const TOKEN_PREFIX = 'stk_';
/** `last_used_at` is written at most this often per token. */
export const TOKEN_TOUCH_MS = 60 * 1000;
export const TOKEN_NAME_MAX = 100;

export interface TokenRecord {
  id: string;
  name: string;
  secret_hint: string;
  role: Role;
  sites: SiteGrant;
  owner_user_id: string | null;
  created_by_id: string;
  created_by_label: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  revoked_by_id: string | null;
}

export interface CreateTokenInput {
  name: string;
  role: Role;
  sites: SiteGrant;
  expiresAt?: number | null | undefined;
  /** Counted from the creation instant, so the expiry is exactly this many days after it. */
  expiresInDays?: number | undefined;
}

const dayMs = 24 * 60 * 60 * 1000;

function toRecord(row: ApiTokenRow, sites: readonly string[]): TokenRecord {
  const { secret_hash: _hash, all_sites, ...rest } = row;
  return { ...rest, sites: toSiteGrant(row.role === 'owner' ? 1 : all_sites, sites) };
}

/** Makes a token; returns its record and the secret, which nobody will see again. */
export async function createToken(ctx: ServiceContext, input: CreateTokenInput): Promise<{ token: TokenRecord; secret: string }> {
  const sites: SiteGrant = input.role === 'owner' ? 'all' : normalizeSites(input.sites);
  if (!roleCovers(ctx.actor.role, input.role) || !sitesCover(ctx.actor.sites, sites)) {
    throw new AccessError('grant_exceeds_own', 'A token cannot have a role or sites that you do not have yourself.');
  }
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    const expiresAt = input.expiresInDays !== undefined ? now + input.expiresInDays * dayMs : (input.expiresAt ?? null);
    if (expiresAt !== null && expiresAt <= now) {
      throw new AccessError('grant_invalid', 'The expiry is in the past.', { errors: [{ field: 'body.expires_at', code: 'past', message: 'must be in the future' }] });
    }
    await assertSitesExist(trx, sites);
    const secret = `${TOKEN_PREFIX}${randomSecret()}`;
    const row: ApiTokenRow = {
      id: newId('tok', now),
      name: input.name,
      secret_hash: hashSecret(secret),
      secret_hint: secret.slice(0, TOKEN_PREFIX.length + 6),
      role: input.role,
      all_sites: sites === 'all' ? 1 : 0,
      owner_user_id: await ownerOf(ctx, trx),
      created_by_id: ctx.actor.id,
      created_by_label: ctx.actor.label,
      created_at: now,
      expires_at: expiresAt,
      last_used_at: null,
      revoked_at: null,
      revoked_by_id: null,
    };
    await trx.insertInto('api_tokens').values(row).execute();
    await replaceGrantedSites(trx, row.id, sites);
    return { token: toRecord(row, sites === 'all' ? [] : sites), secret };
  });
}

/** The person a new token acts for: the signed-in user, or the person behind the token making it. */
async function ownerOf(ctx: ServiceContext, db: ReturnType<typeof reader>): Promise<string | null> {
  if (ctx.actor.kind === 'user') return ctx.actor.id;
  if (ctx.actor.kind === 'token') {
    const parent = await db.selectFrom('api_tokens').select('owner_user_id').where('id', '=', ctx.actor.id).executeTakeFirst();
    return parent?.owner_user_id ?? null;
  }
  return null;
}

function mayView(actor: Actor, row: Pick<ApiTokenRow, 'owner_user_id' | 'created_by_id'>): boolean {
  return actor.role === 'owner' || row.created_by_id === actor.id || (actor.kind === 'user' && row.owner_user_id === actor.id);
}

export async function getToken(ctx: ServiceContext, id: string): Promise<TokenRecord> {
  const db = reader(ctx);
  const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !mayView(ctx.actor, row)) throw new AccessError('token_not_found', `No token ${id}.`);
  return toRecord(row, (await loadGrantedSites(db, [id])).get(id) ?? []);
}

/** Owners see every token; everybody else the tokens they made. Newest first. */
export async function listTokens(
  ctx: ServiceContext,
  query: { includeRevoked: boolean; limit: number; cursor?: string | undefined },
): Promise<{ records: TokenRecord[]; nextCursor: string | null }> {
  const db = reader(ctx);
  const after = decodeCursor(query.cursor, ['number', 'string']);
  let q = db.selectFrom('api_tokens').selectAll();
  const actor = ctx.actor;
  if (actor.role !== 'owner') {
    q = q.where((eb) => eb.or([eb('created_by_id', '=', actor.id), eb('owner_user_id', '=', actor.kind === 'user' ? actor.id : '')]));
  }
  if (!query.includeRevoked) q = q.where('revoked_at', 'is', null);
  if (after) {
    const [at, id] = after as [number, string];
    q = q.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const grants = await loadGrantedSites(db, page.map((r) => r.id));
  const last = page[page.length - 1];
  return { records: page.map((r) => toRecord(r, grants.get(r.id) ?? [])), nextCursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
}

/** Revokes a token at once; revoking a revoked token changes nothing. */
export async function revokeToken(ctx: ServiceContext, id: string): Promise<TokenRecord> {
  return inTransaction(ctx, async (trx) => {
    const token = await getToken({ ...ctx, trx }, id);
    if (token.revoked_at !== null) return token;
    const now = ctx.clock.now();
    await trx.updateTable('api_tokens').set({ revoked_at: now, revoked_by_id: ctx.actor.id }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    return { ...token, revoked_at: now, revoked_by_id: ctx.actor.id };
  });
}

/**
 * Revokes the live tokens that act for a user and exceed what the user now holds (every one of
 * them when `rights` is null: the user was disabled). Revoked for good, so a token does not come
 * back when the user is enabled or promoted again. Returns how many went.
 */
export async function revokeUserTokens(trx: Trx, userId: string, rights: { role: Role; sites: SiteGrant } | null, by: Actor, now: number): Promise<number> {
  const rows = await trx.selectFrom('api_tokens').selectAll().where('owner_user_id', '=', userId).where('revoked_at', 'is', null).execute();
  const grants = await loadGrantedSites(trx, rows.map((r) => r.id));
  const doomed = rows
    .map((r) => toRecord(r, grants.get(r.id) ?? []))
    .filter((t) => rights === null || !roleCovers(rights.role, t.role) || !sitesCover(rights.sites === 'all' ? 'all' : new Set(rights.sites), t.sites))
    .map((t) => t.id);
  if (doomed.length === 0) return 0;
  await trx.updateTable('api_tokens').set({ revoked_at: now, revoked_by_id: by.id }).where('id', 'in', doomed).where('revoked_at', 'is', null).execute();
  return doomed.length;
}

export type TokenCheck =
  | { ok: true; actor: Actor; token: TokenRecord }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'owner_disabled' | 'owner_lacks_role' };

/**
 * The token, the person it acts for and both their site grants, in one read: every API request
 * authenticates, and on PostgreSQL each statement is a round trip. One row per grant of either
 * (ids are prefixed, so a token's id never equals a user's), or one row with no grant.
 */
const tokenWithOwnerQuery = cachedQuery((db: Executor, args: { secretHash: string }) =>
  db
    .selectFrom('api_tokens as t')
    .leftJoin('users as u', 'u.id', 't.owner_user_id')
    .leftJoin('site_grants as g', (join) => join.on((eb) => eb.or([eb('g.principal_id', '=', eb.ref('t.id')), eb('g.principal_id', '=', eb.ref('t.owner_user_id'))])))
    .selectAll('t')
    .select(['u.id as owner_id', 'u.email as owner_email', 'u.role as owner_role', 'u.all_sites as owner_all_sites', 'u.status as owner_status', 'g.principal_id as grant_principal_id', 'g.site_id as grant_site_id'])
    .where('t.secret_hash', '=', args.secretHash),
);

/** Finds the token a bearer secret stands for and the actor it acts as. */
export async function authenticateToken(db: Database, secret: string, now: number): Promise<TokenCheck> {
  if (!secret.startsWith(TOKEN_PREFIX)) return { ok: false, reason: 'unknown' };
  const rows = await tokenWithOwnerQuery.execute(db.kysely, { secretHash: hashSecret(secret) });
  const first = rows[0];
  if (!first) return { ok: false, reason: 'unknown' };
  const { owner_id, owner_email, owner_role, owner_all_sites, owner_status, grant_principal_id: _p, grant_site_id: _s, ...row } = first;
  if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
  if (row.expires_at !== null && row.expires_at <= now) return { ok: false, reason: 'expired' };
  const owner = owner_id !== null ? { id: owner_id, email: owner_email!, role: owner_role!, all_sites: Number(owner_all_sites), status: owner_status! } : undefined;
  if (row.owner_user_id && (!owner || owner.status !== 'active')) return { ok: false, reason: 'owner_disabled' };
  if (owner && !roleCovers(owner.role, row.role)) return { ok: false, reason: 'owner_lacks_role' };
  const grants = new Map<string, string[]>([[row.id, []], ...(owner ? [[owner.id, []] as [string, string[]]] : [])]);
  for (const r of rows) if (r.grant_principal_id !== null && r.grant_site_id !== null) grants.get(r.grant_principal_id)?.push(r.grant_site_id);
  // Sorted here rather than by the database, whose collation may differ (as loadGrantedSites).
  for (const sites of grants.values()) sites.sort();
  const token = toRecord(row, grants.get(row.id) ?? []);
  let sites = toActorSites(token.sites === 'all', token.sites === 'all' ? [] : token.sites);
  if (owner) sites = intersectSites(sites, userActor(owner, grants.get(owner.id) ?? []).sites);
  if (row.last_used_at === null || now - row.last_used_at >= TOKEN_TOUCH_MS) {
    await db.kysely.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
    token.last_used_at = now;
  }
  return { ok: true, token, actor: { kind: 'token', id: row.id, label: `token ${row.name}`, role: row.role, sites } };
}
