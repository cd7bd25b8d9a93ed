import type { Kysely } from 'kysely';

/**
 * The online orders' share of the closed days' kept sales totals: the order lines first shipped
 * that day that nothing but a later recording can change (shipped that day alone, from one site,
 * not returned or refunded), added up by item, site and channel; and the day's other order lines,
 * listed, for the reports to read line by line. And the day's kept lines, counter and online,
 * added up by quarter hour, site and channel, for sales by hour, weekday and day. The days kept so
 * far hold neither: they are dropped, and the job adds them up again, orders and all.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sales_day_order_totals')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('lines', 'bigint', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('gross_micros', 'bigint', (c) => c.notNull())
    .addColumn('revenue_micros', 'bigint', (c) => c.notNull())
    .addColumn('cogs_micros', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sales_day_order_totals_pk', ['day', 'item_id', 'site_id', 'channel_id'])
    .execute();
  await db.schema
    .createTable('sales_day_order_lines')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('order_line_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sales_day_order_lines_pk', ['day', 'order_line_id'])
    .execute();
  // The kept lines by the quarter hour they were sold in (a counter line) or first shipped (an order line).
  await db.schema
    .createTable('sales_day_quarters')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('quarter', 'bigint', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('lines', 'bigint', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('gross_micros', 'bigint', (c) => c.notNull())
    .addColumn('discount_micros', 'bigint', (c) => c.notNull())
    .addColumn('revenue_micros', 'bigint', (c) => c.notNull())
    .addColumn('cogs_micros', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sales_day_quarters_pk', ['day', 'quarter', 'site_id', 'channel_id'])
    .execute();
  await db.deleteFrom('sales_day_totals').execute();
  await db.deleteFrom('sales_days').execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
