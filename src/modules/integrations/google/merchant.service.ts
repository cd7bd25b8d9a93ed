import { createHash, createPrivateKey } from 'node:crypto';
import { inTransaction, reader, systemActor, type ServiceContext } from '../../../platform/context.ts';
import { transact } from '../../../platform/db/transaction.ts';
// The secret box is not on notifications' index; imported by file as the connectors and QuickBooks do.
import { openSecret, sealSecret } from '../../notifications/secret-box.ts';
import { Throttled } from '../adapter.ts';
import { logSync } from '../sync-log.ts';
import { GoogleFeedError } from './google.errors.ts';
import { fetchAccessToken, MERCHANT_API_BASE, MerchantCallError, parseServiceAccountKey, postWithRetry, type MerchantEnv, type ServiceAccountKey } from './merchant-client.ts';
import { ensureMerchantRow, localRowsByStore, MERCHANT_ROW, productFeed, type ProductRow } from './product-feed.service.ts';
import type { LocalInventoryRow } from './local-inventory.service.ts';

/**
 * Pushing to Google's Merchant API when the shop has given Stockroom a service account. What is
 * pushed: a product input per item listed on Google, and its local inventory per store that has a
 * local feed. Only what changed is sent: each push records a fingerprint of what it sent per
 * product (and store), and a round sends the rows whose content differs from it — stock, buffers,
 * price, listing, anything, with no need to know what caused it. `full` sends everything again.
 * Network calls run outside any transaction; each outcome is written in a short one, and the
 * channel connectors' sync log (under the connection id `google`) keeps what happened.
 */

/** The sync-log "connection" of the Google push. */
export const GOOGLE_LOG_ID = 'google';
/** Every ten minutes the job compares and sends what changed. */
export const GOOGLE_PUSH_INTERVAL_MS = 10 * 60_000;
/** Requests per round at most; the rest go next round. */
const SENDS_PER_ROUND_MAX = 1000;
/** After the token endpoint or the network fails outright, the push rests this long. */
const ERROR_PAUSE_MS = 5 * 60_000;
const timeoutMs = () => Number(process.env.STOCKROOM_PLATFORM_TIMEOUT_MS) || 10_000;

export interface MerchantInput {
  merchant_id: string;
  data_source: string;
  content_language?: string | undefined;
  feed_label?: string | undefined;
  /** The service account's JSON key file, as text; left out keeps the stored one. */
  service_account_key?: string | undefined;
  /** Where the Merchant API is (tests: a local fake); null for Google's. */
  api_base?: string | null | undefined;
}

export interface MerchantStatus {
  productFeedIssued: boolean;
  connected: boolean;
  merchantId: string | null;
  dataSource: string | null;
  contentLanguage: string;
  feedLabel: string;
  clientEmail: string | null;
  apiBase: string | null;
  lastPushAt: number | null;
  pushNotBefore: number;
}

export async function merchantStatus(ctx: ServiceContext): Promise<MerchantStatus> {
  const row = await reader(ctx).selectFrom('google_merchant').selectAll().where('id', '=', MERCHANT_ROW).executeTakeFirst();
  return {
    productFeedIssued: Boolean(row?.product_feed_token_hash),
    connected: Boolean(row?.key_sealed && row.merchant_id),
    merchantId: row?.merchant_id ?? null,
    dataSource: row?.data_source ?? null,
    contentLanguage: row?.content_language ?? 'en',
    feedLabel: row?.feed_label ?? 'US',
    clientEmail: row?.client_email ?? null,
    apiBase: row?.api_base ?? null,
    lastPushAt: row?.last_push_at ?? null,
    pushNotBefore: Number(row?.push_not_before ?? 0),
  };
}

/** Stores the account and the service-account key (sealed); a new key or account sends everything again. */
export async function setMerchant(ctx: ServiceContext, input: MerchantInput): Promise<MerchantStatus> {
  const now = ctx.clock.now();
  let sealed: { key_sealed: string; client_email: string } | null = null;
  if (input.service_account_key !== undefined) {
    const parsed = parseServiceAccountKey(input.service_account_key);
    if ('error' in parsed) throw new GoogleFeedError('google_merchant_invalid', `The service account key ${parsed.error}.`, { errors: [{ field: 'body.service_account_key', code: 'invalid', message: parsed.error }] });
    sealed = { key_sealed: sealSecret(JSON.stringify(parsed.key)), client_email: parsed.key.client_email };
  }
  await inTransaction(ctx, async (trx) => {
    await ensureMerchantRow(trx, now);
    const current = await trx.selectFrom('google_merchant').selectAll().where('id', '=', MERCHANT_ROW).executeTakeFirstOrThrow();
    if (!sealed && !current.key_sealed) {
      throw new GoogleFeedError('google_merchant_invalid', 'A service account key is needed to connect.', { errors: [{ field: 'body.service_account_key', code: 'required', message: 'the JSON key of a service account with access to the Merchant Center account' }] });
    }
    await trx
      .updateTable('google_merchant')
      .set({
        merchant_id: input.merchant_id,
        data_source: input.data_source,
        content_language: input.content_language ?? current.content_language,
        feed_label: input.feed_label ?? current.feed_label,
        ...(sealed ?? {}),
        ...(input.api_base !== undefined ? { api_base: input.api_base } : {}),
        push_not_before: 0,
        updated_at: now,
      })
      .where('id', '=', MERCHANT_ROW)
      .execute();
    // Another account (or key) has none of what was sent to the last one.
    await trx.deleteFrom('google_pushed').execute();
  });
  return merchantStatus(ctx);
}

/** Forgets the key and the account; the product feed's address stays. */
export async function disconnectMerchant(ctx: ServiceContext): Promise<MerchantStatus> {
  await inTransaction(ctx, async (trx) => {
    await trx.updateTable('google_merchant').set({ key_sealed: null, client_email: null, merchant_id: null, data_source: null, updated_at: ctx.clock.now() }).where('id', '=', MERCHANT_ROW).execute();
    await trx.deleteFrom('google_pushed').execute();
  });
  return merchantStatus(ctx);
}

export interface PushOptions {
  full?: boolean;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface PushResult {
  status: 'pushed' | 'not_connected' | 'resting' | 'throttled' | 'failed';
  products: number;
  localInventories: number;
  failed: number;
  unchanged: number;
  /** Products taken off Google whose input was deleted. */
  removed: number;
}

interface Send {
  /** `unlist`: a product pushed before and no longer in the product feed, deleted from the API data source. */
  kind: 'product' | 'local' | 'unlist';
  storeCode: string;
  offerId: string;
  fingerprint: string;
  url: string;
  body: unknown;
}

const fingerprintOf = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 32);
const price = (micros: number, currency: string) => ({ amountMicros: String(micros), currencyCode: currency });
const AVAILABILITY: Record<LocalInventoryRow['availability'], string> = { in_stock: 'IN_STOCK', limited_availability: 'LIMITED_AVAILABILITY', out_of_stock: 'OUT_OF_STOCK' };

export function productInputOf(row: ProductRow, language: string, feedLabel: string) {
  return {
    offerId: row.id,
    contentLanguage: language,
    feedLabel,
    productAttributes: {
      title: row.title,
      description: row.description,
      link: row.link,
      imageLink: row.imageLink,
      price: price(row.priceMicros, row.currency),
      availability: AVAILABILITY[row.availability],
      condition: row.condition.toUpperCase(),
      ...(row.gtin ? { gtins: [row.gtin] } : {}),
      ...(row.brand ? { brand: row.brand } : {}),
      identifierExists: row.identifierExists,
      ...(row.itemGroupId ? { itemGroupId: row.itemGroupId } : {}),
    },
  };
}

export function localInventoryOf(row: LocalInventoryRow, priceMicros: number, currency: string) {
  return { storeCode: row.storeCode, localInventoryAttributes: { price: price(priceMicros, currency), availability: AVAILABILITY[row.availability], quantity: String(row.quantity) } };
}

/** What a round would send: product inputs first (a local inventory needs its product), then each store's. */
async function plannedSends(ctx: ServiceContext, merchant: { merchantId: string; dataSource: string; language: string; feedLabel: string; apiBase: string }): Promise<Send[]> {
  const stores = await localRowsByStore(ctx);
  const { rows } = await productFeed(ctx, stores);
  const account = `accounts/${encodeURIComponent(merchant.merchantId)}`;
  const dataSource = `${account}/dataSources/${encodeURIComponent(merchant.dataSource)}`;
  const sends: Send[] = [];
  const listed = new Map(rows.map((r) => [r.id, r]));
  for (const row of rows) {
    const body = productInputOf(row, merchant.language, merchant.feedLabel);
    sends.push({ kind: 'product', storeCode: '', offerId: row.id, fingerprint: fingerprintOf(body), url: `${merchant.apiBase}/products/v1/${account}/productInputs:insert?dataSource=${encodeURIComponent(dataSource)}`, body });
  }
  for (const store of stores) {
    for (const local of store.rows) {
      const product = listed.get(local.id);
      if (!product) continue;
      const body = localInventoryOf(local, product.priceMicros, product.currency);
      // The Merchant API (v1) names a product contentLanguage~feedLabel~offerId.
      const name = `${account}/products/${encodeURIComponent(`${merchant.language}~${merchant.feedLabel}~${local.id}`)}`;
      sends.push({ kind: 'local', storeCode: store.storeCode, offerId: local.id, fingerprint: fingerprintOf(body), url: `${merchant.apiBase}/inventories/v1/${name}/localInventories:insert`, body });
    }
  }
  return sends;
}

/** One push round; the job calls it, and so does "push now" (with `full` to send everything). */
export async function pushGoogleMerchant(ctx: ServiceContext, options: PushOptions = {}): Promise<PushResult> {
  const result: PushResult = { status: 'pushed', products: 0, localInventories: 0, failed: 0, unchanged: 0, removed: 0 };
  const db = ctx.db.kysely;
  const row = await db.selectFrom('google_merchant').selectAll().where('id', '=', MERCHANT_ROW).executeTakeFirst();
  if (!row?.key_sealed || !row.merchant_id || !row.data_source) return { ...result, status: 'not_connected' };
  const now = ctx.clock.now();
  if (!options.full && Number(row.push_not_before) > now) return { ...result, status: 'resting' };
  const sysCtx = { ...ctx, actor: systemActor, trx: undefined };
  const sends = await plannedSends(sysCtx, { merchantId: row.merchant_id, dataSource: row.data_source, language: row.content_language, feedLabel: row.feed_label, apiBase: (row.api_base ?? MERCHANT_API_BASE).replace(/\/+$/, '') });
  const pushed = new Map((await db.selectFrom('google_pushed').selectAll().execute()).map((p) => [`${p.kind}|${p.store_code}|${p.offer_id}`, p.fingerprint]));
  const owed = sends.filter((s) => {
    const last = pushed.get(`${s.kind}|${s.storeCode}|${s.offerId}`);
    return options.full || (last !== s.fingerprint && last !== `failed:${s.fingerprint}`);
  });
  // Taken off Google (or archived) since it was pushed: its product input is deleted.
  const listedIds = new Set(sends.filter((s) => s.kind === 'product').map((s) => s.offerId));
  const account = `accounts/${encodeURIComponent(row.merchant_id)}`;
  const apiBase = (row.api_base ?? MERCHANT_API_BASE).replace(/\/+$/, '');
  for (const key of pushed.keys()) {
    const [kind, , offerId] = key.split('|') as [string, string, string];
    if (kind !== 'product' || listedIds.has(offerId)) continue;
    const name = `${account}/productInputs/${encodeURIComponent(`${row.content_language}~${row.feed_label}~${offerId}`)}`;
    owed.push({ kind: 'unlist', storeCode: '', offerId, fingerprint: '', url: `${apiBase}/products/v1/${name}?dataSource=${encodeURIComponent(`${account}/dataSources/${row.data_source}`)}`, body: null });
  }
  result.unchanged = sends.length - owed.filter((s) => s.kind !== 'unlist').length;
  if (owed.length === 0) return result;

  const key = JSON.parse(openSecret(row.key_sealed)) as ServiceAccountKey;
  const env: MerchantEnv = {
    fetch: options.fetch ?? fetch,
    apiBase: row.api_base ?? MERCHANT_API_BASE,
    timeoutMs: timeoutMs(),
    now: () => ctx.clock.now(),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
  let token: string;
  try {
    token = (await fetchAccessToken(key, createPrivateKey(key.private_key), env)).token;
  } catch (error) {
    await rest(ctx, ERROR_PAUSE_MS, 'push_failed', `could not sign in as ${key.client_email}: ${message(error)}`);
    return { ...result, status: 'failed' };
  }
  for (const send of owed.slice(0, SENDS_PER_ROUND_MAX)) {
    if (options.signal?.aborted) break;
    try {
      if (send.kind === 'unlist') {
        await deleteInput(env, send.url, token);
        await transact(ctx.db, (trx) => trx.deleteFrom('google_pushed').where('offer_id', '=', send.offerId).execute());
        result.removed += 1;
        continue;
      }
      await postWithRetry(env, send.url, token, send.body);
      await record(ctx, send, send.fingerprint);
      if (send.kind === 'product') result.products += 1;
      else result.localInventories += 1;
    } catch (error) {
      if (error instanceof Throttled) {
        await rest(ctx, error.retryAfterMs, 'throttled', `throttled by Google; pushing again in ${Math.ceil(error.retryAfterMs / 1000)} s`);
        result.status = 'throttled';
        break;
      }
      result.failed += 1;
      // Refused for what it says (a 4xx): not sent again until its content changes. Unanswered (5xx
      // after retries, network): sent again next round.
      const refused = error instanceof MerchantCallError && error.status !== null && error.status < 500;
      if (refused && send.kind !== 'unlist') await record(ctx, send, `failed:${send.fingerprint}`);
      await transact(ctx.db, (trx) => logSync(trx, { connectionId: GOOGLE_LOG_ID, kind: 'push_failed', ok: false, ref: send.offerId, detail: `${send.kind === 'local' ? `local inventory at ${send.storeCode}` : send.kind} ${send.offerId}: ${message(error)}` }, ctx.clock.now()));
    }
  }
  const at = ctx.clock.now();
  await transact(ctx.db, async (trx) => {
    await trx.updateTable('google_merchant').set({ last_push_at: at }).where('id', '=', MERCHANT_ROW).execute();
    if (result.products + result.localInventories + result.removed > 0) {
      await logSync(trx, { connectionId: GOOGLE_LOG_ID, kind: 'push', ok: true, detail: `${result.products} product(s), ${result.localInventories} local inventor${result.localInventories === 1 ? 'y' : 'ies'} sent${result.removed ? `, ${result.removed} product(s) taken off Google deleted` : ''}${options.full ? ' (full push)' : ''}` }, at);
    }
  });
  if (result.status === 'pushed' && result.failed > 0 && result.products + result.localInventories + result.removed === 0) result.status = 'failed';
  return result;
}

/** A product input already gone (404) is as good as deleted. */
async function deleteInput(env: MerchantEnv, url: string, token: string): Promise<void> {
  try {
    await postWithRetry(env, url, token, null, 'DELETE');
  } catch (error) {
    if (error instanceof MerchantCallError && error.status === 404) return;
    throw error;
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function record(ctx: ServiceContext, send: Send, fingerprint: string): Promise<void> {
  const at = ctx.clock.now();
  await transact(ctx.db, (trx) =>
    trx
      .insertInto('google_pushed')
      .values({ kind: send.kind as 'product' | 'local', store_code: send.storeCode, offer_id: send.offerId, fingerprint, pushed_at: at })
      .onConflict((oc) => oc.columns(['kind', 'store_code', 'offer_id']).doUpdateSet({ fingerprint, pushed_at: at }))
      .execute(),
  );
}

async function rest(ctx: ServiceContext, forMs: number, kind: 'throttled' | 'push_failed', detail: string): Promise<void> {
  const now = ctx.clock.now();
  await transact(ctx.db, async (trx) => {
    await trx.updateTable('google_merchant').set({ push_not_before: now + forMs }).where('id', '=', MERCHANT_ROW).execute();
    await logSync(trx, { connectionId: GOOGLE_LOG_ID, kind, ok: false, detail }, now);
  });
}
