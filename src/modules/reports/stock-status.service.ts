import { sql } from 'kysely';
import { localDate } from '../../platform/clock.ts';
import { reader, type ServiceContext } from '../../platform/context.ts';
import { listItemCostTotals } from '../costing/index.ts';
import { onHandByItem, valuedChangesByHour } from '../ledger/index.ts';
import { onOrderByItem } from '../purchasing/index.ts';
import { siteLevelsForAlerts } from '../replenishment/index.ts';
import { getLocation } from '../locations/index.ts';
import { readSettings } from '../settings/index.ts';

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
  let scopeSites: readonly string[] | 'all' = ctx.actor.sites === 'all' ? 'all' : [...ctx.actor.sites];
  if (options.locationId) {
    const location = await getLocation(ctx, options.locationId);
    scopeSites = location.site_id ? [location.site_id] : [];
  }
  const [onOrder, items, levels, bySite] = await Promise.all([
    onOrderByItem(ctx, { locationId: options.locationId }),
    reader(ctx).selectFrom('items').select(['id', 'sku', 'name', 'category', 'reorder_point']).where('status', '=', 'active').where('stocked', '=', 1).execute(),
    siteLevelsForAlerts(ctx, scopeSites),
    onHandBySite(ctx, scopeSites),
  ]);
  // Without a location the scope is the granted sites, whose sellable stock is what `bySite`
  // already holds (every physical location belongs to a site): summed, not read a second time.
  const onHand = options.locationId ? await onHandByItem(ctx, { locationId: options.locationId }) : sumBySite(bySite);
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
    if (status) alerts.push({ itemId: item.id, sku: item.sku, name: item.name, category: item.category, onHand: qty, reorderPoint, onOrder: onOrder.get(item.id) ?? 0, status });
  }
  alerts.sort((a, b) => (a.status === b.status ? (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0) : a.status === 'out_of_stock' ? -1 : 1));
  const counts = { out_of_stock: alerts.filter((a) => a.status === 'out_of_stock').length, low: alerts.filter((a) => a.status === 'low').length };
  return { alerts: alerts.slice(0, options.limit), counts };
}

/** Per item, the sum over its sites of on hand per item and site (`item|site`). */
function sumBySite(bySite: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, qty] of bySite) {
    const itemId = key.slice(0, key.indexOf('|'));
    out.set(itemId, (out.get(itemId) ?? 0) + qty);
  }
  return out;
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
 * time zone), today included. Today's is the value now; each earlier one is today's less what
 * came in since, read as hourly sums, so the day boundary is exact to the hour.
 */
export async function stockValueHistory(ctx: ServiceContext, days: number): Promise<Array<{ date: string; value: number }>> {
  const now = ctx.clock.now();
  const { time_zone } = await readSettings(reader(ctx));
  const dateOf = (epochMs: number) => localDate(epochMs, time_zone);
  const since = now - (days + 1) * 86_400_000;
  const [totals, changes] = await Promise.all([listItemCostTotals(ctx), valuedChangesByHour(reader(ctx), since)]);
  const valueNow = [...totals.values()].reduce((sum, t) => sum + t.value, 0);
  const changeByDate = new Map<string, number>();
  for (const [hour, value] of changes) {
    const date = dateOf(hour * 3_600_000);
    changeByDate.set(date, (changeByDate.get(date) ?? 0) + value);
  }
  const dates: string[] = [];
  for (let i = days - 1; i >= 0; i -= 1) dates.push(dateOf(now - i * 86_400_000));
  const unique = [...new Set(dates)];
  const result: Array<{ date: string; value: number }> = [];
  let value = valueNow;
  // Walk back from today: the value at the end of a day is the next day's end less that next day's change.
  for (let i = unique.length - 1; i >= 0; i -= 1) {
    result.unshift({ date: unique[i]!, value });
    value -= changeByDate.get(unique[i]!) ?? 0;
  }
  return result;
}
