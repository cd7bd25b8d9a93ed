import type { Kysely } from 'kysely';

/**
 * An item's SKU, name and category by id from the index alone: a valuation read from the daily
 * snapshots joins every snapshot row to these, and the catalog row itself is wide (descriptions,
 * units, barcodes, search text), so the look-up per row reads a few bytes instead of the row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('items_facts').on('items').columns(['id', 'sku', 'name', 'category']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
