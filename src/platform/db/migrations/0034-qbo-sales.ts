import type { Kysely } from 'kysely';

/**
 * Sales in the QuickBooks journal, an option per connection (off by default). Each journal
 * posting records whether its day was booked with sales, so turning the option on or off changes
 * only days not yet booked: a correction of a day keeps the scope the day was first booked with.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('qbo_connections').addColumn('sync_sales', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('qbo_postings').addColumn('with_sales', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
