import type { ItemRow, LocationRow } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import type { FieldError } from '../../platform/errors.ts';
import { findLotsByCode, listLotsOfItem, listPickableStock, NO_LOT } from '../ledger/index.ts';
import { SalesError } from './sales.errors.ts';

/**
 * Which lot each part of a counter sale leaves from. Untracked items carry no lot. A line may name
 * the lot or serial it sold; a serial must be named. A lot-tracked part that names none (the milk
 * in a latte) is drawn FEFO from the lots at the bin sold from; what they do not cover goes to the
 * lot expiring last, which an allow-negative store takes below zero and a strict one refuses.
 * Nothing is read when no part is tracked.
 */

export interface PartNeed {
  line: number;
  itemId: string;
  qty: number;
  lotCode: string | null;
}

export interface PartPiece {
  line: number;
  itemId: string;
  lotId: string;
  qty: number;
}

export async function assignSaleLots(db: Executor, bin: LocationRow, needs: readonly PartNeed[], items: Map<string, ItemRow>, today: string): Promise<PartPiece[]> {
  const tracked = needs.filter((n) => items.get(n.itemId)!.tracking !== 'none');
  if (tracked.length === 0) return needs.map((n) => ({ line: n.line, itemId: n.itemId, lotId: NO_LOT, qty: n.qty }));

  const named = tracked.filter((n) => n.lotCode !== null);
  const unnamed = tracked.filter((n) => n.lotCode === null);
  const [lotsByCode, pickable] = await Promise.all([
    findLotsByCode(db, named.map((n) => ({ itemId: n.itemId, code: n.lotCode! }))),
    unnamed.length ? listPickableStock(db, { itemIds: unnamed.map((n) => n.itemId), siteIds: [bin.site_id!], today }) : Promise.resolve([]),
  ]);
  const spare = new Map<string, number>();
  const atBin = pickable.filter((p) => p.locationId === bin.id);
  for (const p of atBin) spare.set(`${p.itemId}\u0000${p.lotId}`, p.available);

  const errors: FieldError[] = [];
  const pieces: PartPiece[] = [];
  for (const need of needs) {
    const item = items.get(need.itemId)!;
    const field = `body.lines.${need.line}.lot_code`;
    if (item.tracking === 'none') {
      if (need.lotCode !== null) errors.push({ field, code: 'not_tracked', message: `${item.sku} is not tracked by lot` });
      pieces.push({ line: need.line, itemId: need.itemId, lotId: NO_LOT, qty: need.qty });
    } else if (need.lotCode !== null) {
      const lot = lotsByCode.get(`${need.itemId}\u0000${need.lotCode}`);
      if (!lot) errors.push({ field, code: 'not_found', message: `${item.sku} has no ${item.tracking} ${need.lotCode}` });
      else pieces.push({ line: need.line, itemId: need.itemId, lotId: lot.id, qty: need.qty });
    } else if (item.tracking === 'serial') {
      errors.push({ field, code: 'required', message: `${item.sku} is sold by serial number; give it` });
    } else {
      pieces.push(...(await drawFefo(db, need, atBin, spare, item)));
    }
  }
  if (errors.length) throw new SalesError('sale_line_invalid', errors[0]!.message, { errors });
  return pieces;
}

async function drawFefo(db: Executor, need: PartNeed, atBin: ReadonlyArray<{ itemId: string; lotId: string }>, spare: Map<string, number>, item: ItemRow): Promise<PartPiece[]> {
  const pieces: PartPiece[] = [];
  let left = need.qty;
  for (const stock of atBin) {
    if (stock.itemId !== need.itemId || left === 0) continue;
    const key = `${stock.itemId}\u0000${stock.lotId}`;
    const take = Math.min(left, spare.get(key) ?? 0);
    if (take <= 0) continue;
    spare.set(key, spare.get(key)! - take);
    pieces.push({ line: need.line, itemId: need.itemId, lotId: stock.lotId, qty: take });
    left -= take;
  }
  if (left > 0) {
    const last = pieces[pieces.length - 1];
    if (last) last.qty += left;
    else {
      const lots = await listLotsOfItem(db, need.itemId);
      const latest = lots[lots.length - 1];
      if (!latest) throw new SalesError('sale_line_invalid', `${item.sku} is tracked by lot and has none recorded; give the lot.`);
      pieces.push({ line: need.line, itemId: need.itemId, lotId: latest.id, qty: left });
    }
  }
  return pieces;
}
