import { sql, type RawBuilder } from 'kysely';
import { encodeTime } from 'ulid';
import { localDate, startOfLocalDay } from '../../platform/clock.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { transact, type Executor, type Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { listItemCostTotals } from '../costing/index.ts';
import { answerSiteStockAsOfWith, onMovementCostsRewritten, type SiteStockAsOfReader } from '../ledger/index.ts';
import { readSettings } from '../settings/index.ts';
import { addDays, nextDate } from './report-scope.ts';
import { fillSaleLineCosts } from './sale-line-costs.ts';
import { takeSalesDayTotals } from './sales-day-totals.ts';

/**
 * Daily snapshots of stock: on hand per item and site (physical locations) and each item's cost
 * pool (owned quantity and value), as of the last millisecond of each of the shop's local days.
 * An as-of question then reads the nearest snapshot at or before its instant and adds the
 * movements since, instead of reversing every movement from now back to then.
 *
 * Kept correct when history changes under them:
 * - A back-dated movement: every snapshot day records the movement id it had seen up to (a
 *   watermark: the ULID of its start less a margin for transactions still open). A movement with
 *   a higher id effective at or before the day's end means the day missed it: readers do not use
 *   that day, and the job deletes it and every later day and takes them again.
 * - A cost rewritten after the fact (a landed cost, a revaluation from a back-dated entry): the
 *   ledger tells us in its transaction, and an invalidation row from the earliest rewritten
 *   movement's instant does the same.
 * The same figures come out with or without snapshots; a test holds the two side by side.
 */

export const stockSnapshotSettings = {
  /** Off: every as-of question reverses history from now (tests compare the two). */
  use: true,
  /** How many days back the first run takes snapshots. */
  backfillDays: 400,
  /** Days taken per run at most, so one run holds its job lease briefly; the next run goes on. */
  maxDaysPerRun: 31,
};

/** Transactions still open when a snapshot starts may commit movements with lower ids than its watermark. */
export const OPEN_TRANSACTION_MARGIN_MS = 5 * 60_000;
const STATE = 'stock';

function watermark(prefix: 'mov' | 'sin', at: number): string {
  return `${prefix}_${encodeTime(Math.max(0, at), 10)}${'0'.repeat(16)}`;
}

const physical = (alias: string) => sql<boolean>`${sql.ref(`${alias}.kind`)} <> 'virtual'`;
const valued = (alias: string) => sql<boolean>`(${sql.ref(`${alias}.kind`)} <> 'virtual' or ${sql.ref(`${alias}.virtual_type`)} = 'transit')`;
const inWindow = (after: number, through: number | null): RawBuilder<boolean> =>
  through === null ? sql<boolean>`m.effective_at > ${after}` : sql<boolean>`(m.effective_at > ${after} and m.effective_at <= ${through})`;

type SiteItem = string;
const key = (siteId: string, itemId: string): SiteItem => `${siteId}\u0000${itemId}`;

export interface CostPool {
  qty: number;
  value: number;
}

/** Which items' movements to add up: one item, or those after `after` up to `upTo` in id order (a page's). */
export interface ItemRange {
  only?: string;
  after?: string;
  upTo?: string;
}

/** Net quantity per site and item (or some items) that moved in or out of physical locations in (after, through]. */
export async function balanceDeltas(
  db: Executor,
  after: number,
  through: number | null,
  sites: 'all' | readonly string[],
  items: ItemRange = {},
): Promise<Map<SiteItem, number>> {
  const out = new Map<SiteItem, number>();
  if (sites !== 'all' && sites.length === 0) return out;
  for (const [side, sign] of [['to_location_id', 1], ['from_location_id', -1]] as const) {
    let query = db
      .selectFrom('movements as m')
      .innerJoin('locations as l', 'l.id', `m.${side}`)
      .select(['l.site_id as site_id', 'm.item_id as item_id', sql<number>`sum(m.qty)`.as('qty')])
      .where(inWindow(after, through))
      .where(physical('l'))
      .groupBy(['l.site_id', 'm.item_id']);
    if (sites !== 'all') query = query.where('l.site_id', 'in', [...sites]);
    if (items.only) query = query.where('m.item_id', '=', items.only);
    if (items.after !== undefined) query = query.where('m.item_id', '>', items.after);
    if (items.upTo !== undefined) query = query.where('m.item_id', '<=', items.upTo);
    for (const r of await query.execute()) {
      if (r.site_id === null) continue;
      const k = key(r.site_id, r.item_id);
      out.set(k, (out.get(k) ?? 0) + sign * Number(r.qty));
    }
  }
  return out;
}

/** Per item, quantity and value that crossed into owned stock in (after, through], in less out (as valuation counts it). */
export async function costDeltas(db: Executor, after: number, through: number | null): Promise<Map<string, CostPool>> {
  const rows = await db
    .selectFrom('movements as m')
    .innerJoin('locations as lf', 'lf.id', 'm.from_location_id')
    .innerJoin('locations as lt', 'lt.id', 'm.to_location_id')
    .select([
      'm.item_id',
      sql<number>`sum(case when ${valued('lt')} and not ${valued('lf')} then m.qty when ${valued('lf')} and not ${valued('lt')} then 0 - m.qty else 0 end)`.as('qty'),
      sql<number>`sum(case when ${valued('lt')} and not ${valued('lf')} then m.value_micros when ${valued('lf')} and not ${valued('lt')} then 0 - m.value_micros else 0 end)`.as('value'),
    ])
    .where(inWindow(after, through))
    .groupBy('m.item_id')
    .execute();
  return new Map(rows.map((r) => [r.item_id, { qty: Number(r.qty ?? 0), value: Number(r.value ?? 0) }]));
}

interface SnapshotDay {
  day: string;
  as_of: number;
  /** When it was taken: catalog edits since then are not in its rows' item facts. */
  taken_at: number;
}

/** The newest snapshot at or before `asOf` that nothing since has made stale, or null (then history is reversed from now). */
export async function usableSnapshot(db: Executor, asOf: number): Promise<SnapshotDay | null> {
  if (!stockSnapshotSettings.use) return null;
  const s = await db
    .selectFrom('stock_snapshot_days as d')
    .leftJoin('stock_snapshot_state as st', (join) => join.on('st.name', '=', STATE))
    .select(['d.day', 'd.as_of', 'd.taken_at', 'd.movement_watermark', 'd.invalidation_watermark', 'st.movement_watermark as state_movements', 'st.invalidation_watermark as state_invalidations'])
    .where('d.as_of', '<=', asOf)
    .orderBy('d.as_of', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!s) return null;
  const as_of = Number(s.as_of);
  // Every day kept has been checked up to the job's last look (see `seenUpTo`): only what was
  // recorded since the later of that and the day's own watermark can be missing from it.
  const stale = await missedSince(db, seenUpTo(s.movement_watermark, s.state_movements), seenUpTo(s.invalidation_watermark, s.state_invalidations), as_of);
  return stale !== null && stale <= as_of ? null : { day: s.day, as_of, taken_at: Number(s.taken_at) };
}

/**
 * The later of a day's watermark and the job's. Each run of the job drops, in one transaction
 * with moving its watermark, every day a movement or rewritten cost recorded before then missed,
 * and each day it takes after rolls forward from one so checked: every day kept has seen all
 * that was recorded up to the job's watermark, however long ago the day itself was taken.
 */
function seenUpTo(day: string, job: string | null): string {
  return job !== null && job > day ? job : day;
}

/**
 * The earliest instant a movement or a rewritten cost recorded after the watermarks is effective
 * from, at or before `through` (null when none). By the primary key from the watermark (the few
 * rows recorded since), never by the effective-time index from the start of history: the unary
 * plus keeps that index out.
 */
async function missedSince(db: Executor, movements: string, invalidations: string, through: number): Promise<number | null> {
  const [late, rewritten] = await Promise.all([
    db.selectFrom('movements').select(sql<number | null>`min(+effective_at)`.as('at')).where('id', '>', movements).where(sql<boolean>`+effective_at <= ${through}`).executeTakeFirst(),
    db.selectFrom('stock_snapshot_invalidations').select(sql<number | null>`min(from_at)`.as('at')).where('id', '>', invalidations).where('from_at', '<=', through).executeTakeFirst(),
  ]);
  const at = [late?.at, rewritten?.at].filter((v): v is number => v !== null && v !== undefined).map(Number);
  return at.length ? Math.min(...at) : null;
}

/**
 * The total value of owned stock at the end of each of the given local days that has a snapshot
 * nothing since has made stale (days without one are left out): one stored figure a day.
 */
export async function snapshotDayValues(db: Executor, days: readonly string[]): Promise<Map<string, number>> {
  if (!stockSnapshotSettings.use || days.length === 0) return new Map();
  const [rows, state] = await Promise.all([
    db.selectFrom('stock_snapshot_days').select(['day', 'as_of', 'value_micros']).where('day', 'in', [...days]).execute(),
    db.selectFrom('stock_snapshot_state').select(['movement_watermark', 'invalidation_watermark']).where('name', '=', STATE).executeTakeFirst(),
  ]);
  if (!state || rows.length === 0) return new Map();
  // Days taken after the job's last look have seen at least as much: its watermark serves them all.
  const through = Math.max(...rows.map((r) => Number(r.as_of)));
  const stale = await missedSince(db, state.movement_watermark, state.invalidation_watermark, through);
  return new Map(rows.filter((r) => stale === null || Number(r.as_of) < stale).map((r) => [r.day, Number(r.value_micros)]));
}

/**
 * A page of on hand per item at the sites (their physical locations, summed) as of `asOf`, in
 * item order with zeros left out, or null when there is no snapshot to use: the ledger's
 * `GET /balances?as_of=…&group_by=item` for a site or everywhere. Two queries: the snapshot's
 * rows from the cursor on, then what moved between the snapshot and `asOf` (less than a day) to
 * the page's items alone. Adding up every moved item of the sites on each page instead cost 3 ms
 * a page (60 pages of a scale-100 site: most of the listing), returning rows the page then dropped.
 */
export const siteStockPage: SiteStockAsOfReader = async (db, q) => {
  const snap = await usableSnapshot(db, q.asOf);
  if (!snap) return null;
  if (q.sites !== 'all' && q.sites.length === 0) return { lines: [], nextAfter: null };
  let stored = db
    .selectFrom('stock_snapshot_balances')
    .select(['item_id', sql<number>`sum(qty)`.as('qty')])
    .where('day', '=', snap.day)
    .groupBy('item_id')
    .orderBy('item_id')
    .limit(q.limit + 1);
  if (q.sites !== 'all') stored = stored.where('site_id', 'in', [...q.sites]);
  if (q.itemId) stored = stored.where('item_id', '=', q.itemId);
  if (q.after) stored = stored.where('item_id', '>', q.after);
  const rows = await stored.execute();
  // Every item up to `bound` is known: the stored ones (a full page of them ends there) and the moved ones.
  const full = rows.length > q.limit;
  const bound = full ? rows[q.limit - 1]!.item_id : null;
  const onHand = new Map<string, number>(rows.slice(0, q.limit).map((r) => [r.item_id, Number(r.qty)]));
  const moved = await balanceDeltas(db, snap.as_of, q.asOf, q.sites, { only: q.itemId, after: q.after, upTo: bound ?? undefined });
  for (const [k, qty] of moved) {
    const itemId = k.slice(k.indexOf('\u0000') + 1);
    onHand.set(itemId, (onHand.get(itemId) ?? 0) + qty);
  }
  const ids = [...onHand.keys()].filter((id) => onHand.get(id) !== 0).sort();
  const page = ids.slice(0, q.limit);
  return { lines: page.map((itemId) => ({ itemId, onHand: onHand.get(itemId)! })), nextAfter: ids.length > q.limit ? page[page.length - 1]! : bound };
};

interface Snapshot {
  balances: Map<SiteItem, number>;
  costs: Map<string, CostPool>;
}

/** Stock as of `asOf` from the present: now less everything effective after it (what the reports do without snapshots). */
async function snapshotFromNow(ctx: ServiceContext, trx: Trx, asOf: number): Promise<Snapshot> {
  const current = await trx
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .select(['l.site_id as site_id', 'b.item_id as item_id', sql<number>`sum(b.on_hand)`.as('qty')])
    .where(physical('l'))
    .groupBy(['l.site_id', 'b.item_id'])
    .execute();
  const balances = new Map<SiteItem, number>();
  for (const r of current) if (r.site_id !== null) balances.set(key(r.site_id, r.item_id), Number(r.qty));
  for (const [k, qty] of await balanceDeltas(trx, asOf, null, 'all')) balances.set(k, (balances.get(k) ?? 0) - qty);
  const costs = new Map<string, CostPool>();
  for (const [itemId, t] of await listItemCostTotals({ ...ctx, trx })) costs.set(itemId, { qty: t.qty, value: t.value });
  for (const [itemId, d] of await costDeltas(trx, asOf, null)) {
    const base = costs.get(itemId) ?? { qty: 0, value: 0 };
    costs.set(itemId, { qty: base.qty - d.qty, value: base.value - d.value });
  }
  return { balances, costs };
}

/** The next day's snapshot from the day before's: plus what moved in between. */
async function rollForward(db: Executor, previous: Snapshot, after: number, through: number): Promise<Snapshot> {
  const balances = new Map(previous.balances);
  for (const [k, qty] of await balanceDeltas(db, after, through, 'all')) balances.set(k, (balances.get(k) ?? 0) + qty);
  const costs = new Map(previous.costs);
  for (const [itemId, d] of await costDeltas(db, after, through)) {
    const base = costs.get(itemId) ?? { qty: 0, value: 0 };
    costs.set(itemId, { qty: base.qty + d.qty, value: base.value + d.value });
  }
  return { balances, costs };
}

async function loadSnapshot(db: Executor, day: string): Promise<Snapshot> {
  const [balances, costs] = await Promise.all([
    db.selectFrom('stock_snapshot_balances').select(['site_id', 'item_id', 'qty']).where('day', '=', day).execute(),
    db.selectFrom('stock_snapshot_costs').select(['item_id', 'qty', 'value_micros']).where('day', '=', day).execute(),
  ]);
  return {
    balances: new Map(balances.map((r) => [key(r.site_id, r.item_id), Number(r.qty)])),
    costs: new Map(costs.map((r) => [r.item_id, { qty: Number(r.qty), value: Number(r.value_micros) }])),
  };
}

async function writeSnapshot(trx: Trx, day: string, asOf: number, snapshot: Snapshot, takenAt: number): Promise<void> {
  await trx.deleteFrom('stock_snapshot_balances').where('day', '=', day).execute();
  await trx.deleteFrom('stock_snapshot_costs').where('day', '=', day).execute();
  // Every row carries its item's SKU, name and category as they are now, and each site's row the
  // item's cost pool then, so a valuation at a site reads its rows alone and adds what moved since.
  const items = new Map((await trx.selectFrom('items').select(['id', 'sku', 'name', 'category']).execute()).map((r) => [r.id, r]));
  const facts = (itemId: string) => {
    const item = items.get(itemId);
    return { sku: item?.sku ?? '', name: item?.name ?? '', category: item?.category ?? null };
  };
  const balances = [...snapshot.balances]
    .filter(([, qty]) => qty !== 0)
    .map(([k, qty]) => {
      const item_id = k.slice(k.indexOf('\u0000') + 1);
      const pool = snapshot.costs.get(item_id) ?? { qty: 0, value: 0 };
      return { day, site_id: k.slice(0, k.indexOf('\u0000')), item_id, qty, pool_qty: pool.qty, pool_value_micros: pool.value, ...facts(item_id) };
    });
  const costs = [...snapshot.costs]
    .filter(([, c]) => c.qty !== 0 || c.value !== 0)
    .map(([item_id, c]) => ({ day, item_id, qty: c.qty, value_micros: c.value, ...facts(item_id) }));
  for (let i = 0; i < balances.length; i += 500) await trx.insertInto('stock_snapshot_balances').values(balances.slice(i, i + 500)).execute();
  for (let i = 0; i < costs.length; i += 500) await trx.insertInto('stock_snapshot_costs').values(costs.slice(i, i + 500)).execute();
  await trx
    .insertInto('stock_snapshot_days')
    .values({ day, as_of: asOf, taken_at: takenAt, value_micros: costs.reduce((sum, c) => sum + c.value_micros, 0), movement_watermark: watermark('mov', takenAt - OPEN_TRANSACTION_MARGIN_MS), invalidation_watermark: watermark('sin', takenAt - OPEN_TRANSACTION_MARGIN_MS) })
    .execute();
}

/** Deletes the snapshot days from `day` on (their rows too). */
async function dropFrom(trx: Trx, day: string): Promise<void> {
  await trx.deleteFrom('stock_snapshot_balances').where('day', '>=', day).execute();
  await trx.deleteFrom('stock_snapshot_costs').where('day', '>=', day).execute();
  await trx.deleteFrom('stock_snapshot_days').where('day', '>=', day).execute();
}

/**
 * Finds what changed under the snapshots since the job last looked — a movement recorded since
 * then but effective earlier, a cost rewritten — and drops the days from the earliest such
 * instant. Returns that instant, or null.
 */
async function invalidateStale(ctx: ServiceContext, timeZone: string): Promise<number | null> {
  return transact(ctx.db, async (trx) => {
    const now = ctx.clock.now();
    const state = await trx.selectFrom('stock_snapshot_state').selectAll().where('name', '=', STATE).executeTakeFirst();
    let from: number | null = null;
    if (state) {
      const [late, rewritten] = await Promise.all([
        trx.selectFrom('movements').select(sql<number | null>`min(+effective_at)`.as('at')).where('id', '>', state.movement_watermark).executeTakeFirst(),
        trx.selectFrom('stock_snapshot_invalidations').select(sql<number | null>`min(from_at)`.as('at')).where('id', '>', state.invalidation_watermark).executeTakeFirst(),
      ]);
      const candidates = [late?.at, rewritten?.at].filter((v): v is number => v !== null && v !== undefined).map(Number);
      if (candidates.length) {
        from = Math.min(...candidates);
        await dropFrom(trx, localDate(from, timeZone));
      }
    }
    const values = { movement_watermark: watermark('mov', now - OPEN_TRANSACTION_MARGIN_MS), invalidation_watermark: watermark('sin', now - OPEN_TRANSACTION_MARGIN_MS), updated_at: now };
    if (state) await trx.updateTable('stock_snapshot_state').set(values).where('name', '=', STATE).execute();
    else await trx.insertInto('stock_snapshot_state').values({ name: STATE, ...values }).execute();
    await trx.deleteFrom('stock_snapshot_invalidations').where('created_at', '<', now - 7 * 86_400_000).execute();
    return from;
  });
}

/**
 * The job: drops what went stale, then takes the missing days up to yesterday (the first runs
 * go back `backfillDays`, or to the first movement), at most `maxDaysPerRun` a run. Each day is
 * its own transaction. Returns the days written.
 */
export async function takeStockSnapshots(ctx: ServiceContext): Promise<string[]> {
  // The reports' other kept figure rides on the same job: the cost of the lines sold since.
  await fillSaleLineCosts(ctx);
  // And the closed days' sales totals (after the costs, so they add up kept ones).
  await takeSalesDayTotals(ctx);
  const { time_zone } = await readSettings(ctx.db.kysely);
  await invalidateStale(ctx, time_zone);
  const yesterday = addDays(localDate(ctx.clock.now(), time_zone), -1);
  const last = await ctx.db.kysely.selectFrom('stock_snapshot_days').select(['day', 'as_of']).orderBy('day', 'desc').limit(1).executeTakeFirst();
  let day: string;
  if (last) day = nextDate(last.day);
  else {
    const first = await ctx.db.kysely.selectFrom('movements').select(sql<number | null>`min(effective_at)`.as('at')).executeTakeFirst();
    if (first?.at === null || first?.at === undefined) return [];
    const earliest = addDays(localDate(ctx.clock.now(), time_zone), -stockSnapshotSettings.backfillDays);
    const firstDay = localDate(Number(first.at), time_zone);
    day = firstDay > earliest ? firstDay : earliest;
  }
  let previous: { snapshot: Snapshot; asOf: number } | null = last ? { snapshot: await loadSnapshot(ctx.db.kysely, last.day), asOf: Number(last.as_of) } : null;
  const written: string[] = [];
  for (; day <= yesterday && written.length < stockSnapshotSettings.maxDaysPerRun; day = nextDate(day)) {
    const asOf = startOfLocalDay(nextDate(day), time_zone) - 1;
    const takenAt = ctx.clock.now();
    const snapshot = await transact(ctx.db, async (trx) => {
      const made = previous ? await rollForward(trx, previous.snapshot, previous.asOf, asOf) : await snapshotFromNow(ctx, trx, asOf);
      await writeSnapshot(trx, day, asOf, made, takenAt);
      return made;
    });
    previous = { snapshot, asOf };
    written.push(day);
  }
  return written;
}

// A rewritten cost at or before the newest snapshot makes the snapshots from then on stale.
onMovementCostsRewritten(async (trx, movementIds, now) => {
  const newest = (await trx.selectFrom('stock_snapshot_days').select(sql<number | null>`max(as_of)`.as('as_of')).executeTakeFirst())?.as_of;
  if (newest === null || newest === undefined) return;
  for (let i = 0; i < movementIds.length; i += 500) {
    // The earliest instant is taken here, not asked as min(effective_at): PostgreSQL answered that
    // by walking the (effective_at, id) index from the oldest movement until it met one of the ids,
    // the whole history when they were recent (49 ms for a re-cost's 500 sales at 100k movements).
    const rows = await trx.selectFrom('movements').select('effective_at').where('id', 'in', movementIds.slice(i, i + 500)).execute();
    const fromAt = rows.reduce((min, r) => Math.min(min, Number(r.effective_at)), Number.POSITIVE_INFINITY);
    if (fromAt > Number(newest)) continue;
    await trx.insertInto('stock_snapshot_invalidations').values({ id: newId('sin', now), from_at: fromAt, created_at: now }).execute();
  }
});

answerSiteStockAsOfWith(siteStockPage);
