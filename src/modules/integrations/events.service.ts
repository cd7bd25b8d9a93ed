import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { ChannelConnectionRow, ChannelEventRow } from '../../platform/db/schema.ts';
import { DEFAULT_BACKOFF, retryDelayMs } from '../notifications/index.ts';
import type { UpstreamOrder } from './adapter.ts';
import { applyUpstreamOrder } from './apply-order.ts';
import { connected, loadConnection } from './connections.service.ts';
import { logSync } from './sync-log.ts';

/**
 * Applies the webhooks taken in. Each event is leased before it is worked on (a conditional
 * update, so several server instances share the queue without taking one event twice), applied in
 * one transaction that also marks it done, and on failure tried again with backoff; after
 * `maxAttempts` it stays `failed` in the sync log until someone retries it.
 */
export const EVENT_LEASE_MS = 60_000;
export const MAX_EVENT_ATTEMPTS = 8;

export async function processChannelEvents(ctx: ServiceContext, options: { limit?: number; signal?: AbortSignal } = {}): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.db.kysely
    .selectFrom('channel_events')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(options.limit ?? 100)
    .execute();
  const connections = new Map<string, ChannelConnectionRow | undefined>();
  let handled = 0;
  for (const event of due) {
    if (options.signal?.aborted) break;
    if (!(await claim(ctx, event, now))) continue;
    if (!connections.has(event.connection_id)) connections.set(event.connection_id, await loadConnection(ctx.db.kysely, event.connection_id));
    await processOne(ctx, connections.get(event.connection_id), event);
    handled += 1;
  }
  return handled;
}

async function claim(ctx: ServiceContext, event: ChannelEventRow, now: number): Promise<boolean> {
  const claimed = await ctx.db.kysely
    .updateTable('channel_events')
    .set((eb) => ({ lease_until: now + EVENT_LEASE_MS, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', event.id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .executeTakeFirst();
  event.attempts += 1;
  return claimed.numUpdatedRows > 0n;
}

async function processOne(ctx: ServiceContext, connection: ChannelConnectionRow | undefined, event: ChannelEventRow): Promise<void> {
  try {
    if (!connection) throw new Error('the connection was removed');
    if (connection.status !== 'active') {
      // Paused: keep the event for when the connection is resumed.
      await ctx.db.kysely.updateTable('channel_events').set({ lease_until: null, attempts: event.attempts - 1, next_attempt_at: ctx.clock.now() + EVENT_LEASE_MS }).where('id', '=', event.id).execute();
      return;
    }
    const order = await orderOf(ctx, connection, event);
    await inTransaction({ ...ctx, trx: undefined }, async (trx) => {
      const outcome = order ? await applyUpstreamOrder({ ...ctx, trx }, connection, order) : 'unchanged';
      await trx.updateTable('channel_events').set({ status: 'done', done_at: ctx.clock.now(), lease_until: null, last_error: null }).where('id', '=', event.id).execute();
      if (outcome !== 'stale' && outcome !== 'unchanged') {
        await logSync(trx, { connectionId: connection.id, kind: 'order_applied', ok: true, ref: order?.orderRef ?? null, detail: `${event.topic}: order ${order?.name ?? ''} ${outcome}` }, ctx.clock.now());
      }
    });
  } catch (error) {
    await failed(ctx, event, error instanceof Error ? error.message : String(error));
  }
}

/** The order's state the event carries, or, when the platform sends only a reference, its state now. */
async function orderOf(ctx: ServiceContext, connection: ChannelConnectionRow, event: ChannelEventRow): Promise<UpstreamOrder | null> {
  const payload = JSON.parse(event.payload) as { order: UpstreamOrder | { orderRef: string } | null };
  if (!payload.order) return null;
  if ('lines' in payload.order) return payload.order;
  const link = connected(connection, () => ctx.clock.now());
  return link.adapter.getOrder(link.credentials, link.env, payload.order.orderRef);
}

async function failed(ctx: ServiceContext, event: ChannelEventRow, message: string): Promise<void> {
  const now = ctx.clock.now();
  const dead = event.attempts >= MAX_EVENT_ATTEMPTS;
  await inTransaction({ ...ctx, trx: undefined }, async (trx) => {
    await trx
      .updateTable('channel_events')
      .set({ status: dead ? 'failed' : 'pending', lease_until: null, last_error: message.slice(0, 1000), next_attempt_at: now + retryDelayMs(DEFAULT_BACKOFF, event.attempts, Math.random) })
      .where('id', '=', event.id)
      .execute();
    await logSync(trx, { connectionId: event.connection_id, kind: 'order_failed', ok: false, ref: event.order_ref, detail: `${event.topic} (attempt ${event.attempts}${dead ? ', giving up' : ''}): ${message}` }, now);
  });
}

/** Puts failed events of a connection back in the queue (the sync log's Retry). */
export async function retryFailedEvents(ctx: ServiceContext, connectionId: string): Promise<number> {
  const result = await inTransaction(ctx, (trx) =>
    trx
      .updateTable('channel_events')
      .set({ status: 'pending', attempts: 0, next_attempt_at: ctx.clock.now(), lease_until: null })
      .where('connection_id', '=', connectionId)
      .where('status', '=', 'failed')
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows);
}

/**
 * Asks each active platform for orders updated since the last poll (less a margin for clocks) and
 * applies them: webhooks that never came still arrive this way. Applying is by version, so what a
 * webhook already brought changes nothing.
 */
export const POLL_OVERLAP_MS = 5 * 60_000;

export async function pollOrders(ctx: ServiceContext, options: { signal?: AbortSignal } = {}): Promise<number> {
  const connections = await ctx.db.kysely.selectFrom('channel_connections').selectAll().where('status', '=', 'active').execute();
  let applied = 0;
  for (const connection of connections) {
    if (options.signal?.aborted) break;
    applied += await pollConnection(ctx, connection);
  }
  return applied;
}

export async function pollConnection(ctx: ServiceContext, connection: ChannelConnectionRow): Promise<number> {
  const started = ctx.clock.now();
  const link = connected(connection, () => ctx.clock.now());
  let cursor: string | null = null;
  let applied = 0;
  try {
    for (let page = 0; page < 100; page += 1) {
      const read: { orders: UpstreamOrder[]; nextCursor: string | null } = await link.adapter.listOrdersUpdatedSince(link.credentials, link.env, connection.polled_until - POLL_OVERLAP_MS, cursor);
      for (const order of read.orders) {
        try {
          const outcome = await applyUpstreamOrder({ ...ctx, trx: undefined }, connection, order);
          if (outcome !== 'stale') applied += 1;
        } catch (error) {
          await inTransaction({ ...ctx, trx: undefined }, (trx) =>
            logSync(trx, { connectionId: connection.id, kind: 'order_failed', ok: false, ref: order.orderRef, detail: `poll: ${error instanceof Error ? error.message : String(error)}` }, ctx.clock.now()),
          );
        }
      }
      cursor = read.nextCursor;
      if (!cursor) break;
    }
    await ctx.db.kysely.updateTable('channel_connections').set({ polled_until: started }).where('id', '=', connection.id).execute();
  } catch (error) {
    await inTransaction({ ...ctx, trx: undefined }, (trx) => logSync(trx, { connectionId: connection.id, kind: 'poll', ok: false, detail: error instanceof Error ? error.message : String(error) }, ctx.clock.now()));
  }
  return applied;
}

/**
 * Applied events are kept a week, then dropped: longer than any platform retries a delivery
 * (Shopify: 4 hours; older deliveries are refused as stale anyway), so de-duplication holds.
 */
export const CHANNEL_EVENTS_KEPT_MS = 7 * 24 * 60 * 60_000;

export async function purgeAppliedEvents(ctx: ServiceContext): Promise<number> {
  const result = await ctx.db.kysely.deleteFrom('channel_events').where('status', '=', 'done').where('done_at', '<', ctx.clock.now() - CHANNEL_EVENTS_KEPT_MS).executeTakeFirst();
  return Number(result.numDeletedRows);
}
