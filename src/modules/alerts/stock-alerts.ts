import { sql, type InferResult } from 'kysely';
import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import { inList } from '../../platform/db/id-lists.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { formatQuantity, quantityToNumber } from '../../platform/quantity.ts';
import type { StockObserver, StockTouch, TouchedIds } from '../ledger/index.ts';
import { levelsAtSites, siteLevelOf, type SiteLevel } from '../replenishment/index.ts';
import { readRuleSettings, STOCK_RULES, type AlertRule } from './alert-rules.ts';
import { applyConditions, stateKey, type Condition, type StoredState } from './alert-state.ts';
import { fireAlert } from './alert-dispatch.ts';

/**
 * Low, out-of-stock and negative-stock alerts, evaluated in the transaction that moves the stock
 * (the ledger's stock observer), so an alert leaves if and only if the sale that caused it
 * commits. The checkout path runs this: in the common case — nothing crossed — it is one small
 * indexed read (the sums at the sites, the active rules and the minimums) and writes nothing
 * (the sites of bins are remembered).
 */

/**
 * The minimum an item should keep at a site, by `item\0site`; null where it has none. The
 * checkout path reads the same in its own query (stockFacts) through `siteLevelOf`.
 */
export async function siteMinimums(db: Executor, itemIds: readonly string[], siteIds: readonly string[]): Promise<Map<string, number | null>> {
  // The site's own level (replenishment), else the deprecated shop-wide reorder point. An item
  // restocked every day is empty by design at closing: it has no minimum to alert on.
  const levels = await levelsAtSites(db, itemIds, siteIds);
  return new Map([...levels].map(([key, level]) => [key, minimumOf(level)]));
}

function minimumOf(level: SiteLevel | null): number | null {
  return level === null || level.deliveredDaily ? null : level.min;
}

/**
 * Everything the checkout path's alerts need about each (item, site) asked about, in one round
 * trip: on hand over the site's stock bins (quarantine holds nothing sellable; null where the
 * site has no stock bin row of the item), the stock rules active for it, and its minimum — the
 * site's own level or the item's reorder point, read as replenishment reads them (siteLevelOf).
 * Every posting pays for this, so it is one statement: on PostgreSQL each is a round trip. The
 * sites are the touched locations', found in the same statement, so that the stock observers can
 * take it with their other first reads (stock-observers.ts).
 */
export const stockFactsRead = (db: Executor, args: TouchedIds) => {
  const siteIds = db.selectFrom('locations as tl').select('tl.site_id').where('tl.id', 'in', [...args.locationIds]).where('tl.site_id', 'is not', null);
  const sums = db
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .select(['b.item_id', 'l.site_id', sql<number>`sum(b.on_hand)`.as('on_hand')])
    .where('b.item_id', 'in', [...args.itemIds])
    .where('l.site_id', 'in', siteIds)
    .where('l.purpose', '=', 'stock')
    .groupBy(['b.item_id', 'l.site_id'])
    .as('s');
  return db
    .selectFrom('items as i')
    .innerJoin('locations as site', (join) => join.on('site.id', 'in', siteIds))
    .leftJoin('stock_levels as sl', (join) => join.onRef('sl.item_id', '=', 'i.id').onRef('sl.location_id', '=', 'site.id').onRef('sl.site_id', '=', 'site.id'))
    .leftJoin(sums, (join) => join.onRef('s.item_id', '=', 'i.id').onRef('s.site_id', '=', 'site.id'))
    .leftJoin('alert_states as st', (join) =>
      join.onRef('st.subject_id', '=', 'i.id').onRef('st.site_id', '=', 'site.id').on('st.rule', 'in', [...STOCK_RULES]).on('st.active', '=', 1),
    )
    .select(['i.id as item_id', 'site.id as site_id', 'i.reorder_point', 'sl.site_id as level_site_id', 'sl.min_qty', 'sl.max_qty', 'sl.delivered_daily', 's.on_hand', 'st.rule', 'st.last_fired_at'])
    .where('i.id', 'in', [...args.itemIds]);
};
const stockFactsQuery = cachedQuery(stockFactsRead);
type StockFactRow = InferResult<ReturnType<typeof stockFactsRead>>[number];

interface StockFacts {
  /** Only where the site has a stock bin row of the item. */
  onHand: Map<string, number>;
  active: Map<string, StoredState>;
  minimums: Map<string, number | null>;
}

function stockFactsFrom(rows: readonly StockFactRow[]): StockFacts {
  const facts: StockFacts = { onHand: new Map(), active: new Map(), minimums: new Map() };
  for (const r of rows) {
    const key = `${r.item_id}\u0000${r.site_id}`;
    if (r.on_hand !== null) facts.onHand.set(key, Number(r.on_hand));
    if (r.rule !== null) facts.active.set(stateKey(r.rule, r.item_id, r.site_id), { active: true, lastFiredAt: r.last_fired_at === null ? null : Number(r.last_fired_at) });
    if (!facts.minimums.has(key)) facts.minimums.set(key, minimumOf(siteLevelOf(r.reorder_point, r.level_site_id === null ? null : { min_qty: r.min_qty!, max_qty: r.max_qty!, delivered_daily: r.delivered_daily! })));
  }
  return facts;
}

/** Which stock rules hold at a quantity, most severe first. */
export function stockConditionsAt(qty: number, minimum: number | null): Record<(typeof STOCK_RULES)[number], boolean> {
  return {
    negative_stock: qty < 0,
    out_of_stock: minimum !== null && qty <= 0,
    low_stock: minimum !== null && qty <= minimum,
  };
}

/**
 * The site of each location, remembered: a location never changes site, so the checkout path
 * asks the database only about a bin it has not seen. Null for virtual locations (customer,
 * vendor…), which belong to no site.
 */
const siteOfLocation = new Map<string, string | null>();
const SITE_CACHE_MAX = 100_000;

async function sitesOf(trx: Trx, locationIds: readonly string[]): Promise<Map<string, string | null>> {
  const unknown = locationIds.filter((id) => !siteOfLocation.has(id));
  if (unknown.length) {
    const rows = await trx.selectFrom('locations').select(['id', 'site_id']).where('id', 'in', unknown).execute();
    if (siteOfLocation.size + rows.length > SITE_CACHE_MAX) siteOfLocation.clear();
    for (const row of rows) siteOfLocation.set(row.id, row.site_id);
  }
  return siteOfLocation;
}

/** `factRows`: what stockFactsRead found for `touches`, when the caller read it with others. */
export async function evaluateStockAlerts(trx: Trx, touches: readonly StockTouch[], now: number, factRows?: readonly StockFactRow[]): Promise<number> {
  const siteOf = await sitesOf(trx, [...new Set(touches.map((t) => t.locationId))]);
  const pairs = new Map<string, { itemId: string; siteId: string }>();
  for (const t of touches) {
    const siteId = siteOf.get(t.locationId);
    if (siteId) pairs.set(`${t.itemId}\u0000${siteId}`, { itemId: t.itemId, siteId });
  }
  if (pairs.size === 0) return 0;
  // The states come for every pair, also one with no stock bin row at its site (only quarantine touched).
  const rows =
    factRows ??
    (await stockFactsQuery.execute(trx, {
      itemIds: inList(trx, [...new Set(touches.map((t) => t.itemId))]),
      locationIds: inList(trx, [...new Set(touches.map((t) => t.locationId))]),
    }));
  const { minimums, onHand, active: known } = stockFactsFrom(rows);
  const conditions: Condition[] = [];
  for (const [key, p] of pairs) {
    const holds = stockConditionsAt(onHand.get(key) ?? 0, minimums.get(key) ?? null);
    for (const rule of STOCK_RULES) conditions.push({ rule, subjectId: p.itemId, siteId: p.siteId, holds: holds[rule] });
  }
  // Nothing differs from what is stored: the usual sale, and no rule settings need reading.
  if (!conditions.some((c) => (known.get(stateKey(c.rule, c.subjectId, c.siteId))?.active ?? false) !== c.holds)) return 0;
  // Re-arming needs no settings; only a condition that starts to hold may fire.
  const starts = conditions.some((c) => c.holds && !(known.get(stateKey(c.rule, c.subjectId, c.siteId))?.active ?? false));
  const crossed = await applyConditions(trx, conditions, known, starts ? await readRuleSettings(trx) : new Map(), now);
  // One message per item and site: the most severe rule that crossed (stock falling from plenty
  // to below zero is one "negative stock", not three alerts).
  const worst = new Map<string, Condition>();
  for (const c of crossed) {
    const key = `${c.subjectId}\u0000${c.siteId}`;
    const seen = worst.get(key);
    if (!seen || STOCK_RULES.indexOf(c.rule as (typeof STOCK_RULES)[number]) < STOCK_RULES.indexOf(seen.rule as (typeof STOCK_RULES)[number])) worst.set(key, c);
  }
  for (const c of worst.values()) {
    const key = `${c.subjectId}\u0000${c.siteId}`;
    await fireStockAlert(trx, c.rule, c.subjectId, c.siteId, onHand.get(key) ?? 0, minimums.get(key) ?? null, now);
  }
  return worst.size;
}

async function fireStockAlert(trx: Trx, rule: AlertRule, itemId: string, siteId: string, qty: number, minimum: number | null, now: number): Promise<void> {
  const item = await trx
    .selectFrom('items')
    .select(['sku', 'name', 'base_unit', (eb) => eb.selectFrom('locations').select('name').where('id', '=', siteId).as('site_name')])
    .where('id', '=', itemId)
    .executeTakeFirstOrThrow();
  const site = { name: item.site_name ?? siteId };
  const amount = `${formatQuantity(qty)} ${item.base_unit}`;
  const what = `${item.name} (${item.sku}) at ${site.name}`;
  const title =
    rule === 'negative_stock' ? `Negative stock: ${what}` : rule === 'out_of_stock' ? `Out of stock: ${what}` : `Low stock: ${what}`;
  const body =
    rule === 'negative_stock'
      ? `${what} shows ${amount} on hand, below zero: the records are wrong. Count it.`
      : minimum === null
        ? `${what} has ${amount} on hand.`
        : `${what} has ${amount} on hand; its minimum there is ${formatQuantity(minimum)} ${item.base_unit}.`;
  await fireAlert(
    trx,
    {
      rule,
      siteId,
      subjectType: 'item',
      subjectId: itemId,
      title,
      body,
      data: { item_id: itemId, sku: item.sku, name: item.name, site_id: siteId, on_hand: quantityToNumber(qty), minimum: minimum === null ? null : quantityToNumber(minimum) },
    },
    now,
  );
}

export const stockAlertObserver: StockObserver = {
  name: 'alerts.stock',
  firstRead: stockFactsRead,
  stockChanged: async (trx, touches, now, factRows) => {
    await evaluateStockAlerts(trx, touches, now, factRows as readonly StockFactRow[]);
  },
};
