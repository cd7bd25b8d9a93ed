import type { LocationRow } from '../../platform/db/schema.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { lockItemCosts } from '../costing/index.ts';
import { postMovements } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import type { PartPiece } from './sale-lots.ts';

/**
 * A sale rung up offline has already happened: the customer left with the goods, so replaying it
 * must not be refused. At an allow-negative store it posts like any counter sale (and flags the
 * negative). At a strict site the balance may not go below zero — warehouses and online channels
 * promise against it — so what the records do not cover is booked first as a shortage: an
 * adjustment movement (reason `offline_shortage`) from the adjustment location into the bin, on
 * the sale's document, dated at the sale. The bin lands at zero, never below; the shortage is on
 * the sale's receipt as a warning, in the ledger under its reason, and the item is listed as
 * needing a count at that site until a count of it is posted.
 */

export const OFFLINE_SHORTAGE_REASON = 'offline_shortage';

export interface OfflineShortage {
  itemId: string;
  locationId: string;
  lotId: string;
  qty: number;
}

export async function coverOfflineShortage(ctx: ServiceContext & { trx: Trx }, bin: LocationRow, saleId: string, pieces: readonly PartPiece[], effectiveAt: number, now: number): Promise<OfflineShortage[]> {
  if (bin.negative_stock !== 'strict' || pieces.length === 0) return [];
  const needed = new Map<string, { itemId: string; lotId: string; qty: number }>();
  for (const p of pieces) {
    const key = `${p.itemId}\u0000${p.lotId}`;
    const entry = needed.get(key) ?? { itemId: p.itemId, lotId: p.lotId, qty: 0 };
    entry.qty += p.qty;
    needed.set(key, entry);
  }
  const itemIds = [...new Set(pieces.map((p) => p.itemId))].sort();
  // Every posting that moves this item in or out of owned stock takes the same lock first, so the
  // balance read below still holds when the sale posts; the ledger's guard stays the last word.
  await lockItemCosts(ctx.trx, itemIds, now);
  const balances = await ctx.trx.selectFrom('balances').select(['item_id', 'lot_id', 'on_hand', 'reserved']).where('location_id', '=', bin.id).where('item_id', 'in', itemIds).execute();
  const available = new Map(balances.map((b) => [`${b.item_id}\u0000${b.lot_id}`, Number(b.on_hand) - Number(b.reserved)]));
  const shortages = shortfalls([...needed.entries()].map(([key, n]) => ({ ...n, available: available.get(key) ?? 0 }))).map((s) => ({ ...s, locationId: bin.id }));
  if (shortages.length === 0) return [];
  await postMovements(ctx, {
    kind: 'adjustment',
    reason: OFFLINE_SHORTAGE_REASON,
    documentType: 'sale',
    documentId: saleId,
    effectiveAt,
    allowArchived: true,
    movements: shortages.map((s) => ({ itemId: s.itemId, lotId: s.lotId, fromLocationId: VIRTUAL_LOCATION_IDS.adjustment, toLocationId: bin.id, qty: s.qty })),
  });
  return shortages;
}

/** What each (item, lot) needs beyond what is available to sell; nothing where stock covers it. */
export function shortfalls(needs: ReadonlyArray<{ itemId: string; lotId: string; qty: number; available: number }>): Array<{ itemId: string; lotId: string; qty: number }> {
  return needs.flatMap((n) => {
    const short = n.qty - Math.max(0, n.available);
    return short > 0 ? [{ itemId: n.itemId, lotId: n.lotId, qty: short }] : [];
  });
}
