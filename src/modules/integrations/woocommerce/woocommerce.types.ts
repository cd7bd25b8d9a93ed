/**
 * The WooCommerce REST API v3 resources the connector reads, as JSON (snake_case), trimmed to the
 * fields it uses. Woo sends more; unknown fields are ignored.
 */

export interface WooMeta {
  id?: number;
  key: string;
  value: unknown;
}

export interface WooProduct {
  id: number;
  name: string;
  /** simple, variable, grouped, external. */
  type: string;
  sku: string;
  price: string;
  /** The GTIN/UPC/EAN/ISBN field WooCommerce added in 9.2. */
  global_unique_id?: string;
  manage_stock: boolean;
  stock_quantity: number | null;
  variations: number[];
}

export interface WooVariation {
  id: number;
  name?: string;
  sku: string;
  price: string;
  global_unique_id?: string;
  /** `'parent'` when the parent product manages the variation's stock. */
  manage_stock: boolean | 'parent';
  stock_quantity: number | null;
  attributes?: Array<{ name: string; option: string }>;
}

export interface WooLineItem {
  id: number;
  name: string;
  product_id: number;
  variation_id: number;
  quantity: number;
  /** Woo sends the unit price as a JSON number; the totals as decimal strings. */
  price: number | string;
  subtotal: string;
  sku: string | null;
  meta_data: WooMeta[];
}

export interface WooOrder {
  id: number;
  number: string;
  status: string;
  currency: string;
  date_created_gmt: string;
  date_modified_gmt: string;
  line_items: WooLineItem[];
  /** Only a summary (id, reason, total); the refunded lines come from `/orders/{id}/refunds`. */
  refunds: Array<{ id: number; reason: string; total: string }>;
}

export interface WooRefund {
  id: number;
  date_created_gmt: string;
  line_items: Array<{ id: number; quantity: number; meta_data: WooMeta[] }>;
}

export interface WooBatchResult {
  update?: Array<{ id: number; stock_quantity?: number | null; error?: { code: string; message: string; data?: { status?: number } } }>;
}
