import type { Kysely } from 'kysely';

/**
 * Price history: one row per change of an item's selling price made by the pricing calculator,
 * with the cost it was priced over and the reason given, so the item page can show how its price
 * moved and why. Prices changed by editing the item are recorded by the audit log as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('price_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('old_price_micros', 'bigint')
    .addColumn('new_price_micros', 'bigint', (c) => c.notNull())
    // Which cost the price was set over ('last' | 'average' | 'replacement') and that cost per base unit.
    .addColumn('cost_basis', 'text', (c) => c.notNull())
    .addColumn('cost_micros', 'bigint')
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('price_changes_item').on('price_changes').columns(['item_id', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
