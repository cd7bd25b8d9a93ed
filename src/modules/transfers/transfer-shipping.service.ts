import { sql } from 'kysely';
import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { currentUnitCosts } from '../costing/index.ts';
import { postMovements, type MovementInput } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { TransferError } from './transfers.errors.ts';
import type { ShipInput } from './transfers.schema.ts';
import { assertSide, assertStatus, getTransfer, lockTransfer, type TransferAllocationRecord, type TransferRecord } from './transfers.service.ts';

/**
 * Shipping moves stock from its source bins into the `transit` location, consuming the
 * reservations made when the transfer was allocated, in one ledger transaction. The ledger's
 * guarded write is what refuses a strict site's stock that is not there (409
 * insufficient_stock); a reservation is only ever taken by a guarded update, so what a transfer
 * holds is there to ship. Cost layers are kept per item across every owned location (transit is
 * one), so the goods keep exactly the cost they had: a transfer carries cost, it never re-values.
 * The line records that carried value (the item's cost when it shipped) so the transfer can show
 * where it went.
 */

export async function shipTransfer(ctx: ServiceContext, id: string, input: ShipInput): Promise<TransferRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const transfer = await lockTransfer(tctx, id);
    assertSide(ctx.actor, transfer, 'source', 'ship');
    assertStatus(transfer, ['draft', 'picked', 'in_transit'], 'ship');
    const record = await getTransfer(tctx, id);
    const plan = input.lines ? planRequested(record, input.lines) : planDefault(record.allocations);
    if (plan.size === 0) throw new TransferError('transfer_nothing_to_ship', `Everything on ${transfer.number} has shipped.`);

    const byId = new Map(record.allocations.map((a) => [a.id, a]));
    const movements: MovementInput[] = [...plan].map(([allocationId, qty]) => {
      const a = byId.get(allocationId)!;
      return {
        itemId: record.lines.find((l) => l.id === a.line_id)!.item_id,
        lotId: a.lot_id,
        fromLocationId: a.location_id,
        toLocationId: VIRTUAL_LOCATION_IDS.transit,
        qty,
        ...(a.reservation_id ? { reservationId: a.reservation_id } : {}),
        documentLineId: a.line_id,
      };
    });
    const posted = await postMovements(tctx, { kind: 'transfer', reason: 'transfer_shipped', documentType: 'transfer', documentId: id, effectiveAt: input.effective_at, movements });
    const now = ctx.clock.now();
    for (const [allocationId, qty] of plan) {
      const done = await trx
        .updateTable('transfer_allocations')
        .set({ qty_shipped: sql`qty_shipped + ${qty}` })
        .where('id', '=', allocationId)
        .where(sql<boolean>`qty_shipped + ${qty} <= qty`)
        .executeTakeFirst();
      if (done.numUpdatedRows === 0n) throw new TransferError('transfer_state', `Allocation ${allocationId} shipped meanwhile; try again.`);
      // A fully shipped allocation's reservation was consumed to nothing and deleted by the ledger.
      await trx.updateTable('transfer_allocations').set({ reservation_id: null }).where('id', '=', allocationId).where(sql<boolean>`qty_shipped = qty`).execute();
    }
    await addShippedToLines(tctx, record, movements);
    await trx
      .insertInto('transfer_postings')
      .values({ id: newId('trp', now), transfer_id: id, kind: 'shipment', txn_id: posted.txnId, actor_id: ctx.actor.id, note: input.note ?? null, effective_at: posted.effectiveAt, created_at: now })
      .execute();
    await trx
      .updateTable('transfers')
      .set({ status: 'in_transit', first_shipped_at: transfer.first_shipped_at ?? posted.effectiveAt, updated_at: now })
      .where('id', '=', id)
      .execute();
    return getTransfer(tctx, id);
  });
}

/** What the caller asked to ship, per line, taken from allocations picked-but-unshipped first, then in allocation order. */
function planRequested(record: TransferRecord, lines: NonNullable<ShipInput['lines']>): Map<string, number> {
  const plan = new Map<string, number>();
  for (const [i, spec] of lines.entries()) {
    const line = record.lines.find((l) => (spec.line_id ? l.id === spec.line_id : l.item_id === spec.item_id));
    if (!line || (!spec.line_id && !spec.item_id)) {
      throw new TransferError('transfer_line_invalid', `Line ${i + 1} names nothing on ${record.transfer.number}; give its line_id or item_id.`, {
        errors: [{ field: `body.lines.${i}.line_id`, code: 'not_found', message: 'not a line of this transfer' }],
      });
    }
    const allocations = record.allocations
      .filter((a) => a.line_id === line.id)
      .sort((a, b) => pickedOpen(b) - pickedOpen(a) || a.seq - b.seq);
    let left = spec.qty;
    for (const a of allocations) {
      const open = a.qty - a.qty_shipped - (plan.get(a.id) ?? 0);
      const take = Math.min(left, open);
      if (take <= 0) continue;
      plan.set(a.id, (plan.get(a.id) ?? 0) + take);
      left -= take;
    }
    if (left > 0) {
      throw new TransferError('transfer_line_invalid', `Only ${(spec.qty - left) / QTY_SCALE} of ${line.sku} is left to ship on ${record.transfer.number}.`, {
        errors: [{ field: `body.lines.${i}.qty`, code: 'exceeds_allocated', message: 'more than is left to ship' }],
      });
    }
  }
  return plan;
}

function pickedOpen(a: TransferAllocationRecord): number {
  return Math.max(0, a.qty_picked - a.qty_shipped);
}

/** Everything picked and not yet shipped; when nothing was picked (no scanner), everything still to ship. */
function planDefault(allocations: TransferAllocationRecord[]): Map<string, number> {
  const picked = allocations.filter((a) => pickedOpen(a) > 0);
  if (picked.length) return new Map(picked.map((a) => [a.id, pickedOpen(a)]));
  return new Map(allocations.filter((a) => a.qty > a.qty_shipped).map((a) => [a.id, a.qty - a.qty_shipped]));
}

async function addShippedToLines(ctx: ServiceContext & { trx: Trx }, record: TransferRecord, movements: MovementInput[]): Promise<void> {
  const byLine = new Map<string, number>();
  for (const m of movements) byLine.set(m.documentLineId!, (byLine.get(m.documentLineId!) ?? 0) + m.qty);
  const unitCosts = await currentUnitCosts(ctx.trx, record.lines.filter((l) => byLine.has(l.id)).map((l) => l.item_id));
  for (const [lineId, qty] of byLine) {
    const line = record.lines.find((l) => l.id === lineId)!;
    const value = mulDiv(qty, unitCosts.get(line.item_id) ?? 0, QTY_SCALE);
    await ctx.trx
      .updateTable('transfer_lines')
      .set({ qty_shipped: sql`qty_shipped + ${qty}`, value_shipped_micros: sql`value_shipped_micros + ${value}` })
      .where('id', '=', lineId)
      .execute();
  }
}
