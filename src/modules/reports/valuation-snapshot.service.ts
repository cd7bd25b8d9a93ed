import { sql } from 'kysely';
import { mulDiv } from '../../platform/decimal.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { unitCostOf } from '../costing/index.ts';
import { balanceDeltas, costDeltas, OPEN_TRANSACTION_MARGIN_MS, usableSnapshot, type CostPool } from './stock-snapshots.service.ts';
import type { ValuationLine } from './valuation.service.ts';

/**
 * Valuation as of a past instant from the nearest daily snapshot, in a handful of queries: the
 * snapshot's rows (cost pools carry the item's SKU, name and category as they were when it was
 * taken), the movements since the snapshot in one or two more, and from the catalog only the
 * items edited since and the few that moved since but were not in the snapshot. The figures are
 * the ledger's (valuation.service reads it when there is no snapshot to use); a test holds the
 * two side by side.
 */

interface Facts {
  sku: string;
  name: string;
  category: string | null;
  /** The item's cost pool at the snapshot's instant (zero when it had none). */
  pool: CostPool;
}

interface FactRow {
  item_id: string;
  sku: string;
  name: string;
  category: string | null;
  pool_qty: number | string | null;
  pool_value: number | string | null;
}

const toFacts = (r: FactRow): Facts => ({ sku: r.sku, name: r.name, category: r.category, pool: { qty: Number(r.pool_qty ?? 0), value: Number(r.pool_value ?? 0) } });

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

/** Item and snapshot pool of items the snapshot rows did not bring (moved since). */
async function factsOf(db: Executor, day: string, itemIds: readonly string[]): Promise<Map<string, Facts>> {
  const out = new Map<string, Facts>();
  for (let i = 0; i < itemIds.length; i += 500) {
    const rows = await db
      .selectFrom('items as i')
      .leftJoin('stock_snapshot_costs as s', (j) => j.onRef('s.item_id', '=', 'i.id').on('s.day', '=', day))
      .select(['i.id as item_id', 'i.sku', 'i.name', 'i.category', 's.qty as pool_qty', 's.value_micros as pool_value'])
      .where('i.id', 'in', itemIds.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.item_id, toFacts(r));
  }
  return out;
}

const plus = (a: CostPool, b: CostPool | undefined): CostPool => (b ? { qty: a.qty + b.qty, value: a.value + b.value } : a);

function line(itemId: string, f: Facts, qty: number, value: number, unitCost: number): ValuationLine {
  return { itemId, sku: f.sku, name: f.name, category: f.category, qty, unitCost, value };
}

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
    costDeltas(db, snap.as_of, asOf),
  ]);
  // The snapshot keeps every pool that was not empty: an item it lacks had none then.
  const stored = new Map(rows.map((r) => [r.item_id, r]));
  const newer = await factsSince(db, snap.taken_at, [...deltas.keys()].filter((id) => !stored.has(id)));
  const lines: ValuationLine[] = [];
  const costless: ValuationLine[] = [];
  const add = (itemId: string, pool: CostPool, item: ItemFacts | undefined) => {
    if (!item || (category !== undefined && item.category !== category)) return;
    const { qty, value } = plus(pool, deltas.get(itemId));
    if (qty === 0 && value === 0) return;
    const l: ValuationLine = { itemId, sku: item.sku, name: item.name, category: item.category, qty, unitCost: qty !== 0 ? unitCostOf(value, qty) : 0, value };
    lines.push(l);
    if (qty === 0) costless.push(l);
  };
  for (const r of rows) add(r.item_id, { qty: Number(r.qty), value: Number(r.value_micros) }, newer.get(r.item_id) ?? r);
  for (const itemId of deltas.keys()) if (!stored.has(itemId)) add(itemId, { qty: 0, value: 0 }, newer.get(itemId));
  // A value with no quantity left has no unit cost of its own: the last one is shown, as the ledger path does.
  const last = costless.length ? await lastUnitCosts(db, costless.map((l) => l.itemId)) : new Map<string, number>();
  for (const l of costless) l.unitCost = last.get(l.itemId) ?? 0;
  return lines;
}

/**
 * Stock at some sites as of `asOf` (their physical locations), each item valued at its unit cost
 * then (owned value over owned quantity, or today's last cost when none was owned); null when no
 * snapshot can be used.
 */
export async function siteValuationFromSnapshot(db: Executor, asOf: number, sites: readonly string[], category: string | undefined): Promise<ValuationLine[] | null> {
  const snap = await usableSnapshot(db, asOf);
  if (!snap) return null;
  if (sites.length === 0) return [];
  // One site's rows are one per item already (a plain join, which SQLite flattens); several sites' are summed first.
  const stored = db.selectFrom('stock_snapshot_balances').where('day', '=', snap.day);
  const onHand =
    sites.length === 1
      ? stored.select(['item_id', sql<number>`qty`.as('qty')]).where('site_id', '=', sites[0]!).as('b')
      : stored.select(['item_id', sql<number>`sum(qty)`.as('qty')]).where('site_id', 'in', [...sites]).groupBy('item_id').as('b');
  const [rows, moved, costs] = await Promise.all([
    db
      .selectFrom(onHand)
      .leftJoin('stock_snapshot_costs as s', (j) => j.onRef('s.item_id', '=', 'b.item_id').on('s.day', '=', snap.day))
      .select(['b.item_id', 'b.qty', 's.sku', 's.name', 's.category', 's.qty as pool_qty', 's.value_micros as pool_value'])
      .execute(),
    balanceDeltas(db, snap.as_of, asOf, sites),
    costDeltas(db, snap.as_of, asOf),
  ]);
  // The item facts come with the pool's row; an item with no pool then (or none stored), or edited
  // since, is read from the catalog.
  const facts = new Map<string, Facts>();
  for (const r of rows) if (r.sku !== null && r.name !== null) facts.set(r.item_id, toFacts({ ...r, sku: r.sku, name: r.name }));
  const quantities = new Map(rows.map((r) => [r.item_id, Number(r.qty)]));
  for (const [k, qty] of moved) {
    const itemId = k.slice(k.indexOf('\u0000') + 1);
    quantities.set(itemId, (quantities.get(itemId) ?? 0) + qty);
  }
  const newer = await factsSince(db, snap.taken_at, [...quantities.keys()].filter((id) => !facts.has(id)));
  const missing = [...newer.keys()].filter((id) => quantities.has(id));
  if (missing.length) for (const [id, f] of await factsOf(db, snap.day, missing)) facts.set(id, f);
  const unitCosts = new Map<string, number>();
  const unowned: string[] = [];
  for (const [itemId, qty] of quantities) {
    const f = facts.get(itemId);
    if (!f || qty === 0 || (category !== undefined && f.category !== category)) continue;
    const pool = plus(f.pool, costs.get(itemId));
    if (pool.qty > 0) unitCosts.set(itemId, unitCostOf(pool.value, pool.qty));
    else unowned.push(itemId);
  }
  // None owned then (sold before it was received): valued at the last unit cost, as the ledger path does.
  if (unowned.length) for (const [itemId, cost] of await lastUnitCosts(db, unowned)) unitCosts.set(itemId, cost);
  const lines: ValuationLine[] = [];
  for (const itemId of [...unitCosts.keys(), ...unowned.filter((id) => !unitCosts.has(id))]) {
    const qty = quantities.get(itemId)!;
    const value = mulDiv(qty, unitCosts.get(itemId) ?? 0, QTY_SCALE);
    lines.push(line(itemId, facts.get(itemId)!, qty, value, unitCostOf(value, qty)));
  }
  return lines;
}
