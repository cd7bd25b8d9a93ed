import { sql, type Kysely } from 'kysely';

/**
 * The delivery outbox: every outbound effect (an email, a text, a webhook call) is a row written
 * in the same transaction as the change that causes it, and delivered after commit by a worker.
 *
 * A worker claims a row by setting `status = 'sending'`, its own id in `claimed_by` and a
 * `lease_until`; a claim whose lease has run out (its instance crashed) is claimed again by any
 * worker. Each attempt leaves a row in `delivery_attempts`. Destinations can be paused.
 * Webhook subscriptions keep their signing secret encrypted (see notifications/secret-box.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    // Where it goes: an email address, a phone number, a webhook subscription id. Pausing and
    // back-off act per destination.
    .addColumn('destination', 'text', (c) => c.notNull())
    // Deliveries sharing an ordering key go out one at a time, in id order (stock levels of one item).
    .addColumn('ordering_key', 'text')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // pending → sending → delivered, or back to pending with a later next_attempt_at, or dead.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .addColumn('claimed_by', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    // What the far side called the message (an SMTP message id, a provider's SID).
    .addColumn('provider_ref', 'text')
    .execute();
  await db.schema
    .createIndex('deliveries_due')
    .on('deliveries')
    .columns(['next_attempt_at', 'id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema.createIndex('deliveries_leased').on('deliveries').columns(['lease_until']).where(sql.ref('status'), '=', 'sending').execute();
  await db.schema.createIndex('deliveries_ordering').on('deliveries').columns(['ordering_key', 'id']).execute();
  await db.schema.createIndex('deliveries_destination').on('deliveries').columns(['destination', 'status']).execute();
  await db.schema.createIndex('deliveries_event').on('deliveries').columns(['event_id']).execute();

  await db.schema
    .createTable('delivery_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('deliveries.id'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    // delivered | retry | dead
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_excerpt', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('delivery_attempts_by_delivery').on('delivery_attempts').columns(['delivery_id', 'attempt']).execute();

  await db.schema
    .createTable('paused_destinations')
    .addColumn('destination', 'text', (c) => c.primaryKey())
    .addColumn('paused_at', 'bigint', (c) => c.notNull())
    .addColumn('paused_by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute();

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    // JSON array of event types; ["*"] is every event.
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    // The secret before the last rotation, still signing beside the new one until previous_expires_at.
    .addColumn('previous_secret_sealed', 'text')
    .addColumn('previous_expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();

  // Channel settings (SMTP, text provider, webhook rules) as key/value rows; secrets sealed.
  await db.schema
    .createTable('notification_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  // The purchase order's emailed copy: which delivery carries it and the message id once sent.
  await db.schema.alterTable('purchase_orders').addColumn('email_delivery_id', 'text').execute();
  await db.schema.alterTable('purchase_orders').addColumn('email_message_id', 'text').execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
