import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { ReceiptCondition } from '../../platform/db/schema.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { resolveScan, type ScanResolution } from '../scanning/index.ts';
import { PurchasingError } from './purchasing.errors.ts';
import { assertDraft, insertReceiptLines, loadReceipt, lockReceipt, prepareReceiptLines, type ReceiptRecord } from './receipts.service.ts';

/** Receiving by scanner: each beep resolves to an item (and lot, expiry, serial, count) and grows the draft. */

export interface ScanInput {
  code: string;
  qty?: number;
  unit?: string;
  bin_id?: string;
  condition?: ReceiptCondition;
  disposition?: 'quarantine' | 'scrap';
  lot_code?: string;
  expires_on?: string;
  serial?: string;
}

/**
 * Adds one scan to a draft receipt. The scan names the item (GS1 GTIN, barcode or SKU) and may
 * carry lot, expiry, serial and count. Without a count or `qty`, one beep is one of the order
 * line's unit (a clerk beeping cases receives cases), else one base unit; a serial is always
 * one base unit. A scan that matches an existing line (same item, order line, unit, lot, bin and
 * condition) adds to it.
 */
export async function addScanToReceipt(ctx: ServiceContext, id: string, input: ScanInput): Promise<{ receipt: ReceiptRecord; scan: ScanResolution; lineId: string }> {
  return inTransaction(ctx, async (trx) => {
    const receipt = await lockReceipt(ctx, trx, id);
    assertDraft(receipt);
    const scan = await resolveScan({ ...ctx, trx }, input.code);
    const item = scan.item;
    if (!item) {
      throw new PurchasingError('scan_not_recognized', `Nothing is known by ${JSON.stringify(scan.input)}.`, {
        extra: { scan: { kind: scan.kind, gtin: scan.gtin, lot_code: scan.lotCode, problems: scan.problems } },
      });
    }
    const orderLines = receipt.po_id ? await trx.selectFrom('purchase_order_lines').selectAll().where('po_id', '=', receipt.po_id).where('item_id', '=', item.id).orderBy('line_no').execute() : [];
    const orderLine = orderLines[0];
    const serial = scan.serial ?? input.serial;
    const isSerial = item.tracking === 'serial';
    const unit = isSerial || (scan.count !== null && input.qty === undefined) ? item.base_unit : (input.unit ?? orderLine?.unit ?? item.base_unit);
    const qty = isSerial ? QTY_SCALE : (input.qty ?? (scan.count !== null ? scan.count * QTY_SCALE : QTY_SCALE));
    if (isSerial && !serial) {
      throw new PurchasingError('receipt_line_invalid', `${item.sku} is tracked by serial number; scan the serial or give it.`, { errors: [{ field: 'body.serial', code: 'required', message: 'give the serial number' }] });
    }
    const lotCode = item.tracking === 'lot' ? (scan.lotCode ?? input.lot_code ?? null) : null;
    const expiresOn = scan.expiresOn ?? input.expires_on ?? null;
    const condition = input.condition ?? 'good';
    const [prepared] = await prepareReceiptLines(
      trx,
      receipt,
      [{ item_id: item.id, purchase_order_line_id: orderLine?.id, qty, unit, lot_code: lotCode, expires_on: expiresOn, serials: isSerial ? [serial!] : [], condition, disposition: input.disposition, bin_id: input.bin_id ?? null }],
      'body',
    );
    const existing = await trx.selectFrom('receipt_lines').selectAll().where('receipt_id', '=', id).where('item_id', '=', item.id).orderBy('line_no').execute();
    const same = existing.find(
      (l) =>
        l.po_line_id === prepared!.po_line_id &&
        l.unit === prepared!.unit &&
        l.lot_code === prepared!.lot_code &&
        (l.expires_on ?? null) === (prepared!.expires_on ?? null) &&
        l.condition === prepared!.condition &&
        l.disposition === prepared!.disposition &&
        l.bin_id === prepared!.bin_id,
    );
    const now = ctx.clock.now();
    let lineId: string;
    if (same) {
      const serials = JSON.parse(same.serials_json) as string[];
      if (isSerial) {
        const taken = existing.some((l) => (JSON.parse(l.serials_json) as string[]).includes(serial!));
        if (taken) throw new PurchasingError('receipt_line_invalid', `Serial ${serial} is already on this receipt.`, { errors: [{ field: 'body.code', code: 'duplicate', message: 'scanned twice' }] });
        serials.push(serial!);
      }
      const nextQty = same.qty + prepared!.qty;
      await trx
        .updateTable('receipt_lines')
        .set({ qty: nextQty, qty_base: same.qty_base + prepared!.qty_base, serials_json: JSON.stringify(serials), updated_at: now })
        .where('id', '=', same.id)
        .execute();
      lineId = same.id;
    } else {
      if (isSerial && existing.some((l) => (JSON.parse(l.serials_json) as string[]).includes(serial!))) {
        throw new PurchasingError('receipt_line_invalid', `Serial ${serial} is already on this receipt.`, { errors: [{ field: 'body.code', code: 'duplicate', message: 'scanned twice' }] });
      }
      lineId = (await insertReceiptLines(trx, receipt, [prepared!], now))[0]!.id;
    }
    return { receipt: await loadReceipt({ ...ctx, trx }, id), scan, lineId };
  });
}
