import type { Kysely } from 'kysely';

/**
 * Stock at a site as of a past day reads that day's snapshot rows for the site. Each row now
 * carries what its line needs: the item's cost pool at the snapshot (owned quantity and value,
 * from which its unit cost then follows) and its SKU, name and category then. A reader adds what
 * moved since to these rows, instead of looking up every item's cost pool row by row. The
 * snapshots taken so far lack them: they are deleted, and the job takes them again (answers read
 * the ledger meanwhile).
 *
 * The cost of goods of each sold line is the sum of its movements' values: the index on a
 * movement's document now holds its line, kind and value, so that sum reads the index alone and
 * stays right when re-costing rewrites a value. It replaces the index on the document alone, which
 * it also serves, so a movement's write keeps the same number of indexes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('stock_snapshot_balances').execute();
  await db.deleteFrom('stock_snapshot_costs').execute();
  await db.deleteFrom('stock_snapshot_days').execute();
  await db.schema.alterTable('stock_snapshot_balances').addColumn('pool_qty', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('stock_snapshot_balances').addColumn('pool_value_micros', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('stock_snapshot_balances').addColumn('sku', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('stock_snapshot_balances').addColumn('name', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('stock_snapshot_balances').addColumn('category', 'text').execute();
  await db.schema.createIndex('movements_document_line').on('movements').columns(['document_id', 'document_line_id', 'kind', 'value_micros']).execute();
  await db.schema.dropIndex('movements_document').execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
