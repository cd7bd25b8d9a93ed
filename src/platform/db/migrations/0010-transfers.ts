import type { Kysely } from 'kysely';

/**
 * Transfers between sites: the document, its lines (what was asked for and what happened to
 * it), its allocations (which source bin and lot each line is picked from, with the reservation
 * that holds the stock), its postings (each shipment, receipt and close, with its ledger
 * transaction) and the discrepancies found on receiving. Bin-to-bin moves inside one site are
 * documents of their own. Stock itself stays in the ledger's tables; quantities are thousandths,
 * money micros, times epoch milliseconds.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('transfers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source_site_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('destination_site_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('destination_bin_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('over_tolerance_ppm', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('requested_by', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('accepted_at', 'bigint')
    .addColumn('picked_at', 'bigint')
    .addColumn('first_shipped_at', 'bigint')
    .addColumn('last_received_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('cancelled_at', 'bigint')
    .execute();
  await db.schema.createIndex('transfers_status').on('transfers').columns(['status', 'id']).execute();
  await db.schema.createIndex('transfers_source').on('transfers').columns(['source_site_id', 'id']).execute();
  await db.schema.createIndex('transfers_destination').on('transfers').columns(['destination_site_id', 'id']).execute();

  await db.schema
    .createTable('transfer_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('transfer_id', 'text', (c) => c.notNull().references('transfers.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('qty_requested', 'bigint', (c) => c.notNull())
    .addColumn('qty_shipped', 'bigint', (c) => c.notNull())
    // Good units into the destination, over-receipts included.
    .addColumn('qty_received', 'bigint', (c) => c.notNull())
    // The part of qty_received beyond what was shipped (it comes from the adjustment location).
    .addColumn('qty_over', 'bigint', (c) => c.notNull())
    .addColumn('qty_damaged', 'bigint', (c) => c.notNull())
    // Shipped but never received: written off when the transfer is closed.
    .addColumn('qty_lost', 'bigint', (c) => c.notNull())
    // The cost carried with the goods: what left the source (at the item's cost when shipped) and
    // how it was accounted for; shipped = received + damaged + lost + what is still in transit.
    .addColumn('value_shipped_micros', 'bigint', (c) => c.notNull())
    .addColumn('value_received_micros', 'bigint', (c) => c.notNull())
    .addColumn('value_damaged_micros', 'bigint', (c) => c.notNull())
    .addColumn('value_lost_micros', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('transfer_lines_transfer').on('transfer_lines').columns(['transfer_id', 'line_no']).unique().execute();

  await db.schema
    .createTable('transfer_allocations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('transfer_id', 'text', (c) => c.notNull().references('transfers.id'))
    .addColumn('line_id', 'text', (c) => c.notNull().references('transfer_lines.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('reservation_id', 'text')
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('qty_picked', 'bigint', (c) => c.notNull())
    .addColumn('qty_shipped', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('transfer_allocations_transfer').on('transfer_allocations').columns(['transfer_id', 'seq']).execute();

  await db.schema
    .createTable('transfer_postings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('transfer_id', 'text', (c) => c.notNull().references('transfers.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('txn_id', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('note', 'text')
    .addColumn('effective_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('transfer_postings_transfer').on('transfer_postings').columns(['transfer_id', 'id']).execute();

  await db.schema
    .createTable('transfer_discrepancies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('transfer_id', 'text', (c) => c.notNull().references('transfers.id'))
    .addColumn('posting_id', 'text', (c) => c.notNull())
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('transfer_discrepancies_transfer').on('transfer_discrepancies').columns(['transfer_id', 'id']).execute();

  await db.schema
    .createTable('bin_moves')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('site_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('txn_id', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bin_moves_site').on('bin_moves').columns(['site_id', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
