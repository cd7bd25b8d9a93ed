import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeOrderLineInput, FakeProductInput, FakeStore, FakeWebhookDelivery } from './fake-store.ts';

/**
 * A local fake of a Shopify shop: the GraphQL Admin API subset the connector uses (API version
 * 2026-04) and the webhooks the shop would send. Requests need `X-Shopify-Access-Token`; queries
 * are recognised by their root field (shop, productVariants, orders, order, nodes,
 * inventorySetQuantities), not by a general GraphQL parser. Cost is charged to a leaky bucket
 * (2,000 points, restoring 100 per second) and a query that does not fit answers THROTTLED with the
 * cost extensions, as Shopify documents. `inventorySetQuantities` checks every
 * `changeFromQuantity` and sets nothing when one is stale (CHANGE_FROM_QUANTITY_STALE).
 *
 * Webhooks carry the REST-style order JSON, signed over the raw body with the client secret
 * (X-Shopify-Hmac-Sha256), with X-Shopify-Webhook-Id, -Topic, -Triggered-At and -Shop-Domain.
 * The shop's clock moves a second per change, as Shopify's `updated_at` has whole seconds.
 */
export const SHOPIFY_FAKE_VERSION = '2026-04';

interface FakeVariant {
  variantId: number;
  inventoryItemId: number;
  productTitle: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  available: number;
}
interface FakeLine {
  id: number;
  variant: FakeVariant;
  quantity: number;
  price: string;
}
interface FakeRefund {
  id: number;
  lines: Array<{ lineId: number; quantity: number; restock: boolean }>;
}
interface FakeOrder {
  id: number;
  name: string;
  createdAt: number;
  updatedAt: number;
  cancelledAt: number | null;
  fulfilled: boolean;
  lines: FakeLine[];
  refunds: FakeRefund[];
}

export interface ShopifyFakeOptions {
  /** When the shop's clock starts (epoch ms); it moves a second per change. */
  startAt?: number;
  /** The leaky bucket's size and restore rate per second (Shopify's standard plan: 2,000 and 100); the bench widens it to time our side only. */
  bucket?: { max: number; restorePerSecond: number };
}

export async function startShopifyFake(options: ShopifyFakeOptions = {}): Promise<FakeStore & { clock(): number }> {
  const token = `shpat_${randomUUID().replace(/-/g, '')}`;
  const secret = `shpss_${randomUUID().replace(/-/g, '')}`;
  const domain = 'stockroom-test.myshopify.com';
  const variants: FakeVariant[] = [];
  const orders = new Map<number, FakeOrder>();
  const queued: FakeWebhookDelivery[] = [];
  const requests: Array<{ method: string; path: string; at: number }> = [];
  let nextId = 1000;
  let clock = options.startAt ?? Date.parse('2026-11-02T09:00:00Z');
  let notificationUrl = '';
  const bucketMax = options.bucket?.max ?? 2000;
  const restoreRate = options.bucket?.restorePerSecond ?? 100;
  let bucket = bucketMax;
  let bucketAt = Date.now();
  let throttle = { count: 0, retryAfterMs: 0 };
  let delay = { count: 0, ms: 0 };

  const tick = () => (clock += 1000);
  const iso = (ms: number) => new Date(ms).toISOString();
  const variantByRef = (ref: string) => variants.find((v) => `gid://shopify/InventoryItem/${v.inventoryItemId}` === ref);

  function webhookOrder(o: FakeOrder) {
    return {
      id: o.id,
      admin_graphql_api_id: `gid://shopify/Order/${o.id}`,
      name: o.name,
      created_at: iso(o.createdAt),
      updated_at: iso(o.updatedAt),
      cancelled_at: o.cancelledAt === null ? null : iso(o.cancelledAt),
      fulfillment_status: o.fulfilled ? 'fulfilled' : null,
      currency: 'USD',
      line_items: o.lines.map((l) => ({ id: l.id, admin_graphql_api_id: `gid://shopify/LineItem/${l.id}`, variant_id: l.variant.variantId, sku: l.variant.sku, title: l.variant.productTitle, quantity: l.quantity, price: l.price })),
      refunds: o.refunds.map((r) => ({ id: r.id, order_id: o.id, refund_line_items: r.lines.map((l) => ({ line_item_id: l.lineId, quantity: l.quantity, restock_type: l.restock ? 'return' : 'no_restock' })) })),
    };
  }

  function queueWebhook(topic: string, payload: unknown) {
    const body = JSON.stringify(payload);
    queued.push({
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
        'x-shopify-shop-domain': domain,
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-event-id': randomUUID(),
        'x-shopify-triggered-at': iso(clock),
        'x-shopify-api-version': SHOPIFY_FAKE_VERSION,
      },
      body,
    });
  }

  function graphqlOrder(o: FakeOrder) {
    const w = webhookOrder(o);
    return {
      id: w.admin_graphql_api_id,
      name: o.name,
      createdAt: w.created_at,
      updatedAt: w.updated_at,
      cancelledAt: w.cancelled_at,
      displayFulfillmentStatus: o.fulfilled ? 'FULFILLED' : 'UNFULFILLED',
      currencyCode: 'USD',
      lineItems: { nodes: o.lines.map((l) => ({ id: `gid://shopify/LineItem/${l.id}`, sku: l.variant.sku, title: l.variant.productTitle, quantity: l.quantity, variant: { id: `gid://shopify/ProductVariant/${l.variant.variantId}` }, originalUnitPriceSet: { shopMoney: { amount: l.price } } })) },
      refunds: o.refunds.map((r) => ({
        id: `gid://shopify/Refund/${r.id}`,
        refundLineItems: { nodes: r.lines.map((l) => ({ lineItem: { id: `gid://shopify/LineItem/${l.lineId}` }, quantity: l.quantity, restockType: l.restock ? 'RETURN' : 'NO_RESTOCK' })) },
      })),
    };
  }

  function page<T>(list: T[], first: number, after: string | null) {
    const start = after ? Number(Buffer.from(after, 'base64').toString('utf8')) : 0;
    const nodes = list.slice(start, start + first);
    const end = start + nodes.length;
    return { pageInfo: { hasNextPage: end < list.length, endCursor: nodes.length ? Buffer.from(String(end)).toString('base64') : null }, nodes };
  }

  /** The documented query cost, roughly: 1 per object, 10 for a mutation; a page costs its size. */
  function costOf(query: string, variables: Record<string, unknown>): number {
    if (query.includes('inventorySetQuantities')) return 10;
    const first = typeof variables.first === 'number' ? variables.first : Array.isArray(variables.ids) ? variables.ids.length : 1;
    return 2 + first;
  }

  function answer(query: string, variables: Record<string, any>): unknown {
    if (/\bshop\s*\{/.test(query)) return { shop: { name: 'Stockroom Test Shop' } };
    if (query.includes('productVariants(')) {
      return {
        productVariants: page(
          variants.map((v) => ({ id: `gid://shopify/ProductVariant/${v.variantId}`, title: 'Default Title', sku: v.sku, barcode: v.barcode, price: v.price, product: { title: v.productTitle }, inventoryItem: { id: `gid://shopify/InventoryItem/${v.inventoryItemId}` } })),
          Math.min(250, variables.first ?? 50),
          variables.after ?? null,
        ),
      };
    }
    if (query.includes('inventorySetQuantities(')) return setQuantities(variables.input);
    if (query.includes('orders(')) {
      const since = /updated_at:>='([^']+)'/.exec(variables.query ?? '')?.[1];
      const list = [...orders.values()].filter((o) => !since || o.updatedAt >= Date.parse(since)).sort((a, b) => a.updatedAt - b.updatedAt);
      return { orders: page(list.map(graphqlOrder), Math.min(250, variables.first ?? 50), variables.after ?? null) };
    }
    if (/\border\(/.test(query)) {
      const id = Number(String(variables.id).split('/').pop());
      const o = orders.get(id);
      return { order: o ? graphqlOrder(o) : null };
    }
    if (query.includes('nodes(')) {
      return {
        nodes: (variables.ids as string[]).map((ref) => {
          const v = variantByRef(ref);
          return v ? { id: ref, inventoryLevel: { quantities: [{ name: 'available', quantity: v.available }] } } : null;
        }),
      };
    }
    throw new Error('unsupported query');
  }

  function setQuantities(input: { name: string; quantities: Array<{ inventoryItemId: string; locationId: string; quantity: number; changeFromQuantity: number | null | undefined }> }) {
    const userErrors: Array<{ code: string; field: string[]; message: string }> = [];
    input.quantities.forEach((q, i) => {
      const v = variantByRef(q.inventoryItemId);
      if (!v) userErrors.push({ code: 'INVALID_INVENTORY_ITEM', field: ['input', 'quantities', String(i), 'inventoryItemId'], message: 'The specified inventory item could not be found.' });
      else if (q.changeFromQuantity === undefined) userErrors.push({ code: 'INVALID', field: ['input', 'quantities', String(i), 'changeFromQuantity'], message: 'changeFromQuantity is required (null to opt out).' });
      else if (q.changeFromQuantity !== null && q.changeFromQuantity !== v.available)
        userErrors.push({ code: 'CHANGE_FROM_QUANTITY_STALE', field: ['input', 'quantities', String(i), 'changeFromQuantity'], message: 'The quantity has changed.' });
    });
    if (userErrors.length === 0) for (const q of input.quantities) variantByRef(q.inventoryItemId)!.available = q.quantity;
    return { inventorySetQuantities: { inventoryAdjustmentGroup: userErrors.length ? null : { id: `gid://shopify/InventoryAdjustmentGroup/${(nextId += 1)}` }, userErrors } };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    requests.push({ method: req.method ?? '', path: req.url ?? '', at: Date.now() });
    if (delay.count > 0) {
      delay.count -= 1;
      await new Promise((r) => setTimeout(r, delay.ms));
    }
    const send = (status: number, body: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== `/admin/api/${SHOPIFY_FAKE_VERSION}/graphql.json`) return send(404, { errors: 'Not Found' });
    if (req.headers['x-shopify-access-token'] !== token) return send(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    const { query, variables = {} } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
    const cost = costOf(query, variables);
    const now = Date.now();
    bucket = Math.min(bucketMax, bucket + ((now - bucketAt) / 1000) * restoreRate);
    bucketAt = now;
    const forced = throttle.count > 0;
    if (forced) throttle.count -= 1;
    if (forced || cost > bucket) {
      const available = forced ? Math.max(0, cost - (throttle.retryAfterMs / 1000) * restoreRate) : Math.floor(bucket);
      return send(200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: { maximumAvailable: bucketMax, currentlyAvailable: available, restoreRate } } },
      });
    }
    bucket -= cost;
    try {
      const data = answer(query, variables);
      send(200, { data, extensions: { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: { maximumAvailable: bucketMax, currentlyAvailable: Math.floor(bucket), restoreRate } } } });
    } catch (error) {
      send(200, { errors: [{ message: error instanceof Error ? error.message : String(error) }] });
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroyed || res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const linesOf = (input: FakeOrderLineInput[], keep: FakeLine[] = []): FakeLine[] =>
    input.map((l) => {
      const v = variantByRef(l.variantRef);
      if (!v) throw new Error(`no variant ${l.variantRef}`);
      const same = keep.find((k) => k.variant === v);
      return { id: same?.id ?? (nextId += 1), variant: v, quantity: l.quantity, price: l.price };
    });
  const orderOf = (ref: string) => {
    const o = orders.get(Number(ref.split('/').pop()));
    if (!o) throw new Error(`no order ${ref}`);
    return o;
  };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    credentials: { shop_domain: domain, location_id: 'gid://shopify/Location/1', access_token: token, webhook_secret: secret },
    clock: () => clock,
    addProduct(input: FakeProductInput) {
      const v: FakeVariant = { variantId: (nextId += 1), inventoryItemId: (nextId += 1), productTitle: input.title, sku: input.sku, barcode: input.barcode, price: input.price, available: input.stock };
      variants.push(v);
      return `gid://shopify/InventoryItem/${v.inventoryItemId}`;
    },
    setNotificationUrl(url: string) {
      notificationUrl = url;
    },
    createOrder(lines) {
      const at = tick();
      const o: FakeOrder = { id: (nextId += 1), name: `#${1000 + orders.size + 1}`, createdAt: at, updatedAt: at, cancelledAt: null, fulfilled: false, lines: linesOf(lines), refunds: [] };
      orders.set(o.id, o);
      for (const l of o.lines) l.variant.available -= l.quantity;
      queueWebhook('orders/create', webhookOrder(o));
      return `gid://shopify/Order/${o.id}`;
    },
    updateOrderLines(ref, lines) {
      const o = orderOf(ref);
      for (const l of o.lines) l.variant.available += l.quantity;
      o.lines = linesOf(lines, o.lines);
      for (const l of o.lines) l.variant.available -= l.quantity;
      o.updatedAt = tick();
      queueWebhook('orders/updated', webhookOrder(o));
    },
    cancelOrder(ref) {
      const o = orderOf(ref);
      o.cancelledAt = o.updatedAt = tick();
      for (const l of o.lines) l.variant.available += l.quantity;
      queueWebhook('orders/cancelled', webhookOrder(o));
    },
    fulfilOrder(ref) {
      const o = orderOf(ref);
      o.fulfilled = true;
      o.updatedAt = tick();
      queueWebhook('orders/fulfilled', webhookOrder(o));
    },
    refund(ref, lines) {
      const o = orderOf(ref);
      const refund: FakeRefund = { id: (nextId += 1), lines: lines.map((l) => ({ lineId: o.lines[l.index]!.id, quantity: l.quantity, restock: l.restock })) };
      o.refunds.push(refund);
      for (const l of lines) if (l.restock) o.lines[l.index]!.variant.available += l.quantity;
      o.updatedAt = tick();
      queueWebhook('refunds/create', { id: refund.id, order_id: o.id, refund_line_items: refund.lines.map((l) => ({ line_item_id: l.lineId, quantity: l.quantity, restock_type: l.restock ? 'return' : 'no_restock' })) });
      queueWebhook('orders/updated', webhookOrder(o));
    },
    takeWebhooks() {
      return queued.splice(0);
    },
    levelOf(ref) {
      const v = variantByRef(ref);
      if (!v) throw new Error(`no variant ${ref}`);
      return v.available;
    },
    throttleNext(count, retryAfterMs) {
      throttle = { count, retryAfterMs };
    },
    delayNext(count, ms) {
      delay = { count, ms };
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        void notificationUrl;
      }),
  };
}
