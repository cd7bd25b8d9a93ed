export interface ModifierGroup {
  id: string;
  name: string;
  selection: 'single' | 'multiple';
  required: boolean;
  min: number;
  max: number | null;
  modifiers: { id: string; name: string; price_delta: string }[];
}

export interface SaleLine {
  id: string;
  line_no: number;
  item_id: string;
  sku: string;
  name: string;
  qty: number;
  unit_price: string;
  modifiers: { modifier_id: string; name: string; price_delta: string }[];
  gross: string;
  discount: string;
  sale_discount: string;
  net: string;
  tax_rate?: string;
  tax: string;
  total: string;
  qty_returned: number;
  cost?: string;
  margin?: string;
}

export interface Sale {
  id: string;
  number: string;
  register: string;
  location_id: string;
  site_id: string;
  status: 'completed' | 'partially_returned' | 'returned' | 'voided';
  employee: string | null;
  created_at: string;
  currency: string;
  lines: SaleLine[];
  /** The prices included tax: the tax is part of the total, not added to it. */
  tax_included?: boolean;
  discounts: { line_id: string | null; kind: string; amount: string; reason: string; employee: string }[];
  totals: { subtotal: string; discount: string; tax: string; total: string; paid: string; change: string; refunded: string };
  payments: { tender: string; amount: string; reference: string | null }[];
  cost_of_goods?: string;
  margin?: string;
  warnings: { code: string; item_id: string; on_hand: number }[];
}

export type OrderStatus = 'back_ordered' | 'allocated' | 'partially_shipped' | 'shipped' | 'delivered' | 'cancelled' | 'expired';

export interface Order {
  id: string;
  channel_id: string;
  channel_order_id: string;
  status: OrderStatus;
  currency: string;
  customer_name: string | null;
  customer_email: string | null;
  ship_to: string | null;
  total: string;
  confirmed_at: string | null;
  created_at: string;
  lines: {
    id: string;
    line_no: number;
    item_id: string;
    qty: number;
    unit_price: string;
    total: string;
    allocation: 'allocated' | 'back_ordered';
    qty_open: number;
    qty_packed: number;
    qty_shipped: number;
    qty_delivered: number;
    qty_cancelled: number;
    qty_returned: number;
    reservations: { location_id: string; qty: number }[];
  }[];
}

export interface Channel {
  id: string;
  name: string;
  kind: 'pos' | 'online' | 'marketplace';
  site_ids: string[];
  /** The assortment: the catalogue categories it sells; null sells every item. */
  categories?: string[] | null;
  status: 'active' | 'archived';
}

export interface ChannelAvailability {
  item_id: string;
  sku: string;
  name: string;
  bundle: boolean;
  on_hand_available: number;
  buffer: number;
  available: number;
}

export interface PickList {
  id: string;
  order_id: string;
  site_id: string;
  status: 'open' | 'picked' | 'cancelled';
  lines: { id: string; line_no: number; order_line_id: string; item_id: string; location_id: string; bin: string; lot_id: string | null; expires_on: string | null; qty: number; qty_packed: number }[];
}

export interface Shipment {
  id: string;
  order_id: string;
  pick_list_id: string;
  status: 'packed' | 'shipped' | 'delivered' | 'cancelled';
  carrier: string | null;
  service: string | null;
  shipped_at: string | null;
  packages: { id: string; number: number; weight_g: number; tracking_number: string | null; lines: { order_line_id: string; qty: number }[] }[];
}

export interface ReturnDoc {
  id: string;
  kind: 'return' | 'void';
  sale_id: string | null;
  order_id: string | null;
  reason: string;
  refund: string;
  created_at: string;
  lines: { id: string; line_id: string; item_id: string; qty: number; condition: string; refund: string }[];
  refunds: { tender: string; amount: string }[];
}
