import { sql } from 'kysely';
import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { ItemRow } from '../../platform/db/schema.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { findItem } from '../catalog/index.ts';
import { NO_LOT } from '../ledger/index.ts';
import { resolveScan } from '../scanning/index.ts';
import { TransferError } from './transfers.errors.ts';
import type { PickInput } from './transfers.schema.ts';
import { assertSide, assertStatus, getTransfer, lockTransfer, type TransferRecord } from './transfers.service.ts';

/**
 * Picking a transfer by scanner: each beep names an item (GS1, barcode or SKU, with the lot or
 * serial it carries) and takes it off the transfer's allocations at the source, in the order the
 * allocations were made (soonest expiry first, then walking order). Picking moves nothing in
 * the ledger; the stock stays reserved in its bin until it ships. Each allocation's picked
 * quantity grows by a guarded update, so two pickers scanning at once never lose a beep nor pick
 * more than was allocated.
 */

export interface PickResult {
  transfer: TransferRecord;
  picked: { itemId: string; sku: string; lotCode: string | null; qty: number; bin: string };
}

export async function pickTransfer(ctx: ServiceContext, id: string, input: PickInput): Promise<PickResult> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const transfer = await lockTransfer(tctx, id);
    assertSide(ctx.actor, transfer, 'source', 'pick');
    assertStatus(transfer, ['draft', 'picked', 'in_transit'], 'be picked');
    const { item, lotCode, qty } = await resolvePick(tctx, input);
    const record = await getTransfer(tctx, id);
    const candidates = record.allocations.filter(
      (a) =>
        a.qty_picked < a.qty &&
        record.lines.find((l) => l.id === a.line_id)?.item_id === item.id &&
        (lotCode === null || a.lotCode === lotCode) &&
        (input.bin_id === undefined || a.location_id === input.bin_id),
    );
    const open = candidates.reduce((sum, a) => sum + a.qty - a.qty_picked, 0);
    if (open < qty) {
      const where = [lotCode ? `lot ${lotCode}` : null, input.bin_id ? `bin ${input.bin_id}` : null].filter(Boolean).join(' in ');
      throw new TransferError(
        'transfer_pick_invalid',
        open === 0
          ? `Nothing of ${item.sku}${where ? ` (${where})` : ''} is left to pick on ${transfer.number}.`
          : `Only ${open / QTY_SCALE} of ${item.sku} is left to pick on ${transfer.number}, not ${qty / QTY_SCALE}.`,
        { extra: { item_id: item.id, open: open / QTY_SCALE } },
      );
    }
    let left = qty;
    let bin = '';
    for (const a of candidates) {
      if (left === 0) break;
      const take = Math.min(left, a.qty - a.qty_picked);
      const updated = await trx
        .updateTable('transfer_allocations')
        .set({ qty_picked: sql`qty_picked + ${take}` })
        .where('id', '=', a.id)
        .where(sql<boolean>`qty_picked + ${take} <= qty`)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new TransferError('transfer_pick_invalid', `Allocation ${a.id} was picked meanwhile; scan again.`);
      bin ||= a.bin;
      left -= take;
    }
    const unpicked = await trx
      .selectFrom('transfer_allocations')
      .select('id')
      .where('transfer_id', '=', id)
      .where(sql<boolean>`qty_picked < qty`)
      .limit(1)
      .executeTakeFirst();
    if (!unpicked && transfer.status === 'draft') {
      const now = ctx.clock.now();
      await trx.updateTable('transfers').set({ status: 'picked', picked_at: now, updated_at: now }).where('id', '=', id).execute();
    }
    return { transfer: await getTransfer(tctx, id), picked: { itemId: item.id, sku: item.sku, lotCode, qty, bin } };
  });
}

async function resolvePick(ctx: ServiceContext, input: PickInput): Promise<{ item: ItemRow; lotCode: string | null; qty: number }> {
  if (input.code !== undefined) {
    const scan = await resolveScan(ctx, input.code);
    if (!scan.item) {
      throw new TransferError('transfer_pick_invalid', `Nothing is known by ${JSON.stringify(scan.input)}.`, {
        errors: [{ field: 'body.code', code: 'not_recognized', message: 'no item has this barcode or SKU' }],
      });
    }
    const lotCode = scan.item.tracking === 'serial' ? (scan.serial ?? input.lot_code ?? null) : scan.item.tracking === 'lot' ? (scan.lotCode ?? input.lot_code ?? null) : null;
    const qty = scan.item.tracking === 'serial' ? QTY_SCALE : (input.qty ?? (scan.count !== null ? scan.count * QTY_SCALE : QTY_SCALE));
    return { item: scan.item, lotCode, qty };
  }
  if (input.item_id === undefined) {
    throw new TransferError('transfer_pick_invalid', 'Scan a code or give an item_id.', { errors: [{ field: 'body.code', code: 'required', message: 'give code or item_id' }] });
  }
  const item = await findItem(ctx.trx ?? ctx.db.kysely, input.item_id);
  if (!item) throw new TransferError('transfer_pick_invalid', `No item ${input.item_id}.`, { errors: [{ field: 'body.item_id', code: 'not_found', message: 'no such item' }] });
  const lotCode = item.tracking === 'none' ? null : (input.lot_code ?? null);
  const qty = item.tracking === 'serial' ? QTY_SCALE : (input.qty ?? QTY_SCALE);
  if (lotCode === NO_LOT) return { item, lotCode: null, qty };
  return { item, lotCode, qty };
}
