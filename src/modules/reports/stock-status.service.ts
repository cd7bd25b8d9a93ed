import { sql } from 'kysely';
import { localDate, startOfLocalDay } from '../../platform/clock.ts';
import { reader, type ServiceContext } from '../../platform/context.ts';
import { itemCostGrandTotal } from '../costing/index.ts';
import { onHandByItem, valuedChangesByHour } from '../ledger/index.ts';
import { onOrderByItem } from '../purchasing/index.ts';
import { siteLevelsForAlerts } from '../replenishment/index.ts';
import { getLocation } from '../locations/index.ts';
import { readSettings } from '../settings/index.ts';
import { snapshotDayValues } from './stock-snapshots.service.ts';

/** What the dashboard asks first: what is out or running low, and how stock value moved. */

export interface StockAlert {
  itemId: string;
  sku: string;
  name: string;
  category: string | null;
  onHand: number;
  reorderPoint: number | null;
  /** Still owed by vendors on sent purchase orders for the same sites: already on its way. */
  onOrder: number;
  status: 'out_of_stock' | 'low';
}

/**
 * Active stocked items with nothing sellable on hand (out of stock), or at or below their min
 * (low), in the scope asked for, with what is already on order for them; out-of-stock first, then
 * by SKU. Mins are the site levels of replenishment (an item is low when any site in scope is at
 * or below its own min, and its reported reorder point is the sum of those mins); the deprecated
 * shop-wide reorder point stands in for an item with no site level in scope. An item restocked
 * daily (bakes, milk) that sold out is not out of stock: tomorrow's delivery is its normal refill.
 */
export async function stockAlerts(ctx: ServiceContext, options: { locationId?: string; limit: number }): Promise<{ alerts: StockAlert[]; counts: { out_of_stock: number; low: number } }> {
  // The sites in scope: the asked location's site, or every granted one.
  if (!options.locationId) return shopStockAlerts(ctx, ctx.actor.sites === 'all' ? 'all' : [...ctx.actor.sites], options.limit);
  const location = await getLocation(ctx, options.locationId);
  const scopeSites = location.site_id ? [location.site_id] : [];
  const [items, levels, bySite, onHand] = await Promise.all([
    reader(ctx).selectFrom('items').select(['id', 'sku', 'name', 'category', 'reorder_point']).where('status', '=', 'active').where('stocked', '=', 1).execute(),
    siteLevelsForAlerts(ctx, scopeSites),
    onHandBySite(ctx, scopeSites),
    onHandByItem(ctx, { locationId: options.locationId }),
  ]);
  const alerts: StockAlert[] = [];
  for (const item of items) {
    const qty = onHand.get(item.id) ?? 0;
    const siteLevels = levels.get(item.id) ?? [];
    const daily = siteLevels.length > 0 && siteLevels.every((l) => l.deliveredDaily);
    let low = false;
    let reorderPoint: number | null = null;
    if (siteLevels.length) {
      reorderPoint = siteLevels.reduce((sum, l) => sum + l.min, 0);
      low = siteLevels.some((l) => !l.deliveredDaily && (bySite.get(`${item.id}|${l.siteId}`) ?? 0) <= l.min);
    } else if (item.reorder_point !== null) {
      reorderPoint = Number(item.reorder_point);
      low = qty <= reorderPoint;
    }
    const status = qty <= 0 ? (daily ? null : 'out_of_stock') : low ? 'low' : null;
    if (status) alerts.push({ itemId: item.id, sku: item.sku, name: item.name, category: item.category, onHand: qty, reorderPoint, onOrder: 0, status });
  }
  return finish(ctx, alerts, options.limit, options.locationId);
}

/**
 * The alerts for the granted sites (no location asked for), the same as above but decided by the
 * database, which hands back only the items alerting instead of every item, level and balance
 * (30,000 of each on a big shop): per item, its sellable stock over the sites, and over its site
 * levels in scope their count, the sum of their mins, whether all are delivered daily and
 * whether any not delivered daily is at or below its min at its site.
 */
async function shopStockAlerts(ctx: ServiceContext, sites: readonly string[] | 'all', limit: number): Promise<{ alerts: StockAlert[]; counts: { out_of_stock: number; low: number } }> {
  const inSites = (column: string) => (sites === 'all' ? sql<boolean>`1 = 1` : sites.length ? sql<boolean>`${sql.ref(column)} in (${sql.join([...sites])})` : sql<boolean>`1 = 0`);
  // Each item's sellable stock is summed straight from the balances of the sellable locations (by
  // the index on location), with no location looked up per balance; the stock at a site is summed
  // only for the few items with site levels, by item (indexed). Grouping every balance by item and
  // site first, for both, took SQLite three times the CPU on the scale-100 shop.
  const rows = await sql<{ id: string; sku: string; name: string; category: string | null; reorder_point: number | null; on_hand: number; levels: number | null; mins: number | null; daily: number | null; low: number | null }>`
    with item_stock as (
      select b.item_id, sum(b.on_hand) as qty
      from balances b
      where b.location_id in (select id from locations where kind <> 'virtual' and purpose = 'stock' and ${inSites('site_id')})
      group by b.item_id),
    item_levels as (
      select s.item_id, count(*) as levels, sum(s.min_qty) as mins, min(s.delivered_daily) as daily,
             max(case when s.delivered_daily = 0 and coalesce((
               select sum(b.on_hand) from balances b join locations l on l.id = b.location_id
               where b.item_id = s.item_id and l.site_id = s.site_id and l.kind <> 'virtual' and l.purpose = 'stock'), 0) <= s.min_qty then 1 else 0 end) as low
      from stock_levels s
      where s.location_id = s.site_id and ${inSites('s.site_id')}
      group by s.item_id)
    select i.id, i.sku, i.name, i.category, i.reorder_point, coalesce(st.qty, 0) as on_hand, lv.levels, lv.mins, lv.daily, lv.low
    from items i left join item_stock st on st.item_id = i.id left join item_levels lv on lv.item_id = i.id
    where i.status = 'active' and i.stocked = 1
      and (coalesce(st.qty, 0) <= 0 or lv.low = 1 or (lv.levels is null and i.reorder_point is not null and coalesce(st.qty, 0) <= i.reorder_point))`.execute(reader(ctx));
  const alerts: StockAlert[] = [];
  for (const r of rows.rows) {
    const qty = Number(r.on_hand);
    const withLevels = r.levels !== null && Number(r.levels) > 0;
    const reorderPoint = withLevels ? Number(r.mins) : r.reorder_point === null ? null : Number(r.reorder_point);
    const low = withLevels ? Number(r.low) === 1 : reorderPoint !== null && qty <= reorderPoint;
    const status = qty <= 0 ? (withLevels && Number(r.daily) === 1 ? null : 'out_of_stock') : low ? 'low' : null;
    if (status) alerts.push({ itemId: r.id, sku: r.sku, name: r.name, category: r.category, onHand: qty, reorderPoint, onOrder: 0, status });
  }
  return finish(ctx, alerts, limit);
}

/**
 * Out of stock first, then by SKU; counted, cut to the limit, with what is on order (at the
 * location's site, when one is asked for) for the ones shown: looked up for those alone, not for
 * the 17,000 items on order in a big shop.
 */
async function finish(ctx: ServiceContext, alerts: StockAlert[], limit: number, locationId?: string): Promise<{ alerts: StockAlert[]; counts: { out_of_stock: number; low: number } }> {
  alerts.sort((a, b) => (a.status === b.status ? (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0) : a.status === 'out_of_stock' ? -1 : 1));
  const counts = { out_of_stock: alerts.filter((a) => a.status === 'out_of_stock').length, low: alerts.filter((a) => a.status === 'low').length };
  const shown = alerts.slice(0, limit);
  const onOrder = await onOrderByItem(ctx, { ...(locationId ? { locationId } : {}), itemIds: shown.map((a) => a.itemId) });
  return { alerts: shown.map((a) => ({ ...a, onOrder: onOrder.get(a.itemId) ?? 0 })), counts };
}

/** Sellable on hand per item and site (`item|site`), for the sites given or all. */
async function onHandBySite(ctx: ServiceContext, siteIds: readonly string[] | 'all'): Promise<Map<string, number>> {
  let q = reader(ctx)
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .select(['b.item_id', 'l.site_id', sql<number>`sum(b.on_hand)`.as('on_hand')])
    .where('l.kind', '<>', 'virtual')
    .where('l.purpose', '=', 'stock');
  if (siteIds !== 'all') q = q.where('l.site_id', 'in', siteIds.length ? [...siteIds] : ['']);
  const rows = await q.groupBy(['b.item_id', 'l.site_id']).execute();
  return new Map(rows.map((r) => [`${r.item_id}|${r.site_id}`, Number(r.on_hand)]));
}

/**
 * The value of all owned stock at the end of each of the last `days` local days (in the shop's
 * time zone), today included. Today's is the value now. An earlier day's is its daily snapshot's
 * total when it has one nothing since has made stale; the days after the last of those (today,
 * yesterday before the job has run, days a back-dated entry made stale) are the value now less
 * what came in since, read as hourly sums, so their day boundary is exact to the hour.
 */
export async function stockValueHistory(ctx: ServiceContext, days: number): Promise<Array<{ date: string; value: number }>> {
  const now = ctx.clock.now();
  const { time_zone } = await readSettings(reader(ctx));
  const dateOf = (epochMs: number) => localDate(epochMs, time_zone);
  const dates: string[] = [];
  for (let i = days - 1; i >= 0; i -= 1) dates.push(dateOf(now - i * 86_400_000));
  const unique = [...new Set(dates)];
  const stored = await snapshotDayValues(reader(ctx), unique.slice(0, -1));
  // The snapshots serve the days up to the first without one; the ledger the rest, back from now.
  let served = 0;
  while (served < unique.length - 1 && stored.has(unique[served]!)) served += 1;
  const since = served > 0 ? startOfLocalDay(unique[served]!, time_zone) - 1 : now - (days + 1) * 86_400_000;
  const [valueNow, changes] = await Promise.all([itemCostGrandTotal(ctx), valuedChangesByHour(reader(ctx), since)]);
  const changeByDate = new Map<string, number>();
  for (const [hour, value] of changes) {
    const date = dateOf(hour * 3_600_000);
    changeByDate.set(date, (changeByDate.get(date) ?? 0) + value);
  }
  const result: Array<{ date: string; value: number }> = [];
  let value = valueNow;
  // Walk back from today: the value at the end of a day is the next day's end less that next day's change.
  for (let i = unique.length - 1; i >= served; i -= 1) {
    result.unshift({ date: unique[i]!, value });
    value -= changeByDate.get(unique[i]!) ?? 0;
  }
  return [...unique.slice(0, served).map((date) => ({ date, value: stored.get(date)! })), ...result];
}
