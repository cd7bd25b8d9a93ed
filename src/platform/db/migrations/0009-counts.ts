import { sql, type Kysely } from 'kysely';

/**
 * Counts: documents whose lines each carry the instant they were counted (per bin, per lot), the
 * sheets several counters split a count into, scans nobody could name (held for a manager), and
 * each site's approval thresholds and cycle lengths.
 *
 * Units as everywhere: quantities bigint thousandths of the item's base unit, money bigint micros,
 * times epoch ms, flags 0/1, percentages bigint parts per million (10% = 100000).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('count_site_settings')
    .addColumn('site_id', 'text', (c) => c.primaryKey().references('locations.id'))
    .addColumn('qty_abs_threshold', 'bigint')
    .addColumn('qty_pct_threshold', 'bigint')
    .addColumn('value_abs_threshold_micros', 'bigint')
    .addColumn('value_pct_threshold', 'bigint')
    .addColumn('require_second_person', 'integer', (c) => c.notNull())
    .addColumn('cycle_a_days', 'integer', (c) => c.notNull())
    .addColumn('cycle_b_days', 'integer', (c) => c.notNull())
    .addColumn('cycle_c_days', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('counts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('site_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('scope_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('submitted_by', 'text')
    .addColumn('submitted_at', 'bigint')
    .addColumn('posted_by', 'text')
    .addColumn('posted_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('counts_site_created').on('counts').columns(['site_id', 'created_at']).execute();

  await db.schema
    .createTable('count_sheets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('count_id', 'text', (c) => c.notNull().references('counts.id'))
    .addColumn('sheet_no', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('location_ids_json', 'text', (c) => c.notNull())
    .addColumn('counter_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('count_sheets_count').on('count_sheets').columns(['count_id', 'sheet_no']).unique().execute();

  await db.schema
    .createTable('count_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('count_id', 'text', (c) => c.notNull().references('counts.id'))
    .addColumn('sheet_id', 'text')
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('found', 'integer', (c) => c.notNull())
    .addColumn('counted_qty', 'bigint')
    .addColumn('counted_at', 'bigint')
    .addColumn('counted_by', 'text')
    .addColumn('expected_qty', 'bigint')
    .addColumn('variance_qty', 'bigint')
    .addColumn('unit_cost_micros', 'bigint')
    .addColumn('variance_value_micros', 'bigint')
    .addColumn('needs_approval', 'integer', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('decision', 'text')
    .addColumn('decision_reason', 'text')
    .addColumn('edited_from_qty', 'bigint')
    .addColumn('txn_id', 'text')
    .addColumn('posted_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('count_lines_counted_not_negative', sql`counted_qty is null or counted_qty >= 0`)
    .execute();
  // One line per bin, item and lot in each round: two counters scanning the same shelf add to it.
  await db.schema.createIndex('count_lines_key').on('count_lines').columns(['count_id', 'location_id', 'item_id', 'lot_id', 'round']).unique().execute();
  await db.schema.createIndex('count_lines_item').on('count_lines').columns(['item_id', 'location_id', 'posted_at']).execute();

  await db.schema
    .createTable('count_unknown_scans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('count_id', 'text', (c) => c.notNull().references('counts.id'))
    .addColumn('location_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('scanned_by', 'text')
    .addColumn('scanned_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_item_id', 'text')
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'bigint')
    .execute();
  await db.schema.createIndex('count_unknown_scans_count').on('count_unknown_scans').columns(['count_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
