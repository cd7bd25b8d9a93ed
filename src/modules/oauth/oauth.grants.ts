import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { AccessError, loadGrantedSites } from '../access/index.ts';
import { OauthError } from './oauth.errors.ts';

/**
 * Linked apps: the grants users gave OAuth clients. A person sees and revokes their own; an
 * owner anybody's. Anybody else's reads as absent (404), like another person's tokens.
 */
export interface LinkedAppRecord {
  id: string;
  client_id: string;
  client_name: string;
  user_id: string;
  scopes: string[];
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** Enough for every app a person could link; revoked links are not listed. */
export const LINKED_APPS_MAX = 100;

function mayManage(ctx: ServiceContext, userId: string): boolean {
  return ctx.actor.role === 'owner' || (ctx.actor.kind === 'user' && ctx.actor.id === userId);
}

function linkedApps(db: Executor) {
  return db
    .selectFrom('oauth_grants as g')
    .innerJoin('oauth_clients as c', 'c.id', 'g.client_id')
    .select(['g.id', 'g.client_id', 'c.name as client_name', 'g.user_id', 'g.scopes', 'g.created_at', 'g.last_used_at', 'g.revoked_at']);
}

type LinkedAppRow = Awaited<ReturnType<ReturnType<typeof linkedApps>['executeTakeFirstOrThrow']>>;
const toRecord = (row: LinkedAppRow): LinkedAppRecord => ({ ...row, scopes: row.scopes.split(' ').filter(Boolean) });

/** A user's live links, newest first. */
export async function listLinkedApps(ctx: ServiceContext, userId: string): Promise<LinkedAppRecord[]> {
  const db = reader(ctx);
  const user = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  if (!user || !mayManage(ctx, userId)) throw new AccessError('user_not_found', `No user ${userId}.`);
  const rows = await linkedApps(db)
    .where('g.user_id', '=', userId)
    .where('g.revoked_at', 'is', null)
    .where('c.revoked_at', 'is', null)
    .orderBy('g.created_at', 'desc')
    .orderBy('g.id', 'desc')
    .limit(LINKED_APPS_MAX)
    .execute();
  return rows.map(toRecord);
}

/** Unlinks an app: every token of the grant stops working at once. Revoking a revoked link changes nothing. */
export async function revokeLinkedApp(ctx: ServiceContext, grantId: string): Promise<LinkedAppRecord> {
  return inTransaction(ctx, async (trx) => {
    const row = await linkedApps(trx).where('g.id', '=', grantId).executeTakeFirst();
    if (!row || !mayManage(ctx, row.user_id)) throw new OauthError('oauth_grant_not_found', `No linked app ${grantId}.`);
    if (row.revoked_at !== null) return toRecord(row);
    const now = ctx.clock.now();
    await trx.updateTable('oauth_grants').set({ revoked_at: now, revoked_by_id: ctx.actor.id, revoked_reason: 'revoked' }).where('id', '=', grantId).where('revoked_at', 'is', null).execute();
    return toRecord({ ...row, revoked_at: now });
  });
}

export async function loadUserSites(db: Database, userId: string): Promise<string[]> {
  return (await loadGrantedSites(db.kysely, [userId])).get(userId) ?? [];
}
