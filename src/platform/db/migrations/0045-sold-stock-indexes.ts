import { sql, type Kysely } from 'kysely';

/**
 * Two indexes that month-long reads answer from alone, without looking up a row per entry:
 *
 * - The sale and shipment movements by item and time, holding the kind, the location stock left
 *   and the quantity. Dead and slow stock asks, item by item, when each last sold and how much it
 *   sold in four weeks; read by time instead, four weeks of sales had to be sorted by item (about
 *   230,000 movements on the scale-100 shop: 350 ms of the report). Partial, so that only the sold
 *   movements pay for it: a sale writes an entry per line. The condition is two terms joined by
 *   `or`: SQLite uses a partial index for a query that names it in the same words, but not for
 *   `kind in (…)`; and with the kind among the columns the index covers the query.
 * - The sales by time carry their status, site and takings, so sales by day reads a month of
 *   sales from the index. The same entries as before, wider.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('movements_sold_item')
    .on('movements')
    .columns(['item_id', 'effective_at', 'kind', 'from_location_id', 'qty'])
    .where(sql<boolean>`kind = 'sale' or kind = 'shipment'`)
    .execute();
  await db.schema.dropIndex('sales_time').execute();
  await db.schema.createIndex('sales_time').on('sales').columns(['created_at', 'id', 'status', 'site_id', 'subtotal_micros', 'discount_micros']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
