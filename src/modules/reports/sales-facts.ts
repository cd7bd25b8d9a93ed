import { sql, type RawBuilder } from 'kysely';
import { reader, type ServiceContext } from '../../platform/context.ts';
import { keptOrderTotalsBy, orderFactsBesideKeptDays } from './order-day-totals.ts';
import { orderLineFacts, refundNetOfTax } from './order-facts.ts';
import { itemIn, siteIn, type ReportScope } from './report-scope.ts';
import { lineCost } from './sale-line-costs.ts';
import { COUNTER_CHANNEL, keptChannelIs, keptKeyColumn, QUARTER_MS, type SalesKey } from './sales-keys.ts';
import { freshSalesDays, type SalesDay } from './sales-day-totals.ts';

/**
 * One row per sold line in the period, from the counter (sales) and the online channels (orders),
 * with what it brought in and what it cost: the dataset behind profitability, sales by
 * item/category/hour/weekday, ABC and sell-through.
 *
 * - A counter sale counts when it was rung up; a voided sale not at all. Returns made since are
 *   taken off (their refund from revenue, the cost of what came back from cost of goods).
 * - An order line counts when it first shipped, for what has shipped, at its unit price.
 * - Cost of goods is the value of the movements the line posted: a recipe's components, a
 *   bundle's parts.
 */

export interface SalesFact {
  source: 'sale' | 'order';
  documentId: string;
  lineId: string;
  itemId: string;
  siteId: string | null;
  channelId: string | null;
  employee: string | null;
  at: number;
  qty: number;
  gross: number;
  discount: number;
  revenue: number;
  cogs: number;
}

export { COUNTER_CHANNEL, QUARTER_MS, type SalesKey } from './sales-keys.ts';

type Db = ReturnType<typeof reader>;

/** The counter's sale lines in the period and scope (rung up then, not voided), joined to their sale. */
function counterLines(db: Db, scope: ReportScope, start: number, end: number) {
  const channel = scope.filters.channelId;
  return db
    .selectFrom('sale_lines as l')
    .innerJoin('sales as s', 's.id', 'l.sale_id')
    .where('s.created_at', '>=', start)
    .where('s.created_at', '<', end)
    .where('s.status', '<>', 'voided')
    .where(channel && channel !== COUNTER_CHANNEL ? sql<boolean>`s.channel_id = ${channel}` : channel === COUNTER_CHANNEL ? sql<boolean>`s.channel_id is null` : sql<boolean>`1 = 1`)
    .where(siteIn(scope, 's.site_id'))
    .where(itemIn(scope, 'l.item_id'));
}

/**
 * Revenue alone over the period, as the sold lines' facts add it up: from the kept days' totals by
 * quarter hour (a few thousand rows a month), or by item when the scope picks items (quarter hours
 * are kept without them), and the rest of the period read as `salesTotalsBy` reads it.
 */
export async function salesRevenue(ctx: ServiceContext, scope: ReportScope): Promise<number> {
  let revenue = 0;
  for (const t of (await salesTotalsBy(ctx, scope, filtersItems(scope) ? 'item' : 'quarter')).values()) revenue += t.revenue;
  return revenue;
}

/** The order lines first shipped in [start, end), their shipments counted up to `end`. */
function orderFacts(db: Db, scope: ReportScope, start: number, end: number): Promise<SalesFact[]> {
  return orderLineFacts(db, scope, { firstFrom: start, firstTo: end, costBefore: end });
}

/**
 * Every sold line's fact in the period (the oracle the kept and grouped paths are held to);
 * `onlyReturnedCounterLines` answers the counter lines a return or refund reached and no orders.
 */
export async function salesFacts(ctx: ServiceContext, scope: ReportScope, options: { start?: number; end?: number; onlyReturnedCounterLines?: boolean } = {}): Promise<SalesFact[]> {
  const start = options.start ?? scope.start;
  const end = options.end ?? scope.end;
  const db = reader(ctx);
  const lines = counterLines(db, scope, start, end);
  const counter = await (options.onlyReturnedCounterLines ? lines.where(touchedByReturn).where(returnedSince(db, start)) : lines)
    .select([
      'l.id',
      'l.sale_id',
      'l.item_id',
      's.site_id',
      's.channel_id',
      's.employee',
      's.created_at',
      'l.qty',
      'l.qty_returned',
      'l.gross_micros',
      'l.line_discount_micros',
      'l.sale_discount_micros',
      'l.net_micros',
      'l.tax_micros',
      'l.total_micros',
      'l.refunded_micros',
      // Kept on the line; while unknown, read from the index on (document, line, kind, value) alone.
      lineCost.as('cost_out'),
    ])
    .execute();
  // What came back on returns of these sales, at the cost it came back with: read only for the
  // lines a return reached, by line (indexed), so neither the sales nor the movements are scanned.
  const returned = counter.filter((r) => Number(r.qty_returned) !== 0 || Number(r.refunded_micros) !== 0).map((r) => r.id);
  const back = [];
  for (let i = 0; i < returned.length; i += 500) {
    back.push(
      ...(await db
        .selectFrom('return_lines as rl')
        .innerJoin('returns as r', 'r.id', 'rl.return_id')
        .innerJoin('movements as m', (join) => join.onRef('m.document_id', '=', 'r.id').onRef('m.document_line_id', '=', 'rl.id'))
        .select(['rl.sale_line_id', sql<number>`sum(coalesce(m.value_micros, 0))`.as('value')])
        .where('rl.sale_line_id', 'in', returned.slice(i, i + 500))
        .where('r.kind', '=', 'return')
        .where('m.kind', '=', 'return')
        .groupBy('rl.sale_line_id')
        .execute()),
    );
  }
  const costBack = new Map(back.map((b) => [b.sale_line_id, Number(b.value)]));
  const facts: SalesFact[] = counter.map((r) => ({
    source: 'sale',
    documentId: r.sale_id,
    lineId: r.id,
    itemId: r.item_id,
    siteId: r.site_id,
    channelId: r.channel_id,
    employee: r.employee,
    at: Number(r.created_at),
    qty: Number(r.qty) - Number(r.qty_returned),
    gross: Number(r.gross_micros),
    discount: Number(r.line_discount_micros) + Number(r.sale_discount_micros),
    // A refund gives back the line's tax with it; revenue loses only the refund's share net of tax.
    revenue: Number(r.net_micros) - refundNetOfTax(Number(r.refunded_micros), Number(r.tax_micros), Number(r.total_micros)),
    cogs: Number(r.cost_out) - (costBack.get(r.id) ?? 0),
  }));
  if (scope.filters.channelId === COUNTER_CHANNEL || options.onlyReturnedCounterLines) return facts;
  facts.push(...(await orderFacts(db, scope, start, end)));
  return facts;
}

/** A counter line a return or refund reached: its facts need the per-line arithmetic. */
const touchedByReturn = sql<boolean>`(l.refunded_micros <> 0 or l.qty_returned <> 0)`;

/**
 * The sales a return (or void) was recorded for since `start`: a line of a sale rung up since then
 * can only have been reached by one of those, so the few reached lines are found from the returns
 * (by time, indexed) rather than by reading every sale of the period.
 */
function returnedSince(db: Db, start: number) {
  return sql<boolean>`s.id in (${db.selectFrom('returns').select('sale_id').where('created_at', '>=', start).where('sale_id', 'is not', null)})`;
}

/** Sold lines added up: how many, quantity net of returns, gross, discounts, revenue and cost of goods (micros). */
export interface SalesTotals {
  lines: number;
  qty: number;
  gross: number;
  discount: number;
  revenue: number;
  cogs: number;
}

export const zeroTotals = (): SalesTotals => ({ lines: 0, qty: 0, gross: 0, discount: 0, revenue: 0, cogs: 0 });

export function addTotals(t: SalesTotals, f: SalesTotals | SalesFact): void {
  t.lines += 'lines' in f ? f.lines : 1;
  t.qty += f.qty;
  t.gross += f.gross;
  t.discount += f.discount;
  t.revenue += f.revenue;
  t.cogs += f.cogs;
}

function factKey(key: SalesKey, f: SalesFact): string {
  if (key === 'item') return f.itemId;
  if (key === 'channel') return f.channelId ?? COUNTER_CHANNEL;
  if (key === 'site') return f.siteId ?? '';
  return String(Math.floor(f.at / QUARTER_MS));
}

const keyColumn: Record<SalesKey, RawBuilder<string | number | null>> = {
  item: sql`l.item_id`,
  channel: sql`s.channel_id`,
  site: sql`s.site_id`,
  quarter: sql`s.created_at / ${sql.lit(QUARTER_MS)}`,
};

/** The grouped sums of the untouched lines, per key, as the database hands them back. */
type GroupedRow = { k: string | number | null; lines: number; qty: number; gross: number; discount: number; revenue: number; cogs: number };

const sums = [
  sql<number>`count(*)`.as('lines'),
  sql<number>`sum(t.qty)`.as('qty'),
  sql<number>`sum(t.gross_micros)`.as('gross'),
  sql<number>`sum(t.discount)`.as('discount'),
  sql<number>`sum(t.net_micros)`.as('revenue'),
  sql<number>`sum(t.cost_out)`.as('cogs'),
] as const;

/** The counter's lines of [start, end) no return or refund reached, added up by the database by key. */
function untouchedLinesBy(db: Db, scope: ReportScope, key: SalesKey, start: number, end: number): Promise<GroupedRow[]> {
  const perLine = counterLines(db, scope, start, end)
    .where(sql<boolean>`not ${touchedByReturn}`)
    .select([keyColumn[key].as('k'), 'l.qty', 'l.gross_micros', sql<number>`l.line_discount_micros + l.sale_discount_micros`.as('discount'), 'l.net_micros', lineCost.as('cost_out')])
    .as('t');
  return db.selectFrom(perLine).select(['t.k', ...sums]).groupBy('t.k').execute();
}

/** The same sums from the days' kept totals (the channel '' is the counter), with the report's filters. */
function keptTotalsBy(db: Db, scope: ReportScope, key: Exclude<SalesKey, 'quarter'>, days: readonly string[]): Promise<GroupedRow[]> {
  return db
    .selectFrom('sales_day_totals as t')
    .select([
      sql<string>`${sql.ref(keptKeyColumn[key])}`.as('k'),
      sql<number>`sum(t.lines)`.as('lines'),
      sql<number>`sum(t.qty)`.as('qty'),
      sql<number>`sum(t.gross_micros)`.as('gross'),
      sql<number>`sum(t.discount_micros)`.as('discount'),
      sql<number>`sum(t.revenue_micros)`.as('revenue'),
      sql<number>`sum(t.cogs_micros)`.as('cogs'),
    ])
    .where('t.day', 'in', [...days])
    .where(keptChannelIs(scope))
    .where(siteIn(scope, 't.site_id'))
    .where(itemIn(scope, 't.item_id'))
    .groupBy(keptKeyColumn[key])
    .execute();
}

/** The kept days' quarter hours added up (their site and channel filters; no item filter can apply). */
function keptQuartersBy(db: Db, scope: ReportScope, days: readonly string[]): Promise<GroupedRow[]> {
  return db
    .selectFrom('sales_day_quarters as t')
    .select([
      't.quarter as k',
      sql<number>`sum(t.lines)`.as('lines'),
      sql<number>`sum(t.qty)`.as('qty'),
      sql<number>`sum(t.gross_micros)`.as('gross'),
      sql<number>`sum(t.discount_micros)`.as('discount'),
      sql<number>`sum(t.revenue_micros)`.as('revenue'),
      sql<number>`sum(t.cogs_micros)`.as('cogs'),
    ])
    .where('t.day', 'in', [...days])
    .where(keptChannelIs(scope))
    .where(siteIn(scope, 't.site_id'))
    .groupBy('t.quarter')
    .execute();
}

/** Whether the report asks for some items only: the quarter hours, kept without the item, cannot answer it. */
const filtersItems = (scope: ReportScope) => Boolean(scope.filters.itemId || scope.filters.category !== undefined || scope.filters.vendorId || scope.itemIds);

/** The kept totals of these days by key: the counter's and the orders' by item, site or channel, or both by quarter hour. */
function keptBy(db: Db, scope: ReportScope, key: SalesKey, days: readonly string[]): Array<Promise<GroupedRow[]>> {
  if (days.length === 0) return [];
  if (key === 'quarter') return [keptQuartersBy(db, scope, days)];
  return [keptTotalsBy(db, scope, key, days), ...(scope.filters.channelId === COUNTER_CHANNEL ? [] : [keptOrderTotalsBy(db, scope, key, days)])];
}

/** The closed days of the period whose kept totals are used, and the stretches between them. */
function keptStretches(scope: ReportScope, days: readonly SalesDay[]): { used: string[]; gaps: Array<[number, number]> } {
  const gaps: Array<[number, number]> = [];
  const used: string[] = [];
  let from = scope.start;
  for (const d of days) {
    // Days added up under another time zone may overlap: the first one counts, the other's lines are read.
    if (d.start_at < from) continue;
    if (d.start_at > from) gaps.push([from, d.start_at]);
    used.push(d.day);
    from = d.end_at;
  }
  if (scope.end > from) gaps.push([from, scope.end]);
  return { used, gaps };
}

/**
 * The sold lines' facts added up by key, the same figures as adding up salesFacts one by one.
 * For the closed days whose totals are kept (and still hold), the counter lines no return or
 * refund reached and the order lines nothing can change are read from those totals (by item, site
 * and channel, or by quarter hour when no item filter applies); for the rest of the period (today,
 * a day gone stale, quarter hours for some items) the database adds up those counter lines, their
 * facts being their own columns and the cost their sale movements posted.
 * The returned or refunded counter lines and the order lines not kept go through the per-line
 * arithmetic and are added after.
 */
export async function salesTotalsBy(ctx: ServiceContext, scope: ReportScope, key: SalesKey): Promise<Map<string, SalesTotals>> {
  const db = reader(ctx);
  const days = key === 'quarter' && filtersItems(scope) ? [] : await freshSalesDays(db, scope.start, scope.end);
  const { used, gaps } = keptStretches(scope, days);
  const withOrders = scope.filters.channelId !== COUNTER_CHANNEL;
  const [plain, touched, orders] = await Promise.all([
    Promise.all([...keptBy(db, scope, key, used), ...gaps.map(([a, b]) => untouchedLinesBy(db, scope, key, a, b))]),
    salesFacts(ctx, scope, { onlyReturnedCounterLines: true }),
    withOrders ? orderFactsBesideKeptDays(db, scope, used, gaps) : [],
  ]);
  const totals = new Map<string, SalesTotals>();
  const at = (k: string) => totals.get(k) ?? totals.set(k, zeroTotals()).get(k)!;
  for (const r of plain.flat()) {
    const k = r.k === null || r.k === '' ? (key === 'channel' ? COUNTER_CHANNEL : '') : String(r.k);
    addTotals(at(k), { lines: Number(r.lines), qty: Number(r.qty), gross: Number(r.gross), discount: Number(r.discount), revenue: Number(r.revenue), cogs: Number(r.cogs) });
  }
  for (const f of [...touched, ...orders]) addTotals(at(factKey(key, f)), f);
  return totals;
}
