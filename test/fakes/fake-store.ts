/**
 * What every local fake of a sales platform (Shopify, Square, WooCommerce) offers the tests, beside
 * the documented HTTP API it serves. The contract tests and the end-to-end convergence test (orders
 * delivered with duplicates and out of order) drive any platform through this one face.
 */

export interface FakeOrderLineInput {
  /** The upstream variant ref (as `UpstreamVariant.ref`) being sold. */
  variantRef: string;
  /** Whole units, as the platforms count. */
  quantity: number;
  /** Decimal string. */
  price: string;
}

export interface FakeProductInput {
  title: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  /** Units on hand upstream at the fake's one location. */
  stock: number;
}

export interface FakeWebhookDelivery {
  /** The headers the platform would send, signature included. */
  headers: Record<string, string>;
  body: string;
}

export interface FakeStore {
  /** The origin the adapter should use as `AdapterEnv.baseUrl` (http://127.0.0.1:port). */
  readonly baseUrl: string;
  /** The credentials a shop owner would paste into the connect form, valid for this fake. */
  readonly credentials: Record<string, string>;
  /** Adds a product with one sellable variant; returns its `UpstreamVariant.ref`. */
  addProduct(input: FakeProductInput): string;
  /** Every webhook the fake would send is signed for this URL (Square signs it) and queued, not sent. */
  setNotificationUrl(url: string): void;
  createOrder(lines: FakeOrderLineInput[]): string;
  updateOrderLines(orderRef: string, lines: FakeOrderLineInput[]): void;
  cancelOrder(orderRef: string): void;
  fulfilOrder(orderRef: string): void;
  /** Refunds whole units of a line (by position in the order), optionally restocking them. */
  refund(orderRef: string, lines: Array<{ index: number; quantity: number; restock: boolean }>): void;
  /** Webhooks queued since the last call, in the order the platform fired them. */
  takeWebhooks(): FakeWebhookDelivery[];
  /** What upstream shows as available for a variant now. */
  levelOf(variantRef: string): number;
  /** Makes the next `count` API requests answer as throttled (429 / THROTTLED) with this retry delay. */
  throttleNext(count: number, retryAfterMs: number): void;
  /** Makes the next `count` API requests hang for `ms` before answering (timeouts). */
  delayNext(count: number, ms: number): void;
  /** Requests the fake has served, for asserting batching and coalescing. */
  readonly requests: ReadonlyArray<{ method: string; path: string; at: number }>;
  close(): Promise<void>;
}
