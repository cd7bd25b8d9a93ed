import { sql } from 'kysely';
import { localDate } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { addDays, type DemandSeries } from './engine.ts';

/**
 * An item's daily demand per site, read from the ledger: what left each site as sales (less
 * voided sales) and shipped orders (and, at sites asked for, transfers to other sites), with the days the site had none of it marked censored. The site's on-hand is
 * replayed from every movement of the item, so a day is censored when it ended at exactly zero
 * (it sold out, and whoever came later went without) or started at or below zero and was
 * restocked during the day. A site that sells below zero (allowed at some stores) kept selling,
 * so its negative days are real demand. Days flagged as promotions or holidays are marked too.
 *
 * The ledger is the history (no side log of demand that could disagree with it).
 */

export interface SiteDemandSeries {
  siteId: string;
  series: DemandSeries;
  censoredDays: number;
}

/** At most three years (and a day) are read: the methods use no more. */
export const HISTORY_DAYS_MAX = 3 * 365 + 1;

/** Location id → the site it belongs to (a site is its own); virtual locations have none. */
export async function loadSiteOfLocation(db: Executor): Promise<Map<string, string>> {
  const rows = await db.selectFrom('locations').select(['id', 'site_id', 'kind']).execute();
  const map = new Map<string, string>();
  for (const r of rows) {
    const site = r.site_id ?? (r.kind === 'site' ? r.id : null);
    if (site) map.set(r.id, site);
  }
  return map;
}

/** Caches the local date of each epoch hour: time zone formatting is the slow part of reading history. */
export class LocalDates {
  #byHour = new Map<number, string>();
  constructor(readonly timeZone: string) {}
  ofHour(hour: number): string {
    let date = this.#byHour.get(hour);
    if (date === undefined) {
      date = localDate(hour * 3_600_000, this.timeZone);
      this.#byHour.set(hour, date);
    }
    return date;
  }
}

export interface ReadDemandOptions {
  /** The last day of history (local date); the forecast starts the day after. */
  endOn: string;
  /** The instant `endOn` ends (local midnight after it). */
  endsAt: number;
  dates: LocalDates;
  sites: Map<string, string>;
  /** Only these sites (all the item moved at when absent). */
  siteIds?: readonly string[];
  /**
   * Sites whose transfers out to other sites count as their demand (a warehouse's customers are
   * the stores it fills); at every other site only sales and shipments are demand.
   */
  transfersOutAt?: ReadonlySet<string>;
}

function dayIndex(start: string, date: string): number {
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000);
}

export async function readDemandHistory(db: Executor, itemId: string, options: ReadDemandOptions): Promise<SiteDemandSeries[]> {
  return (await readDemandHistories(db, [itemId], options)).get(itemId) ?? [];
}

type HistoryRow = { item_id: string; from_location_id: string; to_location_id: string; kind: string; hour: number; qty: number };
type FlagRow = { item_id: string | null; site_id: string | null; from_on: string; to_on: string };

/**
 * The histories of many items in two queries (their movements by hour, and the flagged days),
 * not two per item: the daily forecast run reads its items a batch at a time.
 */
export async function readDemandHistories(db: Executor, itemIds: readonly string[], options: ReadDemandOptions): Promise<Map<string, SiteDemandSeries[]>> {
  const out = new Map<string, SiteDemandSeries[]>();
  if (!itemIds.length) return out;
  const hour = sql<number>`effective_at / 3600000`;
  const earliest = addDays(options.endOn, -(HISTORY_DAYS_MAX - 1));
  const [rows, flags] = await Promise.all([
    db
      .selectFrom('movements')
      .where('item_id', 'in', [...itemIds])
      .where('effective_at', '<', options.endsAt)
      .select(['item_id', 'from_location_id', 'to_location_id', 'kind', hour.as('hour'), sql<number>`sum(qty)`.as('qty')])
      .groupBy(['item_id', 'from_location_id', 'to_location_id', 'kind', hour])
      .execute(),
    readFlags(db, itemIds, earliest, options.endOn),
  ]);
  const rowsByItem = new Map<string, HistoryRow[]>();
  for (const r of rows as HistoryRow[]) {
    const list = rowsByItem.get(r.item_id) ?? [];
    list.push(r);
    rowsByItem.set(r.item_id, list);
  }
  for (const itemId of itemIds) {
    out.set(itemId, historiesFromRows(rowsByItem.get(itemId) ?? [], flags.filter((f) => f.item_id === null || f.item_id === itemId), earliest, options));
  }
  return out;
}

/** One item's movements by hour replayed into each site's daily demand, with its out-of-stock and flagged days. */
function historiesFromRows(rows: readonly HistoryRow[], flags: readonly FlagRow[], earliest: string, options: ReadDemandOptions): SiteDemandSeries[] {
  interface SiteDays {
    first: string;
    opening: number;
    delta: Map<string, number>;
    sold: Map<string, number>;
  }
  const bySite = new Map<string, SiteDays>();
  const siteDays = (site: string): SiteDays => {
    let s = bySite.get(site);
    if (!s) {
      s = { first: options.endOn, opening: 0, delta: new Map(), sold: new Map() };
      bySite.set(site, s);
    }
    return s;
  };
  const add = (map: Map<string, number>, date: string, qty: number) => map.set(date, (map.get(date) ?? 0) + qty);
  for (const r of rows) {
    const qty = Number(r.qty);
    const date = options.dates.ofHour(Math.floor(Number(r.hour)));
    const from = options.sites.get(r.from_location_id);
    const to = options.sites.get(r.to_location_id);
    for (const [site, signed] of [[from, -qty], [to, qty]] as const) {
      if (!site || from === to) continue;
      const s = siteDays(site);
      if (date < s.first) s.first = date;
      if (date < earliest) s.opening += signed;
      else add(s.delta, date, signed);
    }
    if ((r.kind === 'sale' || r.kind === 'shipment') && from && from !== to) add(siteDays(from).sold, date, qty);
    if (r.kind === 'transfer' && from && from !== to && options.transfersOutAt?.has(from)) add(siteDays(from).sold, date, qty);
    if (r.kind === 'sale_void' && to && from !== to) add(siteDays(to).sold, date, -qty);
  }

  const wanted = options.siteIds ? new Set(options.siteIds) : null;
  const result: SiteDemandSeries[] = [];
  for (const [siteId, s] of [...bySite].sort(([a], [b]) => a.localeCompare(b))) {
    if (wanted && !wanted.has(siteId)) continue;
    const start = s.first < earliest ? earliest : s.first;
    const length = dayIndex(start, options.endOn) + 1;
    if (length <= 0) continue;
    const values: number[] = [];
    const censored: boolean[] = [];
    const flagged = flaggedDays(flags, siteId, start, length);
    let onHand = s.opening;
    let censoredDays = 0;
    for (let d = 0; d < length; d += 1) {
      const date = addDays(start, d);
      const begin = onHand;
      onHand += s.delta.get(date) ?? 0;
      const out = onHand === 0 || (begin <= 0 && onHand > 0);
      if (out) censoredDays += 1;
      values.push(Math.max(0, (s.sold.get(date) ?? 0) / QTY_SCALE));
      censored.push(out);
    }
    result.push({ siteId, series: { start, values, censored, flagged }, censoredDays });
  }
  return result;
}

async function readFlags(db: Executor, itemIds: readonly string[], from: string, to: string): Promise<FlagRow[]> {
  return db
    .selectFrom('demand_flags')
    .where((eb) => eb.or([eb('item_id', 'in', [...itemIds]), eb('item_id', 'is', null)]))
    .where('to_on', '>=', from)
    .where('from_on', '<=', to)
    .select(['item_id', 'site_id', 'from_on', 'to_on'])
    .execute();
}

/** Which of `length` days from `start` a flag covers at the site (a flag without a site covers every site). */
function flaggedDays(flags: readonly FlagRow[], siteId: string, start: string, length: number): boolean[] {
  const out = Array.from({ length }, () => false);
  for (const f of flags) {
    if (f.site_id !== null && f.site_id !== siteId) continue;
    const from = Math.max(0, dayIndex(start, f.from_on));
    const to = Math.min(length - 1, dayIndex(start, f.to_on));
    for (let d = from; d <= to; d += 1) out[d] = true;
  }
  return out;
}

/** A category's summed sales per day at a site over the last year, the shape new items borrow. */
export async function readCategorySales(db: Executor, category: string, siteId: string, options: ReadDemandOptions): Promise<DemandSeries> {
  const start = addDays(options.endOn, -364);
  const hour = sql<number>`m.effective_at / 3600000`;
  const rows = await db
    .selectFrom('movements as m')
    .innerJoin('items as i', 'i.id', 'm.item_id')
    .innerJoin('locations as l', 'l.id', 'm.from_location_id')
    .where('i.category', '=', category)
    .where('m.kind', '=', 'sale')
    .where((eb) => eb.or([eb('l.site_id', '=', siteId), eb('l.id', '=', siteId)]))
    .where('m.effective_at', '<', options.endsAt)
    .where('m.effective_at', '>=', options.endsAt - 366 * 86_400_000)
    .select([hour.as('hour'), sql<number>`sum(m.qty)`.as('qty')])
    .groupBy(hour)
    .execute();
  const values = Array.from({ length: 365 }, () => 0);
  for (const r of rows) {
    const d = dayIndex(start, options.dates.ofHour(Math.floor(Number(r.hour))));
    if (d >= 0 && d < 365) values[d] = values[d]! + Number(r.qty) / QTY_SCALE;
  }
  return { start, values };
}
