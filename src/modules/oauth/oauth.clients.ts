import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import type { OauthClientRow } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { hashSecret, randomSecret, safeEqual } from '../access/index.ts';
import { OauthError } from './oauth.errors.ts';

/**
 * OAuth clients: the apps an owner lets people link to their Stockroom account (the Alexa skill).
 * The client id is the record's id; the secret is shown once, when the client is registered, and
 * kept as its sha256 (it is 256 random bits, so a slow hash would buy nothing). Removing a client
 * revokes every grant it holds, so every token it was given stops working at once.
 */
export const CLIENT_SECRET_PREFIX = 'ocs_';
export const OAUTH_SCOPES = ['voice'] as const;
export type OauthScope = (typeof OAUTH_SCOPES)[number];
/** A shop links a handful of apps; the list is never paged. */
export const OAUTH_CLIENTS_MAX = 50;

export interface OauthClientRecord {
  id: string;
  name: string;
  secret_hint: string;
  redirect_uris: string[];
  scopes: OauthScope[];
  created_by_id: string;
  created_at: number;
  revoked_at: number | null;
}

export function toClientRecord(row: OauthClientRow): OauthClientRecord {
  return {
    id: row.id,
    name: row.name,
    secret_hint: row.secret_hint,
    redirect_uris: JSON.parse(row.redirect_uris_json) as string[],
    scopes: row.scopes.split(' ').filter(Boolean) as OauthScope[],
    created_by_id: row.created_by_id,
    created_at: row.created_at,
    revoked_at: row.revoked_at,
  };
}

export async function registerClient(
  ctx: ServiceContext,
  input: { name: string; redirectUris: readonly string[]; scopes: readonly OauthScope[] },
): Promise<{ client: OauthClientRecord; secret: string }> {
  const secret = `${CLIENT_SECRET_PREFIX}${randomSecret()}`;
  return inTransaction(ctx, async (trx) => {
    const live = await trx.selectFrom('oauth_clients').select((eb) => eb.fn.countAll<number>().as('n')).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
    if (Number(live.n) >= OAUTH_CLIENTS_MAX) {
      throw new OauthError('oauth_clients_limit', `A shop has at most ${OAUTH_CLIENTS_MAX} OAuth clients; remove one first.`);
    }
    const now = ctx.clock.now();
    const row: OauthClientRow = {
      id: newId('oac', now),
      name: input.name,
      secret_hash: hashSecret(secret),
      secret_hint: secret.slice(0, CLIENT_SECRET_PREFIX.length + 6),
      redirect_uris_json: JSON.stringify([...new Set(input.redirectUris)]),
      scopes: [...new Set(input.scopes)].join(' '),
      created_by_id: ctx.actor.id,
      created_at: now,
      revoked_at: null,
    };
    await trx.insertInto('oauth_clients').values(row).execute();
    return { client: toClientRecord(row), secret };
  });
}

export async function listClients(ctx: ServiceContext): Promise<OauthClientRecord[]> {
  const rows = await reader(ctx).selectFrom('oauth_clients').selectAll().where('revoked_at', 'is', null).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map(toClientRecord);
}

export async function getClient(ctx: ServiceContext, id: string): Promise<OauthClientRecord> {
  const row = await findLiveClient(reader(ctx), id);
  if (!row) throw new OauthError('oauth_client_not_found', `No OAuth client ${id}.`);
  return toClientRecord(row);
}

/** Removes a client: it can no longer sign in, and every grant it holds is revoked. */
export async function removeClient(ctx: ServiceContext, id: string): Promise<OauthClientRecord> {
  return inTransaction(ctx, async (trx) => {
    const row = await findLiveClient(trx, id);
    if (!row) throw new OauthError('oauth_client_not_found', `No OAuth client ${id}.`);
    const now = ctx.clock.now();
    await trx.updateTable('oauth_clients').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    await trx
      .updateTable('oauth_grants')
      .set({ revoked_at: now, revoked_by_id: ctx.actor.id, revoked_reason: 'client_removed' })
      .where('client_id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return toClientRecord({ ...row, revoked_at: now });
  });
}

export async function findLiveClient(db: Executor, id: string): Promise<OauthClientRow | undefined> {
  return db.selectFrom('oauth_clients').selectAll().where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
}

/** The client a token request authenticates as, or null: unknown, removed, or the wrong secret (compared in constant time). */
export async function authenticateClient(db: Executor, id: string, secret: string): Promise<OauthClientRow | null> {
  const row = await findLiveClient(db, id);
  // Hash even when there is no such client, so the answer takes as long either way.
  const sentHash = hashSecret(secret);
  if (!row) return null;
  return safeEqual(sentHash, row.secret_hash) ? row : null;
}
