import type { Kysely } from 'kysely';

/**
 * What the shop says about an item when it lists it somewhere (Google first): brand, picture, web
 * page, condition and whether it is listed on Google. Kept beside the items rather than on them,
 * since only the shops that list online fill them in; a variant takes what it leaves empty from
 * its product (`product_listings`). Then the Google Merchant link: the product feed's secret, the
 * service account (sealed), and what was last pushed, so a push sends only what changed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('item_listings')
    .addColumn('item_id', 'text', (c) => c.primaryKey())
    .addColumn('google', 'integer', (c) => c.notNull())
    .addColumn('brand', 'text')
    .addColumn('image_url', 'text')
    .addColumn('link_url', 'text')
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('product_listings')
    .addColumn('product_id', 'text', (c) => c.primaryKey())
    .addColumn('brand', 'text')
    .addColumn('image_url', 'text')
    .addColumn('link_url', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('google_merchant')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('product_feed_token_hash', 'text')
    .addColumn('merchant_id', 'text')
    .addColumn('data_source', 'text')
    .addColumn('content_language', 'text', (c) => c.notNull())
    .addColumn('feed_label', 'text', (c) => c.notNull())
    .addColumn('client_email', 'text')
    .addColumn('key_sealed', 'text')
    .addColumn('api_base', 'text')
    .addColumn('push_not_before', 'bigint', (c) => c.notNull())
    .addColumn('last_push_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('google_pushed')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('store_code', 'text', (c) => c.notNull())
    .addColumn('offer_id', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('pushed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('google_pushed_pk', ['kind', 'store_code', 'offer_id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
