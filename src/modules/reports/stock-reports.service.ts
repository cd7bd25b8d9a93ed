import { sql, type RawBuilder } from 'kysely';
import { localDate, toIso } from '../../platform/clock.ts';
import { reader, type ServiceContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { currentUnitCosts } from '../costing/index.ts';
import { stockAlerts } from './stock-status.service.ts';
import { addDays, apiLink, heldAt, itemIn, percentOf, periodMeta, ratioOf, resolveScope, todayOf, type ReportFilters, type ReportScope } from './report-scope.ts';
import type { ReportRow, ReportTable } from './report-table.ts';
import { itemInfo, names } from './sales-reports.service.ts';
import { salesRevenue } from './sales-facts.ts';

/** Reports read from stock and the ledger: dead and slow stock, shrinkage, expiring lots, low stock. */

const DAY = 86_400_000;

/** Physical stock-holding locations of the scope (no transit): what is on a shelf. */
function onShelf(scope: ReportScope, alias: string): RawBuilder<boolean> {
  const kind = sql.ref(`${alias}.kind`);
  if (scope.sites === 'all') return sql<boolean>`${kind} <> 'virtual'`;
  if (scope.sites.length === 0) return sql<boolean>`1 = 0`;
  return sql<boolean>`(${kind} <> 'virtual' and ${sql.ref(`${alias}.site_id`)} in (${sql.join(scope.sites)}))`;
}

/** Per item, what movements of one kind brought into the scope in the period. */
export async function flowsByItem(ctx: ServiceContext, scope: ReportScope, kind: string, itemIds: string[]): Promise<Map<string, { qty: number; value: number }>> {
  if (itemIds.length === 0) return new Map();
  const rows = await reader(ctx)
    .selectFrom('movements as m')
    .innerJoin('locations as lt', 'lt.id', 'm.to_location_id')
    .select(['m.item_id', sql<number>`sum(m.qty)`.as('qty'), sql<number>`sum(coalesce(m.value_micros, 0))`.as('value')])
    .where('m.kind', '=', kind)
    .where('m.effective_at', '>=', scope.start)
    .where('m.effective_at', '<', scope.end)
    .where(heldAt(scope, 'lt'))
    .where(itemIn(scope, 'm.item_id'))
    .groupBy('m.item_id')
    .execute();
  const wanted = new Set(itemIds);
  return new Map(rows.filter((r) => wanted.has(r.item_id)).map((r) => [r.item_id, { qty: Number(r.qty), value: Number(r.value) }]));
}

/**
 * The scope's shelves, as a subquery the database runs once: a location looked up in it, not
 * joined to every balance or movement row (which read a location per row). A list of their ids
 * would do the same, but could pass a database's limit on parameters in a shop of many bins.
 */
function shelvesOf(db: Executor, scope: ReportScope) {
  return db.selectFrom('locations as l').select('l.id').where(onShelf(scope, 'l'));
}

async function onHandByItem(ctx: ServiceContext, scope: ReportScope): Promise<Map<string, number>> {
  const db = reader(ctx);
  const rows = await db
    .selectFrom('balances as b')
    .select(['b.item_id', sql<number>`sum(b.on_hand)`.as('qty')])
    .where('b.location_id', 'in', shelvesOf(db, scope))
    .where(itemIn(scope, 'b.item_id'))
    .groupBy('b.item_id')
    .execute();
  return new Map(rows.map((r) => [r.item_id, Number(r.qty)]));
}

/** Sale and shipment movements, named as their partial index names them (so SQLite uses it). */
const SOLD = sql<boolean>`(m.kind = 'sale' or m.kind = 'shipment')`;

/**
 * Per stocked item, when it last left a shelf of the scope sold or shipped, and how much left so
 * since `recentFrom`; then, for the items with none since, when they last did before. Item by item
 * from the sold movements' own index, so neither the whole history of sales is read nor four weeks
 * of it sorted by item.
 */
async function lastSalesOffShelf(ctx: ServiceContext, scope: ReportScope, stocked: string[], recentFrom: number): Promise<Map<string, { lastAt: number; recent: number }>> {
  const db = reader(ctx);
  const sales = new Map<string, { lastAt: number; recent: number }>();
  // The location as an expression: as the bare column, the shelves draw SQLite to the (location,
  // time) index instead of the item's sold movements.
  const offShelf = sql<boolean>`(m.from_location_id || '') in (${shelvesOf(db, scope)})`;
  const soldOf = (itemIds: string[]) =>
    db.selectFrom('movements as m').select(['m.item_id', sql<number>`max(m.effective_at)`.as('last_at')]).where(SOLD).where('m.item_id', 'in', itemIds).where(offShelf).groupBy('m.item_id');
  for (let i = 0; i < stocked.length; i += 500) {
    const chunk = stocked.slice(i, i + 500);
    const recent = await soldOf(chunk).select(sql<number>`sum(m.qty)`.as('recent')).where('m.effective_at', '>=', recentFrom).execute();
    for (const r of recent) sales.set(r.item_id, { lastAt: Number(r.last_at), recent: Number(r.recent) });
    const quiet = chunk.filter((id) => !sales.has(id));
    if (quiet.length === 0) continue;
    const older = await soldOf(quiet).where('m.effective_at', '<', recentFrom).execute();
    for (const r of older) sales.set(r.item_id, { lastAt: Number(r.last_at), recent: 0 });
  }
  return sales;
}

interface IdleItem {
  id: string;
  qty: number;
  sale: { lastAt: number; recent: number } | undefined;
  daysSince: number | null;
  /** Weeks of cover in hundredths; null when nothing sold in the four weeks. */
  cover: number | null;
  dead: boolean;
}

/** The stocked items not sold in `days` days (dead), or with more than `coverWeeks` weeks of cover (slow). */
function idleItems(stocked: string[], onHand: Map<string, number>, sales: Map<string, { lastAt: number; recent: number }>, now: number, options: { days: number; coverWeeks: number }): IdleItem[] {
  const idle: IdleItem[] = [];
  for (const id of stocked) {
    const qty = onHand.get(id)!;
    const sale = sales.get(id);
    const daysSince = sale ? Math.floor((now - sale.lastAt) / DAY) : null;
    const cover = sale && sale.recent > 0 ? ratioOf(qty * 4, sale.recent) : null;
    const dead = daysSince === null || daysSince >= options.days;
    const slow = !dead && (cover === null || cover > options.coverWeeks * 100);
    if (dead || slow) idle.push({ id, qty, sale, daysSince, cover, dead });
  }
  return idle;
}

/**
 * Dead and slow stock, as of now: items on the shelf that have not sold in `days` days (dead), or
 * whose stock would last more than `coverWeeks` weeks at the last four weeks' rate (slow). Value
 * tied up is the stock at the item's current unit cost.
 */
export async function deadStockTable(ctx: ServiceContext, filters: Omit<ReportFilters, 'from' | 'to'>, options: { days: number; coverWeeks: number }): Promise<ReportTable> {
  const now = ctx.clock.now();
  const probe = await resolveScope(ctx, { ...filters, from: '2000-01-01', to: '2000-01-01' });
  const today = todayOf(probe);
  const scope = await resolveScope(ctx, { ...filters, from: today, to: today });
  const onHand = await onHandByItem(ctx, scope);
  const stocked = [...onHand.entries()].filter(([, q]) => q > 0).map(([id]) => id);
  const sales = await lastSalesOffShelf(ctx, scope, stocked, now - 28 * DAY);
  const idle = idleItems(stocked, onHand, sales, now, options);
  // Names and costs for the items reported alone: a few thousand of the 30,000 stocked on a big shop.
  const ids = idle.map((i) => i.id);
  const [items, costs] = await Promise.all([itemInfo(ctx, ids), currentUnitCosts(reader(ctx), ids)]);
  const rows: ReportRow[] = [];
  let tiedUp = 0;
  for (const { id, qty, sale, daysSince, cover, dead } of idle) {
    const info = items.get(id);
    const value = mulDiv(qty, costs.get(id) ?? 0, QTY_SCALE);
    tiedUp += value;
    rows.push({
      cells: {
        item_id: id,
        sku: info?.sku ?? '',
        name: info?.name ?? '',
        category: info?.category ?? null,
        status: dead ? 'dead' : 'slow',
        on_hand: qty,
        last_sale: sale ? localDate(sale.lastAt, scope.timeZone) : null,
        days_since_sale: daysSince,
        sold_4_weeks: sale?.recent ?? 0,
        weeks_of_cover: cover,
        value,
      },
      drill: apiLink('/api/v1/movements', { item_id: id, location_id: filters.siteId }),
    });
  }
  rows.sort((a, b) => Number(b.cells.value) - Number(a.cells.value) || (String(a.cells.sku) < String(b.cells.sku) ? -1 : 1));
  return {
    report: 'dead-stock',
    title: 'Dead and slow stock',
    meta: { as_of: toIso(now), site_id: filters.siteId ?? null, category: filters.category ?? null, vendor_id: filters.vendorId ?? null, item_id: filters.itemId ?? null, days: options.days, cover_weeks: options.coverWeeks },
    columns: [
      { key: 'item_id', label: 'Item id', type: 'text' },
      { key: 'sku', label: 'SKU', type: 'text' },
      { key: 'name', label: 'Name', type: 'text' },
      { key: 'category', label: 'Category', type: 'text' },
      { key: 'status', label: 'Status', type: 'text' },
      { key: 'on_hand', label: 'On hand', type: 'qty' },
      { key: 'last_sale', label: 'Last sale', type: 'date' },
      { key: 'days_since_sale', label: 'Days since last sale', type: 'int' },
      { key: 'sold_4_weeks', label: 'Sold in the last 4 weeks', type: 'qty' },
      { key: 'weeks_of_cover', label: 'Weeks of cover', type: 'decimal' },
      { key: 'value', label: 'Value tied up', type: 'money', cost: true },
    ],
    rows,
    totals: { item_id: null, value: tiedUp },
    truncated: false,
  };
}

export type ShrinkageDimension = 'reason' | 'site' | 'category' | 'employee';

/**
 * Shrinkage: stock that left the shelf into the adjustment and scrap locations (count variances,
 * damage, theft, expiry, scrap) in the period, and what was found, by reason, site, category or
 * the employee who posted it; quantity, value, and the net loss as a share of the period's revenue.
 */
export async function shrinkageTable(ctx: ServiceContext, filters: ReportFilters, by: ShrinkageDimension): Promise<ReportTable> {
  const scope = await resolveScope(ctx, filters);
  const db = reader(ctx);
  const toShelf = sql<number>`case when ${onShelf(scope, 'lt')} then 1 else 0 end`;
  const rows = await db
    .selectFrom('movements as m')
    .innerJoin('locations as lf', 'lf.id', 'm.from_location_id')
    .innerJoin('locations as lt', 'lt.id', 'm.to_location_id')
    .innerJoin('items as i', 'i.id', 'm.item_id')
    .select([
      'm.kind',
      'm.reason',
      'm.actor_id',
      'i.category',
      sql<string | null>`case when ${toShelf} = 1 then lt.site_id else lf.site_id end`.as('site_id'),
      toShelf.as('found'),
      sql<number>`sum(m.qty)`.as('qty'),
      sql<number>`sum(coalesce(m.value_micros, 0))`.as('value'),
      sql<number>`count(*)`.as('n'),
    ])
    .where('m.effective_at', '>=', scope.start)
    .where('m.effective_at', '<', scope.end)
    .where((eb) =>
      eb.or([
        eb.and([sql<boolean>`${onShelf(scope, 'lf')}`, sql<boolean>`lt.virtual_type in ('adjustment', 'scrap')`]),
        eb.and([sql<boolean>`${onShelf(scope, 'lt')}`, sql<boolean>`lf.virtual_type in ('adjustment', 'scrap')`]),
      ]),
    )
    .where(itemIn(scope, 'm.item_id'))
    // An opening balance is stock being recorded, not stock found.
    .where(sql<boolean>`coalesce(m.reason, '') <> 'opening_balance'`)
    // By position: these expressions carry parameters (the sites); see inventory-change.service.ts.
    .groupBy([sql`1`, sql`2`, sql`3`, sql`4`, sql`5`, sql`6`])
    .execute();
  const [siteNames, userNames, revenue] = await Promise.all([names(ctx, 'locations'), names(ctx, 'users'), salesRevenue(ctx, scope)]);
  const groups = new Map<string, { lostQty: number; lostValue: number; foundQty: number; foundValue: number; movements: number; kind: string | null; reason: string | null }>();
  for (const r of rows) {
    const reason = r.reason ?? (r.kind === 'count' ? 'count_variance' : r.kind);
    const key = by === 'reason' ? reason : by === 'site' ? (r.site_id ?? '') : by === 'category' ? (r.category ?? '') : (r.actor_id ?? '');
    const g = groups.get(key) ?? { lostQty: 0, lostValue: 0, foundQty: 0, foundValue: 0, movements: 0, kind: by === 'reason' ? r.kind : null, reason: by === 'reason' ? r.reason : null };
    if (Number(r.found) === 1) {
      g.foundQty += Number(r.qty);
      g.foundValue += Number(r.value);
    } else {
      g.lostQty += Number(r.qty);
      g.lostValue += Number(r.value);
    }
    g.movements += Number(r.n);
    groups.set(key, g);
  }
  const label = (key: string) => (by === 'site' ? (siteNames.get(key) ?? key) : by === 'employee' ? (userNames.get(key) ?? (key || '(system)')) : by === 'category' ? key || '(no category)' : key.replaceAll('_', ' '));
  const total = { lostQty: 0, lostValue: 0, foundQty: 0, foundValue: 0 };
  const out: ReportRow[] = [...groups.entries()]
    .sort((a, b) => b[1].lostValue - b[1].foundValue - (a[1].lostValue - a[1].foundValue) || (a[0] < b[0] ? -1 : 1))
    .map(([key, g]) => {
      total.lostQty += g.lostQty;
      total.lostValue += g.lostValue;
      total.foundQty += g.foundQty;
      total.foundValue += g.foundValue;
      return {
        cells: { key, name: label(key), lost_qty: g.lostQty, lost_value: g.lostValue, found_qty: g.foundQty, found_value: g.foundValue, net_value: g.lostValue - g.foundValue, pct_of_sales: percentOf(g.lostValue - g.foundValue, revenue), movements: g.movements },
        drill: apiLink('/api/v1/movements', { kind: g.kind ?? undefined, location_id: by === 'site' ? key : scope.filters.siteId, item_id: scope.filters.itemId, from: toIso(scope.start), to: toIso(scope.end - 1) }),
      };
    });
  return {
    report: 'losses',
    title: `Shrinkage and losses by ${by}`,
    meta: { ...periodMeta(scope), by },
    columns: [
      { key: 'key', label: by.charAt(0).toUpperCase() + by.slice(1), type: 'text' },
      { key: 'name', label: 'Name', type: 'text' },
      { key: 'lost_qty', label: 'Lost quantity', type: 'qty' },
      { key: 'lost_value', label: 'Lost value', type: 'money', cost: true },
      { key: 'found_qty', label: 'Found quantity', type: 'qty' },
      { key: 'found_value', label: 'Found value', type: 'money', cost: true },
      { key: 'net_value', label: 'Net loss', type: 'money', cost: true },
      { key: 'pct_of_sales', label: 'Net loss % of sales', type: 'percent', cost: true },
      { key: 'movements', label: 'Movements', type: 'int' },
    ],
    rows: out,
    totals: { key: null, name: 'Totals', lost_qty: total.lostQty, lost_value: total.lostValue, found_qty: total.foundQty, found_value: total.foundValue, net_value: total.lostValue - total.foundValue, pct_of_sales: percentOf(total.lostValue - total.foundValue, revenue), movements: null },
    truncated: false,
  };
}

/** Lots on the shelf that expire within `days` days (or already have), soonest first. */
export async function expiringLotsTable(ctx: ServiceContext, filters: Omit<ReportFilters, 'from' | 'to'>, days: number): Promise<ReportTable> {
  const probe = await resolveScope(ctx, { ...filters, from: '2000-01-01', to: '2000-01-01' });
  const today = todayOf(probe);
  const scope = await resolveScope(ctx, { ...filters, from: today, to: today });
  const until = addDays(today, days);
  const rows = await reader(ctx)
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .innerJoin('lots as t', 't.id', 'b.lot_id')
    .innerJoin('items as i', 'i.id', 'b.item_id')
    .select(['b.item_id', 'i.sku', 'i.name', 'i.category', 't.code', 't.expires_on', 'l.site_id', sql<number>`sum(b.on_hand)`.as('qty')])
    .where('t.expires_on', 'is not', null)
    .where('t.expires_on', '<=', until)
    .where(onShelf(scope, 'l'))
    .where(itemIn(scope, 'b.item_id'))
    .groupBy(['b.item_id', 'i.sku', 'i.name', 'i.category', 't.code', 't.expires_on', 'l.site_id'])
    .having(sql<number>`sum(b.on_hand)`, '>', 0)
    .orderBy('t.expires_on')
    .orderBy('i.sku')
    .limit(5000)
    .execute();
  const costs = await currentUnitCosts(reader(ctx), rows.map((r) => r.item_id));
  const siteNames = await names(ctx, 'locations');
  const dayMs = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
  return {
    report: 'expiring-lots',
    title: 'Expiring lots',
    meta: { today, until, site_id: filters.siteId ?? null, days },
    columns: [
      { key: 'item_id', label: 'Item id', type: 'text' },
      { key: 'sku', label: 'SKU', type: 'text' },
      { key: 'name', label: 'Name', type: 'text' },
      { key: 'lot', label: 'Lot', type: 'text' },
      { key: 'site', label: 'Site', type: 'text' },
      { key: 'expires_on', label: 'Expires', type: 'date' },
      { key: 'days_left', label: 'Days left', type: 'int' },
      { key: 'qty', label: 'On hand', type: 'qty' },
      { key: 'value', label: 'Value', type: 'money', cost: true },
    ],
    rows: rows.map((r) => ({
      cells: {
        item_id: r.item_id,
        sku: r.sku,
        name: r.name,
        lot: r.code,
        site: siteNames.get(r.site_id ?? '') ?? null,
        expires_on: r.expires_on,
        days_left: Math.round((dayMs(r.expires_on!) - dayMs(today)) / DAY),
        qty: Number(r.qty),
        value: mulDiv(Number(r.qty), costs.get(r.item_id) ?? 0, QTY_SCALE),
      },
      drill: apiLink('/api/v1/lots', { item_id: r.item_id }),
    })),
    totals: null,
    truncated: rows.length === 5000,
  };
}

/** Low stock: the stock alerts (out of stock, at or below the reorder point) as a report table. */
export async function lowStockTable(ctx: ServiceContext, filters: { siteId?: string }): Promise<ReportTable> {
  const { alerts } = await stockAlerts(ctx, { locationId: filters.siteId, limit: 5000 });
  return {
    report: 'low-stock',
    title: 'Low stock',
    meta: { as_of: toIso(ctx.clock.now()), site_id: filters.siteId ?? null },
    columns: [
      { key: 'item_id', label: 'Item id', type: 'text' },
      { key: 'sku', label: 'SKU', type: 'text' },
      { key: 'name', label: 'Name', type: 'text' },
      { key: 'category', label: 'Category', type: 'text' },
      { key: 'status', label: 'Status', type: 'text' },
      { key: 'on_hand', label: 'On hand', type: 'qty' },
      { key: 'reorder_point', label: 'Reorder point', type: 'qty' },
      { key: 'on_order', label: 'On order', type: 'qty' },
    ],
    rows: alerts.map((a) => ({
      cells: { item_id: a.itemId, sku: a.sku, name: a.name, category: a.category, status: a.status.replace('_', ' '), on_hand: a.onHand, reorder_point: a.reorderPoint, on_order: a.onOrder },
      drill: apiLink('/api/v1/movements', { item_id: a.itemId, location_id: filters.siteId }),
    })),
    totals: null,
    truncated: alerts.length === 5000,
  };
}

export type DiscountDimension = 'employee' | 'reason' | 'day';

/**
 * Discounts and voids on counter sales rung up in the period, by the employee who gave them, the
 * reason, or the day; with how many sales were behind them and those sales' takings.
 */
export async function discountsTable(ctx: ServiceContext, filters: ReportFilters, by: DiscountDimension): Promise<ReportTable> {
  const scope = await resolveScope(ctx, filters);
  const db = reader(ctx);
  const siteCondition = scope.sites === 'all' ? sql<boolean>`1 = 1` : scope.sites.length ? sql<boolean>`s.site_id in (${sql.join(scope.sites)})` : sql<boolean>`1 = 0`;
  const channel = scope.filters.channelId;
  const channelCondition = channel === undefined ? sql<boolean>`1 = 1` : channel === 'counter' ? sql<boolean>`s.channel_id is null` : sql<boolean>`s.channel_id = ${channel}`;
  const [discounts, voids] = await Promise.all([
    db
      .selectFrom('sale_discounts as d')
      .innerJoin('sales as s', 's.id', 'd.sale_id')
      .select(['d.sale_id', 'd.employee', 'd.reason', 'd.amount_micros', 's.created_at', 's.subtotal_micros'])
      .where('s.created_at', '>=', scope.start)
      .where('s.created_at', '<', scope.end)
      .where(siteCondition)
      .where(channelCondition)
      .execute(),
    db
      .selectFrom('returns as r')
      .innerJoin('sales as s', 's.id', 'r.sale_id')
      .select(['r.sale_id', 's.employee', 'r.reason', 'r.refund_micros', 's.created_at', 's.total_micros'])
      .where('r.kind', '=', 'void')
      .where('r.sale_id', 'is not', null)
      .where('s.created_at', '>=', scope.start)
      .where('s.created_at', '<', scope.end)
      .where(siteCondition)
      .where(channelCondition)
      .execute(),
  ]);
  type Group = { discounts: number; discountAmount: number; voids: number; voidAmount: number; sales: Set<string>; salesTotal: number };
  const groups = new Map<string, Group>();
  const keyOf = (employee: string | null, reason: string | null, at: number) => (by === 'employee' ? (employee ?? '') : by === 'reason' ? (reason ?? '') : localDate(at, scope.timeZone));
  const group = (key: string) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { discounts: 0, discountAmount: 0, voids: 0, voidAmount: 0, sales: new Set(), salesTotal: 0 }));
    return g;
  };
  for (const d of discounts) {
    const g = group(keyOf(d.employee, d.reason, Number(d.created_at)));
    g.discounts += 1;
    g.discountAmount += Number(d.amount_micros);
    if (!g.sales.has(d.sale_id)) g.salesTotal += Number(d.subtotal_micros);
    g.sales.add(d.sale_id);
  }
  for (const v of voids) {
    if (v.sale_id === null) continue;
    const g = group(keyOf(v.employee, v.reason, Number(v.created_at)));
    g.voids += 1;
    g.voidAmount += Number(v.refund_micros);
    if (!g.sales.has(v.sale_id)) g.salesTotal += Number(v.total_micros);
    g.sales.add(v.sale_id);
  }
  const entries = [...groups.entries()].sort((a, b) => (by === 'day' ? (a[0] < b[0] ? -1 : 1) : b[1].discountAmount + b[1].voidAmount - (a[1].discountAmount + a[1].voidAmount) || (a[0] < b[0] ? -1 : 1)));
  const total = { discounts: 0, discountAmount: 0, voids: 0, voidAmount: 0 };
  const rows: ReportRow[] = entries.map(([key, g]) => {
    total.discounts += g.discounts;
    total.discountAmount += g.discountAmount;
    total.voids += g.voids;
    total.voidAmount += g.voidAmount;
    return {
      cells: { key: key || '(none)', discounts: g.discounts, discount_amount: g.discountAmount, voids: g.voids, void_amount: g.voidAmount, sales: g.sales.size, sales_subtotal: g.salesTotal },
      drill: apiLink('/api/v1/sales', { location_id: scope.filters.siteId, from: toIso(scope.start), to: toIso(scope.end - 1) }),
    };
  });
  return {
    report: 'discounts',
    title: `Discounts and voids by ${by}`,
    meta: { ...periodMeta(scope), by },
    columns: [
      { key: 'key', label: by === 'day' ? 'Date' : by.charAt(0).toUpperCase() + by.slice(1), type: by === 'day' ? 'date' : 'text' },
      { key: 'discounts', label: 'Discounts given', type: 'int' },
      { key: 'discount_amount', label: 'Discount amount', type: 'money' },
      { key: 'voids', label: 'Voids', type: 'int' },
      { key: 'void_amount', label: 'Voided amount', type: 'money' },
      { key: 'sales', label: 'Sales behind them', type: 'int' },
      { key: 'sales_subtotal', label: 'Those sales’ takings', type: 'money' },
    ],
    rows,
    totals: { key: null, discounts: total.discounts, discount_amount: total.discountAmount, voids: total.voids, void_amount: total.voidAmount, sales: null, sales_subtotal: null },
    truncated: false,
  };
}
