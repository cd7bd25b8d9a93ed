/**
 * The one interface every sales-platform connector (Shopify, Square, WooCommerce) implements.
 * The integrations core owns everything platform-neutral — stored credentials, the catalogue map,
 * webhook intake and de-duplication, applying upstream orders as Stockroom orders so out-of-order
 * deliveries converge, coalesced stock pushes, the reconcile job and the sync log — and talks to a
 * platform only through these calls. An adapter holds no state between calls and never touches
 * the database.
 *
 * Quantities are Stockroom's (thousandths of the base unit); money is a decimal string in the
 * order's currency, as the platforms send it.
 */

export type Platform = 'shopify' | 'square' | 'woocommerce';

/** Where the adapter sends its requests; tests point `baseUrl` at a local fake. */
export interface AdapterEnv {
  /** The platform's API origin (e.g. `https://{shop}.myshopify.com`), overridable for the fakes. */
  baseUrl: string;
  fetch: typeof fetch;
  /** Milliseconds; the caller's clock, so tests can move time. */
  now(): number;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
}

/** A platform's credentials as the connect form collected them (decrypted only while in use). */
export type Credentials = Record<string, string>;

/** One sellable thing upstream: a Shopify variant, a Square item variation, a WooCommerce product or variation. */
export interface UpstreamVariant {
  /** The platform's id for the thing whose stock is pushed (Shopify inventory item gid, Square variation id, Woo product or variation id). */
  ref: string;
  /** A second id some platforms need to address it (Shopify variant gid, WooCommerce parent product id), else null. */
  parentRef: string | null;
  title: string;
  sku: string | null;
  barcode: string | null;
  /** Decimal string, or null when the platform has none. */
  price: string | null;
}

export type UpstreamOrderStatus = 'open' | 'cancelled' | 'fulfilled';

export interface UpstreamOrderLine {
  /** The platform's id of the line; stable across updates of the order. */
  lineRef: string;
  /** The `UpstreamVariant.ref` it sells (or that variant's `parentRef`: Shopify lines name the variant, not its inventory item), when the platform says. */
  variantRef: string | null;
  sku: string | null;
  title: string;
  qty: number;
  unitPrice: string;
}

export interface UpstreamRefund {
  refundRef: string;
  lines: Array<{ lineRef: string; qty: number; restock: boolean }>;
}

/** An upstream order's whole current state, as the latest webhook or poll saw it. */
export interface UpstreamOrder {
  orderRef: string;
  /** What the shop calls it (#1001). */
  name: string;
  status: UpstreamOrderStatus;
  /**
   * Orders newer states: Shopify's `updated_at` and Woo's `date_modified_gmt` in epoch ms, Square's
   * `version`. A state whose version is not greater than the one applied changes nothing.
   */
  version: number;
  currency: string;
  createdAt: number;
  lines: UpstreamOrderLine[];
  refunds: UpstreamRefund[];
}

/** A verified webhook, reduced to what the core needs. */
export interface WebhookEvent {
  /** The platform's delivery or event id, the same across retries of one event: the de-duplication key. */
  eventId: string;
  /** The platform's topic as sent (`orders/updated`, `order.updated`, …), for the sync log. */
  topic: string;
  /** When the platform says the event fired, epoch ms. */
  firedAt: number;
  /** The order's state carried by the event, or only its reference when the payload is partial (Square): the core then fetches it. */
  order: UpstreamOrder | { orderRef: string } | null;
}

export type WebhookRefusal = 'unsigned' | 'bad_signature' | 'stale' | 'malformed';

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received; signatures are over these bytes. */
  rawBody: Buffer;
  /** The URL the platform was told to call, byte for byte (Square signs it). */
  notificationUrl: string;
}

export interface LevelToSet {
  ref: string;
  /** The absolute available-to-sell to show upstream. */
  qty: number;
  /** What we believe is there now, for compare-and-set; null when unknown. */
  expected: number | null;
}

export interface PushOutcome {
  ref: string;
  outcome: 'set' | 'stale' | 'not_found' | 'failed';
  /** What upstream holds when the platform said (after `stale`). */
  upstreamQty?: number;
  error?: string;
}

/** The platform throttled us: wait at least this long before the next request. */
export class Throttled extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`throttled; retry after ${retryAfterMs} ms`);
  }
}

export interface ChannelAdapter {
  readonly platform: Platform;
  /** The credential fields the connect form asks for; `secret` ones are never shown again. */
  readonly credentialFields: ReadonlyArray<{ name: string; label: string; secret: boolean }>;
  /**
   * The API origin for these credentials (Shopify's `https://{shop}`, a WooCommerce site URL), used
   * when the connection names none. Optional, added by the core: an adapter without it needs the
   * connection's `base_url`.
   */
  defaultBaseUrl?(credentials: Credentials): string;
  /** Verifies the signature on the raw body and parses it; never throws for bad input. */
  verifyWebhook(request: WebhookRequest, credentials: Credentials, env: AdapterEnv): WebhookEvent | { refused: WebhookRefusal };
  /** A cheap authenticated call; resolves with the shop's name or throws with the platform's message. */
  testConnection(credentials: Credentials, env: AdapterEnv): Promise<{ shopName: string }>;
  /** One page of the upstream catalogue; `cursor` null for the first. */
  listVariants(credentials: Credentials, env: AdapterEnv, cursor: string | null): Promise<{ variants: UpstreamVariant[]; nextCursor: string | null }>;
  /** Orders updated at or after `since` (epoch ms), one page; the poll that catches missed webhooks. */
  listOrdersUpdatedSince(credentials: Credentials, env: AdapterEnv, since: number, cursor: string | null): Promise<{ orders: UpstreamOrder[]; nextCursor: string | null }>;
  getOrder(credentials: Credentials, env: AdapterEnv, orderRef: string): Promise<UpstreamOrder | null>;
  /** Sets absolute levels, compare-and-set where the platform has it; batches as the platform allows. Throws `Throttled` on 429/THROTTLED. */
  setLevels(credentials: Credentials, env: AdapterEnv, levels: readonly LevelToSet[], idempotencyKey: string): Promise<PushOutcome[]>;
  /** Upstream's current levels of these refs, for the reconcile job. */
  readLevels(credentials: Credentials, env: AdapterEnv, refs: readonly string[]): Promise<Map<string, number>>;
}
