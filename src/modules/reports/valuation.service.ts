import { reader, type ServiceContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { itemCostGrandTotal, listItemCostTotals, unitCostOf } from '../costing/index.ts';
import { listBalances, valuedChangesSince } from '../ledger/index.ts';
import { getLocation } from '../locations/index.ts';
import { shopValuationFromSnapshot, siteValuationFromSnapshot } from './valuation-snapshot.service.ts';
import { inventoryValuationByLot } from './valuation-by-lot.service.ts';

/**
 * Inventory valuation, now or as of a past instant, for the whole shop or one location. Cost
 * layers are kept per item across all locations, so a location's stock is valued at the item's
 * unit cost at that instant (its owned value over its owned quantity).
 */

export interface ValuationLine {
  itemId: string;
  sku: string;
  name: string;
  category: string | null;
  qty: number;
  unitCost: number;
  value: number;
  /** Only when grouped by lot: the lot or serial (null for stock without one). */
  lot?: { lotId: string | null; code: string | null; expiresOn: string | null };
}

export interface ValuationQuery {
  locationId?: string;
  asOf?: number;
  category?: string;
  /** 'lot': a line per item and lot, each lot valued at what it cost (see valuation-by-lot). */
  groupBy?: 'item' | 'lot';
}

export interface ValuationReport {
  asOf: number | null;
  locationId: string | null;
  totalValue: number;
  lines: ValuationLine[];
}

export async function inventoryValuation(ctx: ServiceContext, query: ValuationQuery): Promise<ValuationReport> {
  if (query.groupBy === 'lot') return inventoryValuationByLot(ctx, query);
  const lines = (query.asOf !== undefined ? await fromSnapshot(ctx, query, query.asOf) : null) ?? (await fromLedger(ctx, query));
  lines.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  return { asOf: query.asOf ?? null, locationId: query.locationId ?? null, totalValue: lines.reduce((sum, l) => sum + l.value, 0), lines };
}

/**
 * The total alone (the dashboard's tile): for the whole shop now, summed by the database from the
 * cost pools, as the per-item lines add up; any other question through the lines.
 */
export async function inventoryValueTotal(ctx: ServiceContext, query: ValuationQuery): Promise<number> {
  const wholeShopNow = query.asOf === undefined && !query.locationId && query.category === undefined && query.groupBy !== 'lot' && ctx.actor.sites === 'all';
  return wholeShopNow ? itemCostGrandTotal(ctx) : (await inventoryValuation(ctx, query)).totalValue;
}

/**
 * From the nearest daily snapshot: the whole shop, one site, or the actor's granted sites; null
 * when the location is not a site (a zone or a bin: snapshots are per site) or there is no
 * snapshot to use, and the ledger answers instead.
 */
async function fromSnapshot(ctx: ServiceContext, query: ValuationQuery, asOf: number): Promise<ValuationLine[] | null> {
  const db = reader(ctx);
  if (!query.locationId && ctx.actor.sites === 'all') return shopValuationFromSnapshot(db, asOf, query.category);
  let sites: string[];
  if (query.locationId) {
    const location = await getLocation(ctx, query.locationId);
    if (location.kind !== 'site') return null;
    sites = [location.id];
  } else {
    sites = [...ctx.actor.sites];
  }
  return siteValuationFromSnapshot(db, asOf, sites, query.category);
}

/** From the ledger: today's cost pools and balances, less everything after `asOf` when given. */
async function fromLedger(ctx: ServiceContext, query: ValuationQuery): Promise<ValuationLine[]> {
  const totals = await listItemCostTotals(ctx);
  if (query.asOf !== undefined) await rollBack(ctx, totals, query.asOf);
  const unitCost = (itemId: string) => {
    const t = totals.get(itemId);
    if (!t) return 0;
    return t.qty > 0 ? unitCostOf(t.value, t.qty) : t.lastUnitCost;
  };

  let quantities: Array<{ itemId: string; qty: number; value: number }>;
  if (query.locationId || ctx.actor.sites !== 'all') {
    const lines = [];
    let cursor: string | undefined;
    do {
      const page = await listBalances(ctx, { locationId: query.locationId, asOf: query.asOf, groupBy: 'item', includeVirtual: false, limit: 500, cursor });
      lines.push(...page.lines);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    quantities = lines.map((l) => ({ itemId: l.itemId, qty: l.onHand, value: mulDiv(l.onHand, unitCost(l.itemId), QTY_SCALE) }));
  } else {
    quantities = [...totals.entries()].filter(([, t]) => t.qty !== 0 || t.value !== 0).map(([itemId, t]) => ({ itemId, qty: t.qty, value: t.value }));
  }

  const items = await itemNames(reader(ctx), quantities.map((q) => q.itemId));
  const lines: ValuationLine[] = [];
  for (const q of quantities) {
    const item = items.get(q.itemId);
    if (!item || (query.category !== undefined && item.category !== query.category)) continue;
    lines.push({ itemId: q.itemId, sku: item.sku, name: item.name, category: item.category, qty: q.qty, unitCost: q.qty !== 0 ? unitCostOf(q.value, q.qty) : unitCost(q.itemId), value: q.value });
  }
  return lines;
}

/** SKU, name and category of the items, by id: the few columns a line shows, not the whole catalog row. */
async function itemNames(db: Executor, ids: readonly string[]): Promise<Map<string, { sku: string; name: string; category: string | null }>> {
  const out = new Map<string, { sku: string; name: string; category: string | null }>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('items').select(['id', 'sku', 'name', 'category']).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/** Each item's cost pool as of `asOf`: today's pool less everything after it (the last unit cost stays today's). */
async function rollBack(ctx: ServiceContext, totals: Map<string, { qty: number; value: number; lastUnitCost: number }>, asOf: number): Promise<void> {
  for (const [itemId, change] of await valuedChangesSince(reader(ctx), asOf)) {
    const now = totals.get(itemId) ?? { qty: 0, value: 0, lastUnitCost: 0 };
    totals.set(itemId, { ...now, qty: now.qty - change.qty, value: now.value - change.value });
  }
}
