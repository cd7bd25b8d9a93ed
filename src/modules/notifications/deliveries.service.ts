import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { DeliveryAttemptTable, DeliveryTable, PausedDestinationTable } from '../../platform/db/schema.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { NotificationError } from './notifications.errors.ts';
import { seesShopWide } from './webhook-subscriptions.service.ts';

/**
 * The delivery log and what a person can do about it: read each delivery with its attempts,
 * redeliver one (delivered or dead: back to pending now, with a fresh attempt budget; the event id
 * stays, so a receiver that already has it can tell), and pause or resume a destination (the worker
 * claims nothing for a paused destination; its deliveries wait, in order, and go once resumed).
 */
export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'dead'] as const;

export interface DeliveryQuery {
  status?: (typeof DELIVERY_STATUSES)[number] | undefined;
  channel?: string | undefined;
  destination?: string | undefined;
  eventId?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export async function listDeliveries(ctx: ServiceContext, query: DeliveryQuery): Promise<{ records: DeliveryTable[]; nextCursor: string | null }> {
  if (!seesShopWide(ctx)) return { records: [], nextCursor: null };
  let q = reader(ctx).selectFrom('deliveries').selectAll();
  if (query.status) q = q.where('status', '=', query.status);
  if (query.channel) q = q.where('channel', '=', query.channel);
  if (query.destination) q = q.where('destination', '=', query.destination);
  if (query.eventId) q = q.where('event_id', '=', query.eventId);
  const after = decodeCursor(query.cursor, ['string']);
  if (after) q = q.where('id', '<', after[0] as string);
  const rows = await q.orderBy('id', 'desc').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  return { records: page, nextCursor: more ? encodeCursor([page[page.length - 1]!.id]) : null };
}

export interface DeliveryRecord {
  delivery: DeliveryTable;
  attempts: DeliveryAttemptTable[];
  paused: boolean;
}

export async function getDelivery(ctx: ServiceContext, id: string): Promise<DeliveryRecord> {
  const db = reader(ctx);
  const delivery = seesShopWide(ctx) ? await db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (!delivery) throw new NotificationError('delivery_not_found', `No delivery ${id}.`);
  const attempts = await db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', id).orderBy('attempt').orderBy('id').limit(200).execute();
  const paused = await db.selectFrom('paused_destinations').select('destination').where('destination', '=', delivery.destination).executeTakeFirst();
  return { delivery, attempts, paused: paused !== undefined };
}

export async function redeliver(ctx: ServiceContext, id: string): Promise<DeliveryRecord> {
  await inTransaction(ctx, async (trx) => {
    const row = seesShopWide(ctx) ? await trx.selectFrom('deliveries').select(['status']).where('id', '=', id).executeTakeFirst() : undefined;
    if (!row) throw new NotificationError('delivery_not_found', `No delivery ${id}.`);
    if (row.status !== 'delivered' && row.status !== 'dead') {
      throw new NotificationError('delivery_state', `A ${row.status} delivery is already on its way; redeliver one that was delivered or dead-lettered.`, { extra: { current_status: row.status } });
    }
    await trx
      .updateTable('deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: ctx.clock.now(), delivered_at: null, claimed_by: null, lease_until: null })
      .where('id', '=', id)
      .where('status', '=', row.status)
      .execute();
  });
  return getDelivery(ctx, id);
}

export interface DestinationSummary {
  destination: string;
  channel: string;
  pending: number;
  dead: number;
  delivered: number;
  paused: PausedDestinationTable | null;
}

/** Every destination with deliveries or a pause, with counts by status. */
export async function listDestinations(ctx: ServiceContext): Promise<DestinationSummary[]> {
  if (!seesShopWide(ctx)) return [];
  const db = reader(ctx);
  const counts = await db
    .selectFrom('deliveries')
    .select((eb) => ['destination', 'channel', 'status', eb.fn.countAll<number>().as('n')])
    .groupBy(['destination', 'channel', 'status'])
    .execute();
  const paused = await db.selectFrom('paused_destinations').selectAll().execute();
  const byDestination = new Map<string, DestinationSummary>();
  const entry = (destination: string, channel: string) => {
    let e = byDestination.get(destination);
    if (!e) byDestination.set(destination, (e = { destination, channel, pending: 0, dead: 0, delivered: 0, paused: null }));
    return e;
  };
  for (const c of counts) {
    const e = entry(c.destination, c.channel);
    const n = Number(c.n);
    if (c.status === 'pending' || c.status === 'sending') e.pending += n;
    else if (c.status === 'dead') e.dead += n;
    else if (c.status === 'delivered') e.delivered += n;
  }
  for (const p of paused) entry(p.destination, byDestination.get(p.destination)?.channel ?? 'unknown').paused = p;
  return [...byDestination.values()].sort((a, b) => (a.destination < b.destination ? -1 : 1)).slice(0, 500);
}

export async function pauseDestination(ctx: ServiceContext, destination: string, reason: string | null): Promise<PausedDestinationTable> {
  return inTransaction(ctx, async (trx) => {
    const row = { destination, paused_at: ctx.clock.now(), paused_by: ctx.actor.id, reason };
    await trx.insertInto('paused_destinations').values(row).onConflict((oc) => oc.column('destination').doNothing()).execute();
    return (await trx.selectFrom('paused_destinations').selectAll().where('destination', '=', destination).executeTakeFirst())!;
  });
}

/** Resumes a paused destination; what waited is due at once. */
export async function resumeDestination(ctx: ServiceContext, destination: string): Promise<{ destination: string; released: number }> {
  return inTransaction(ctx, async (trx) => {
    const removed = await trx.deleteFrom('paused_destinations').where('destination', '=', destination).executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw new NotificationError('destination_not_paused', `${destination} is not paused.`);
    const now = ctx.clock.now();
    const released = await trx.updateTable('deliveries').set({ next_attempt_at: now }).where('destination', '=', destination).where('status', '=', 'pending').where('next_attempt_at', '>', now).executeTakeFirst();
    const waiting = await trx.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('destination', '=', destination).where('status', '=', 'pending').executeTakeFirst();
    void released;
    return { destination, released: Number(waiting?.n ?? 0) };
  });
}
