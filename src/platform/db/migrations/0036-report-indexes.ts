import type { Kysely } from 'kysely';

/**
 * A valuation as of a past day reads the daily snapshot of every item's cost pool, and shows each
 * item's SKU, name and category: these are now kept on the snapshot rows, as they were when the
 * snapshot was taken, so the answer reads one table, not a catalog row per item. Readers patch
 * the few items edited since from the catalog, found by the index on when an item last changed.
 * The snapshots taken so far lack them: they are deleted, and the job takes them again (answers
 * read the ledger meanwhile).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('stock_snapshot_balances').execute();
  await db.deleteFrom('stock_snapshot_costs').execute();
  await db.deleteFrom('stock_snapshot_days').execute();
  await db.schema.alterTable('stock_snapshot_costs').addColumn('sku', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('stock_snapshot_costs').addColumn('name', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('stock_snapshot_costs').addColumn('category', 'text').execute();
  await db.schema.createIndex('items_updated').on('items').columns(['updated_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
