import { createHmac, timingSafeEqual } from 'node:crypto';
import { createAdminApiClient } from '@shopify/admin-api-client';
import {
  Throttled,
  type AdapterEnv,
  type ChannelAdapter,
  type Credentials,
  type LevelToSet,
  type PushOutcome,
  type UpstreamVariant,
  type WebhookEvent,
  type WebhookRequest,
} from '../adapter.ts';
import { ORDER_QUERY, ORDERS_QUERY, LEVELS_QUERY, SET_QUANTITIES, SHOP_QUERY, VARIANTS_QUERY, fromGraphqlOrder, fromWebhookOrder, type GraphqlOrder, type WebhookOrder } from './shopify.mapping.ts';

/**
 * Shopify through the GraphQL Admin API, version 2026-04: the first in which
 * `inventorySetQuantities` takes `changeFromQuantity` (our compare-and-set) on every quantity.
 * Requests go through Shopify's own `@shopify/admin-api-client`, whose `customFetchApi` lets the
 * connection's base URL (a local fake in tests) and our timeout stand in for the shop's origin.
 *
 * Stock is set per inventory item at the one location the shop owner names; a variant's
 * `UpstreamVariant.ref` is its inventory item gid and `parentRef` its variant gid (order lines
 * name the variant). Quantities upstream are whole units; Stockroom's are thousandths.
 */
export const SHOPIFY_API_VERSION = '2026-04';
/** Webhooks older than this are refused: Shopify retries for 4 hours, so a day is generous. */
export const SHOPIFY_WEBHOOK_MAX_AGE_MS = 24 * 60 * 60_000;
/** A triggered-at this far in the future is a forged or broken clock. */
const maxFutureSkewMs = 5 * 60_000;
const PAGE = 250;

interface GraphqlAnswer<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
  extensions?: { cost?: { requestedQueryCost: number; throttleStatus: { currentlyAvailable: number; restoreRate: number } } };
}

export async function shopifyGraphql<T>(credentials: Credentials, env: AdapterEnv, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const client = createAdminApiClient({
    storeDomain: credentials.shop_domain!,
    apiVersion: SHOPIFY_API_VERSION,
    accessToken: credentials.access_token!,
    logger: () => undefined,
    customFetchApi: (url, init) => {
      const target = new URL(String(url));
      const base = new URL(env.baseUrl || `https://${credentials.shop_domain}`);
      target.protocol = base.protocol;
      target.host = base.host;
      return env.fetch(target, { ...(init as RequestInit), signal: AbortSignal.timeout(env.timeoutMs) });
    },
  });
  const response = await client.fetch(query, { variables });
  if (response.status === 429) throw new Throttled(Math.max(1000, Number(response.headers.get('retry-after') ?? '1') * 1000));
  if (!response.ok) throw new Error(`Shopify answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  const answer = (await response.json()) as GraphqlAnswer<T>;
  if (answer.errors?.some((e) => e.extensions?.code === 'THROTTLED')) throw new Throttled(retryAfterOf(answer));
  if (answer.errors?.length || !answer.data) throw new Error(`Shopify: ${answer.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
  return answer.data;
}

/** How long until the leaky bucket holds the cost asked for, from the cost extensions. */
function retryAfterOf(answer: GraphqlAnswer<unknown>): number {
  const cost = answer.extensions?.cost;
  if (!cost || cost.throttleStatus.restoreRate <= 0) return 1000;
  const missing = Math.max(0, cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable);
  return Math.max(100, Math.ceil((missing / cost.throttleStatus.restoreRate) * 1000));
}

function header(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function verifyShopifyWebhook(request: WebhookRequest, credentials: Credentials, env: AdapterEnv): WebhookEvent | { refused: 'unsigned' | 'bad_signature' | 'stale' | 'malformed' } {
  const signature = header(request, 'x-shopify-hmac-sha256');
  if (!signature) return { refused: 'unsigned' };
  const expected = createHmac('sha256', credentials.webhook_secret ?? '').update(request.rawBody).digest();
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { refused: 'bad_signature' };
  const eventId = header(request, 'x-shopify-webhook-id');
  const topic = header(request, 'x-shopify-topic');
  const firedAt = Date.parse(header(request, 'x-shopify-triggered-at') ?? '');
  if (!eventId || !topic || !Number.isFinite(firedAt)) return { refused: 'malformed' };
  const now = env.now();
  if (firedAt < now - SHOPIFY_WEBHOOK_MAX_AGE_MS || firedAt > now + maxFutureSkewMs) return { refused: 'stale' };
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return { refused: 'malformed' };
  }
  return { eventId, topic, firedAt, order: orderOfTopic(topic, body) };
}

/** Order topics carry the whole order; a refund carries its order's id only (the core then reads the order). */
function orderOfTopic(topic: string, body: unknown): WebhookEvent['order'] {
  if (typeof body !== 'object' || body === null) return null;
  if (topic.startsWith('orders/')) {
    const order = body as WebhookOrder;
    return typeof order.id === 'number' || typeof order.id === 'string' ? fromWebhookOrder(order) : null;
  }
  if (topic === 'refunds/create') {
    const orderId = (body as { order_id?: number | string }).order_id;
    return orderId === undefined ? null : { orderRef: `gid://shopify/Order/${orderId}` };
  }
  return null;
}

export const shopifyAdapter: ChannelAdapter = {
  platform: 'shopify',
  credentialFields: [
    { name: 'shop_domain', label: 'Shop domain (your-shop.myshopify.com)', secret: false },
    { name: 'location_id', label: 'Location id stock is set at (gid://shopify/Location/…)', secret: false },
    { name: 'access_token', label: 'Admin API access token', secret: true },
    { name: 'webhook_secret', label: 'App client secret (signs webhooks)', secret: true },
  ],
  defaultBaseUrl: (credentials) => `https://${credentials.shop_domain}`,
  verifyWebhook: verifyShopifyWebhook,

  async testConnection(credentials, env) {
    const data = await shopifyGraphql<{ shop: { name: string } }>(credentials, env, SHOP_QUERY);
    return { shopName: data.shop.name };
  },

  async listVariants(credentials, env, cursor) {
    const data = await shopifyGraphql<{
      productVariants: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Array<{ id: string; title: string; sku: string | null; barcode: string | null; price: string; product: { title: string }; inventoryItem: { id: string } }> };
    }>(credentials, env, VARIANTS_QUERY, { first: PAGE, after: cursor });
    const variants: UpstreamVariant[] = data.productVariants.nodes.map((v) => ({
      ref: v.inventoryItem.id,
      parentRef: v.id,
      title: v.title && v.title !== 'Default Title' ? `${v.product.title} — ${v.title}` : v.product.title,
      sku: v.sku || null,
      barcode: v.barcode || null,
      price: v.price ?? null,
    }));
    const page = data.productVariants.pageInfo;
    return { variants, nextCursor: page.hasNextPage ? page.endCursor : null };
  },

  async listOrdersUpdatedSince(credentials, env, since, cursor) {
    const data = await shopifyGraphql<{ orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: GraphqlOrder[] } }>(credentials, env, ORDERS_QUERY, {
      first: 50,
      after: cursor,
      query: `updated_at:>='${new Date(since).toISOString()}'`,
    });
    return { orders: data.orders.nodes.map(fromGraphqlOrder), nextCursor: data.orders.pageInfo.hasNextPage ? data.orders.pageInfo.endCursor : null };
  },

  async getOrder(credentials, env, orderRef) {
    const data = await shopifyGraphql<{ order: GraphqlOrder | null }>(credentials, env, ORDER_QUERY, { id: orderRef });
    return data.order ? fromGraphqlOrder(data.order) : null;
  },

  async setLevels(credentials, env, levels, idempotencyKey) {
    if (levels.length === 0) return [];
    const data = await shopifyGraphql<{ inventorySetQuantities: { userErrors: Array<{ code: string | null; field: string[] | null; message: string }> } }>(credentials, env, SET_QUANTITIES, {
      input: {
        name: 'available',
        reason: 'correction',
        referenceDocumentUri: `stockroom://push/${encodeURIComponent(idempotencyKey)}`,
        quantities: levels.map((l) => ({
          inventoryItemId: l.ref,
          locationId: credentials.location_id,
          quantity: units(l.qty),
          changeFromQuantity: l.expected === null ? null : units(l.expected),
        })),
      },
    });
    const errors = data.inventorySetQuantities.userErrors;
    if (errors.length === 0) return levels.map((l) => ({ ref: l.ref, outcome: 'set' as const }));
    return outcomesOfFailure(credentials, env, levels, errors);
  },

  async readLevels(credentials, env, refs) {
    const levels = new Map<string, number>();
    for (let i = 0; i < refs.length; i += PAGE) {
      const data = await shopifyGraphql<{ nodes: Array<{ id: string; inventoryLevel: { quantities: Array<{ name: string; quantity: number }> } | null } | null> }>(credentials, env, LEVELS_QUERY, {
        ids: refs.slice(i, i + PAGE),
        locationId: credentials.location_id,
      });
      for (const node of data.nodes) {
        const available = node?.inventoryLevel?.quantities.find((q) => q.name === 'available');
        if (node && available) levels.set(node.id, available.quantity * 1000);
      }
    }
    return levels;
  },
};

/** Whole units upstream: what Stockroom has in thousandths, rounded down (never offer a part unit). */
function units(qty: number): number {
  return Math.floor(qty / 1000);
}

/**
 * The mutation sets all or nothing: when any quantity fails, none is set. The ones whose
 * `changeFromQuantity` was stale are answered with upstream's level now (read back), the others
 * are `failed` so the core sends them again next round.
 */
async function outcomesOfFailure(credentials: Credentials, env: AdapterEnv, levels: readonly LevelToSet[], errors: Array<{ code: string | null; field: string[] | null; message: string }>): Promise<PushOutcome[]> {
  const staleAt = new Set<number>();
  const missingAt = new Set<number>();
  for (const e of errors) {
    const index = Number(e.field?.[2]);
    if (!Number.isInteger(index)) continue;
    if (e.code === 'CHANGE_FROM_QUANTITY_STALE') staleAt.add(index);
    else if (e.code === 'INVALID_INVENTORY_ITEM' || e.code === 'ITEM_NOT_STOCKED_AT_LOCATION') missingAt.add(index);
  }
  const now = staleAt.size ? await shopifyAdapter.readLevels(credentials, env, [...staleAt].map((i) => levels[i]!.ref)) : new Map<string, number>();
  return levels.map((l, i): PushOutcome => {
    if (staleAt.has(i)) return { ref: l.ref, outcome: 'stale', ...(now.has(l.ref) ? { upstreamQty: now.get(l.ref)! } : {}) };
    if (missingAt.has(i)) return { ref: l.ref, outcome: 'not_found' };
    return { ref: l.ref, outcome: 'failed', error: errors.map((e) => e.message).join('; ').slice(0, 300) };
  });
}
