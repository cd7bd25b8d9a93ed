import { canSeeSite, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { StockLevelRow } from '../../platform/db/schema.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { getItem } from '../catalog/index.ts';
import { sql } from 'kysely';
import {
  addDays,
  borrowedForecast,
  channelShares,
  computeItemForecasts,
  FORECAST_HORIZON_DAYS,
  forecastContext,
  inStockSales,
  ownHistoryTooThin,
  pooledDemandOverWindow,
  readDemandHistories,
  readDemandHistory,
  shareOf,
  storedForecast,
  storesDailyRate,
  type ChannelShares,
  type DemandForecast,
  type SiteDemandSeries,
} from '../forecasting/index.ts';
import { getLocation } from '../locations/index.ts';
import { dailyDeliveryVendors, measuredLeadTimes, transferCycles, vendorReviewDays, type TransferCycle } from './demand.service.ts';
import type { Level, LevelBasis } from './planning.ts';
import { ReplenishmentError } from './replenishment.errors.ts';

/**
 * Stock levels: the min (reorder point) and max (order-up-to) of an item at a site or a bin, set
 * by hand, in bulk, or from the forecast. A caller sees and sets levels only at granted sites.
 */

export interface LevelInput {
  min: number;
  max: number;
  delivered_daily?: boolean | undefined;
}

export interface LevelRecord extends StockLevelRow {
  basis: LevelBasis | null;
}

const toRecord = (row: StockLevelRow): LevelRecord => ({ ...row, min_qty: Number(row.min_qty), max_qty: Number(row.max_qty), basis: row.basis_json ? (JSON.parse(row.basis_json) as LevelBasis) : null });

function assertRange(input: { min: number; max: number }): void {
  if (input.max < input.min) {
    throw new ReplenishmentError('stock_level_invalid', 'The max (order-up-to) must be at least the min (reorder point).', {
      errors: [{ field: 'body.max', code: 'too_small', message: 'must be at least min' }],
    });
  }
}

export async function listLevels(
  ctx: ServiceContext,
  query: { itemId?: string | undefined; siteId?: string | undefined; locationId?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<{ records: LevelRecord[]; nextCursor: string | null }> {
  let q = reader(ctx).selectFrom('stock_levels').selectAll();
  if (query.itemId) q = q.where('item_id', '=', query.itemId);
  if (query.siteId) q = q.where('site_id', '=', query.siteId);
  if (query.locationId) q = q.where('location_id', '=', query.locationId);
  if (ctx.actor.sites !== 'all') q = q.where('site_id', 'in', [...ctx.actor.sites, '']);
  const after = decodeCursor(query.cursor, ['string', 'string']);
  if (after) {
    const [item, location] = after as [string, string];
    q = q.where((eb) => eb.or([eb('item_id', '>', item), eb.and([eb('item_id', '=', item), eb('location_id', '>', location)])]));
  }
  const rows = await q.orderBy('item_id').orderBy('location_id').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { records: page.map(toRecord), nextCursor: more && last ? encodeCursor([last.item_id, last.location_id]) : null };
}

/**
 * The level of an item at a site or bin. One never set answers as unset (`source` `none`, no min or
 * max: the shop-wide reorder point, if any, stands in); 404 when the item or the location does not
 * exist, or the location is at a site the caller is not granted.
 */
export async function getLevel(ctx: ServiceContext, itemId: string, locationId: string): Promise<LevelRecord | UnsetLevel> {
  const db = reader(ctx);
  const notFound = () => new ReplenishmentError('stock_level_not_found', `No stock level for item ${itemId} at ${locationId}.`, { extra: { item_id: itemId, location_id: locationId } });
  const row = await db.selectFrom('stock_levels').selectAll().where('item_id', '=', itemId).where('location_id', '=', locationId).executeTakeFirst();
  if (row) {
    if (!canSeeSite(ctx.actor, row.site_id)) throw notFound();
    return toRecord(row);
  }
  const [location, item] = await Promise.all([
    db.selectFrom('locations').select(['id', 'kind', 'site_id']).where('id', '=', locationId).executeTakeFirst(),
    db.selectFrom('items').select('id').where('id', '=', itemId).executeTakeFirst(),
  ]);
  if (!item || !location || !location.site_id || (location.kind !== 'site' && location.kind !== 'bin') || !canSeeSite(ctx.actor, location.site_id)) throw notFound();
  return { item_id: itemId, location_id: locationId, site_id: location.site_id, unset: true };
}

export interface UnsetLevel {
  item_id: string;
  location_id: string;
  site_id: string;
  unset: true;
}

/** Where a level may be kept: a site, or a bin inside one (a pick face). */
async function levelSite(ctx: ServiceContext, locationId: string): Promise<string> {
  const location = await getLocation(ctx, locationId);
  if ((location.kind !== 'site' && location.kind !== 'bin') || !location.site_id) {
    throw new ReplenishmentError('stock_level_invalid', `${location.full_code} is a ${location.kind}; levels are kept for sites and bins.`, {
      errors: [{ field: 'params.location_id', code: 'invalid', message: 'must be a site or a bin' }],
    });
  }
  return location.site_id;
}

export async function putLevel(
  ctx: ServiceContext,
  itemId: string,
  locationId: string,
  input: LevelInput & { source?: StockLevelRow['source']; basis?: LevelBasis | null },
): Promise<LevelRecord> {
  assertRange(input);
  const siteId = await levelSite(ctx, locationId);
  await getItem(ctx, itemId);
  return inTransaction(ctx, async (trx) => {
    await writeLevel({ ...ctx, trx }, itemId, locationId, siteId, input);
    return toRecord(await trx.selectFrom('stock_levels').selectAll().where('item_id', '=', itemId).where('location_id', '=', locationId).executeTakeFirstOrThrow());
  });
}

async function writeLevel(
  ctx: ServiceContext,
  itemId: string,
  locationId: string,
  siteId: string,
  input: LevelInput & { source?: StockLevelRow['source']; basis?: LevelBasis | null },
): Promise<void> {
  const trx = ctx.trx!;
  const now = ctx.clock.now();
  const existing = await trx.selectFrom('stock_levels').select(['delivered_daily']).where('item_id', '=', itemId).where('location_id', '=', locationId).executeTakeFirst();
  const daily = input.delivered_daily === undefined ? Number(existing?.delivered_daily ?? 0) : input.delivered_daily ? 1 : 0;
  const values = {
    min_qty: input.min,
    max_qty: input.max,
    delivered_daily: daily,
    source: input.source ?? 'manual',
    basis_json: input.basis ? JSON.stringify(input.basis) : null,
    updated_by: ctx.actor.id,
    updated_at: now,
  };
  if (existing) {
    await trx.updateTable('stock_levels').set(values).where('item_id', '=', itemId).where('location_id', '=', locationId).execute();
  } else {
    await trx.insertInto('stock_levels').values({ item_id: itemId, location_id: locationId, site_id: siteId, created_at: now, ...values }).execute();
  }
}

export interface ItemFilter {
  itemIds?: string[] | undefined;
  category?: string | undefined;
  vendorId?: string | undefined;
}

/** Active stocked items matching a filter (ids, a category, or a vendor that supplies them), at most 5,000. */
export async function filterItems(ctx: ServiceContext, filter: ItemFilter): Promise<Array<{ id: string; price_micros: number | null; base_unit: string; category: string | null }>> {
  let q = reader(ctx).selectFrom('items').select(['id', 'price_micros', 'base_unit', 'category']).where('status', '=', 'active').where('stocked', '=', 1);
  if (filter.itemIds) q = q.where('id', 'in', filter.itemIds.length ? filter.itemIds : ['']);
  if (filter.category) q = q.where('category', '=', filter.category);
  if (filter.vendorId) q = q.where('id', 'in', reader(ctx).selectFrom('vendor_items').select('item_id').where('vendor_id', '=', filter.vendorId));
  return (await q.orderBy('id').limit(5000).execute()).map((r) => ({ ...r, price_micros: r.price_micros === null ? null : Number(r.price_micros) }));
}

/** Sets the same min and max for every matching item at one site or bin; returns how many levels were written. */
export async function bulkSetLevels(ctx: ServiceContext, locationId: string, filter: ItemFilter, input: LevelInput): Promise<number> {
  assertRange(input);
  const siteId = await levelSite(ctx, locationId);
  const items = await filterItems(ctx, filter);
  return inTransaction(ctx, async (trx) => {
    for (const item of items) await writeLevel({ ...ctx, trx }, item.id, locationId, siteId, input);
    return items.length;
  });
}

export interface Suggestion {
  itemId: string;
  siteId: string;
  level: Level;
  basis: LevelBasis;
  deliveredDaily: boolean;
}

/** How much recent history ranks items into A, B and C: eight weeks. */
export const HISTORY_DAYS = 56;
/** The review period of a vendor whose delivery cadence is not measured yet. */
export const DEFAULT_REVIEW_DAYS = 7;

/** Target service level per item class: A items (the 80 % of sales value) 98 %, B (the next 15 %) 95 %, C 90 %. */
export const SERVICE_PERMILLE = { A: 980, B: 950, C: 900 } as const;
/**
 * Echelon planning serves customers from the stores' shelves, so the stores hold the safety stock
 * (98 / 96.5 / 92.5 %), and the warehouse plans on the median of the pooled demand (50 %): it only
 * refills the stores, and a safety stock of its own sat there. Measured on the demo against the
 * simulator at 180 and 456 days (docs/replenishment.md).
 */
export const ECHELON_SERVICE_PERMILLE = {
  store: { A: 980, B: 965, C: 925 },
  warehouse: { A: 500, B: 500, C: 500 },
} as const;

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * Suggested levels from the forecast: min = demand over (lead time + review period) at the item
 * class's service level (mean plus safety stock from the forecast's own backtest error), rounded
 * up to whole units; max = min + the mean demand of one review period.
 *
 * Two levels, store and warehouse, for an item stocked centrally (a warehouse keeps a level above
 * zero for it, or holds it before it has one): a store is filled from the warehouse, so its lead
 * time and review are the transfer cycle (measured from the transfers it received), not the
 * vendor's; the warehouse buys for them, so its demand is its own customers' plus the stores'
 * (each site's forecast, their errors pooled into one safety stock) over the vendor's lead time
 * and review; each level holds the safety stock of its own lead time (a store the transfer
 * cycle's, the warehouse the vendor's, pooled). The warehouse does not plan on the transfers it
 * sent (they are the stores' demand, already in their forecasts), and a store does not hold stock
 * for a vendor's lead time. When it sends to the stores, the warehouse keeps on its shelf what its
 * own customers need (`ownKeep`).
 *
 * Otherwise the vendor's measured lead time and its delivery cadence at the site (a week until
 * measured, or when given); items whose vendor delivers daily plan on a one-day cycle. Demand is
 * forecasting's: its history (censored where the site had none), new items with their category's
 * shape, and the stored forecast when one is fresh. `apply` writes them (source `suggested`).
 */
export async function suggestLevels(
  ctx: ServiceContext,
  siteId: string,
  filter: ItemFilter,
  // `maxCover: 'none'` makes max = min: the pure periodic order-up-to policy (each review tops up to the min), kept for measuring on the demo.
  options: { reviewDays?: number | undefined; apply?: boolean | undefined; maxCover?: 'review' | 'none' | undefined; warehousePlanning?: WarehousePlanning | undefined },
): Promise<Suggestion[]> {
  const site = await getLocation(ctx, siteId);
  if (site.kind !== 'site') throw new ReplenishmentError('stock_level_invalid', `${site.full_code} is not a site; suggestions are per site.`);
  const sites = await reader(ctx).selectFrom('locations').select(['id', 'site_type']).where('kind', '=', 'site').where('status', '=', 'active').orderBy('code').execute();
  // Echelon planning is a shop with a warehouse; a shop of stores alone plans each site on its own, as before.
  const echelon = (options.warehousePlanning ?? DEFAULT_WAREHOUSE_PLANNING) === 'echelon' && sites.some((s) => s.site_type === 'warehouse');
  const warehouse = sites.find((s) => s.id === siteId)?.site_type === 'warehouse';
  const warehouseIds = sites.filter((s) => s.site_type === 'warehouse' && s.id !== siteId).map((s) => s.id);
  const storeIds = warehouse ? sites.filter((s) => s.site_type !== 'warehouse' && s.id !== siteId).map((s) => s.id) : [];
  const items = await filterItems(ctx, filter);
  const ids = items.map((i) => i.id);
  const [fc, leadTimes, daily, cadence, preferred, central, cycles] = await Promise.all([
    forecastContext(ctx),
    measuredLeadTimes(ctx),
    dailyDeliveryVendors(ctx, siteId),
    vendorReviewDays(ctx, siteId),
    preferredVendors(ctx, ids),
    warehouse ? Promise.resolve(new Map<string, string>()) : centralSupply(ctx, ids, warehouseIds),
    warehouse ? Promise.resolve(new Map<string, TransferCycle>()) : transferCycles(ctx, siteId, warehouseIds),
  ]);
  // At a warehouse: every item's history here and at the stores, read at once, and its web shop's share of the stores' demand.
  // The share is read over every item, however few are asked for.
  const everyItem = warehouse && (filter.itemIds || filter.category || filter.vendorId) ? await filterItems(ctx, {}) : items;
  const histories = warehouse ? await readDemandHistories(fc.db, everyItem.map((i) => i.id), { ...fc.options, siteIds: [siteId, ...storeIds] }) : new Map<string, SiteDemandSeries[]>();
  const shares = warehouse ? ownChannelShares(everyItem, histories, siteId) : { byCategory: new Map(), shop: null };
  // An echelon level covers each store's demand over its transfer cycle too.
  const storeCycles = new Map<string, TransferCycle>();
  if (warehouse && echelon) for (const storeId of storeIds) storeCycles.set(storeId, (await transferCycles(ctx, storeId, [siteId])).get(siteId)!);
  const today = addDays(fc.options.endOn, 1);
  const forecasts = new Map<string, Part[] | null>();
  const recent = new Map<string, number>();
  // At a warehouse: how many stores' demand each item's level counts (the stores it moved at).
  const storesCounted = new Map<string, number>();
  // At a warehouse: its own customers' forecast, for what it keeps on its shelf for them when it sends to the stores.
  const ownParts = new Map<string, { forecast: DemandForecast; offset: number }>();
  const sumRecent = (values: readonly number[]) => values.slice(-HISTORY_DAYS).reduce((a, b) => a + b, 0);
  // A site's forecast of the item: the stored one while fresh (it still reaches a quarter's planning window from today), else computed now.
  const forecastAt = async (item: { id: string; category: string | null }, at: string, history: SiteDemandSeries) => {
    const stored = await storedForecast(fc.db, item.id, at);
    const offset = stored ? daysBetween(stored.start, today) : -1;
    if (stored && offset >= 0 && offset <= 7 && stored.mean.length >= offset + 28) return { forecast: stored, offset };
    return { forecast: (await computeItemForecasts(fc, item, [at], [history]))[0]!.forecast, offset: 0 };
  };
  for (const item of items) {
    if (warehouse) {
      // Stocked here when it ever moved here (received, sold, sent on): then it plans for its own customers and for the stores it fills.
      const read = histories.get(item.id) ?? [];
      const own = read.find((h) => h.siteId === siteId);
      if (!own) {
        forecasts.set(item.id, null);
        continue;
      }
      const stores = read.filter((h) => h.siteId !== siteId);
      const storeParts: Part[] = [];
      let value = sumRecent(own.series.values);
      for (const store of stores) {
        const cycle = storeCycles.get(store.siteId);
        storeParts.push({ ...(await forecastAt(item, store.siteId, store)), ...(cycle ? { cycleDays: cycle.leadDays + cycle.reviewDays } : {}) });
        value += sumRecent(store.series.values);
      }
      const ownPart = { forecast: await ownForecast(fc, item, own, storeParts, shares, today), offset: 0 };
      ownParts.set(item.id, ownPart);
      forecasts.set(item.id, [ownPart, ...storeParts]);
      storesCounted.set(item.id, stores.length);
      recent.set(item.id, value);
      continue;
    }
    const [history] = await readDemandHistory(fc.db, item.id, { ...fc.options, siteIds: [siteId] });
    if (!history) {
      forecasts.set(item.id, null);
      continue;
    }
    recent.set(item.id, sumRecent(history.series.values));
    forecasts.set(item.id, [await forecastAt(item, siteId, history)]);
  }
  const classes = abcClasses(items.map((i) => ({ id: i.id, value: (recent.get(i.id) ?? 0) * Number(i.price_micros ?? 1) })));
  const out: Suggestion[] = [];
  for (const item of items) {
    const vendorId = preferred.get(item.id);
    const fromWarehouse = central.get(item.id);
    const cycle = fromWarehouse ? cycles.get(fromWarehouse) : undefined;
    const isDaily = !cycle && vendorId !== undefined && daily.has(vendorId);
    const lead: { days: number; sdDays?: number | undefined; source: LevelBasis['leadTimeSource'] } = cycle
      ? { days: cycle.leadDays, source: 'transfer' }
      : isDaily
        ? { days: 1, source: 'delivery_cycle' }
        : vendorId
          ? leadTimes.get(vendorId)!
          : { days: 7, source: 'default' };
    const review = isDaily ? 1 : (options.reviewDays ?? (cycle ? cycle.reviewDays : undefined) ?? (vendorId ? cadence.get(vendorId) : undefined) ?? DEFAULT_REVIEW_DAYS);
    const klass = classes.get(item.id) ?? 'C';
    const servicePermille = echelon ? ECHELON_SERVICE_PERMILLE[warehouse ? 'warehouse' : 'store'][klass] : SERVICE_PERMILLE[klass];
    // Echelon: an item the site carries (it has a history here) keeps at least one on the shelf, however slow: a forecast
    // of 0 would never restock it after its last sale, and a customer would find none for weeks.
    const shelfFloor = echelon && forecasts.get(item.id) != null;
    // Echelon: each store's demand over the vendor's lead time and review and then its own transfer cycle, as the stock of the
    // warehouse and its stores together must last until an order placed now has reached the stores' shelves.
    const parts = forecasts.get(item.id)?.map((p) => (p.cycleDays ? { ...p, days: lead.days + review + p.cycleDays } : p)) ?? null;
    const window = parts ? windowDemand(parts, lead, review, servicePermille) : { mean: 0, quantile: 0 };
    const cycleDemand = parts ? pooledDemandOverWindow(parts.map((p) => ({ forecast: p.forecast, offset: p.offset + lead.days })), review, 0.5) : { mean: 0, quantile: 0 };
    const min = Math.ceil(window.quantile - 1e-9) * QTY_SCALE;
    // Echelon: every site orders up to its min, the periodic order-up-to level (it already covers the demand over the lead time
    // and review); a review more of cycle stock on top only sat there (measured at 180 and 456 days).
    const cycleMax = options.maxCover === 'none' || echelon ? min : min + Math.ceil(cycleDemand.mean - 1e-9) * QTY_SCALE;
    const max = shelfFloor ? Math.max(cycleMax, QTY_SCALE) : cycleMax;
    const basis: LevelBasis = { leadTimeDays: lead.days, reviewDays: review, servicePermille, forecast: Math.round(window.mean * QTY_SCALE), leadTimeSource: lead.source };
    if (shelfFloor && max > cycleMax) basis.shelfFloor = true;
    if (storesCounted.get(item.id)) {
      basis.storesCounted = storesCounted.get(item.id)!;
      const own = ownParts.get(item.id);
      basis.ownKeep = own ? Math.ceil(windowDemand([own], lead, review, servicePermille).quantile - 1e-9) * QTY_SCALE : 0;
      if (own?.forecast.method === 'channel_share') basis.ownFromStores = true;
      if (echelon) {
        basis.echelon = true;
        // One kept for the web shop too, or the van takes the warehouse's last unit of a slow item to a store.
        if (shelfFloor) basis.ownKeep = Math.max(basis.ownKeep, QTY_SCALE);
        // Its own customers' max on its own shelf: the keep plus their demand over one review (it buys back up to it when at or below the keep).
        basis.ownMax = basis.ownKeep + (own ? Math.ceil(pooledDemandOverWindow([{ forecast: own.forecast, offset: own.offset + lead.days }], review, 0.5).mean - 1e-9) * QTY_SCALE : 0);
      }
    }
    out.push({ itemId: item.id, siteId, level: { min, max }, basis, deliveredDaily: isDaily });
  }
  if (options.apply) {
    await inTransaction(ctx, async (trx) => {
      // A zero suggestion is written too: "keep none here" must override the shop-wide reorder point.
      for (const s of out) {
        await writeLevel({ ...ctx, trx }, s.itemId, siteId, siteId, { min: s.level.min, max: s.level.max, delivered_daily: s.deliveredDaily, source: 'suggested', basis: s.basis });
      }
    });
  }
  return out;
}

/**
 * Which items a warehouse fills the stores from, and which warehouse: one that keeps a level above
 * zero for the item, or, with no level for it at any warehouse yet, one that holds some (not with
 * `levelsOnly`: proposals need the warehouse's level to buy for the stores). A level of zero at a
 * warehouse ("keep none here") leaves the stores buying for themselves.
 */
export async function centralSupply(ctx: ServiceContext, itemIds: readonly string[], warehouseIds: readonly string[], options: { levelsOnly?: boolean } = {}): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!itemIds.length || !warehouseIds.length) return out;
  const db = reader(ctx);
  const [levels, held] = await Promise.all([
    db.selectFrom('stock_levels').select(['item_id', 'site_id', 'max_qty']).whereRef('location_id', '=', 'site_id').where('site_id', 'in', [...warehouseIds]).where('item_id', 'in', [...itemIds]).execute(),
    options.levelsOnly
      ? Promise.resolve([])
      : db
      .selectFrom('balances as b')
      .innerJoin('locations as l', 'l.id', 'b.location_id')
      .select(['b.item_id', 'l.site_id', sql<number>`sum(b.on_hand)`.as('on_hand')])
      .where('l.site_id', 'in', [...warehouseIds])
      .where('l.purpose', '=', 'stock')
      .where('b.item_id', 'in', [...itemIds])
      .groupBy(['b.item_id', 'l.site_id'])
      .execute(),
  ]);
  const levelled = new Set(levels.map((l) => l.item_id));
  for (const warehouseId of warehouseIds) {
    for (const l of levels) if (l.site_id === warehouseId && Number(l.max_qty) > 0 && !out.has(l.item_id)) out.set(l.item_id, warehouseId);
    for (const h of held) if (h.site_id === warehouseId && Number(h.on_hand) > 0 && !levelled.has(h.item_id) && !out.has(h.item_id)) out.set(h.item_id, warehouseId);
  }
  return out;
}

/**
 * Demand over the lead time plus the review period, and what covers it at the service level: the
 * forecasts' own backtest errors over that window (pooled, when a warehouse plans for its stores
 * too), widened by the vendor's lead-time spread (a late delivery is demand that must still be
 * met: the daily demand times the spread in days).
 */
function windowDemand(parts: ReadonlyArray<Part>, lead: { days: number; sdDays?: number | undefined }, review: number, servicePermille: number): { mean: number; quantile: number } {
  const days = lead.days + review;
  const expected = pooledDemandOverWindow(parts.map((p) => ({ forecast: p.forecast, offset: p.offset })), days, 0.5).mean;
  const daily = days > 0 ? expected / days : 0;
  const leadSpread = (daily * (lead.sdDays ?? 0)) ** 2;
  return pooledDemandOverWindow(parts, days, servicePermille / 1000, leadSpread);
}

/** One demand stream a level covers; `days` a window of its own, `cycleDays` a store's transfer cycle added to an echelon window. */
interface Part {
  forecast: DemandForecast;
  offset: number;
  days?: number;
  cycleDays?: number;
}

/**
 * How a warehouse plans for the stores it fills. `echelon` (the product's rule): its level is on
 * the stock of the warehouse and its stores together (see proposals), it sends the stores all it
 * holds above its own customers' keep, and shares it out fairly when short; a store it cannot fill
 * that would be empty buys for itself (see proposals); every site keeps at least one of each item
 * it carries. `two_level` (the rule before): its level counts its own customers' and the stores'
 * demand, it buys what the stores still need on top, and sends them what it holds above its min
 * counting what is on order. Both measured on the demo (docs/replenishment.md).
 */
export type WarehousePlanning = 'two_level' | 'echelon';
export const DEFAULT_WAREHOUSE_PLANNING: WarehousePlanning = 'echelon';

/** The warehouse's own customers' share of the stores' demand, per category and shop-wide, over the last eight weeks. */
function ownChannelShares(items: ReadonlyArray<{ id: string; category: string | null }>, histories: Map<string, SiteDemandSeries[]>, siteId: string): ChannelShares {
  return channelShares(
    items.flatMap((item) => {
      const read = histories.get(item.id) ?? [];
      const own = read.find((h) => h.siteId === siteId);
      if (!own) return [];
      return [{ category: item.category, own: inStockSales(own.series), storesRate: storesDailyRate(read.filter((h) => h.siteId !== siteId).map((h) => h.series)) }];
    }),
  );
}

/**
 * The warehouse's own customers' forecast: from their own history, unless that was in stock on
 * too few recent days to plan on (a web shop sells only what is in stock, so an item sent to the
 * stores shows no demand there) or sold nothing; then from the stores' forecast times the
 * channel's share, blended with what the item sold on its in-stock days.
 */
async function ownForecast(
  fc: Awaited<ReturnType<typeof forecastContext>>,
  item: { id: string; category: string | null },
  own: SiteDemandSeries,
  stores: readonly Part[],
  shares: ChannelShares,
  today: string,
): Promise<DemandForecast> {
  const seen = inStockSales(own.series);
  const share = shareOf(shares, item.category);
  if (ownHistoryTooThin(seen) && share !== null && stores.length) return borrowedForecast(stores, share, seen, today, FORECAST_HORIZON_DAYS);
  return (await computeItemForecasts(fc, item, [own.siteId], [own]))[0]!.forecast;
}

/** A, B or C by share of sales value: the items making the first 80 % are A, the next 15 % B, the rest C. */
export function abcClasses(items: Array<{ id: string; value: number }>): Map<string, 'A' | 'B' | 'C'> {
  const total = items.reduce((a, b) => a + b.value, 0);
  const sorted = [...items].sort((a, b) => b.value - a.value || (a.id < b.id ? -1 : 1));
  const out = new Map<string, 'A' | 'B' | 'C'>();
  let running = 0;
  for (const item of sorted) {
    const share = total > 0 ? running / total : 1;
    out.set(item.id, item.value > 0 && share < 0.8 ? 'A' : item.value > 0 && share < 0.95 ? 'B' : 'C');
    running += item.value;
  }
  return out;
}

/** Each item's preferred vendor (else the one vendor that has terms for it, the earliest made). */
export async function preferredVendors(ctx: ServiceContext, itemIds: readonly string[]): Promise<Map<string, string>> {
  if (!itemIds.length) return new Map();
  const rows = await reader(ctx)
    .selectFrom('vendor_items as vi')
    .innerJoin('vendors as v', 'v.id', 'vi.vendor_id')
    .select(['vi.item_id', 'vi.vendor_id', 'vi.preferred', 'vi.created_at'])
    .where('v.status', '=', 'active')
    .where('vi.item_id', 'in', [...itemIds])
    .execute();
  const out = new Map<string, { vendorId: string; rank: number; at: number }>();
  for (const r of rows) {
    const rank = Number(r.preferred) ? 0 : 1;
    const current = out.get(r.item_id);
    if (!current || rank < current.rank || (rank === current.rank && Number(r.created_at) < current.at)) out.set(r.item_id, { vendorId: r.vendor_id, rank, at: Number(r.created_at) });
  }
  return new Map([...out].map(([k, v]) => [k, v.vendorId]));
}
