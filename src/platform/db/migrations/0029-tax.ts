import type { Kysely } from 'kysely';

/**
 * Tax set up once instead of typed at the till: named rates, rules that give a rate to a site,
 * a category, or a category at one site (the most specific wins), items exempt from tax, and a
 * flag on sales and orders saying whether their prices included the tax (the shop setting
 * `prices_include_tax` at the time), so a receipt reads the same later. Order lines now carry
 * their rate and tax like sale lines do.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tax_rates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('rate_ppm', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('tax_rules')
    // '' means "any site" / "any category"; `category_key` is the category trimmed and lower-cased,
    // matched the way channel assortments match categories.
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('category_key', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('tax_rate_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('tax_rules_pk', ['site_id', 'category_key'])
    .execute();
  await db.schema.createIndex('tax_rules_rate').on('tax_rules').column('tax_rate_id').execute();
  await db.schema
    .createTable('tax_exempt_items')
    .addColumn('item_id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('sales').addColumn('tax_included', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('orders').addColumn('tax_included', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('order_lines').addColumn('tax_rate_ppm', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('order_lines').addColumn('tax_micros', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
