import { sql, type InferResult } from 'kysely';
import { reader, type ServiceContext } from '../../platform/context.ts';
import type { ItemRow, OutboxEventRow } from '../../platform/db/schema.ts';
import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import { inList, listGroups } from '../../platform/db/id-lists.ts';
import { insertRows, upsertRows } from '../../platform/db/insert-rows.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { sumPickableByItem, sumPickableBySite, type StockObserver, type StockTouch } from '../ledger/index.ts';
import { findItems } from '../catalog/index.ts';
import { bundleParts, bundlesUsing, unitsAvailable } from './bundle-availability.ts';
import type { Part } from './consumption.ts';
import { categoriesOf, channelSells, getChannel, type ChannelRecord } from './channels.service.ts';

/**
 * Available-to-sell per channel and item: over the channel's sites, what every stock bin (never a
 * quarantine bin, never an expired lot) has to spare — on hand less reserved, a bin below zero
 * counting as nothing rather than taking from the others — less the channel's buffer for the item,
 * never below zero. A bundle or recipe has no stock of its own: it is the whole units its parts
 * allow (each part's spare less that part's buffer), less the bundle's own buffer.
 *
 * Every posting, reservation or release that touches an item at a channel's site writes a
 * `stock.availability_changed` event to the outbox in the same transaction, through the ledger's
 * stock observer hook. Events are complete and ordered per item: each takes the next number of
 * the item's sequence row, which stays locked until commit, and it takes the number *before*
 * reading stock, so a transaction that commits later both numbers its event later and sees the
 * earlier one's stock. (On SQLite the single writer gives the same order.)
 */

export const AVAILABILITY_TOPIC = 'stock.availability_changed';

export function todayOf(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

export interface AvailabilityEvent {
  channelId: string;
  itemId: string;
  seq: number;
  available: number;
}

/**
 * Writes one event per (channel, item) with what the channel can sell now; `sitesOf` gives each
 * channel's sites. A change to a part is also a change to every bundle and recipe made of it, so
 * those get their events too. `itemsAreStocked` says the pairs name stocked items only (stock was
 * touched), which spares a look-up of whether any of them is itself a bundle on every sale.
 */
export async function emitAvailability(
  trx: Trx,
  sitesOf: Map<string, readonly string[]>,
  pairs: ReadonlyArray<{ channelId: string; itemId: string }>,
  now: number,
  options: { itemsAreStocked?: boolean; assortments?: ReadonlyMap<string, string[] | null> } = {},
): Promise<AvailabilityEvent[]> {
  if (pairs.length === 0) return [];
  const users = await bundlesUsing(trx, [...new Set(pairs.map((p) => p.itemId))]);
  const withBundles = pairs.flatMap((p) => [p, ...[...(users.get(p.itemId) ?? [])].map((bundleId) => ({ channelId: p.channelId, itemId: bundleId }))]);
  const unique = [...new Map(withBundles.map((p) => [`${p.itemId}\u0000${p.channelId}`, p])).values()].sort((a, b) =>
    a.itemId === b.itemId ? (a.channelId < b.channelId ? -1 : 1) : a.itemId < b.itemId ? -1 : 1,
  );
  const counts = new Map<string, number>();
  for (const p of unique) counts.set(p.itemId, (counts.get(p.itemId) ?? 0) + 1);
  const itemIds = [...counts.keys()];
  const channelIds = [...new Set(unique.map((p) => p.channelId))];

  // Numbers first (locking the items' sequence rows), stock second: see above.
  const lastSeq = await takeSequences(trx, counts);
  const bundleIds = options.itemsAreStocked ? [...new Set([...users.values()].flatMap((set) => [...set]))] : itemIds;
  const parts = await bundleParts(trx, bundleIds);
  const stockIds = [...new Set([...itemIds.filter((id) => !parts.has(id)), ...[...parts.values()].flatMap((list) => (list ?? []).map((part) => part.itemId))])];
  const [bySite, buffers] = await Promise.all([
    sumPickableBySite(trx, { itemIds: stockIds, siteIds: [...new Set(channelIds.flatMap((c) => sitesOf.get(c) ?? []))], today: todayOf(now) }),
    buffersQuery.execute(trx, { channelIds: inList(trx, channelIds), itemIds: inList(trx, [...new Set([...itemIds, ...stockIds])]) }),
  ]);
  const spare = new Map(bySite.map((r) => [`${r.siteId}\u0000${r.itemId}`, r.available]));
  const buffer = new Map(buffers.map((b) => [`${b.channel_id}\u0000${b.item_id}`, b.qty]));
  const heldFor = (channelId: string, itemId: string) => buffer.get(`${channelId}\u0000${itemId}`) ?? 0;
  const spareFor = (channelId: string, itemId: string) =>
    (sitesOf.get(channelId) ?? []).reduce((sum, site) => sum + (spare.get(`${site}\u0000${itemId}`) ?? 0), 0);

  const sells = await assortmentCheck(trx, channelIds, itemIds, options.assortments);

  const next = new Map<string, number>();
  const events: AvailabilityEvent[] = [];
  const rows: OutboxEventRow[] = unique.map((p) => {
    const seq = (next.get(p.itemId) ?? lastSeq.get(p.itemId)! - counts.get(p.itemId)!) + 1;
    next.set(p.itemId, seq);
    const onHand = parts.has(p.itemId)
      ? unitsAvailable(parts.get(p.itemId)!, (partId) => spareFor(p.channelId, partId) - heldFor(p.channelId, partId))
      : spareFor(p.channelId, p.itemId);
    const held = heldFor(p.channelId, p.itemId);
    // An item outside the channel's assortment is not for sale there, whatever the stock.
    const available = sells(p.channelId, p.itemId) ? Math.max(0, onHand - held) : 0;
    events.push({ channelId: p.channelId, itemId: p.itemId, seq, available });
    return {
      id: newId('evt', now),
      topic: AVAILABILITY_TOPIC,
      channel_id: p.channelId,
      item_id: p.itemId,
      seq,
      payload: JSON.stringify({ channel_id: p.channelId, item_id: p.itemId, available: quantityToNumber(available), buffer: quantityToNumber(held) }),
      created_at: now,
      delivered_at: null,
    };
  });
  // Written as plain multi-row SQL (insert-rows.ts): every flush and posting at a channel's site writes these.
  for (let i = 0; i < rows.length; i += 500) await insertRows(trx, 'outbox_events', rows.slice(i, i + 500));
  return events;
}

const categoriesQuery = cachedQuery((db: Executor, args: { itemIds: readonly string[] }) =>
  db.selectFrom('items').select(['id', 'category']).where('id', 'in', [...args.itemIds]),
);

const buffersQuery = cachedQuery((db: Executor, args: { channelIds: readonly string[]; itemIds: readonly string[] }) =>
  db.selectFrom('channel_item_buffers').select(['channel_id', 'item_id', 'qty']).where('channel_id', 'in', [...args.channelIds]).where('item_id', 'in', [...args.itemIds]),
);

/**
 * Whether each channel sells each item, by the channels' assortments; the items' categories are
 * read only when some channel has an assortment, so a shop without any pays one small query.
 */
async function assortmentCheck(
  trx: Trx,
  channelIds: readonly string[],
  itemIds: readonly string[],
  known?: ReadonlyMap<string, string[] | null>,
): Promise<(channelId: string, itemId: string) => boolean> {
  const all = known ?? new Map((await trx.selectFrom('channels').select(['id', 'categories_json']).where('id', 'in', [...channelIds]).execute()).map((r) => [r.id, categoriesOf(r)]));
  const assortments = new Map([...all].filter(([, categories]) => categories !== null));
  if (assortments.size === 0) return () => true;
  // Only the items' categories: the whole rows (findItems) were a tenth of the observer's time.
  const items = new Map<string, { category: string | null }>();
  for (const group of listGroups(trx, itemIds)) for (const r of await categoriesQuery.execute(trx, { itemIds: inList(trx, group) })) items.set(r.id, r);
  return (channelId, itemId) => {
    const categories = assortments.get(channelId);
    const item = items.get(itemId);
    return categories === undefined || (item !== undefined && channelSells(categories ?? null, item));
  };
}

/** Advances each item's sequence by its count, in item order; the rows stay locked until commit. Returns the last number taken per item. */
async function takeSequences(trx: Trx, counts: Map<string, number>): Promise<Map<string, number>> {
  const entries = [...counts].sort(([a], [b]) => (a < b ? -1 : 1));
  const result = new Map<string, number>();
  for (let i = 0; i < entries.length; i += 500) {
    const rows = await upsertRows(
      trx,
      'outbox_sequences',
      entries.slice(i, i + 500).map(([itemId, n]) => ({ item_id: itemId, last_seq: n })),
      'on conflict ("item_id") do update set "last_seq" = outbox_sequences.last_seq + excluded.last_seq',
      ['item_id', 'last_seq'],
    );
    for (const r of rows) result.set(r.item_id, Number(r.last_seq));
  }
  return result;
}

/**
 * The ledger calls this after every change of stock. One query finds the channels selling from
 * the touched bins' sites; a store that no channel sells from costs nothing more.
 */
const channelsSellingFromRead = (db: Executor, args: { locationIds: readonly string[] }) =>
  db
    .selectFrom('locations as l')
    .innerJoin('channel_sites as cs', 'cs.site_id', 'l.site_id')
    .innerJoin('channels as c', 'c.id', 'cs.channel_id')
    .innerJoin('channel_sites as cs2', 'cs2.channel_id', 'cs.channel_id')
    .select(['l.id as location_id', 'cs2.channel_id', 'cs2.site_id', 'c.categories_json'])
    .where('l.id', 'in', [...args.locationIds])
    .where('l.purpose', '=', 'stock')
    .where('c.status', '=', 'active');
type ChannelSellingFrom = InferResult<ReturnType<typeof channelsSellingFromRead>>[number];

export const availabilityObserver: StockObserver = {
  name: 'sales.channel_availability',
  firstRead: (db, ids) => channelsSellingFromRead(db, ids),
  async stockChanged(trx: Trx, touches: readonly StockTouch[], now: number, firstRows): Promise<void> {
    const rows = firstRows as readonly ChannelSellingFrom[];
    if (rows.length === 0) return;
    const channelsAt = new Map<string, Set<string>>();
    const sitesOf = new Map<string, string[]>();
    // The channels' assortments come with the same query, so no event is read for nothing.
    const assortments = new Map(rows.map((r) => [r.channel_id, categoriesOf(r)]));
    for (const r of rows) {
      channelsAt.set(r.location_id, (channelsAt.get(r.location_id) ?? new Set()).add(r.channel_id));
      const sites = sitesOf.get(r.channel_id) ?? [];
      if (!sites.includes(r.site_id)) sites.push(r.site_id);
      sitesOf.set(r.channel_id, sites);
    }
    const pairs = touches.flatMap((t) => [...(channelsAt.get(t.locationId) ?? [])].map((channelId) => ({ channelId, itemId: t.itemId })));
    await emitAvailability(trx, sitesOf, pairs, now, { itemsAreStocked: true, assortments });
  },
};

export interface AvailabilityLine {
  itemId: string;
  sku: string;
  name: string;
  /** A bundle or recipe, whose availability is what its parts allow. */
  bundle: boolean;
  onHandAvailable: number;
  buffer: number;
  available: number;
}

/** Reads of the unfiltered list one request may make to fill a page past the channel's assortment. */
const maxAssortmentReads = 20;

/**
 * What a channel can sell, item by item in item order, a page at a time. The assortment (the
 * categories the channel sells) is applied to each read of the unfiltered list, and reads go on
 * until the page is full, the list ends, or `maxAssortmentReads` reads were made; the cursor is
 * the last item looked at, so the next page goes on from there either way.
 */
export async function channelAvailability(
  ctx: ServiceContext,
  channelId: string,
  query: { itemId?: string; limit: number; cursor?: string },
): Promise<{ lines: AvailabilityLine[]; nextCursor: string | null }> {
  const db = reader(ctx);
  const channel = await getChannel(ctx, channelId);
  const after = decodeCursor(query.cursor, ['string']);
  const today = todayOf(ctx.clock.now());
  let afterItemId = after?.[0] as string | undefined;
  const lines: AvailabilityLine[] = [];
  for (let reads = 0; reads < maxAssortmentReads; reads += 1) {
    const read = await readAvailability(db, channel, today, { itemId: query.itemId, afterItemId, limit: query.limit - lines.length });
    lines.push(...read.lines.filter((line) => channelSells(channel.categories, line.item)).map((line) => line.availability));
    afterItemId = read.lastItemId ?? afterItemId;
    if (!read.more) return { lines, nextCursor: null };
    if (lines.length >= query.limit) break;
  }
  return { lines, nextCursor: afterItemId ? encodeCursor([afterItemId]) : null };
}

/** Up to `limit` items of the channel's unfiltered list after `afterItemId`, with their items, and whether more follow. */
async function readAvailability(
  db: Executor,
  channel: ChannelRecord,
  today: string,
  query: { itemId?: string; afterItemId?: string; limit: number },
): Promise<{ lines: Array<{ item: ItemRow | { category: null }; availability: AvailabilityLine }>; lastItemId: string | undefined; more: boolean }> {
  const { afterItemId } = query;
  // Stocked items with stock at the channel's sites, and the bundles sold from them, merged in item order.
  const stocked = await sumPickableByItem(db, { siteIds: channel.siteIds, today, itemIds: query.itemId ? [query.itemId] : undefined, afterItemId, limit: query.limit + 1 });
  const { parts, partSums } = await bundlesSoldAt(db, channel.siteIds, today, { itemId: query.itemId, afterItemId, limit: query.limit + 1 });
  const partIds = partSums.map((p) => p.itemId);
  const sums = [...stocked, ...[...parts.keys()].map((itemId) => ({ itemId, available: 0 }))].sort((a, b) => (a.itemId < b.itemId ? -1 : 1));
  if (query.itemId && sums.length === 0) sums.push({ itemId: query.itemId, available: 0 });
  const more = sums.length > query.limit;
  const page = more ? sums.slice(0, query.limit) : sums;
  const bufferIds = [...new Set([...page.map((p) => p.itemId), ...partIds])];
  const buffers = bufferIds.length
    ? await db.selectFrom('channel_item_buffers').select(['item_id', 'qty']).where('channel_id', '=', channel.id).where('item_id', 'in', bufferIds).execute()
    : [];
  const held = new Map(buffers.map((b) => [b.item_id, b.qty]));
  const names = page.length ? await findItems(db, page.map((p) => p.itemId)) : new Map<string, ItemRow>();
  const partSpare = new Map(partSums.map((p) => [p.itemId, p.available - (held.get(p.itemId) ?? 0)]));
  return {
    lines: page.map((p) => {
      const onHandAvailable = parts.has(p.itemId) ? unitsAvailable(parts.get(p.itemId)!, (partId) => partSpare.get(partId) ?? 0) : p.available;
      const buffer = held.get(p.itemId) ?? 0;
      const item = names.get(p.itemId);
      return {
        item: item ?? { category: null },
        availability: { itemId: p.itemId, sku: item?.sku ?? '', name: item?.name ?? '', bundle: parts.has(p.itemId), onHandAvailable, buffer, available: Math.max(0, onHandAvailable - buffer) },
      };
    }),
    lastItemId: page[page.length - 1]?.itemId,
    more,
  };
}

/**
 * The bundles and recipes a channel lists, in item order, up to `limit` of them after the cursor:
 * like a stocked item, which is listed once it has stock records at the channel's sites, a bundle
 * is listed once every one of its parts has. One asked for by id is always listed.
 */
async function bundlesSoldAt(
  db: Executor,
  siteIds: readonly string[],
  today: string,
  query: { itemId?: string; afterItemId?: string; limit: number },
): Promise<{ parts: Map<string, Part[] | null>; partSums: Array<{ itemId: string; available: number }> }> {
  const parts = new Map<string, Part[] | null>();
  const partSums = new Map<string, { itemId: string; available: number }>();
  let after = query.afterItemId;
  for (;;) {
    const ids = await bundlePage(db, { itemId: query.itemId, afterItemId: after, limit: query.limit });
    const found = await bundleParts(db, ids);
    const newParts = [...new Set([...found.values()].flatMap((list) => (list ?? []).map((p) => p.itemId)))].filter((id) => !partSums.has(id));
    if (newParts.length) for (const sum of await sumPickableByItem(db, { siteIds, today, itemIds: newParts, limit: newParts.length })) partSums.set(sum.itemId, sum);
    for (const [id, list] of found) {
      const stockedHere = list !== null && list.every((p) => partSums.has(p.itemId));
      if ((query.itemId || stockedHere) && parts.size < query.limit) parts.set(id, list);
    }
    if (ids.length < query.limit || parts.size >= query.limit) break;
    after = ids[ids.length - 1];
  }
  return { parts, partSums: [...partSums.values()] };
}

/** Ids of active bundles and recipes in item order, a page at a time (or the one asked for, if it is one). */
async function bundlePage(db: Executor, query: { itemId?: string; afterItemId?: string; limit: number }): Promise<string[]> {
  let q = db
    .selectFrom('items as i')
    .select('i.id')
    .where('i.stocked', '=', 0)
    .where('i.status', '=', 'active')
    .where((eb) => eb.exists(eb.selectFrom('item_components as c').select('c.item_id').whereRef('c.item_id', '=', 'i.id')));
  if (query.itemId) q = q.where('i.id', '=', query.itemId);
  if (query.afterItemId) q = q.where('i.id', '>', query.afterItemId);
  return (await q.orderBy('i.id').limit(query.limit).execute()).map((r) => r.id);
}

export async function listOutbox(
  ctx: ServiceContext,
  query: { after?: string; itemId?: string; channelId?: string; limit: number },
): Promise<{ events: OutboxEventRow[]; nextAfter: string | null }> {
  let q = reader(ctx).selectFrom('outbox_events').selectAll();
  // Events belong to their channel; someone granted some sites sees those of the channels that sell from one of them.
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    q = sites.length ? q.where('channel_id', 'in', (eb) => eb.selectFrom('channel_sites').select('channel_id').where('site_id', 'in', sites)) : q.where(sql<boolean>`1 = 0`);
  }
  if (query.after) q = q.where('id', '>', query.after);
  if (query.itemId) q = q.where('item_id', '=', query.itemId);
  if (query.channelId) q = q.where('channel_id', '=', query.channelId);
  const events = await q.orderBy('id').limit(query.limit).execute();
  return { events, nextAfter: events.length === query.limit ? events[events.length - 1]!.id : null };
}
