import { sql } from 'kysely';
import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { TransferDiscrepancyRow, TransferRow } from '../../platform/db/schema.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { NO_LOT, postMovements, type MovementInput } from '../ledger/index.ts';
import { findLocation, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { TransferError } from './transfers.errors.ts';
import type { ReceiveInput } from './transfers.schema.ts';
import { assertSide, assertStatus, getTransfer, lockTransfer, PPM, releaseUnshipped, type TransferLineRecord, type TransferRecord } from './transfers.service.ts';

/**
 * Receiving takes stock out of transit at the destination, as receiving a purchase order does
 * from the vendor, and flags what differs:
 *
 * - damaged: units that arrived damaged go from transit straight to scrap;
 * - short: a line this receipt counted that still has units in transit afterwards (they stay in
 *   transit: a later receipt may bring them, or closing the transfer writes them off as lost);
 * - over: good units beyond what is in transit for the line. Within the transfer's tolerance
 *   (a share of what was shipped) they come in from the adjustment location at the line's carried
 *   cost, flagged; beyond it the receipt is refused and nothing is written.
 *
 * Lots and serials come out of transit as they went in; a receipt that names no lot takes the
 * line's lots soonest expiry first. The carried value follows the units: what leaves transit
 * takes its share of the value still in transit, so shipped = received + damaged + lost + in
 * transit holds exactly, in micros.
 */

interface LineMoves {
  line: TransferLineRecord;
  good: Array<{ lotId: string; qty: number }>;
  damaged: Array<{ lotId: string; qty: number }>;
  over: { lotId: string; qty: number } | null;
  /** What this receipt left in transit on a line it counted. */
  shortAfter: number;
}

export async function receiveTransfer(ctx: ServiceContext, id: string, input: ReceiveInput): Promise<TransferRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const transfer = await lockTransfer(tctx, id);
    assertSide(ctx.actor, transfer, 'destination', 'receive');
    assertStatus(transfer, ['in_transit'], 'be received (nothing is in transit)');
    const binId = await receivingBin(trx, transfer, input.bin_id);
    const record = await getTransfer(tctx, id);
    const moves = planReceipt(record, input);
    if (moves.every((m) => m.good.length === 0 && m.damaged.length === 0 && m.over === null)) {
      throw new TransferError('transfer_receive_invalid', `The receipt brings nothing into ${transfer.number}.`);
    }
    const now = ctx.clock.now();
    const postingId = newId('trp', now);
    const txnId = await postReceipt(tctx, transfer, binId, moves, input.effective_at);
    await trx
      .insertInto('transfer_postings')
      .values({ id: postingId, transfer_id: id, kind: 'receipt', txn_id: txnId, actor_id: ctx.actor.id, note: input.note ?? null, effective_at: input.effective_at ?? now, created_at: now })
      .execute();
    await recordLineProgress(trx, moves);
    const discrepancies = flag(moves, transfer, postingId, now);
    if (discrepancies.length) await trx.insertInto('transfer_discrepancies').values(discrepancies).execute();
    await trx.updateTable('transfers').set({ last_received_at: input.effective_at ?? now, updated_at: now }).where('id', '=', id).execute();
    await settleStatus(trx, id, now);
    if (input.close) return closeTransfer(tctx, id, input.note);
    return getTransfer(tctx, id);
  });
}

async function receivingBin(trx: Trx, transfer: TransferRow, binId: string | undefined): Promise<string> {
  if (binId === undefined) return transfer.destination_bin_id;
  const bin = await findLocation(trx, binId);
  if (!bin || bin.kind !== 'bin' || bin.site_id !== transfer.destination_site_id || bin.status !== 'active') {
    throw new TransferError('transfer_receive_invalid', `${binId} is not an active bin of the destination site.`, {
      errors: [{ field: 'body.bin_id', code: 'not_destination', message: 'not a bin of the destination site' }],
    });
  }
  return bin.id;
}

function planReceipt(record: TransferRecord, input: ReceiveInput): LineMoves[] {
  const expiry = new Map(record.allocations.map((a) => [a.lot_id, a.expiresOn ?? '9999-12-31']));
  const inTransit = new Map(record.lines.map((l) => [l.id, l.inTransit.map((t) => ({ ...t })).sort((a, b) => (expiry.get(a.lotId) ?? '9999-12-31').localeCompare(expiry.get(b.lotId) ?? '9999-12-31') || a.lotId.localeCompare(b.lotId))]));
  const specs =
    input.lines ??
    record.lines.filter((l) => l.inTransit.length > 0).map((l) => ({ line_id: l.id, item_id: undefined, lot_code: undefined, qty: l.inTransit.reduce((s, t) => s + t.qty, 0), damaged_qty: 0 }));
  const moves = new Map<string, LineMoves>();
  for (const [i, spec] of specs.entries()) {
    const fail = (field: string, code: string, message: string): never => {
      throw new TransferError('transfer_receive_invalid', message, { errors: [{ field: `body.lines.${i}.${field}`, code, message }] });
    };
    const line = record.lines.find((l) => (spec.line_id ? l.id === spec.line_id : l.item_id === spec.item_id));
    if (!line || (!spec.line_id && !spec.item_id)) return fail('line_id', 'not_found', `Line ${i + 1} names nothing on ${record.transfer.number}; give its line_id or item_id.`);
    const entry = moves.get(line.id) ?? { line, good: [], damaged: [], over: null, shortAfter: 0 };
    moves.set(line.id, entry);
    const lots = inTransit.get(line.id)!;
    let lotIds = lots.map((t) => t.lotId);
    if (spec.lot_code !== undefined) {
      const lot = record.allocations.find((a) => a.line_id === line.id && a.lotCode === spec.lot_code) ?? null;
      lotIds = lot ? [lot.lot_id] : [];
      if (!lot || line.tracking === 'none') fail('lot_code', 'not_in_transit', `${line.sku} ${spec.lot_code} was not shipped on ${record.transfer.number}.`);
    } else if (line.tracking !== 'none' && (spec.qty > 0 || (spec.damaged_qty ?? 0) > 0) && lots.length === 0) {
      fail('qty', 'nothing_in_transit', `Nothing of ${line.sku} is in transit on ${record.transfer.number}.`);
    }
    const damaged = spec.damaged_qty ?? 0;
    const available = lots.filter((t) => lotIds.includes(t.lotId)).reduce((s, t) => s + t.qty, 0);
    if (damaged > available) fail('damaged_qty', 'exceeds_in_transit', `Only ${available / QTY_SCALE} of ${line.sku} is in transit; more cannot arrive damaged.`);
    entry.damaged.push(...take(lots, lotIds, damaged));
    const fromTransit = Math.min(spec.qty, available - damaged);
    entry.good.push(...take(lots, lotIds, fromTransit));
    const over = spec.qty - fromTransit;
    if (over > 0) {
      if (line.tracking === 'serial') fail('qty', 'serial_not_shipped', `More serial numbers of ${line.sku} than were shipped; receive the extra one as found stock instead.`);
      const overTotal = line.qty_over + (entry.over?.qty ?? 0) + over;
      if (BigInt(overTotal) * BigInt(PPM) > BigInt(line.qty_shipped) * BigInt(record.transfer.over_tolerance_ppm)) {
        throw new TransferError(
          'transfer_over_receipt',
          `${line.sku}: ${spec.qty / QTY_SCALE} received but only ${(fromTransit + damaged) / QTY_SCALE} is in transit, beyond the transfer's tolerance.`,
          { extra: { line_id: line.id, in_transit: (available) / QTY_SCALE, received: spec.qty / QTY_SCALE }, errors: [{ field: `body.lines.${i}.qty`, code: 'over_tolerance', message: 'more than was shipped, beyond tolerance' }] },
        );
      }
      const lotId = lotIds[lotIds.length - 1] ?? line.inTransit[line.inTransit.length - 1]?.lotId ?? record.allocations.find((a) => a.line_id === line.id)?.lot_id ?? NO_LOT;
      entry.over = { lotId, qty: (entry.over?.qty ?? 0) + over };
    }
  }
  for (const entry of moves.values()) entry.shortAfter = input.lines ? (inTransit.get(entry.line.id) ?? []).reduce((s, t) => s + t.qty, 0) : 0;
  return [...moves.values()];
}

/** Takes `qty` off the lots in transit (in their order), returning what came from which lot. */
function take(lots: Array<{ lotId: string; qty: number }>, lotIds: string[], qty: number): Array<{ lotId: string; qty: number }> {
  const taken: Array<{ lotId: string; qty: number }> = [];
  let left = qty;
  for (const t of lots) {
    if (left === 0) break;
    if (!lotIds.includes(t.lotId) || t.qty === 0) continue;
    const q = Math.min(left, t.qty);
    t.qty -= q;
    left -= q;
    taken.push({ lotId: t.lotId, qty: q });
  }
  return taken;
}

/** Good units into the bin, damaged ones to scrap, over-receipts in from the adjustment location; one ledger transaction each kind. */
async function postReceipt(ctx: ServiceContext & { trx: Trx }, transfer: TransferRow, binId: string, moves: LineMoves[], effectiveAt: number | undefined): Promise<string | null> {
  const base = { kind: 'transfer' as const, documentType: 'transfer', documentId: transfer.id, effectiveAt };
  const good: MovementInput[] = moves.flatMap((m) => m.good.map((g) => ({ itemId: m.line.item_id, lotId: g.lotId, fromLocationId: VIRTUAL_LOCATION_IDS.transit, toLocationId: binId, qty: g.qty, documentLineId: m.line.id })));
  const damaged: MovementInput[] = moves.flatMap((m) =>
    m.damaged.map((d) => ({ itemId: m.line.item_id, lotId: d.lotId, fromLocationId: VIRTUAL_LOCATION_IDS.transit, toLocationId: VIRTUAL_LOCATION_IDS.scrap, qty: d.qty, documentLineId: m.line.id })),
  );
  const over: MovementInput[] = moves.flatMap((m) =>
    m.over
      ? [{ itemId: m.line.item_id, lotId: m.over.lotId, fromLocationId: VIRTUAL_LOCATION_IDS.adjustment, toLocationId: binId, qty: m.over.qty, unitCostMicros: carriedUnitCost(m.line), documentLineId: m.line.id }]
      : [],
  );
  const txnIds: string[] = [];
  if (good.length) txnIds.push((await postMovements(ctx, { ...base, reason: 'transfer_received', movements: good })).txnId);
  if (damaged.length) txnIds.push((await postMovements(ctx, { ...base, reason: 'transfer_damaged', movements: damaged })).txnId);
  if (over.length) txnIds.push((await postMovements(ctx, { ...base, reason: 'transfer_over', movements: over })).txnId);
  return txnIds[0] ?? null;
}

function carriedUnitCost(line: TransferLineRecord): number {
  return line.qty_shipped > 0 ? mulDiv(line.value_shipped_micros, QTY_SCALE, line.qty_shipped) : 0;
}

/** The value still in transit on a line, and the share of it that `qty` units take out. */
function shareOfTransit(line: { qty_shipped: number; qty_received: number; qty_over: number; qty_damaged: number; qty_lost: number; value_shipped_micros: number; value_received_micros: number; value_damaged_micros: number; value_lost_micros: number }, qty: number): number {
  const qtyInTransit = line.qty_shipped - (line.qty_received - line.qty_over) - line.qty_damaged - line.qty_lost;
  const valueInTransit = line.value_shipped_micros - line.value_received_micros - line.value_damaged_micros - line.value_lost_micros;
  if (qty === 0 || qtyInTransit <= 0) return 0;
  return qty === qtyInTransit ? valueInTransit : mulDiv(qty, valueInTransit, qtyInTransit);
}

async function recordLineProgress(trx: Trx, moves: LineMoves[]): Promise<void> {
  for (const m of moves) {
    const line = { ...m.line };
    const damagedQty = m.damaged.reduce((s, d) => s + d.qty, 0);
    const damagedValue = shareOfTransit(line, damagedQty);
    line.qty_damaged += damagedQty;
    line.value_damaged_micros += damagedValue;
    const goodQty = m.good.reduce((s, g) => s + g.qty, 0);
    const goodValue = shareOfTransit(line, goodQty);
    const overQty = m.over?.qty ?? 0;
    await trx
      .updateTable('transfer_lines')
      .set({
        qty_received: sql`qty_received + ${goodQty + overQty}`,
        qty_over: sql`qty_over + ${overQty}`,
        qty_damaged: sql`qty_damaged + ${damagedQty}`,
        value_received_micros: sql`value_received_micros + ${goodValue}`,
        value_damaged_micros: sql`value_damaged_micros + ${damagedValue}`,
      })
      .where('id', '=', m.line.id)
      .execute();
  }
}

function flag(moves: LineMoves[], transfer: TransferRow, postingId: string, now: number): TransferDiscrepancyRow[] {
  const rows: TransferDiscrepancyRow[] = [];
  const add = (m: LineMoves, kind: TransferDiscrepancyRow['kind'], lotId: string, qty: number, detail: string) =>
    rows.push({ id: newId('trd', now), transfer_id: transfer.id, posting_id: postingId, line_id: m.line.id, item_id: m.line.item_id, lot_id: lotId, kind, qty, detail, created_at: now });
  for (const m of moves) {
    for (const d of m.damaged) add(m, 'damaged', d.lotId, d.qty, `${d.qty / QTY_SCALE} ${m.line.sku} arrived damaged and went to scrap.`);
    if (m.over) add(m, 'over', m.over.lotId, m.over.qty, `${m.over.qty / QTY_SCALE} ${m.line.sku} more than was shipped arrived (within tolerance).`);
    if (m.shortAfter > 0) add(m, 'short', NO_LOT, m.shortAfter, `${m.shortAfter / QTY_SCALE} ${m.line.sku} shipped has not arrived; it stays in transit.`);
  }
  return rows;
}

/** `received` once nothing is in transit and nothing is left to ship; `in_transit` before. */
async function settleStatus(trx: Trx, id: string, now: number): Promise<void> {
  const [lines, unshipped] = await Promise.all([
    trx.selectFrom('transfer_lines').select(['qty_shipped', 'qty_received', 'qty_over', 'qty_damaged', 'qty_lost']).where('transfer_id', '=', id).execute(),
    trx.selectFrom('transfer_allocations').select('id').where('transfer_id', '=', id).where(sql<boolean>`qty_shipped < qty`).limit(1).executeTakeFirst(),
  ]);
  const inTransit = lines.some((l) => l.qty_shipped - (l.qty_received - l.qty_over) - l.qty_damaged - l.qty_lost > 0);
  const status = !inTransit && !unshipped ? 'received' : 'in_transit';
  await trx.updateTable('transfers').set({ status, updated_at: now }).where('id', '=', id).where('status', 'in', ['in_transit', 'received']).execute();
}

/**
 * Closes the transfer at the destination: whatever has not shipped is released at the source,
 * and whatever is still in transit is written off as lost (to the adjustment location), so a
 * closed transfer leaves nothing in transit.
 */
export async function closeTransfer(ctx: ServiceContext, id: string, note?: string): Promise<TransferRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const transfer = await lockTransfer(tctx, id);
    assertSide(ctx.actor, transfer, 'destination', 'close');
    assertStatus(transfer, ['in_transit', 'received'], 'be closed (cancel it if nothing has shipped)');
    await releaseUnshipped(tctx, id);
    const record = await getTransfer(tctx, id);
    const now = ctx.clock.now();
    const postingId = newId('trp', now);
    const lost = record.lines.flatMap((l) => l.inTransit.map((t) => ({ line: l, lotId: t.lotId, qty: t.qty })));
    let txnId: string | null = null;
    if (lost.length) {
      const movements: MovementInput[] = lost.map((x) => ({
        itemId: x.line.item_id,
        lotId: x.lotId,
        fromLocationId: VIRTUAL_LOCATION_IDS.transit,
        toLocationId: VIRTUAL_LOCATION_IDS.adjustment,
        qty: x.qty,
        documentLineId: x.line.id,
      }));
      txnId = (await postMovements(tctx, { kind: 'transfer', reason: 'transfer_lost', documentType: 'transfer', documentId: id, movements })).txnId;
      for (const line of record.lines) {
        const qty = line.inTransit.reduce((s, t) => s + t.qty, 0);
        if (qty === 0) continue;
        const value = shareOfTransit(line, qty);
        await trx.updateTable('transfer_lines').set({ qty_lost: sql`qty_lost + ${qty}`, value_lost_micros: sql`value_lost_micros + ${value}` }).where('id', '=', line.id).execute();
      }
      await trx
        .insertInto('transfer_discrepancies')
        .values(
          lost.map((x) => ({
            id: newId('trd', now),
            transfer_id: id,
            posting_id: postingId,
            line_id: x.line.id,
            item_id: x.line.item_id,
            lot_id: x.lotId,
            kind: 'lost' as const,
            qty: x.qty,
            detail: `${x.qty / QTY_SCALE} ${x.line.sku} never arrived and was written off when the transfer closed.`,
            created_at: now,
          })),
        )
        .execute();
    }
    await trx
      .insertInto('transfer_postings')
      .values({ id: postingId, transfer_id: id, kind: 'close', txn_id: txnId, actor_id: ctx.actor.id, note: note ?? null, effective_at: now, created_at: now })
      .execute();
    await trx.updateTable('transfers').set({ status: 'closed', closed_at: now, updated_at: now }).where('id', '=', id).execute();
    return getTransfer(tctx, id);
  });
}
