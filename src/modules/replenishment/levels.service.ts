import { canSeeSite, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { StockLevelRow } from '../../platform/db/schema.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { getItem } from '../catalog/index.ts';
import { addDays, demandOverWindow, forecastContext, forecastDemand, FORECAST_HORIZON_DAYS, readDemandHistory, storedForecast, type DemandForecast } from '../forecasting/index.ts';
import { getLocation } from '../locations/index.ts';
import { dailyDeliveryVendors, measuredLeadTimes, vendorReviewDays } from './demand.service.ts';
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
export async function filterItems(ctx: ServiceContext, filter: ItemFilter): Promise<Array<{ id: string; price_micros: number | null; base_unit: string }>> {
  let q = reader(ctx).selectFrom('items').select(['id', 'price_micros', 'base_unit']).where('status', '=', 'active').where('stocked', '=', 1);
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

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * Suggested levels from the forecast: min = demand over (measured lead time + review period) at
 * the item class's service level (mean plus safety stock from the forecast's own backtest error),
 * rounded up to whole units; max = min + the mean demand of one review period. The review period
 * is the vendor's delivery cadence at the site as received (a week until measured, or when given);
 * items whose vendor delivers daily plan on a one-day cycle. Demand is forecasting's: its history
 * (censored where the site had none) and its stored forecast when one is fresh, computed here
 * otherwise; a warehouse's demand includes what it sends to other sites, so it is always computed.
 * `apply` writes them (source `suggested`).
 */
export async function suggestLevels(
  ctx: ServiceContext,
  siteId: string,
  filter: ItemFilter,
  // `maxCover: 'none'` makes max = min: the pure periodic order-up-to policy (each review tops up to the min), kept for measuring on the demo.
  options: { reviewDays?: number | undefined; apply?: boolean | undefined; maxCover?: 'review' | 'none' | undefined },
): Promise<Suggestion[]> {
  const site = await getLocation(ctx, siteId);
  if (site.kind !== 'site') throw new ReplenishmentError('stock_level_invalid', `${site.full_code} is not a site; suggestions are per site.`);
  const warehouse = (await reader(ctx).selectFrom('locations').select('site_type').where('id', '=', siteId).executeTakeFirst())?.site_type === 'warehouse';
  const items = await filterItems(ctx, filter);
  const ids = items.map((i) => i.id);
  const [fc, leadTimes, daily, cadence, preferred] = await Promise.all([
    forecastContext(ctx),
    measuredLeadTimes(ctx),
    dailyDeliveryVendors(ctx, siteId),
    vendorReviewDays(ctx, siteId),
    preferredVendors(ctx, ids),
  ]);
  const today = addDays(fc.options.endOn, 1);
  const readOptions = { ...fc.options, siteIds: [siteId], ...(warehouse ? { transfersOutAt: new Set([siteId]) } : {}) };
  const forecasts = new Map<string, { forecast: DemandForecast; offset: number } | null>();
  const recent = new Map<string, number>();
  for (const item of items) {
    const [history] = await readDemandHistory(fc.db, item.id, readOptions);
    if (!history) {
      forecasts.set(item.id, null);
      continue;
    }
    const values = history.series.values;
    recent.set(item.id, values.slice(-HISTORY_DAYS).reduce((a, b) => a + b, 0));
    const stored = warehouse ? null : await storedForecast(fc.db, item.id, siteId);
    // A stored forecast serves while it still reaches a quarter's planning window from today.
    const offset = stored ? daysBetween(stored.start, today) : -1;
    if (stored && offset >= 0 && offset <= 7 && stored.mean.length >= offset + 28) forecasts.set(item.id, { forecast: stored, offset });
    else forecasts.set(item.id, { forecast: forecastDemand(history.series, FORECAST_HORIZON_DAYS), offset: 0 });
  }
  const classes = abcClasses(items.map((i) => ({ id: i.id, value: (recent.get(i.id) ?? 0) * Number(i.price_micros ?? 1) })));
  const out: Suggestion[] = [];
  for (const item of items) {
    const vendorId = preferred.get(item.id);
    const isDaily = vendorId !== undefined && daily.has(vendorId);
    const lead = isDaily ? { days: 1, source: 'delivery_cycle' as const } : vendorId ? leadTimes.get(vendorId)! : { days: 7, source: 'default' as const };
    const review = isDaily ? 1 : (options.reviewDays ?? (vendorId ? cadence.get(vendorId) : undefined) ?? DEFAULT_REVIEW_DAYS);
    const servicePermille = SERVICE_PERMILLE[classes.get(item.id) ?? 'C'];
    const f = forecasts.get(item.id);
    const window = f ? windowDemand(f.forecast, f.offset, lead, review, servicePermille) : { mean: 0, quantile: 0 };
    const cycle = f ? demandOverWindow(f.forecast, f.offset + lead.days, review, 0.5) : { mean: 0, quantile: 0 };
    const min = Math.ceil(window.quantile - 1e-9) * QTY_SCALE;
    const max = options.maxCover === 'none' ? min : min + Math.ceil(cycle.mean - 1e-9) * QTY_SCALE;
    const basis: LevelBasis = { leadTimeDays: lead.days, reviewDays: review, servicePermille, forecast: Math.round(window.mean * QTY_SCALE), leadTimeSource: lead.source };
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
 * Demand over the lead time plus the review period, and what covers it at the service level: the
 * forecast's own backtest error over that window, widened by the vendor's lead-time spread (a late
 * delivery is demand that must still be met: the daily demand times the spread in days).
 */
function windowDemand(forecast: DemandForecast, offset: number, lead: { days: number; sdDays?: number | undefined }, review: number, servicePermille: number): { mean: number; quantile: number } {
  const days = lead.days + review;
  const expected = demandOverWindow(forecast, offset, days, 0.5).mean;
  const daily = days > 0 ? expected / days : 0;
  const leadSpread = (daily * (lead.sdDays ?? 0)) ** 2;
  return demandOverWindow(forecast, offset, days, servicePermille / 1000, leadSpread);
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
