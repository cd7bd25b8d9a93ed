import type { Kysely } from 'kysely';

/**
 * Returns to vendor: goods sent back from a site, optionally against the receipt they came in on.
 * Posting moves the stock to the vendor at the cost the ledger assigns (FIFO layers or the
 * average) and fixes the credit expected from the vendor, in the vendor's currency; the
 * accounting sync then books it as a vendor credit.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('vendor_returns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('vendor_id', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('receipt_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('exchange_rate_e9', 'bigint')
    .addColumn('returned_at', 'bigint')
    // What the vendor owes back for the goods, in its currency, fixed when posted.
    .addColumn('credit_micros', 'bigint')
    .addColumn('value_micros', 'bigint')
    .addColumn('txn_id', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('posted_at', 'bigint')
    .addColumn('posted_by', 'text')
    .addColumn('cancelled_at', 'bigint')
    .execute();
  await db.schema.createIndex('vendor_returns_site').on('vendor_returns').columns(['site_id', 'created_at']).execute();
  await db.schema.createIndex('vendor_returns_posted').on('vendor_returns').columns(['status', 'posted_at']).execute();
  await db.schema
    .createTable('vendor_return_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('return_id', 'text', (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('receipt_line_id', 'text')
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('bin_id', 'text', (c) => c.notNull())
    .addColumn('qty_base', 'bigint', (c) => c.notNull())
    // The vendor's price per base unit in its currency, as given; null: the price the goods came in at.
    .addColumn('unit_credit_micros', 'bigint')
    .addColumn('credit_micros', 'bigint')
    .addColumn('value_micros', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('vendor_return_lines_return').on('vendor_return_lines').columns(['return_id', 'line_no']).unique().execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
