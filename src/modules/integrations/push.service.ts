import { sql } from 'kysely';
import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { ChannelConnectionRow, ChannelVariantMapRow } from '../../platform/db/schema.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import type { StockObserver } from '../ledger/index.ts';
import { channelAvailability } from '../sales/index.ts';
import { Throttled, type LevelToSet, type PushOutcome } from './adapter.ts';
import { connected } from './connections.service.ts';
import { logSync } from './sync-log.ts';

/**
 * Stock out. A change of stock marks the mapped variants of every connection selling from the
 * touched site as owing a push (`dirty_gen` goes up, in the change's own transaction). The push
 * job reads each owed variant's generation, *then* the channel's available-to-sell (after buffers;
 * a bundle from its parts), sets it upstream as an absolute level with compare-and-set, and records
 * the generation it read: a sale during the push leaves the variant owing another. A burst of
 * sales is one push: a variant is pushed at most once per `intervalMs`, with the latest level.
 */

/** The shortest time between two pushes of one variant. */
export const PUSH_INTERVAL_MS = 5_000;
/** Variants per platform call; each platform batches within this. */
const pushBatch = 100;
/** After a network error or timeout, the connection rests this long. */
const errorPauseMs = 30_000;

/** Taken with the other stock observers' first reads (stock-observers.ts): one statement on PostgreSQL. */
export const dirtyMarker: StockObserver = {
  name: 'integrations.mark_dirty',
  blindWrite: (db, ids) =>
    db
      .updateTable('channel_variant_maps')
      .set((eb) => ({ dirty_gen: eb('dirty_gen', '+', 1) }))
      .where((eb) =>
        eb.or([
          eb('item_id', 'in', [...ids.itemIds]),
          // A bundle sold upstream moves when any of its parts does.
          eb('item_id', 'in', eb.selectFrom('item_components').select('item_id').where('component_item_id', 'in', [...ids.itemIds])),
        ]),
      )
      .where('connection_id', 'in', (eb) =>
        eb
          .selectFrom('channel_connections as cc')
          .innerJoin('channel_sites as cs', 'cs.channel_id', 'cc.channel_id')
          .innerJoin('locations as l', 'l.site_id', 'cs.site_id')
          .select('cc.id')
          .where('l.id', 'in', [...ids.locationIds]),
      ),
};

export interface PushOptions {
  intervalMs?: number;
  signal?: AbortSignal;
  connectionId?: string;
}

/** One round over every active connection not resting; returns how many levels were set upstream. */
export async function pushLevels(ctx: ServiceContext, options: PushOptions = {}): Promise<number> {
  let q = ctx.db.kysely.selectFrom('channel_connections').selectAll().where('status', '=', 'active').where('push_not_before', '<=', ctx.clock.now());
  if (options.connectionId) q = q.where('id', '=', options.connectionId);
  let set = 0;
  for (const connection of await q.execute()) {
    if (options.signal?.aborted) break;
    set += await pushConnection(ctx, connection, options.intervalMs ?? PUSH_INTERVAL_MS);
  }
  return set;
}

async function pushConnection(ctx: ServiceContext, connection: ChannelConnectionRow, intervalMs: number): Promise<number> {
  const now = ctx.clock.now();
  await markBufferChanges(ctx, connection);
  const owed = await ctx.db.kysely
    .selectFrom('channel_variant_maps')
    .selectAll()
    .where('connection_id', '=', connection.id)
    .where('item_id', 'is not', null)
    .where(sql<boolean>`dirty_gen > pushed_gen`)
    .where((eb) => eb.or([eb('pushed_at', 'is', null), eb('pushed_at', '<=', now - intervalMs)]))
    .orderBy('variant_ref')
    .limit(pushBatch)
    .execute();
  if (owed.length === 0) return 0;
  // Generations first, levels second: a change after this read leaves the variant owing a push.
  const levels = await Promise.all(owed.map(async (row) => ({ row, qty: await availableOf(ctx, connection.channel_id, row.item_id!) })));
  const link = connected(connection, () => ctx.clock.now());
  const toSet: LevelToSet[] = levels.map(({ row, qty }) => ({ ref: row.variant_ref, qty, expected: row.pushed_qty ?? row.upstream_qty }));
  let outcomes: PushOutcome[];
  try {
    outcomes = await link.adapter.setLevels(link.credentials, link.env, toSet, `${connection.id}-${owed.map((r) => `${r.variant_ref}:${r.dirty_gen}`).join(',')}`.slice(0, 190));
  } catch (error) {
    await rest(ctx, connection.id, error);
    return 0;
  }
  const at = ctx.clock.now();
  return inTransaction({ ...ctx, trx: undefined }, async (trx) => {
    let set = 0;
    for (const outcome of outcomes) {
      const level = levels.find((l) => l.row.variant_ref === outcome.ref);
      if (!level) continue;
      set += await recordOutcome(trx, connection.id, level.row, level.qty, outcome, at);
    }
    if (set) await logSync(trx, { connectionId: connection.id, kind: 'push', ok: true, detail: `${set} level(s) set` }, at);
    return set;
  });
}

async function availableOf(ctx: ServiceContext, channelId: string, itemId: string): Promise<number> {
  const { lines } = await channelAvailability({ ...ctx, trx: undefined }, channelId, { itemId, limit: 1 });
  return lines.find((l) => l.itemId === itemId)?.available ?? 0;
}

async function recordOutcome(trx: Trx, connectionId: string, row: ChannelVariantMapRow, qty: number, outcome: PushOutcome, at: number): Promise<number> {
  const mine = () => trx.updateTable('channel_variant_maps').where('connection_id', '=', connectionId).where('variant_ref', '=', row.variant_ref);
  if (outcome.outcome === 'set') {
    await trx
      .updateTable('channel_variant_maps')
      .set({ pushed_gen: row.dirty_gen, pushed_qty: qty, upstream_qty: qty, pushed_at: at })
      .where('connection_id', '=', connectionId)
      .where('variant_ref', '=', row.variant_ref)
      .execute();
    return 1;
  }
  if (outcome.outcome === 'stale') {
    // Upstream changed meanwhile (a sale there): believe what it says and set again next round.
    await mine().set({ pushed_qty: outcome.upstreamQty ?? null, upstream_qty: outcome.upstreamQty ?? null }).execute();
    return 0;
  }
  // Not found: recorded, and not tried again until the stock or the map changes. Failed: next round.
  if (outcome.outcome === 'not_found') await mine().set({ pushed_gen: row.dirty_gen, pushed_at: at }).execute();
  await logSync(trx, { connectionId, kind: 'push_failed', ok: false, ref: row.variant_ref, detail: `${row.title}: ${outcome.outcome}${outcome.error ? ` (${outcome.error})` : ''}` }, at);
  return 0;
}

/** The platform throttled us or did not answer: the connection rests, and the sync log says so. */
async function rest(ctx: ServiceContext, connectionId: string, error: unknown): Promise<void> {
  const now = ctx.clock.now();
  const throttled = error instanceof Throttled;
  const until = now + (throttled ? error.retryAfterMs : errorPauseMs);
  await inTransaction({ ...ctx, trx: undefined }, async (trx) => {
    await trx.updateTable('channel_connections').set({ push_not_before: until }).where('id', '=', connectionId).execute();
    await logSync(trx, { connectionId, kind: throttled ? 'throttled' : 'push_failed', ok: false, detail: throttled ? `throttled; pushing again in ${error.retryAfterMs} ms` : error instanceof Error ? error.message : String(error) }, now);
  });
}

/**
 * A buffer changed since a variant's last push changes what the channel may sell without any
 * stock moving: such variants owe a push too. (Once pushed, `pushed_at` is past the change.)
 */
async function markBufferChanges(ctx: ServiceContext, connection: ChannelConnectionRow): Promise<void> {
  await ctx.db.kysely
    .updateTable('channel_variant_maps')
    .set((eb) => ({ dirty_gen: eb('pushed_gen', '+', 1) }))
    .where('connection_id', '=', connection.id)
    .where(sql<boolean>`dirty_gen <= pushed_gen`)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('channel_item_buffers as b')
          .select('b.item_id')
          .where('b.channel_id', '=', connection.channel_id)
          .whereRef('b.item_id', '=', 'channel_variant_maps.item_id')
          .where(sql<boolean>`b.updated_at > coalesce(channel_variant_maps.pushed_at, 0)`),
      ),
    )
    .execute();
}
