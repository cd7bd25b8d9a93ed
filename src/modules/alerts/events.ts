import type { Trx } from '../../platform/db/transaction.ts';
import { enqueueDelivery, subscribersOf } from '../notifications/index.ts';

/**
 * Outbound webhook events of alerts. Webhook subscriptions belong to the notifications module;
 * this module asks it "who subscribes to this event type?" through a finder, which a test may
 * replace to see deliveries without making subscriptions.
 */
export interface WebhookSubscriber {
  /** The subscription's id: the delivery's destination, which the worker signs and posts for. */
  id: string;
}

export type WebhookSubscriberFinder = (trx: Trx, eventType: string) => Promise<readonly WebhookSubscriber[]>;

const subscribed: WebhookSubscriberFinder = async (trx, eventType) => (await subscribersOf(trx, eventType)).map((id) => ({ id }));
let finder: WebhookSubscriberFinder = subscribed;

/** Sets who receives webhook events (tests); `null` restores the subscriptions table. */
export function setWebhookSubscriberFinder(next: WebhookSubscriberFinder | null): void {
  finder = next ?? subscribed;
}

/**
 * Writes one webhook delivery per subscription to `type`, in the caller's transaction. Each
 * delivery's event id is `eventId:subscription` (stable across redeliveries, so a receiver
 * de-duplicates by it); without `eventId` it is the delivery's own id. Returns the
 * deliveries' ids.
 */
export async function publishEvent(trx: Trx, type: string, data: Record<string, unknown>, now: number, options: { eventId?: string; find?: WebhookSubscriberFinder } = {}): Promise<string[]> {
  const subscribers = await (options.find ?? finder)(trx, type);
  const ids: string[] = [];
  for (const subscriber of subscribers) {
    ids.push(
      await enqueueDelivery(
        trx,
        { channel: 'webhook', destination: subscriber.id, eventType: type, payload: { type, data }, ...(options.eventId ? { eventId: `${options.eventId}:${subscriber.id}` } : {}) },
        now,
      ),
    );
  }
  return ids;
}
