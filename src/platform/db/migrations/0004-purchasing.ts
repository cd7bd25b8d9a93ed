import { sql, type Kysely } from 'kysely';

/**
 * Vendors, their terms per item, exchange rates, purchase orders (with their revision history),
 * receipts with their lines and discrepancies, and landed costs with how they were apportioned.
 *
 * Units as everywhere: quantities are bigint thousandths (of the line's unit in `qty`, of the
 * item's base unit in `qty_base`), money bigint micros, times epoch ms, dates 'YYYY-MM-DD' text,
 * flags 0/1. Percentages (tax, over-receipt tolerance) are bigint thousandths of a percent
 * (20% = 20000). Exchange rates are bigint base-currency units per one foreign unit × 10^9
 * (1 EUR = 1.0825 USD is 1082500000). No floats.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('vendors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('contact_name', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('payment_terms', 'text')
    .addColumn('lead_time_days', 'integer')
    .addColumn('over_receipt_tolerance', 'bigint', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('vendor_items')
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('vendor_sku', 'text')
    .addColumn('purchase_unit', 'text', (c) => c.notNull())
    .addColumn('unit_cost_micros', 'bigint', (c) => c.notNull())
    .addColumn('min_order_qty', 'bigint')
    .addColumn('pack_multiple', 'bigint')
    .addColumn('preferred', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('vendor_items_pk', ['vendor_id', 'item_id'])
    .execute();
  await db.schema.createIndex('vendor_items_item').on('vendor_items').columns(['item_id']).execute();
  // One preferred vendor per item, enforced by the database as well as the service.
  await db.schema.createIndex('vendor_items_preferred').on('vendor_items').columns(['item_id']).unique().where(sql.ref('preferred'), '=', 1).execute();

  await db.schema
    .createTable('exchange_rates')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('effective_on', 'text', (c) => c.notNull())
    .addColumn('rate_e9', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addPrimaryKeyConstraint('exchange_rates_pk', ['currency', 'effective_on'])
    .addCheckConstraint('exchange_rates_positive', sql`rate_e9 > 0`)
    .execute();

  await db.schema
    .createTable('purchase_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('delivery_site_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('expected_on', 'text')
    .addColumn('notes', 'text')
    .addColumn('terms', 'text')
    .addColumn('tax_rate', 'bigint', (c) => c.notNull())
    .addColumn('shipping_micros', 'bigint', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('received_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('cancelled_at', 'bigint')
    .execute();
  await db.schema.createIndex('purchase_orders_created').on('purchase_orders').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('purchase_orders_vendor').on('purchase_orders').columns(['vendor_id', 'sent_at']).execute();
  await db.schema.createIndex('purchase_orders_status').on('purchase_orders').columns(['status']).execute();

  await db.schema
    .createTable('purchase_order_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('vendor_sku', 'text')
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('unit_factor', 'bigint', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('qty_base', 'bigint', (c) => c.notNull())
    .addColumn('unit_price_micros', 'bigint', (c) => c.notNull())
    .addColumn('list_price_micros', 'bigint')
    .addColumn('tax_rate', 'bigint')
    .addColumn('notes', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('purchase_order_lines_qty_positive', sql`qty > 0 and qty_base > 0 and unit_factor > 0`)
    .execute();
  await db.schema.createIndex('purchase_order_lines_po').on('purchase_order_lines').columns(['po_id', 'line_no']).execute();

  await db.schema
    .createTable('purchase_order_revisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('changes_json', 'text', (c) => c.notNull())
    .addUniqueConstraint('purchase_order_revisions_unique', ['po_id', 'revision'])
    .execute();

  await db.schema
    .createTable('receipts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('po_id', 'text', (c) => c.references('purchase_orders.id'))
    .addColumn('vendor_id', 'text', (c) => c.references('vendors.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('exchange_rate_e9', 'bigint')
    .addColumn('rate_source', 'text')
    .addColumn('received_at', 'bigint')
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint')
    .addColumn('submitted_by', 'text')
    .addColumn('approved_at', 'bigint')
    .addColumn('approved_by', 'text')
    .addColumn('posted_at', 'bigint')
    .addColumn('posted_by', 'text')
    .addColumn('cancelled_at', 'bigint')
    .addColumn('txn_id', 'text')
    .addColumn('scrap_txn_id', 'text')
    .execute();
  await db.schema.createIndex('receipts_po').on('receipts').columns(['po_id', 'status']).execute();
  await db.schema.createIndex('receipts_created').on('receipts').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('receipts_vendor').on('receipts').columns(['vendor_id', 'received_at']).execute();

  await db.schema
    .createTable('receipt_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('receipt_id', 'text', (c) => c.notNull().references('receipts.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('po_line_id', 'text', (c) => c.references('purchase_order_lines.id'))
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('unit_factor', 'bigint', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('qty_base', 'bigint', (c) => c.notNull())
    .addColumn('price_micros', 'bigint')
    .addColumn('price_unit_factor', 'bigint')
    .addColumn('base_unit_cost_micros', 'bigint')
    .addColumn('lot_code', 'text')
    .addColumn('expires_on', 'text')
    .addColumn('serials_json', 'text', (c) => c.notNull())
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('disposition', 'text', (c) => c.notNull())
    .addColumn('bin_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('receipt_lines_qty_positive', sql`qty > 0 and qty_base > 0 and unit_factor > 0`)
    .execute();
  await db.schema.createIndex('receipt_lines_receipt').on('receipt_lines').columns(['receipt_id', 'line_no']).execute();
  await db.schema.createIndex('receipt_lines_po_line').on('receipt_lines').columns(['po_line_id']).execute();

  await db.schema
    .createTable('receipt_discrepancies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('receipt_id', 'text', (c) => c.references('receipts.id'))
    .addColumn('receipt_line_id', 'text')
    .addColumn('po_id', 'text')
    .addColumn('po_line_id', 'text')
    .addColumn('vendor_id', 'text')
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('qty_base', 'bigint', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('receipt_discrepancies_receipt').on('receipt_discrepancies').columns(['receipt_id']).execute();
  await db.schema.createIndex('receipt_discrepancies_po').on('receipt_discrepancies').columns(['po_id']).execute();
  await db.schema.createIndex('receipt_discrepancies_vendor').on('receipt_discrepancies').columns(['vendor_id', 'created_at']).execute();

  await db.schema
    .createTable('landed_costs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('reference', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_micros', 'bigint', (c) => c.notNull())
    .addColumn('exchange_rate_e9', 'bigint', (c) => c.notNull())
    .addColumn('amount_base_micros', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('landed_cost_allocations')
    .addColumn('landed_cost_id', 'text', (c) => c.notNull().references('landed_costs.id'))
    .addColumn('movement_id', 'text', (c) => c.notNull())
    .addColumn('receipt_id', 'text', (c) => c.notNull())
    .addColumn('receipt_line_id', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('micros', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('landed_cost_allocations_pk', ['landed_cost_id', 'movement_id'])
    .execute();
  await db.schema.createIndex('landed_cost_allocations_receipt').on('landed_cost_allocations').columns(['receipt_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
