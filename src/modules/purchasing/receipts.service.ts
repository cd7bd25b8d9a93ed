import { checkOccurredAt } from '../offline/index.ts';
import { sql } from 'kysely';
import { canSeeSite, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import { formatDocumentNumber, nextNumber } from '../../platform/db/counters.ts';
import type {
  LocationRow,
  PurchaseOrderLineRow,
  ReceiptCondition,
  ReceiptDiscrepancyRow,
  ReceiptLineRow,
  ReceiptRow,
  ReceiptStatus,
  VendorRow,
} from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import type { FieldError } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { findItems } from '../catalog/index.ts';
import { findLocation, getLocation } from '../locations/index.ts';
import { readSettings } from '../settings/index.ts';
import { findUnit, toBaseQty } from './conversion.ts';
import { assessReceipt, type Assessment } from './discrepancies.ts';
import { findPurchaseOrder, lockPurchaseOrder, RECEIVABLE, receivedByLine } from './purchase-orders.service.ts';
import { PurchasingError } from './purchasing.errors.ts';
import { findVendor, findVendorItem } from './vendors.service.ts';

/**
 * Receipts: the document for goods arriving, against a purchase order or (a quick receive)
 * without one. A receipt is prepared as a draft — typed in, or scanned case by case — and shows
 * its discrepancies against the order as it grows; posting it (receipt-posting.service.ts) moves
 * the stock. Lines are in a purchase unit or the base unit; tracked items carry a lot code and
 * expiry, or one serial number per unit.
 */

export interface ReceiptLineInput {
  purchase_order_line_id?: string;
  item_id?: string;
  qty: number;
  unit?: string;
  lot_code?: string | null;
  expires_on?: string | null;
  serials?: string[];
  condition?: ReceiptCondition;
  disposition?: 'quarantine' | 'scrap';
  bin_id?: string | null;
  unit_cost?: number;
}

export interface ReceiptInput {
  purchase_order_id?: string;
  vendor_id?: string;
  site_id?: string;
  received_at?: number;
  /** When an offline scanner received the goods; bounded by the shop's offline window. */
  occurred_at?: number;
  exchange_rate?: number;
  currency?: string;
  notes?: string | null;
  lines: ReceiptLineInput[];
}

export interface ReceiptPatch {
  received_at?: number | null;
  exchange_rate?: number | null;
  notes?: string | null;
}


export interface ReceiptLineRecord extends ReceiptLineRow {
  serials: string[];
}

export interface ReceiptRecord extends ReceiptRow {
  vendor: VendorRow | null;
  purchaseOrder: { id: string; number: string; status: string } | null;
  lines: ReceiptLineRecord[];
  /** Stored once posted; worked out afresh for a draft. */
  discrepancies: Array<Pick<ReceiptDiscrepancyRow, 'kind' | 'receipt_line_id' | 'po_line_id' | 'item_id' | 'qty_base' | 'detail' | 'approved_by'> & { beyond_tolerance: boolean }>;
  needsApproval: boolean;
  progress: Assessment['progress'];
  landedCosts: LandedCostSummary[];
}

export interface LandedCostSummary {
  id: string;
  number: string;
  kind: string;
  method: string;
  reference: string | null;
  currency: string;
  amountMicros: number;
  amountBaseMicros: number;
  /** This receipt's part of the charge, per receipt line. */
  allocations: Array<{ receiptLineId: string; micros: number }>;
}

export const MAX_RECEIPT_LINES = 1000;
const MAX_SERIALS_PER_LINE = 1000;
const OPEN: readonly ReceiptStatus[] = ['draft', 'awaiting_approval'];

export function receiptNotFound(id: string): PurchasingError {
  return notFound(id);
}

function notFound(id: string): PurchasingError {
  return new PurchasingError('receipt_not_found', `No receipt ${id}.`, { extra: { receipt_id: id } });
}

export async function findReceipt(db: Executor, id: string): Promise<ReceiptRow | undefined> {
  return db.selectFrom('receipts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Takes the receipt's row lock, so two clerks scanning into one receipt add up rather than overwrite. */
export async function lockReceipt(ctx: ServiceContext, trx: Trx, id: string): Promise<ReceiptRow> {
  const row = await trx.updateTable('receipts').set({ updated_at: sql`updated_at` }).where('id', '=', id).returningAll().executeTakeFirst();
  if (!row || !canSeeSite(ctx.actor, row.site_id)) throw notFound(id);
  return row;
}

export function assertDraft(receipt: ReceiptRow): void {
  if (receipt.status !== 'draft') {
    throw new PurchasingError('receipt_not_editable', `${receipt.number} is ${receipt.status.replace('_', ' ')}; only a draft receipt changes.`, { extra: { current_status: receipt.status } });
  }
}

async function siteOf(ctx: ServiceContext, trx: Trx, id: string, field: string): Promise<LocationRow> {
  const site = await getLocation({ ...ctx, trx }, id);
  if (site.kind !== 'site') {
    throw new PurchasingError('receipt_line_invalid', `${site.full_code} is a ${site.kind}; a receipt is for a site (give bins per line).`, {
      errors: [{ field, code: 'not_a_site', message: 'give a store or warehouse' }],
    });
  }
  return site;
}

export async function createReceipt(ctx: ServiceContext, input: ReceiptInput): Promise<ReceiptRecord> {
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    let poId: string | null = null;
    let vendor: VendorRow | null = null;
    let currency: string;
    let siteId: string;
    if (input.purchase_order_id) {
      const po = await lockPurchaseOrder(ctx, trx, input.purchase_order_id);
      if (!RECEIVABLE.includes(po.status)) {
        throw new PurchasingError('purchase_order_not_receivable', `${po.number} is ${po.status}; goods are received against sent orders.`, { extra: { current_status: po.status } });
      }
      poId = po.id;
      vendor = (await findVendor(trx, po.vendor_id))!;
      if (input.vendor_id && input.vendor_id !== po.vendor_id) {
        throw new PurchasingError('receipt_line_invalid', 'The vendor is not the purchase order’s.', { errors: [{ field: 'body.vendor_id', code: 'mismatch', message: 'leave it out or give the order’s vendor' }] });
      }
      currency = po.currency;
      siteId = (await siteOf(ctx, trx, input.site_id ?? po.delivery_site_id, 'body.site_id')).id;
    } else {
      if (input.vendor_id) {
        vendor = (await findVendor(trx, input.vendor_id)) ?? null;
        if (!vendor) throw new PurchasingError('vendor_not_found', `No vendor ${input.vendor_id}.`);
      }
      const base = (await readSettings(trx)).base_currency;
      currency = vendor?.currency ?? input.currency ?? base;
      if (input.currency && vendor && input.currency !== vendor.currency) {
        throw new PurchasingError('receipt_line_invalid', `${vendor.name} sells in ${vendor.currency}.`, { errors: [{ field: 'body.currency', code: 'mismatch', message: `use ${vendor.currency}` }] });
      }
      if (!input.site_id) {
        throw new PurchasingError('receipt_line_invalid', 'A receipt without a purchase order needs the site receiving it.', { errors: [{ field: 'body.site_id', code: 'required', message: 'give the site' }] });
      }
      siteId = (await siteOf(ctx, trx, input.site_id, 'body.site_id')).id;
    }
    const id = newId('rcp', now);
    const receipt: ReceiptRow = {
      id,
      number: formatDocumentNumber('RCV', await nextNumber(trx, 'receipt')),
      po_id: poId,
      vendor_id: vendor?.id ?? null,
      status: 'draft',
      site_id: siteId,
      currency,
      exchange_rate_e9: input.exchange_rate ?? null,
      rate_source: input.exchange_rate !== undefined ? 'explicit' : null,
      received_at: input.received_at ?? (await checkOccurredAt(trx, input.occurred_at, now)) ?? null,
      notes: input.notes ?? null,
      created_by: ctx.actor.id,
      created_at: now,
      updated_at: now,
      submitted_at: null,
      submitted_by: null,
      approved_at: null,
      approved_by: null,
      posted_at: null,
      posted_by: null,
      cancelled_at: null,
      txn_id: null,
      scrap_txn_id: null,
    };
    await trx.insertInto('receipts').values(receipt).execute();
    if (input.lines.length) await insertReceiptLines(trx, receipt, await prepareReceiptLines(trx, receipt, input.lines, 'body.lines'), now);
    return loadReceipt({ ...ctx, trx }, id);
  });
}

type PreparedReceiptLine = Omit<ReceiptLineRow, 'id' | 'receipt_id' | 'line_no' | 'created_at' | 'updated_at'>;

/** Checks lines against the order, the items and the site; collects every problem before refusing. */
export async function prepareReceiptLines(trx: Trx, receipt: ReceiptRow, lines: ReceiptLineInput[], field: string): Promise<PreparedReceiptLine[]> {
  const orderLines = receipt.po_id ? await trx.selectFrom('purchase_order_lines').selectAll().where('po_id', '=', receipt.po_id).orderBy('line_no').execute() : [];
  const byId = new Map(orderLines.map((l) => [l.id, l]));
  const itemIds = lines.map((l) => l.item_id ?? byId.get(l.purchase_order_line_id ?? '')?.item_id ?? '').filter(Boolean);
  const items = await findItems(trx, itemIds);
  const bins = new Map<string, LocationRow | undefined>();
  for (const binId of new Set(lines.map((l) => l.bin_id).filter((b): b is string => !!b))) bins.set(binId, await findLocation(trx, binId));
  const errors: FieldError[] = [];
  const prepared: PreparedReceiptLine[] = [];
  for (const [i, line] of lines.entries()) {
    const fail = (f: string, code: string, message: string) => errors.push({ field: `${field}.${i}.${f}`, code, message });
    let orderLine: PurchaseOrderLineRow | undefined;
    if (line.purchase_order_line_id) {
      orderLine = byId.get(line.purchase_order_line_id);
      if (!orderLine) {
        fail('purchase_order_line_id', 'not_found', receipt.po_id ? 'not a line of this receipt’s purchase order' : 'this receipt has no purchase order');
        continue;
      }
      if (line.item_id && line.item_id !== orderLine.item_id) {
        fail('item_id', 'mismatch', 'the order line is for another item');
        continue;
      }
    } else if (!line.item_id) {
      fail('item_id', 'required', 'give the item or the purchase order line');
      continue;
    } else {
      orderLine = orderLines.find((l) => l.item_id === line.item_id);
    }
    const itemId = orderLine?.item_id ?? line.item_id!;
    const item = items.get(itemId);
    if (!item) {
      fail('item_id', 'not_found', `no item ${itemId}`);
      continue;
    }
    const unit = findUnit(item, line.unit ?? orderLine?.unit);
    if (!unit) {
      fail('unit', 'unknown_unit', `${item.sku} has no unit ${line.unit}`);
      continue;
    }
    const qtyBase = toBaseQty(line.qty, unit.factor);
    if (qtyBase === null) {
      fail('qty', 'inexact', `${quantityToNumber(line.qty)} ${unit.name} is not a whole number of thousandths of ${item.base_unit}`);
      continue;
    }
    const condition = line.condition ?? 'good';
    if (condition === 'good' && line.disposition) fail('disposition', 'not_damaged', 'only damaged goods go to quarantine or scrap');
    const disposition = condition === 'damaged' ? (line.disposition ?? 'quarantine') : 'stock';
    if (line.bin_id) {
      const bin = bins.get(line.bin_id);
      if (!bin || bin.kind !== 'bin' || bin.site_id !== receipt.site_id || bin.status !== 'active') {
        fail('bin_id', 'not_a_bin', 'give an active bin of the receiving site');
        continue;
      }
      if (disposition === 'quarantine' && bin.purpose !== 'quarantine') fail('bin_id', 'not_quarantine', 'damaged goods go to a quarantine bin');
    }
    const serials = (line.serials ?? []).map((s) => s.trim());
    if (serials.length && item.tracking !== 'serial') fail('serials', 'not_tracked', `${item.sku} is not tracked by serial number`);
    if (new Set(serials).size !== serials.length) fail('serials', 'duplicate', 'a serial number is listed twice');
    if (serials.length > MAX_SERIALS_PER_LINE) fail('serials', 'too_many', `at most ${MAX_SERIALS_PER_LINE} per line`);
    if (line.lot_code && item.tracking !== 'lot') fail('lot_code', 'not_tracked', `${item.sku} is not tracked by lot${item.tracking === 'serial' ? '; give serials' : ''}`);
    let price: { micros: number; factor: number } | null = null;
    if (line.unit_cost !== undefined) price = { micros: line.unit_cost, factor: unit.factor };
    else if (orderLine) price = { micros: orderLine.unit_price_micros, factor: orderLine.unit_factor };
    else if (receipt.vendor_id) {
      const terms = await findVendorItem(trx, receipt.vendor_id, item.id);
      const termsFactor = terms ? findUnit(item, terms.purchase_unit)?.factor : undefined;
      if (terms && termsFactor) price = { micros: terms.unit_cost_micros, factor: termsFactor };
    }
    prepared.push({
      po_line_id: orderLine?.id ?? null,
      item_id: item.id,
      unit: unit.name,
      unit_factor: unit.factor,
      qty: line.qty,
      qty_base: qtyBase,
      price_micros: price?.micros ?? null,
      price_unit_factor: price?.factor ?? null,
      base_unit_cost_micros: null,
      lot_code: line.lot_code ?? null,
      expires_on: line.expires_on ?? null,
      serials_json: JSON.stringify(serials),
      condition,
      disposition,
      bin_id: line.bin_id ?? null,
    });
  }
  if (errors.length) {
    const code = errors.every((e) => e.code === 'inexact') ? 'unit_conversion_inexact' : 'receipt_line_invalid';
    throw new PurchasingError(code, errors[0]!.message, { errors });
  }
  return prepared;
}

export async function insertReceiptLines(trx: Trx, receipt: ReceiptRow, lines: PreparedReceiptLine[], now: number): Promise<ReceiptLineRow[]> {
  const last = await trx.selectFrom('receipt_lines').select([sql<number>`coalesce(max(line_no), 0)`.as('max'), sql<number>`count(*)`.as('n')]).where('receipt_id', '=', receipt.id).executeTakeFirstOrThrow();
  if (Number(last.n) + lines.length > MAX_RECEIPT_LINES) throw new PurchasingError('receipt_line_invalid', `A receipt holds at most ${MAX_RECEIPT_LINES} lines.`);
  const rows: ReceiptLineRow[] = lines.map((l, i) => ({ id: newId('rcl', now), receipt_id: receipt.id, line_no: Number(last.max) + 1 + i, ...l, created_at: now, updated_at: now }));
  for (let i = 0; i < rows.length; i += 200) await trx.insertInto('receipt_lines').values(rows.slice(i, i + 200)).execute();
  await trx.updateTable('receipts').set({ updated_at: now }).where('id', '=', receipt.id).execute();
  return rows;
}

export async function addReceiptLines(ctx: ServiceContext, id: string, lines: ReceiptLineInput[]): Promise<ReceiptRecord> {
  return inTransaction(ctx, async (trx) => {
    const receipt = await lockReceipt(ctx, trx, id);
    assertDraft(receipt);
    await insertReceiptLines(trx, receipt, await prepareReceiptLines(trx, receipt, lines, 'body.lines'), ctx.clock.now());
    return loadReceipt({ ...ctx, trx }, id);
  });
}

async function receiptLine(trx: Trx, receiptId: string, lineId: string): Promise<ReceiptLineRow> {
  const line = await trx.selectFrom('receipt_lines').selectAll().where('id', '=', lineId).where('receipt_id', '=', receiptId).executeTakeFirst();
  if (!line) throw new PurchasingError('receipt_line_not_found', `Receipt ${receiptId} has no line ${lineId}.`);
  return line;
}

export async function updateReceiptLine(ctx: ServiceContext, id: string, lineId: string, patch: Partial<ReceiptLineInput>): Promise<ReceiptRecord> {
  return inTransaction(ctx, async (trx) => {
    const receipt = await lockReceipt(ctx, trx, id);
    assertDraft(receipt);
    const line = await receiptLine(trx, id, lineId);
    const merged: ReceiptLineInput = {
      purchase_order_line_id: patch.purchase_order_line_id ?? line.po_line_id ?? undefined,
      item_id: line.item_id,
      qty: patch.qty ?? line.qty,
      unit: patch.unit ?? line.unit,
      lot_code: patch.lot_code !== undefined ? patch.lot_code : line.lot_code,
      expires_on: patch.expires_on !== undefined ? patch.expires_on : line.expires_on,
      serials: patch.serials ?? (JSON.parse(line.serials_json) as string[]),
      condition: patch.condition ?? line.condition,
      disposition: patch.disposition ?? (line.disposition === 'stock' ? undefined : line.disposition),
      bin_id: patch.bin_id !== undefined ? patch.bin_id : line.bin_id,
      unit_cost: patch.unit_cost,
    };
    if (patch.condition === 'good') delete merged.disposition;
    const [next] = await prepareReceiptLines(trx, receipt, [merged], 'body');
    const keepPrice = patch.unit_cost === undefined && next!.unit_factor === line.unit_factor && line.price_micros !== null;
    await trx
      .updateTable('receipt_lines')
      .set({ ...next!, ...(keepPrice ? { price_micros: line.price_micros, price_unit_factor: line.price_unit_factor } : {}), updated_at: ctx.clock.now() })
      .where('id', '=', lineId)
      .execute();
    return loadReceipt({ ...ctx, trx }, id);
  });
}

export async function removeReceiptLine(ctx: ServiceContext, id: string, lineId: string): Promise<ReceiptRecord> {
  return inTransaction(ctx, async (trx) => {
    const receipt = await lockReceipt(ctx, trx, id);
    assertDraft(receipt);
    await receiptLine(trx, id, lineId);
    await trx.deleteFrom('receipt_lines').where('id', '=', lineId).execute();
    return loadReceipt({ ...ctx, trx }, id);
  });
}

export async function updateReceipt(ctx: ServiceContext, id: string, patch: ReceiptPatch): Promise<ReceiptRecord> {
  return inTransaction(ctx, async (trx) => {
    const receipt = await lockReceipt(ctx, trx, id);
    assertDraft(receipt);
    await trx
      .updateTable('receipts')
      .set({
        ...(patch.received_at !== undefined ? { received_at: patch.received_at } : {}),
        ...(patch.exchange_rate !== undefined ? { exchange_rate_e9: patch.exchange_rate, rate_source: patch.exchange_rate === null ? null : 'explicit' } : {}),
        ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
        updated_at: ctx.clock.now(),
      })
      .where('id', '=', id)
      .execute();
    return loadReceipt({ ...ctx, trx }, id);
  });
}

export async function cancelReceipt(ctx: ServiceContext, id: string): Promise<ReceiptRecord> {
  return inTransaction(ctx, async (trx) => {
    const receipt = await lockReceipt(ctx, trx, id);
    if (!OPEN.includes(receipt.status)) {
      throw new PurchasingError('receipt_transition_invalid', `A ${receipt.status} receipt cannot be cancelled; stock that came in goes back by a return to the vendor.`, {
        extra: { current_status: receipt.status, action: 'cancel', allowed_from: OPEN },
      });
    }
    const now = ctx.clock.now();
    await trx.updateTable('receipts').set({ status: 'cancelled', cancelled_at: now, updated_at: now }).where('id', '=', id).execute();
    return loadReceipt({ ...ctx, trx }, id);
  });
}

/** Sends a receipt waiting for approval back to the clerk as a draft, to correct it. */
export async function rejectReceipt(ctx: ServiceContext, id: string): Promise<ReceiptRecord> {
  return inTransaction(ctx, async (trx) => {
    const receipt = await lockReceipt(ctx, trx, id);
    if (receipt.status !== 'awaiting_approval') {
      throw new PurchasingError('receipt_transition_invalid', `Only a receipt awaiting approval can be sent back; this one is ${receipt.status}.`, {
        extra: { current_status: receipt.status, action: 'reject', allowed_from: ['awaiting_approval'] },
      });
    }
    await trx.updateTable('receipts').set({ status: 'draft', submitted_at: null, submitted_by: null, updated_at: ctx.clock.now() }).where('id', '=', id).execute();
    return loadReceipt({ ...ctx, trx }, id);
  });
}

export async function getReceipt(ctx: ServiceContext, id: string): Promise<ReceiptRecord> {
  return loadReceipt(ctx, id);
}

/** Works out a receipt's discrepancies against its order as things stand (for a draft, or before posting). */
export async function assessReceiptNow(db: Executor, receipt: ReceiptRow, lines: ReceiptLineRow[], vendor: VendorRow | null): Promise<Assessment> {
  const orderLines = receipt.po_id ? await db.selectFrom('purchase_order_lines').selectAll().where('po_id', '=', receipt.po_id).orderBy('line_no').execute() : null;
  const before = receipt.po_id ? await receivedByLine(db, receipt.po_id) : new Map();
  return assessReceipt({ orderLines, receivedBefore: before, lines, tolerance: vendor?.over_receipt_tolerance ?? 0 });
}

export async function loadReceipt(ctx: ServiceContext, id: string): Promise<ReceiptRecord> {
  const db = reader(ctx);
  const receipt = await findReceipt(db, id);
  if (!receipt || !canSeeSite(ctx.actor, receipt.site_id)) throw notFound(id);
  const [lines, vendor, po, stored, landed] = await Promise.all([
    db.selectFrom('receipt_lines').selectAll().where('receipt_id', '=', id).orderBy('line_no').execute(),
    receipt.vendor_id ? findVendor(db, receipt.vendor_id) : Promise.resolve(undefined),
    receipt.po_id ? findPurchaseOrder(db, receipt.po_id) : Promise.resolve(undefined),
    db.selectFrom('receipt_discrepancies').selectAll().where('receipt_id', '=', id).orderBy('created_at').orderBy('id').execute(),
    loadLandedCostSummaries(db, id),
  ]);
  let discrepancies: ReceiptRecord['discrepancies'];
  let needsApproval = false;
  let progress: Assessment['progress'] = [];
  if (receipt.status === 'posted') {
    discrepancies = stored.map((d) => ({ ...d, beyond_tolerance: d.approved_by !== null }));
  } else {
    const assessment = await assessReceiptNow(db, receipt, lines, vendor ?? null);
    needsApproval = assessment.needsApproval;
    progress = assessment.progress;
    discrepancies = assessment.discrepancies.map((d) => ({
      kind: d.kind,
      receipt_line_id: d.receiptLineId,
      po_line_id: d.poLineId,
      item_id: d.itemId,
      qty_base: d.qtyBase,
      detail: d.detail,
      approved_by: null,
      beyond_tolerance: d.beyondTolerance,
    }));
  }
  if (receipt.status === 'posted' && receipt.po_id) progress = await postedProgress(db, receipt.po_id, lines);
  return {
    ...receipt,
    vendor: vendor ?? null,
    purchaseOrder: po ? { id: po.id, number: po.number, status: po.status } : null,
    lines: lines.map((l) => ({ ...l, serials: JSON.parse(l.serials_json) as string[] })),
    discrepancies,
    needsApproval,
    progress,
    landedCosts: landed,
  };
}

/** For a posted receipt: where each order line stands now, with this receipt's part in it. */
async function postedProgress(db: Executor, poId: string, lines: ReceiptLineRow[]): Promise<Assessment['progress']> {
  const orderLines = await db.selectFrom('purchase_order_lines').selectAll().where('po_id', '=', poId).orderBy('line_no').execute();
  const received = await receivedByLine(db, poId);
  return orderLines.map((o) => {
    const mine = lines.filter((l) => l.po_line_id === o.id);
    const good = mine.filter((l) => l.condition === 'good').reduce((s, l) => s + l.qty_base, 0);
    const total = received.get(o.id)?.good ?? 0;
    return {
      poLineId: o.id,
      lineNo: o.line_no,
      itemId: o.item_id,
      orderedBase: o.qty_base,
      receivedBeforeBase: total - good,
      goodOnThisReceiptBase: good,
      damagedOnThisReceiptBase: mine.filter((l) => l.condition === 'damaged').reduce((s, l) => s + l.qty_base, 0),
      outstandingAfterBase: Math.max(0, o.qty_base - total),
    };
  });
}

async function loadLandedCostSummaries(db: Executor, receiptId: string): Promise<LandedCostSummary[]> {
  const allocations = await db.selectFrom('landed_cost_allocations').selectAll().where('receipt_id', '=', receiptId).execute();
  if (allocations.length === 0) return [];
  const costs = await db.selectFrom('landed_costs').selectAll().where('id', 'in', [...new Set(allocations.map((a) => a.landed_cost_id))]).orderBy('created_at').orderBy('id').execute();
  return costs.map((c) => {
    const byLine = new Map<string, number>();
    for (const a of allocations.filter((a) => a.landed_cost_id === c.id)) byLine.set(a.receipt_line_id, (byLine.get(a.receipt_line_id) ?? 0) + a.micros);
    return {
      id: c.id,
      number: c.number,
      kind: c.kind,
      method: c.method,
      reference: c.reference,
      currency: c.currency,
      amountMicros: c.amount_micros,
      amountBaseMicros: c.amount_base_micros,
      allocations: [...byLine.entries()].map(([receiptLineId, micros]) => ({ receiptLineId, micros })),
    };
  });
}

export async function listReceipts(
  ctx: ServiceContext,
  query: { purchaseOrderId?: string; vendorId?: string; status?: ReceiptStatus; limit: number; cursor?: string },
): Promise<{ rows: ReceiptRow[]; nextCursor: string | null }> {
  let q = reader(ctx).selectFrom('receipts').selectAll();
  if (query.purchaseOrderId) q = q.where('po_id', '=', query.purchaseOrderId);
  if (query.vendorId) q = q.where('vendor_id', '=', query.vendorId);
  if (query.status) q = q.where('status', '=', query.status);
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    q = sites.length ? q.where('site_id', 'in', sites) : q.where('id', '=', '');
  }
  const after = decodeCursor(query.cursor, ['number', 'string']);
  if (after) {
    const [at, id] = after as [number, string];
    q = q.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1];
  return { rows: page, nextCursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
}

