/**
 * The WooCommerce connector (REST API v3, `/wp-json/wc/v3`), HTTP Basic with the consumer key
 * and secret.
 *
 * Stock goes up as absolute `stock_quantity` values (with `manage_stock: true`) through the batch
 * endpoints, at most 100 objects a request. WooCommerce has neither compare-and-set nor
 * idempotency keys: `expected` and the idempotency key are not sent. What keeps a push safe is
 * that the values are absolute (a replay writes the same number) and that the core pushes the
 * latest level last; a sale made upstream between our read and our write is overwritten, and the
 * next reconcile sees the order it belongs to.
 */
import type { AdapterEnv, ChannelAdapter, Credentials, LevelToSet, PushOutcome, UpstreamOrder, UpstreamVariant } from '../adapter.ts';
import { totalPages, WooApiError, wooRequest } from './woocommerce.client.ts';
import { orderFromWoo, parseWooRef, variantFromProduct, variantFromVariation, variationRef, wooStockFromThousandths } from './woocommerce.mapping.ts';
import type { WooBatchResult, WooOrder, WooProduct, WooRefund, WooVariation } from './woocommerce.types.ts';
import { verifyWooWebhook } from './woocommerce.webhooks.ts';

/** WooCommerce refuses a batch of more than 100 objects. */
export const WOO_BATCH_MAX = 100;
/** The most `per_page` WooCommerce allows. */
const WOO_PAGE_SIZE = 100;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** Every page of a listing, following `X-WP-TotalPages`. */
async function allPages<T>(credentials: Credentials, env: AdapterEnv, path: string, query: Record<string, string | number>): Promise<T[]> {
  const rows: T[] = [];
  for (let page = 1; ; page += 1) {
    const response = await wooRequest<T[]>(credentials, env, { method: 'GET', path, query: { ...query, page, per_page: WOO_PAGE_SIZE } });
    rows.push(...response.body);
    if (page >= totalPages(response.headers)) return rows;
  }
}

async function variantsOf(credentials: Credentials, env: AdapterEnv, product: WooProduct): Promise<UpstreamVariant[]> {
  // Grouped and external products hold no stock of their own.
  if (product.type === 'grouped' || product.type === 'external') return [];
  if (product.type !== 'variable') return [variantFromProduct(product)];
  const variations = await allPages<WooVariation>(credentials, env, `/products/${product.id}/variations`, { orderby: 'id', order: 'asc' });
  return variations.map((variation) => variantFromVariation(product, variation));
}

/** Woo lists refunds without their lines; an order with refunds costs one more request. */
async function withRefunds(credentials: Credentials, env: AdapterEnv, order: WooOrder): Promise<UpstreamOrder> {
  const refunds = order.refunds.length === 0 ? [] : await allPages<WooRefund>(credentials, env, `/orders/${order.id}/refunds`, {});
  return orderFromWoo(order, refunds);
}

interface BatchTarget {
  /** `/products/batch` or `/products/{id}/variations/batch`. */
  path: string;
  levels: Array<{ level: LevelToSet; id: number }>;
}

/** Simple products go to one batch endpoint, each parent's variations to its own. */
function batchTargets(levels: readonly LevelToSet[]): { targets: BatchTarget[]; unknown: LevelToSet[] } {
  const byPath = new Map<string, BatchTarget['levels']>();
  const unknown: LevelToSet[] = [];
  for (const level of levels) {
    const ref = parseWooRef(level.ref);
    if (!ref) {
      unknown.push(level);
      continue;
    }
    const path = ref.kind === 'product' ? '/products/batch' : `/products/${ref.productId}/variations/batch`;
    const id = ref.kind === 'product' ? ref.productId : ref.variationId;
    byPath.set(path, [...(byPath.get(path) ?? []), { level, id }]);
  }
  const targets = [...byPath].flatMap(([path, entries]) => chunk(entries, WOO_BATCH_MAX).map((part) => ({ path, levels: part })));
  return { targets, unknown };
}

function outcomeOf(level: LevelToSet, result: NonNullable<WooBatchResult['update']>[number] | undefined): PushOutcome {
  if (!result) return { ref: level.ref, outcome: 'failed', error: 'WooCommerce did not answer for this object' };
  if (!result.error) return { ref: level.ref, outcome: 'set' };
  const missing = result.error.data?.status === 404 || result.error.code.endsWith('invalid_id');
  return missing ? { ref: level.ref, outcome: 'not_found' } : { ref: level.ref, outcome: 'failed', error: `${result.error.code}: ${result.error.message}` };
}

/** Woo answers a batch in the order it was sent; each answer names its id, which is checked. */
async function pushBatch(credentials: Credentials, env: AdapterEnv, target: BatchTarget): Promise<PushOutcome[]> {
  const update = target.levels.map(({ level, id }) => ({ id, manage_stock: true, stock_quantity: wooStockFromThousandths(level.qty) }));
  const { body } = await wooRequest<WooBatchResult>(credentials, env, { method: 'POST', path: target.path, body: { update } });
  const results = body.update ?? [];
  return target.levels.map(({ level, id }, index) => outcomeOf(level, results[index]?.id === id || results[index]?.error ? results[index] : results.find((r) => r.id === id)));
}

async function readProductLevels(credentials: Credentials, env: AdapterEnv, ids: number[], levels: Map<string, number>): Promise<void> {
  for (const part of chunk(ids, WOO_PAGE_SIZE)) {
    const products = await allPages<WooProduct>(credentials, env, '/products', { include: part.join(',') });
    for (const product of products) if (product.manage_stock && product.stock_quantity !== null) levels.set(String(product.id), product.stock_quantity * 1000);
  }
}

async function readVariationLevels(credentials: Credentials, env: AdapterEnv, productId: number, ids: number[], levels: Map<string, number>): Promise<void> {
  for (const part of chunk(ids, WOO_PAGE_SIZE)) {
    const variations = await allPages<WooVariation>(credentials, env, `/products/${productId}/variations`, { include: part.join(',') });
    for (const variation of variations) {
      if (variation.manage_stock !== false && variation.stock_quantity !== null) levels.set(variationRef(productId, variation.id), variation.stock_quantity * 1000);
    }
  }
}

/**
 * `defaultBaseUrl` is the optional member the integrations core adds to `ChannelAdapter`: the
 * site URL the shop owner pasted. The intersection keeps this file compiling before and after it lands.
 */
export const wooCommerceAdapter: ChannelAdapter & { defaultBaseUrl(credentials: Credentials): string } = {
  platform: 'woocommerce',
  defaultBaseUrl: (credentials) => (credentials.siteUrl ?? '').trim().replace(/\/+$/, ''),
  credentialFields: [
    { name: 'siteUrl', label: 'Store URL (https://…)', secret: false },
    { name: 'consumerKey', label: 'Consumer key (ck_…)', secret: true },
    { name: 'consumerSecret', label: 'Consumer secret (cs_…)', secret: true },
    { name: 'webhookSecret', label: 'Webhook secret', secret: true },
  ],

  verifyWebhook(request, credentials, env) {
    return verifyWooWebhook(request, credentials, env.now());
  },

  async testConnection(credentials, env) {
    // The site index gives the shop's name; a one-row product listing proves the keys can read.
    const index = await wooRequest<{ name?: string }>(credentials, env, { method: 'GET', path: '/wp-json/', root: true });
    await wooRequest<WooProduct[]>(credentials, env, { method: 'GET', path: '/products', query: { per_page: 1 } });
    return { shopName: index.body.name || env.baseUrl };
  },

  /** The cursor is the next page of products; a variable product's variations come with it. */
  async listVariants(credentials, env, cursor) {
    const page = cursor ? Number(cursor) : 1;
    if (!Number.isSafeInteger(page) || page < 1) throw new Error(`WooCommerce cursor "${cursor}" is not a page number`);
    const response = await wooRequest<WooProduct[]>(credentials, env, { method: 'GET', path: '/products', query: { page, per_page: WOO_PAGE_SIZE, orderby: 'id', order: 'asc' } });
    const variants: UpstreamVariant[] = [];
    for (const product of response.body) variants.push(...(await variantsOf(credentials, env, product)));
    return { variants, nextCursor: page < totalPages(response.headers) ? String(page + 1) : null };
  },

  /** `modified_after` is exclusive and Woo keeps whole seconds, so the query starts a second early. */
  async listOrdersUpdatedSince(credentials, env, since, cursor) {
    const page = cursor ? Number(cursor) : 1;
    if (!Number.isSafeInteger(page) || page < 1) throw new Error(`WooCommerce cursor "${cursor}" is not a page number`);
    const modifiedAfter = new Date(Math.floor(since / 1000) * 1000 - 1000).toISOString().replace(/\.\d{3}Z$/, '');
    const response = await wooRequest<WooOrder[]>(credentials, env, {
      method: 'GET',
      path: '/orders',
      query: { modified_after: modifiedAfter, dates_are_gmt: 'true', orderby: 'modified', order: 'asc', page, per_page: WOO_PAGE_SIZE, status: 'any' },
    });
    const orders: UpstreamOrder[] = [];
    for (const order of response.body) orders.push(await withRefunds(credentials, env, order));
    return { orders, nextCursor: page < totalPages(response.headers) ? String(page + 1) : null };
  },

  async getOrder(credentials, env, orderRef) {
    if (!/^\d+$/.test(orderRef)) return null;
    try {
      const { body } = await wooRequest<WooOrder>(credentials, env, { method: 'GET', path: `/orders/${orderRef}` });
      return await withRefunds(credentials, env, body);
    } catch (error) {
      if (error instanceof WooApiError && error.status === 404) return null;
      throw error;
    }
  },

  async setLevels(credentials, env, levels) {
    const { targets, unknown } = batchTargets(levels);
    const outcomes: PushOutcome[] = unknown.map((level) => ({ ref: level.ref, outcome: 'not_found' }));
    for (const target of targets) outcomes.push(...(await pushBatch(credentials, env, target)));
    return outcomes;
  },

  /** Only products whose stock Woo manages have a level; the others are left out of the map. */
  async readLevels(credentials, env, refs) {
    const productIds: number[] = [];
    const variationIds = new Map<number, number[]>();
    for (const ref of new Set(refs)) {
      const parsed = parseWooRef(ref);
      if (parsed?.kind === 'product') productIds.push(parsed.productId);
      if (parsed?.kind === 'variation') variationIds.set(parsed.productId, [...(variationIds.get(parsed.productId) ?? []), parsed.variationId]);
    }
    const levels = new Map<string, number>();
    await readProductLevels(credentials, env, productIds, levels);
    for (const [productId, ids] of variationIds) await readVariationLevels(credentials, env, productId, ids, levels);
    return levels;
  },
};
