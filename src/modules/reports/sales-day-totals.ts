import { sql } from 'kysely';
import { decodeTime, encodeTime } from 'ulid';
import { localDate, startOfLocalDay } from '../../platform/clock.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { transact, type Executor, type Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { onMovementCostsRewritten } from '../ledger/index.ts';
import { onLateSaleRecorded } from '../sales/index.ts';
import { readSettings } from '../settings/index.ts';
import { addUpOrderDay, dropOrderDays, orderChangesSince } from './order-day-totals.ts';
import type { OrderLineFact } from './order-facts.ts';
import { addDays, nextDate } from './report-scope.ts';
import { lineCost } from './sale-line-costs.ts';
import { QUARTER_MS } from './sales-keys.ts';

/**
 * Per closed day, the counter's sold lines added up by item, site and channel (`sales_day_totals`),
 * so a month's sales reports read about a row per item sold a day instead of every line joined to
 * its sale and its cost. Only the lines no return or refund had reached when the day was added up
 * are in them; those reached go through the per-line arithmetic as before. The online order lines
 * first shipped that day are added up with them (`order-day-totals.ts`), under the same day.
 *
 * Kept correct when a closed day changes under them, the way the stock snapshots are: each day
 * records the instant up to which it had seen what could change it, and a day is not used (and
 * the job adds it up again) once any of these was recorded after that instant:
 * - a sale rung up in the day (a transaction still open at midnight), or recorded late by a till
 *   that was offline (the sales module tells us: its id carries the moment it was rung up);
 * - a return or void of one of the day's sales (its line leaves the untouched ones);
 * - a re-costing of the day's sale movements (a landed cost, a back-dated receipt): the ledger
 *   tells us in its transaction and an invalidation row names the sales' instants;
 * - for the orders: another shipment of a line first shipped that day, a return of its order, a
 *   re-costing of its shipment (the invalidation row names the shipments' instants).
 * Ids are time-sortable, so "recorded after" is read by primary key from a watermark.
 */

export const salesDaySettings = {
  /** Off: the reports read every line (tests compare the two). */
  use: true,
  /** How many days back the first run adds up. */
  backfillDays: 400,
  /** Days added up per run at most, so one run holds the job briefly; the next run goes on. */
  maxDaysPerRun: 62,
};

/** As the snapshots': transactions open when a day is added up may commit rows with lower ids. */
const OPEN_TRANSACTION_MARGIN_MS = 5 * 60_000;
const STATE = 'sales';

const watermark = (prefix: 'sal' | 'ret' | 'sdi' | 'mov', at: number) => `${prefix}_${encodeTime(Math.max(0, at), 10)}${'0'.repeat(16)}`;
const recordedAt = (id: string) => decodeTime(id.slice(id.indexOf('_') + 1));

export interface SalesDay {
  day: string;
  start_at: number;
  end_at: number;
  seen_at: number;
}

/** Something recorded at `at` that changes the sales rung up in [from, to]. */
interface SalesChange {
  at: number;
  from: number;
  to: number;
}

/**
 * What was recorded since `since` that changes sales rung up (or order lines first shipped) in
 * [from, to): late sales, returns and voids of sales, rewritten sale and shipment costs, order
 * shipments and returns. By primary key from the watermark (the few rows recorded since); the
 * unary plus keeps SQLite off the time indexes.
 */
async function changesSince(db: Executor, since: number, from: number, to: number): Promise<SalesChange[]> {
  const [late, returned, recosted, orders] = await Promise.all([
    db.selectFrom('sales').select(['id', 'created_at']).where('id', '>', watermark('sal', since)).where(sql<boolean>`+created_at >= ${from} and +created_at < ${to}`).execute(),
    db
      .selectFrom('returns as r')
      .innerJoin('sales as s', 's.id', 'r.sale_id')
      .select(['r.id', 's.created_at'])
      .where('r.id', '>', watermark('ret', since))
      .where(sql<boolean>`+s.created_at >= ${from} and +s.created_at < ${to}`)
      .execute(),
    db.selectFrom('sales_day_invalidations').select(['id', 'from_at', 'to_at']).where('id', '>', watermark('sdi', since)).where('from_at', '<', to).where('to_at', '>=', from).execute(),
    orderChangesSince(db, { movements: watermark('mov', since), returns: watermark('ret', since) }, recordedAt),
  ]);
  return [
    ...late.map((r) => ({ at: recordedAt(r.id), from: Number(r.created_at), to: Number(r.created_at) })),
    ...returned.map((r) => ({ at: recordedAt(r.id), from: Number(r.created_at), to: Number(r.created_at) })),
    ...recosted.map((r) => ({ at: recordedAt(r.id), from: Number(r.from_at), to: Number(r.to_at) })),
    ...orders,
  ];
}

/**
 * The days among `days` that something recorded after they were added up has changed. The job's
 * own look (`state`) counts for every day: it dropped, when it looked, every day changed before.
 */
async function staleDays(db: Executor, days: readonly SalesDay[]): Promise<Set<string>> {
  if (days.length === 0) return new Set();
  const state = await db.selectFrom('sales_day_state').select('seen_at').where('name', '=', STATE).executeTakeFirst();
  const seen = (d: SalesDay) => Math.max(Number(d.seen_at), Number(state?.seen_at ?? 0));
  const since = Math.min(...days.map(seen));
  const changes = await changesSince(db, since, Math.min(...days.map((d) => Number(d.start_at))), Math.max(...days.map((d) => Number(d.end_at))));
  const stale = new Set<string>();
  for (const d of days) if (changes.some((c) => c.at >= seen(d) && c.from < Number(d.end_at) && c.to >= Number(d.start_at))) stale.add(d.day);
  return stale;
}

/** The days wholly inside [start, end) whose totals are kept and still hold, in order. */
export async function freshSalesDays(db: Executor, start: number, end: number): Promise<SalesDay[]> {
  if (!salesDaySettings.use) return [];
  const days = (await db.selectFrom('sales_days').select(['day', 'start_at', 'end_at', 'seen_at']).where('start_at', '>=', start).where('end_at', '<=', end).orderBy('start_at').execute()).map((d) => ({
    day: d.day,
    start_at: Number(d.start_at),
    end_at: Number(d.end_at),
    seen_at: Number(d.seen_at),
  }));
  const stale = await staleDays(db, days);
  return days.filter((d) => !stale.has(d.day));
}

/** The counter's lines of [start, end) no return or refund reached, with their sums; the caller picks the grouping. */
function keptCounterLines(trx: Trx, start: number, end: number) {
  return trx
    .selectFrom('sale_lines as l')
    .innerJoin('sales as s', 's.id', 'l.sale_id')
    .select([
      sql<number>`count(*)`.as('lines'),
      sql<number>`sum(l.qty)`.as('qty'),
      sql<number>`sum(l.gross_micros)`.as('gross'),
      sql<number>`sum(l.line_discount_micros + l.sale_discount_micros)`.as('discount'),
      sql<number>`sum(l.net_micros)`.as('revenue'),
      sql<number>`sum(${lineCost})`.as('cogs'),
    ])
    .where('s.created_at', '>=', start)
    .where('s.created_at', '<', end)
    .where('s.status', '<>', 'voided')
    .where('l.refunded_micros', '=', 0)
    .where('l.qty_returned', '=', 0);
}

/** The counter's lines of [start, end) no return or refund reached, added up by item, site and channel. */
async function addUpDay(trx: Trx, day: string, start: number, end: number): Promise<number> {
  const rows = await keptCounterLines(trx, start, end)
    .select(['l.item_id', 's.site_id', sql<string>`coalesce(s.channel_id, '')`.as('channel_id')])
    .groupBy(['l.item_id', 's.site_id', sql`coalesce(s.channel_id, '')`])
    .execute();
  const values = rows.map((r) => ({
    day,
    item_id: r.item_id,
    site_id: r.site_id,
    channel_id: r.channel_id,
    lines: Number(r.lines),
    qty: Number(r.qty),
    gross_micros: Number(r.gross),
    discount_micros: Number(r.discount),
    revenue_micros: Number(r.revenue),
    cogs_micros: Number(r.cogs),
  }));
  for (let i = 0; i < values.length; i += 500) await trx.insertInto('sales_day_totals').values(values.slice(i, i + 500)).execute();
  await addUpQuarters(trx, day, start, end, await addUpOrderDay(trx, day, start, end));
  return values.length;
}

type QuarterRow = { day: string; quarter: number; site_id: string; channel_id: string; lines: number; qty: number; gross_micros: number; discount_micros: number; revenue_micros: number; cogs_micros: number };

/**
 * The same kept lines by quarter hour, site and channel, the counter's and the orders' in one row
 * (a report filters by channel and site only, and sums): sales by hour, weekday and day read
 * about a hundred rows a day instead of every line.
 */
async function addUpQuarters(trx: Trx, day: string, start: number, end: number, orders: readonly OrderLineFact[]): Promise<void> {
  const quarter = sql<number>`s.created_at / ${sql.lit(QUARTER_MS)}`;
  const counter = await keptCounterLines(trx, start, end)
    .select([quarter.as('quarter'), 's.site_id', sql<string>`coalesce(s.channel_id, '')`.as('channel_id')])
    .groupBy([quarter, 's.site_id', sql`coalesce(s.channel_id, '')`])
    .execute();
  const rows = new Map<string, QuarterRow>();
  const add = (q: number, site: string, channel: string, t: { lines: number; qty: number; gross: number; discount: number; revenue: number; cogs: number }) => {
    const key = `${q}\u0000${site}\u0000${channel}`;
    const row = rows.get(key) ?? { day, quarter: q, site_id: site, channel_id: channel, lines: 0, qty: 0, gross_micros: 0, discount_micros: 0, revenue_micros: 0, cogs_micros: 0 };
    row.lines += t.lines;
    row.qty += t.qty;
    row.gross_micros += t.gross;
    row.discount_micros += t.discount;
    row.revenue_micros += t.revenue;
    row.cogs_micros += t.cogs;
    rows.set(key, row);
  };
  for (const r of counter) add(Math.floor(Number(r.quarter)), r.site_id, r.channel_id, { lines: Number(r.lines), qty: Number(r.qty), gross: Number(r.gross), discount: Number(r.discount), revenue: Number(r.revenue), cogs: Number(r.cogs) });
  for (const f of orders) add(Math.floor(f.at / QUARTER_MS), f.siteId ?? '', f.channelId ?? '', { lines: 1, qty: f.qty, gross: f.gross, discount: f.discount, revenue: f.revenue, cogs: f.cogs });
  const values = [...rows.values()];
  for (let i = 0; i < values.length; i += 500) await trx.insertInto('sales_day_quarters').values(values.slice(i, i + 500)).execute();
}

async function dropDays(trx: Trx, days: readonly string[]): Promise<void> {
  for (let i = 0; i < days.length; i += 500) {
    await trx.deleteFrom('sales_day_totals').where('day', 'in', days.slice(i, i + 500)).execute();
    await trx.deleteFrom('sales_day_quarters').where('day', 'in', days.slice(i, i + 500)).execute();
    await trx.deleteFrom('sales_days').where('day', 'in', days.slice(i, i + 500)).execute();
    await dropOrderDays(trx, days.slice(i, i + 500));
  }
}

/** Drops the days something has changed since the job last looked, and moves its look to now. */
async function dropStaleDays(ctx: ServiceContext): Promise<string[]> {
  return transact(ctx.db, async (trx) => {
    const now = ctx.clock.now();
    const days = (await trx.selectFrom('sales_days').select(['day', 'start_at', 'end_at', 'seen_at']).execute()).map((d) => ({ day: d.day, start_at: Number(d.start_at), end_at: Number(d.end_at), seen_at: Number(d.seen_at) }));
    const stale = [...(await staleDays(trx, days))];
    await dropDays(trx, stale);
    const seen_at = now - OPEN_TRANSACTION_MARGIN_MS;
    const state = await trx.selectFrom('sales_day_state').select('name').where('name', '=', STATE).executeTakeFirst();
    if (state) await trx.updateTable('sales_day_state').set({ seen_at, updated_at: now }).where('name', '=', STATE).execute();
    else await trx.insertInto('sales_day_state').values({ name: STATE, seen_at, updated_at: now }).execute();
    await trx.deleteFrom('sales_day_invalidations').where('created_at', '<', now - 7 * 86_400_000).execute();
    return stale;
  });
}

/**
 * The job: drops the days that went stale, then adds up the closed days not added up yet (from the
 * first sale, at most `backfillDays` back, to yesterday), at most `maxDaysPerRun` a run, each day
 * its own transaction. Returns the days written.
 */
export async function takeSalesDayTotals(ctx: ServiceContext): Promise<string[]> {
  if (!salesDaySettings.use) return [];
  await dropStaleDays(ctx);
  const { time_zone } = await readSettings(ctx.db.kysely);
  const today = localDate(ctx.clock.now(), time_zone);
  const first = await ctx.db.kysely.selectFrom('sales').select(sql<number | null>`min(created_at)`.as('at')).executeTakeFirst();
  if (first?.at === null || first?.at === undefined) return [];
  const earliest = addDays(today, -salesDaySettings.backfillDays);
  const firstDay = localDate(Number(first.at), time_zone);
  const kept = new Set((await ctx.db.kysely.selectFrom('sales_days').select('day').execute()).map((d) => d.day));
  const written: string[] = [];
  for (let day = firstDay > earliest ? firstDay : earliest; day < today && written.length < salesDaySettings.maxDaysPerRun; day = nextDate(day)) {
    if (kept.has(day)) continue;
    const start = startOfLocalDay(day, time_zone);
    const end = startOfLocalDay(nextDate(day), time_zone);
    const takenAt = ctx.clock.now();
    await transact(ctx.db, async (trx) => {
      await addUpDay(trx, day, start, end);
      await trx.insertInto('sales_days').values({ day, start_at: start, end_at: end, taken_at: takenAt, seen_at: takenAt - OPEN_TRANSACTION_MARGIN_MS }).execute();
    });
    written.push(day);
  }
  return written;
}

/**
 * The instants of the sales, and of the order shipments, whose movements among these were
 * re-costed, in one statement (as many as before the orders were kept). A kept order line shipped
 * on its first day alone, so its shipment's instant is in that day.
 */
async function recostedInstants(trx: Trx, movementIds: string[]): Promise<Array<{ from_at: number | null; to_at: number | null }>> {
  const shipment = sql<boolean>`m.kind = 'shipment' and m.document_type = 'order'`;
  const row = await trx
    .selectFrom('movements as m')
    .leftJoin('sales as s', (join) => join.onRef('s.id', '=', 'm.document_id').on('m.kind', '=', 'sale'))
    .select([
      sql<number | null>`min(s.created_at)`.as('sales_from'),
      sql<number | null>`max(s.created_at)`.as('sales_to'),
      sql<number | null>`min(case when ${shipment} then m.effective_at end)`.as('shipped_from'),
      sql<number | null>`max(case when ${shipment} then m.effective_at end)`.as('shipped_to'),
    ])
    .where('m.id', 'in', movementIds)
    .executeTakeFirstOrThrow();
  return [
    { from_at: row.sales_from, to_at: row.sales_to },
    { from_at: row.shipped_from, to_at: row.shipped_to },
  ];
}

// A rewritten cost of a sale or order shipment movement changes the cost of goods of its day.
onMovementCostsRewritten(async (trx, movementIds, now) => {
  for (let i = 0; i < movementIds.length; i += 500) {
    for (const row of await recostedInstants(trx, movementIds.slice(i, i + 500))) {
      // Always written, even for sales of today: a day being added up right now may not show yet.
      if (row.from_at === null || row.from_at === undefined) continue;
      await trx.insertInto('sales_day_invalidations').values({ id: newId('sdi', now), from_at: Number(row.from_at), to_at: Number(row.to_at), created_at: now }).execute();
    }
  }
});

// A sale rung up offline and recorded now changes the day it happened; its id carries that day.
onLateSaleRecorded(async (trx, occurredAt, recordedAt) => {
  await trx.insertInto('sales_day_invalidations').values({ id: newId('sdi', recordedAt), from_at: occurredAt, to_at: occurredAt, created_at: recordedAt }).execute();
});
