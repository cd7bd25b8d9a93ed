import type { Generated, Insertable, Selectable } from 'kysely';
import type { Role } from '../context.ts';

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
  /** At or below this on-hand quantity (thousandths) the item is low; null: no reorder point. */
  reorder_point: number | null;
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

export interface UserTable {
  id: string;
  email: string;
  /** The email lowercased: unique, so two spellings of one address are one account. */
  email_key: string;
  name: string;
  role: Role;
  /** 1 when the user covers every site, present and future (always 1 for owners). */
  all_sites: number;
  status: 'active' | 'disabled';
  /** An argon2id PHC string; never a plain password. */
  password_hash: string;
  password_changed_at: number;
  last_login_at: number | null;
  created_by_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface SiteGrantTable {
  /** A user (`usr_…`) or an API token (`tok_…`). */
  principal_id: string;
  site_id: string;
}

export interface SessionTable {
  id: string;
  /** sha256 of the cookie's random secret; the secret itself is never stored. */
  secret_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  /** The absolute expiry; the idle expiry is `last_seen_at` plus the idle limit. */
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokenTable {
  id: string;
  name: string;
  /** sha256 of the `stk_…` secret, which is shown once and never stored. */
  secret_hash: string;
  /** The first characters of the secret, so a person can tell tokens apart. */
  secret_hint: string;
  role: Role;
  all_sites: number;
  /** The person the token acts for; it never has more than they have now. Null when made by the CLI. */
  owner_user_id: string | null;
  created_by_id: string;
  created_by_label: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  revoked_by_id: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: number;
  locked_until: number | null;
  updated_at: number;
}

export interface AuditEventTable {
  id: string;
  at: number;
  actor_kind: 'user' | 'token' | 'system' | null;
  actor_id: string | null;
  actor_label: string | null;
  /** The session or token the request came with. */
  credential_id: string | null;
  method: string;
  /** The route pattern (`/api/v1/items/:id`); `path` is the concrete one. */
  route: string;
  path: string;
  status: number;
  problem_code: string | null;
  targets_json: string;
  site_id: string | null;
  ip: string | null;
  user_agent: string | null;
  idempotency_key: string | null;
  request_id: string | null;
  note: string | null;
}

export interface AuditTargetTable {
  event_id: string;
  target_type: string;
  target_id: string;
}

export type VendorStatus = 'active' | 'archived';

export interface VendorTable {
  id: string;
  name: string;
  name_key: string;
  email: string | null;
  phone: string | null;
  contact_name: string | null;
  /** ISO 4217; purchase orders to the vendor are priced in it. */
  currency: string;
  payment_terms: string | null;
  lead_time_days: number | null;
  /** Thousandths of a percent a PO line may be over-received without a manager's approval. */
  over_receipt_tolerance: number;
  notes: string | null;
  status: VendorStatus;
  created_at: number;
  updated_at: number;
}

export interface VendorItemTable {
  vendor_id: string;
  item_id: string;
  vendor_sku: string | null;
  /** The item's base unit or one of its purchase units. */
  purchase_unit: string;
  /** In the vendor's currency, per purchase unit. */
  unit_cost_micros: number;
  /** Thousandths of the purchase unit. */
  min_order_qty: number | null;
  pack_multiple: number | null;
  preferred: number;
  created_at: number;
  updated_at: number;
}

export interface ExchangeRateTable {
  currency: string;
  effective_on: string;
  /** Base-currency units per one unit of `currency`, × 10^9. */
  rate_e9: number;
  created_at: number;
  actor_id: string | null;
}

export type PurchaseOrderStatus = 'draft' | 'sent' | 'partially_received' | 'received' | 'closed' | 'cancelled';

export interface PurchaseOrderTable {
  id: string;
  number: string;
  vendor_id: string;
  status: PurchaseOrderStatus;
  currency: string;
  delivery_site_id: string;
  expected_on: string | null;
  notes: string | null;
  terms: string | null;
  /** Default tax rate of the lines, thousandths of a percent. */
  tax_rate: number;
  shipping_micros: number;
  /** 0 while a draft; 1 when sent; one more for every edit after that. */
  revision: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  /** When the receipt that completed every line took effect. */
  received_at: number | null;
  closed_at: number | null;
  cancelled_at: number | null;
}

export interface PurchaseOrderLineTable {
  id: string;
  po_id: string;
  line_no: number;
  item_id: string;
  vendor_sku: string | null;
  unit: string;
  /** Thousandths of the base unit in one `unit`. */
  unit_factor: number;
  /** Thousandths of `unit`. */
  qty: number;
  qty_base: number;
  /** In the PO's currency per `unit`. */
  unit_price_micros: number;
  /** The vendor's terms price per `unit` when the line was ordered, for price variance. */
  list_price_micros: number | null;
  /** Null: the PO's rate. */
  tax_rate: number | null;
  notes: string | null;
  created_at: number;
  updated_at: number;
}

export interface PurchaseOrderRevisionTable {
  id: string;
  po_id: string;
  revision: number;
  actor_id: string | null;
  created_at: number;
  changes_json: string;
}

export type ReceiptStatus = 'draft' | 'awaiting_approval' | 'posted' | 'cancelled';

export interface ReceiptTable {
  id: string;
  number: string;
  po_id: string | null;
  vendor_id: string | null;
  status: ReceiptStatus;
  site_id: string;
  currency: string;
  exchange_rate_e9: number | null;
  rate_source: 'explicit' | 'table' | 'base' | null;
  /** When the goods arrived; null means when the receipt is posted. */
  received_at: number | null;
  notes: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  submitted_at: number | null;
  submitted_by: string | null;
  approved_at: number | null;
  approved_by: string | null;
  posted_at: number | null;
  posted_by: string | null;
  cancelled_at: number | null;
  txn_id: string | null;
  scrap_txn_id: string | null;
}

export type ReceiptCondition = 'good' | 'damaged';
export type ReceiptDisposition = 'stock' | 'quarantine' | 'scrap';

export interface ReceiptLineTable {
  id: string;
  receipt_id: string;
  line_no: number;
  po_line_id: string | null;
  item_id: string;
  unit: string;
  unit_factor: number;
  qty: number;
  qty_base: number;
  /** What the vendor charges (receipt currency) per unit of `price_unit_factor` thousandths of base units. */
  price_micros: number | null;
  price_unit_factor: number | null;
  /** Base currency per base unit, fixed when posted. */
  base_unit_cost_micros: number | null;
  lot_code: string | null;
  expires_on: string | null;
  serials_json: string;
  condition: ReceiptCondition;
  disposition: ReceiptDisposition;
  bin_id: string | null;
  created_at: number;
  updated_at: number;
}

export type DiscrepancyKind = 'short' | 'over' | 'unexpected_item' | 'wrong_unit' | 'damaged';

export interface ReceiptDiscrepancyTable {
  id: string;
  /** Null for a shortage recorded when the PO was closed. */
  receipt_id: string | null;
  receipt_line_id: string | null;
  po_id: string | null;
  po_line_id: string | null;
  vendor_id: string | null;
  item_id: string;
  kind: DiscrepancyKind;
  qty_base: number;
  detail: string;
  approved_by: string | null;
  created_at: number;
}

export interface LandedCostTable {
  id: string;
  number: string;
  reference: string | null;
  kind: 'freight' | 'duty' | 'insurance' | 'other';
  description: string | null;
  method: 'value' | 'quantity' | 'weight';
  currency: string;
  amount_micros: number;
  exchange_rate_e9: number;
  amount_base_micros: number;
  actor_id: string | null;
  created_at: number;
}

export interface LandedCostAllocationTable {
  landed_cost_id: string;
  movement_id: string;
  receipt_id: string;
  receipt_line_id: string;
  item_id: string;
  micros: number;
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
  users: UserTable;
  site_grants: SiteGrantTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  login_throttle: LoginThrottleTable;
  audit_events: AuditEventTable;
  audit_targets: AuditTargetTable;
  vendors: VendorTable;
  vendor_items: VendorItemTable;
  exchange_rates: ExchangeRateTable;
  purchase_orders: PurchaseOrderTable;
  purchase_order_lines: PurchaseOrderLineTable;
  purchase_order_revisions: PurchaseOrderRevisionTable;
  receipts: ReceiptTable;
  receipt_lines: ReceiptLineTable;
  receipt_discrepancies: ReceiptDiscrepancyTable;
  landed_costs: LandedCostTable;
  landed_cost_allocations: LandedCostAllocationTable;
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
export type UserRow = Selectable<UserTable>;
export type SessionRow = Selectable<SessionTable>;
export type ApiTokenRow = Selectable<ApiTokenTable>;
export type AuditEventRow = Selectable<AuditEventTable>;
export type VendorRow = Selectable<VendorTable>;
export type VendorItemRow = Selectable<VendorItemTable>;
export type PurchaseOrderRow = Selectable<PurchaseOrderTable>;
export type PurchaseOrderLineRow = Selectable<PurchaseOrderLineTable>;
export type ReceiptRow = Selectable<ReceiptTable>;
export type ReceiptLineRow = Selectable<ReceiptLineTable>;
export type ReceiptDiscrepancyRow = Selectable<ReceiptDiscrepancyTable>;
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
