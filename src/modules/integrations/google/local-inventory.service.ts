import { createHash, randomBytes } from 'node:crypto';
import { canSeeSite, inTransaction, reader, systemActor, type ServiceContext } from '../../../platform/context.ts';
import { formatMoney } from '../../../platform/money.ts';
import { getLocation } from '../../locations/index.ts';
import { channelAvailability, getChannel } from '../../sales/index.ts';
import { readSettings } from '../../settings/index.ts';
import { GoogleFeedError } from './google.errors.ts';

/**
 * Google local inventory: for each store, a tab-delimited feed in Merchant Center's documented
 * format (attribute names with spaces: store code, id, quantity, price, availability, sale price)
 * that Merchant Center fetches on a schedule from a secret URL. Quantities are the available-to-sell
 * of a sales channel that sells from that store alone — the same figure, buffers and bundles
 * included, that the counter and the online channels sell against — so the store never advertises
 * what it would refuse.
 */

export const LOCAL_INVENTORY_COLUMNS = ['store code', 'id', 'quantity', 'price', 'availability', 'sale price'] as const;
/** At or below this many units an item is advertised as `limited_availability`. */
export const LIMITED_AT_UNITS = 2;
/** Items per feed at most (Merchant Center's own limits are far higher; a shop's catalogue is not). */
const MAX_FEED_ITEMS = 100_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface LocalFeed {
  siteId: string;
  storeCode: string;
  channelId: string;
  createdAt: number;
  updatedAt: number;
}

export async function listLocalFeeds(ctx: ServiceContext): Promise<LocalFeed[]> {
  const rows = await reader(ctx).selectFrom('google_local_feeds').selectAll().orderBy('store_code').execute();
  return rows.filter((r) => canSeeSite(ctx.actor, r.site_id)).map((r) => ({ siteId: r.site_id, storeCode: r.store_code, channelId: r.channel_id, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) }));
}

/** Sets a store's feed and issues a new secret (the old URL stops working); the secret is shown once. */
export async function setLocalFeed(ctx: ServiceContext, input: { siteId: string; storeCode: string; channelId: string }): Promise<LocalFeed & { token: string }> {
  const site = await getLocation(ctx, input.siteId);
  if (site.kind !== 'site') throw new GoogleFeedError('google_feed_invalid', `${input.siteId} is not a site.`, { errors: [{ field: 'body.site_id', code: 'not_a_site', message: 'must be a store or warehouse' }] });
  const channel = await getChannel(ctx, input.channelId);
  if (channel.siteIds.length !== 1 || channel.siteIds[0] !== site.id) {
    throw new GoogleFeedError('google_feed_invalid', `Channel ${channel.name} must sell from ${site.code} alone, so its available-to-sell is this store's.`, {
      errors: [{ field: 'body.channel_id', code: 'not_this_store', message: 'a channel whose only site is the store' }],
    });
  }
  const token = randomBytes(24).toString('base64url');
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx) => {
    await trx.deleteFrom('google_local_feeds').where('site_id', '=', site.id).execute();
    await trx.insertInto('google_local_feeds').values({ site_id: site.id, store_code: input.storeCode, channel_id: channel.id, token_hash: hashToken(token), created_at: now, updated_at: now }).execute();
  });
  return { siteId: site.id, storeCode: input.storeCode, channelId: channel.id, createdAt: now, updatedAt: now, token };
}

export interface LocalInventoryRow {
  storeCode: string;
  id: string;
  quantity: number;
  price: string | null;
  availability: 'in_stock' | 'limited_availability' | 'out_of_stock';
  salePrice: string | null;
}

export function availabilityOf(units: number): LocalInventoryRow['availability'] {
  if (units <= 0) return 'out_of_stock';
  return units <= LIMITED_AT_UNITS ? 'limited_availability' : 'in_stock';
}

/** The feed behind a secret; an unknown secret is not found (never "forbidden": it says nothing). */
export async function localInventoryByToken(ctx: ServiceContext, token: string): Promise<LocalInventoryRow[]> {
  const feed = await reader(ctx).selectFrom('google_local_feeds').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!feed) throw new GoogleFeedError('google_feed_not_found', 'No feed at this address.');
  return localInventoryRows({ ...ctx, actor: systemActor }, feed.channel_id, feed.store_code);
}

export async function localInventoryRows(ctx: ServiceContext, channelId: string, storeCode: string): Promise<LocalInventoryRow[]> {
  const { base_currency } = await readSettings(reader(ctx));
  const rows: LocalInventoryRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await channelAvailability(ctx, channelId, { limit: 500, ...(cursor ? { cursor } : {}) });
    const prices = new Map(
      page.lines.length
        ? (await reader(ctx).selectFrom('items').select(['id', 'price_micros', 'status']).where('id', 'in', page.lines.map((l) => l.itemId)).execute()).map((i) => [i.id, i])
        : [],
    );
    for (const line of page.lines) {
      const item = prices.get(line.itemId);
      if (!item || item.status !== 'active') continue;
      // Google counts whole units; a fraction of a unit cannot be sold at the counter either.
      const units = Math.max(0, Math.floor(line.available / 1000));
      rows.push({ storeCode, id: line.sku, quantity: units, price: item.price_micros === null ? null : `${formatMoney(item.price_micros)} ${base_currency}`, availability: availabilityOf(units), salePrice: null });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor && rows.length < MAX_FEED_ITEMS);
  return rows;
}

/** Tab-delimited, one header row; a tab or line break inside a value would break the row, so none is written. */
export function localInventoryTsv(rows: readonly LocalInventoryRow[]): string {
  const clean = (text: string) => text.replace(/[\t\r\n]+/g, ' ');
  const lines = [LOCAL_INVENTORY_COLUMNS.join('\t'), ...rows.map((r) => [clean(r.storeCode), clean(r.id), String(r.quantity), r.price ?? '', r.availability, r.salePrice ?? ''].join('\t'))];
  return lines.join('\n') + '\n';
}
