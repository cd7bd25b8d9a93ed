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

/** Min (reorder point) and max (order-up-to) of an item at a site or a bin, thousandths of the base unit. */
export interface StockLevelTable {
  item_id: string;
  location_id: string;
  /** The site of `location_id` (itself when the level is a site's). */
  site_id: string;
  min_qty: number;
  max_qty: number;
  /** 1: restocked every day, so empty at closing is not a stock-out. */
  delivered_daily: number;
  source: 'manual' | 'suggested' | 'migrated';
  /** For suggested levels, the forecast numbers they came from (see replenishment). */
  basis_json: string | null;
  updated_by: string | null;
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
  /** Valued movements of the item since its latest cost checkpoint. */
  since_checkpoint: Generated<number>;
}

/** An item's cost state just after one valued movement (see cost-checkpoints in costing.service.ts). */
export interface CostCheckpointTable {
  item_id: string;
  effective_at: number;
  movement_id: string;
  /** JSON: open layers, average pool, pending shortfalls with what they drew so far, last unit cost. */
  state: string;
  created_at: number;
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
  /** The lot or serial the stock came in with ('' without one): FIFO draws stay within a lot. */
  lot_id: Generated<string>;
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
  /** The lot or serial that left ('' without one). */
  lot_id: Generated<string>;
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

/**
 * The users table's alerting column (migration 0015), kept apart from `UserTable` so `UserRow`,
 * which the access module builds whole when it creates a user, stays as it was.
 */
export interface UserAlertColumns {
  /** For text-message alerts, as the person typed it (E.164 preferred); null: none. */
  phone: Generated<string | null>;
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

/**
 * Sign-in attempts per key (`ip:…`, `pair:<email>|<ip>`, `account:<email>`): `failures` counts
 * attempts that have not succeeded, counted before the password is checked; `locked_until` is
 * the earliest instant the next attempt is checked.
 */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: number;
  locked_until: number | null;
  updated_at: number;
}

/** An address a person signed in from, and when they last did. */
export interface SignInAddressTable {
  user_id: string;
  ip: string;
  last_signed_in_at: number;
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
  /** The delivery carrying the emailed copy, when "send" emailed the vendor. */
  email_delivery_id: string | null;
  /** The SMTP message id once that email was accepted. */
  email_message_id: string | null;
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

export type VendorReturnStatus = 'draft' | 'posted' | 'cancelled';

/** Goods sent back to a vendor from a site; posting moves them out at ledger cost and fixes the credit owed. */
export interface VendorReturnTable {
  id: string;
  number: string;
  vendor_id: string;
  site_id: string;
  receipt_id: string | null;
  status: VendorReturnStatus;
  reason: string;
  notes: string | null;
  /** The vendor's currency; the credit is in it. */
  currency: string;
  /** Base currency per unit of `currency`, in billionths, fixed when posted (null when it is the base currency). */
  exchange_rate_e9: number | null;
  returned_at: number | null;
  /** The credit expected from the vendor, in micros of `currency`, fixed when posted. */
  credit_micros: number | null;
  /** The ledger value of the goods that left, base-currency micros, fixed when posted. */
  value_micros: number | null;
  txn_id: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  posted_at: number | null;
  posted_by: string | null;
  cancelled_at: number | null;
}

export interface VendorReturnLineTable {
  id: string;
  return_id: string;
  line_no: number;
  item_id: string;
  receipt_line_id: string | null;
  lot_id: string;
  bin_id: string;
  qty_base: number;
  /** The vendor's price per base unit in its currency as given; null takes the price the goods came in at. */
  unit_credit_micros: number | null;
  credit_micros: number | null;
  value_micros: number | null;
  created_at: number;
}

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
  /** The catalogue categories the channel sells (a JSON array); null: every item. */
  categories_json: string | null;
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

export interface DeliveryTable {
  id: string;
  channel: string;
  destination: string;
  ordering_key: string | null;
  event_id: string;
  event_type: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  delivered_at: number | null;
  claimed_by: string | null;
  lease_until: number | null;
  last_error: string | null;
  provider_ref: string | null;
}

export interface DeliveryAttemptTable {
  id: string;
  delivery_id: string;
  attempt: number;
  worker: string;
  started_at: number;
  latency_ms: number;
  outcome: string;
  status_code: number | null;
  response_excerpt: string | null;
  error: string | null;
}

export interface PausedDestinationTable {
  destination: string;
  paused_at: number;
  paused_by: string;
  reason: string | null;
}

export interface WebhookSubscriptionTable {
  id: string;
  url: string;
  description: string | null;
  event_types: string;
  active: number;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_expires_at: number | null;
  created_at: number;
  updated_at: number;
  created_by: string;
}

export interface NotificationSettingTable {
  key: string;
  value: string;
}

export interface JobLeaseTable {
  name: string;
  holder: string | null;
  run_id: string | null;
  lease_until: number;
  last_started_at: number | null;
  last_finished_at: number | null;
}

export interface JobRunTable {
  id: string;
  name: string;
  holder: string;
  started_at: number;
  lease_until: number;
  finished_at: number | null;
  outcome: string | null;
  handled: number | null;
  error: string | null;
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
  /** 1 when the prices included tax (the shop's `prices_include_tax` when sold). */
  tax_included: number;
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
  /** Its cost of goods (its sale movements' values), kept for the reports; null until known again after a re-costing. */
  cost_micros: Generated<number | null>;
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

export interface TaxRateTable {
  id: string;
  name: string;
  rate_ppm: number;
  created_at: number;
  updated_at: number;
}

/** A rate for a site ('' = every site) and a category ('' = every category); the most specific wins. */
export interface TaxRuleTable {
  site_id: string;
  /** The category trimmed and lower-cased ('' = any). */
  category_key: string;
  /** The category as written. */
  category: string;
  tax_rate_id: string;
  updated_at: number;
}

export interface TaxExemptItemTable {
  item_id: string;
  created_at: number;
}

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
  /** 1 when the prices included tax. */
  tax_included: number;
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
  /** What the customer pays for the line, tax included. */
  total_micros: number;
  tax_rate_ppm: number;
  /** The tax in `total_micros`. */
  tax_micros: number;
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

export type TransferStatus = 'requested' | 'draft' | 'picked' | 'in_transit' | 'received' | 'closed' | 'cancelled';

export interface TransferTable {
  id: string;
  number: string;
  status: TransferStatus;
  source_site_id: string;
  destination_site_id: string;
  destination_bin_id: string;
  /** How far over what was shipped a receipt may go, in parts per million of the shipped quantity. */
  over_tolerance_ppm: number;
  note: string | null;
  requested_by: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  accepted_at: number | null;
  picked_at: number | null;
  first_shipped_at: number | null;
  last_received_at: number | null;
  closed_at: number | null;
  cancelled_at: number | null;
}

export interface TransferLineTable {
  id: string;
  transfer_id: string;
  line_no: number;
  item_id: string;
  qty_requested: number;
  qty_shipped: number;
  qty_received: number;
  qty_over: number;
  qty_damaged: number;
  qty_lost: number;
  value_shipped_micros: number;
  value_received_micros: number;
  value_damaged_micros: number;
  value_lost_micros: number;
}

export interface TransferAllocationTable {
  id: string;
  transfer_id: string;
  line_id: string;
  seq: number;
  location_id: string;
  lot_id: string;
  reservation_id: string | null;
  qty: number;
  qty_picked: number;
  qty_shipped: number;
}

export interface TransferPostingTable {
  id: string;
  transfer_id: string;
  kind: 'shipment' | 'receipt' | 'close';
  txn_id: string | null;
  actor_id: string | null;
  note: string | null;
  effective_at: number;
  created_at: number;
}

export interface TransferDiscrepancyTable {
  id: string;
  transfer_id: string;
  posting_id: string;
  line_id: string;
  item_id: string;
  lot_id: string;
  kind: 'short' | 'over' | 'damaged' | 'lost';
  qty: number;
  detail: string;
  created_at: number;
}

export interface BinMoveTable {
  id: string;
  number: string;
  site_id: string;
  reason: 'put_away' | 'replenish' | 'consolidate' | 'other';
  note: string | null;
  txn_id: string;
  actor_id: string | null;
  created_at: number;
}

export interface CountSiteSettingsTable {
  site_id: string;
  /** Thresholds beyond which a variance needs a person with `counts.approve`; null: not used. */
  qty_abs_threshold: number | null;
  /** Parts per million of the expected quantity (10% = 100000). */
  qty_pct_threshold: number | null;
  value_abs_threshold_micros: number | null;
  value_pct_threshold: number | null;
  require_second_person: number;
  cycle_a_days: number;
  cycle_b_days: number;
  cycle_c_days: number;
  updated_at: number;
  updated_by: string | null;
}

export type CountKind = 'full' | 'cycle' | 'spot';
export type CountMode = 'blind' | 'guided';
export type CountStatus = 'counting' | 'submitted' | 'posted' | 'cancelled';
export type CountLineStatus = 'open' | 'pending' | 'approved' | 'posted' | 'skipped' | 'superseded';

export interface CountTable {
  id: string;
  number: string;
  site_id: string;
  kind: CountKind;
  mode: CountMode;
  scope_json: string;
  status: CountStatus;
  note: string | null;
  created_by: string | null;
  created_at: number;
  submitted_by: string | null;
  submitted_at: number | null;
  posted_by: string | null;
  posted_at: number | null;
  updated_at: number;
}

export interface CountSheetTable {
  id: string;
  count_id: string;
  sheet_no: number;
  name: string;
  location_ids_json: string;
  counter_id: string | null;
  created_at: number;
}

export interface CountLineTable {
  id: string;
  count_id: string;
  sheet_id: string | null;
  line_no: number;
  location_id: string;
  item_id: string;
  lot_id: string;
  round: number;
  status: CountLineStatus;
  /** 1 when the line was not on the sheet: stock found that the ledger did not expect there. */
  found: number;
  counted_qty: number | null;
  counted_at: number | null;
  counted_by: string | null;
  expected_qty: number | null;
  variance_qty: number | null;
  unit_cost_micros: number | null;
  variance_value_micros: number | null;
  needs_approval: number;
  decided_by: string | null;
  decided_at: number | null;
  decision: 'approved' | 'rejected' | 'edited' | null;
  decision_reason: string | null;
  edited_from_qty: number | null;
  txn_id: string | null;
  posted_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface CountUnknownScanTable {
  id: string;
  count_id: string;
  location_id: string;
  code: string;
  qty: number;
  status: 'held' | 'resolved' | 'dismissed';
  scanned_by: string | null;
  scanned_at: number;
  resolved_item_id: string | null;
  resolved_by: string | null;
  resolved_at: number | null;
}

export interface SavedReportTable {
  id: string;
  name: string;
  /** A report builder definition (dataset, dimensions, measures, filters, compare). */
  definition_json: string;
  /** A rolling period: the last N days before the run's day, when the run names no dates. */
  last_days: number | null;
  /** The roles it is shared with (JSON array of role names). */
  shared_roles_json: string;
  /** The definition's site filter: the report is hidden from those not granted the site. */
  site_id: string | null;
  owner_id: string;
  owner_kind: 'user' | 'token' | 'system';
  run_as_role: Role;
  /** 'all' or a JSON array of site ids: the owner's grant when saving. */
  run_as_sites_json: string;
  created_at: number;
  updated_at: number;
}

export interface ReportScheduleTable {
  id: string;
  saved_report_id: string;
  frequency: 'daily' | 'weekly';
  /** 0 Monday … 6 Sunday; null for daily. */
  weekday: number | null;
  /** The hour of the day in the shop's time zone. */
  hour: number;
  format: 'csv' | 'xlsx';
  recipients_json: string;
  next_run_at: number;
  last_run_at: number | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface ReportScheduleRunTable {
  id: string;
  schedule_id: string;
  saved_report_id: string;
  from_date: string | null;
  to_date: string | null;
  format: 'csv' | 'xlsx';
  delivery_id: string | null;
  created_at: number;
}

export interface StockSnapshotDayTable {
  /** The shop's local day. */
  day: string;
  /** Its last millisecond: the snapshot holds every movement effective at or before it. */
  as_of: number;
  taken_at: number;
  movement_watermark: string;
  invalidation_watermark: string;
  /** The total value of its cost pools (the sum of its cost rows): one figure per day for the value-by-day chart. */
  value_micros: Generated<number>;
}

export interface StockSnapshotInvalidationTable {
  id: string;
  /** The earliest effective instant whose movement costs were rewritten. */
  from_at: number;
  created_at: number;
}

export interface StockSnapshotBalanceTable {
  day: string;
  site_id: string;
  item_id: string;
  qty: number;
  /** The item's cost pool at the snapshot (owned quantity and value, shop-wide; the same on each site's row). */
  pool_qty: number;
  pool_value_micros: number;
  /** The item's SKU, name and category when the snapshot was taken (readers patch later edits). */
  sku: string;
  name: string;
  category: string | null;
}

export interface StockSnapshotCostTable {
  day: string;
  item_id: string;
  qty: number;
  value_micros: number;
  /** The item's SKU, name and category when the snapshot was taken (readers patch later edits). */
  sku: string;
  name: string;
  category: string | null;
}

export interface SalesDayTable {
  day: string;
  start_at: number;
  end_at: number;
  taken_at: number;
  /** Sales, returns and cost rewrites recorded before this instant are in its totals. */
  seen_at: number;
}

export interface SalesDayTotalTable {
  day: string;
  item_id: string;
  site_id: string;
  /** '' for the counter. */
  channel_id: string;
  lines: number;
  qty: number;
  gross_micros: number;
  discount_micros: number;
  revenue_micros: number;
  cogs_micros: number;
}

/** A closed day's online order lines (first shipped that day) nothing but a later recording can change, added up. */
export interface SalesDayOrderTotalTable {
  day: string;
  item_id: string;
  site_id: string;
  channel_id: string;
  lines: number;
  qty: number;
  gross_micros: number;
  revenue_micros: number;
  cogs_micros: number;
}

/** A closed day's order lines left out of its totals (returned, shipped on later days or from two sites): read line by line. */
export interface SalesDayOrderLineTable {
  day: string;
  order_id: string;
  order_line_id: string;
}

/** A closed day's kept lines, counter and online, by quarter hour (ms since the epoch / 900,000), site and channel ('' the counter). */
export interface SalesDayQuarterTable {
  day: string;
  quarter: number;
  site_id: string;
  channel_id: string;
  lines: number;
  qty: number;
  gross_micros: number;
  discount_micros: number;
  revenue_micros: number;
  cogs_micros: number;
}

export interface SalesDayStateTable {
  name: string;
  seen_at: number;
  updated_at: number;
}

export interface SalesDayInvalidationTable {
  id: string;
  /** The sales rung up in [from_at, to_at] had sale movements re-costed. */
  from_at: number;
  to_at: number;
  created_at: number;
}

export interface StockSnapshotStateTable {
  name: string;
  /** Movement ids above this were not yet checked for back-dating. */
  movement_watermark: string;
  invalidation_watermark: string;
  updated_at: number;
}

export interface PriceChangeTable {
  id: string;
  item_id: string;
  old_price_micros: number | null;
  new_price_micros: number;
  cost_basis: 'last' | 'average' | 'replacement';
  /** Base currency per base unit, null when the item had no cost of that kind. */
  cost_micros: number | null;
  /** The rule as text ("markup 60% round .99"). */
  rule: string;
  reason: string;
  actor_id: string;
  created_at: number;
}

export interface ForecastTable {
  item_id: string;
  site_id: string;
  method: string;
  demand_class: string;
  history_end_on: string;
  history_days: number;
  censored_days: number;
  rmsse_e6: number | null;
  bias_e6: number | null;
  error_sd_e6: number;
  accuracy_method: string | null;
  accuracy_rmsse_e6: number | null;
  accuracy_bias_e6: number | null;
  benchmark_rmsse_e6: number | null;
  benchmark_bias_e6: number | null;
  parameters_json: string;
  forecast_json: string;
  run_id: string | null;
  computed_at: number;
}

export interface ForecastRunTable {
  id: string;
  status: 'running' | 'finished' | 'failed';
  trigger: string;
  items_total: number;
  items_done: number;
  forecasts_written: number;
  error: string | null;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
  running_lock: number | null;
}

export interface DemandFlagTable {
  id: string;
  item_id: string | null;
  site_id: string | null;
  from_on: string;
  to_on: string;
  reason: string;
  created_at: number;
}

export interface AlertRuleTable {
  rule: string;
  enabled: number;
  cooldown_ms: number;
  days: number | null;
  qty: number | null;
  amount_micros: number | null;
  count: number | null;
  updated_at: number;
  updated_by: string | null;
}

export interface AlertStateTable {
  rule: string;
  subject_id: string;
  /** '' for shop-wide conditions. */
  site_id: string;
  active: number;
  last_fired_at: number | null;
  updated_at: number;
}

export interface AlertTable {
  id: string;
  rule: string;
  site_id: string;
  subject_type: string;
  subject_id: string;
  title: string;
  body: string;
  /** Told only to people who may see costs; null when there is nothing more. */
  cost_body: string | null;
  data_json: string;
  created_at: number;
}

export interface AlertSubscriptionTable {
  id: string;
  user_id: string;
  rule: string;
  /** '' for every site the user is granted. */
  site_id: string;
  channel: 'email' | 'sms' | 'in_app';
  digest: number;
  created_at: number;
}

export interface AlertPreferenceTable {
  user_id: string;
  quiet_from: string | null;
  quiet_to: string | null;
  digest_at: string;
  updated_at: number;
}

export interface AlertDigestTable {
  user_id: string;
  last_local_date: string;
  last_sent_at: number;
}

export interface NotificationTable {
  id: string;
  user_id: string;
  alert_id: string;
  rule: string;
  site_id: string;
  title: string;
  body: string;
  created_at: number;
  read_at: number | null;
}

// Production (0018)

export type CostBasis = 'batch' | 'unit';
export type BomStatus = 'active' | 'superseded';
export type ProductionOrderStatus = 'planned' | 'started' | 'completed' | 'closed' | 'cancelled';

export interface BomTable {
  id: string;
  item_id: string;
  version: number;
  status: BomStatus;
  /** The quantity one batch is meant to make (thousandths of the item's base unit). */
  batch_qty: number;
  /** Expected good output over nominal, parts per million. */
  yield_ppm: number;
  /** Expected component loss on top of the listed quantities, parts per million. */
  scrap_ppm: number;
  labour_micros: number;
  labour_basis: CostBasis;
  overhead_micros: number;
  overhead_basis: CostBasis;
  shelf_life_days: number | null;
  note: string | null;
  created_by: string | null;
  created_at: number;
}

export interface BomLineTable {
  id: string;
  bom_id: string;
  line_no: number;
  component_item_id: string;
  qty: number;
  unit: string | null;
  unit_qty: number;
}

export interface ProductionOrderTable {
  id: string;
  number: string;
  status: ProductionOrderStatus;
  site_id: string;
  bin_id: string;
  item_id: string;
  bom_id: string;
  qty_planned: number;
  qty_produced: number;
  qty_scrapped: number;
  labour_planned_micros: number;
  overhead_planned_micros: number;
  planned_for: string | null;
  note: string | null;
  created_by: string | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  closed_at: number | null;
  updated_at: number;
}

export interface ProductionOrderLineTable {
  id: string;
  order_id: string;
  line_no: number;
  item_id: string;
  qty_planned: number;
  qty_consumed: number;
}

export interface ProductionPostingTable {
  id: string;
  order_id: string;
  kind: 'completion';
  consumption_txn_id: string | null;
  production_txn_id: string | null;
  output_item_id: string | null;
  qty_produced: number;
  qty_scrapped: number;
  labour_micros: number;
  overhead_micros: number;
  lot_id: string;
  derivation_id: string | null;
  actor_id: string | null;
  note: string | null;
  effective_at: number;
  created_at: number;
}

export interface DisassemblyTable {
  id: string;
  number: string;
  site_id: string;
  bin_id: string;
  item_id: string;
  lot_id: string;
  qty: number;
  rule: 'standard' | 'declared';
  lines_json: string;
  consumption_txn_id: string;
  production_txn_id: string;
  derivation_id: string;
  note: string | null;
  actor_id: string | null;
  effective_at: number;
  created_at: number;
}

export interface CostDerivationTable {
  id: string;
  document_type: string;
  document_id: string;
  extra_micros: number;
  created_at: number;
}

export interface CostDerivationSourceTable {
  derivation_id: string;
  movement_id: string;
}

export interface CostDerivationOutputTable {
  derivation_id: string;
  movement_id: string;
  item_id: string;
  qty: number;
  weight: number;
  position: number;
}

/** Which ledger account a role books to, per site and category ('' = any). */
export interface AccountingAccountTable {
  site_id: string;
  category: string;
  role: string;
  account_name: string;
  updated_at: number;
}

export interface QboConnectionTable {
  id: string;
  realm_id: string;
  access_token_sealed: string;
  refresh_token_sealed: string;
  access_expires_at: number;
  refresh_expires_at: number;
  sync_from: string;
  /** Account name → QuickBooks account id, as last read from the company's chart of accounts. */
  accounts_json: string;
  /** 1 when the daily journal also books sales (revenue, discounts, tax, the tender side). */
  sync_sales: Generated<number>;
  last_sync_at: number | null;
  connected_at: number;
  updated_at: number;
}

export interface QboPostingTable {
  id: string;
  kind: 'journal' | 'bill' | 'vendor_credit';
  posting_key: string;
  revision: number;
  doc_number: string;
  request_id: string;
  day: string | null;
  site_id: string | null;
  document_id: string | null;
  lines_json: string;
  total_minor: number;
  status: 'pending' | 'posted' | 'failed';
  qbo_id: string | null;
  attempts: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  posted_at: number | null;
  /** 1 when this day and site were first booked with sales: its corrections keep that scope. */
  with_sales: Generated<number>;
}

/** A store's Google local inventory feed: the channel whose available-to-sell it advertises. */
export interface GoogleLocalFeedTable {
  site_id: string;
  store_code: string;
  channel_id: string;
  token_hash: string;
  created_at: number;
  updated_at: number;
}

/** How an item is listed online (migration 0031); a variant's empty fields come from its product's listing. */
export interface ItemListingTable {
  item_id: string;
  /** 1: in the Google product feed and pushed to Merchant Center. */
  google: number;
  brand: string | null;
  image_url: string | null;
  link_url: string | null;
  condition: 'new' | 'refurbished' | 'used';
  updated_at: number;
}

/** What a product's variants share when listed (migration 0031). */
export interface ProductListingTable {
  product_id: string;
  brand: string | null;
  image_url: string | null;
  link_url: string | null;
  updated_at: number;
}

/** The shop's Google Merchant Center link (one row, id 'default'): product feed secret, service account sealed. */
export interface GoogleMerchantTable {
  id: string;
  product_feed_token_hash: string | null;
  merchant_id: string | null;
  data_source: string | null;
  content_language: string;
  feed_label: string;
  client_email: string | null;
  key_sealed: string | null;
  api_base: string | null;
  push_not_before: number;
  last_push_at: number | null;
  updated_at: number;
}

/** What was last sent to the Merchant API per product (and store), by content fingerprint. */
export interface GooglePushedTable {
  kind: 'local' | 'product';
  /** '' for product inputs. */
  store_code: string;
  offer_id: string;
  fingerprint: string;
  pushed_at: number;
}

/** A product grouping variants (migration 0025); options_json holds [{ name, values }], at most three. */
export interface ProductTable {
  id: string;
  handle: string;
  handle_key: string;
  name: string;
  description: string | null;
  category: string | null;
  options_json: string;
  status: 'active' | 'archived';
  created_at: number;
  updated_at: number;
}

/** An item as a variant of a product, with its option values ('' where the product has fewer options). */
export interface ProductVariantTable {
  item_id: string;
  product_id: string;
  option1: string;
  option2: string;
  option3: string;
  position: number;
}

/** One dry run or apply of a catalogue file (migration 0026). */
export interface ImportJobTable {
  id: string;
  kind: string;
  file_name: string | null;
  layout: string;
  dry_run: number;
  status: 'running' | 'done' | 'failed';
  rows_total: number;
  rows_done: number;
  created_count: number;
  updated_count: number;
  unchanged_count: number;
  error_count: number;
  errors_json: string;
  failure: string | null;
  actor_id: string | null;
  created_at: number;
  finished_at: number | null;
}

/** An app an owner registered to link accounts through OAuth 2.0 (the Alexa skill). */
export interface OauthClientTable {
  id: string;
  name: string;
  /** sha256 of the client secret, which is shown once. */
  secret_hash: string;
  secret_hint: string;
  redirect_uris_json: string;
  scopes: string;
  created_by_id: string;
  created_at: number;
  revoked_at: number | null;
}

/** One approval a user gave a client: a "linked app". */
export interface OauthGrantTable {
  id: string;
  client_id: string;
  user_id: string;
  scopes: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  revoked_by_id: string | null;
  revoked_reason: string | null;
}

export interface OauthCodeTable {
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scopes: string;
  /** BASE64URL(SHA256(code_verifier)): only S256 is accepted. */
  code_challenge: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  grant_id: string | null;
}

export interface OauthTokenTable {
  secret_hash: string;
  grant_id: string;
  kind: 'access' | 'refresh';
  created_at: number;
  expires_at: number;
  /** A refresh token's rotation: set when it was exchanged; a second exchange is a replay. */
  used_at: number | null;
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
  price_changes: PriceChangeTable;
  saved_reports: SavedReportTable;
  report_schedules: ReportScheduleTable;
  report_schedule_runs: ReportScheduleRunTable;
  stock_snapshot_days: StockSnapshotDayTable;
  stock_snapshot_balances: StockSnapshotBalanceTable;
  stock_snapshot_costs: StockSnapshotCostTable;
  stock_snapshot_state: StockSnapshotStateTable;
  stock_snapshot_invalidations: StockSnapshotInvalidationTable;
  sales_days: SalesDayTable;
  sales_day_totals: SalesDayTotalTable;
  sales_day_order_totals: SalesDayOrderTotalTable;
  sales_day_order_lines: SalesDayOrderLineTable;
  sales_day_quarters: SalesDayQuarterTable;
  sales_day_state: SalesDayStateTable;
  sales_day_invalidations: SalesDayInvalidationTable;
  accounting_accounts: AccountingAccountTable;
  qbo_connections: QboConnectionTable;
  qbo_postings: QboPostingTable;
  google_local_feeds: GoogleLocalFeedTable;
  item_listings: ItemListingTable;
  product_listings: ProductListingTable;
  google_merchant: GoogleMerchantTable;
  google_pushed: GooglePushedTable;
  products: ProductTable;
  product_variants: ProductVariantTable;
  import_jobs: ImportJobTable;
  inbound_costs: InboundCostTable;
  cost_layers: CostLayerTable;
  cost_consumptions: CostConsumptionTable;
  cost_checkpoints: CostCheckpointTable;
  users: UserTable & UserAlertColumns;
  site_grants: SiteGrantTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  oauth_clients: OauthClientTable;
  oauth_grants: OauthGrantTable;
  oauth_codes: OauthCodeTable;
  oauth_tokens: OauthTokenTable;
  login_throttle: LoginThrottleTable;
  sign_in_addresses: SignInAddressTable;
  audit_events: AuditEventTable;
  audit_targets: AuditTargetTable;
  vendors: VendorTable;
  stock_levels: StockLevelTable;
  vendor_items: VendorItemTable;
  exchange_rates: ExchangeRateTable;
  purchase_orders: PurchaseOrderTable;
  purchase_order_lines: PurchaseOrderLineTable;
  purchase_order_revisions: PurchaseOrderRevisionTable;
  receipts: ReceiptTable;
  vendor_returns: VendorReturnTable;
  vendor_return_lines: VendorReturnLineTable;
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
  deliveries: DeliveryTable;
  delivery_attempts: DeliveryAttemptTable;
  paused_destinations: PausedDestinationTable;
  webhook_subscriptions: WebhookSubscriptionTable;
  notification_settings: NotificationSettingTable;
  job_leases: JobLeaseTable;
  job_runs: JobRunTable;
  forecasts: ForecastTable;
  forecast_runs: ForecastRunTable;
  demand_flags: DemandFlagTable;
  sale_registers: SaleRegisterTable;
  sales: SaleTable;
  sale_lines: SaleLineTable;
  sale_line_modifiers: SaleLineModifierTable;
  sale_discounts: SaleDiscountTable;
  payments: PaymentTable;
  orders: OrderTable;
  tax_rates: TaxRateTable;
  tax_rules: TaxRuleTable;
  tax_exempt_items: TaxExemptItemTable;
  order_lines: OrderLineTable;
  returns: ReturnTable;
  return_lines: ReturnLineTable;
  exchanges: ExchangeTable;
  pick_lists: PickListTable;
  pick_list_lines: PickListLineTable;
  shipments: ShipmentTable;
  shipment_packages: ShipmentPackageTable;
  shipment_lines: ShipmentLineTable;
  transfers: TransferTable;
  transfer_lines: TransferLineTable;
  transfer_allocations: TransferAllocationTable;
  transfer_postings: TransferPostingTable;
  transfer_discrepancies: TransferDiscrepancyTable;
  boms: BomTable;
  bom_lines: BomLineTable;
  production_orders: ProductionOrderTable;
  production_order_lines: ProductionOrderLineTable;
  production_postings: ProductionPostingTable;
  disassemblies: DisassemblyTable;
  cost_derivations: CostDerivationTable;
  cost_derivation_sources: CostDerivationSourceTable;
  cost_derivation_outputs: CostDerivationOutputTable;
  bin_moves: BinMoveTable;
  count_site_settings: CountSiteSettingsTable;
  counts: CountTable;
  count_sheets: CountSheetTable;
  count_lines: CountLineTable;
  count_unknown_scans: CountUnknownScanTable;
  alert_rules: AlertRuleTable;
  alert_states: AlertStateTable;
  alerts: AlertTable;
  alert_subscriptions: AlertSubscriptionTable;
  alert_preferences: AlertPreferenceTable;
  alert_digests: AlertDigestTable;
  notifications: NotificationTable;
  channel_connections: ChannelConnectionTable;
  channel_variant_maps: ChannelVariantMapTable;
  channel_events: ChannelEventTable;
  channel_order_states: ChannelOrderStateTable;
  channel_sync_log: ChannelSyncLogTable;
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
export type StockLevelRow = Selectable<StockLevelTable>;
export type VendorItemRow = Selectable<VendorItemTable>;
export type PurchaseOrderRow = Selectable<PurchaseOrderTable>;
export type PurchaseOrderLineRow = Selectable<PurchaseOrderLineTable>;
export type ReceiptRow = Selectable<ReceiptTable>;
export type VendorReturnRow = Selectable<VendorReturnTable>;
export type VendorReturnLineRow = Selectable<VendorReturnLineTable>;
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
export type CountRow = Selectable<CountTable>;
export type CountLineRow = Selectable<CountLineTable>;
export type CountSheetRow = Selectable<CountSheetTable>;
export type CountSiteSettingsRow = Selectable<CountSiteSettingsTable>;
export type CountUnknownScanRow = Selectable<CountUnknownScanTable>;
// Kept for columns that later migrations give defaults to.
export type { Generated };
export type JobLeaseRow = Selectable<JobLeaseTable>;
export type JobRunRow = Selectable<JobRunTable>;
export type TransferRow = Selectable<TransferTable>;
export type TransferLineRow = Selectable<TransferLineTable>;
export type TransferAllocationRow = Selectable<TransferAllocationTable>;
export type TransferPostingRow = Selectable<TransferPostingTable>;
export type TransferDiscrepancyRow = Selectable<TransferDiscrepancyTable>;
export type ForecastRow = Selectable<ForecastTable>;
export type ForecastRunRow = Selectable<ForecastRunTable>;
export type DemandFlagRow = Selectable<DemandFlagTable>;
export type BomRow = Selectable<BomTable>;
export type BomLineRow = Selectable<BomLineTable>;
export type ProductionOrderRow = Selectable<ProductionOrderTable>;
export type ProductionOrderLineRow = Selectable<ProductionOrderLineTable>;
export type ProductionPostingRow = Selectable<ProductionPostingTable>;
export type DisassemblyRow = Selectable<DisassemblyTable>;

/** A sales channel's link to its platform (migration 0022). */
export interface ChannelConnectionTable {
  id: string;
  channel_id: string;
  platform: string;
  /** The credentials as JSON, sealed with STOCKROOM_SECRETS_KEY. */
  credentials_sealed: string;
  status: 'active' | 'paused';
  /** The platform's API origin when not the default (a local fake in tests). */
  base_url: string | null;
  shop_name: string | null;
  last_tested_at: number | null;
  last_test_error: string | null;
  push_not_before: number;
  polled_until: number;
  created_at: number;
  updated_at: number;
}

export interface ChannelVariantMapTable {
  connection_id: string;
  variant_ref: string;
  parent_ref: string | null;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: string | null;
  item_id: string | null;
  matched_by: 'sku' | 'barcode' | 'manual' | 'import' | null;
  dirty_gen: number;
  pushed_gen: number;
  pushed_qty: number | null;
  pushed_at: number | null;
  upstream_qty: number | null;
  updated_at: number;
}

export interface ChannelEventTable {
  id: string;
  connection_id: string;
  event_id: string;
  topic: string;
  fired_at: number;
  received_at: number;
  order_ref: string | null;
  payload: string;
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  done_at: number | null;
}

export interface ChannelOrderStateTable {
  connection_id: string;
  order_ref: string;
  order_id: string | null;
  version: number;
  status: string;
  state_json: string;
  updated_at: number;
}

export interface ChannelSyncLogTable {
  id: string;
  connection_id: string;
  at: number;
  kind: string;
  ok: number;
  ref: string | null;
  detail: string;
}

export type ChannelConnectionRow = Selectable<ChannelConnectionTable>;
export type ChannelVariantMapRow = Selectable<ChannelVariantMapTable>;
export type ChannelEventRow = Selectable<ChannelEventTable>;
export type ChannelSyncLogRow = Selectable<ChannelSyncLogTable>;
export type ProductRow = Selectable<ProductTable>;
export type ProductVariantRow = Selectable<ProductVariantTable>;
export type ImportJobRow = Selectable<ImportJobTable>;
export type TaxRateRow = Selectable<TaxRateTable>;
export type TaxRuleRow = Selectable<TaxRuleTable>;
export type OauthClientRow = Selectable<OauthClientTable>;
export type OauthGrantRow = Selectable<OauthGrantTable>;
export type OauthCodeRow = Selectable<OauthCodeTable>;
export type OauthTokenRow = Selectable<OauthTokenTable>;
