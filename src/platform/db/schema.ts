import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * The tables as Kysely sees them. Quantities (`qty`, `on_hand`, `reserved`) are thousandths of
 * the item's base unit, money columns end in `_micros`, times in `_at` are epoch milliseconds,
 * and `lot_id` is '' when stock carries no lot (so it can be part of a primary key).
 */
export interface SettingsTable {
  key: string;
  value: string;
}

export interface CounterTable {
  name: string;
  value: number;
}

export type LocationKind = 'site' | 'zone' | 'bin' | 'virtual';
export type SiteType = 'store' | 'warehouse';
export type VirtualType = 'vendor' | 'customer' | 'adjustment' | 'scrap' | 'production' | 'transit';
export type NegativeStockPolicy = 'allow' | 'strict';

export interface LocationTable {
  id: string;
  parent_id: string | null;
  site_id: string | null;
  path: string;
  kind: LocationKind;
  site_type: SiteType | null;
  virtual_type: VirtualType | null;
  code: string;
  full_code: string;
  full_code_key: string;
  name: string;
  negative_stock: NegativeStockPolicy | null;
  default_bin_id: string | null;
  pick_order: number;
  /** `quarantine` bins hold stock that may not be sold or picked (damaged, awaiting inspection). */
  purpose: 'stock' | 'quarantine';
  address: string | null;
  status: 'active' | 'archived';
  created_at: number;
  updated_at: number;
}

export type Tracking = 'none' | 'lot' | 'serial';
export type CostingMethod = 'fifo' | 'average';

export interface ItemTable {
  id: string;
  sku: string;
  sku_key: string;
  name: string;
  description: string | null;
  category: string | null;
  base_unit: string;
  tracking: Tracking;
  tracks_expiry: number;
  costing_method: CostingMethod;
  price_micros: number | null;
  unit_weight_mg: number | null;
  stocked: number;
  status: 'active' | 'archived';
  /** The item's own representation of its units, barcodes and components (see catalog). */
  units_json: string;
  barcodes_json: string;
  components_json: string;
  search_text: string;
  created_at: number;
  updated_at: number;
}

export interface ItemBarcodeTable {
  code_key: string;
  code: string;
  kind: 'gtin' | 'other';
  item_id: string;
}

export interface ItemComponentTable {
  item_id: string;
  component_item_id: string;
  qty: number;
  position: number;
}

export interface LotTable {
  id: string;
  item_id: string;
  code: string;
  kind: 'lot' | 'serial';
  expires_on: string | null;
  created_at: number;
}

export interface LedgerTransactionTable {
  id: string;
  kind: string;
  document_type: string;
  document_id: string;
  effective_at: number;
  recorded_at: number;
  actor_id: string | null;
}

export interface MovementTable {
  id: string;
  txn_id: string;
  item_id: string;
  lot_id: string;
  from_location_id: string;
  to_location_id: string;
  qty: number;
  unit_cost_micros: number | null;
  value_micros: number | null;
  kind: string;
  reason: string | null;
  effective_at: number;
  recorded_at: number;
  document_type: string;
  document_id: string;
  document_line_id: string | null;
  actor_id: string | null;
}

export interface BalanceTable {
  item_id: string;
  location_id: string;
  lot_id: string;
  on_hand: number;
  reserved: number;
  updated_at: number;
}

export interface ReservationTable {
  id: string;
  item_id: string;
  location_id: string;
  lot_id: string;
  qty: number;
  document_type: string;
  document_id: string;
  document_line_id: string | null;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  method: string;
  route: string;
  fingerprint: string;
  status_code: number;
  response_body: string;
  created_at: number;
  expires_at: number;
}

export interface AdjustmentTable {
  id: string;
  number: string;
  location_id: string;
  reason: string;
  note: string | null;
  effective_at: number;
  posted_at: number;
  actor_id: string | null;
  txn_id: string;
  reverses_id: string | null;
}

export interface AdjustmentLineTable {
  id: string;
  adjustment_id: string;
  line_no: number;
  item_id: string;
  lot_id: string;
  qty_delta: number;
  unit_cost_micros: number | null;
}

export interface ItemCostTable {
  item_id: string;
  pool_qty: number;
  pool_value_micros: number;
  last_unit_cost_micros: number;
  last_effective_at: number;
  last_movement_id: string;
  updated_at: number;
}

export interface InboundCostTable {
  movement_id: string;
  item_id: string;
  unit_cost_micros: number | null;
  landed_micros: number;
}

export interface CostLayerTable {
  movement_id: string;
  item_id: string;
  effective_at: number;
  qty_in: number;
  value_in_micros: number;
  qty_remaining: number;
  value_remaining_micros: number;
}

export interface CostConsumptionTable {
  movement_id: string;
  /** The layer's inbound movement id, 'avg' for an average item's pool, '' for a shortfall. */
  layer_id: string;
  item_id: string;
  effective_at: number;
  qty: number;
  value_micros: number;
}

export interface ModifierGroupTable {
  id: string;
  name: string;
  selection: 'single' | 'multiple';
  min_select: number;
  max_select: number | null;
  status: 'active' | 'archived';
  created_at: number;
  updated_at: number;
}

export interface ModifierTable {
  id: string;
  group_id: string;
  position: number;
  name: string;
  price_delta_micros: number;
  /** [{item_id, qty, replaces_item_id}] per one base unit of the parent (see catalog/modifiers). */
  components_json: string;
}

export interface ItemModifierGroupTable {
  item_id: string;
  group_id: string;
  position: number;
}

export type ChannelKind = 'pos' | 'online' | 'marketplace';

export interface ChannelTable {
  id: string;
  name: string;
  kind: ChannelKind;
  backorder_policy: 'refuse' | 'allow';
  /** Orders not confirmed within this long release their reservations; null keeps them. */
  reservation_ttl_ms: number | null;
  status: 'active' | 'archived';
  created_at: number;
  updated_at: number;
}

export interface ChannelSiteTable {
  channel_id: string;
  site_id: string;
  /** Lower sells first: the order in which the channel's sites are offered an order. */
  priority: number;
}

export interface ChannelItemBufferTable {
  channel_id: string;
  item_id: string;
  qty: number;
  updated_at: number;
}

export interface OutboxSequenceTable {
  item_id: string;
  last_seq: number;
}

export interface OutboxEventTable {
  id: string;
  topic: string;
  channel_id: string | null;
  item_id: string;
  seq: number;
  payload: string;
  created_at: number;
  delivered_at: number | null;
}

export interface SaleRegisterTable {
  register_key: string;
  last_number: number;
}

export type SaleStatus = 'completed' | 'partially_returned' | 'returned' | 'voided';

export interface SaleTable {
  id: string;
  number: string;
  register: string;
  location_id: string;
  site_id: string;
  channel_id: string | null;
  currency: string;
  status: SaleStatus;
  subtotal_micros: number;
  discount_micros: number;
  tax_micros: number;
  total_micros: number;
  paid_micros: number;
  change_micros: number;
  refunded_micros: number;
  employee: string | null;
  note: string | null;
  exchange_id: string | null;
  actor_id: string | null;
  created_at: number;
}

export interface SaleLineTable {
  id: string;
  sale_id: string;
  line_no: number;
  item_id: string;
  lot_id: string;
  qty: number;
  base_unit_price_micros: number;
  /** Base price plus the modifiers' price changes, per base unit. */
  unit_price_micros: number;
  gross_micros: number;
  line_discount_micros: number;
  /** This line's share of the sale-level discount. */
  sale_discount_micros: number;
  net_micros: number;
  tax_rate_ppm: number;
  tax_micros: number;
  total_micros: number;
  qty_returned: number;
  refunded_micros: number;
}

export interface SaleLineModifierTable {
  sale_line_id: string;
  position: number;
  sale_id: string;
  modifier_id: string;
  group_id: string;
  name: string;
  price_delta_micros: number;
  qty: number;
  amount_micros: number;
  created_at: number;
}

export interface SaleDiscountTable {
  id: string;
  sale_id: string;
  sale_line_id: string | null;
  kind: 'amount' | 'percent';
  percent_ppm: number | null;
  amount_micros: number;
  reason: string;
  employee: string;
}

export type Tender = 'cash' | 'card' | 'voucher' | 'other' | 'exchange';

export interface PaymentTable {
  id: string;
  document_type: 'sale' | 'return';
  document_id: string;
  direction: 'in' | 'out';
  tender: Tender;
  amount_micros: number;
  reference: string | null;
  created_at: number;
}

export type OrderStatus = 'back_ordered' | 'allocated' | 'partially_shipped' | 'shipped' | 'delivered' | 'cancelled' | 'expired';

export interface OrderTable {
  id: string;
  channel_id: string;
  channel_order_id: string;
  status: OrderStatus;
  currency: string;
  customer_name: string | null;
  customer_email: string | null;
  ship_to: string | null;
  total_micros: number;
  expires_at: number | null;
  confirmed_at: number | null;
  cancel_reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface OrderLineTable {
  id: string;
  order_id: string;
  line_no: number;
  item_id: string;
  qty: number;
  unit_price_micros: number;
  total_micros: number;
  allocation: 'allocated' | 'back_ordered';
  /** Packed into a shipment not yet sent: still open and reserved, no longer free to cancel. */
  qty_packed: number;
  qty_shipped: number;
  qty_delivered: number;
  qty_cancelled: number;
  qty_returned: number;
  refunded_micros: number;
  parts_json: string;
}

export type ReturnCondition = 'restockable' | 'damaged' | 'not_received';

export interface ReturnTable {
  id: string;
  kind: 'return' | 'void';
  sale_id: string | null;
  order_id: string | null;
  reason: string;
  note: string | null;
  currency: string;
  refund_micros: number;
  txn_id: string | null;
  exchange_id: string | null;
  actor_id: string | null;
  created_at: number;
}

export interface ReturnLineTable {
  id: string;
  return_id: string;
  line_no: number;
  sale_line_id: string | null;
  order_line_id: string | null;
  item_id: string;
  qty: number;
  condition: ReturnCondition;
  to_location_id: string | null;
  refund_micros: number;
}

export interface ExchangeTable {
  id: string;
  return_id: string;
  sale_id: string;
  /** New sale total less the refund: positive when the customer paid more. */
  difference_micros: number;
  actor_id: string | null;
  created_at: number;
}

export interface PickListTable {
  id: string;
  order_id: string;
  site_id: string;
  status: 'open' | 'picked' | 'cancelled';
  created_at: number;
  picked_at: number | null;
}

export interface PickListLineTable {
  id: string;
  pick_list_id: string;
  line_no: number;
  order_line_id: string;
  item_id: string;
  location_id: string;
  lot_id: string;
  reservation_id: string;
  qty: number;
  qty_packed: number;
}

export interface ShipmentTable {
  id: string;
  order_id: string;
  pick_list_id: string;
  site_id: string;
  status: 'packed' | 'shipped' | 'delivered' | 'cancelled';
  carrier: string | null;
  service: string | null;
  txn_id: string | null;
  created_at: number;
  shipped_at: number | null;
  delivered_at: number | null;
}

export interface ShipmentPackageTable {
  id: string;
  shipment_id: string;
  number: number;
  weight_mg: number;
  tracking_number: string | null;
}

export interface ShipmentLineTable {
  id: string;
  shipment_id: string;
  package_id: string;
  order_line_id: string;
  qty: number;
  parts_json: string;
}

export interface DB {
  settings: SettingsTable;
  counters: CounterTable;
  locations: LocationTable;
  items: ItemTable;
  item_barcodes: ItemBarcodeTable;
  item_components: ItemComponentTable;
  lots: LotTable;
  ledger_transactions: LedgerTransactionTable;
  movements: MovementTable;
  balances: BalanceTable;
  reservations: ReservationTable;
  idempotency_keys: IdempotencyKeyTable;
  adjustments: AdjustmentTable;
  adjustment_lines: AdjustmentLineTable;
  item_costs: ItemCostTable;
  inbound_costs: InboundCostTable;
  cost_layers: CostLayerTable;
  cost_consumptions: CostConsumptionTable;
  modifier_groups: ModifierGroupTable;
  modifiers: ModifierTable;
  item_modifier_groups: ItemModifierGroupTable;
  channels: ChannelTable;
  channel_sites: ChannelSiteTable;
  channel_item_buffers: ChannelItemBufferTable;
  outbox_sequences: OutboxSequenceTable;
  outbox_events: OutboxEventTable;
  sale_registers: SaleRegisterTable;
  sales: SaleTable;
  sale_lines: SaleLineTable;
  sale_line_modifiers: SaleLineModifierTable;
  sale_discounts: SaleDiscountTable;
  payments: PaymentTable;
  orders: OrderTable;
  order_lines: OrderLineTable;
  returns: ReturnTable;
  return_lines: ReturnLineTable;
  exchanges: ExchangeTable;
  pick_lists: PickListTable;
  pick_list_lines: PickListLineTable;
  shipments: ShipmentTable;
  shipment_packages: ShipmentPackageTable;
  shipment_lines: ShipmentLineTable;
}

export type LocationRow = Selectable<LocationTable>;
export type ItemRow = Selectable<ItemTable>;
export type LotRow = Selectable<LotTable>;
export type MovementRow = Selectable<MovementTable>;
export type NewMovementRow = Insertable<MovementTable>;
export type BalanceRow = Selectable<BalanceTable>;
export type ReservationRow = Selectable<ReservationTable>;
export type ModifierGroupRow = Selectable<ModifierGroupTable>;
export type ModifierRow = Selectable<ModifierTable>;
export type ChannelRow = Selectable<ChannelTable>;
export type SaleRow = Selectable<SaleTable>;
export type SaleLineRow = Selectable<SaleLineTable>;
export type SaleLineModifierRow = Selectable<SaleLineModifierTable>;
export type SaleDiscountRow = Selectable<SaleDiscountTable>;
export type PaymentRow = Selectable<PaymentTable>;
export type OrderRow = Selectable<OrderTable>;
export type OrderLineRow = Selectable<OrderLineTable>;
export type ReturnRow = Selectable<ReturnTable>;
export type ReturnLineRow = Selectable<ReturnLineTable>;
export type OutboxEventRow = Selectable<OutboxEventTable>;
export type PickListRow = Selectable<PickListTable>;
export type PickListLineRow = Selectable<PickListLineTable>;
export type ShipmentRow = Selectable<ShipmentTable>;
export type ShipmentPackageRow = Selectable<ShipmentPackageTable>;
export type ShipmentLineRow = Selectable<ShipmentLineTable>;
// Kept for columns that later migrations give defaults to.
export type { Generated };
