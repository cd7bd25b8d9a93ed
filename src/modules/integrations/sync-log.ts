import { reader, type ServiceContext } from '../../platform/context.ts';
import type { ChannelSyncLogRow } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';

/** What a connection did: the kinds the sync log shows. */
export type SyncLogKind = 'test' | 'webhook_refused' | 'order_applied' | 'order_failed' | 'push' | 'push_failed' | 'throttled' | 'reconcile' | 'poll' | 'catalogue';

export async function logSync(db: Executor, entry: { connectionId: string; kind: SyncLogKind; ok: boolean; ref?: string | null; detail: string }, now: number): Promise<void> {
  await db
    .insertInto('channel_sync_log')
    .values({ id: newId('csl', now), connection_id: entry.connectionId, at: now, kind: entry.kind, ok: entry.ok ? 1 : 0, ref: entry.ref ?? null, detail: entry.detail.slice(0, 1000) })
    .execute();
}

/** The log newest first, a page at a time; `failedOnly` for the errors. */
export async function listSyncLog(ctx: ServiceContext, connectionId: string, query: { limit: number; cursor?: string; failedOnly?: boolean }): Promise<{ entries: ChannelSyncLogRow[]; nextCursor: string | null }> {
  const after = decodeCursor(query.cursor, ['string']);
  let q = reader(ctx).selectFrom('channel_sync_log').selectAll().where('connection_id', '=', connectionId);
  if (query.failedOnly) q = q.where('ok', '=', 0);
  if (after) q = q.where('id', '<', after[0] as string);
  const rows = await q.orderBy('id', 'desc').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const entries = more ? rows.slice(0, query.limit) : rows;
  return { entries, nextCursor: more ? encodeCursor([entries[entries.length - 1]!.id]) : null };
}

/** The newest entry of each kind, for the channel's summary (last push, last order received). */
export async function lastOfKinds(db: Executor, connectionId: string, kinds: readonly SyncLogKind[]): Promise<Map<string, ChannelSyncLogRow>> {
  const found = new Map<string, ChannelSyncLogRow>();
  for (const kind of kinds) {
    const row = await db.selectFrom('channel_sync_log').selectAll().where('connection_id', '=', connectionId).where('kind', '=', kind).orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (row) found.set(kind, row);
  }
  return found;
}
