import { canSeeSite, inTransaction, type ServiceContext } from '../../platform/context.ts';
import { emitWebhookEvent } from '../notifications/index.ts';
import type { ItemRow, LocationRow, ReceiptLineRow, ReceiptRow } from '../../platform/db/schema.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import type { FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { findItems } from '../catalog/index.ts';
import { findOrCreateLot, listLotsOfItem, NO_LOT, postMovements, type MovementInput } from '../ledger/index.ts';
import { getLocation, listLocations, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { readSettings } from '../settings/index.ts';
import { baseUnitCost } from './conversion.ts';
import { localDateOf } from './dates.ts';
import { resolveRate } from './exchange-rates.service.ts';
import { lockPurchaseOrder, RECEIVABLE, refreshPurchaseOrderStatus } from './purchase-orders.service.ts';
import { PurchasingError } from './purchasing.errors.ts';
import { assessReceiptNow, loadReceipt, lockReceipt, receiptNotFound, type ReceiptRecord } from './receipts.service.ts';
import { findVendor } from './vendors.service.ts';

/**
 * Posting a receipt: everything is checked first (lots, expiry, serials, costs, bins, the
 * exchange rate), then one ledger posting moves every line from the vendor into its bin at its
 * base-currency unit cost, which opens the FIFO layers (or joins the average pool). Damaged goods
 * go to a quarantine bin, or from the vendor straight to scrap in a second ledger posting of
 * kind `scrap` in the same database transaction, at their own cost: paid for, recorded as a loss,
 * never in stock. A receipt over the vendor's tolerance stops at `awaiting_approval` and posts when a
 * manager approves it.
 */

export async function postReceipt(ctx: ServiceContext, id: string): Promise<ReceiptRecord> {
  return inTransaction(ctx, (trx) => postOrSubmit(ctx, trx, id, false));
}

/** A manager's approval of a receipt held for an over-receipt beyond tolerance: it posts. */
export async function approveReceipt(ctx: ServiceContext, id: string): Promise<ReceiptRecord> {
  return inTransaction(ctx, (trx) => postOrSubmit(ctx, trx, id, true));
}

async function postOrSubmit(ctx: ServiceContext, trx: Trx, id: string, approving: boolean): Promise<ReceiptRecord> {
  const scoped = { ...ctx, trx };
  // Lock order: the purchase order first (as every other writer of it does), then the receipt.
  const peek = await trx.selectFrom('receipts').select(['po_id', 'site_id']).where('id', '=', id).executeTakeFirst();
  // A receipt out of sight is one that does not exist; its order must not be named in the 404.
  if (!peek || !canSeeSite(ctx.actor, peek.site_id)) throw receiptNotFound(id);
  if (peek.po_id) await lockPurchaseOrder(ctx, trx, peek.po_id);
  const receipt = await lockReceipt(ctx, trx, id);
  const expected = approving ? 'awaiting_approval' : 'draft';
  if (receipt.status !== expected) {
    throw new PurchasingError('receipt_transition_invalid', approving ? `Only a receipt awaiting approval can be approved; this one is ${receipt.status}.` : `Only a draft receipt can be posted; this one is ${receipt.status.replace('_', ' ')}.`, {
      extra: { current_status: receipt.status, action: approving ? 'approve' : 'post', allowed_from: [expected] },
    });
  }
  if (receipt.po_id) {
    const po = (await trx.selectFrom('purchase_orders').select(['status', 'number']).where('id', '=', receipt.po_id).executeTakeFirstOrThrow());
    if (!RECEIVABLE.includes(po.status)) throw new PurchasingError('purchase_order_not_receivable', `${po.number} is ${po.status}; nothing more can be received against it.`, { extra: { current_status: po.status } });
  }
  const lines = await trx.selectFrom('receipt_lines').selectAll().where('receipt_id', '=', id).orderBy('line_no').execute();
  if (lines.length === 0) throw new PurchasingError('receipt_transition_invalid', 'The receipt has no lines to post.', { extra: { current_status: receipt.status, action: 'post' } });
  const vendor = receipt.vendor_id ? ((await findVendor(trx, receipt.vendor_id)) ?? null) : null;
  const items = await findItems(trx, lines.map((l) => l.item_id));
  await checkLines(trx, lines, items);

  const assessment = await assessReceiptNow(trx, receipt, lines, vendor);
  const now = ctx.clock.now();
  if (assessment.needsApproval && !approving) {
    await trx.updateTable('receipts').set({ status: 'awaiting_approval', submitted_at: now, submitted_by: ctx.actor.id, updated_at: now }).where('id', '=', id).execute();
    return loadReceipt(scoped, id);
  }

  const effectiveAt = receipt.received_at ?? now;
  const settings = await readSettings(trx);
  const rate = await resolveRate(trx, {
    currency: receipt.currency,
    baseCurrency: settings.base_currency,
    explicitE9: receipt.rate_source === 'explicit' ? receipt.exchange_rate_e9 : null,
    date: localDateOf(effectiveAt, settings.time_zone),
    field: 'body.exchange_rate',
  });
  const bins = await binsFor(scoped, receipt, lines);
  const { receiptMovements, scrapMovements, costs } = await buildMovements(trx, lines, items, bins, rate.rateE9, now);

  const posted = receiptMovements.length
    ? await postMovements(scoped, { kind: 'receipt', documentType: 'receipt', documentId: id, effectiveAt, movements: receiptMovements })
    : null;
  const scrapped = scrapMovements.length
    ? await postMovements(scoped, { kind: 'scrap', reason: 'damaged_on_receipt', documentType: 'receipt', documentId: id, effectiveAt, movements: scrapMovements })
    : null;

  for (const line of lines) {
    await trx.updateTable('receipt_lines').set({ base_unit_cost_micros: costs.get(line.id)!, bin_id: bins.get(line.id)!.id, updated_at: now }).where('id', '=', line.id).execute();
  }
  const rows = assessment.discrepancies.map((d) => ({
    id: newId('dsc', now),
    receipt_id: id,
    receipt_line_id: d.receiptLineId,
    po_id: receipt.po_id,
    po_line_id: d.poLineId,
    vendor_id: receipt.vendor_id,
    item_id: d.itemId,
    kind: d.kind,
    qty_base: d.qtyBase,
    detail: d.detail,
    approved_by: d.beyondTolerance ? ctx.actor.id : null,
    created_at: now,
  }));
  if (rows.length) await trx.insertInto('receipt_discrepancies').values(rows).execute();
  await trx
    .updateTable('receipts')
    .set({
      status: 'posted',
      exchange_rate_e9: rate.rateE9,
      rate_source: rate.source,
      received_at: effectiveAt,
      posted_at: now,
      posted_by: ctx.actor.id,
      ...(approving ? { approved_at: now, approved_by: ctx.actor.id } : {}),
      txn_id: posted?.txnId ?? scrapped?.txnId ?? null,
      scrap_txn_id: scrapped?.txnId ?? null,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
  if (receipt.po_id) await refreshPurchaseOrderStatus(trx, receipt.po_id, effectiveAt);
  await emitWebhookEvent(trx, { type: 'purchase_order.received', data: { receipt_id: id, receipt_number: receipt.number, purchase_order_id: receipt.po_id, site_id: receipt.site_id, received_at: new Date(effectiveAt).toISOString() }, orderingKey: receipt.po_id ?? id }, now);
  return loadReceipt(scoped, id);
}

/** Everything about the lines that only posting insists on: costs, lots, expiry, serials. */
async function checkLines(trx: Trx, lines: ReceiptLineRow[], items: Map<string, ItemRow>): Promise<void> {
  const errors: FieldError[] = [];
  const serialsSeen = new Map<string, Set<string>>();
  for (const [i, line] of lines.entries()) {
    const fail = (field: string, code: string, message: string) => errors.push({ field: `lines.${i}.${field}`, code, message });
    const item = items.get(line.item_id)!;
    if (item.status !== 'active' || item.stocked !== 1) fail('item_id', 'not_stockable', `${item.sku} is archived or not stocked`);
    if (line.price_micros === null || line.price_unit_factor === null) fail('unit_cost', 'required', `no price is known for ${item.sku}; give its unit cost`);
    const serials = JSON.parse(line.serials_json) as string[];
    if (item.tracking === 'serial') {
      if (serials.length * QTY_SCALE !== line.qty_base) fail('serials', 'count', `${item.sku} needs one serial number per unit: ${line.qty_base / QTY_SCALE} units, ${serials.length} serials`);
      const seen = serialsSeen.get(item.id) ?? new Set<string>();
      for (const s of serials) {
        if (seen.has(s)) fail('serials', 'duplicate', `serial ${s} is on the receipt twice`);
        seen.add(s);
      }
      serialsSeen.set(item.id, seen);
    }
    if (item.tracking === 'lot' && !line.lot_code) fail('lot_code', 'required', `${item.sku} is tracked by lot; give the lot code`);
    if (item.tracks_expiry === 1 && !line.expires_on) {
      const code = item.tracking === 'lot' ? line.lot_code : null;
      const known = code ? (await listLotsOfItem(trx, item.id)).find((l) => l.code === code && l.expires_on) : undefined;
      if (!known) fail('expires_on', 'required', `${item.sku} tracks expiry; give the expiry date`);
    }
  }
  if (errors.length) throw new PurchasingError('receipt_line_invalid', errors[0]!.message, { errors });
}

/** Where each line goes: its bin, else for quarantined damage the site's first quarantine bin, else the site's default bin. */
async function binsFor(ctx: ServiceContext, receipt: ReceiptRow, lines: ReceiptLineRow[]): Promise<Map<string, LocationRow>> {
  const site = await getLocation(ctx, receipt.site_id);
  const siteLocations = await listLocations(ctx, { siteId: site.id, includeVirtual: false });
  const byId = new Map(siteLocations.map((l) => [l.id, l]));
  const quarantine = siteLocations.filter((l) => l.kind === 'bin' && l.purpose === 'quarantine').sort((a, b) => a.pick_order - b.pick_order || a.full_code.localeCompare(b.full_code))[0];
  const fallback = site.default_bin_id ? byId.get(site.default_bin_id) : undefined;
  const out = new Map<string, LocationRow>();
  const errors: FieldError[] = [];
  for (const [i, line] of lines.entries()) {
    const bin = line.bin_id ? byId.get(line.bin_id) : line.disposition === 'quarantine' ? quarantine : fallback;
    if (!bin) {
      errors.push({
        field: `lines.${i}.bin_id`,
        code: line.disposition === 'quarantine' ? 'no_quarantine_bin' : 'no_bin',
        message: line.disposition === 'quarantine' ? `${site.full_code} has no quarantine bin; add one or send the damaged goods to scrap` : 'give a bin',
      });
      continue;
    }
    out.set(line.id, bin);
  }
  if (errors.length) throw new PurchasingError('receipt_line_invalid', errors[0]!.message, { errors });
  return out;
}

async function buildMovements(trx: Trx, lines: ReceiptLineRow[], items: Map<string, ItemRow>, bins: Map<string, LocationRow>, rateE9: number, now: number) {
  const receiptMovements: MovementInput[] = [];
  const scrapMovements: MovementInput[] = [];
  const costs = new Map<string, number>();
  for (const line of lines) {
    const item = items.get(line.item_id)!;
    const unitCost = baseUnitCost(line.price_micros!, line.price_unit_factor!, rateE9);
    costs.set(line.id, unitCost);
    const bin = bins.get(line.id)!.id;
    const legs: Array<{ lotId: string; qty: number }> = [];
    if (item.tracking === 'serial') {
      for (const serial of JSON.parse(line.serials_json) as string[]) {
        legs.push({ lotId: (await findOrCreateLot(trx, item.id, 'serial', { code: serial, expiresOn: line.expires_on }, now)).id, qty: QTY_SCALE });
      }
    } else if (item.tracking === 'lot') {
      legs.push({ lotId: (await findOrCreateLot(trx, item.id, 'lot', { code: line.lot_code!, expiresOn: line.expires_on }, now)).id, qty: line.qty_base });
    } else {
      legs.push({ lotId: NO_LOT, qty: line.qty_base });
    }
    for (const leg of legs) {
      // Damaged goods written off on arrival go from the vendor straight to scrap at their own
      // cost: they never enter stock, so no older layer is scrapped in their place.
      const movement = { itemId: item.id, lotId: leg.lotId, fromLocationId: VIRTUAL_LOCATION_IDS.vendor, qty: leg.qty, unitCostMicros: unitCost, documentLineId: line.id };
      if (line.disposition === 'scrap') scrapMovements.push({ ...movement, toLocationId: VIRTUAL_LOCATION_IDS.scrap });
      else receiptMovements.push({ ...movement, toLocationId: bin });
    }
  }
  return { receiptMovements, scrapMovements, costs };
}

