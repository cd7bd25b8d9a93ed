import { sql, type Kysely } from 'kysely';

/**
 * Cost layers and what drew on them. Everything here is derived from the ledger's movements
 * plus `inbound_costs` (what each document said stock cost when it came in), so an item's
 * valuation can be replayed from its history after a back-dated entry or a landed cost.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('item_costs')
    .addColumn('item_id', 'text', (c) => c.primaryKey())
    .addColumn('pool_qty', 'bigint', (c) => c.notNull())
    .addColumn('pool_value_micros', 'bigint', (c) => c.notNull())
    .addColumn('last_unit_cost_micros', 'bigint', (c) => c.notNull())
    .addColumn('last_effective_at', 'bigint', (c) => c.notNull())
    .addColumn('last_movement_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('inbound_costs')
    .addColumn('movement_id', 'text', (c) => c.primaryKey())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('unit_cost_micros', 'bigint')
    .addColumn('landed_micros', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbound_costs_item').on('inbound_costs').columns(['item_id']).execute();

  await db.schema
    .createTable('cost_layers')
    .addColumn('movement_id', 'text', (c) => c.primaryKey())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('effective_at', 'bigint', (c) => c.notNull())
    .addColumn('qty_in', 'bigint', (c) => c.notNull())
    .addColumn('value_in_micros', 'bigint', (c) => c.notNull())
    .addColumn('qty_remaining', 'bigint', (c) => c.notNull())
    .addColumn('value_remaining_micros', 'bigint', (c) => c.notNull())
    .addCheckConstraint('cost_layers_remaining', sql`qty_remaining >= 0 and qty_remaining <= qty_in`)
    .execute();
  await db.schema.createIndex('cost_layers_item').on('cost_layers').columns(['item_id', 'effective_at', 'movement_id']).execute();
  await db.schema
    .createIndex('cost_layers_open')
    .on('cost_layers')
    .columns(['item_id', 'effective_at', 'movement_id'])
    .where(sql.ref('qty_remaining'), '>', 0)
    .execute();

  await db.schema
    .createTable('cost_consumptions')
    .addColumn('movement_id', 'text', (c) => c.notNull())
    .addColumn('layer_id', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('effective_at', 'bigint', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('value_micros', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('cost_consumptions_pk', ['movement_id', 'layer_id'])
    .execute();
  await db.schema.createIndex('cost_consumptions_item').on('cost_consumptions').columns(['item_id', 'effective_at']).execute();
  await db.schema.createIndex('cost_consumptions_layer').on('cost_consumptions').columns(['layer_id']).execute();
  await db.schema
    .createIndex('cost_consumptions_shortfall')
    .on('cost_consumptions')
    .columns(['item_id', 'effective_at', 'movement_id'])
    .where(sql.ref('layer_id'), '=', '')
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
