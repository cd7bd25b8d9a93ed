import { sql } from 'kysely';
import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { ReservationRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { testControls } from '../../platform/test-controls.ts';
import { applyWithBrokenGuard } from './broken-guard.ts';
import { loadStockPolicies, type StockPolicy } from '../locations/index.ts';
import { loadItemRules } from './item-rules.ts';
import { insufficientStock, LedgerError } from './ledger.errors.ts';
import { NO_LOT } from './lots.service.ts';
import { notifyStockObservers } from './stock-observers.ts';

/**
 * A reservation promises stock at one bin (and lot) to an open document:
 * `available = on_hand − reserved`. Reserving is a guarded update, so two orders cannot both be
 * promised the last unit; shipping consumes it through `postMovements`; cancelling releases it.
 */

export interface ReserveInput {
  itemId: string;
  locationId: string;
  lotId?: string;
  qty: number;
  documentType: string;
  documentId: string;
  documentLineId?: string | null;
  expiresAt?: number | null;
  /**
   * Item rows and bins' stock policies the caller read earlier in the same transaction (an order's
   * items, the bins its allocation chose), taken instead of reading them again for each reservation.
   */
  known?: { items?: Parameters<typeof loadItemRules>[2]; policies?: ReadonlyMap<string, StockPolicy> };
}

export async function reserveStock(ctx: ServiceContext, input: ReserveInput): Promise<ReservationRow> {
  return inTransaction(ctx, async (trx) => {
    const lotId = input.lotId ?? NO_LOT;
    if (!Number.isSafeInteger(input.qty) || input.qty <= 0) throw new LedgerError('reservation_invalid', 'A reservation holds a positive quantity.');
    const known = input.known;
    const [policies, items] = await Promise.all([
      known?.policies?.has(input.locationId) ? known.policies : loadStockPolicies(trx, [input.locationId]),
      loadItemRules(trx, [input.itemId], known?.items),
    ]);
    const policy = policies.get(input.locationId);
    const item = items.get(input.itemId);
    if (!policy?.holdsStock || policy.kind === 'virtual') throw new LedgerError('reservation_invalid', 'Stock is reserved at a physical bin.');
    if (!item?.stocked || !item.active) throw new LedgerError('item_not_stockable', 'Only active stocked items can be reserved.');
    if ((item.tracking === 'none') !== (lotId === NO_LOT)) {
      throw new LedgerError(lotId === NO_LOT ? 'lot_required' : 'lot_invalid', 'Reserve a tracked item by lot, an untracked one without.');
    }
    const now = ctx.clock.now();
    // The oversell suite's negative control; testControls keeps it off everywhere but there.
    if (testControls.stockGuard !== 'guarded') {
      await applyWithBrokenGuard(trx, testControls.stockGuard, { itemId: input.itemId, locationId: input.locationId, lotId, onHand: 0, reserved: input.qty }, now);
      return insertReservation(trx, input, lotId, now);
    }
    const updated = await trx
      .updateTable('balances')
      .set({ reserved: sql`reserved + ${input.qty}`, updated_at: now })
      .where('item_id', '=', input.itemId)
      .where('location_id', '=', input.locationId)
      .where('lot_id', '=', lotId)
      .where(sql<boolean>`on_hand - reserved >= ${input.qty}`)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) {
      const row = await trx
        .selectFrom('balances')
        .select(['on_hand', 'reserved'])
        .where('item_id', '=', input.itemId)
        .where('location_id', '=', input.locationId)
        .where('lot_id', '=', lotId)
        .executeTakeFirst();
      throw insufficientStock({
        item_id: input.itemId,
        location_id: input.locationId,
        lot_id: lotId || null,
        requested: input.qty / QTY_SCALE,
        available: row ? Math.max(0, row.on_hand - row.reserved) / QTY_SCALE : 0,
      });
    }
    return insertReservation(trx, input, lotId, now);
  });
}

async function insertReservation(trx: Trx, input: ReserveInput, lotId: string, now: number): Promise<ReservationRow> {
  const reservation: ReservationRow = {
    id: newId('res', now),
    item_id: input.itemId,
    location_id: input.locationId,
    lot_id: lotId,
    qty: input.qty,
    document_type: input.documentType,
    document_id: input.documentId,
    document_line_id: input.documentLineId ?? null,
    expires_at: input.expiresAt ?? null,
    created_at: now,
    updated_at: now,
  };
  await trx.insertInto('reservations').values(reservation).execute();
  await notifyStockObservers(trx, [{ itemId: input.itemId, locationId: input.locationId }], now);
  return reservation;
}

/**
 * Releases `qty` of a reservation (all of it when omitted); returns what is left promised.
 * The reservation is taken down by a compare-and-set on its quantity, so a release racing a
 * shipment that consumes the same reservation (or another release) cannot free stock twice.
 */
export async function releaseReservation(ctx: ServiceContext, reservationId: string, qty?: number): Promise<number> {
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const reservation = await trx.selectFrom('reservations').selectAll().where('id', '=', reservationId).executeTakeFirst();
      if (!reservation) throw new LedgerError('reservation_not_found', `No reservation ${reservationId}.`);
      const release = qty ?? reservation.qty;
      if (!Number.isSafeInteger(release) || release <= 0 || release > reservation.qty) {
        throw new LedgerError('reservation_invalid', `Release between 0 and ${reservation.qty / QTY_SCALE}.`);
      }
      const left = reservation.qty - release;
      const taken = await trx
        .updateTable('reservations')
        .set({ qty: left, updated_at: now })
        .where('id', '=', reservationId)
        .where('qty', '=', reservation.qty)
        .executeTakeFirst();
      // Someone else changed it since we read it: read it again.
      if (taken.numUpdatedRows === 0n) continue;
      if (left === 0) await trx.deleteFrom('reservations').where('id', '=', reservationId).execute();
      await trx
        .updateTable('balances')
        .set({ reserved: sql`reserved - ${release}`, updated_at: now })
        .where('item_id', '=', reservation.item_id)
        .where('location_id', '=', reservation.location_id)
        .where('lot_id', '=', reservation.lot_id)
        .execute();
      await notifyStockObservers(trx, [{ itemId: reservation.item_id, locationId: reservation.location_id }], now);
      return left;
    }
    throw new LedgerError('reservation_invalid', `Reservation ${reservationId} kept changing; try again.`);
  });
}

/** The open reservations of several documents at once (a page of orders). */
export async function listReservationsOfDocuments(db: Executor, documentIds: readonly string[]): Promise<ReservationRow[]> {
  if (documentIds.length === 0) return [];
  return db.selectFrom('reservations').selectAll().where('document_id', 'in', [...new Set(documentIds)]).orderBy('id').execute();
}

export async function listReservationsOfDocument(ctx: ServiceContext, documentId: string): Promise<ReservationRow[]> {
  const db = ctx.trx ?? ctx.db.kysely;
  return db.selectFrom('reservations').selectAll().where('document_id', '=', documentId).orderBy('id').execute();
}

/**
 * Sets or clears (null) the expiry of every reservation of a document: an order that is paid keeps
 * its stock. Returns the document's reservations as they now are, in id order (as
 * `listReservationsOfDocument`), so the caller need not read them again.
 */
export async function setReservationExpiry(ctx: ServiceContext, documentId: string, expiresAt: number | null): Promise<ReservationRow[]> {
  return inTransaction(ctx, async (trx) => {
    const rows = await trx
      .updateTable('reservations')
      .set({ expires_at: expiresAt, updated_at: ctx.clock.now() })
      .where('document_id', '=', documentId)
      .returningAll()
      .execute();
    return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  });
}

/** Releases every reservation whose time is up; returns how many. Run by a timer and by tests. */
export async function releaseExpiredReservations(ctx: ServiceContext, limit = 500): Promise<number> {
  const db = ctx.trx ?? ctx.db.kysely;
  const expired = await db
    .selectFrom('reservations')
    .select('id')
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', ctx.clock.now())
    .limit(limit)
    .execute();
  for (const { id } of expired) {
    try {
      await releaseReservation(ctx, id);
    } catch (error) {
      // Consumed or released by someone else in between: nothing left to release.
      if (!(error instanceof LedgerError && error.code === 'reservation_not_found')) throw error;
    }
  }
  return expired.length;
}
