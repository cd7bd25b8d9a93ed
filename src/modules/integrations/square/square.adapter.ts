/**
 * The Square connector: Square's Connect API v2 through the official `square` SDK (v46), pointed
 * at `env.baseUrl` with `env.fetch`, so tests run it against the local fake unchanged.
 *
 * The SDK's own retries are switched off (`maxRetries: 0`): a 429 must reach the core as
 * `Throttled` so the push scheduler, not a hidden sleep inside one call, decides when to come back.
 *
 * Stock goes up as PHYSICAL_COUNT changes (absolute quantities) at the first configured location.
 * Square has no compare-and-set on counts; what makes a retried push safe is the idempotency key
 * (a replay with the same key applies nothing twice) and the quantities being absolute.
 */
import { createHash } from 'node:crypto';
import type { Square, SquareClient, SquareError } from 'square';
import {
  Throttled,
  type AdapterEnv,
  type ChannelAdapter,
  type Credentials,
  type LevelToSet,
  type PushOutcome,
  type UpstreamOrder,
} from '../adapter.ts';
import { decimalFromThousandths, orderFromSquare, thousandthsFromDecimal, variantsFromCatalogObject } from './square.mapping.ts';
import { verifySquareWebhook } from './square.webhooks.ts';

/** Square accepts at most 100 changes in one batch-create. */
export const SQUARE_CHANGES_PER_BATCH = 100;
/** Catalogue ids per counts batch-retrieve; kept at Square's page size so one id set is one request when nothing pages. */
const SQUARE_IDS_PER_COUNTS_REQUEST = 100;
const SQUARE_ORDERS_PER_PAGE = 100;
/** Square's limit on an idempotency key's length. */
const SQUARE_IDEMPOTENCY_KEY_MAX = 128;
/** When a 429 carries no Retry-After, wait this long. */
const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * The SDK is loaded with the first Square call, not when the server starts: it is the largest
 * module the server has (about 80 MiB resident), and most shops never connect Square.
 */
let sdk: typeof import('square') | undefined;

async function clientFor(credentials: Credentials, env: AdapterEnv): Promise<SquareClient> {
  sdk ??= await import('square');
  return new sdk.SquareClient({
    token: requireCredential(credentials, 'accessToken'),
    baseUrl: env.baseUrl,
    fetch: env.fetch,
    timeoutInSeconds: env.timeoutMs / 1000,
    maxRetries: 0,
  });
}

function requireCredential(credentials: Credentials, name: string): string {
  const value = credentials[name]?.trim();
  if (!value) throw new Error(`Square credential "${name}" is missing`);
  return value;
}

/** `locationIds` is pasted as a comma-separated list; the first is where stock is pushed and read. */
export function squareLocationIds(credentials: Credentials): string[] {
  const ids = requireCredential(credentials, 'locationIds').split(',').map((id) => id.trim()).filter(Boolean);
  if (ids.length === 0) throw new Error('Square credential "locationIds" names no location');
  return ids;
}

/** Only a loaded SDK can have thrown one. */
function isSquareError(error: unknown): error is SquareError {
  return sdk !== undefined && error instanceof sdk.SquareError;
}

function retryAfterMs(headers: Headers | undefined, nowMs: number): number {
  const value = headers?.get('retry-after');
  if (!value) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - nowMs);
}

/** Runs one SDK call, turning Square's 429 into the core's `Throttled`. */
async function call<T>(env: AdapterEnv, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (isSquareError(error) && error.statusCode === 429) throw new Throttled(retryAfterMs(error.rawResponse?.headers, env.now()));
    throw error;
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** One key per batch, stable for the same caller key, so a retried push replays rather than re-applies. */
export function squareBatchKey(idempotencyKey: string, batchIndex: number, attempt = 0): string {
  const key = `${idempotencyKey}:${batchIndex}${attempt ? `:r${attempt}` : ''}`;
  return key.length <= SQUARE_IDEMPOTENCY_KEY_MAX ? key : createHash('sha256').update(key).digest('hex');
}

function physicalCount(level: LevelToSet, locationId: string, occurredAt: string): Square.InventoryChange {
  return {
    type: 'PHYSICAL_COUNT',
    physicalCount: {
      catalogObjectId: level.ref,
      locationId,
      state: 'IN_STOCK',
      // A negative available-to-sell shows as none upstream; Square counts cannot go below zero.
      quantity: decimalFromThousandths(Math.max(0, level.qty)),
      occurredAt,
    },
  };
}

/** The indexes of the changes Square refused as unknown objects (`field` is `changes[3]…`). */
function notFoundIndexes(error: SquareError): Set<number> {
  const indexes = new Set<number>();
  for (const bodyError of error.errors) {
    const match = /^changes\[(\d+)\]/.exec(bodyError.field ?? '');
    if (match && bodyError.code === 'NOT_FOUND') indexes.add(Number(match[1]));
  }
  return indexes;
}

function errorDetail(error: SquareError): string {
  return error.errors.map((e) => `${e.code}: ${e.detail ?? ''}`.trim()).join('; ') || error.message;
}

/**
 * Square applies a batch all or nothing. When it refuses some changes as unknown objects (an item
 * deleted upstream), those are reported `not_found` and the rest are sent once more under a
 * derived key, so one stale mapping does not hold back every other level in the batch.
 */
async function pushBatch(client: SquareClient, env: AdapterEnv, locationId: string, batch: LevelToSet[], key: (attempt: number) => string, attempt = 0): Promise<PushOutcome[]> {
  const occurredAt = new Date(env.now()).toISOString();
  try {
    await call(env, () => client.inventory.batchCreateChanges({
      idempotencyKey: key(attempt),
      changes: batch.map((level) => physicalCount(level, locationId, occurredAt)),
      ignoreUnchangedCounts: true,
    }));
    return batch.map((level) => ({ ref: level.ref, outcome: 'set' as const }));
  } catch (error) {
    if (!isSquareError(error) || error.statusCode === undefined || error.statusCode >= 500 || error.statusCode === 401) throw error;
    const missing = notFoundIndexes(error);
    if (missing.size === 0 || attempt > 0) return batch.map((level) => ({ ref: level.ref, outcome: 'failed' as const, error: errorDetail(error) }));
    const rest = batch.filter((_, index) => !missing.has(index));
    const notFound = batch.filter((_, index) => missing.has(index)).map((level) => ({ ref: level.ref, outcome: 'not_found' as const }));
    return rest.length === 0 ? notFound : [...notFound, ...(await pushBatch(client, env, locationId, rest, key, attempt + 1))];
  }
}

async function readCounts(client: SquareClient, env: AdapterEnv, locationId: string, refs: string[], levels: Map<string, number>): Promise<void> {
  let page = await call(env, () => client.inventory.batchGetCounts({ catalogObjectIds: refs, locationIds: [locationId], states: ['IN_STOCK'] }));
  for (;;) {
    for (const count of page.data) {
      if (count.catalogObjectId && count.quantity != null) levels.set(count.catalogObjectId, thousandthsFromDecimal(count.quantity));
    }
    if (!page.hasNextPage()) return;
    page = await call(env, () => page.getNextPage());
  }
}

/** Square's production API; a sandbox connection names `https://connect.squareupsandbox.com` as its base URL. */
export const SQUARE_PRODUCTION_URL = 'https://connect.squareup.com';

/**
 * `defaultBaseUrl` is the optional member the integrations core adds to `ChannelAdapter`; the
 * intersection keeps this file compiling before and after that lands.
 */
export const squareAdapter: ChannelAdapter & { defaultBaseUrl(credentials: Credentials): string } = {
  platform: 'square',
  defaultBaseUrl: () => SQUARE_PRODUCTION_URL,
  credentialFields: [
    { name: 'accessToken', label: 'Access token', secret: true },
    { name: 'locationIds', label: 'Location ids (comma-separated; stock is pushed to the first)', secret: false },
    { name: 'webhookSignatureKey', label: 'Webhook signature key', secret: true },
  ],

  verifyWebhook(request, credentials, env) {
    return verifySquareWebhook(request, credentials, env.now());
  },

  async testConnection(credentials, env) {
    const wanted = squareLocationIds(credentials);
    const { locations = [] } = await call(env, async () => (await clientFor(credentials, env)).locations.list());
    const missing = wanted.filter((id) => !locations.some((location) => location.id === id));
    if (missing.length > 0) throw new Error(`Square has no location ${missing.join(', ')} for this access token`);
    const first = locations.find((location) => location.id === wanted[0]);
    return { shopName: first?.businessName || first?.name || wanted[0]! };
  },

  async listVariants(credentials, env, cursor) {
    const client = await clientFor(credentials, env);
    // ITEM objects carry their variations, so one listing gives each variation its item's name.
    const page = await call(env, () => client.catalog.list({ types: 'ITEM', cursor: cursor ?? undefined }));
    return { variants: page.data.flatMap(variantsFromCatalogObject), nextCursor: page.response.cursor || null };
  },

  async listOrdersUpdatedSince(credentials, env, since, cursor) {
    const client = await clientFor(credentials, env);
    const response = await call(env, () => client.orders.search({
      locationIds: squareLocationIds(credentials),
      cursor: cursor ?? undefined,
      limit: SQUARE_ORDERS_PER_PAGE,
      query: {
        filter: { dateTimeFilter: { updatedAt: { startAt: new Date(since).toISOString() } } },
        // Square requires the sort field to be the one the time filter uses.
        sort: { sortField: 'UPDATED_AT', sortOrder: 'ASC' },
      },
    }));
    return { orders: (response.orders ?? []).map(orderFromSquare), nextCursor: response.cursor || null };
  },

  async getOrder(credentials, env, orderRef): Promise<UpstreamOrder | null> {
    try {
      const { order } = await call(env, async () => (await clientFor(credentials, env)).orders.get({ orderId: orderRef }));
      return order ? orderFromSquare(order) : null;
    } catch (error) {
      if (isSquareError(error) && error.statusCode === 404) return null;
      throw error;
    }
  },

  async setLevels(credentials, env, levels, idempotencyKey) {
    const client = await clientFor(credentials, env);
    const locationId = squareLocationIds(credentials)[0]!;
    const outcomes: PushOutcome[] = [];
    for (const [index, batch] of chunk(levels, SQUARE_CHANGES_PER_BATCH).entries()) {
      outcomes.push(...(await pushBatch(client, env, locationId, batch, (attempt) => squareBatchKey(idempotencyKey, index, attempt))));
    }
    return outcomes;
  },

  /** A variation Square holds no IN_STOCK count for has none: it reads as zero. */
  async readLevels(credentials, env, refs) {
    const client = await clientFor(credentials, env);
    const locationId = squareLocationIds(credentials)[0]!;
    const levels = new Map<string, number>(refs.map((ref) => [ref, 0]));
    for (const ids of chunk([...new Set(refs)], SQUARE_IDS_PER_COUNTS_REQUEST)) await readCounts(client, env, locationId, ids, levels);
    return levels;
  },
};
