import type { DiscrepancyKind, ReceiptLineRow } from '../../platform/db/schema.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { PERCENT_SCALE } from './conversion.ts';

/**
 * How a delivery differs from its purchase order. Pure: it reads the order's lines, what was
 * received before, and the receipt's lines, and says what to flag. The rules:
 *
 * - damaged: every line received damaged (into quarantine or straight to scrap), its whole quantity.
 * - unexpected_item: a line on a receipt against an order for an item the order does not have.
 * - wrong_unit: a line received in another unit than the order line's (it is converted exactly
 *   and counts against the order line).
 * - over: an order line whose good units, this delivery included, exceed what was ordered; the
 *   quantity is the part of this delivery beyond the order. Beyond the vendor's tolerance
 *   (ordered × tolerance%) the receipt waits for a manager's approval; within it, it posts flagged.
 * - short (per delivery): an order line that this delivery brought (good or damaged) but that
 *   still has fewer good units than ordered; the quantity is what is still owed. Order lines the
 *   delivery did not bring at all are not flagged: they are simply still outstanding. Closing the
 *   order records whatever is still owed as a final shortage.
 */

export interface OrderLineFacts {
  id: string;
  line_no: number;
  item_id: string;
  unit: string;
  qty_base: number;
}

export interface FoundDiscrepancy {
  kind: DiscrepancyKind;
  receiptLineId: string | null;
  poLineId: string | null;
  itemId: string;
  qtyBase: number;
  detail: string;
  /** An over-receipt beyond the vendor's tolerance. */
  beyondTolerance: boolean;
}

export interface OrderLineProgress {
  poLineId: string;
  lineNo: number;
  itemId: string;
  orderedBase: number;
  receivedBeforeBase: number;
  goodOnThisReceiptBase: number;
  damagedOnThisReceiptBase: number;
  outstandingAfterBase: number;
}

export interface Assessment {
  discrepancies: FoundDiscrepancy[];
  needsApproval: boolean;
  progress: OrderLineProgress[];
}

const q = quantityToNumber;

export function assessReceipt(input: {
  orderLines: OrderLineFacts[] | null;
  receivedBefore: Map<string, { good: number; damaged: number }>;
  lines: ReadonlyArray<Pick<ReceiptLineRow, 'id' | 'po_line_id' | 'item_id' | 'unit' | 'qty_base' | 'condition' | 'disposition'>>;
  /** Thousandths of a percent. */
  tolerance: number;
}): Assessment {
  const found: FoundDiscrepancy[] = [];
  const orderLines = new Map((input.orderLines ?? []).map((l) => [l.id, l]));
  const add = (d: Omit<FoundDiscrepancy, 'beyondTolerance'> & { beyondTolerance?: boolean }) => found.push({ beyondTolerance: false, ...d });

  for (const line of input.lines) {
    if (line.condition === 'damaged') {
      add({ kind: 'damaged', receiptLineId: line.id, poLineId: line.po_line_id, itemId: line.item_id, qtyBase: line.qty_base, detail: `${q(line.qty_base)} received damaged, to ${line.disposition}.` });
    }
    if (input.orderLines && line.po_line_id === null) {
      add({ kind: 'unexpected_item', receiptLineId: line.id, poLineId: null, itemId: line.item_id, qtyBase: line.qty_base, detail: 'The item is not on the purchase order.' });
    }
    const orderLine = line.po_line_id ? orderLines.get(line.po_line_id) : undefined;
    if (orderLine && orderLine.unit.toLowerCase() !== line.unit.toLowerCase()) {
      add({
        kind: 'wrong_unit',
        receiptLineId: line.id,
        poLineId: orderLine.id,
        itemId: line.item_id,
        qtyBase: line.qty_base,
        detail: `Received in ${line.unit}; line ${orderLine.line_no} was ordered in ${orderLine.unit}.`,
      });
    }
  }

  const progress: OrderLineProgress[] = [];
  for (const orderLine of input.orderLines ?? []) {
    const mine = input.lines.filter((l) => l.po_line_id === orderLine.id);
    const good = mine.filter((l) => l.condition === 'good').reduce((s, l) => s + l.qty_base, 0);
    const damaged = mine.filter((l) => l.condition === 'damaged').reduce((s, l) => s + l.qty_base, 0);
    const before = input.receivedBefore.get(orderLine.id)?.good ?? 0;
    const after = before + good;
    progress.push({
      poLineId: orderLine.id,
      lineNo: orderLine.line_no,
      itemId: orderLine.item_id,
      orderedBase: orderLine.qty_base,
      receivedBeforeBase: before,
      goodOnThisReceiptBase: good,
      damagedOnThisReceiptBase: damaged,
      outstandingAfterBase: Math.max(0, orderLine.qty_base - after),
    });
    if (mine.length === 0) continue;
    const anchor = mine[mine.length - 1]!.id;
    if (after > orderLine.qty_base) {
      const over = after - Math.max(orderLine.qty_base, before);
      // (after − ordered) / ordered > tolerance, compared in integers.
      const beyond = BigInt(after - orderLine.qty_base) * BigInt(PERCENT_SCALE) > BigInt(orderLine.qty_base) * BigInt(input.tolerance);
      add({
        kind: 'over',
        receiptLineId: anchor,
        poLineId: orderLine.id,
        itemId: orderLine.item_id,
        qtyBase: over,
        detail: `${q(after)} received against ${q(orderLine.qty_base)} ordered on line ${orderLine.line_no}${beyond ? ', beyond the vendor’s tolerance' : ', within the vendor’s tolerance'}.`,
        beyondTolerance: beyond,
      });
    } else if (after < orderLine.qty_base) {
      add({
        kind: 'short',
        receiptLineId: anchor,
        poLineId: orderLine.id,
        itemId: orderLine.item_id,
        qtyBase: orderLine.qty_base - after,
        detail: `${q(orderLine.qty_base - after)} of line ${orderLine.line_no} still owed after this delivery.`,
      });
    }
  }
  return { discrepancies: found, needsApproval: found.some((d) => d.beyondTolerance), progress };
}
