import type { Kysely } from 'kysely';

/**
 * Indexes that answer the reports' hottest look-ups from the index alone, on a big shop:
 * - an item's SKU, name and category by id, for the lines of a valuation read from the daily
 *   snapshots (the catalog row itself is wide: descriptions, units, barcodes, search text);
 * - the cost of goods a sale line posted, by document and line, for the sales facts behind
 *   profitability, ABC and the other sales reports (it replaces the index on the document alone,
 *   which it still serves);
 * - a sale's time, status, site and takings, for sales by day (it replaces the index on time and
 *   id, which it still serves).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('items_facts').on('items').columns(['id', 'sku', 'name', 'category']).execute();
  await db.schema.createIndex('movements_document_line').on('movements').columns(['document_id', 'document_line_id', 'kind', 'value_micros']).execute();
  await db.schema.dropIndex('movements_document').execute();
  await db.schema.createIndex('sales_time_totals').on('sales').columns(['created_at', 'id', 'status', 'site_id', 'subtotal_micros', 'discount_micros']).execute();
  await db.schema.dropIndex('sales_time').execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
