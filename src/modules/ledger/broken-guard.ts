import { sql } from 'kysely';
import type { Trx } from '../../platform/db/transaction.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import type { StockGuardMode } from '../../platform/test-controls.ts';
import { insufficientStock } from './ledger.errors.ts';

/**
 * The stock guard broken on purpose, for the oversell suite's negative control only (see
 * platform/test-controls.ts: it cannot be switched on outside NODE_ENV=test). Never reached in a
 * shop. `read-then-write` is the bug this module's conditional UPDATEs exist to prevent: it reads
 * the balance, checks it, and writes back the quantity it computed, so two writers that read the
 * same row both pass the check and the second overwrites the first. `unchecked` writes the change
 * with no check at all.
 */

export interface GuardedChange {
  itemId: string;
  locationId: string;
  lotId: string;
  /** Change of on-hand (negative takes stock). */
  onHand: number;
  /** Change of reserved (positive reserves). */
  reserved: number;
}

/** Applies one guarded balance change the broken way; returns the on-hand it wrote. */
export async function applyWithBrokenGuard(trx: Trx, mode: Exclude<StockGuardMode, 'guarded'>, change: GuardedChange, now: number): Promise<number> {
  const where = { item_id: change.itemId, location_id: change.locationId, lot_id: change.lotId };
  if (mode === 'unchecked') {
    const row = await trx
      .updateTable('balances')
      .set({ on_hand: sql`on_hand + ${change.onHand}`, reserved: sql`reserved + ${change.reserved}`, updated_at: now })
      .where('item_id', '=', where.item_id)
      .where('location_id', '=', where.location_id)
      .where('lot_id', '=', where.lot_id)
      .returning('on_hand')
      .executeTakeFirst();
    return row?.on_hand ?? refuse(change, 0, 0);
  }
  const current = await trx
    .selectFrom('balances')
    .select(['on_hand', 'reserved'])
    .where('item_id', '=', where.item_id)
    .where('location_id', '=', where.location_id)
    .where('lot_id', '=', where.lot_id)
    .executeTakeFirst();
  const onHand = (current?.on_hand ?? 0) + change.onHand;
  const reserved = (current?.reserved ?? 0) + change.reserved;
  if (!current || onHand < reserved || onHand < 0) return refuse(change, current?.on_hand ?? 0, current?.reserved ?? 0);
  await trx
    .updateTable('balances')
    .set({ on_hand: onHand, reserved, updated_at: now })
    .where('item_id', '=', where.item_id)
    .where('location_id', '=', where.location_id)
    .where('lot_id', '=', where.lot_id)
    .execute();
  return onHand;
}

function refuse(change: GuardedChange, onHand: number, reserved: number): never {
  throw insufficientStock({
    item_id: change.itemId,
    location_id: change.locationId,
    lot_id: change.lotId || null,
    requested: Math.max(-change.onHand, change.reserved) / QTY_SCALE,
    available: Math.max(0, onHand - reserved) / QTY_SCALE,
  });
}
