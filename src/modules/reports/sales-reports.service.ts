import { toIso } from '../../platform/clock.ts';
import { reader, type ServiceContext } from '../../platform/context.ts';
import { localDate } from '../../platform/clock.ts';
import { flowsByItem } from './stock-reports.service.ts';
import { inventoryValuation } from './valuation.service.ts';
import { apiLink, percentOf, periodMeta, ratioOf, resolveScope, type ReportFilters, type ReportScope } from './report-scope.ts';
import type { ReportColumn, ReportRow, ReportTable } from './report-table.ts';
import { addTotals as add, COUNTER_CHANNEL, QUARTER_MS, salesTotalsBy, zeroTotals as zero, type SalesKey, type SalesTotals as Totals } from './sales-facts.ts';

/** Reports read from what was sold: profitability, sales by item/category/hour/weekday/day, ABC, sell-through. */

export interface ItemInfo {
  sku: string;
  name: string;
  category: string | null;
  vendorId: string | null;
  createdAt: number;
}

export async function itemInfo(ctx: ServiceContext, itemIds?: readonly string[]): Promise<Map<string, ItemInfo>> {
  const db = reader(ctx);
  const query = db
    .selectFrom('items as i')
    .leftJoin('vendor_items as v', (join) => join.onRef('v.item_id', '=', 'i.id').on('v.preferred', '=', 1))
    .select(['i.id', 'i.sku', 'i.name', 'i.category', 'i.created_at', 'v.vendor_id']);
  const unique = itemIds ? [...new Set(itemIds)] : [];
  // A few thousand items by id, in chunks; more than that, the whole catalogue in one read is quicker.
  const byId = itemIds && unique.length <= 5000;
  const rows = [];
  if (byId) for (let i = 0; i < unique.length; i += 500) rows.push(...(await query.where('i.id', 'in', unique.slice(i, i + 500)).execute()));
  else rows.push(...(await query.execute()));
  return new Map(rows.map((r) => [r.id, { sku: r.sku, name: r.name, category: r.category, vendorId: r.vendor_id, createdAt: Number(r.created_at) }]));
}

export async function names(ctx: ServiceContext, table: 'vendors' | 'channels' | 'locations' | 'users'): Promise<Map<string, string>> {
  const rows = await reader(ctx).selectFrom(table).select(['id', 'name']).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export type SalesDimension = 'item' | 'category' | 'vendor' | 'channel' | 'site';

/** The sold lines' totals regrouped by a key derived from theirs (an item's category or vendor, a quarter's local hour). */
function regroup(totals: Map<string, Totals>, keyOf: (key: string) => string, into = new Map<string, Totals>()): Map<string, Totals> {
  for (const [key, t] of totals) {
    const k = keyOf(key);
    const group = into.get(k) ?? zero();
    add(group, t);
    into.set(k, group);
  }
  return into;
}

function sumOf(totals: Map<string, Totals>): Totals {
  const total = zero();
  for (const t of totals.values()) add(total, t);
  return total;
}

/** Totals by the dimension: item, channel and site are grouped by the database, category and vendor from the items. */
async function totalsByDimension(ctx: ServiceContext, scope: ReportScope, dimension: SalesDimension): Promise<{ groups: Map<string, Totals>; items: Map<string, ItemInfo> }> {
  const direct: SalesKey = dimension === 'channel' || dimension === 'site' ? dimension : 'item';
  const totals = await salesTotalsBy(ctx, scope, direct);
  const items = direct === 'item' ? await itemInfo(ctx, [...totals.keys()]) : new Map<string, ItemInfo>();
  if (dimension === 'category') return { groups: regroup(totals, (id) => items.get(id)?.category ?? ''), items };
  if (dimension === 'vendor') return { groups: regroup(totals, (id) => items.get(id)?.vendorId ?? ''), items };
  return { groups: totals, items };
}

/**
 * Each row's drill-down link: the period's part formatted once per report, not for each of the
 * 30,000 item rows of a big shop.
 */
function drillLinks(scope: ReportScope, dimension: SalesDimension): (key: string) => string {
  const period = { from: toIso(scope.start), to: toIso(scope.end - 1) };
  if (dimension === 'item') {
    const rest = apiLink('', { location_id: scope.filters.siteId, ...period }).slice(1);
    return (key) => `/api/v1/movements?kind=sale&item_id=${encodeURIComponent(key)}&${rest}`;
  }
  if (dimension === 'site') return (key) => apiLink('/api/v1/sales', { location_id: key || undefined, ...period });
  const link = apiLink('/api/v1/sales', { location_id: scope.filters.siteId, ...period });
  return () => link;
}

/**
 * Profitability: revenue after discounts, cost of goods, gross margin and margin % per item,
 * category, vendor (the item's preferred vendor), channel or site; for stock dimensions also
 * GMROI (margin over average stock at cost) and stock turns (cost of goods over average stock),
 * the average being the mean of the valuation at the period's two ends.
 */
export async function profitabilityTable(ctx: ServiceContext, filters: ReportFilters, dimension: SalesDimension): Promise<ReportTable> {
  const scope = await resolveScope(ctx, filters);
  const { groups, items } = await totalsByDimension(ctx, scope, dimension);
  const total = sumOf(groups);
  const stockDimension = dimension === 'item' || dimension === 'category' || dimension === 'vendor' || dimension === 'site';
  const stock = stockDimension ? await averageStock(ctx, scope, dimension, items) : new Map<string, number>();
  const labels = await labelsFor(ctx, dimension, items);
  const drill = drillLinks(scope, dimension);
  const rows: ReportRow[] = [...groups.entries()]
    .sort((a, b) => b[1].revenue - a[1].revenue || (a[0] < b[0] ? -1 : 1))
    .map(([key, t]) => {
      const margin = t.revenue - t.cogs;
      const avg = stock.get(key) ?? null;
      return {
        cells: {
          key,
          name: labels(key),
          qty: t.qty,
          gross: t.gross,
          discount: t.discount,
          revenue: t.revenue,
          cogs: t.cogs,
          margin,
          margin_pct: percentOf(margin, t.revenue),
          avg_stock: avg,
          gmroi: avg ? ratioOf(margin, avg) : null,
          turns: avg ? ratioOf(t.cogs, avg) : null,
        },
        drill: drill(key),
      };
    });
  const totalMargin = total.revenue - total.cogs;
  return {
    report: 'profitability',
    title: `Profitability by ${dimension}`,
    meta: { ...periodMeta(scope), by: dimension },
    columns: [
      { key: 'key', label: dimension === 'item' ? 'Item id' : dimensionLabel(dimension), type: 'text' },
      { key: 'name', label: 'Name', type: 'text' },
      { key: 'qty', label: 'Quantity sold', type: 'qty' },
      { key: 'gross', label: 'Gross sales', type: 'money' },
      { key: 'discount', label: 'Discounts', type: 'money' },
      { key: 'revenue', label: 'Revenue', type: 'money' },
      { key: 'cogs', label: 'Cost of goods', type: 'money', cost: true },
      { key: 'margin', label: 'Gross margin', type: 'money', cost: true },
      { key: 'margin_pct', label: 'Margin %', type: 'percent', cost: true },
      { key: 'avg_stock', label: 'Average stock at cost', type: 'money', cost: true },
      { key: 'gmroi', label: 'GMROI', type: 'decimal', cost: true },
      { key: 'turns', label: 'Stock turns', type: 'decimal', cost: true },
    ],
    rows,
    totals: { key: null, name: 'Totals', qty: total.qty, gross: total.gross, discount: total.discount, revenue: total.revenue, cogs: total.cogs, margin: totalMargin, margin_pct: percentOf(totalMargin, total.revenue), avg_stock: null, gmroi: null, turns: null },
    truncated: false,
  };
}

function dimensionLabel(dimension: string): string {
  return dimension.charAt(0).toUpperCase() + dimension.slice(1);
}

async function labelsFor(ctx: ServiceContext, dimension: SalesDimension, items: Map<string, ItemInfo>): Promise<(key: string) => string> {
  if (dimension === 'item') return (key) => (items.get(key) ? `${items.get(key)!.sku} ${items.get(key)!.name}` : key);
  if (dimension === 'category') return (key) => key || '(no category)';
  const table = dimension === 'vendor' ? 'vendors' : dimension === 'channel' ? 'channels' : 'locations';
  const map = await names(ctx, table);
  return (key) => (key === COUNTER_CHANNEL && dimension === 'channel' ? 'Counter' : (map.get(key) ?? (key || '(none)')));
}

/** Mean of the valuation at the period's two ends, per key of the dimension. */
async function averageStock(ctx: ServiceContext, scope: ReportScope, dimension: SalesDimension, items: Map<string, ItemInfo>): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  const siteIds = dimension === 'site' ? (scope.sites === 'all' ? (await reader(ctx).selectFrom('locations').select('id').where('kind', '=', 'site').execute()).map((r) => r.id) : scope.sites) : [scope.filters.siteId];
  // Items held but not sold in the period are looked up only when their vendor is asked for.
  const known = dimension === 'vendor' || scope.filters.vendorId ? await itemInfo(ctx) : new Map<string, ItemInfo>();
  for (const asOf of [scope.start - 1, scope.end - 1]) {
    for (const siteId of siteIds) {
      const report = await inventoryValuation(ctx, { locationId: siteId, asOf, category: scope.filters.category });
      for (const line of report.lines) {
        if (scope.filters.itemId && line.itemId !== scope.filters.itemId) continue;
        const info = items.get(line.itemId) ?? known.get(line.itemId);
        if (scope.filters.vendorId && info?.vendorId !== scope.filters.vendorId) continue;
        const key = dimension === 'item' ? line.itemId : dimension === 'category' ? (line.category ?? '') : dimension === 'vendor' ? (info?.vendorId ?? '') : (siteId ?? '');
        sums.set(key, (sums.get(key) ?? 0) + line.value);
      }
    }
  }
  return new Map([...sums.entries()].map(([k, v]) => [k, Math.round(v / 2)]));
}

export type SalesBreakdown = 'item' | 'category' | 'hour' | 'weekday' | 'day';
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Sales by item, category, hour of the day, weekday or day, in the shop's time zone: the café's rush hours. */
export async function salesBreakdownTable(ctx: ServiceContext, filters: ReportFilters, by: SalesBreakdown): Promise<ReportTable> {
  const scope = await resolveScope(ctx, filters);
  const totals = await salesTotalsBy(ctx, scope, by === 'item' || by === 'category' ? 'item' : 'quarter');
  const items = by === 'item' || by === 'category' ? await itemInfo(ctx, [...totals.keys()]) : new Map<string, ItemInfo>();
  const hourFormat = new Intl.DateTimeFormat('en-US', { timeZone: scope.timeZone, hourCycle: 'h23', hour: 'numeric', weekday: 'long' });
  const localOf = (quarter: string) => {
    const parts = Object.fromEntries(hourFormat.formatToParts(new Date(Number(quarter) * QUARTER_MS)).map((p) => [p.type, p.value]));
    return { hour: String(Number(parts.hour)).padStart(2, '0'), weekday: parts.weekday! };
  };
  const keyOf = (key: string) => (by === 'item' ? key : by === 'category' ? (items.get(key)?.category ?? '') : by === 'hour' ? localOf(key).hour : by === 'weekday' ? localOf(key).weekday : localDate(Number(key) * QUARTER_MS, scope.timeZone));
  const ordered: string[] = [];
  if (by === 'hour') for (let h = 0; h < 24; h += 1) ordered.push(String(h).padStart(2, '0'));
  if (by === 'weekday') ordered.push(...WEEKDAYS);
  const groups = regroup(totals, keyOf, new Map(ordered.map((key) => [key, zero()])));
  const total = sumOf(groups);
  const entries = [...groups.entries()];
  if (by === 'item' || by === 'category') entries.sort((a, b) => b[1].revenue - a[1].revenue || (a[0] < b[0] ? -1 : 1));
  if (by === 'day') entries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const label = (key: string) => (by === 'item' ? (items.get(key) ? `${items.get(key)!.sku} ${items.get(key)!.name}` : key) : by === 'category' ? key || '(no category)' : by === 'hour' ? `${key}:00` : key);
  // An item's sale movements; any other key, the period's sales.
  const drill = drillLinks(scope, by === 'item' ? 'item' : 'category');
  const rows: ReportRow[] = entries.map(([key, t]) => ({
    cells: { key, name: label(key), lines: t.lines, qty: t.qty, revenue: t.revenue, share_pct: percentOf(t.revenue, total.revenue), cogs: t.cogs },
    drill: drill(key),
  }));
  return {
    report: 'sales',
    title: `Sales by ${by}`,
    meta: { ...periodMeta(scope), by },
    columns: [
      { key: 'key', label: by === 'day' ? 'Date' : dimensionLabel(by), type: by === 'day' ? 'date' : 'text' },
      { key: 'name', label: 'Name', type: 'text' },
      { key: 'lines', label: 'Lines sold', type: 'int' },
      { key: 'qty', label: 'Quantity', type: 'qty' },
      { key: 'revenue', label: 'Revenue', type: 'money' },
      { key: 'share_pct', label: 'Share of revenue %', type: 'percent' },
      { key: 'cogs', label: 'Cost of goods', type: 'money', cost: true },
    ],
    rows,
    totals: { key: null, name: 'Totals', lines: total.lines, qty: total.qty, revenue: total.revenue, share_pct: total.revenue ? 10000 : null, cogs: total.cogs },
    truncated: false,
  };
}

/**
 * ABC classes: items ranked by revenue (value) and by quantity sold (volume); A are the items that
 * make the first 80 % of the total, B the next 15 %, C the rest. An item's class is decided by the
 * running total before it, so the item that crosses 80 % is still an A.
 */
export function abcClasses(amounts: ReadonlyArray<{ key: string; amount: number }>): Map<string, 'A' | 'B' | 'C'> {
  const sorted = [...amounts].sort((a, b) => b.amount - a.amount || (a.key < b.key ? -1 : 1));
  const total = sorted.reduce((s, a) => s + Math.max(a.amount, 0), 0);
  const classes = new Map<string, 'A' | 'B' | 'C'>();
  let before = 0;
  for (const a of sorted) {
    // Integers only: before / total < 80 % ⇔ before × 100 < total × 80.
    classes.set(a.key, total > 0 && before * 100 < total * 80 ? 'A' : total > 0 && before * 100 < total * 95 ? 'B' : 'C');
    before += Math.max(a.amount, 0);
  }
  return classes;
}

export async function abcTable(ctx: ServiceContext, filters: ReportFilters): Promise<ReportTable> {
  const scope = await resolveScope(ctx, filters);
  const byItem = await salesTotalsBy(ctx, scope, 'item');
  const items = await itemInfo(ctx, [...byItem.keys()]);
  const byValue = abcClasses([...byItem.entries()].map(([key, t]) => ({ key, amount: t.revenue })));
  const byVolume = abcClasses([...byItem.entries()].map(([key, t]) => ({ key, amount: t.qty })));
  const drill = drillLinks(scope, 'item');
  const rows: ReportRow[] = [...byItem.entries()]
    .sort((a, b) => b[1].revenue - a[1].revenue || (a[0] < b[0] ? -1 : 1))
    .map(([key, t]) => ({
      cells: { item_id: key, sku: items.get(key)?.sku ?? '', name: items.get(key)?.name ?? '', category: items.get(key)?.category ?? null, revenue: t.revenue, class_revenue: byValue.get(key)!, qty: t.qty, class_volume: byVolume.get(key)!, cogs: t.cogs },
      drill: drill(key),
    }));
  return {
    report: 'abc',
    title: 'ABC classes',
    meta: periodMeta(scope),
    columns: [
      { key: 'item_id', label: 'Item id', type: 'text' },
      { key: 'sku', label: 'SKU', type: 'text' },
      { key: 'name', label: 'Name', type: 'text' },
      { key: 'category', label: 'Category', type: 'text' },
      { key: 'revenue', label: 'Revenue', type: 'money' },
      { key: 'class_revenue', label: 'Class by revenue', type: 'text' },
      { key: 'qty', label: 'Quantity sold', type: 'qty' },
      { key: 'class_volume', label: 'Class by volume', type: 'text' },
      { key: 'cogs', label: 'Cost of goods', type: 'money', cost: true },
    ],
    rows,
    totals: null,
    truncated: false,
  };
}

/**
 * Sell-through of new items: items created in the period, what came in for them (receipts into
 * the scope) and what sold, to the end of the period; sell-through % is sold over received.
 */
export async function sellThroughTable(ctx: ServiceContext, filters: ReportFilters): Promise<ReportTable> {
  const scope = await resolveScope(ctx, filters);
  const all = await itemInfo(ctx);
  const fresh = [...all.entries()].filter(([id, i]) => i.createdAt >= scope.start && i.createdAt < scope.end && (!scope.filters.itemId || id === scope.filters.itemId) && (scope.filters.category === undefined || i.category === scope.filters.category));
  const ids = new Set(fresh.map(([id]) => id));
  // What the new items sold, not every item: a month brings a few hundred new ones at most.
  const sold = await salesTotalsBy(ctx, ids.size <= 1000 ? { ...scope, itemIds: [...ids] } : scope, 'item');
  const received = await flowsByItem(ctx, scope, 'receipt', [...ids]);
  const rows: ReportRow[] = fresh
    .filter(([id, info]) => !scope.filters.vendorId || info.vendorId === scope.filters.vendorId || received.has(id))
    .map(([id, info]) => {
      const inQty = received.get(id)?.qty ?? 0;
      const soldQty = sold.get(id)?.qty ?? 0;
      return {
        cells: { item_id: id, sku: info.sku, name: info.name, category: info.category, created: localDate(info.createdAt, scope.timeZone), received: inQty, sold: soldQty, revenue: sold.get(id)?.revenue ?? 0, sell_through_pct: percentOf(soldQty, inQty) },
        drill: apiLink('/api/v1/movements', { item_id: id, from: toIso(scope.start), to: toIso(scope.end - 1) }),
      };
    })
    .sort((a, b) => Number(b.cells.sell_through_pct ?? -1) - Number(a.cells.sell_through_pct ?? -1) || (String(a.cells.sku) < String(b.cells.sku) ? -1 : 1));
  return {
    report: 'sell-through',
    title: 'Sell-through of new items',
    meta: periodMeta(scope),
    columns: [
      { key: 'item_id', label: 'Item id', type: 'text' },
      { key: 'sku', label: 'SKU', type: 'text' },
      { key: 'name', label: 'Name', type: 'text' },
      { key: 'category', label: 'Category', type: 'text' },
      { key: 'created', label: 'Created', type: 'date' },
      { key: 'received', label: 'Received', type: 'qty' },
      { key: 'sold', label: 'Sold', type: 'qty' },
      { key: 'revenue', label: 'Revenue', type: 'money' },
      { key: 'sell_through_pct', label: 'Sell-through %', type: 'percent' },
    ],
    rows,
    totals: null,
    truncated: false,
  };
}

