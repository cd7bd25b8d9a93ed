import { localDate } from '../../platform/clock.ts';
import { reader, type ServiceContext } from '../../platform/context.ts';
import { listItemCostTotals } from '../costing/index.ts';
import { onHandByItem, valuedChangesByHour } from '../ledger/index.ts';
import { onOrderByItem } from '../purchasing/index.ts';
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
 * Active stocked items with nothing sellable on hand (out of stock), or at or below their
 * reorder point (low), in the scope asked for, with what is already on order for them;
 * out-of-stock first, then by SKU.
 */
export async function stockAlerts(ctx: ServiceContext, options: { locationId?: string; limit: number }): Promise<{ alerts: StockAlert[]; counts: { out_of_stock: number; low: number } }> {
  const [onHand, onOrder, items] = await Promise.all([
    onHandByItem(ctx, { locationId: options.locationId }),
    onOrderByItem(ctx, { locationId: options.locationId }),
    reader(ctx).selectFrom('items').select(['id', 'sku', 'name', 'category', 'reorder_point']).where('status', '=', 'active').where('stocked', '=', 1).execute(),
  ]);
  const alerts: StockAlert[] = [];
  for (const item of items) {
    const qty = onHand.get(item.id) ?? 0;
    const status = qty <= 0 ? 'out_of_stock' : item.reorder_point !== null && qty <= item.reorder_point ? 'low' : null;
    if (status) alerts.push({ itemId: item.id, sku: item.sku, name: item.name, category: item.category, onHand: qty, reorderPoint: item.reorder_point, onOrder: onOrder.get(item.id) ?? 0, status });
  }
  alerts.sort((a, b) => (a.status === b.status ? (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0) : a.status === 'out_of_stock' ? -1 : 1));
  const counts = { out_of_stock: alerts.filter((a) => a.status === 'out_of_stock').length, low: alerts.filter((a) => a.status === 'low').length };
  return { alerts: alerts.slice(0, options.limit), counts };
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
