import type { Kysely } from 'kysely';

/**
 * Sales-platform connections (Shopify, Square, WooCommerce), one per sales channel.
 *
 * - `channel_connections`: the platform, its credentials sealed at rest (secret-box), whether it is
 *   active, and the push and poll bookkeeping (`push_not_before` after the platform throttled us,
 *   `polled_until` where the last poll of recent orders reached).
 * - `channel_variant_maps`: every upstream variant seen, and the item it sells when mapped. A push
 *   is owed while `dirty_gen > pushed_gen`: a change of stock bumps `dirty_gen` in its own
 *   transaction, and the push job records the generation it read before it read the level, so a
 *   change during a push is never lost and a burst of sales costs one push.
 * - `channel_events`: webhooks taken in, de-duplicated by the platform's event id, processed later
 *   by a job that leases them.
 * - `channel_order_states`: the newest upstream state of each order applied, by its version, so a
 *   replayed or late event changes nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('channel_connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull().unique())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('credentials_sealed', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text')
    .addColumn('shop_name', 'text')
    .addColumn('last_tested_at', 'bigint')
    .addColumn('last_test_error', 'text')
    .addColumn('push_not_before', 'bigint', (c) => c.notNull())
    .addColumn('polled_until', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('channel_variant_maps')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('variant_ref', 'text', (c) => c.notNull())
    .addColumn('parent_ref', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('sku', 'text')
    .addColumn('barcode', 'text')
    .addColumn('price', 'text')
    .addColumn('item_id', 'text')
    .addColumn('matched_by', 'text')
    .addColumn('dirty_gen', 'bigint', (c) => c.notNull())
    .addColumn('pushed_gen', 'bigint', (c) => c.notNull())
    .addColumn('pushed_qty', 'bigint')
    .addColumn('pushed_at', 'bigint')
    .addColumn('upstream_qty', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_variant_maps_pk', ['connection_id', 'variant_ref'])
    .execute();
  await db.schema.createIndex('channel_variant_maps_item').on('channel_variant_maps').columns(['item_id', 'connection_id']).execute();

  await db.schema
    .createTable('channel_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('order_ref', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('done_at', 'bigint')
    .addUniqueConstraint('channel_events_event', ['connection_id', 'event_id'])
    .execute();
  await db.schema.createIndex('channel_events_due').on('channel_events').columns(['status', 'next_attempt_at']).execute();

  await db.schema
    .createTable('channel_order_states')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('order_ref', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('state_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_order_states_pk', ['connection_id', 'order_ref'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
