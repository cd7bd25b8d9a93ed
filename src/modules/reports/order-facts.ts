import { sql } from 'kysely';
import { mulDiv } from '../../platform/decimal.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { itemIn, siteIn, type ReportScope } from './report-scope.ts';
import type { SalesFact } from './sales-facts.ts';

/**
 * The online orders' sold lines, one fact per line: a line counts when it first shipped, for what
 * has shipped, at its unit price; its site is where it shipped from; its cost of goods is what its
 * shipments took off the shelf (up to the period's end) less what came back on returns.
 */

/** An order line's fact, with what decides whether a closed day's kept totals may hold it. */
export interface OrderLineFact extends SalesFact {
  /** Its last shipment (a line shipped over several days changes after its first). */
  lastAt: number;
  /** How many sites it shipped from (a site filter sees each one's part). */
  siteCount: number;
  /** A return or refund reached it. */
  returned: boolean;
}

export interface OrderLineWindow {
  /** Lines whose first shipment is in [firstFrom, firstTo). */
  firstFrom: number;
  firstTo: number;
  /** Shipments from this instant on are not counted yet (the report's end). */
  costBefore: number;
  /** Only these lines, of these orders (found by order, indexed), rather than by shipment time. */
  only?: ReadonlyArray<{ orderId: string; lineId: string }>;
}

/**
 * Order lines whose first shipment falls in the window; the site is where it shipped from. The
 * orders that shipped anything in the window are found by time (indexed) first, then all their
 * shipments read by document, so the whole history is never scanned.
 */
export async function orderLineFacts(db: Executor, scope: ReportScope, window: OrderLineWindow): Promise<OrderLineFact[]> {
  const orderIds = window.only ? [...new Set(window.only.map((l) => l.orderId))] : await ordersShippedIn(db, window.firstFrom, window.firstTo);
  const lineIds = window.only ? new Set(window.only.map((l) => l.lineId)) : undefined;
  const shipped = [];
  const back = [];
  for (let i = 0; i < orderIds.length; i += 500) {
    const ids = orderIds.slice(i, i + 500);
    shipped.push(...(await shippedLines(db, scope, window, ids)));
    back.push(...(await orderReturnCosts(db, ids)));
  }
  const costBack = new Map(back.map((b) => [b.order_line_id, Number(b.value)]));
  const facts: OrderLineFact[] = [];
  for (const r of shipped) {
    if (lineIds && !lineIds.has(r.id)) continue;
    const qty = Number(r.qty_shipped);
    const gross = mulDiv(qty, Number(r.unit_price_micros), QTY_SCALE);
    facts.push({
      source: 'order',
      documentId: r.order_id,
      lineId: r.id,
      itemId: r.item_id,
      siteId: r.site_id,
      channelId: r.channel_id,
      employee: null,
      at: Number(r.first_at),
      qty: qty - Number(r.qty_returned),
      gross,
      discount: 0,
      revenue: orderRevenue(gross, r),
      cogs: Number(r.cost_out) - (costBack.get(r.id) ?? 0),
      lastAt: Number(r.last_at),
      siteCount: Number(r.sites),
      returned: Number(r.qty_returned) !== 0 || Number(r.refunded_micros) !== 0,
    });
  }
  return facts;
}

async function ordersShippedIn(db: Executor, start: number, end: number): Promise<string[]> {
  const rows = await db
    .selectFrom('movements')
    .select('document_id')
    .distinct()
    .where('kind', '=', 'shipment')
    .where('document_type', '=', 'order')
    .where('effective_at', '>=', start)
    .where('effective_at', '<', end)
    .execute();
  return rows.map((r) => r.document_id);
}

/** What came back on returns of these orders, at the cost it came back with (by order, indexed). */
function orderReturnCosts(db: Executor, orderIds: string[]) {
  return db
    .selectFrom('returns as r')
    .innerJoin('return_lines as rl', 'rl.return_id', 'r.id')
    .innerJoin('movements as m', (join) => join.onRef('m.document_id', '=', 'r.id').onRef('m.document_line_id', '=', 'rl.id'))
    .select(['rl.order_line_id', sql<number>`sum(coalesce(m.value_micros, 0))`.as('value')])
    .where('r.order_id', 'in', orderIds)
    .where('m.kind', '=', 'return')
    .groupBy('rl.order_line_id')
    .execute();
}

/**
 * The orders' lines first shipped in the window, each with its shipments summed: those from the
 * window's `costBefore` on count for the last shipment only, so a line shipped again after a
 * report's end shows, as before, what it cost up to then.
 */
function shippedLines(db: Executor, scope: ReportScope, window: OrderLineWindow, orderIds: string[]) {
  const channel = scope.filters.channelId;
  const counted = sql<boolean>`m.effective_at < ${window.costBefore}`;
  return db
    .selectFrom('movements as m')
    .innerJoin('order_lines as ol', 'ol.id', 'm.document_line_id')
    .innerJoin('orders as o', 'o.id', 'ol.order_id')
    .innerJoin('locations as lf', 'lf.id', 'm.from_location_id')
    .select([
      'ol.id',
      'ol.order_id',
      'ol.item_id',
      'o.channel_id',
      'ol.qty_shipped',
      'ol.qty_returned',
      'ol.unit_price_micros',
      'ol.refunded_micros',
      'ol.qty',
      'ol.total_micros',
      'ol.tax_micros',
      sql<string | null>`min(case when ${counted} then lf.site_id end)`.as('site_id'),
      sql<number>`count(distinct lf.site_id)`.as('sites'),
      sql<number>`min(m.effective_at)`.as('first_at'),
      sql<number>`max(m.effective_at)`.as('last_at'),
      sql<number>`sum(case when ${counted} then coalesce(m.value_micros, 0) else 0 end)`.as('cost_out'),
    ])
    .where('m.document_id', 'in', orderIds)
    .where('m.kind', '=', 'shipment')
    .where('m.document_type', '=', 'order')
    .where(channel ? sql<boolean>`o.channel_id = ${channel}` : sql<boolean>`1 = 1`)
    .where(siteIn(scope, 'lf.site_id'))
    .where(itemIn(scope, 'ol.item_id'))
    .groupBy(['ol.id', 'ol.order_id', 'ol.item_id', 'o.channel_id', 'ol.qty_shipped', 'ol.qty_returned', 'ol.unit_price_micros', 'ol.refunded_micros', 'ol.qty', 'ol.total_micros', 'ol.tax_micros'])
    .having(sql<number>`min(m.effective_at)`, '>=', window.firstFrom)
    .having(sql<number>`min(m.effective_at)`, '<', Math.min(window.firstTo, window.costBefore))
    .execute();
}

export function refundNetOfTax(refunded: number, tax: number, total: number): number {
  return tax === 0 || total === 0 ? refunded : mulDiv(refunded, total - tax, total);
}

/**
 * An order line's revenue, net of tax: without tax, what was shipped less what was refunded; with
 * tax, the share of the line's total the customer kept paying for (shipped less refunded, refunds
 * carrying their tax), less the tax in it.
 */
function orderRevenue(gross: number, r: { qty: number | string; qty_shipped: number | string; total_micros: number | string; tax_micros: number | string; refunded_micros: number | string }): number {
  const tax = Number(r.tax_micros);
  if (tax === 0) return gross - Number(r.refunded_micros);
  const total = Number(r.total_micros);
  const kept = mulDiv(total, Number(r.qty_shipped), Number(r.qty)) - Number(r.refunded_micros);
  return mulDiv(kept, total - tax, total);
}
