import { sql } from 'kysely';
import { toIso } from '../../platform/clock.ts';
import { reader, type ServiceContext } from '../../platform/context.ts';
import { inventoryValuation } from './valuation.service.ts';
import { apiLink, heldAt, itemIn, periodMeta, resolveScope, type ReportFilters, type ReportScope } from './report-scope.ts';
import type { ReportRow, ReportTable } from './report-table.ts';

/**
 * Inventory change (a roll-forward): the stock held at the start of the period, every movement
 * that crossed into or out of it during the period grouped by kind, reason and direction, and the
 * stock held at the end. Opening and closing are the valuation report's own figures as of the
 * last instant before the period and the last instant inside it, so the two reports agree to the
 * micro. For the whole shop the flows add up exactly; for a site, stock there is valued at the
 * item's shop-wide unit cost (as the valuation report does), so a "revaluation" line shows how
 * much that unit cost moved the site's value — it is zero for the whole shop.
 *
 * Kinds are read from the ledger, not listed here: a new movement kind (production, consumption)
 * appears as its own line without a change.
 */

export interface FlowLine {
  kind: string;
  reason: string | null;
  direction: 'in' | 'out';
  qty: number;
  value: number;
  landed: number;
  movements: number;
}

const kindLabels: Record<string, string> = {
  receipt: 'Receipts',
  sale: 'Sales (cost)',
  sale_void: 'Voided sales',
  shipment: 'Shipments (cost)',
  return: 'Returns',
  transfer: 'Transfers',
  count: 'Count variances',
  adjustment: 'Adjustments',
  scrap: 'Scrap',
  production: 'Production',
  consumption: 'Consumed in production',
  vendor_return: 'Returned to vendor',
};

export function flowLabel(line: Pick<FlowLine, 'kind' | 'reason' | 'direction'>): string {
  const base = kindLabels[line.kind] ?? line.kind.replaceAll('_', ' ');
  const direction = line.kind === 'transfer' || line.kind === 'production' || line.kind === 'consumption' || line.kind === 'adjustment' || line.kind === 'count' ? (line.direction === 'in' ? ' in' : ' out') : '';
  return `${base}${direction}${line.reason ? `: ${line.reason.replaceAll('_', ' ')}` : ''}`;
}

/** Movements that crossed the boundary of held stock in [start, end), per kind, reason and direction. */
export async function flowsInPeriod(ctx: ServiceContext, scope: ReportScope, start: number, end: number): Promise<FlowLine[]> {
  const toHeld = sql<number>`case when ${heldAt(scope, 'lt')} then 1 else 0 end`;
  const fromHeld = sql<number>`case when ${heldAt(scope, 'lf')} then 1 else 0 end`;
  const rows = await reader(ctx)
    .selectFrom('movements as m')
    .innerJoin('locations as lf', 'lf.id', 'm.from_location_id')
    .innerJoin('locations as lt', 'lt.id', 'm.to_location_id')
    .leftJoin('inbound_costs as ic', 'ic.movement_id', 'm.id')
    .select([
      'm.kind',
      'm.reason',
      toHeld.as('inward'),
      sql<number>`sum(m.qty)`.as('qty'),
      sql<number>`sum(coalesce(m.value_micros, 0))`.as('value'),
      sql<number>`sum(coalesce(ic.landed_micros, 0))`.as('landed'),
      sql<number>`count(*)`.as('n'),
    ])
    .where('m.effective_at', '>=', start)
    .where('m.effective_at', '<', end)
    .where(sql<boolean>`${toHeld} <> ${fromHeld}`)
    .where(itemIn(scope, 'm.item_id'))
    // By position: the direction expression carries parameters (the sites), and PostgreSQL does not
    // match a GROUP BY expression to a select expression whose parameters are numbered apart.
    .groupBy([sql`1`, sql`2`, sql`3`])
    .execute();
  return rows
    .map((r) => {
      const direction: 'in' | 'out' = Number(r.inward) === 1 ? 'in' : 'out';
      const sign = direction === 'in' ? 1 : -1;
      // Landed cost is part of the value of stock that came in; it is shown on its own line.
      const landed = direction === 'in' ? Number(r.landed ?? 0) : 0;
      return { kind: r.kind, reason: r.reason, direction, qty: sign * Number(r.qty), value: sign * (Number(r.value) - landed), landed, movements: Number(r.n) };
    })
    .sort((a, b) => (a.kind === b.kind ? (a.direction === b.direction ? String(a.reason ?? '').localeCompare(String(b.reason ?? '')) : a.direction === 'in' ? -1 : 1) : a.kind.localeCompare(b.kind)));
}

export interface HeldPosition {
  asOf: number;
  qty: number;
  value: number;
}

/** The valuation report's figure for the scope as of an instant, summed over the filtered items. */
export async function heldAsOf(ctx: ServiceContext, scope: ReportScope, asOf: number, items: Set<string> | null): Promise<HeldPosition> {
  const siteIds = [scope.filters.siteId];
  let qty = 0;
  let value = 0;
  for (const locationId of siteIds) {
    const report = await inventoryValuation(ctx, { locationId, asOf, category: scope.filters.category });
    for (const line of report.lines) {
      if (items && !items.has(line.itemId)) continue;
      qty += line.qty;
      value += line.value;
    }
  }
  return { asOf, qty, value };
}

async function filteredItems(ctx: ServiceContext, scope: ReportScope): Promise<Set<string> | null> {
  if (!scope.filters.itemId && !scope.filters.vendorId) return null;
  const rows = await reader(ctx).selectFrom('items').select('id').where(itemIn(scope, 'items.id')).execute();
  return new Set(rows.map((r) => r.id));
}

export interface InventoryChange {
  scope: ReportScope;
  opening: HeldPosition;
  closing: HeldPosition;
  flows: FlowLine[];
  revaluation: { qty: number; value: number };
}

export async function inventoryChange(ctx: ServiceContext, filters: ReportFilters): Promise<InventoryChange> {
  const scope = await resolveScope(ctx, filters);
  const items = await filteredItems(ctx, scope);
  const [closing, flows] = await Promise.all([heldAsOf(ctx, scope, scope.end - 1, items), flowsInPeriod(ctx, scope, scope.start, scope.end)]);
  const moved = flows.reduce((sum, f) => ({ qty: sum.qty + f.qty, value: sum.value + f.value + f.landed }), { qty: 0, value: 0 });
  // For the whole shop the valuation as of an instant is the later one less what crossed into owned
  // stock in between — exactly the flows — so the opening needs no second valuation (the
  // reconciliation test checks it against one). A site's stock is valued at the shop-wide unit
  // cost, so there the opening is the valuation's own figure.
  const wholeShop = scope.sites === 'all' && ctx.actor.sites === 'all';
  const opening = wholeShop ? { asOf: scope.start - 1, qty: closing.qty - moved.qty, value: closing.value - moved.value } : await heldAsOf(ctx, scope, scope.start - 1, items);
  return { scope, opening, closing, flows, revaluation: { qty: closing.qty - opening.qty - moved.qty, value: closing.value - opening.value - moved.value } };
}

export async function inventoryChangeTable(ctx: ServiceContext, filters: ReportFilters): Promise<ReportTable> {
  const change = await inventoryChange(ctx, filters);
  const { scope } = change;
  const link = (kind: string) => apiLink('/api/v1/movements', { kind, location_id: scope.filters.siteId, item_id: scope.filters.itemId, from: toIso(scope.start), to: toIso(scope.end - 1) });
  const valuationLink = (asOf: number) => apiLink('/api/v1/reports/valuation', { as_of: toIso(asOf), location_id: scope.filters.siteId, category: scope.filters.category });
  const rows: ReportRow[] = [
    { cells: { line: 'Opening stock', kind: null, reason: null, direction: null, qty: change.opening.qty, value: change.opening.value, movements: null }, drill: valuationLink(change.opening.asOf) },
  ];
  for (const flow of change.flows) {
    rows.push({ cells: { line: flowLabel(flow), kind: flow.kind, reason: flow.reason, direction: flow.direction, qty: flow.qty, value: flow.value, movements: flow.movements }, drill: link(flow.kind) });
  }
  const landed = change.flows.reduce((sum, f) => sum + f.landed, 0);
  if (landed !== 0) rows.push({ cells: { line: 'Landed costs (freight, duty)', kind: 'landed_cost', reason: null, direction: 'in', qty: 0, value: landed, movements: null }, drill: apiLink('/api/v1/landed-costs', {}) });
  if (change.revaluation.value !== 0 || change.revaluation.qty !== 0) {
    rows.push({ cells: { line: 'Revaluation at the shop-wide unit cost', kind: 'revaluation', reason: null, direction: null, qty: change.revaluation.qty, value: change.revaluation.value, movements: null }, drill: null });
  }
  rows.push({ cells: { line: 'Closing stock', kind: null, reason: null, direction: null, qty: change.closing.qty, value: change.closing.value, movements: null }, drill: valuationLink(change.closing.asOf) });
  return {
    report: 'inventory-change',
    title: 'Inventory change',
    meta: { ...periodMeta(scope), opening_as_of: toIso(change.opening.asOf), closing_as_of: toIso(change.closing.asOf) },
    columns: [
      { key: 'line', label: 'Line', type: 'text' },
      { key: 'kind', label: 'Kind', type: 'text' },
      { key: 'reason', label: 'Reason', type: 'text' },
      { key: 'direction', label: 'Direction', type: 'text' },
      { key: 'qty', label: 'Quantity', type: 'qty' },
      { key: 'value', label: 'Value', type: 'money', cost: true },
      { key: 'movements', label: 'Movements', type: 'int' },
    ],
    rows,
    totals: null,
    truncated: false,
  };
}
