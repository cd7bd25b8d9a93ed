import type { Kysely } from 'kysely';

/**
 * Products with variants: a product names up to three options (size, colour, material) with their
 * ordered values, and groups items as its variants. Each variant stays a full item (its own SKU,
 * barcodes, price, stock, levels), so nothing that reads items changes. Items made before products
 * existed have no product_variants row: they are single items, a product of one variant in every
 * view, without a backfill that would write a product per existing item.
 *
 * Empty option values are stored as '' rather than null so the unique index below treats two
 * variants with the same values as the same on both databases (nulls are distinct in unique indexes).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('handle_key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('category', 'text')
    // [{ "name": "Size", "values": ["S", "M", "L"] }, …], at most three, values in display order.
    .addColumn('options_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('product_variants')
    .addColumn('item_id', 'text', (c) => c.primaryKey().references('items.id'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('option1', 'text', (c) => c.notNull())
    .addColumn('option2', 'text', (c) => c.notNull())
    .addColumn('option3', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('product_variants_values').on('product_variants').columns(['product_id', 'option1', 'option2', 'option3']).unique().execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
