import { reader, type ServiceContext } from '../../platform/context.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { findItems } from '../catalog/index.ts';
import { listItemCostTotals, unitCostOf } from '../costing/index.ts';
import { listBalances, valuedChangesSince } from '../ledger/index.ts';

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
}

export interface ValuationReport {
  asOf: number | null;
  locationId: string | null;
  totalValue: number;
  lines: ValuationLine[];
}

export async function inventoryValuation(ctx: ServiceContext, query: { locationId?: string; asOf?: number; category?: string }): Promise<ValuationReport> {
  const totals = await listItemCostTotals(ctx);
  if (query.asOf !== undefined) {
    for (const [itemId, change] of await valuedChangesSince(reader(ctx), query.asOf)) {
      const now = totals.get(itemId) ?? { qty: 0, value: 0, lastUnitCost: 0 };
      totals.set(itemId, { ...now, qty: now.qty - change.qty, value: now.value - change.value });
    }
  }
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

  const items = await findItems(reader(ctx), quantities.map((q) => q.itemId));
  const lines: ValuationLine[] = [];
  for (const q of quantities) {
    const item = items.get(q.itemId);
    if (!item || (query.category !== undefined && item.category !== query.category)) continue;
    lines.push({ itemId: q.itemId, sku: item.sku, name: item.name, category: item.category, qty: q.qty, unitCost: q.qty !== 0 ? unitCostOf(q.value, q.qty) : unitCost(q.itemId), value: q.value });
  }
  lines.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  return { asOf: query.asOf ?? null, locationId: query.locationId ?? null, totalValue: lines.reduce((sum, l) => sum + l.value, 0), lines };
}
