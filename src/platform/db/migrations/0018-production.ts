import type { Kysely } from 'kysely';

/**
 * Production: bills of materials (versioned; a recipe change adds a version and keeps the old
 * one for the orders that used it), production orders with their component lines and each
 * completion posted, disassemblies, and the ledger's cost derivations, which say that the cost
 * of some stock that came in (a batch of loaves) is the cost of other movements (the flour and
 * butter it consumed) plus a fixed amount, so re-costing one walks on to the other.
 *
 * Units as everywhere: quantities bigint thousandths of the item's base unit, money bigint
 * micros, times epoch ms, percentages bigint parts per million (95% = 950000).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('boms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('batch_qty', 'bigint', (c) => c.notNull())
    .addColumn('yield_ppm', 'bigint', (c) => c.notNull())
    .addColumn('scrap_ppm', 'bigint', (c) => c.notNull())
    .addColumn('labour_micros', 'bigint', (c) => c.notNull())
    .addColumn('labour_basis', 'text', (c) => c.notNull())
    .addColumn('overhead_micros', 'bigint', (c) => c.notNull())
    .addColumn('overhead_basis', 'text', (c) => c.notNull())
    .addColumn('shelf_life_days', 'integer')
    .addColumn('note', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('boms_item_version').on('boms').columns(['item_id', 'version']).unique().execute();

  await db.schema
    .createTable('bom_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bom_id', 'text', (c) => c.notNull().references('boms.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('component_item_id', 'text', (c) => c.notNull().references('items.id'))
    // Base units per batch; `unit`/`unit_qty` keep what the person typed (250 g of a kg item).
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('unit', 'text')
    .addColumn('unit_qty', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bom_lines_bom').on('bom_lines').columns(['bom_id', 'line_no']).unique().execute();
  await db.schema.createIndex('bom_lines_component').on('bom_lines').columns(['component_item_id']).execute();

  await db.schema
    .createTable('production_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('bin_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('bom_id', 'text', (c) => c.notNull().references('boms.id'))
    .addColumn('qty_planned', 'bigint', (c) => c.notNull())
    .addColumn('qty_produced', 'bigint', (c) => c.notNull())
    .addColumn('qty_scrapped', 'bigint', (c) => c.notNull())
    .addColumn('labour_planned_micros', 'bigint', (c) => c.notNull())
    .addColumn('overhead_planned_micros', 'bigint', (c) => c.notNull())
    .addColumn('planned_for', 'text')
    .addColumn('note', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('production_orders_site').on('production_orders').columns(['site_id', 'id']).execute();
  await db.schema.createIndex('production_orders_status').on('production_orders').columns(['status', 'id']).execute();

  await db.schema
    .createTable('production_order_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('production_orders.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('qty_planned', 'bigint', (c) => c.notNull())
    .addColumn('qty_consumed', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('production_order_lines_order').on('production_order_lines').columns(['order_id', 'line_no']).unique().execute();

  await db.schema
    .createTable('production_postings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('consumption_txn_id', 'text')
    .addColumn('production_txn_id', 'text')
    .addColumn('output_item_id', 'text')
    .addColumn('qty_produced', 'bigint', (c) => c.notNull())
    .addColumn('qty_scrapped', 'bigint', (c) => c.notNull())
    .addColumn('labour_micros', 'bigint', (c) => c.notNull())
    .addColumn('overhead_micros', 'bigint', (c) => c.notNull())
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('derivation_id', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('note', 'text')
    .addColumn('effective_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('production_postings_order').on('production_postings').columns(['order_id', 'id']).execute();

  await db.schema
    .createTable('disassemblies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('site_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('bin_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('lines_json', 'text', (c) => c.notNull())
    .addColumn('consumption_txn_id', 'text', (c) => c.notNull())
    .addColumn('production_txn_id', 'text', (c) => c.notNull())
    .addColumn('derivation_id', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('effective_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('disassemblies_site').on('disassemblies').columns(['site_id', 'id']).execute();

  // The ledger's: an inbound movement's cost derived from other movements' values.
  await db.schema
    .createTable('cost_derivations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('document_type', 'text', (c) => c.notNull())
    .addColumn('document_id', 'text', (c) => c.notNull())
    .addColumn('extra_micros', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('cost_derivation_sources')
    .addColumn('derivation_id', 'text', (c) => c.notNull().references('cost_derivations.id'))
    .addColumn('movement_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('cost_derivation_sources_pk', ['derivation_id', 'movement_id'])
    .execute();
  await db.schema.createIndex('cost_derivation_sources_movement').on('cost_derivation_sources').columns(['movement_id']).execute();
  await db.schema
    .createTable('cost_derivation_outputs')
    .addColumn('derivation_id', 'text', (c) => c.notNull().references('cost_derivations.id'))
    .addColumn('movement_id', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    // Relative weight of this output in the derived value (a disassembly's apportionment).
    .addColumn('weight', 'bigint', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('cost_derivation_outputs_pk', ['derivation_id', 'movement_id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
