/** The shapes the web app reads from the API (a subset of the OpenAPI document's schemas). */

export type Role = 'owner' | 'manager' | 'staff' | 'viewer';

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  sites: 'all' | string[];
  status: 'active' | 'disabled';
  last_login_at: string | null;
  created_at: string;
}

export interface Session {
  kind: 'session' | 'token';
  user: User | null;
  role: Role;
  sites: 'all' | string[];
  permissions: string[];
  csrf_token: string | null;
  expires_at: string | null;
}

export interface Location {
  id: string;
  kind: 'site' | 'zone' | 'bin' | 'virtual';
  parent_id: string | null;
  site_id: string | null;
  code: string;
  full_code: string;
  name: string;
  site_type: 'store' | 'warehouse' | null;
  virtual_type: string | null;
  negative_stock: 'allow' | 'strict' | null;
  default_bin_id: string | null;
  purpose: 'stock' | 'quarantine';
  address: string | null;
  holds_stock: boolean;
  children?: Location[];
}

export interface Item {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  category: string | null;
  base_unit: string;
  units: { name: string; factor: number }[];
  barcodes: { code: string; kind: 'gtin' | 'other' }[];
  tracking: 'none' | 'lot' | 'serial';
  tracks_expiry: boolean;
  costing_method: 'fifo' | 'average';
  price: string | null;
  unit_weight_g: number | null;
  stocked: boolean;
  components: { item_id: string; qty: number }[];
  status: 'active' | 'archived';
  reorder_point?: number | null;
  created_at: string;
  updated_at: string;
}

/** An item as the list gives it: with its sellable stock (null when it is not stocked). */
export interface ItemListEntry extends Item {
  on_hand: number | null;
}

export interface Balance {
  item_id: string;
  location_id: string | null;
  lot_id: string | null;
  on_hand: number;
  reserved: number | null;
  available: number | null;
}

export interface Movement {
  id: string;
  txn_id: string;
  kind: string;
  reason: string | null;
  item_id: string;
  lot_id: string | null;
  from_location_id: string;
  to_location_id: string;
  qty: number;
  direction: 'in' | 'out' | null;
  unit_cost?: string | null;
  value?: string | null;
  effective_at: string;
  recorded_at: string;
  document_type: string;
  document_id: string;
  actor_id: string | null;
}

export interface Lot {
  id: string;
  item_id: string;
  code: string;
  kind: 'lot' | 'serial';
  expires_on: string | null;
}

export interface ItemCosts {
  item_id: string;
  costing_method: 'fifo' | 'average';
  on_hand: number;
  value: string;
  unit_cost: string;
  last_unit_cost: string;
  /** Open layers, oldest first; `lot_id` is the lot or serial the layer came in with (FIFO draws stay in their lot). */
  layers: { movement_id: string; lot_id: string | null; received_at: string; qty_in: number; qty_remaining: number; unit_cost: string; value_remaining: string }[];
}

export interface Vendor {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  contact_name: string | null;
  currency: string;
  payment_terms: string | null;
  lead_time_days: number | null;
  over_receipt_tolerance_percent: number;
  notes: string | null;
  status: 'active' | 'archived';
}

export interface VendorItem {
  vendor_id: string;
  item_id: string;
  vendor_sku: string | null;
  purchase_unit: string;
  unit_cost?: string;
  min_order_qty: number | null;
  pack_multiple: number | null;
  preferred: boolean;
}

export interface Discrepancy {
  kind: 'short' | 'over' | 'unexpected_item' | 'wrong_unit' | 'damaged';
  receipt_id: string | null;
  item_id: string;
  qty: number;
  detail: string;
  beyond_tolerance: boolean;
}

export interface PurchaseOrderLine {
  id: string;
  line_no: number;
  item_id: string;
  vendor_sku: string | null;
  qty: number;
  unit: string;
  unit_factor: number;
  qty_base: number;
  unit_price?: string;
  subtotal?: string;
  qty_received: number;
  qty_damaged: number;
  qty_outstanding: number;
  qty_outstanding_in_unit: number | null;
  warnings: { code: string; message: string }[];
}

export type PurchaseOrderStatus = 'draft' | 'sent' | 'partially_received' | 'received' | 'closed' | 'cancelled';

export interface PurchaseOrder {
  id: string;
  number: string;
  status: PurchaseOrderStatus;
  revision: number;
  vendor: { id: string; name: string };
  currency: string;
  delivery_site_id: string;
  expected_on: string | null;
  notes: string | null;
  terms: string | null;
  subtotal?: string;
  tax?: string;
  shipping?: string;
  total?: string;
  lines: PurchaseOrderLine[];
  receipts: { id: string; number: string; status: string; received_at: string | null; posted_at: string | null }[];
  discrepancies: Discrepancy[];
  created_at: string;
  sent_at: string | null;
}

export interface PurchaseOrderSummary {
  id: string;
  number: string;
  status: PurchaseOrderStatus;
  vendor_id: string;
  currency: string;
  delivery_site_id: string;
  expected_on: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface ReceiptLine {
  id: string;
  line_no: number;
  purchase_order_line_id: string | null;
  item_id: string;
  qty: number;
  unit: string;
  qty_base: number;
  lot_code: string | null;
  expires_on: string | null;
  condition: 'good' | 'damaged';
  disposition: 'stock' | 'quarantine' | 'scrap';
}

export interface Receipt {
  id: string;
  number: string;
  status: 'draft' | 'awaiting_approval' | 'posted' | 'cancelled';
  purchase_order: { id: string; number: string; status: string } | null;
  vendor: { id: string; name: string } | null;
  site_id: string;
  lines: ReceiptLine[];
  discrepancies: Discrepancy[];
  needs_approval: boolean;
  purchase_order_lines: {
    purchase_order_line_id: string;
    line_no: number;
    item_id: string;
    ordered: number;
    received_before: number;
    good_on_this_receipt: number;
    damaged_on_this_receipt: number;
    outstanding_after: number;
  }[];
  posted_at: string | null;
  created_at: string;
  /** Only for those who see costs. */
  landed_costs?: LandedCost[];
}

export interface LandedCost {
  id: string;
  number: string;
  kind: 'freight' | 'duty' | 'insurance' | 'other';
  method: 'value' | 'quantity' | 'weight';
  reference: string | null;
  currency: string;
  amount: string;
  exchange_rate?: string;
  amount_base: string;
  allocations: { receipt_id?: string; receipt_line_id: string; movement_id?: string; amount_base: string }[];
}

export interface ReceiptSummary {
  id: string;
  number: string;
  status: Receipt['status'];
  purchase_order_id: string | null;
  vendor_id: string | null;
  site_id: string;
  created_at: string;
  posted_at: string | null;
}

export interface Adjustment {
  id: string;
  number: string;
  location_id: string;
  reason: string;
  note: string | null;
  effective_at: string;
  posted_at: string;
  lines: { item_id: string; qty: number }[];
}

export interface AuditEvent {
  id: string;
  at: string;
  actor: { kind: 'user' | 'token' | 'system'; id: string; label: string } | null;
  method: string;
  route: string;
  path: string;
  status: number;
  outcome: 'success' | 'failure';
  problem_code: string | null;
  targets: { type: string; id: string }[];
  ip: string | null;
  note: string | null;
}

export interface ApiToken {
  id: string;
  name: string;
  secret_hint: string;
  role: Role;
  sites: 'all' | string[];
  status: 'active' | 'expired' | 'revoked';
  created_by_label: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface Settings {
  shop_name: string;
  base_currency: string;
  time_zone: string;
}

/** The settings as the API answers them: with the offline window, a number, edited on its own. */
export interface SettingsWithOffline extends Settings {
  offline_window_days?: number;
}

export interface StockAlert {
  item_id: string;
  sku: string;
  name: string;
  category: string | null;
  on_hand: number;
  reorder_point: number | null;
  on_order: number;
  status: 'out_of_stock' | 'low';
}

export interface SalesDay {
  date: string;
  sales_count: number;
  revenue: string;
  cogs?: string;
}

export interface ValueDay {
  date: string;
  value: string;
}

/** A price the pricing calculator set (GET /api/v1/items/{id}/price-history). */
export interface PriceChange {
  id: string;
  item_id: string;
  price_before: string | null;
  price_after: string;
  cost_basis: 'last' | 'average' | 'replacement';
  cost: string | null;
  rule: string;
  reason: string;
  actor_id: string;
  created_at: string;
}

export interface PricingLine {
  item_id: string;
  sku: string;
  name: string;
  cost: string | null;
  price_before: string | null;
  price_after: string | null;
  margin_before_percent: string | null;
  margin_after_percent: string | null;
  outcome: 'changed' | 'unchanged' | 'no_cost';
}

export interface PricingResult {
  rule: string;
  applied: boolean;
  changed: number;
  skipped: number;
  lines: PricingLine[];
}

export interface MarginAlert {
  item_id: string;
  sku: string;
  name: string;
  price: string;
  previous_cost: string;
  cost: string;
  margin_before_percent: string | null;
  margin_percent: string | null;
  receipt_id: string;
  received_at: string;
}

/** A webhook subscription (GET /api/v1/webhook-subscriptions); `secret` only in the answer that makes or rotates it. */
export interface WebhookSubscription {
  id: string;
  url: string;
  description: string | null;
  event_types: string[];
  active: boolean;
  rotating_until: string | null;
  created_at: string;
  updated_at: string;
  secret?: string;
}

export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'dead';

/** One outbound email, text or webhook call in the delivery log. */
export interface Delivery {
  id: string;
  channel: 'email' | 'sms' | 'webhook';
  destination: string;
  event_id: string;
  event_type: string;
  ordering_key: string | null;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
  last_error: string | null;
  provider_ref: string | null;
  summary: string;
}

export interface DeliveryAttempt {
  attempt: number;
  worker: string;
  started_at: string;
  latency_ms: number;
  outcome: 'delivered' | 'retry' | 'dead';
  status_code: number | null;
  response_excerpt: string | null;
  error: string | null;
}

export interface DeliveryDetail extends Delivery {
  paused: boolean;
  payload: Record<string, unknown>;
  log: DeliveryAttempt[];
}

export interface DeliveryDestination {
  destination: string;
  channel: string;
  pending: number;
  dead: number;
  delivered: number;
  paused: boolean;
  paused_at: string | null;
  pause_reason: string | null;
}

export type DemandClass = 'smooth' | 'erratic' | 'intermittent' | 'lumpy' | 'new';

export interface SiteForecast {
  site_id: string;
  method: string;
  demand_class: DemandClass;
  adi: number | null;
  cv2: number | null;
  rmsse: number | null;
  bias: number | null;
  accuracy: { method: string; rmsse: number; bias: number; benchmark_rmsse: number; benchmark_bias: number } | null;
  candidates: { method: string; rmsse: number; bias: number }[];
  parameters: Record<string, number>;
  computed_at: string | null;
  censored_days: number;
  history: { date: string; qty: number; censored: boolean; flagged: boolean }[];
  forecast: { date: string; mean: number; lower_80: number; upper_80: number; lower_95: number; upper_95: number }[];
}

export interface ItemForecast {
  item_id: string;
  horizon_days: number;
  sites: SiteForecast[];
}

export interface ForecastAccuracyGroup {
  key: string;
  forecasts: number;
  rmsse: number | null;
  bias: number | null;
  benchmark_rmsse: number | null;
  benchmark_bias: number | null;
  beats_benchmark: number | null;
}

export interface ForecastAccuracy {
  benchmark: 'seasonal_naive_weekly';
  computed_at: string | null;
  overall: ForecastAccuracyGroup;
  by_class: ForecastAccuracyGroup[];
  by_category: ForecastAccuracyGroup[];
  by_method: ForecastAccuracyGroup[];
}

export type AlertRuleName = 'low_stock' | 'out_of_stock' | 'negative_stock' | 'lot_expiring' | 'po_late' | 'count_variance' | 'discounts_voids' | 'delivery_failed';
export type AlertChannel = 'email' | 'sms' | 'in_app';

export interface AppNotification {
  id: string;
  alert_id: string;
  rule: AlertRuleName;
  site_id: string | null;
  title: string;
  body: string;
  created_at: string;
  read_at: string | null;
}

export interface NotificationPage extends Page<AppNotification> {
  unread_count: number;
}

export interface AlertSubscription {
  id: string;
  user_id: string;
  rule: AlertRuleName;
  site_id: string | null;
  channel: AlertChannel;
  digest: boolean;
  created_at: string;
}

export interface AlertPreferences {
  user_id: string | null;
  phone: string | null;
  quiet_from: string | null;
  quiet_to: string | null;
  digest_at: string;
  time_zone: string;
}

export interface AlertRuleSettings {
  rule: AlertRuleName;
  enabled: boolean;
  cooldown_minutes: number;
  days: number | null;
  qty: number | null;
  amount: string | null;
  count: number | null;
}

/** Replenishment: min/max levels and proposals (GET /api/v1/stock-levels, /api/v1/replenishment/proposals). */
export interface LevelBasis {
  lead_time_days: number;
  lead_time_source: 'measured' | 'promised' | 'default' | 'delivery_cycle' | 'transfer';
  review_days: number;
  /** At a warehouse: the stores it fills whose demand the level counts. */
  stores_counted?: number;
  /** At a warehouse planned for its stores: what it keeps for its own customers when sending. */
  own_keep?: number;
  service_percent: number;
  forecast: number;
}

export interface StockLevel {
  item_id: string;
  location_id: string;
  site_id: string;
  /** Null when no level is set here (`source` `none`). */
  min: number | null;
  max: number | null;
  delivered_daily: boolean;
  source: 'manual' | 'suggested' | 'migrated' | 'none';
  basis: LevelBasis | null;
  updated_at: string | null;
}

export interface PurchaseProposalLine {
  item_id: string;
  sku: string;
  name: string;
  site_id: string;
  position: { on_hand: number; reserved: number; on_order: number; in_transit: number };
  transfer_in: number;
  /** At a warehouse: what the stores it fills still need after the proposed moves (it buys for them). */
  stores_short: number;
  min: number;
  max: number;
  basis: LevelBasis | null;
  need: number;
  qty: number;
  unit: string;
  unit_factor: number;
  qty_base: number;
  lead_time_days: number;
  expected_on: string;
  why: string;
  unit_cost?: string | null;
  line_cost?: string | null;
}

export interface PurchaseProposal {
  vendor_id: string | null;
  vendor_name: string | null;
  currency: string | null;
  site_id: string;
  site_name: string;
  expected_on: string | null;
  total_cost?: string | null;
  lines: PurchaseProposalLine[];
}

export interface TransferProposal {
  source_site_id: string;
  source_site_name: string;
  destination_site_id: string;
  destination_site_name: string;
  lines: Array<{ item_id: string; sku: string; name: string; qty: number; why: string }>;
}

export interface BinMoveProposal {
  site_id: string;
  site_name: string;
  lines: Array<{ item_id: string; sku: string; name: string; from_location_id: string; from_code: string; to_location_id: string; to_code: string; qty: number; why: string }>;
}

export interface ReplenishmentProposals {
  purchase: PurchaseProposal[];
  transfer: TransferProposal[];
  bin_moves?: BinMoveProposal[];
}

export type VendorReturnStatus = 'draft' | 'posted' | 'cancelled';

export interface VendorReturnSummary {
  id: string;
  number: string;
  status: VendorReturnStatus;
  vendor_id: string;
  vendor_name: string;
  site_id: string;
  receipt_id: string | null;
  reason: string;
  currency: string;
  /** Left out for those who may not see costs. */
  credit?: string | null;
  returned_at: string | null;
  created_at: string;
  posted_at: string | null;
}

export interface VendorReturn extends VendorReturnSummary {
  receipt_number: string | null;
  notes: string | null;
  exchange_rate?: string | null;
  value?: string | null;
  txn_id: string | null;
  cancelled_at: string | null;
  lines: Array<{ id: string; line_no: number; item_id: string; receipt_line_id: string | null; lot_id: string | null; bin_id: string; qty: number; unit_credit?: string | null; credit?: string | null; value?: string | null }>;
}
