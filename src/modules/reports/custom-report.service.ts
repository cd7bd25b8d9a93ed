import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import { localDate, startOfLocalDay } from '../../platform/clock.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { isStatementTimeout, withStatementTimeout } from '../../platform/db/dialect.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { addDays, nextDate, periodMeta, ratioOf, resolveScope, siteIn, itemIn, type ReportScope } from './report-scope.ts';
import type { Cell, ReportColumn, ReportRow, ReportTable } from './report-table.ts';
import { CustomReportError } from './custom-report.errors.ts';

/**
 * The report builder: a user-defined table over one dataset, grouped by chosen dimensions, summing
 * chosen measures, with filters and an optional comparison with the period just before.
 *
 * Nothing the caller sends reaches SQL as text: the dataset, every dimension, measure and filter
 * is a key into the whitelist below, which holds the SQL; values (ids, dates) are bound
 * parameters. Each dataset is a derived table of facts (one row per movement, sold line or
 * balance) with fixed column names, and the outer query groups and sums those columns.
 *
 * Bounds: at most MAX_GROUPS groups (one more is read to know), at most MAX_FACT_ROWS facts in
 * the period (counted first, with a limit, so the count itself is bounded), and on PostgreSQL a
 * statement timeout of QUERY_TIMEOUT_MS; any of them answers 422 `report_too_broad`.
 */

export const DATASETS = ['movements', 'sales_lines', 'balances', 'purchase_lines', 'counts'] as const;
export type Dataset = (typeof DATASETS)[number];
export const DIMENSIONS = ['item', 'category', 'vendor', 'site', 'channel', 'employee', 'day', 'week', 'month', 'lot', 'kind', 'reason'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const MEASURES = [
  'quantity', 'value', 'revenue', 'cost', 'margin', 'count',
  'received_quantity', 'received_value', 'unit_cost', 'days_late',
  'expected_quantity', 'counted_quantity', 'variance_quantity', 'variance_value',
] as const;
export type Measure = (typeof MEASURES)[number];
export const FILTERS = ['site_id', 'item_id', 'category', 'vendor_id', 'channel_id', 'employee', 'kind', 'reason'] as const;
export type FilterName = (typeof FILTERS)[number];

export const MAX_GROUPS = 10_000;
export const MAX_FACT_ROWS = 1_000_000;
export const QUERY_TIMEOUT_MS = 10_000;

/** The bounds in force (tests lower them to reach them on a small shop). */
export const customReportLimits = { maxGroups: MAX_GROUPS, maxFactRows: MAX_FACT_ROWS, timeoutMs: QUERY_TIMEOUT_MS };

export interface CustomReportDefinition {
  dataset: Dataset;
  dimensions: Dimension[];
  measures: Measure[];
  from?: string;
  to?: string;
  filters?: Partial<Record<FilterName, string>>;
  compare?: boolean;
}

const TIME_DIMENSIONS: ReadonlySet<Dimension> = new Set(['day', 'week', 'month']);

interface DatasetSpec {
  /** Has a period (from/to); balances are as of now. */
  periodic: boolean;
  dimensions: Partial<Record<Dimension, true>>;
  measures: Partial<Record<Measure, true>>;
  filters: Partial<Record<FilterName, true>>;
}

/** What each dataset has: anything else in a definition is refused (400) before any query. */
export const DATASET_SPECS: Record<Dataset, DatasetSpec> = {
  movements: {
    periodic: true,
    dimensions: { item: true, category: true, vendor: true, site: true, employee: true, day: true, week: true, month: true, lot: true, kind: true, reason: true },
    measures: { quantity: true, value: true, count: true },
    filters: { site_id: true, item_id: true, category: true, vendor_id: true, employee: true, kind: true, reason: true },
  },
  sales_lines: {
    periodic: true,
    dimensions: { item: true, category: true, vendor: true, site: true, channel: true, employee: true, day: true, week: true, month: true, lot: true },
    measures: { quantity: true, revenue: true, cost: true, margin: true, count: true },
    filters: { site_id: true, item_id: true, category: true, vendor_id: true, channel_id: true, employee: true },
  },
  balances: {
    periodic: false,
    dimensions: { item: true, category: true, vendor: true, site: true, lot: true },
    measures: { quantity: true, count: true },
    filters: { site_id: true, item_id: true, category: true, vendor_id: true },
  },
  purchase_lines: {
    periodic: true,
    dimensions: { item: true, category: true, vendor: true, site: true, employee: true, day: true, week: true, month: true, kind: true },
    measures: { quantity: true, value: true, received_quantity: true, received_value: true, unit_cost: true, days_late: true, count: true },
    filters: { site_id: true, item_id: true, category: true, vendor_id: true, employee: true, kind: true },
  },
  counts: {
    periodic: true,
    dimensions: { item: true, category: true, vendor: true, site: true, employee: true, day: true, week: true, month: true, lot: true, kind: true, reason: true },
    measures: { expected_quantity: true, counted_quantity: true, variance_quantity: true, variance_value: true, count: true },
    filters: { site_id: true, item_id: true, category: true, vendor_id: true, employee: true, kind: true, reason: true },
  },
};

/** The fact columns a dimension groups by (all datasets' facts use these names). */
const DIMENSION_COLUMN: Record<Dimension, string> = {
  item: 'item_id',
  category: 'category',
  vendor: 'vendor_id',
  site: 'site_id',
  channel: 'channel_id',
  employee: 'employee',
  day: 'at',
  week: 'at',
  month: 'at',
  lot: 'lot_id',
  kind: 'kind',
  reason: 'reason',
};

const MEASURE_COLUMNS: Record<Measure, ReportColumn> = {
  quantity: { key: 'quantity', label: 'Quantity', type: 'qty' },
  value: { key: 'value', label: 'Value', type: 'money', cost: true },
  revenue: { key: 'revenue', label: 'Revenue', type: 'money' },
  cost: { key: 'cost', label: 'Cost of goods', type: 'money', cost: true },
  margin: { key: 'margin', label: 'Margin', type: 'money', cost: true },
  count: { key: 'count', label: 'Count', type: 'int' },
  received_quantity: { key: 'received_quantity', label: 'Received', type: 'qty' },
  received_value: { key: 'received_value', label: 'Received value', type: 'money', cost: true },
  unit_cost: { key: 'unit_cost', label: 'Unit cost', type: 'money', cost: true },
  days_late: { key: 'days_late', label: 'Days late (average)', type: 'decimal' },
  expected_quantity: { key: 'expected_quantity', label: 'Expected', type: 'qty' },
  counted_quantity: { key: 'counted_quantity', label: 'Counted', type: 'qty' },
  variance_quantity: { key: 'variance_quantity', label: 'Variance', type: 'qty' },
  variance_value: { key: 'variance_value', label: 'Variance value', type: 'money', cost: true },
};

/** A measure that is a cost, a stock value or a margin: never shown to those who may not see costs. */
export function isCostMeasure(measure: Measure): boolean {
  return MEASURE_COLUMNS[measure].cost === true;
}

const DIMENSION_LABELS: Record<Dimension, string> = {
  item: 'Item id',
  category: 'Category',
  vendor: 'Vendor id',
  site: 'Site id',
  channel: 'Channel',
  employee: 'Employee',
  day: 'Day',
  week: 'Week (Monday)',
  month: 'Month',
  lot: 'Lot id',
  kind: 'Kind',
  reason: 'Reason',
};

/** A definition's fields the dataset does not have, as field errors (empty when it is fine). */
export function definitionProblems(def: CustomReportDefinition): Array<{ field: string; code: string; message: string }> {
  const spec = DATASET_SPECS[def.dataset];
  const problems: Array<{ field: string; code: string; message: string }> = [];
  def.dimensions.forEach((d, i) => {
    if (!spec.dimensions[d]) problems.push({ field: `body.dimensions.${i}`, code: 'not_in_dataset', message: `${def.dataset} has no dimension ${d}` });
  });
  def.measures.forEach((m, i) => {
    if (!spec.measures[m]) problems.push({ field: `body.measures.${i}`, code: 'not_in_dataset', message: `${def.dataset} has no measure ${m}` });
  });
  for (const f of Object.keys(def.filters ?? {})) {
    if (!spec.filters[f as FilterName]) problems.push({ field: `body.filters.${f}`, code: 'not_in_dataset', message: `${def.dataset} cannot be filtered by ${f}` });
  }
  if (new Set(def.dimensions).size !== def.dimensions.length) problems.push({ field: 'body.dimensions', code: 'duplicate', message: 'a dimension is named twice' });
  if (new Set(def.measures).size !== def.measures.length) problems.push({ field: 'body.measures', code: 'duplicate', message: 'a measure is named twice' });
  if (spec.periodic && (!def.from || !def.to)) problems.push({ field: 'body.from', code: 'required', message: `${def.dataset} needs a period (from and to)` });
  if (!spec.periodic && def.compare) problems.push({ field: 'body.compare', code: 'not_in_dataset', message: 'balances are as of now; there is no previous period' });
  return problems;
}

/** The facts of a dataset, one row per movement / sold line / balance, with the whitelisted column names. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the three datasets' builders differ in type, not in columns
type FactsQuery = SelectQueryBuilder<any, any, any>;

/** The fact columns only purchase lines and count lines carry; every other dataset has them as 0. */
const PURCHASE_FACTS = ['received_qty', 'received_value', 'days_late'] as const;
const COUNT_FACTS = ['expected_qty', 'counted_qty', 'variance_qty', 'variance_value'] as const;
const PERIODIC_FACTS = ['quantity', 'value', 'revenue', 'cost'] as const;

function zeros(...groups: ReadonlyArray<readonly string[]>) {
  return groups.flat().map((name) => sql<number>`0`.as(name));
}

/** The filters' conditions joined with `and` (true when there are none). */
function extra(conditions: RawBuilder<boolean>[]): RawBuilder<boolean> {
  return conditions.length ? sql<boolean>`(${sql.join(conditions, sql` and `)})` : sql<boolean>`1 = 1`;
}

/** An item's preferred vendor (the first, should there be several). */
function preferredVendor(itemColumn: string) {
  return sql<string | null>`(select min(v.vendor_id) from vendor_items v where v.item_id = ${sql.ref(itemColumn)} and v.preferred = 1)`;
}
const DAY_MS = 86_400_000;

/**
 * Purchase order lines of the orders sent in the period (drafts and cancelled orders left out):
 * what was ordered (quantity in base units, value at the order's prices in its currency), what
 * posted receipts brought in (quantity, and value at cost from the receipt's movements), and
 * how many days late the line arrived — or is, while still open past its expected day.
 */
function purchaseLineFacts(db: Executor, scope: ReportScope, def: CustomReportDefinition, start: number, end: number, expectedDays: ReadonlyMap<string, number>): FactsQuery {
  const f = def.filters ?? {};
  const conditions: RawBuilder<boolean>[] = [];
  if (f.employee) conditions.push(sql<boolean>`po.created_by = ${f.employee}`);
  if (f.kind) conditions.push(sql<boolean>`po.status = ${f.kind}`);
  if (scope.filters.vendorId) conditions.push(sql<boolean>`po.vendor_id = ${scope.filters.vendorId}`);
  const received = db
    .selectFrom('receipt_lines as rl')
    .innerJoin('receipts as r', 'r.id', 'rl.receipt_id')
    .select([
      'rl.po_line_id as po_line_id',
      sql<number>`sum(rl.qty_base)`.as('qty'),
      sql<number>`sum((select coalesce(sum(m.value_micros), 0) from movements m where m.document_id = r.id and m.document_line_id = rl.id and m.kind = 'receipt'))`.as('value'),
      sql<number>`max(coalesce(r.received_at, r.posted_at))`.as('last_at'),
    ])
    .where('r.status', '=', 'posted')
    .where('rl.po_line_id', 'is not', null)
    .groupBy('rl.po_line_id');
  // When the line came (its last receipt), or now while the order is still open and short.
  const arrived = sql<number>`case when po.status in ('sent', 'partially_received') and coalesce(rc.qty, 0) < l.qty_base then cast(${scope.now} as bigint) else rc.last_at end`;
  // Expected days as instants (their local midnight): one CASE over the days the period's orders
  // name, read beforehand, so no date arithmetic differs between the databases.
  const whens = [...expectedDays.entries()].map(([day, at]) => sql`when ${day} then cast(${at} as bigint)`);
  const expectedStart = whens.length ? sql<number>`(case po.expected_on ${sql.join(whens, sql` `)} end)` : sql<number>`null`;
  const dayMs = sql.lit(DAY_MS);
  return db
    .selectFrom('purchase_order_lines as l')
    .innerJoin('purchase_orders as po', 'po.id', 'l.po_id')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .leftJoin(received.as('rc'), 'rc.po_line_id', 'l.id')
    .select([
      'l.item_id as item_id',
      'i.category as category',
      'po.vendor_id as vendor_id',
      'po.delivery_site_id as site_id',
      sql<string | null>`null`.as('channel_id'),
      'po.created_by as employee',
      sql<number>`coalesce(po.sent_at, po.created_at)`.as('at'),
      sql<string | null>`null`.as('lot_id'),
      'po.status as kind',
      sql<string | null>`null`.as('reason'),
      'l.qty_base as quantity',
      // qty is in thousandths of the order's unit, the price per unit.
      sql<number>`l.qty * l.unit_price_micros / 1000`.as('value'),
      sql<number>`0`.as('revenue'),
      sql<number>`0`.as('cost'),
      sql<number>`coalesce(rc.qty, 0)`.as('received_qty'),
      sql<number>`coalesce(rc.value, 0)`.as('received_value'),
      sql<number>`case when po.expected_on is null or ${arrived} is null then 0
        when ${arrived} - ${expectedStart} >= ${dayMs} then (${arrived} - ${expectedStart}) / ${dayMs} else 0 end`.as('days_late'),
      ...zeros(COUNT_FACTS),
    ])
    .where('po.status', 'not in', ['draft', 'cancelled'])
    .where(sql<number>`coalesce(po.sent_at, po.created_at)`, '>=', start)
    .where(sql<number>`coalesce(po.sent_at, po.created_at)`, '<', end)
    .where(siteIn(scope, 'po.delivery_site_id'))
    .where(itemIn({ ...scope, filters: { ...scope.filters, vendorId: undefined } }, 'l.item_id'))
    .where(extra(conditions));
}

/**
 * Count lines posted in the period: expected and counted quantity, the variance (counted less
 * expected) and its value at the cost the count fixed, the counter, and the reason the variance
 * was decided with (`count_variance` when none was given).
 */
function countLineFacts(db: Executor, scope: ReportScope, def: CustomReportDefinition, start: number, end: number): FactsQuery {
  const f = def.filters ?? {};
  const reason = sql<string>`coalesce(cl.decision_reason, 'count_variance')`;
  const conditions: RawBuilder<boolean>[] = [];
  if (f.employee) conditions.push(sql<boolean>`cl.counted_by = ${f.employee}`);
  if (f.kind) conditions.push(sql<boolean>`c.kind = ${f.kind}`);
  if (f.reason) conditions.push(sql<boolean>`${reason} = ${f.reason}`);
  return db
    .selectFrom('count_lines as cl')
    .innerJoin('counts as c', 'c.id', 'cl.count_id')
    .innerJoin('items as i', 'i.id', 'cl.item_id')
    .select([
      'cl.item_id as item_id',
      'i.category as category',
      preferredVendor('cl.item_id').as('vendor_id'),
      'c.site_id as site_id',
      sql<string | null>`null`.as('channel_id'),
      'cl.counted_by as employee',
      sql<number>`cl.posted_at`.as('at'),
      'cl.lot_id as lot_id',
      'c.kind as kind',
      reason.as('reason'),
      ...zeros(PERIODIC_FACTS, PURCHASE_FACTS),
      sql<number>`coalesce(cl.expected_qty, 0)`.as('expected_qty'),
      sql<number>`coalesce(cl.counted_qty, 0)`.as('counted_qty'),
      sql<number>`coalesce(cl.variance_qty, 0)`.as('variance_qty'),
      sql<number>`coalesce(cl.variance_value_micros, 0)`.as('variance_value'),
    ])
    .where('cl.status', '=', 'posted')
    .where('cl.posted_at', '>=', start)
    .where('cl.posted_at', '<', end)
    .where(siteIn(scope, 'c.site_id'))
    .where(itemIn(scope, 'cl.item_id'))
    .where(extra(conditions));
}

/** The expected days named by the orders sent in [start, end), each with its local midnight. */
async function expectedDaysOf(db: Executor, scope: ReportScope, start: number, end: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('purchase_orders')
    .select('expected_on')
    .distinct()
    .where('expected_on', 'is not', null)
    .where(sql<number>`coalesce(sent_at, created_at)`, '>=', start)
    .where(sql<number>`coalesce(sent_at, created_at)`, '<', end)
    .execute();
  return new Map(rows.filter((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.expected_on ?? '')).map((r) => [r.expected_on!, startOfLocalDay(r.expected_on!, scope.timeZone)]));
}

/** Movements in the period; the site of one is the side that is a shelf (for a transfer between two sites, where it arrived). */
function movementFacts(db: Executor, scope: ReportScope, def: CustomReportDefinition, start: number, end: number): FactsQuery {
  const f = def.filters ?? {};
  const conditions: RawBuilder<boolean>[] = [];
  if (f.employee) conditions.push(sql<boolean>`m.actor_id = ${f.employee}`);
  if (f.kind) conditions.push(sql<boolean>`m.kind = ${f.kind}`);
  if (f.reason) conditions.push(sql<boolean>`m.reason = ${f.reason}`);
  return db
    .selectFrom('movements as m')
    .innerJoin('locations as lt', 'lt.id', 'm.to_location_id')
    .innerJoin('locations as lf', 'lf.id', 'm.from_location_id')
    .innerJoin('items as i', 'i.id', 'm.item_id')
    .select([
      'm.item_id as item_id',
      'i.category as category',
      preferredVendor('m.item_id').as('vendor_id'),
      sql<string | null>`case when lt.kind <> 'virtual' then lt.site_id else lf.site_id end`.as('site_id'),
      sql<string | null>`null`.as('channel_id'),
      'm.actor_id as employee',
      'm.effective_at as at',
      'm.lot_id as lot_id',
      'm.kind as kind',
      'm.reason as reason',
      'm.qty as quantity',
      sql<number>`coalesce(m.value_micros, 0)`.as('value'),
      sql<number>`0`.as('revenue'),
      sql<number>`0`.as('cost'),
      ...zeros(PURCHASE_FACTS, COUNT_FACTS),
    ])
    .where('m.effective_at', '>=', start)
    .where('m.effective_at', '<', end)
    .where(scope.sites === 'all' ? sql<boolean>`1 = 1` : sql<boolean>`(${siteIn(scope, 'lt.site_id')} or ${siteIn(scope, 'lf.site_id')})`)
    .where(scope.filters.siteId ? sql<boolean>`(case when lt.kind <> 'virtual' then lt.site_id else lf.site_id end) = ${scope.filters.siteId}` : sql<boolean>`1 = 1`)
    .where(itemIn(scope, 'm.item_id'))
    .where(extra(conditions));
}

/** Sale lines of the period's sales (voided ones left out), net of what came back on returns. */
function saleLineFacts(db: Executor, scope: ReportScope, def: CustomReportDefinition, start: number, end: number): FactsQuery {
  const f = def.filters ?? {};
  const conditions: RawBuilder<boolean>[] = [];
  if (f.employee) conditions.push(sql<boolean>`s.employee = ${f.employee}`);
  if (f.channel_id === 'counter') conditions.push(sql<boolean>`s.channel_id is null`);
  else if (f.channel_id) conditions.push(sql<boolean>`s.channel_id = ${f.channel_id}`);
  // What came back on returns of the period's sales, at cost: one grouped derived table reached
  // through the returns' documents (indexed), not a scan of return lines per sold line.
  const back = db
    .selectFrom('returns as r')
    .innerJoin('sales as rs', 'rs.id', 'r.sale_id')
    .innerJoin('return_lines as rl', 'rl.return_id', 'r.id')
    .innerJoin('movements as rm', (join) => join.onRef('rm.document_id', '=', 'r.id').onRef('rm.document_line_id', '=', 'rl.id'))
    .select(['rl.sale_line_id as sale_line_id', sql<number>`sum(coalesce(rm.value_micros, 0))`.as('value')])
    .where('r.kind', '=', 'return')
    .where('rm.kind', '=', 'return')
    .where('rs.created_at', '>=', start)
    .where('rs.created_at', '<', end)
    .groupBy('rl.sale_line_id');
  return db
    .selectFrom('sale_lines as l')
    .innerJoin('sales as s', 's.id', 'l.sale_id')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .leftJoin(back.as('rb'), 'rb.sale_line_id', 'l.id')
    .select([
      'l.item_id as item_id',
      'i.category as category',
      preferredVendor('l.item_id').as('vendor_id'),
      's.site_id as site_id',
      sql<string>`coalesce(s.channel_id, 'counter')`.as('channel_id'),
      's.employee as employee',
      's.created_at as at',
      'l.lot_id as lot_id',
      sql<string | null>`null`.as('kind'),
      sql<string | null>`null`.as('reason'),
      sql<number>`l.qty - l.qty_returned`.as('quantity'),
      sql<number>`0`.as('value'),
      sql<number>`l.net_micros - l.refunded_micros`.as('revenue'),
      // What the line took off the shelf at cost, less what came back on its returns.
      sql<number>`(select coalesce(sum(m.value_micros), 0) from movements m where m.document_type = 'sale' and m.document_id = l.sale_id and m.document_line_id = l.id and m.kind = 'sale')
        - coalesce(rb.value, 0)`.as('cost'),
      ...zeros(PURCHASE_FACTS, COUNT_FACTS),
    ])
    .where('s.created_at', '>=', start)
    .where('s.created_at', '<', end)
    .where('s.status', '<>', 'voided')
    .where(siteIn(scope, 's.site_id'))
    .where(itemIn(scope, 'l.item_id'))
    .where(extra(conditions));
}

/** Stock on hand now, per item, lot and shelf. */
function stockFacts(db: Executor, scope: ReportScope): FactsQuery {
  return db
    .selectFrom('balances as b')
    .innerJoin('locations as loc', 'loc.id', 'b.location_id')
    .innerJoin('items as i', 'i.id', 'b.item_id')
    .select([
      'b.item_id as item_id',
      'i.category as category',
      preferredVendor('b.item_id').as('vendor_id'),
      'loc.site_id as site_id',
      sql<string | null>`null`.as('channel_id'),
      sql<string | null>`null`.as('employee'),
      sql<number>`0`.as('at'),
      'b.lot_id as lot_id',
      sql<string | null>`null`.as('kind'),
      sql<string | null>`null`.as('reason'),
      'b.on_hand as quantity',
      sql<number>`0`.as('value'),
      sql<number>`0`.as('revenue'),
      sql<number>`0`.as('cost'),
      ...zeros(PURCHASE_FACTS, COUNT_FACTS),
    ])
    .where('loc.kind', '<>', 'virtual')
    .where('b.on_hand', '<>', 0)
    .where(siteIn(scope, 'loc.site_id'))
    .where(itemIn(scope, 'b.item_id'));
}

function factsQuery(db: Executor, dataset: Dataset, scope: ReportScope, def: CustomReportDefinition, start: number, end: number, expectedDays: ReadonlyMap<string, number> = new Map()): FactsQuery {
  switch (dataset) {
    case 'movements':
      return movementFacts(db, scope, def, start, end);
    case 'sales_lines':
      return saleLineFacts(db, scope, def, start, end);
    case 'purchase_lines':
      return purchaseLineFacts(db, scope, def, start, end, expectedDays);
    case 'counts':
      return countLineFacts(db, scope, def, start, end);
    default:
      return stockFacts(db, scope);
  }
}

/** Period buckets [start, end) with their labels, in the shop's time zone. */
function buckets(dimension: Dimension, from: string, to: string, timeZone: string): Array<{ start: number; label: string }> {
  const out: Array<{ start: number; label: string }> = [];
  if (dimension === 'day') {
    for (let d = from; d <= to; d = nextDate(d)) out.push({ start: startOfLocalDay(d, timeZone), label: d });
  } else if (dimension === 'week') {
    const weekday = (new Date(`${from}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
    for (let d = addDays(from, -weekday); d <= to; d = addDays(d, 7)) out.push({ start: startOfLocalDay(d, timeZone), label: d });
  } else {
    for (let m = `${from.slice(0, 7)}-01`; m <= to; ) {
      out.push({ start: startOfLocalDay(m, timeZone), label: m.slice(0, 7) });
      const [y, mo] = m.split('-').map(Number) as [number, number];
      m = new Date(Date.UTC(y, mo, 1)).toISOString().slice(0, 10);
    }
  }
  return out;
}

/** A time bucket's label for the instant column `at`: one CASE over the period's buckets (at most 367). */
function bucketExpression(dimension: Dimension, from: string, to: string, timeZone: string): RawBuilder<string> {
  const list = buckets(dimension, from, to, timeZone);
  const whens = list.slice(1).map((b, i) => sql`when f.at < ${b.start} then ${list[i]!.label}`);
  const last = list[list.length - 1]!.label;
  return whens.length ? sql<string>`case ${sql.join(whens, sql` `)} else ${last} end` : sql<string>`${last}`;
}

/** The fact columns summed per group (`count` is the number of facts). */
const SUMMED = ['quantity', 'value', 'revenue', 'cost', 'received_qty', 'received_value', 'days_late', 'expected_qty', 'counted_qty', 'variance_qty', 'variance_value', 'count'] as const;
type Summed = (typeof SUMMED)[number];
type Sums = Record<Summed, number>;

/**
 * Each measure from a group's sums. Ratios (unit cost, average days late) are made from the sums,
 * never summed themselves, so the totals row is right too.
 */
const MEASURE_OF: Record<Measure, (s: Sums) => number | null> = {
  quantity: (s) => s.quantity,
  value: (s) => s.value,
  revenue: (s) => s.revenue,
  cost: (s) => s.cost,
  margin: (s) => s.revenue - s.cost,
  count: (s) => s.count,
  received_quantity: (s) => s.received_qty,
  received_value: (s) => s.received_value,
  // Value over base quantity (thousandths) is micros per base unit.
  unit_cost: (s) => (s.quantity === 0 ? null : mulDiv(s.value, QTY_SCALE, s.quantity)),
  days_late: (s) => ratioOf(s.days_late, s.count),
  expected_quantity: (s) => s.expected_qty,
  counted_quantity: (s) => s.counted_qty,
  variance_quantity: (s) => s.variance_qty,
  variance_value: (s) => s.variance_value,
};

const SUM_SQL = (column: Summed): RawBuilder<number> => (column === 'count' ? sql<number>`count(*)` : sql<number>`sum(${sql.ref(`f.${column}`)})`);

function emptySums(): Sums {
  return Object.fromEntries(SUMMED.map((c) => [c, 0])) as Sums;
}

function addSums(a: Sums, b: Sums | undefined): Sums {
  if (!b) return a;
  return Object.fromEntries(SUMMED.map((c) => [c, a[c] + b[c]])) as Sums;
}

interface Grouped {
  keys: Map<string, Record<string, Cell>>;
  sums: Map<string, Sums>;
}

async function runOnce(ctx: ServiceContext, def: CustomReportDefinition, scope: ReportScope, period: { from: string; to: string; start: number; end: number }): Promise<Grouped> {
  const work = async (db: Executor): Promise<Grouped> => {
    const expectedDays = def.dataset === 'purchase_lines' ? await expectedDaysOf(db, scope, period.start, period.end) : new Map<string, number>();
    const facts = factsQuery(db, def.dataset, scope, def, period.start, period.end, expectedDays);
    const counted = await db
      .selectFrom(facts.select(sql<number>`1`.as('one')).limit(customReportLimits.maxFactRows + 1).as('c'))
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    if (Number(counted.n) > customReportLimits.maxFactRows) {
      throw new CustomReportError('report_too_broad', `The report would read more than ${customReportLimits.maxFactRows} ${def.dataset} rows; ask for a shorter period or filter by site, category or item.`, { limit: customReportLimits.maxFactRows, reason: 'rows_read' });
    }
    const dimensionSql = def.dimensions.map((d) => (TIME_DIMENSIONS.has(d) ? bucketExpression(d, period.from, period.to, scope.timeZone) : sql.ref(`f.${DIMENSION_COLUMN[d]}`)));
    let query = db
      .selectFrom(facts.as('f'))
      .select([...def.dimensions.map((d, i) => sql`${dimensionSql[i]!}`.as(`d_${d}`)), ...SUMMED.map((c) => SUM_SQL(c).as(`s_${c}`))]);
    // Grouped by position: a time bucket's CASE carries bound parameters, which PostgreSQL would
    // not match between the select list and a repeated expression.
    if (dimensionSql.length) query = query.groupBy(dimensionSql.map((_, i) => sql.raw(String(i + 1))) as never);
    const rows = await query.limit(customReportLimits.maxGroups + 1).execute();
    if (rows.length > customReportLimits.maxGroups) {
      throw new CustomReportError('report_too_broad', `The report has more than ${customReportLimits.maxGroups} rows; choose fewer or coarser dimensions (week or month for day, category for item) or filter.`, { limit: customReportLimits.maxGroups, reason: 'groups' });
    }
    const grouped: Grouped = { keys: new Map(), sums: new Map() };
    for (const r of rows as Array<Record<string, unknown>>) {
      const keyCells = Object.fromEntries(def.dimensions.map((d) => [d, (r[`d_${d}`] as string | null) ?? null]));
      const key = JSON.stringify(def.dimensions.map((d) => keyCells[d]));
      grouped.keys.set(key, keyCells);
      grouped.sums.set(key, Object.fromEntries(SUMMED.map((c) => [c, Number(r[`s_${c}`] ?? 0)])) as Sums);
    }
    return grouped;
  };
  try {
    return await withStatementTimeout(ctx.db, ctx.trx, customReportLimits.timeoutMs, work);
  } catch (error) {
    if (isStatementTimeout(error)) {
      throw new CustomReportError('report_too_broad', `The report took longer than ${customReportLimits.timeoutMs / 1000} s; ask for a shorter period or filter by site, category or item.`, { limit_ms: customReportLimits.timeoutMs, reason: 'time' });
    }
    throw error;
  }
}

/** Runs a definition already checked by `definitionProblems`. Cost columns are marked; the caller drops them for staff. */
export async function customReportTable(ctx: ServiceContext, def: CustomReportDefinition): Promise<ReportTable> {
  const spec = DATASET_SPECS[def.dataset];
  const today = localDate(ctx.clock.now(), 'UTC');
  const from = spec.periodic ? def.from! : today;
  const to = spec.periodic ? def.to! : today;
  const f = def.filters ?? {};
  const scope = await resolveScope(ctx, { from, to, siteId: f.site_id, category: f.category, vendorId: f.vendor_id, itemId: f.item_id, channelId: f.channel_id });
  const current = await runOnce(ctx, def, scope, { from, to, start: scope.start, end: scope.end });
  const columns: ReportColumn[] = [...def.dimensions.map((d) => ({ key: d, label: DIMENSION_LABELS[d], type: (d === 'day' ? 'date' : 'text') as ReportColumn['type'] })), ...def.measures.map((m) => MEASURE_COLUMNS[m])];
  const meta: Record<string, string | number | null> = spec.periodic ? { ...periodMeta(scope) } : { as_of: new Date(scope.now).toISOString(), site_id: f.site_id ?? null };
  meta.dataset = def.dataset;
  let previous: Grouped | null = null;
  if (def.compare && spec.periodic) {
    const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
    const pFrom = addDays(from, -days);
    const pTo = addDays(from, -1);
    const pScope = await resolveScope(ctx, { ...scope.filters, from: pFrom, to: pTo });
    previous = await runOnce(ctx, def, pScope, { from: pFrom, to: pTo, start: pScope.start, end: pScope.end });
    meta.previous_from = pFrom;
    meta.previous_to = pTo;
    for (const m of def.measures) {
      const c = MEASURE_COLUMNS[m];
      columns.push({ ...c, key: `${m}_previous`, label: `${c.label} (previous)` }, { ...c, key: `${m}_change`, label: `${c.label} change` });
    }
  }
  // Rows: every group of the period, and with a comparison the previous period's groups too
  // (time dimensions are labels of their own period, so they do not match across periods).
  const keys = new Map(current.keys);
  if (previous) for (const [k, v] of previous.keys) if (!keys.has(k)) keys.set(k, v);
  const totals: Record<string, Cell> = Object.fromEntries(columns.map((c) => [c.key, null]));
  let nowTotal = emptySums();
  let beforeTotal = emptySums();
  const measureCells = (cells: Record<string, Cell>, now: Sums, before: Sums | null) => {
    for (const m of def.measures) {
      const a = MEASURE_OF[m](now);
      cells[m] = a;
      if (before) {
        const b = MEASURE_OF[m](before);
        cells[`${m}_previous`] = b;
        cells[`${m}_change`] = a === null || b === null ? null : a - b;
      }
    }
  };
  const rows: ReportRow[] = [...keys.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, keyCells]) => {
      const cells: Record<string, Cell> = { ...keyCells };
      const now = current.sums.get(key) ?? emptySums();
      nowTotal = addSums(nowTotal, now);
      const before = previous ? (previous.sums.get(key) ?? emptySums()) : null;
      if (before) beforeTotal = addSums(beforeTotal, before);
      measureCells(cells, now, before);
      return { cells, drill: null };
    });
  measureCells(totals, nowTotal, previous ? beforeTotal : null);
  return { report: 'custom', title: `Custom report: ${def.dataset.replace('_', ' ')}`, meta, columns, rows, totals, truncated: false };
}
