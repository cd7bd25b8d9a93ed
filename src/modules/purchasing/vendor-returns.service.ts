import { sql } from 'kysely';
import { canSeeSite, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import { formatDocumentNumber, nextNumber } from '../../platform/db/counters.ts';
import type { ItemRow, LocationRow, ReceiptLineRow, VendorReturnLineRow, VendorReturnRow, VendorReturnStatus, VendorRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import type { FieldError } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { findItems } from '../catalog/index.ts';
import { NO_LOT, postMovements, type MovementInput, type NegativeBalance } from '../ledger/index.ts';
import { findLocation, getLocation, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { readSettings } from '../settings/index.ts';
import { RATE_SCALE } from './conversion.ts';
import { localDateOf } from './dates.ts';
import { resolveRate } from './exchange-rates.service.ts';
import { PurchasingError } from './purchasing.errors.ts';
import { findReceipt, receiptNotFound } from './receipts.service.ts';
import { findVendor } from './vendors.service.ts';

/**
 * Returns to vendor: goods sent back from a site, optionally against the posted receipt they came
 * in on. A draft names the units (lot or serial where the item is tracked) and the bin they leave
 * from; posting moves them from the bin to the vendor in one ledger transaction of kind
 * `vendor_return`, valued by the cost engine exactly as any stock leaving is (FIFO layers drawn
 * oldest first, or the running average), and fixes the credit expected from the vendor in the
 * vendor's currency: the price given per line, else the price the goods came in at on the receipt,
 * else the ledger value converted at the day's rate. Draft → posted, or draft → cancelled.
 */

export const VENDOR_RETURN_REASONS = ['damaged', 'defective', 'wrong_item', 'overstock', 'expired', 'recall', 'other'] as const;
export type VendorReturnReason = (typeof VENDOR_RETURN_REASONS)[number];

export const MAX_VENDOR_RETURN_LINES = 500;

export interface VendorReturnLineInput {
  item_id?: string;
  receipt_line_id?: string;
  /** Thousandths of the item's base unit, > 0. */
  qty: number;
  lot_code?: string;
  bin_id?: string;
  /** The vendor's price per base unit in its currency (micros). */
  unit_credit?: number;
}

export interface VendorReturnInput {
  vendor_id?: string;
  site_id?: string;
  receipt_id?: string;
  reason: VendorReturnReason;
  notes?: string | null;
  returned_at?: number;
  lines: VendorReturnLineInput[];
}

export interface VendorReturnRecord extends VendorReturnRow {
  vendor: VendorRow;
  receiptNumber: string | null;
  lines: VendorReturnLineRow[];
  negativeBalances?: NegativeBalance[];
}

function notFound(id: string): PurchasingError {
  return new PurchasingError('vendor_return_not_found', `No return to vendor ${id}.`, { extra: { vendor_return_id: id } });
}

function invalid(errors: FieldError[]): PurchasingError {
  return new PurchasingError('vendor_return_line_invalid', errors[0]!.message, { errors });
}

export async function createVendorReturn(ctx: ServiceContext, input: VendorReturnInput): Promise<VendorReturnRecord> {
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    const scoped = { ...ctx, trx };
    let receipt: { id: string; site_id: string; vendor_id: string | null; currency: string } | null = null;
    if (input.receipt_id) {
      const row = await findReceipt(trx, input.receipt_id);
      if (!row || !canSeeSite(ctx.actor, row.site_id)) throw receiptNotFound(input.receipt_id);
      if (row.status !== 'posted' || !row.vendor_id) {
        throw invalid([{ field: 'body.receipt_id', code: 'not_returnable', message: row.vendor_id ? `${row.number} is ${row.status}; goods go back against a posted receipt` : `${row.number} has no vendor` }]);
      }
      if (input.vendor_id && input.vendor_id !== row.vendor_id) throw invalid([{ field: 'body.vendor_id', code: 'mismatch', message: 'leave it out or give the receipt’s vendor' }]);
      if (input.site_id && input.site_id !== row.site_id) throw invalid([{ field: 'body.site_id', code: 'mismatch', message: 'goods go back from the site that received them' }]);
      receipt = row;
    }
    const vendorId = receipt?.vendor_id ?? input.vendor_id;
    if (!vendorId) throw invalid([{ field: 'body.vendor_id', code: 'required', message: 'give the vendor or the receipt' }]);
    const vendor = await findVendor(trx, vendorId);
    if (!vendor) throw new PurchasingError('vendor_not_found', `No vendor ${vendorId}.`);
    const siteId = receipt?.site_id ?? input.site_id;
    if (!siteId) throw invalid([{ field: 'body.site_id', code: 'required', message: 'give the site the goods leave from' }]);
    const site = await getLocation(scoped, siteId);
    if (site.kind !== 'site') throw invalid([{ field: 'body.site_id', code: 'not_a_site', message: `${site.full_code} is a ${site.kind}; give a store or warehouse (and bins per line)` }]);
    const lines = await prepareLines(trx, site, receipt?.id ?? null, input.lines);
    const id = newId('vrt', now);
    const row: VendorReturnRow = {
      id,
      number: formatDocumentNumber('RTV', await nextNumber(trx, 'vendor_return')),
      vendor_id: vendor.id,
      site_id: site.id,
      receipt_id: receipt?.id ?? null,
      status: 'draft',
      reason: input.reason,
      notes: input.notes ?? null,
      // Against a receipt, the credit is in the currency the goods were bought in.
      currency: receipt?.currency ?? vendor.currency,
      exchange_rate_e9: null,
      returned_at: input.returned_at ?? null,
      credit_micros: null,
      value_micros: null,
      txn_id: null,
      created_by: ctx.actor.id,
      created_at: now,
      updated_at: now,
      posted_at: null,
      posted_by: null,
      cancelled_at: null,
    };
    await trx.insertInto('vendor_returns').values(row).execute();
    await trx
      .insertInto('vendor_return_lines')
      .values(lines.map((l, i) => ({ ...l, id: newId('vrl', now), return_id: id, line_no: i + 1, credit_micros: null, value_micros: null, created_at: now })))
      .execute();
    return loadVendorReturn(scoped, id);
  });
}

type PreparedLine = Pick<VendorReturnLineRow, 'item_id' | 'receipt_line_id' | 'lot_id' | 'bin_id' | 'qty_base' | 'unit_credit_micros'>;

/** Checks every line against the item, its tracking, the receipt and the site's bins; collects every problem before refusing. */
async function prepareLines(trx: Trx, site: LocationRow, receiptId: string | null, lines: VendorReturnLineInput[]): Promise<PreparedLine[]> {
  if (lines.length === 0) throw invalid([{ field: 'body.lines', code: 'required', message: 'give at least one line' }]);
  if (lines.length > MAX_VENDOR_RETURN_LINES) throw invalid([{ field: 'body.lines', code: 'too_many', message: `at most ${MAX_VENDOR_RETURN_LINES} lines` }]);
  const receiptLines = receiptId ? new Map((await trx.selectFrom('receipt_lines').selectAll().where('receipt_id', '=', receiptId).execute()).map((l) => [l.id, l])) : new Map<string, ReceiptLineRow>();
  const items = await findItems(trx, lines.map((l) => l.item_id ?? receiptLines.get(l.receipt_line_id ?? '')?.item_id ?? '').filter(Boolean));
  const errors: FieldError[] = [];
  const prepared: PreparedLine[] = [];
  for (const [i, line] of lines.entries()) {
    const fail = (f: string, code: string, message: string) => errors.push({ field: `body.lines.${i}.${f}`, code, message });
    let receiptLine: ReceiptLineRow | undefined;
    if (line.receipt_line_id) {
      receiptLine = receiptLines.get(line.receipt_line_id);
      if (!receiptLine) {
        fail('receipt_line_id', 'not_found', receiptId ? 'not a line of this return’s receipt' : 'give the receipt_id of the line');
        continue;
      }
      if (line.item_id && line.item_id !== receiptLine.item_id) {
        fail('item_id', 'mismatch', 'the receipt line is for another item');
        continue;
      }
    } else if (line.item_id) {
      // Against a receipt, an item named by id came in on the receipt's line for it (its price, lot and bin).
      receiptLine = [...receiptLines.values()].sort((a, b) => a.line_no - b.line_no).find((l) => l.item_id === line.item_id);
    }
    const itemId = receiptLine?.item_id ?? line.item_id;
    if (!itemId) {
      fail('item_id', 'required', 'give the item or the receipt line');
      continue;
    }
    const item = items.get(itemId);
    if (!item) {
      fail('item_id', 'not_found', `no item ${itemId}`);
      continue;
    }
    if (item.stocked !== 1) {
      fail('item_id', 'not_stockable', `${item.sku} is not stocked`);
      continue;
    }
    const lotId = await lotOf(trx, item, line.lot_code ?? (item.tracking === 'lot' ? receiptLine?.lot_code ?? undefined : undefined), line.qty, fail);
    if (lotId === null) continue;
    const binId = line.bin_id ?? receiptLine?.bin_id ?? site.default_bin_id;
    const bin = binId ? await findLocation(trx, binId) : undefined;
    if (!bin || bin.kind !== 'bin' || bin.site_id !== site.id) {
      fail('bin_id', 'not_a_bin', `give a bin of ${site.full_code}`);
      continue;
    }
    prepared.push({ item_id: item.id, receipt_line_id: receiptLine?.id ?? null, lot_id: lotId, bin_id: bin.id, qty_base: line.qty, unit_credit_micros: line.unit_credit ?? null });
  }
  if (errors.length) throw invalid(errors);
  return prepared;
}

async function lotOf(trx: Trx, item: ItemRow, code: string | undefined, qty: number, fail: (f: string, code: string, message: string) => void): Promise<string | null> {
  if (item.tracking === 'none') {
    if (code) {
      fail('lot_code', 'not_tracked', `${item.sku} is not tracked by lot`);
      return null;
    }
    return NO_LOT;
  }
  if (!code) {
    fail('lot_code', 'required', `${item.sku} is tracked by ${item.tracking}; give the ${item.tracking === 'serial' ? 'serial number' : 'lot code'}`);
    return null;
  }
  if (item.tracking === 'serial' && qty !== QTY_SCALE) {
    fail('qty', 'serial_qty', 'one line per serial number, with quantity 1');
    return null;
  }
  const lot = await trx.selectFrom('lots').select('id').where('item_id', '=', item.id).where('code', '=', code).executeTakeFirst();
  if (!lot) {
    fail('lot_code', 'not_found', `${item.sku} has no ${item.tracking} ${code}`);
    return null;
  }
  return lot.id;
}

/** Takes the return's row lock; a return at a site out of sight is one that does not exist. */
async function lockVendorReturn(ctx: ServiceContext, trx: Trx, id: string): Promise<VendorReturnRow> {
  const row = await trx.updateTable('vendor_returns').set({ updated_at: sql`updated_at` }).where('id', '=', id).returningAll().executeTakeFirst();
  if (!row || !canSeeSite(ctx.actor, row.site_id)) throw notFound(id);
  return row;
}

function assertDraft(row: VendorReturnRow, action: 'post' | 'cancel'): void {
  if (row.status === 'draft') return;
  throw new PurchasingError('vendor_return_transition_invalid', `${row.number} is ${row.status}; only a draft return can be ${action === 'post' ? 'posted' : 'cancelled'}.`, {
    extra: { current_status: row.status, action, allowed_from: ['draft'] },
  });
}

/** Moves the goods out at ledger cost and fixes the credit owed, in one transaction. */
export async function postVendorReturn(ctx: ServiceContext, id: string): Promise<VendorReturnRecord> {
  return inTransaction(ctx, async (trx) => {
    const scoped = { ...ctx, trx };
    const row = await lockVendorReturn(ctx, trx, id);
    assertDraft(row, 'post');
    const lines = await trx.selectFrom('vendor_return_lines').selectAll().where('return_id', '=', id).orderBy('line_no').execute();
    const now = ctx.clock.now();
    const effectiveAt = row.returned_at ?? now;
    const settings = await readSettings(trx);
    const receipt = row.receipt_id ? await findReceipt(trx, row.receipt_id) : undefined;
    // The credit reverses the bill: against a receipt, at the rate the goods were valued at.
    const rate = receipt?.exchange_rate_e9 && receipt.currency === row.currency
      ? { rateE9: receipt.exchange_rate_e9 }
      : await resolveRate(trx, { currency: row.currency, baseCurrency: settings.base_currency, explicitE9: null, date: localDateOf(effectiveAt, settings.time_zone), field: 'body.returned_at' });
    const movements: MovementInput[] = lines.map((l) => ({ itemId: l.item_id, lotId: l.lot_id, fromLocationId: l.bin_id, toLocationId: VIRTUAL_LOCATION_IDS.vendor, qty: l.qty_base, documentLineId: l.id }));
    const posted = await postMovements(scoped, { kind: 'vendor_return', reason: row.reason, documentType: 'vendor_return', documentId: id, effectiveAt, movements });
    const valueByLine = new Map<string, number>();
    for (const m of posted.movements) valueByLine.set(m.document_line_id ?? '', (valueByLine.get(m.document_line_id ?? '') ?? 0) + (m.value_micros ?? 0));
    const receiptLines = row.receipt_id ? new Map((await trx.selectFrom('receipt_lines').selectAll().where('receipt_id', '=', row.receipt_id).execute()).map((l) => [l.id, l])) : new Map<string, ReceiptLineRow>();
    let creditTotal = 0;
    let valueTotal = 0;
    for (const line of lines) {
      const value = valueByLine.get(line.id) ?? 0;
      const credit = creditFor(line, receiptLines.get(line.receipt_line_id ?? ''), value, rate.rateE9);
      creditTotal += credit;
      valueTotal += value;
      await trx.updateTable('vendor_return_lines').set({ credit_micros: credit, value_micros: value }).where('id', '=', line.id).execute();
    }
    await trx
      .updateTable('vendor_returns')
      .set({
        status: 'posted',
        returned_at: posted.effectiveAt,
        exchange_rate_e9: row.currency === settings.base_currency ? null : rate.rateE9,
        credit_micros: creditTotal,
        value_micros: valueTotal,
        txn_id: posted.txnId,
        posted_at: now,
        posted_by: ctx.actor.id,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    return { ...(await loadVendorReturn(scoped, id)), negativeBalances: posted.negativeBalances };
  });
}

/**
 * The credit for one line, in micros of the return's currency: the price given; else the price the
 * goods came in at on the receipt line; else what the ledger took out, at the rate.
 */
export function creditFor(line: Pick<VendorReturnLineRow, 'qty_base' | 'unit_credit_micros'>, receiptLine: Pick<ReceiptLineRow, 'price_micros' | 'price_unit_factor'> | undefined, valueMicros: number, rateE9: number): number {
  if (line.unit_credit_micros !== null) return mulDiv(line.unit_credit_micros, line.qty_base, QTY_SCALE);
  if (receiptLine?.price_micros != null && receiptLine.price_unit_factor) return mulDiv(receiptLine.price_micros, line.qty_base, receiptLine.price_unit_factor);
  return mulDiv(valueMicros, RATE_SCALE, rateE9);
}

export async function cancelVendorReturn(ctx: ServiceContext, id: string): Promise<VendorReturnRecord> {
  return inTransaction(ctx, async (trx) => {
    const row = await lockVendorReturn(ctx, trx, id);
    assertDraft(row, 'cancel');
    const now = ctx.clock.now();
    await trx.updateTable('vendor_returns').set({ status: 'cancelled', cancelled_at: now, updated_at: now }).where('id', '=', id).execute();
    return loadVendorReturn({ ...ctx, trx }, id);
  });
}

export async function getVendorReturn(ctx: ServiceContext, id: string): Promise<VendorReturnRecord> {
  return loadVendorReturn(ctx, id);
}

async function loadVendorReturn(ctx: ServiceContext, id: string): Promise<VendorReturnRecord> {
  const db: Executor = reader(ctx);
  const row = await db.selectFrom('vendor_returns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !canSeeSite(ctx.actor, row.site_id)) throw notFound(id);
  const [vendor, lines, receipt] = await Promise.all([
    findVendor(db, row.vendor_id),
    db.selectFrom('vendor_return_lines').selectAll().where('return_id', '=', id).orderBy('line_no').execute(),
    row.receipt_id ? findReceipt(db, row.receipt_id) : Promise.resolve(undefined),
  ]);
  return { ...row, vendor: vendor!, receiptNumber: receipt?.number ?? null, lines };
}

export async function listVendorReturns(
  ctx: ServiceContext,
  query: { vendorId?: string | undefined; siteId?: string | undefined; status?: VendorReturnStatus | undefined; limit: number; cursor?: string | undefined },
): Promise<{ rows: Array<VendorReturnRow & { vendor_name: string }>; nextCursor: string | null }> {
  let q = reader(ctx).selectFrom('vendor_returns as r').innerJoin('vendors as v', 'v.id', 'r.vendor_id').selectAll('r').select('v.name as vendor_name');
  if (query.vendorId) q = q.where('r.vendor_id', '=', query.vendorId);
  if (query.siteId) q = q.where('r.site_id', '=', query.siteId);
  if (query.status) q = q.where('r.status', '=', query.status);
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    q = sites.length ? q.where('r.site_id', 'in', sites) : q.where('r.id', '=', '');
  }
  const after = decodeCursor(query.cursor, ['number', 'string']);
  if (after) {
    const [at, id] = after as [number, string];
    q = q.where((eb) => eb.or([eb('r.created_at', '<', at), eb.and([eb('r.created_at', '=', at), eb('r.id', '<', id)])]));
  }
  const rows = await q.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1];
  return { rows: page, nextCursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
}
