import { createHash, randomBytes } from 'node:crypto';
import { inTransaction, reader, systemActor, type ServiceContext } from '../../../platform/context.ts';
import type { Executor } from '../../../platform/db/transaction.ts';
import { formatMoney } from '../../../platform/money.ts';
import { barcodesOf, isValidGtin, itemListings } from '../../catalog/index.ts';
import { readSettings } from '../../settings/index.ts';
import { GoogleFeedError } from './google.errors.ts';
import { availabilityOf, localInventoryRows, type LocalInventoryRow } from './local-inventory.service.ts';

/**
 * Google product feed: one row per item marked as listed on Google, in Merchant Center's
 * tab-delimited format (attribute names with spaces), at a secret address like the local feeds'.
 * Ids are SKUs, the local feeds' ids, so Merchant Center joins each store's stock to its product;
 * price is the same shelf price, and availability the best any store's local feed advertises.
 *
 * Identifiers: the first of the item's barcodes that is a GTIN-8, -12, -13 or -14 with a correct
 * check digit is its `gtin`. An item without one is sent with `identifier exists` `no`: Stockroom
 * keeps no MPN, and Google counts brand alone as no identifier.
 *
 * An item missing what Google requires (a price, a web page, a picture) is left out and reported by
 * `productFeedProblems`, rather than sent to be disapproved.
 */

export const PRODUCT_FEED_COLUMNS = ['id', 'title', 'description', 'link', 'image link', 'price', 'availability', 'gtin', 'brand', 'condition', 'identifier exists', 'item group id'] as const;
export const TITLE_MAX = 150;
export const DESCRIPTION_MAX = 5000;
const MAX_FEED_ITEMS = 100_000;
export const MERCHANT_ROW = 'default';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface ProductRow {
  id: string;
  itemId: string;
  title: string;
  description: string;
  link: string;
  imageLink: string;
  price: string;
  /** For the Merchant API: the price in micros and its currency. */
  priceMicros: number;
  currency: string;
  availability: LocalInventoryRow['availability'];
  gtin: string | null;
  brand: string | null;
  condition: 'new' | 'refurbished' | 'used';
  identifierExists: boolean;
  itemGroupId: string | null;
}

export interface ProductProblem {
  itemId: string;
  sku: string;
  missing: Array<'price' | 'link' | 'image_link'>;
}

/** The first barcode that is a real GTIN (8, 12, 13 or 14 digits, check digit right), else null. */
export function gtinOf(barcodes: ReadonlyArray<{ code: string }>): string | null {
  return barcodes.map((b) => b.code.trim()).find((code) => isValidGtin(code)) ?? null;
}

/** Cuts at a character boundary (never half a surrogate pair) to at most `max` characters. */
function clip(text: string, max: number): string {
  const chars = Array.from(text.replace(/[\t\r\n]+/g, ' ').trim());
  return chars.length <= max ? chars.join('') : chars.slice(0, max - 1).join('') + '…';
}

/** Every store's local rows, per id: the best a store advertises is the product's availability. */
export async function localRowsByStore(ctx: ServiceContext): Promise<Array<{ siteId: string; storeCode: string; rows: LocalInventoryRow[] }>> {
  const feeds = await reader(ctx).selectFrom('google_local_feeds').selectAll().orderBy('store_code').execute();
  const out = [];
  for (const feed of feeds) out.push({ siteId: feed.site_id, storeCode: feed.store_code, rows: await localInventoryRows({ ...ctx, actor: systemActor }, feed.channel_id, feed.store_code) });
  return out;
}

export async function productFeed(ctx: ServiceContext, stores?: Awaited<ReturnType<typeof localRowsByStore>>): Promise<{ rows: ProductRow[]; problems: ProductProblem[] }> {
  const db = reader(ctx);
  const { base_currency } = await readSettings(db);
  const best = new Map<string, number>();
  for (const store of stores ?? (await localRowsByStore(ctx))) for (const row of store.rows) best.set(row.id, Math.max(best.get(row.id) ?? 0, row.quantity));
  const rows: ProductRow[] = [];
  const problems: ProductProblem[] = [];
  let after = '';
  for (;;) {
    const items = await listedItems(db, after, 500);
    if (items.length === 0) break;
    const listings = await itemListings(db, items.map((i) => i.id));
    for (const item of items) {
      const listing = listings.get(item.id)!;
      const missing: ProductProblem['missing'] = [];
      if (item.price_micros === null) missing.push('price');
      if (!listing.effective.linkUrl) missing.push('link');
      if (!listing.effective.imageUrl) missing.push('image_link');
      if (missing.length) {
        problems.push({ itemId: item.id, sku: item.sku, missing });
        continue;
      }
      const gtin = gtinOf(barcodesOf(item));
      rows.push({
        id: item.sku,
        itemId: item.id,
        title: clip(item.name, TITLE_MAX),
        // Google requires a description; an item without one (or a product's) repeats its name.
        description: clip(listing.effective.description ?? item.name, DESCRIPTION_MAX),
        link: listing.effective.linkUrl!,
        imageLink: listing.effective.imageUrl!,
        price: `${formatMoney(item.price_micros!)} ${base_currency}`,
        priceMicros: item.price_micros!,
        currency: base_currency,
        availability: availabilityOf(best.get(item.sku) ?? 0),
        gtin,
        brand: listing.effective.brand ? clip(listing.effective.brand, 70) : null,
        condition: listing.condition,
        identifierExists: gtin !== null,
        itemGroupId: listing.productId,
      });
    }
    after = items[items.length - 1]!.id;
    if (rows.length + problems.length >= MAX_FEED_ITEMS) break;
  }
  return { rows, problems };
}

function listedItems(db: Executor, after: string, limit: number) {
  return db
    .selectFrom('items as i')
    .innerJoin('item_listings as l', 'l.item_id', 'i.id')
    .select(['i.id', 'i.sku', 'i.name', 'i.price_micros', 'i.barcodes_json'])
    .where('l.google', '=', 1)
    .where('i.status', '=', 'active')
    .where('i.id', '>', after)
    .orderBy('i.id')
    .limit(limit)
    .execute();
}

export function productFeedTsv(rows: readonly ProductRow[]): string {
  const clean = (text: string | null) => (text ?? '').replace(/[\t\r\n]+/g, ' ');
  const lines = [
    PRODUCT_FEED_COLUMNS.join('\t'),
    ...rows.map((r) =>
      [r.id, r.title, r.description, r.link, r.imageLink, r.price, r.availability, r.gtin, r.brand, r.condition, r.identifierExists ? '' : 'no', r.itemGroupId].map(clean).join('\t'),
    ),
  ];
  return lines.join('\n') + '\n';
}

/** Issues the product feed's secret address (any earlier one stops working); shown once. */
export async function issueProductFeed(ctx: ServiceContext): Promise<{ token: string; updatedAt: number }> {
  const token = randomBytes(24).toString('base64url');
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx) => {
    await ensureMerchantRow(trx, now);
    await trx.updateTable('google_merchant').set({ product_feed_token_hash: hashToken(token), updated_at: now }).where('id', '=', MERCHANT_ROW).execute();
  });
  return { token, updatedAt: now };
}

export async function ensureMerchantRow(trx: Executor, now: number): Promise<void> {
  await trx
    .insertInto('google_merchant')
    .values({ id: MERCHANT_ROW, product_feed_token_hash: null, merchant_id: null, data_source: null, content_language: 'en', feed_label: 'US', client_email: null, key_sealed: null, api_base: null, push_not_before: 0, last_push_at: null, updated_at: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** The product feed behind a secret; an unknown secret is not found. */
export async function productFeedByToken(ctx: ServiceContext, token: string): Promise<ProductRow[]> {
  const row = await reader(ctx).selectFrom('google_merchant').select('id').where('product_feed_token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!row) throw new GoogleFeedError('google_feed_not_found', 'No feed at this address.');
  return (await productFeed({ ...ctx, actor: systemActor })).rows;
}
