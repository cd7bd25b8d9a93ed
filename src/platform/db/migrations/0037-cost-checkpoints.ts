import type { Kysely } from 'kysely';

/**
 * Checkpoints of an item's cost state: its open FIFO layers (or average pool), pending shortfalls
 * and last cost as they stood just after one valued movement. A back-dated entry re-costs the item
 * from the last checkpoint before its instant instead of from the item's first movement. Derived
 * data like the rest of costing: dropped and rebuilt whenever the item's history is replayed.
 * `since_checkpoint` counts the item's valued movements since its latest checkpoint.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cost_checkpoints')
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('effective_at', 'bigint', (c) => c.notNull())
    .addColumn('movement_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('cost_checkpoints_pk', ['item_id', 'effective_at', 'movement_id'])
    .execute();
  await db.schema.alterTable('item_costs').addColumn('since_checkpoint', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
