import type { ItemRow, PurchaseOrderLineRow, VendorItemRow } from '../../platform/db/schema.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import type { FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { findItems } from '../catalog/index.ts';
import { convertUnitPrice, findUnit, toBaseQty } from './conversion.ts';
import type { LineInput } from './purchase-orders.service.ts';
import { PurchasingError } from './purchasing.errors.ts';
import { findVendorItem } from './vendors.service.ts';

/**
 * Purchase order lines checked and converted: the unit (the vendor's purchase unit unless given),
 * the exact base quantity, the price (the vendor's terms, converted to the line's unit, unless
 * given) and the terms price kept for price variance.
 */

export interface PreparedLine {
  item_id: string;
  vendor_sku: string | null;
  unit: string;
  unit_factor: number;
  qty: number;
  qty_base: number;
  unit_price_micros: number;
  list_price_micros: number | null;
  tax_rate: number | null;
  notes: string | null;
}

/** Checks a line against the item and the vendor's terms and converts it; pushes field errors rather than throwing. */
function prepareLine(line: LineInput, item: ItemRow | undefined, terms: VendorItemRow | undefined, field: string, errors: FieldError[]): PreparedLine | null {
  const fail = (f: string, code: string, message: string) => {
    errors.push({ field: `${field}.${f}`, code, message });
    return null;
  };
  if (!item) return fail('item_id', 'not_found', `no item ${line.item_id}`);
  if (item.status !== 'active') return fail('item_id', 'archived', `${item.sku} is archived`);
  if (item.stocked !== 1) return fail('item_id', 'not_stocked', `${item.sku} is not stocked; order its components`);
  const unit = findUnit(item, line.unit ?? terms?.purchase_unit);
  if (!unit) return fail('unit', 'unknown_unit', `${item.sku} has no unit ${line.unit}`);
  const qtyBase = toBaseQty(line.qty, unit.factor);
  if (qtyBase === null) return fail('qty', 'inexact', `${quantityToNumber(line.qty)} ${unit.name} is not a whole number of thousandths of ${item.base_unit}`);
  const termsFactor = terms ? findUnit(item, terms.purchase_unit)?.factor : undefined;
  const listPrice = terms && termsFactor ? convertUnitPrice(terms.unit_cost_micros, termsFactor, unit.factor) : null;
  const price = line.unit_price ?? listPrice;
  if (price === null) return fail('unit_price', 'required', `the vendor has no terms for ${item.sku}; give the unit price`);
  return {
    item_id: item.id,
    vendor_sku: line.vendor_sku !== undefined ? line.vendor_sku : (terms?.vendor_sku ?? null),
    unit: unit.name,
    unit_factor: unit.factor,
    qty: line.qty,
    qty_base: qtyBase,
    unit_price_micros: price,
    list_price_micros: listPrice,
    tax_rate: line.tax_rate ?? null,
    notes: line.notes ?? null,
  };
}

/** Inexact conversions get their own code, so a client can tell them from other bad lines. */
function throwLineErrors(errors: FieldError[]): void {
  if (errors.length === 0) return;
  const code = errors.every((e) => e.code === 'inexact') ? 'unit_conversion_inexact' : 'purchase_order_line_invalid';
  throw new PurchasingError(code, errors[0]!.message, { errors });
}

export async function prepareLines(trx: Trx, vendorId: string, lines: LineInput[], field: string): Promise<PreparedLine[]> {
  const items = await findItems(trx, lines.map((l) => l.item_id));
  const terms = new Map<string, VendorItemRow>();
  for (const id of new Set(lines.map((l) => l.item_id))) {
    const row = await findVendorItem(trx, vendorId, id);
    if (row) terms.set(id, row);
  }
  const errors: FieldError[] = [];
  const prepared = lines.map((line, i) => prepareLine(line, items.get(line.item_id), terms.get(line.item_id), `${field}.${i}`, errors));
  throwLineErrors(errors);
  return prepared as PreparedLine[];
}

export async function insertLines(trx: Trx, poId: string, firstLineNo: number, lines: PreparedLine[], now: number): Promise<PurchaseOrderLineRow[]> {
  const rows: PurchaseOrderLineRow[] = lines.map((l, i) => ({ id: newId('pol', now), po_id: poId, line_no: firstLineNo + i, ...l, created_at: now, updated_at: now }));
  for (let i = 0; i < rows.length; i += 200) await trx.insertInto('purchase_order_lines').values(rows.slice(i, i + 200)).execute();
  return rows;
}
