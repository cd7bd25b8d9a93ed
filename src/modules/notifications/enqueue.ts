import type { Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';

/** An email as the worker hands it to the mail transport. */
export interface EmailPayload {
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html?: string;
  /** Files by reference, rendered when the worker sends (a purchase order's PDF), never stored as bytes here. */
  attachments?: Array<{ kind: string; id: string; filename: string }>;
}

export interface SmsPayload {
  to: string;
  body: string;
}

/** A Standard Webhooks message: the worker signs and posts `{ type, timestamp, data }`. */
export interface WebhookPayload {
  type: string;
  data: Record<string, unknown>;
}

export type DeliveryRequest =
  | { channel: 'email'; payload: EmailPayload; destination: string; eventType: string; eventId?: string; orderingKey?: string; notBefore?: number }
  | { channel: 'sms'; payload: SmsPayload; destination: string; eventType: string; eventId?: string; orderingKey?: string; notBefore?: number }
  | { channel: 'webhook'; payload: WebhookPayload; destination: string; eventType: string; eventId?: string; orderingKey?: string; notBefore?: number };

/**
 * Writes one outbound effect to the delivery outbox inside the caller's transaction, so it is
 * sent if and only if the change that caused it commits. The worker delivers it after commit.
 * `destination` is what pausing and back-off act on (an address, a number, a subscription id);
 * `notBefore` holds it back (quiet hours, a morning digest). Returns the delivery's id.
 */
export async function enqueueDelivery(trx: Trx, request: DeliveryRequest, now: number): Promise<string> {
  const id = newId('dlv', now);
  await trx
    .insertInto('deliveries')
    .values({
      id,
      channel: request.channel,
      destination: request.destination,
      ordering_key: request.orderingKey ?? null,
      event_id: request.eventId ?? id,
      event_type: request.eventType,
      payload: JSON.stringify(request.payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: Math.max(now, request.notBefore ?? now),
      created_at: now,
      delivered_at: null,
    })
    .execute();
  announceEnqueued();
  return id;
}

type Listener = () => void;
const listeners = new Set<Listener>();
let announced: NodeJS.Timeout | null = null;

/**
 * Wakes this process's delivery worker shortly after an enqueue. The enqueue runs inside the
 * caller's transaction, which commits a moment later; the worker's timer finds whatever this
 * hint misses (a row committed after the claim looked, or one enqueued by another process).
 */
function announceEnqueued(): void {
  if (announced || listeners.size === 0) return;
  announced = setTimeout(() => {
    announced = null;
    for (const listener of listeners) listener();
  }, 15);
  announced.unref();
}

/** Subscribes a worker to enqueues made in this process; returns the unsubscribe. */
export function onDeliveryEnqueued(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
