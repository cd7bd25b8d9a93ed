import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { transact } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import type { WebhookRequest } from './adapter.ts';
import { connected, loadConnection } from './connections.service.ts';
import { IntegrationError } from './integrations.errors.ts';
import { logSync } from './sync-log.ts';

/**
 * Webhook intake: verify, de-duplicate, write down, answer. The platforms retry anything not
 * answered 2xx within seconds (Shopify: 5 s), so nothing here applies the order; the event is
 * written durably in one short transaction and the events job applies it. A refused delivery
 * changes nothing but the sync log, where the owner sees why (unsigned, mis-signed, stale).
 */
export async function takeWebhook(db: Database, clock: Clock, connectionId: string, request: WebhookRequest): Promise<{ duplicate: boolean; eventId: string }> {
  const row = await loadConnection(db.kysely, connectionId);
  if (!row) throw new IntegrationError('connection_not_found', `No connection ${connectionId}.`);
  const link = connected(row, () => clock.now());
  const verdict = link.adapter.verifyWebhook(request, link.credentials, link.env);
  const now = clock.now();
  if ('refused' in verdict) {
    await transact(db, (trx) => logSync(trx, { connectionId, kind: 'webhook_refused', ok: false, detail: `webhook refused: ${verdict.refused}` }, now));
    throw new IntegrationError('webhook_refused', `The webhook was refused: ${verdict.refused}.`, { extra: { reason: verdict.refused } });
  }
  const orderRef = verdict.order ? verdict.order.orderRef : null;
  const inserted = await transact(db, (trx) =>
    trx
      .insertInto('channel_events')
      .values({
        id: newId('cev', now),
        connection_id: connectionId,
        event_id: verdict.eventId.slice(0, 200),
        topic: verdict.topic.slice(0, 100),
        fired_at: verdict.firedAt,
        received_at: now,
        order_ref: orderRef,
        payload: JSON.stringify({ order: verdict.order }),
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        lease_until: null,
        last_error: null,
        done_at: null,
      })
      .onConflict((oc) => oc.columns(['connection_id', 'event_id']).doNothing())
      .returning('id')
      .executeTakeFirst(),
  );
  announceEvent();
  return { duplicate: !inserted, eventId: verdict.eventId };
}

type Listener = () => void;
const listeners = new Set<Listener>();

/** Lets a worker start on new events at once instead of at its next tick (the server and the bench). */
export function onChannelEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function announceEvent(): void {
  for (const listener of listeners) listener();
}
