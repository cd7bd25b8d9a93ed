import { reader, type ServiceContext } from '../../../platform/context.ts';
import { mulDiv } from '../../../platform/decimal.ts';
import type { Executor } from '../../../platform/db/transaction.ts';
import { formatMoney } from '../../../platform/money.ts';
import type { AccountResolver, AccountRole } from './accounts.ts';
import type { JournalLine } from './journal.ts';

/**
 * The revenue side of a day's entry, booked when a connection syncs sales: for each site, what
 * counter sales took and channel orders shipped — revenue net of tax (credit), discounts given
 * (debit), tax collected (credit, a liability) and the money due in (debit to the clearing account
 * the deposits empty) — and returns, voids and refunds reversing them on the day the money went
 * back. Every figure is in whole minor units already (sales are priced to the cent), so each
 * source balances on its own and the day's entry still balances to the cent.
 *
 * A counter sale books on the day it was rung up (an offline sale on the day it happened), at its
 * till's site. A channel order books as it ships, on the day and at the site of each shipment —
 * the day its cost of goods leaves the stock — so cancelled units are never booked. A return
 * books at the site that booked the sale. The part of a line a return or a shipment takes is
 * worked out cumulatively, the way returns work refunds out: the first n units are always the same
 * amount, and a line that goes back (or ships) whole comes to exactly its figures.
 */

export interface SalesLine {
  siteId: string;
  role: AccountRole;
  account: string;
  micros: number;
  memo: string;
  count: number;
}

type Sink = (siteId: string, category: string | null, role: AccountRole, micros: number, label: string) => void;

/** Line `qty`'s share of `amount` for the units [0, n), rounded to the unit; all of it once n reaches the line. */
function upTo(amount: number, n: number, qty: number, unit: number): number {
  if (n >= qty || qty === 0) return amount;
  return mulDiv(mulDiv(amount, n, qty), 1, unit) * unit;
}

/** The share of a line for the units [before, before + n). */
function slice(amount: number, before: number, n: number, qty: number, unit: number): number {
  return upTo(amount, before + n, qty, unit) - upTo(amount, before, qty, unit);
}

/**
 * Books one piece of a line: `total` is what the customer pays (tax included), `tax` the tax in it,
 * `discount` what was taken off. `sign` is 1 for a sale, -1 for its reversal.
 */
function book(sink: Sink, siteId: string, category: string | null, piece: { total: number; tax: number; discount: number }, sign: 1 | -1, label: string): void {
  sink(siteId, category, 'sales_revenue', -sign * (piece.total - piece.tax + piece.discount), label);
  if (piece.discount !== 0) sink(siteId, category, 'sales_discounts', sign * piece.discount, label);
  if (piece.tax !== 0) sink(siteId, category, 'sales_tax', -sign * piece.tax, label);
  sink(siteId, null, 'sales_clearing', sign * piece.total, label);
}

/** A local day and the instant it starts; consecutive, so a day ends where the next starts. */
export interface DayBounds {
  day: string;
  start: number;
}

/** The day an instant falls in, by binary search (a time-zone lookup per sale line would cost more than the rest of the journal). */
function dayOf(days: readonly DayBounds[], at: number): string {
  let lo = 0;
  let hi = days.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (days[mid]!.start <= at) lo = mid;
    else hi = mid - 1;
  }
  return days[lo]!.day;
}

/** The sales lines of the local days `days` (the last entry marks where the range ends), by day. */
export async function salesLinesBetween(ctx: ServiceContext, days: readonly DayBounds[], unit: number, accounts: AccountResolver): Promise<Map<string, SalesLine[]>> {
  const start = days[0]!.start;
  const end = days[days.length - 1]!.start;
  const byDay = new Map<string, Map<string, SalesLine>>();
  const sinkFor =
    (at: number): Sink =>
    (siteId, category, role, micros, label) => {
      const day = dayOf(days, at);
      const lines = byDay.get(day) ?? new Map<string, SalesLine>();
      byDay.set(day, lines);
      const account = accounts.account(role, siteId, category);
      const key = `${siteId}\u0000${role}\u0000${account}\u0000${label}`;
      const line = lines.get(key) ?? { siteId, role, account, micros: 0, memo: label, count: 0 };
      line.micros += micros;
      line.count += 1;
      lines.set(key, line);
    };
  await counterSales(ctx, start, end, sinkFor);
  await shippedOrders(ctx, start, end, unit, sinkFor);
  await returnsBetween(ctx, start, end, unit, sinkFor);
  const out = new Map<string, SalesLine[]>();
  for (const [day, lines] of byDay) out.set(day, [...lines.values()]);
  return out;
}

async function counterSales(ctx: ServiceContext, start: number, end: number, sinkFor: (at: number) => Sink): Promise<void> {
  const rows = await reader(ctx)
    .selectFrom('sales as s')
    .innerJoin('sale_lines as l', 'l.sale_id', 's.id')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .select(['s.created_at', 's.site_id', 'i.category', 'l.total_micros', 'l.tax_micros', 'l.line_discount_micros', 'l.sale_discount_micros'])
    .where('s.created_at', '>=', start)
    .where('s.created_at', '<', end)
    .execute();
  for (const r of rows) {
    const piece = { total: Number(r.total_micros), tax: Number(r.tax_micros), discount: Number(r.line_discount_micros) + Number(r.sale_discount_micros) };
    book(sinkFor(Number(r.created_at)), r.site_id, r.category, piece, 1, 'Counter sales');
  }
}

/** Every shipped piece of the order lines shipped in [start, end), in shipping order, with what shipped before it. */
async function shippedOrders(ctx: ServiceContext, start: number, end: number, unit: number, sinkFor: (at: number) => Sink): Promise<void> {
  const db = reader(ctx);
  const lineIds = db
    .selectFrom('shipment_lines as x')
    .innerJoin('shipments as y', 'y.id', 'x.shipment_id')
    .select('x.order_line_id')
    .where('y.shipped_at', '>=', start)
    .where('y.shipped_at', '<', end)
    .where('y.status', '<>', 'cancelled');
  const rows = await db
    .selectFrom('shipment_lines as sl')
    .innerJoin('shipments as s', 's.id', 'sl.shipment_id')
    .innerJoin('order_lines as ol', 'ol.id', 'sl.order_line_id')
    .innerJoin('items as i', 'i.id', 'ol.item_id')
    .select(['sl.order_line_id', 'sl.qty', 's.site_id', 's.shipped_at', 'i.category', 'ol.qty as line_qty', 'ol.total_micros', 'ol.tax_micros'])
    .where('sl.order_line_id', 'in', lineIds)
    .where('s.shipped_at', 'is not', null)
    .where('s.status', '<>', 'cancelled')
    .orderBy('s.shipped_at')
    .orderBy('sl.id')
    .execute();
  const shipped = new Map<string, number>();
  for (const r of rows) {
    const before = shipped.get(r.order_line_id) ?? 0;
    const qty = Number(r.qty);
    shipped.set(r.order_line_id, before + qty);
    const at = Number(r.shipped_at);
    if (at < start || at >= end) continue;
    const lineQty = Number(r.line_qty);
    const piece = { total: slice(Number(r.total_micros), before, qty, lineQty, unit), tax: slice(Number(r.tax_micros), before, qty, lineQty, unit), discount: 0 };
    book(sinkFor(at), r.site_id, r.category, piece, 1, 'Channel orders shipped');
  }
}

interface ReturnedLine {
  returnLineId: string;
  lineId: string;
  createdAt: number;
  qty: number;
  refund: number;
  siteId: string | null;
  category: string | null;
  lineQty: number;
  total: number;
  tax: number;
  discount: number;
}

/**
 * Returns and voids made in [start, end): each reverses its line's share of revenue, discount and
 * tax, and takes the refund off the clearing account; what the refund and those shares leave
 * apart (never, unless a refund was set by hand) stays with revenue, so the entry balances.
 */
async function returnsBetween(ctx: ServiceContext, start: number, end: number, unit: number, sinkFor: (at: number) => Sink): Promise<void> {
  const lines = [...(await saleReturnLines(ctx, start, end)), ...(await orderReturnLines(ctx, start, end))];
  const done = new Map<string, number>();
  lines.sort((a, b) => a.createdAt - b.createdAt || (a.returnLineId < b.returnLineId ? -1 : 1));
  for (const l of lines) {
    const before = done.get(l.lineId) ?? 0;
    done.set(l.lineId, before + l.qty);
    if (l.createdAt < start || l.createdAt >= end || l.siteId === null) continue;
    const tax = slice(l.tax, before, l.qty, l.lineQty, unit);
    const discount = slice(l.discount, before, l.qty, l.lineQty, unit);
    book(sinkFor(l.createdAt), l.siteId, l.category, { total: l.refund, tax, discount }, -1, l.kind);
  }
}

/** The sale or order lines that had a return line in [start, end), as a subquery. */
function linesReturnedIn(db: Executor, column: 'sale_line_id' | 'order_line_id', start: number, end: number) {
  return db
    .selectFrom('return_lines as x')
    .innerJoin('returns as y', 'y.id', 'x.return_id')
    .select(`x.${column}` as const)
    .where('y.created_at', '>=', start)
    .where('y.created_at', '<', end)
    .where(`x.${column}` as const, 'is not', null);
}

/** Every return line of the sale lines that had one in [start, end), earlier ones included (they fix what a later one takes). */
async function saleReturnLines(ctx: ServiceContext, start: number, end: number): Promise<Array<ReturnedLine & { kind: string }>> {
  const db = reader(ctx);
  const touched = linesReturnedIn(db, 'sale_line_id', start, end);
  const rows = await db
    .selectFrom('return_lines as rl')
    .innerJoin('returns as r', 'r.id', 'rl.return_id')
    .innerJoin('sale_lines as l', 'l.id', 'rl.sale_line_id')
    .innerJoin('sales as s', 's.id', 'l.sale_id')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .select(['rl.id', 'rl.sale_line_id', 'rl.qty', 'rl.refund_micros', 'r.created_at', 's.site_id', 'i.category', 'l.qty as line_qty', 'l.total_micros', 'l.tax_micros', 'l.line_discount_micros', 'l.sale_discount_micros'])
    .where('rl.sale_line_id', 'in', touched)
    .execute();
  return rows.map((r) => ({
    kind: 'Counter returns and voids',
    returnLineId: r.id,
    lineId: r.sale_line_id!,
    createdAt: Number(r.created_at),
    qty: Number(r.qty),
    refund: Number(r.refund_micros),
    siteId: r.site_id,
    category: r.category,
    lineQty: Number(r.line_qty),
    total: Number(r.total_micros),
    tax: Number(r.tax_micros),
    discount: Number(r.line_discount_micros) + Number(r.sale_discount_micros),
  }));
}

/** As for sales; an order line's return books at the site that first shipped it (the site that booked its revenue). */
async function orderReturnLines(ctx: ServiceContext, start: number, end: number): Promise<Array<ReturnedLine & { kind: string }>> {
  const db = reader(ctx);
  const touched = linesReturnedIn(db, 'order_line_id', start, end);
  const rows = await db
    .selectFrom('return_lines as rl')
    .innerJoin('returns as r', 'r.id', 'rl.return_id')
    .innerJoin('order_lines as l', 'l.id', 'rl.order_line_id')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .select(['rl.id', 'rl.order_line_id', 'rl.qty', 'rl.refund_micros', 'r.created_at', 'i.category', 'l.qty as line_qty', 'l.total_micros', 'l.tax_micros'])
    .where('rl.order_line_id', 'in', touched)
    .execute();
  const firstSite = new Map<string, string>();
  if (rows.length) {
    const shipped = await db
      .selectFrom('shipment_lines as sl')
      .innerJoin('shipments as s', 's.id', 'sl.shipment_id')
      .select(['sl.order_line_id', 's.site_id'])
      .where('sl.order_line_id', 'in', touched)
      .where('s.shipped_at', 'is not', null)
      .orderBy('s.shipped_at', 'desc')
      .orderBy('sl.id', 'desc')
      .execute();
    // Newest first, so the last write per line is its first shipment.
    for (const s of shipped) firstSite.set(s.order_line_id, s.site_id);
  }
  return rows.map((r) => ({
    kind: 'Channel order returns',
    returnLineId: r.id,
    lineId: r.order_line_id!,
    createdAt: Number(r.created_at),
    qty: Number(r.qty),
    refund: Number(r.refund_micros),
    siteId: firstSite.get(r.order_line_id!) ?? null,
    category: r.category,
    lineQty: Number(r.line_qty),
    total: Number(r.total_micros),
    tax: Number(r.tax_micros),
    discount: 0,
  }));
}

/** The day's sales lines of one site as journal lines, in minor units (exact: sales are priced in whole minor units). */
export function salesJournalLines(lines: readonly SalesLine[], siteId: string, unit: number): JournalLine[] {
  return lines
    .filter((l) => l.siteId === siteId && l.micros !== 0)
    .sort((a, b) => a.role.localeCompare(b.role) || a.account.localeCompare(b.account) || a.memo.localeCompare(b.memo))
    .map((l) => ({ role: l.role, account: l.account, amountMinor: Math.round(l.micros / unit), micros: l.micros, memo: `${l.memo}: ${formatMoney(l.micros)} (${l.count} lines)` }));
}
