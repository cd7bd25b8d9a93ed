import type { InferResult } from 'kysely';
import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { enqueueDelivery } from './enqueue.ts';

/**
 * The events a webhook subscription can ask for, and `emitWebhookEvent`, which the module where
 * an event happens calls inside its own transaction: one delivery per active subscription that
 * wants the type, all carrying one event id (the `webhook-id` a receiver de-duplicates on).
 */
export const WEBHOOK_EVENT_TYPES = {
  'stock.level_changed': 'On hand, reserved and available of an item at a site changed (a sale, a receipt, an adjustment, a reservation).',
  'item.low': 'An item fell to or below its minimum at a site (sent by alert rules).',
  'item.out_of_stock': 'An item ran out at a site (sent by alert rules).',
  'item.negative_stock': 'An item went below zero at a site and needs a count (sent by alert rules).',
  'lot.expiring': 'A lot expires within the rule’s days (sent by alert rules).',
  'purchase_order.late': 'A purchase order is past its expected date (sent by alert rules).',
  'count.variance': 'A count found a large variance (sent by alert rules).',
  'sales.discounts_voids': 'One employee gave large discounts or many voids in a day (sent by alert rules).',
  'delivery.failed': 'An outbound delivery reached dead-letter (sent by alert rules).',
  'order.created': 'A customer or channel order was created.',
  'purchase_order.sent': 'A purchase order was sent to its vendor.',
  'purchase_order.received': 'A receipt against a purchase order was posted.',
  'count.approved': 'A stock count was approved and its variances posted.',
  'webhook.test': 'Sent by the test-send action only.',
} as const satisfies Record<string, string>;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_TYPES;

export function isWebhookEventType(value: string): value is WebhookEventType {
  return Object.hasOwn(WEBHOOK_EVENT_TYPES, value);
}

export interface WebhookEvent {
  type: WebhookEventType;
  data: Record<string, unknown>;
  /** Deliveries of one key go out in order per subscription (stock levels of one item). */
  orderingKey?: string;
}

/** The active subscriptions. Asked on every posting (each sale's stock levels): with the other stock observers' first reads there. */
export const activeSubscriptionsRead = (db: Executor) => db.selectFrom('webhook_subscriptions').select(['id', 'event_types']).where('active', '=', 1);
const activeSubscriptionsQuery = cachedQuery((db: Executor, _args: Record<string, never>) => activeSubscriptionsRead(db));
export type ActiveSubscription = InferResult<ReturnType<typeof activeSubscriptionsRead>>[number];

/** Subscriptions that want `type`: active, naming it or every event (`*`); `active` when already read. */
export async function subscribersOf(db: Executor, type: string, active?: readonly ActiveSubscription[]): Promise<string[]> {
  const rows = active ?? (await activeSubscriptionsQuery.execute(db, {}));
  return rows.filter((r) => wants(r.event_types, type)).map((r) => r.id);
}

function wants(eventTypes: string, type: string): boolean {
  const types = JSON.parse(eventTypes) as string[];
  return type !== 'webhook.test' && (types.includes('*') || types.includes(type));
}

/**
 * Writes one webhook delivery per interested subscription, in the caller's transaction. Returns
 * the event id (also when nobody subscribes, so a caller can log it).
 */
export async function emitWebhookEvent(trx: Trx, event: WebhookEvent, now: number): Promise<string> {
  return emitTo(trx, await subscribersOf(trx, event.type), event, now);
}

async function emitTo(trx: Trx, subscribers: readonly string[], event: WebhookEvent, now: number): Promise<string> {
  const eventId = newId('evt', now);
  for (const subscriptionId of subscribers) {
    await enqueueDelivery(
      trx,
      {
        channel: 'webhook',
        destination: subscriptionId,
        eventType: event.type,
        eventId,
        payload: { type: event.type, data: event.data },
        ...(event.orderingKey ? { orderingKey: `${subscriptionId}:${event.orderingKey}` } : {}),
      },
      now,
    );
  }
  return eventId;
}

/**
 * `stock.level_changed` from the ledger's stock observer: per touched item and site (virtual
 * locations left out), the site's on hand, reserved and available after the change. Nothing is
 * read when no subscription wants it, so a shop without webhooks pays one small query per posting.
 */
export async function emitStockLevels(
  trx: Trx,
  touches: ReadonlyArray<{ itemId: string; locationId: string }>,
  now: number,
  active?: readonly ActiveSubscription[],
): Promise<void> {
  if (touches.length === 0) return;
  const subscribers = await subscribersOf(trx, 'stock.level_changed', active);
  if (subscribers.length === 0) return;
  const locationIds = [...new Set(touches.map((t) => t.locationId))];
  const sites = await trx.selectFrom('locations').select(['id', 'site_id']).where('id', 'in', locationIds).where('kind', '!=', 'virtual').execute();
  const pairs = new Map<string, { itemId: string; siteId: string }>();
  for (const t of touches) {
    const siteId = sites.find((s) => s.id === t.locationId)?.site_id;
    if (siteId) pairs.set(`${t.itemId}\u0000${siteId}`, { itemId: t.itemId, siteId });
  }
  for (const { itemId, siteId } of [...pairs.values()].sort((a, b) => (a.itemId + a.siteId < b.itemId + b.siteId ? -1 : 1))) {
    const level = await trx
      .selectFrom('balances as b')
      .innerJoin('locations as l', 'l.id', 'b.location_id')
      .select((eb) => [eb.fn.sum<number>('b.on_hand').as('on_hand'), eb.fn.sum<number>('b.reserved').as('reserved')])
      .where('b.item_id', '=', itemId)
      .where('l.site_id', '=', siteId)
      .executeTakeFirst();
    const onHand = Number(level?.on_hand ?? 0);
    const reserved = Number(level?.reserved ?? 0);
    await emitTo(
      trx,
      subscribers,
      {
        type: 'stock.level_changed',
        data: { item_id: itemId, site_id: siteId, on_hand: quantityToNumber(onHand), reserved: quantityToNumber(reserved), available: quantityToNumber(onHand - reserved), changed_at: new Date(now).toISOString() },
        orderingKey: `${itemId}:${siteId}`,
      },
      now,
    );
  }
}
