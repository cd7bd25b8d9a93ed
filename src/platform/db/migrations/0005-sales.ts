import { sql, type Kysely } from 'kysely';

/**
 * Selling: modifier groups (catalog data), sales channels and their availability outbox, counter
 * sales with their lines, modifiers, discounts and payments, online orders, returns, voids and
 * exchanges, and the fulfillment documents (pick lists, shipments, parcels). Quantities are
 * thousandths of the base unit, money is micros, rates are parts per million, times are epoch
 * milliseconds; no floats, no booleans. Stock itself stays in the ledger's tables.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await createModifierTables(db);
  await createChannelTables(db);
  await createSaleTables(db);
  await createOrderTables(db);
  await createReturnTables(db);
  await createFulfillmentTables(db);
}

async function createModifierTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('modifier_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('selection', 'text', (c) => c.notNull())
    .addColumn('min_select', 'integer', (c) => c.notNull())
    .addColumn('max_select', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('modifiers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('group_id', 'text', (c) => c.notNull().references('modifier_groups.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('price_delta_micros', 'bigint', (c) => c.notNull())
    // What the modifier does to the parent's components, per one base unit of the parent.
    .addColumn('components_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('modifiers_group').on('modifiers').columns(['group_id', 'position']).execute();

  await db.schema
    .createTable('item_modifier_groups')
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('group_id', 'text', (c) => c.notNull().references('modifier_groups.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('item_modifier_groups_pk', ['item_id', 'group_id'])
    .execute();
  await db.schema.createIndex('item_modifier_groups_group').on('item_modifier_groups').columns(['group_id']).execute();
}

async function createChannelTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('backorder_policy', 'text', (c) => c.notNull())
    .addColumn('reservation_ttl_ms', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('channel_sites')
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_sites_pk', ['channel_id', 'site_id'])
    .execute();
  await db.schema.createIndex('channel_sites_site').on('channel_sites').columns(['site_id', 'channel_id']).execute();

  await db.schema
    .createTable('channel_item_buffers')
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_item_buffers_pk', ['channel_id', 'item_id'])
    .addCheckConstraint('channel_item_buffers_qty', sql`qty > 0`)
    .execute();

  // One row per item: the last sequence number given to an event about it. Taking the next
  // number locks the row until commit, so events of one item are numbered in commit order.
  await db.schema
    .createTable('outbox_sequences')
    .addColumn('item_id', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('outbox_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .addUniqueConstraint('outbox_events_item_seq', ['item_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('outbox_events_undelivered')
    .on('outbox_events')
    .columns(['created_at', 'id'])
    .where(sql.ref('delivered_at'), 'is', null)
    .execute();
}

async function createSaleTables(db: Kysely<any>): Promise<void> {
  // Receipt numbers come from a sequence per register (till): two tills never wait on each other.
  await db.schema
    .createTable('sale_registers')
    .addColumn('register_key', 'text', (c) => c.primaryKey())
    .addColumn('last_number', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sales')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('register', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('subtotal_micros', 'bigint', (c) => c.notNull())
    .addColumn('discount_micros', 'bigint', (c) => c.notNull())
    .addColumn('tax_micros', 'bigint', (c) => c.notNull())
    .addColumn('total_micros', 'bigint', (c) => c.notNull())
    .addColumn('paid_micros', 'bigint', (c) => c.notNull())
    .addColumn('change_micros', 'bigint', (c) => c.notNull())
    .addColumn('refunded_micros', 'bigint', (c) => c.notNull())
    .addColumn('employee', 'text')
    .addColumn('note', 'text')
    .addColumn('exchange_id', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sales_site_time').on('sales').columns(['site_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('sales_time').on('sales').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('sale_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sale_id', 'text', (c) => c.notNull().references('sales.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('base_unit_price_micros', 'bigint', (c) => c.notNull())
    .addColumn('unit_price_micros', 'bigint', (c) => c.notNull())
    .addColumn('gross_micros', 'bigint', (c) => c.notNull())
    .addColumn('line_discount_micros', 'bigint', (c) => c.notNull())
    .addColumn('sale_discount_micros', 'bigint', (c) => c.notNull())
    .addColumn('net_micros', 'bigint', (c) => c.notNull())
    .addColumn('tax_rate_ppm', 'bigint', (c) => c.notNull())
    .addColumn('tax_micros', 'bigint', (c) => c.notNull())
    .addColumn('total_micros', 'bigint', (c) => c.notNull())
    .addColumn('qty_returned', 'bigint', (c) => c.notNull())
    .addColumn('refunded_micros', 'bigint', (c) => c.notNull())
    .addCheckConstraint('sale_lines_returned', sql`qty_returned >= 0 and qty_returned <= qty`)
    .execute();
  await db.schema.createIndex('sale_lines_sale').on('sale_lines').columns(['sale_id', 'line_no']).execute();

  await db.schema
    .createTable('sale_line_modifiers')
    .addColumn('sale_line_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('sale_id', 'text', (c) => c.notNull())
    .addColumn('modifier_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('price_delta_micros', 'bigint', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('amount_micros', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sale_line_modifiers_pk', ['sale_line_id', 'position'])
    .execute();
  await db.schema.createIndex('sale_line_modifiers_time').on('sale_line_modifiers').columns(['created_at', 'modifier_id']).execute();
  await db.schema.createIndex('sale_line_modifiers_sale').on('sale_line_modifiers').columns(['sale_id']).execute();

  await db.schema
    .createTable('sale_discounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sale_id', 'text', (c) => c.notNull())
    .addColumn('sale_line_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('percent_ppm', 'bigint')
    .addColumn('amount_micros', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('employee', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sale_discounts_sale').on('sale_discounts').columns(['sale_id']).execute();

  // Money in and out at the counter: a sale's payments and a return's refunds, by tender.
  await db.schema
    .createTable('payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('document_type', 'text', (c) => c.notNull())
    .addColumn('document_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('tender', 'text', (c) => c.notNull())
    .addColumn('amount_micros', 'bigint', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('payments_amount_positive', sql`amount_micros > 0`)
    .execute();
  await db.schema.createIndex('payments_document').on('payments').columns(['document_id']).execute();
}

async function createOrderTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    .addColumn('channel_order_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('customer_name', 'text')
    .addColumn('customer_email', 'text')
    .addColumn('ship_to', 'text')
    .addColumn('total_micros', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('confirmed_at', 'bigint')
    .addColumn('cancel_reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('orders_channel_order', ['channel_id', 'channel_order_id'])
    .execute();
  await db.schema.createIndex('orders_time').on('orders').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('orders_expiry').on('orders').columns(['expires_at']).where(sql.ref('expires_at'), 'is not', null).execute();

  await db.schema
    .createTable('order_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('unit_price_micros', 'bigint', (c) => c.notNull())
    .addColumn('total_micros', 'bigint', (c) => c.notNull())
    .addColumn('allocation', 'text', (c) => c.notNull())
    // Packed into a shipment not yet sent: still open and reserved, but no longer free to cancel.
    .addColumn('qty_packed', 'bigint', (c) => c.notNull())
    .addColumn('qty_shipped', 'bigint', (c) => c.notNull())
    .addColumn('qty_delivered', 'bigint', (c) => c.notNull())
    .addColumn('qty_cancelled', 'bigint', (c) => c.notNull())
    .addColumn('qty_returned', 'bigint', (c) => c.notNull())
    .addColumn('refunded_micros', 'bigint', (c) => c.notNull())
    // The stocked items the line consumes in all (a bundle's components), [{item_id, qty}].
    .addColumn('parts_json', 'text', (c) => c.notNull())
    .addCheckConstraint('order_lines_quantities', sql`qty_packed >= 0 and qty_shipped + qty_cancelled + qty_packed <= qty and qty_delivered <= qty_shipped and qty_returned <= qty_shipped`)
    .execute();
  await db.schema.createIndex('order_lines_order').on('order_lines').columns(['order_id', 'line_no']).execute();
}

async function createReturnTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('returns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sale_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('refund_micros', 'bigint', (c) => c.notNull())
    .addColumn('txn_id', 'text')
    .addColumn('exchange_id', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('returns_sale').on('returns').columns(['sale_id']).execute();
  await db.schema.createIndex('returns_order').on('returns').columns(['order_id']).execute();

  await db.schema
    .createTable('return_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('return_id', 'text', (c) => c.notNull().references('returns.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('sale_line_id', 'text')
    .addColumn('order_line_id', 'text')
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('to_location_id', 'text')
    .addColumn('refund_micros', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('return_lines_return').on('return_lines').columns(['return_id', 'line_no']).execute();

  await db.schema
    .createTable('exchanges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('return_id', 'text', (c) => c.notNull())
    .addColumn('sale_id', 'text', (c) => c.notNull())
    .addColumn('difference_micros', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

async function createFulfillmentTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pick_lists')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('picked_at', 'bigint')
    .execute();
  await db.schema.createIndex('pick_lists_order').on('pick_lists').columns(['order_id']).execute();

  await db.schema
    .createTable('pick_list_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pick_list_id', 'text', (c) => c.notNull().references('pick_lists.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('order_line_id', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull())
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('reservation_id', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('qty_packed', 'bigint', (c) => c.notNull())
    .addCheckConstraint('pick_list_lines_packed', sql`qty_packed >= 0 and qty_packed <= qty`)
    .execute();
  await db.schema.createIndex('pick_list_lines_list').on('pick_list_lines').columns(['pick_list_id', 'line_no']).execute();
  await db.schema.createIndex('pick_list_lines_reservation').on('pick_list_lines').columns(['reservation_id']).execute();

  await db.schema
    .createTable('shipments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('pick_list_id', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('carrier', 'text')
    .addColumn('service', 'text')
    .addColumn('txn_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('shipped_at', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('shipments_order').on('shipments').columns(['order_id']).execute();

  await db.schema
    .createTable('shipment_packages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shipment_id', 'text', (c) => c.notNull().references('shipments.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('weight_mg', 'bigint', (c) => c.notNull())
    .addColumn('tracking_number', 'text')
    .execute();
  await db.schema.createIndex('shipment_packages_shipment').on('shipment_packages').columns(['shipment_id', 'number']).execute();

  await db.schema
    .createTable('shipment_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shipment_id', 'text', (c) => c.notNull().references('shipments.id'))
    .addColumn('package_id', 'text', (c) => c.notNull())
    .addColumn('order_line_id', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    // The stock that goes: [{pick_list_line_id, reservation_id, item_id, location_id, lot_id, qty}].
    .addColumn('parts_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('shipment_lines_shipment').on('shipment_lines').columns(['shipment_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
