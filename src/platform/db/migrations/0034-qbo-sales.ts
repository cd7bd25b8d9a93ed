import type { Kysely } from 'kysely';

/**
 * Sales in the QuickBooks journal, an option per connection (off by default). Each journal
 * posting records whether its day was booked with sales, so turning the option on or off changes
 * only days not yet booked: a correction of a day keeps the scope the day was first booked with.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('qbo_connections').addColumn('sync_sales', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('qbo_postings').addColumn('with_sales', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // The sales journal reads a day's returns and shipments, and every earlier piece of their lines.
  await db.schema.createIndex('returns_time').on('returns').columns(['created_at']).execute();
  await db.schema.createIndex('shipments_shipped').on('shipments').columns(['shipped_at']).execute();
  await db.schema.createIndex('return_lines_sale_line').on('return_lines').columns(['sale_line_id']).execute();
  await db.schema.createIndex('return_lines_order_line').on('return_lines').columns(['order_line_id']).execute();
  await db.schema.createIndex('shipment_lines_order_line').on('shipment_lines').columns(['order_line_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
