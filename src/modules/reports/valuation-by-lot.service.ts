import { reader, type ServiceContext } from '../../platform/context.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { findItems } from '../catalog/index.ts';
import { listItemCostTotals, listLotCostTotals, unitCostOf } from '../costing/index.ts';
import { findLots, listBalances, NO_LOT, ownedStockByLot, valuedChangesSince, valuedChangesSinceByLot } from '../ledger/index.ts';
import type { ValuationLine, ValuationQuery, ValuationReport } from './valuation.service.ts';

/**
 * Inventory valuation with a line per lot (and serial). A FIFO item's layers carry their lot, so
 * each lot is worth what it cost: its open layers less what was sold of it before it was
 * recorded. A location's share of a lot is valued at that lot's unit cost. The lots of an average
 * item share its pool, so each is valued at the item's unit cost (for the whole shop the item's
 * value is shared out in proportion, to the micro, so the lines add up to the item's value).
 */

type Key = string;
const keyOf = (itemId: string, lotId: string): Key => `${itemId}\u0000${lotId}`;
const splitKey = (key: Key) => key.split('\u0000') as [string, string];

export async function inventoryValuationByLot(ctx: ServiceContext, query: ValuationQuery): Promise<ValuationReport> {
  const db = reader(ctx);
  const [totals, lotTotals] = await Promise.all([listItemCostTotals(ctx), listLotCostTotals(db)]);
  const lots = new Map(lotTotals.map((t) => [keyOf(t.itemId, t.lotId), { qty: t.qty, value: t.value }]));
  const lotChanges = query.asOf === undefined ? [] : await valuedChangesSinceByLot(db, query.asOf);
  if (query.asOf !== undefined) {
    for (const [itemId, change] of await valuedChangesSince(db, query.asOf)) {
      const now = totals.get(itemId) ?? { qty: 0, value: 0, lastUnitCost: 0 };
      totals.set(itemId, { ...now, qty: now.qty - change.qty, value: now.value - change.value });
    }
    for (const change of lotChanges) {
      const key = keyOf(change.itemId, change.lotId);
      const now = lots.get(key) ?? { qty: 0, value: 0 };
      lots.set(key, { qty: now.qty - change.qty, value: now.value - change.value });
    }
  }
  const itemUnitCost = (itemId: string) => {
    const t = totals.get(itemId);
    if (!t) return 0;
    return t.qty > 0 ? unitCostOf(t.value, t.qty) : t.lastUnitCost;
  };

  const wholeShop = !query.locationId && ctx.actor.sites === 'all';
  const quantities = new Map<Key, number>();
  if (wholeShop) {
    for (const s of await ownedStockByLot(db)) quantities.set(keyOf(s.itemId, s.lotId), s.qty);
    for (const c of lotChanges) {
      const key = keyOf(c.itemId, c.lotId);
      quantities.set(key, (quantities.get(key) ?? 0) - c.qty);
    }
  } else {
    let cursor: string | undefined;
    do {
      const page = await listBalances(ctx, { locationId: query.locationId, asOf: query.asOf, groupBy: 'none', includeVirtual: false, limit: 500, cursor });
      for (const l of page.lines) quantities.set(keyOf(l.itemId, l.lotId), (quantities.get(keyOf(l.itemId, l.lotId)) ?? 0) + l.onHand);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  const keys = new Set([...quantities.keys()].filter((k) => quantities.get(k) !== 0));
  const items = await findItems(db, [...new Set([...keys, ...(wholeShop ? lots.keys() : [])].map((k) => splitKey(k)[0]))]);
  if (wholeShop) for (const [key, lot] of lots) if (items.get(splitKey(key)[0])?.costing_method === 'fifo' && (lot.qty !== 0 || lot.value !== 0)) keys.add(key);

  const values = new Map<Key, { qty: number; value: number }>();
  const averageKeys = new Map<string, Key[]>();
  for (const key of keys) {
    const [itemId] = splitKey(key);
    const item = items.get(itemId);
    if (!item) continue;
    const qty = quantities.get(key) ?? 0;
    if (item.costing_method === 'average') {
      averageKeys.set(itemId, [...(averageKeys.get(itemId) ?? []), key]);
      values.set(key, { qty, value: mulDiv(qty, itemUnitCost(itemId), QTY_SCALE) });
      continue;
    }
    const lot = lots.get(key) ?? { qty: 0, value: 0 };
    if (wholeShop) values.set(key, lot);
    // A share of the lot is worth that share of the lot's value (exact, not through a rounded unit cost).
    else values.set(key, { qty, value: lot.qty > 0 ? mulDiv(qty, lot.value, lot.qty) : mulDiv(qty, itemUnitCost(itemId), QTY_SCALE) });
  }
  // For the whole shop, an average item's value is shared over its lots exactly.
  if (wholeShop) {
    for (const [itemId, itemKeys] of averageKeys) {
      const t = totals.get(itemId);
      const lotQty = itemKeys.reduce((sum, k) => sum + values.get(k)!.qty, 0);
      if (!t || t.qty <= 0 || lotQty !== t.qty) continue;
      let left = t.value;
      itemKeys.forEach((k, i) => {
        const line = values.get(k)!;
        line.value = i === itemKeys.length - 1 ? left : mulDiv(line.qty, t.value, t.qty);
        left -= line.value;
      });
    }
  }

  const lotRows = await findLots(db, [...values.keys()].map((k) => splitKey(k)[1]));
  const lines: ValuationLine[] = [];
  for (const [key, v] of values) {
    const [itemId, lotId] = splitKey(key);
    const item = items.get(itemId)!;
    if (query.category !== undefined && item.category !== query.category) continue;
    const lot = lotRows.get(lotId);
    lines.push({
      itemId,
      sku: item.sku,
      name: item.name,
      category: item.category,
      qty: v.qty,
      unitCost: v.qty !== 0 ? unitCostOf(v.value, v.qty) : itemUnitCost(itemId),
      value: v.value,
      lot: { lotId: lotId === NO_LOT ? null : lotId, code: lot?.code ?? null, expiresOn: lot?.expires_on ?? null },
    });
  }
  lines.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : compareLots(a.lot!, b.lot!)));
  return { asOf: query.asOf ?? null, locationId: query.locationId ?? null, totalValue: lines.reduce((sum, l) => sum + l.value, 0), lines };
}

/** Soonest expiry first (no expiry last), then by code. */
function compareLots(a: { expiresOn: string | null; code: string | null }, b: { expiresOn: string | null; code: string | null }): number {
  if (a.expiresOn !== b.expiresOn) {
    if (a.expiresOn === null) return 1;
    if (b.expiresOn === null) return -1;
    return a.expiresOn < b.expiresOn ? -1 : 1;
  }
  return (a.code ?? '') < (b.code ?? '') ? -1 : (a.code ?? '') > (b.code ?? '') ? 1 : 0;
}
