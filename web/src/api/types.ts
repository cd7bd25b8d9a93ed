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
  modifier_groups?: unknown[];
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
  layers: { movement_id: string; received_at: string; qty_in: number; qty_remaining: number; unit_cost: string; value_remaining: string }[];
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
