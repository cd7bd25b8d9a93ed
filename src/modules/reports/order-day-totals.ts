import { sql } from 'kysely';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { orderLineFacts, type OrderLineFact } from './order-facts.ts';
import { keptChannelIs, keptKeyColumn, type SalesKey } from './sales-keys.ts';
import { itemIn, siteIn, type ReportScope } from './report-scope.ts';

/**
 * The online orders' share of a closed day's kept sales totals (`sales_day_order_totals`): the
 * order lines first shipped that day, added up by item, site and channel, so a month's sales
 * reports read a row per item shipped a day instead of every order shipped in the month with all
 * its shipments. Kept with the counter's totals, under the same day (`sales_days`), and dropped
 * with them.
 *
 * Only a line nothing can change but something recorded later is kept: shipped that day alone,
 * from one site, with no return or refund. The others of the day (shipped again on a later day, so
 * a report ending between shows less of their cost; shipped from two sites, so a site filter sees
 * part of each; returned or refunded) are listed in `sales_day_order_lines` and read line by line.
 * What can change a kept line is recorded after it, and makes its day stale (`orderChangesSince`):
 * another shipment of it, a return of its order, a re-costing of its shipment (the ledger's hook).
 */

/** Something recorded at `at` that changes the order lines first shipped in [from, to]. */
export interface OrderChange {
  at: number;
  from: number;
  to: number;
}

/** Whether a closed day's totals may hold this line: nothing but a later recording can change it. */
function keepable(fact: OrderLineFact, end: number): boolean {
  return !fact.returned && fact.siteCount === 1 && fact.lastAt < end;
}

/**
 * Adds up the order lines first shipped in [start, end) into the day's totals, and lists the ones
 * left out; answers the kept lines' facts (the day's quarter hours add them up too).
 */
export async function addUpOrderDay(trx: Trx, day: string, start: number, end: number): Promise<OrderLineFact[]> {
  const everything: ReportScope = { filters: { from: day, to: day }, timeZone: 'UTC', start, end, sites: 'all', now: end };
  const facts = await orderLineFacts(trx, everything, { firstFrom: start, firstTo: end, costBefore: end });
  const totals = new Map<string, { day: string; item_id: string; site_id: string; channel_id: string; lines: number; qty: number; gross_micros: number; revenue_micros: number; cogs_micros: number }>();
  const leftOut: Array<{ day: string; order_id: string; order_line_id: string }> = [];
  const kept: OrderLineFact[] = [];
  for (const f of facts) {
    if (!keepable(f, end)) {
      leftOut.push({ day, order_id: f.documentId, order_line_id: f.lineId });
      continue;
    }
    kept.push(f);
    const key = `${f.itemId}\u0000${f.siteId}\u0000${f.channelId}`;
    const t = totals.get(key) ?? { day, item_id: f.itemId, site_id: f.siteId ?? '', channel_id: f.channelId ?? '', lines: 0, qty: 0, gross_micros: 0, revenue_micros: 0, cogs_micros: 0 };
    t.lines += 1;
    t.qty += f.qty;
    t.gross_micros += f.gross;
    t.revenue_micros += f.revenue;
    t.cogs_micros += f.cogs;
    totals.set(key, t);
  }
  const rows = [...totals.values()];
  for (let i = 0; i < rows.length; i += 500) await trx.insertInto('sales_day_order_totals').values(rows.slice(i, i + 500)).execute();
  for (let i = 0; i < leftOut.length; i += 500) await trx.insertInto('sales_day_order_lines').values(leftOut.slice(i, i + 500)).execute();
  return kept;
}

export async function dropOrderDays(trx: Trx, days: readonly string[]): Promise<void> {
  await trx.deleteFrom('sales_day_order_totals').where('day', 'in', [...days]).execute();
  await trx.deleteFrom('sales_day_order_lines').where('day', 'in', [...days]).execute();
}

/** The kept order lines of these days added up by key, with the report's filters (none for the counter). */
export function keptOrderTotalsBy(db: Executor, scope: ReportScope, key: Exclude<SalesKey, 'quarter'>, days: readonly string[]) {
  return db
    .selectFrom('sales_day_order_totals as t')
    .select([
      sql<string>`${sql.ref(keptKeyColumn[key])}`.as('k'),
      sql<number>`sum(t.lines)`.as('lines'),
      sql<number>`sum(t.qty)`.as('qty'),
      sql<number>`sum(t.gross_micros)`.as('gross'),
      sql<number>`0`.as('discount'),
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

/**
 * The order lines of the period outside the kept totals, one fact each: those first shipped in the
 * stretches no kept day covers, and those the kept days left out.
 */
export async function orderFactsBesideKeptDays(db: Executor, scope: ReportScope, keptDays: readonly string[], gaps: ReadonlyArray<[number, number]>): Promise<OrderLineFact[]> {
  const leftOut = keptDays.length
    ? (await db.selectFrom('sales_day_order_lines').select(['order_id', 'order_line_id']).where('day', 'in', [...keptDays]).execute()).map((r) => ({ orderId: r.order_id, lineId: r.order_line_id }))
    : [];
  const parts = await Promise.all([
    ...gaps.map(([from, to]) => orderLineFacts(db, scope, { firstFrom: from, firstTo: to, costBefore: scope.end })),
    leftOut.length ? orderLineFacts(db, scope, { firstFrom: scope.start, firstTo: scope.end, costBefore: scope.end, only: leftOut }) : [],
  ]);
  return parts.flat();
}

/**
 * What was recorded since `since` that changes order lines already shipped: a shipment (the
 * line's first shipment day and its own), a return of an order (the days its lines first
 * shipped). By primary key from the watermarks (ids recorded since); the kind is compared as an
 * expression (`|| ''`) so SQLite keeps to that key rather than an index that starts with it.
 */
export async function orderChangesSince(db: Executor, since: { movements: string; returns: string }, recordedAt: (id: string) => number): Promise<OrderChange[]> {
  const [shipped, returned] = await Promise.all([
    db
      .selectFrom('movements as m')
      .select([
        'm.id',
        'm.effective_at',
        (eb) =>
          eb
            .selectFrom('movements as f')
            .select(sql<number>`min(f.effective_at)`.as('first_at'))
            .whereRef('f.document_id', '=', 'm.document_id')
            .whereRef('f.document_line_id', '=', 'm.document_line_id')
            .where('f.kind', '=', 'shipment')
            .as('first_at'),
      ])
      .where('m.id', '>', since.movements)
      .where(sql<boolean>`m.kind || '' = 'shipment' and m.document_type || '' = 'order'`)
      .execute(),
    db
      .selectFrom('returns as r')
      .innerJoin('movements as m', 'm.document_id', 'r.order_id')
      .select(['r.id', sql<number>`min(m.effective_at)`.as('from_at'), sql<number>`max(m.effective_at)`.as('to_at')])
      .where('r.id', '>', since.returns)
      .where('m.kind', '=', 'shipment')
      .groupBy('r.id')
      .execute(),
  ]);
  return [
    ...shipped.map((m) => ({ at: recordedAt(m.id), from: Math.min(Number(m.first_at ?? m.effective_at), Number(m.effective_at)), to: Number(m.effective_at) })),
    ...returned.map((r) => ({ at: recordedAt(r.id), from: Number(r.from_at), to: Number(r.to_at) })),
  ];
}
