import { sql, type Kysely } from 'kysely';

/**
 * The ledger, catalog and locations. Written once for both dialects: `bigint` is a 64-bit
 * integer on PostgreSQL and has integer affinity on SQLite; there are no floats, no numerics
 * and no booleans (flags are 0/1 integers, so both dialects return the same value).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('locations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('parent_id', 'text', (c) => c.references('locations.id'))
    .addColumn('site_id', 'text')
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('site_type', 'text')
    .addColumn('virtual_type', 'text')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('full_code', 'text', (c) => c.notNull())
    .addColumn('full_code_key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('negative_stock', 'text')
    .addColumn('default_bin_id', 'text')
    .addColumn('pick_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('stock'))
    .addColumn('address', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('locations_parent').on('locations').columns(['parent_id']).execute();
  await db.schema.createIndex('locations_site').on('locations').columns(['site_id']).execute();
  await db.schema.createIndex('locations_path').on('locations').columns(['path']).execute();

  const virtual = ['vendor', 'customer', 'adjustment', 'scrap', 'production', 'transit'] as const;
  const names: Record<(typeof virtual)[number], string> = {
    vendor: 'Vendors',
    customer: 'Customers',
    adjustment: 'Inventory adjustments',
    scrap: 'Scrap',
    production: 'Production',
    transit: 'In transit',
  };
  await db
    .insertInto('locations')
    .values(
      virtual.map((type) => ({
        id: `loc_${type}`,
        parent_id: null,
        site_id: null,
        path: `/loc_${type}/`,
        kind: 'virtual',
        site_type: null,
        virtual_type: type,
        code: type.toUpperCase(),
        full_code: `~${type.toUpperCase()}`,
        full_code_key: `~${type.toUpperCase()}`,
        name: names[type],
        negative_stock: 'allow',
        default_bin_id: null,
        pick_order: 0,
        purpose: 'stock',
        address: null,
        status: 'active',
        created_at: 0,
        updated_at: 0,
      })),
    )
    .execute();

  await db.schema
    .createTable('items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('sku_key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('category', 'text')
    .addColumn('base_unit', 'text', (c) => c.notNull())
    .addColumn('tracking', 'text', (c) => c.notNull())
    .addColumn('tracks_expiry', 'integer', (c) => c.notNull())
    .addColumn('costing_method', 'text', (c) => c.notNull())
    .addColumn('price_micros', 'bigint')
    .addColumn('unit_weight_mg', 'bigint')
    .addColumn('stocked', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('units_json', 'text', (c) => c.notNull())
    .addColumn('barcodes_json', 'text', (c) => c.notNull())
    .addColumn('components_json', 'text', (c) => c.notNull())
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('items_category').on('items').columns(['category', 'name']).execute();
  await db.schema.createIndex('items_name').on('items').columns(['name', 'id']).execute();

  await db.schema
    .createTable('item_barcodes')
    .addColumn('code_key', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .execute();
  await db.schema.createIndex('item_barcodes_item').on('item_barcodes').columns(['item_id']).execute();

  await db.schema
    .createTable('item_components')
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('component_item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('item_components_pk', ['item_id', 'component_item_id'])
    .execute();
  await db.schema.createIndex('item_components_component').on('item_components').columns(['component_item_id']).execute();

  await db.schema
    .createTable('lots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('lots_item_code', ['item_id', 'code'])
    .execute();

  await db.schema
    .createTable('ledger_transactions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('document_type', 'text', (c) => c.notNull())
    .addColumn('document_id', 'text', (c) => c.notNull())
    .addColumn('effective_at', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .execute();
  await db.schema.createIndex('ledger_transactions_document').on('ledger_transactions').columns(['document_id']).execute();

  await db.schema
    .createTable('movements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('txn_id', 'text', (c) => c.notNull())
    // The foreign key is what stops an item with history from being deleted.
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('from_location_id', 'text', (c) => c.notNull())
    .addColumn('to_location_id', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('unit_cost_micros', 'bigint')
    .addColumn('value_micros', 'bigint')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('effective_at', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addColumn('document_type', 'text', (c) => c.notNull())
    .addColumn('document_id', 'text', (c) => c.notNull())
    .addColumn('document_line_id', 'text')
    .addColumn('actor_id', 'text')
    .addCheckConstraint('movements_qty_positive', sql`qty > 0`)
    .addCheckConstraint('movements_distinct_locations', sql`from_location_id <> to_location_id`)
    .execute();
  await db.schema.createIndex('movements_item_time').on('movements').columns(['item_id', 'effective_at', 'id']).execute();
  await db.schema.createIndex('movements_from_time').on('movements').columns(['from_location_id', 'effective_at']).execute();
  await db.schema.createIndex('movements_to_time').on('movements').columns(['to_location_id', 'effective_at']).execute();
  await db.schema.createIndex('movements_time').on('movements').columns(['effective_at', 'id']).execute();
  await db.schema.createIndex('movements_document').on('movements').columns(['document_id']).execute();
  await db.schema.createIndex('movements_txn').on('movements').columns(['txn_id']).execute();

  await db.schema
    .createTable('balances')
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull())
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('on_hand', 'bigint', (c) => c.notNull())
    .addColumn('reserved', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('balances_pk', ['item_id', 'location_id', 'lot_id'])
    .addCheckConstraint('balances_reserved_nonnegative', sql`reserved >= 0`)
    .execute();
  await db.schema.createIndex('balances_location').on('balances').columns(['location_id', 'item_id']).execute();

  await db.schema
    .createTable('reservations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull())
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('document_type', 'text', (c) => c.notNull())
    .addColumn('document_id', 'text', (c) => c.notNull())
    .addColumn('document_line_id', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('reservations_qty_nonnegative', sql`qty >= 0`)
    .execute();
  await db.schema.createIndex('reservations_balance').on('reservations').columns(['item_id', 'location_id', 'lot_id']).execute();
  await db.schema.createIndex('reservations_document').on('reservations').columns(['document_id']).execute();
  await db.schema.createIndex('reservations_expiry').on('reservations').columns(['expires_at']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('response_body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key', 'method', 'route'])
    .execute();
  await db.schema.createIndex('idempotency_keys_expiry').on('idempotency_keys').columns(['expires_at']).execute();

  await db.schema
    .createTable('adjustments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('effective_at', 'bigint', (c) => c.notNull())
    .addColumn('posted_at', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('txn_id', 'text', (c) => c.notNull())
    .addColumn('reverses_id', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('adjustments_posted').on('adjustments').columns(['posted_at', 'id']).execute();

  await db.schema
    .createTable('adjustment_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('adjustment_id', 'text', (c) => c.notNull().references('adjustments.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('qty_delta', 'bigint', (c) => c.notNull())
    .addColumn('unit_cost_micros', 'bigint')
    .execute();
  await db.schema.createIndex('adjustment_lines_adjustment').on('adjustment_lines').columns(['adjustment_id', 'line_no']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
