import type { Kysely } from 'kysely';

/**
 * Per-day sales totals for closed days, so a month's profitability, ABC and sales by item add up
 * about a row per item sold a day instead of every sold line joined to its sale. Kept by the
 * reports' job, like the stock snapshots, for the counter's lines no return or refund had reached
 * when the day was added up; the returned lines, the online orders and the days not (or no
 * longer) added up are read line by line as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // One row per closed local day added up: its instants, when, and up to when it had seen what
  // could change it (sales rung up, returns and voids, rewritten costs; ids are time-sortable).
  await db.schema
    .createTable('sales_days')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .addColumn('taken_at', 'bigint', (c) => c.notNull())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sales_days_start').on('sales_days').columns(['start_at']).execute();
  // The day's counter lines with nothing returned or refunded, added up by item, site and channel
  // ('' for the counter itself, so the key has no null).
  await db.schema
    .createTable('sales_day_totals')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('lines', 'bigint', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('gross_micros', 'bigint', (c) => c.notNull())
    .addColumn('discount_micros', 'bigint', (c) => c.notNull())
    .addColumn('revenue_micros', 'bigint', (c) => c.notNull())
    .addColumn('cogs_micros', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sales_day_totals_pk', ['day', 'item_id', 'site_id', 'channel_id'])
    .execute();
  // How far the job has looked for what makes a day's totals stale (one row).
  await db.schema
    .createTable('sales_day_state')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // Sale movements whose costs were rewritten after the fact: the sales rung up in [from_at, to_at]
  // no longer match their day's totals. Written by the ledger's re-costing hook.
  await db.schema
    .createTable('sales_day_invalidations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('from_at', 'bigint', (c) => c.notNull())
    .addColumn('to_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
