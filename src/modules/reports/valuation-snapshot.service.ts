import { sql } from 'kysely';
import { mulDiv } from '../../platform/decimal.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { unitCostOf } from '../costing/index.ts';
import { balanceDeltas, costDeltas, OPEN_TRANSACTION_MARGIN_MS, usableSnapshot, type CostPool } from './stock-snapshots.service.ts';
import type { ValuationLine } from './valuation.service.ts';

/**
 * Valuation as of a past instant from the nearest daily snapshot, in a handful of queries: the
 * snapshot's rows (cost pools, or a site's balances with the item's pool beside them, carry the
 * item's SKU, name and category as they were when it was taken), the movements since the snapshot
 * in one or two more, and from the catalog only the
 * items edited since and the few that moved since but were not in the snapshot. The figures are
 * the ledger's (valuation.service reads it when there is no snapshot to use); a test holds the
 * two side by side.
 */

/**
 * Today's last unit cost of the few items valued without owned stock (as the ledger path values
 * them), looked up for those alone rather than joined to every row.
 */
async function lastUnitCosts(db: Executor, itemIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < itemIds.length; i += 500) {
    const rows = await db.selectFrom('item_costs').select(['item_id', 'last_unit_cost_micros']).where('item_id', 'in', itemIds.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.item_id, Number(r.last_unit_cost_micros));
  }
  return out;
}

/** An item's unit cost from its pool: owned value over owned quantity, or null when none is owned (then valued at the last cost). */
const ownedUnitCost = (pool: CostPool): number | null => (pool.qty > 0 ? unitCostOf(pool.value, pool.qty) : null);

type ItemFacts = { sku: string; name: string; category: string | null };

/**
 * SKU, name and category of the items edited since the snapshot was taken (its rows carry them
 * as they were then), less the margin for transactions still open then, and of the few items
 * that moved since but were in no row: what the catalog says now, as the ledger path shows.
 */
async function factsSince(db: Executor, takenAt: number, extra: readonly string[]): Promise<Map<string, ItemFacts>> {
  const out = new Map<string, ItemFacts>();
  const edited = await db.selectFrom('items').select(['id', 'sku', 'name', 'category']).where('updated_at', '>=', takenAt - OPEN_TRANSACTION_MARGIN_MS).execute();
  for (const r of edited) out.set(r.id, r);
  const missing = extra.filter((id) => !out.has(id));
  for (let i = 0; i < missing.length; i += 500) {
    for (const r of await db.selectFrom('items').select(['id', 'sku', 'name', 'category']).where('id', 'in', missing.slice(i, i + 500)).execute()) out.set(r.id, r);
  }
  return out;
}

/** The whole shop as of `asOf`: each item's owned stock (its cost pool) then; null when no snapshot can be used. */
export async function shopValuationFromSnapshot(db: Executor, asOf: number, category: string | undefined): Promise<ValuationLine[] | null> {
  const snap = await usableSnapshot(db, asOf);
  if (!snap) return null;
  const [rows, deltas] = await Promise.all([
    db.selectFrom('stock_snapshot_costs').select(['item_id', 'qty', 'value_micros', 'sku', 'name', 'category']).where('day', '=', snap.day).execute(),
    // At a day's very end (a report period's edge) the snapshot is the answer: nothing moved since.
    snap.as_of === asOf ? new Map<string, CostPool>() : costDeltas(db, snap.as_of, asOf),
  ]);
  // The snapshot keeps every pool that was not empty: an item it lacks had none then.
  const stored = new Set<string>();
  for (const r of rows) stored.add(r.item_id);
  const newer = await factsSince(db, snap.taken_at, [...deltas.keys()].filter((id) => !stored.has(id)));
  const lines: ValuationLine[] = [];
  const costless: ValuationLine[] = [];
  // Thirty thousand rows on a big shop: no object per row beyond the line itself.
  const add = (itemId: string, poolQty: number, poolValue: number, item: ItemFacts | undefined) => {
    if (!item || (category !== undefined && item.category !== category)) return;
    const delta = deltas.get(itemId);
    const qty = delta ? poolQty + delta.qty : poolQty;
    const value = delta ? poolValue + delta.value : poolValue;
    if (qty === 0 && value === 0) return;
    const l: ValuationLine = { itemId, sku: item.sku, name: item.name, category: item.category, qty, unitCost: qty !== 0 ? unitCostOf(value, qty) : 0, value };
    lines.push(l);
    if (qty === 0) costless.push(l);
  };
  for (const r of rows) add(r.item_id, Number(r.qty), Number(r.value_micros), newer.get(r.item_id) ?? r);
  for (const itemId of deltas.keys()) if (!stored.has(itemId)) add(itemId, 0, 0, newer.get(itemId));
  // A value with no quantity left has no unit cost of its own: the last one is shown, as the ledger path does.
  const last = costless.length ? await lastUnitCosts(db, costless.map((l) => l.itemId)) : new Map<string, number>();
  for (const l of costless) l.unitCost = last.get(l.itemId) ?? 0;
  return lines;
}

interface SiteStock {
  qty: number;
  /** The item's cost pool at the snapshot (quantity null when it was in no row there: read from the pools). */
  poolQty: number | null;
  poolValue: number;
  item: ItemFacts | undefined;
}

/** The snapshot's rows for the sites, one per item (several sites' summed; the pool and facts are the item's, the same on each). */
async function storedSiteStock(db: Executor, day: string, sites: readonly string[]): Promise<Map<string, SiteStock>> {
  const stored = db.selectFrom('stock_snapshot_balances').where('day', '=', day);
  const rows =
    sites.length === 1
      ? await stored.select(['item_id', 'qty', 'pool_qty', 'pool_value_micros', 'sku', 'name', 'category']).where('site_id', '=', sites[0]!).execute()
      : await stored
          .select([
            'item_id',
            sql<number>`sum(qty)`.as('qty'),
            sql<number>`max(pool_qty)`.as('pool_qty'),
            sql<number>`max(pool_value_micros)`.as('pool_value_micros'),
            sql<string>`max(sku)`.as('sku'),
            sql<string>`max(name)`.as('name'),
            sql<string | null>`max(category)`.as('category'),
          ])
          .where('site_id', 'in', [...sites])
          .groupBy('item_id')
          .execute();
  const out = new Map<string, SiteStock>();
  for (const r of rows) {
    // The row is the item's facts: no object per row beyond the entry (30,000 on a big shop).
    out.set(r.item_id, { qty: Number(r.qty), poolQty: Number(r.pool_qty), poolValue: Number(r.pool_value_micros), item: r });
  }
  return out;
}

/** The snapshot's cost pools of some items (zero for those it has none of). */
async function poolsAt(db: Executor, day: string, itemIds: readonly string[]): Promise<Map<string, CostPool>> {
  const out = new Map<string, CostPool>(itemIds.map((id) => [id, { qty: 0, value: 0 }]));
  for (let i = 0; i < itemIds.length; i += 500) {
    const rows = await db.selectFrom('stock_snapshot_costs').select(['item_id', 'qty', 'value_micros']).where('day', '=', day).where('item_id', 'in', itemIds.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.item_id, { qty: Number(r.qty), value: Number(r.value_micros) });
  }
  return out;
}

/**
 * Stock at some sites as of `asOf` (their physical locations), each item valued at its unit cost
 * then (owned value over owned quantity, or today's last cost when none was owned); null when no
 * snapshot can be used. The snapshot's rows carry each item's cost pool and facts then, so the
 * answer is those rows plus what moved since: only the items in no row (stocked at the sites since)
 * and those edited since are looked up again.
 */
export async function siteValuationFromSnapshot(db: Executor, asOf: number, sites: readonly string[], category: string | undefined): Promise<ValuationLine[] | null> {
  const snap = await usableSnapshot(db, asOf);
  if (!snap) return null;
  if (sites.length === 0) return [];
  const atSnapshot = snap.as_of === asOf; // nothing moved since
  const [stock, moved, costs] = await Promise.all([
    storedSiteStock(db, snap.day, sites),
    atSnapshot ? new Map<string, number>() : balanceDeltas(db, snap.as_of, asOf, sites),
    atSnapshot ? new Map<string, CostPool>() : costDeltas(db, snap.as_of, asOf),
  ]);
  for (const [k, qty] of moved) {
    const itemId = k.slice(k.indexOf('\u0000') + 1);
    const s = stock.get(itemId);
    if (s) s.qty += qty;
    else stock.set(itemId, { qty, poolQty: null, poolValue: 0, item: undefined });
  }
  // Items that were in no row: their facts from the catalog (with those edited since), their pool from the snapshot's.
  const unstored = [...stock.keys()].filter((id) => stock.get(id)!.poolQty === null);
  const [newer, pools] = await Promise.all([factsSince(db, snap.taken_at, unstored), poolsAt(db, snap.day, unstored)]);
  for (const [itemId, pool] of pools) Object.assign(stock.get(itemId)!, { poolQty: pool.qty, poolValue: pool.value });
  const lines: ValuationLine[] = [];
  const unowned: ValuationLine[] = [];
  for (const [itemId, s] of stock) {
    const item = newer.get(itemId) ?? s.item;
    if (!item || s.qty === 0 || (category !== undefined && item.category !== category)) continue;
    const l: ValuationLine = { itemId, sku: item.sku, name: item.name, category: item.category, qty: s.qty, unitCost: 0, value: 0 };
    lines.push(l);
    // The pool then: the snapshot's plus what crossed into or out of owned stock since, anywhere.
    const moved = costs.get(itemId);
    const unitCost = ownedUnitCost({ qty: s.poolQty! + (moved?.qty ?? 0), value: s.poolValue + (moved?.value ?? 0) });
    if (unitCost === null) unowned.push(l);
    else price(l, unitCost);
  }
  // None owned then (sold before it was received): valued at the last unit cost, as the ledger path does.
  const last = unowned.length ? await lastUnitCosts(db, unowned.map((l) => l.itemId)) : new Map<string, number>();
  for (const l of unowned) price(l, last.get(l.itemId) ?? 0);
  return lines;
}

/** A line's value at the item's unit cost, and its own unit cost as the ledger path shows it (value over quantity). */
function price(l: ValuationLine, unitCost: number): void {
  l.value = mulDiv(l.qty, unitCost, QTY_SCALE);
  l.unitCost = unitCostOf(l.value, l.qty);
}
