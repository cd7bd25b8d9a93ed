import { randomBytes } from 'node:crypto';
import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import type { WebhookSubscriptionTable } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { checkWebhookUrl } from './address-guard.ts';
import { enqueueDelivery } from './enqueue.ts';
import { readNotificationSettings } from './notification-settings.ts';
import { NotificationError } from './notifications.errors.ts';
import { sealSecret } from './secret-box.ts';
import { isWebhookEventType } from './webhook-events.ts';

/**
 * Webhook subscriptions: a URL, the event types it wants, and a signing secret shown once (at
 * creation and at each rotation) and kept sealed (secret-box.ts). After a rotation the previous
 * secret keeps signing beside the new one for `ROTATION_OVERLAP_MS`, so a receiver can switch
 * without dropping a message. Shop-wide: seen only by someone granted every site.
 */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60_000;

export interface SubscriptionInput {
  url: string;
  event_types: string[];
  description?: string | null | undefined;
  active?: boolean | undefined;
}

export type SubscriptionWithSecret = { subscription: WebhookSubscriptionTable; secret: string };

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** Shop-wide records are for actors granted every site; anyone else is told they do not exist. */
export function seesShopWide(ctx: ServiceContext): boolean {
  return ctx.actor.sites === 'all';
}

/**
 * Refuses a URL that resolves to a private address (unless allowed). Resolving is network I/O, so
 * it runs before any transaction: a route calls it before `runCommand` opens one, and the service
 * functions call it themselves only when they open their own transaction (no `ctx.trx`).
 */
export async function assertWebhookUrl(ctx: Pick<ServiceContext, 'db'>, url: string): Promise<void> {
  const settings = await readNotificationSettings(ctx.db.kysely);
  const check = await checkWebhookUrl(url, settings.webhooksAllowPrivate);
  if (!check.ok) throw new NotificationError('webhook_url_refused', `This URL cannot receive webhooks: ${check.reason}.`, { errors: [{ field: 'body.url', code: 'url_refused', message: check.reason }] });
}

function assertTypes(types: string[]): void {
  const unknown = types.filter((t) => t !== '*' && !isWebhookEventType(t));
  if (unknown.length) throw new NotificationError('webhook_event_type_unknown', `Unknown event types: ${unknown.join(', ')}.`, { extra: { unknown } });
}

export async function createWebhookSubscription(ctx: ServiceContext, input: SubscriptionInput): Promise<SubscriptionWithSecret> {
  assertTypes(input.event_types);
  if (!ctx.trx) await assertWebhookUrl(ctx, input.url);
  const secret = newWebhookSecret();
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    const row: WebhookSubscriptionTable = {
      id: newId('whs', now),
      url: input.url,
      description: input.description ?? null,
      event_types: JSON.stringify([...new Set(input.event_types)]),
      active: input.active === false ? 0 : 1,
      secret_sealed: sealSecret(secret),
      previous_secret_sealed: null,
      previous_expires_at: null,
      created_at: now,
      updated_at: now,
      created_by: ctx.actor.id,
    };
    await trx.insertInto('webhook_subscriptions').values(row).execute();
    return { subscription: row, secret };
  });
}

async function load(db: Executor, ctx: ServiceContext, id: string): Promise<WebhookSubscriptionTable> {
  const row = seesShopWide(ctx) ? await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw new NotificationError('webhook_subscription_not_found', `No webhook subscription ${id}.`);
  return row;
}

export async function getWebhookSubscription(ctx: ServiceContext, id: string): Promise<WebhookSubscriptionTable> {
  return load(reader(ctx), ctx, id);
}

export async function listWebhookSubscriptions(ctx: ServiceContext): Promise<WebhookSubscriptionTable[]> {
  if (!seesShopWide(ctx)) return [];
  // A shop has a handful; the list is bounded all the same.
  return reader(ctx).selectFrom('webhook_subscriptions').selectAll().orderBy('id').limit(500).execute();
}

export async function updateWebhookSubscription(ctx: ServiceContext, id: string, patch: Partial<SubscriptionInput>): Promise<WebhookSubscriptionTable> {
  if (patch.event_types) assertTypes(patch.event_types);
  if (patch.url !== undefined && !ctx.trx) await assertWebhookUrl(ctx, patch.url);
  return inTransaction(ctx, async (trx) => {
    await load(trx, ctx, id);
    await trx
      .updateTable('webhook_subscriptions')
      .set({
        ...(patch.url !== undefined ? { url: patch.url } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.event_types !== undefined ? { event_types: JSON.stringify([...new Set(patch.event_types)]) } : {}),
        ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
        updated_at: ctx.clock.now(),
      })
      .where('id', '=', id)
      .execute();
    return load(trx, ctx, id);
  });
}

/** Deletes the subscription; its deliveries still pending are dead-lettered at their next attempt. */
export async function deleteWebhookSubscription(ctx: ServiceContext, id: string): Promise<{ id: string; deleted: true }> {
  return inTransaction(ctx, async (trx) => {
    await load(trx, ctx, id);
    await trx.deleteFrom('webhook_subscriptions').where('id', '=', id).execute();
    return { id, deleted: true as const };
  });
}

/** A new secret, shown once; the previous one signs beside it for a day. */
export async function rotateWebhookSecret(ctx: ServiceContext, id: string): Promise<SubscriptionWithSecret> {
  const secret = newWebhookSecret();
  return inTransaction(ctx, async (trx) => {
    const current = await load(trx, ctx, id);
    const now = ctx.clock.now();
    await trx
      .updateTable('webhook_subscriptions')
      .set({ secret_sealed: sealSecret(secret), previous_secret_sealed: current.secret_sealed, previous_expires_at: now + ROTATION_OVERLAP_MS, updated_at: now })
      .where('id', '=', id)
      .execute();
    return { subscription: await load(trx, ctx, id), secret };
  });
}

/** Enqueues a `webhook.test` event to this subscription alone; the delivery log shows how it went. */
export async function sendTestWebhook(ctx: ServiceContext, id: string): Promise<{ delivery_id: string; event_id: string }> {
  return inTransaction(ctx, async (trx) => {
    await load(trx, ctx, id);
    const now = ctx.clock.now();
    const eventId = newId('evt', now);
    const deliveryId = await enqueueDelivery(
      trx,
      { channel: 'webhook', destination: id, eventType: 'webhook.test', eventId, payload: { type: 'webhook.test', data: { subscription_id: id, sent_by: ctx.actor.label } } },
      now,
    );
    return { delivery_id: deliveryId, event_id: eventId };
  });
}
