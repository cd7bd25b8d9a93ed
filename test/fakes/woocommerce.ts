/**
 * A local fake of the WooCommerce REST API v3 (`/wp-json/wc/v3`, as served by WooCommerce 9.x),
 * the subset the WooCommerce connector uses, with payloads modelled on the documented resources:
 *
 * - `GET /wp-json/` (the WordPress index, no authentication)
 * - `GET /products`, `GET /products/{id}/variations` — `page`/`per_page` (≤100), `include`,
 *   `X-WP-Total` and `X-WP-TotalPages`
 * - `POST /products/batch`, `POST /products/{id}/variations/batch` — `update` only, ≤100 objects
 *   (413 above), per-object errors for unknown ids
 * - `GET /orders` (`modified_after`, `dates_are_gmt`, `orderby=modified`), `GET /orders/{id}`,
 *   `GET /orders/{id}/refunds`
 *
 * Authentication is HTTP Basic with the consumer key and secret. (WooCommerce accepts Basic only
 * over HTTPS; the fake listens on plain http as a store behind a TLS-terminating proxy would see it.)
 * A throttled call answers 429 with Retry-After, as a host's rate limiter in front of WordPress does.
 *
 * Webhooks `order.created`, `order.updated` (also for cancel, completion and refunds, as Woo fires
 * them) and `order.deleted` carry the order as `GET /orders/{id}` shows it (only `{ id }` for a
 * deletion) with the `X-WC-Webhook-*` headers; the signature is base64 HMAC-SHA256 of the body with
 * the webhook secret, and the delivery id is made as WooCommerce makes it, from the webhook id and
 * the current second (so two events within a second share it).
 *
 * Times: WooCommerce stores whole seconds, so the fake moves an order's `date_modified_gmt` at
 * least one second forward on every change; two real edits within one second would share a version.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { FakeOrderLineInput, FakeProductInput, FakeStore, FakeWebhookDelivery } from './fake-store.ts';
import { HttpFakeStore, parseJson, retryAfterSeconds, type FakeRequest, type FakeResponse } from './platform-http-fake.ts';

const BATCH_MAX = 100;
const PER_PAGE_MAX = 100;
const CURRENCY = 'USD';

interface Product { id: number; name: string; type: 'simple' | 'variable'; sku: string; price: string; gtin: string; stock: number | null; variationIds: number[]; modified: number }
interface Variation { id: number; parentId: number; name: string; option: string; sku: string; price: string; gtin: string; stock: number | null; modified: number }
interface LineItem { id: number; productId: number; variationId: number; quantity: number; price: string; restocked: number }
interface Refund { id: number; created: number; reason: string; lines: Array<{ id: number; itemId: number; quantity: number }> }
interface Order { id: number; status: string; created: number; modified: number; lines: LineItem[]; refunds: Refund[] }

function wooError(status: number, code: string, message: string): FakeResponse {
  return { status, body: { code, message, data: { status } } };
}

function gmt(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
}

function centsOf(price: string): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(price);
  if (!match) throw new Error(`price "${price}" is not a decimal with at most two places`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

function decimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function paged<T>(rows: T[], query: URLSearchParams): FakeResponse {
  const page = Number(query.get('page') ?? '1');
  const perPage = Number(query.get('per_page') ?? '10');
  if (!Number.isInteger(page) || page < 1) return wooError(400, 'rest_invalid_param', 'Invalid parameter(s): page');
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > PER_PAGE_MAX) return wooError(400, 'rest_invalid_param', 'Invalid parameter(s): per_page');
  const pages = Math.ceil(rows.length / perPage);
  return {
    status: 200,
    headers: { 'x-wp-total': String(rows.length), 'x-wp-totalpages': String(pages) },
    body: rows.slice((page - 1) * perPage, page * perPage),
  };
}

function includeFilter(query: URLSearchParams): ((id: number) => boolean) {
  const include = query.get('include');
  if (!include) return () => true;
  const ids = new Set(include.split(',').map(Number));
  return (id) => ids.has(id);
}

export interface WooCommerceFakeOptions {
  now?: () => number;
}

export class WooCommerceFake extends HttpFakeStore implements FakeStore {
  readonly credentials: Record<string, string>;
  readonly webhookId = 7;
  private readonly now: () => number;
  private readonly salt = randomBytes(16).toString('hex');
  private readonly products = new Map<number, Product>();
  private readonly variations = new Map<number, Variation>();
  private readonly orders = new Map<number, Order>();
  /** WordPress posts (products, variations, orders, refunds) share one id sequence. */
  private nextPostId = 10;
  private nextItemId = 1;
  private lastModified = 0;
  /** The request bodies of every stock batch, for asserting batching. */
  readonly batches: Array<{ path: string; updates: number }> = [];

  private constructor(options: WooCommerceFakeOptions) {
    super((retryAfterMs) => ({
      status: 429,
      headers: { 'retry-after': retryAfterSeconds(retryAfterMs) },
      body: { code: 'rest_too_many_requests', message: 'Too many requests.', data: { status: 429 } },
    }));
    this.now = options.now ?? Date.now;
    this.credentials = {
      siteUrl: 'https://shop.example',
      consumerKey: `ck_${randomBytes(20).toString('hex')}`,
      consumerSecret: `cs_${randomBytes(20).toString('hex')}`,
      webhookSecret: randomBytes(16).toString('base64'),
    };
  }

  static async start(options: WooCommerceFakeOptions = {}): Promise<WooCommerceFake> {
    const fake = new WooCommerceFake(options);
    await fake.http.listen();
    return fake;
  }

  addProduct(input: FakeProductInput): string {
    const product: Product = {
      id: this.nextPostId++, name: input.title, type: 'simple', sku: input.sku ?? '', price: input.price, gtin: input.barcode ?? '',
      stock: input.stock, variationIds: [], modified: this.now(),
    };
    this.products.set(product.id, product);
    return String(product.id);
  }

  /** A variable product whose variations hold the stock; returns their refs (`parent:variation`). */
  addVariableProduct(name: string, variations: Array<FakeProductInput & { option: string }>): string[] {
    const product: Product = { id: this.nextPostId++, name, type: 'variable', sku: '', price: variations[0]?.price ?? '', gtin: '', stock: null, variationIds: [], modified: this.now() };
    this.products.set(product.id, product);
    return variations.map((input) => {
      const variation: Variation = {
        id: this.nextPostId++, parentId: product.id, name: `${name} - ${input.option}`, option: input.option, sku: input.sku ?? '',
        price: input.price, gtin: input.barcode ?? '', stock: input.stock, modified: this.now(),
      };
      product.variationIds.push(variation.id);
      this.variations.set(variation.id, variation);
      return `${product.id}:${variation.id}`;
    });
  }

  /** Woo signs for no URL; kept so every fake can be driven alike. */
  setNotificationUrl(_url: string): void {}

  createOrder(lines: FakeOrderLineInput[]): string {
    const at = this.tick();
    const order: Order = { id: this.nextPostId++, status: 'processing', created: at, modified: at, lines: lines.map((line) => this.newLine(line)), refunds: [] };
    this.orders.set(order.id, order);
    for (const line of order.lines) this.moveStock(line, -line.quantity);
    this.queueOrderEvent('order.created', order);
    return String(order.id);
  }

  updateOrderLines(orderRef: string, lines: FakeOrderLineInput[]): void {
    const order = this.order(orderRef);
    for (const line of order.lines) this.moveStock(line, line.quantity);
    const previous = new Map(order.lines.map((line) => [`${line.productId}:${line.variationId}`, line.id]));
    order.lines = lines.map((input) => {
      const line = this.newLine(input);
      return { ...line, id: previous.get(`${line.productId}:${line.variationId}`) ?? line.id };
    });
    for (const line of order.lines) this.moveStock(line, -line.quantity);
    this.modify(order, 'order.updated');
  }

  cancelOrder(orderRef: string): void {
    const order = this.order(orderRef);
    if (order.status === 'cancelled') return;
    for (const line of order.lines) this.moveStock(line, line.quantity);
    order.status = 'cancelled';
    this.modify(order, 'order.updated');
  }

  fulfilOrder(orderRef: string): void {
    const order = this.order(orderRef);
    order.status = 'completed';
    this.modify(order, 'order.updated');
  }

  refund(orderRef: string, lines: Array<{ index: number; quantity: number; restock: boolean }>): void {
    const order = this.order(orderRef);
    const refund: Refund = { id: this.nextPostId++, created: this.tick(), reason: '', lines: [] };
    for (const { index, quantity, restock } of lines) {
      const line = order.lines[index];
      if (!line) throw new Error(`order ${orderRef} has no line ${index}`);
      refund.lines.push({ id: this.nextItemId++, itemId: line.id, quantity });
      if (restock) {
        line.restocked += quantity;
        this.moveStock(line, quantity);
      }
    }
    order.refunds.push(refund);
    this.modify(order, 'order.updated');
  }

  /** Moves an order to the bin, as deleting it in the admin does; Woo sends `order.deleted` with its id. */
  trashOrder(orderRef: string): void {
    const order = this.order(orderRef);
    order.status = 'trash';
    order.modified = this.tick();
    this.queueDelivery('order.deleted', JSON.stringify({ id: order.id }));
  }

  levelOf(variantRef: string): number {
    const [productId, variationId] = variantRef.split(':').map(Number);
    const holder = variationId ? this.variations.get(variationId) : this.products.get(productId!);
    return holder?.stock ?? 0;
  }

  // ---- state helpers ----

  /** Whole seconds, strictly increasing: see the header. */
  private tick(): number {
    const second = Math.floor(this.now() / 1000) * 1000;
    this.lastModified = Math.max(second, this.lastModified + 1000);
    return this.lastModified;
  }

  private order(orderRef: string): Order {
    const order = this.orders.get(Number(orderRef));
    if (!order) throw new Error(`no WooCommerce order ${orderRef}`);
    return order;
  }

  private newLine(input: FakeOrderLineInput): LineItem {
    const [productId, variationId = 0] = input.variantRef.split(':').map(Number);
    if (!this.products.has(productId!) || (variationId && !this.variations.has(variationId))) throw new Error(`no WooCommerce product ${input.variantRef}`);
    return { id: this.nextItemId++, productId: productId!, variationId, quantity: input.quantity, price: input.price, restocked: 0 };
  }

  private moveStock(line: LineItem, delta: number): void {
    const holder = line.variationId ? this.variations.get(line.variationId) : this.products.get(line.productId);
    if (holder && holder.stock !== null) holder.stock += delta;
  }

  private modify(order: Order, topic: string): void {
    order.modified = this.tick();
    this.queueOrderEvent(topic, order);
  }

  // ---- webhooks ----

  private queueOrderEvent(topic: string, order: Order): void {
    this.queueDelivery(topic, JSON.stringify(this.orderJson(order)));
  }

  private queueDelivery(topic: string, body: string): void {
    const [resource, event] = topic.split('.');
    // WooCommerce: wp_hash( webhook id . current unix second ).
    const deliveryId = createHash('md5').update(`${this.salt}${this.webhookId}${Math.floor(this.now() / 1000)}`).digest('hex');
    this.queued.push({
      headers: {
        'content-type': 'application/json',
        'user-agent': 'WooCommerce/9.8.0 Hookshot (WordPress/6.8)',
        'x-wc-webhook-source': `${this.credentials.siteUrl}/`,
        'x-wc-webhook-topic': topic,
        'x-wc-webhook-resource': resource!,
        'x-wc-webhook-event': event!,
        'x-wc-webhook-signature': createHmac('sha256', this.credentials.webhookSecret!).update(body).digest('base64'),
        'x-wc-webhook-id': String(this.webhookId),
        'x-wc-webhook-delivery-id': deliveryId,
      },
      body,
    });
  }

  // ---- JSON ----

  private productJson(product: Product) {
    return {
      id: product.id, name: product.name, slug: product.name.toLowerCase().replace(/\W+/g, '-'), type: product.type, status: 'publish',
      sku: product.sku, global_unique_id: product.gtin, price: product.price, regular_price: product.price, sale_price: '',
      date_modified_gmt: gmt(product.modified), manage_stock: product.stock !== null, stock_quantity: product.stock,
      stock_status: product.stock === null || product.stock > 0 ? 'instock' : 'outofstock', variations: product.variationIds,
    };
  }

  private variationJson(variation: Variation) {
    return {
      id: variation.id, parent_id: variation.parentId, name: variation.name, type: 'variation', status: 'publish', sku: variation.sku,
      global_unique_id: variation.gtin, price: variation.price, regular_price: variation.price, sale_price: '',
      date_modified_gmt: gmt(variation.modified), manage_stock: variation.stock === null ? 'parent' : true, stock_quantity: variation.stock,
      stock_status: variation.stock === null || variation.stock > 0 ? 'instock' : 'outofstock',
      attributes: [{ id: 0, name: 'Option', option: variation.option }],
    };
  }

  private lineJson(line: LineItem) {
    const holder = line.variationId ? this.variations.get(line.variationId)! : this.products.get(line.productId)!;
    const total = decimal(centsOf(line.price) * line.quantity);
    const meta = [{ id: line.id * 10, key: '_reduced_stock', value: String(line.quantity) }];
    if (line.restocked > 0) meta.push({ id: line.id * 10 + 1, key: '_restock_refunded_items', value: String(line.restocked) });
    return {
      id: line.id, name: holder.name, product_id: line.productId, variation_id: line.variationId, quantity: line.quantity,
      tax_class: '', subtotal: total, subtotal_tax: '0.00', total, total_tax: '0.00', taxes: [], meta_data: meta,
      sku: holder.sku, price: Number(line.price),
    };
  }

  private refundTotal(order: Order, refund: Refund): number {
    return refund.lines.reduce((sum, refundLine) => {
      const line = order.lines.find((l) => l.id === refundLine.itemId);
      return sum + (line ? centsOf(line.price) * refundLine.quantity : 0);
    }, 0);
  }

  private orderJson(order: Order) {
    const total = order.lines.reduce((sum, line) => sum + centsOf(line.price) * line.quantity, 0);
    return {
      id: order.id, parent_id: 0, number: String(order.id), order_key: `wc_order_${order.id}`, created_via: 'checkout', version: '9.8.0',
      status: order.status, currency: CURRENCY, date_created: gmt(order.created), date_created_gmt: gmt(order.created),
      date_modified: gmt(order.modified), date_modified_gmt: gmt(order.modified), discount_total: '0.00', shipping_total: '0.00',
      total: decimal(total), total_tax: '0.00', prices_include_tax: false, customer_id: 0, payment_method: 'bacs',
      line_items: order.lines.map((line) => this.lineJson(line)),
      refunds: order.refunds.map((refund) => ({ id: refund.id, reason: refund.reason, total: decimal(-this.refundTotal(order, refund)) })),
    };
  }

  private refundJson(order: Order, refund: Refund) {
    return {
      id: refund.id, date_created: gmt(refund.created), date_created_gmt: gmt(refund.created), amount: decimal(this.refundTotal(order, refund)),
      reason: refund.reason, refunded_by: 1, refunded_payment: false, meta_data: [],
      line_items: refund.lines.map((refundLine) => {
        const line = order.lines.find((l) => l.id === refundLine.itemId)!;
        const total = decimal(-centsOf(line.price) * refundLine.quantity);
        return {
          id: refundLine.id, name: this.lineJson(line).name, product_id: line.productId, variation_id: line.variationId, quantity: -refundLine.quantity,
          subtotal: total, total, meta_data: [{ id: refundLine.id * 10, key: '_refunded_item_id', value: String(line.id) }], sku: this.lineJson(line).sku, price: -Number(line.price),
        };
      }),
    };
  }

  // ---- HTTP API ----

  private authorised(request: FakeRequest): boolean {
    const expected = `Basic ${Buffer.from(`${this.credentials.consumerKey}:${this.credentials.consumerSecret}`).toString('base64')}`;
    return request.headers.authorization === expected;
  }

  protected route(request: FakeRequest): FakeResponse {
    const { method, path, query } = request;
    if (method === 'GET' && path === '/wp-json/') {
      return { status: 200, body: { name: 'Fake Woo Shop', description: 'Just another WordPress site', url: this.credentials.siteUrl, home: this.credentials.siteUrl, namespaces: ['wp/v2', 'wc/v3'] } };
    }
    if (!path.startsWith('/wp-json/wc/v3/')) return wooError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    if (!this.authorised(request)) return wooError(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
    const route = path.slice('/wp-json/wc/v3'.length);
    const body = method === 'POST' ? parseJson(request.body) : undefined;
    let match: RegExpExecArray | null;
    if (method === 'GET' && route === '/products') return this.listProducts(query);
    if (method === 'POST' && route === '/products/batch') return this.batchUpdate(route, body, (id) => this.products.get(id));
    if ((match = /^\/products\/(\d+)\/variations$/.exec(route)) && method === 'GET') return this.listVariations(Number(match[1]), query);
    if ((match = /^\/products\/(\d+)\/variations\/batch$/.exec(route)) && method === 'POST') {
      const parentId = Number(match[1]);
      if (!this.products.has(parentId)) return wooError(404, 'woocommerce_rest_product_invalid_id', 'Invalid ID.');
      return this.batchUpdate(route, body, (id) => { const v = this.variations.get(id); return v?.parentId === parentId ? v : undefined; });
    }
    if (method === 'GET' && route === '/orders') return this.listOrders(query);
    if ((match = /^\/orders\/(\d+)$/.exec(route)) && method === 'GET') {
      const order = this.orders.get(Number(match[1]));
      return order ? { status: 200, body: this.orderJson(order) } : wooError(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');
    }
    if ((match = /^\/orders\/(\d+)\/refunds$/.exec(route)) && method === 'GET') {
      const order = this.orders.get(Number(match[1]));
      if (!order) return wooError(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');
      return paged([...order.refunds].reverse().map((refund) => this.refundJson(order, refund)), query);
    }
    return wooError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
  }

  private listProducts(query: URLSearchParams): FakeResponse {
    const included = includeFilter(query);
    const rows = [...this.products.values()].filter((product) => included(product.id)).sort((a, b) => a.id - b.id);
    if (query.get('order') === 'desc') rows.reverse();
    return paged(rows.map((product) => this.productJson(product)), query);
  }

  private listVariations(parentId: number, query: URLSearchParams): FakeResponse {
    const product = this.products.get(parentId);
    if (!product) return wooError(404, 'woocommerce_rest_product_invalid_id', 'Invalid ID.');
    const included = includeFilter(query);
    const rows = product.variationIds.filter(included).map((id) => this.variationJson(this.variations.get(id)!));
    return paged(rows, query);
  }

  private listOrders(query: URLSearchParams): FakeResponse {
    // dates_are_gmt=true makes modified_after a GMT time; the fake serves only that form.
    if (query.get('dates_are_gmt') !== 'true' && query.has('modified_after')) return wooError(400, 'rest_invalid_param', 'The fake needs dates_are_gmt=true.');
    const after = query.get('modified_after') ? Date.parse(`${query.get('modified_after')}Z`) : -Infinity;
    const field = query.get('orderby') === 'modified' ? 'modified' : 'created';
    const status = query.get('status') ?? 'any';
    const rows = [...this.orders.values()]
      .filter((order) => order.modified > after && (status === 'any' || order.status === status) && order.status !== 'trash')
      .sort((a, b) => a[field] - b[field] || a.id - b.id);
    if (query.get('order') !== 'asc') rows.reverse();
    return paged(rows.map((order) => this.orderJson(order)), query);
  }

  private batchUpdate(path: string, body: unknown, find: (id: number) => Product | Variation | undefined): FakeResponse {
    const update = (body as { update?: unknown } | undefined)?.update;
    if (!Array.isArray(update)) return wooError(400, 'rest_invalid_param', 'Invalid parameter(s): update');
    if (update.length > BATCH_MAX) return wooError(413, 'woocommerce_rest_request_entity_too_large', `Unable to accept more than ${BATCH_MAX} items for this request.`);
    this.batches.push({ path, updates: update.length });
    const results = update.map((entry: { id?: unknown; manage_stock?: unknown; stock_quantity?: unknown }) => {
      const holder = typeof entry.id === 'number' ? find(entry.id) : undefined;
      if (!holder) return { id: typeof entry.id === 'number' ? entry.id : 0, error: { code: 'woocommerce_rest_product_invalid_id', message: 'Invalid ID.', data: { status: 404 } } };
      if (entry.manage_stock === true) holder.stock = holder.stock ?? 0;
      if (entry.stock_quantity !== undefined) {
        if (!Number.isInteger(entry.stock_quantity)) return { id: holder.id, error: { code: 'rest_invalid_param', message: 'stock_quantity is not of type integer.', data: { status: 400 } } };
        holder.stock = entry.stock_quantity as number;
      }
      holder.modified = this.now();
      return 'parentId' in holder ? this.variationJson(holder) : this.productJson(holder);
    });
    return { status: 200, body: { update: results } };
  }
}
