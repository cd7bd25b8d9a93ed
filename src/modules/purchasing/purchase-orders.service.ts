import { sql } from 'kysely';
import { queuePurchaseOrderEmail } from './purchase-order-email.ts';
import { canSeeSite, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import { formatDocumentNumber, nextNumber } from '../../platform/db/counters.ts';
import type {
  ItemRow,
  PurchaseOrderLineRow,
  PurchaseOrderRow,
  PurchaseOrderStatus,
  ReceiptDiscrepancyRow,
  VendorItemRow,
  VendorRow,
} from '../../platform/db/schema.ts';
import { inList } from '../../platform/db/id-lists.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { formatMoney } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { findItems } from '../catalog/index.ts';
import { getLocation } from '../locations/index.ts';
import { findUnit, lineAmount, percentOf, toBaseQty } from './conversion.ts';
import { insertLines, prepareLines } from './purchase-order-lines.ts';
import { PurchasingError } from './purchasing.errors.ts';
import { findVendor } from './vendors.service.ts';

/**
 * Purchase orders: draft → sent → partially_received → received → closed, or cancelled from
 * draft or sent. Receipts move an order through partially_received and received; people send,
 * cancel and close. Lines are in the vendor's purchase units, converted to base units exactly,
 * and priced in the vendor's currency. Once sent, every edit is a new revision recording what
 * changed, who changed it and when.
 *
 * Tax: each line carries a rate (thousandths of a percent) or inherits the order's; tax is
 * computed per line on its subtotal, each rounded half away from zero to the micro. Shipping is
 * added untaxed.
 */

export interface LineInput {
  item_id: string;
  qty: number;
  unit?: string;
  unit_price?: number;
  tax_rate?: number | null;
  vendor_sku?: string | null;
  notes?: string | null;
}

export type LinePatch = Partial<Omit<LineInput, 'item_id'>>;

export interface PurchaseOrderInput {
  vendor_id: string;
  delivery_site_id: string;
  expected_on?: string | null;
  notes?: string | null;
  terms?: string | null;
  tax_rate?: number;
  shipping?: number;
  lines: LineInput[];
}

export interface PurchaseOrderPatch {
  delivery_site_id?: string;
  expected_on?: string | null;
  notes?: string | null;
  terms?: string | null;
  tax_rate?: number;
  shipping?: number;
}

export interface PurchaseOrderLineRecord extends PurchaseOrderLineRow {
  taxRate: number;
  subtotalMicros: number;
  taxMicros: number;
  /** Good units received on posted receipts, in base thousandths. */
  qtyReceivedBase: number;
  qtyDamagedBase: number;
  /** What the vendor still owes: ordered less good units received, never below zero. */
  qtyOutstandingBase: number;
  warnings: Array<{ code: 'below_minimum_order' | 'not_pack_multiple'; message: string }>;
}

export interface PurchaseOrderRecord extends PurchaseOrderRow {
  vendor: VendorRow;
  lines: PurchaseOrderLineRecord[];
  subtotalMicros: number;
  taxMicros: number;
  totalMicros: number;
  receipts: Array<{ id: string; number: string; status: string; received_at: number | null; posted_at: number | null }>;
  discrepancies: ReceiptDiscrepancyRow[];
}

export interface RevisionChange {
  field: string;
  line_id?: string;
  line_no?: number;
  from?: unknown;
  to?: unknown;
}

const EDITABLE: readonly PurchaseOrderStatus[] = ['draft', 'sent', 'partially_received'];
export const RECEIVABLE: readonly PurchaseOrderStatus[] = ['sent', 'partially_received', 'received'];
export const MAX_PO_LINES = 500;

/** The transitions people ask for; the receiving ones happen as receipts post. */
const transitions = {
  send: { from: ['draft'], to: 'sent' },
  cancel: { from: ['draft', 'sent'], to: 'cancelled' },
  close: { from: ['partially_received', 'received'], to: 'closed' },
} as const satisfies Record<string, { from: readonly PurchaseOrderStatus[]; to: PurchaseOrderStatus }>;
export type PurchaseOrderAction = keyof typeof transitions;

function notFound(id: string): PurchasingError {
  return new PurchasingError('purchase_order_not_found', `No purchase order ${id}.`, { extra: { purchase_order_id: id } });
}

export async function findPurchaseOrder(db: Executor, id: string): Promise<PurchaseOrderRow | undefined> {
  return db.selectFrom('purchase_orders').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Takes the order's row lock for the rest of the transaction (SQLite holds the write lock
 * already), so receipts and edits of one order happen one at a time.
 */
export async function lockPurchaseOrder(ctx: ServiceContext, trx: Trx, id: string): Promise<PurchaseOrderRow> {
  const row = await trx.updateTable('purchase_orders').set({ updated_at: sql`updated_at` }).where('id', '=', id).returningAll().executeTakeFirst();
  if (!row || !canSeeSite(ctx.actor, row.delivery_site_id)) throw notFound(id);
  return row;
}

async function activeVendor(trx: Trx, id: string): Promise<VendorRow> {
  const vendor = await findVendor(trx, id);
  if (!vendor) throw new PurchasingError('vendor_not_found', `No vendor ${id}.`, { extra: { vendor_id: id } });
  if (vendor.status !== 'active') throw new PurchasingError('vendor_archived', `${vendor.name} is archived; reactivate it to order from it.`);
  return vendor;
}

async function deliverySite(ctx: ServiceContext, trx: Trx, id: string, field: string): Promise<string> {
  const site = await getLocation({ ...ctx, trx }, id);
  if (site.kind !== 'site') {
    throw new PurchasingError('purchase_order_line_invalid', `${site.full_code} is a ${site.kind}; deliveries go to a site.`, {
      errors: [{ field, code: 'not_a_site', message: 'give a store or warehouse' }],
    });
  }
  return site.id;
}

export async function createPurchaseOrder(ctx: ServiceContext, input: PurchaseOrderInput): Promise<PurchaseOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const vendor = await activeVendor(trx, input.vendor_id);
    const siteId = await deliverySite(ctx, trx, input.delivery_site_id, 'body.delivery_site_id');
    const lines = await prepareLines(trx, vendor.id, input.lines, 'body.lines');
    const now = ctx.clock.now();
    const id = newId('po', now);
    const number = formatDocumentNumber('PO', await nextNumber(trx, 'purchase_order'));
    await trx
      .insertInto('purchase_orders')
      .values({
        id,
        number,
        vendor_id: vendor.id,
        status: 'draft',
        currency: vendor.currency,
        delivery_site_id: siteId,
        expected_on: input.expected_on ?? null,
        notes: input.notes ?? null,
        terms: input.terms !== undefined ? input.terms : vendor.payment_terms,
        tax_rate: input.tax_rate ?? 0,
        shipping_micros: input.shipping ?? 0,
        revision: 0,
        created_by: ctx.actor.id,
        created_at: now,
        updated_at: now,
        sent_at: null,
        received_at: null,
        closed_at: null,
        cancelled_at: null,
      })
      .execute();
    if (lines.length) await insertLines(trx, id, 1, lines, now);
    return loadPurchaseOrder({ ...ctx, trx }, id);
  });
}

function assertEditable(po: PurchaseOrderRow): void {
  if (!EDITABLE.includes(po.status)) {
    throw new PurchasingError('purchase_order_not_editable', `${po.number} is ${po.status}; only draft, sent and partially received orders can change.`, {
      extra: { current_status: po.status },
    });
  }
}

/** After `sent`, an edit is a new revision; drafts change freely. */
async function recordRevision(ctx: ServiceContext, trx: Trx, po: PurchaseOrderRow, changes: RevisionChange[]): Promise<void> {
  const now = ctx.clock.now();
  if (po.status === 'draft' || changes.length === 0) {
    await trx.updateTable('purchase_orders').set({ updated_at: now }).where('id', '=', po.id).execute();
    return;
  }
  const revision = po.revision + 1;
  await trx.updateTable('purchase_orders').set({ revision, updated_at: now }).where('id', '=', po.id).execute();
  await trx
    .insertInto('purchase_order_revisions')
    .values({ id: newId('rev', now), po_id: po.id, revision, actor_id: ctx.actor.id, created_at: now, changes_json: JSON.stringify(changes) })
    .execute();
}

const money = (micros: number | null) => (micros === null ? null : formatMoney(micros));
const percent = (rate: number | null) => (rate === null ? null : quantityToNumber(rate));

export async function updatePurchaseOrder(ctx: ServiceContext, id: string, patch: PurchaseOrderPatch): Promise<PurchaseOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const po = await lockPurchaseOrder(ctx, trx, id);
    assertEditable(po);
    const set: Partial<PurchaseOrderRow> = {};
    const changes: RevisionChange[] = [];
    const change = <K extends keyof PurchaseOrderRow>(column: K, field: string, next: PurchaseOrderRow[K], show: (v: PurchaseOrderRow[K]) => unknown = (v) => v) => {
      if (next === po[column]) return;
      set[column] = next;
      changes.push({ field, from: show(po[column]), to: show(next) });
    };
    if (patch.delivery_site_id !== undefined) change('delivery_site_id', 'delivery_site_id', await deliverySite(ctx, trx, patch.delivery_site_id, 'body.delivery_site_id'));
    if (patch.expected_on !== undefined) change('expected_on', 'expected_on', patch.expected_on);
    if (patch.notes !== undefined) change('notes', 'notes', patch.notes);
    if (patch.terms !== undefined) change('terms', 'terms', patch.terms);
    if (patch.tax_rate !== undefined) change('tax_rate', 'tax_rate_percent', patch.tax_rate, (v) => percent(v as number));
    if (patch.shipping !== undefined) change('shipping_micros', 'shipping', patch.shipping, (v) => money(v as number));
    if (Object.keys(set).length) await trx.updateTable('purchase_orders').set(set).where('id', '=', id).execute();
    await recordRevision(ctx, trx, { ...po }, changes);
    return loadPurchaseOrder({ ...ctx, trx }, id);
  });
}

export async function addPurchaseOrderLines(ctx: ServiceContext, id: string, lines: LineInput[]): Promise<PurchaseOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const po = await lockPurchaseOrder(ctx, trx, id);
    assertEditable(po);
    const existing = await trx.selectFrom('purchase_order_lines').select(sql<number>`coalesce(max(line_no), 0)`.as('max')).where('po_id', '=', id).executeTakeFirstOrThrow();
    const count = await trx.selectFrom('purchase_order_lines').select(sql<number>`count(*)`.as('n')).where('po_id', '=', id).executeTakeFirstOrThrow();
    if (Number(count.n) + lines.length > MAX_PO_LINES) {
      throw new PurchasingError('purchase_order_line_invalid', `A purchase order holds at most ${MAX_PO_LINES} lines.`);
    }
    const prepared = await prepareLines(trx, po.vendor_id, lines, 'body.lines');
    const rows = await insertLines(trx, id, Number(existing.max) + 1, prepared, ctx.clock.now());
    await recordRevision(
      ctx,
      trx,
      po,
      rows.map((r) => ({ field: 'line_added', line_id: r.id, line_no: r.line_no, to: { item_id: r.item_id, qty: quantityToNumber(r.qty), unit: r.unit, unit_price: formatMoney(r.unit_price_micros) } })),
    );
    await refreshPurchaseOrderStatus(trx, po.id, ctx.clock.now());
    return loadPurchaseOrder({ ...ctx, trx }, id);
  });
}

async function lockedLine(trx: Trx, poId: string, lineId: string): Promise<PurchaseOrderLineRow> {
  const line = await trx.selectFrom('purchase_order_lines').selectAll().where('id', '=', lineId).where('po_id', '=', poId).executeTakeFirst();
  if (!line) throw new PurchasingError('purchase_order_line_not_found', `Purchase order ${poId} has no line ${lineId}.`);
  return line;
}

export async function updatePurchaseOrderLine(ctx: ServiceContext, id: string, lineId: string, patch: LinePatch): Promise<PurchaseOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const po = await lockPurchaseOrder(ctx, trx, id);
    assertEditable(po);
    const line = await lockedLine(trx, id, lineId);
    const received = (await receivedByLine(trx, id)).get(lineId);
    const unitChanging = patch.unit !== undefined && patch.unit.toLowerCase() !== line.unit.toLowerCase();
    if (received && unitChanging) {
      throw new PurchasingError('purchase_order_line_invalid', 'Goods were received against this line; its unit can no longer change.', {
        errors: [{ field: 'body.unit', code: 'received', message: 'the line has receipts' }],
      });
    }
    const merged: LineInput = {
      item_id: line.item_id,
      qty: patch.qty ?? line.qty,
      unit: patch.unit ?? line.unit,
      unit_price: patch.unit_price ?? (unitChanging ? undefined : line.unit_price_micros),
      tax_rate: patch.tax_rate !== undefined ? patch.tax_rate : line.tax_rate,
      vendor_sku: patch.vendor_sku !== undefined ? patch.vendor_sku : line.vendor_sku,
      notes: patch.notes !== undefined ? patch.notes : line.notes,
    };
    const [next] = await prepareLines(trx, po.vendor_id, [merged], 'body');
    const receivedBase = received?.good ?? 0;
    if (next!.qty_base < receivedBase) {
      throw new PurchasingError('purchase_order_line_invalid', `${quantityToNumber(receivedBase)} base units were already received; the line cannot order fewer.`, {
        errors: [{ field: 'body.qty', code: 'below_received', message: 'less than already received' }],
      });
    }
    const changes: RevisionChange[] = [];
    const compare = (field: string, from: unknown, to: unknown) => {
      if (from !== to) changes.push({ field, line_id: line.id, line_no: line.line_no, from, to });
    };
    compare('qty', quantityToNumber(line.qty), quantityToNumber(next!.qty));
    compare('unit', line.unit, next!.unit);
    compare('unit_price', formatMoney(line.unit_price_micros), formatMoney(next!.unit_price_micros));
    compare('tax_rate_percent', percent(line.tax_rate), percent(next!.tax_rate));
    compare('vendor_sku', line.vendor_sku, next!.vendor_sku);
    compare('notes', line.notes, next!.notes);
    const now = ctx.clock.now();
    await trx
      .updateTable('purchase_order_lines')
      .set({ ...next!, list_price_micros: unitChanging ? next!.list_price_micros : line.list_price_micros, updated_at: now })
      .where('id', '=', lineId)
      .execute();
    await recordRevision(ctx, trx, po, changes);
    await refreshPurchaseOrderStatus(trx, po.id, now);
    return loadPurchaseOrder({ ...ctx, trx }, id);
  });
}

export async function removePurchaseOrderLine(ctx: ServiceContext, id: string, lineId: string): Promise<PurchaseOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const po = await lockPurchaseOrder(ctx, trx, id);
    assertEditable(po);
    const line = await lockedLine(trx, id, lineId);
    const used = await trx.selectFrom('receipt_lines').select('id').where('po_line_id', '=', lineId).limit(1).executeTakeFirst();
    if (used) throw new PurchasingError('purchase_order_line_invalid', 'A receipt refers to this line; change its quantity instead of removing it.');
    await trx.deleteFrom('purchase_order_lines').where('id', '=', lineId).execute();
    await recordRevision(ctx, trx, po, [{ field: 'line_removed', line_id: line.id, line_no: line.line_no, from: { item_id: line.item_id, qty: quantityToNumber(line.qty), unit: line.unit } }]);
    await refreshPurchaseOrderStatus(trx, po.id, ctx.clock.now());
    return loadPurchaseOrder({ ...ctx, trx }, id);
  });
}

function assertTransition(po: PurchaseOrderRow, action: PurchaseOrderAction): PurchaseOrderStatus {
  const rule = transitions[action];
  if (!(rule.from as readonly PurchaseOrderStatus[]).includes(po.status)) {
    throw new PurchasingError('purchase_order_transition_invalid', `A ${po.status.replace('_', ' ')} purchase order cannot be ${action === 'send' ? 'sent' : `${action === 'cancel' ? 'cancelled' : 'closed'}`}; allowed from ${rule.from.join(' or ')}.`, {
      extra: { current_status: po.status, action, allowed_from: rule.from },
    });
  }
  return rule.to;
}

/** Sending records when and queues the vendor's email with the PDF (purchase-order-email.ts), in the same transaction. */
export async function sendPurchaseOrder(ctx: ServiceContext, id: string): Promise<PurchaseOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const po = await lockPurchaseOrder(ctx, trx, id);
    const to = assertTransition(po, 'send');
    const lines = await trx.selectFrom('purchase_order_lines').select('id').where('po_id', '=', id).limit(1).execute();
    if (lines.length === 0) throw new PurchasingError('purchase_order_transition_invalid', 'A purchase order without lines cannot be sent.', { extra: { current_status: po.status, action: 'send' } });
    await activeVendor(trx, po.vendor_id);
    const now = ctx.clock.now();
    await trx.updateTable('purchase_orders').set({ status: to, sent_at: now, revision: 1, updated_at: now }).where('id', '=', id).execute();
    await trx
      .insertInto('purchase_order_revisions')
      .values({ id: newId('rev', now), po_id: id, revision: 1, actor_id: ctx.actor.id, created_at: now, changes_json: JSON.stringify([{ field: 'status', from: 'draft', to: 'sent' }]) })
      .execute();
    await queuePurchaseOrderEmail(ctx, trx, po, now);
    return loadPurchaseOrder({ ...ctx, trx }, id);
  });
}

/** Cancels the order and any receipt still being prepared against it. */
export async function cancelPurchaseOrder(ctx: ServiceContext, id: string): Promise<PurchaseOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const po = await lockPurchaseOrder(ctx, trx, id);
    const to = assertTransition(po, 'cancel');
    const now = ctx.clock.now();
    await trx.updateTable('purchase_orders').set({ status: to, cancelled_at: now, updated_at: now }).where('id', '=', id).execute();
    await cancelOpenReceipts(trx, id, now);
    return loadPurchaseOrder({ ...ctx, trx }, id);
  });
}

/** Closes the order: whatever is still outstanding is recorded as a shortage the vendor will not deliver. */
export async function closePurchaseOrder(ctx: ServiceContext, id: string): Promise<PurchaseOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const po = await lockPurchaseOrder(ctx, trx, id);
    const to = assertTransition(po, 'close');
    const now = ctx.clock.now();
    const lines = await trx.selectFrom('purchase_order_lines').selectAll().where('po_id', '=', id).orderBy('line_no').execute();
    const received = await receivedByLine(trx, id);
    const shortages = lines
      .map((l) => ({ line: l, short: l.qty_base - (received.get(l.id)?.good ?? 0) }))
      .filter((s) => s.short > 0)
      .map(({ line, short }) => ({
        id: newId('dsc', now),
        receipt_id: null,
        receipt_line_id: null,
        po_id: id,
        po_line_id: line.id,
        vendor_id: po.vendor_id,
        item_id: line.item_id,
        kind: 'short' as const,
        qty_base: short,
        detail: `Closed with ${quantityToNumber(short)} base units of line ${line.line_no} never delivered.`,
        approved_by: null,
        created_at: now,
      }));
    if (shortages.length) await trx.insertInto('receipt_discrepancies').values(shortages).execute();
    await trx.updateTable('purchase_orders').set({ status: to, closed_at: now, updated_at: now }).where('id', '=', id).execute();
    await cancelOpenReceipts(trx, id, now);
    return loadPurchaseOrder({ ...ctx, trx }, id);
  });
}

async function cancelOpenReceipts(trx: Trx, poId: string, now: number): Promise<void> {
  await trx
    .updateTable('receipts')
    .set({ status: 'cancelled', cancelled_at: now, updated_at: now })
    .where('po_id', '=', poId)
    .where('status', 'in', ['draft', 'awaiting_approval'])
    .execute();
}

/** Good and damaged base units received on posted receipts, per PO line. */
export async function receivedByLine(db: Executor, poId: string): Promise<Map<string, { good: number; damaged: number }>> {
  const rows = await db
    .selectFrom('receipt_lines as rl')
    .innerJoin('receipts as r', 'r.id', 'rl.receipt_id')
    .select(['rl.po_line_id', 'rl.condition', sql<number>`sum(rl.qty_base)`.as('qty')])
    .where('r.po_id', '=', poId)
    .where('r.status', '=', 'posted')
    .where('rl.po_line_id', 'is not', null)
    .groupBy(['rl.po_line_id', 'rl.condition'])
    .execute();
  const out = new Map<string, { good: number; damaged: number }>();
  for (const r of rows) {
    const entry = out.get(r.po_line_id!) ?? { good: 0, damaged: 0 };
    entry[r.condition === 'good' ? 'good' : 'damaged'] += Number(r.qty);
    out.set(r.po_line_id!, entry);
  }
  return out;
}

/**
 * Moves a receivable order to partially_received once anything was delivered, and to received
 * once every line has its good units (stamped with when the completing receipt took effect).
 * Called with the order locked.
 */
export async function refreshPurchaseOrderStatus(trx: Trx, poId: string, effectiveAt: number): Promise<PurchaseOrderStatus> {
  const po = (await findPurchaseOrder(trx, poId))!;
  if (!RECEIVABLE.includes(po.status)) return po.status;
  const lines = await trx.selectFrom('purchase_order_lines').select(['id', 'qty_base']).where('po_id', '=', poId).execute();
  const received = await receivedByLine(trx, poId);
  const delivered = await trx.selectFrom('receipts').select('id').where('po_id', '=', poId).where('status', '=', 'posted').limit(1).executeTakeFirst();
  const complete = lines.length > 0 && lines.every((l) => (received.get(l.id)?.good ?? 0) >= l.qty_base);
  const next: PurchaseOrderStatus = complete ? 'received' : delivered ? 'partially_received' : 'sent';
  if (next !== po.status) {
    await trx
      .updateTable('purchase_orders')
      .set({ status: next, received_at: next === 'received' ? effectiveAt : null })
      .where('id', '=', poId)
      .execute();
  }
  return next;
}

export async function getPurchaseOrder(ctx: ServiceContext, id: string): Promise<PurchaseOrderRecord> {
  return loadPurchaseOrder(ctx, id);
}

async function loadPurchaseOrder(ctx: ServiceContext, id: string): Promise<PurchaseOrderRecord> {
  const db = reader(ctx);
  const po = await findPurchaseOrder(db, id);
  if (!po || !canSeeSite(ctx.actor, po.delivery_site_id)) throw notFound(id);
  const [vendor, lines, received, receipts, discrepancies] = await Promise.all([
    findVendor(db, po.vendor_id),
    db.selectFrom('purchase_order_lines').selectAll().where('po_id', '=', id).orderBy('line_no').execute(),
    receivedByLine(db, id),
    db.selectFrom('receipts').select(['id', 'number', 'status', 'received_at', 'posted_at']).where('po_id', '=', id).orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('receipt_discrepancies').selectAll().where('po_id', '=', id).orderBy('created_at').orderBy('id').execute(),
  ]);
  const terms = new Map(
    (await db.selectFrom('vendor_items').selectAll().where('vendor_id', '=', po.vendor_id).where('item_id', 'in', lines.length ? inList(db, [...new Set(lines.map((l) => l.item_id))]) : ['']).execute()).map((t) => [t.item_id, t]),
  );
  const items = await findItems(db, lines.map((l) => l.item_id));
  const records = lines.map((line) => lineRecord(po, line, received.get(line.id), terms.get(line.item_id), items.get(line.item_id)));
  const subtotal = records.reduce((sum, l) => sum + l.subtotalMicros, 0);
  const tax = records.reduce((sum, l) => sum + l.taxMicros, 0);
  return {
    ...po,
    vendor: vendor!,
    lines: records,
    subtotalMicros: subtotal,
    taxMicros: tax,
    totalMicros: subtotal + tax + po.shipping_micros,
    receipts,
    discrepancies,
  };
}

function lineRecord(
  po: PurchaseOrderRow,
  line: PurchaseOrderLineRow,
  received: { good: number; damaged: number } | undefined,
  terms: VendorItemRow | undefined,
  item: ItemRow | undefined,
): PurchaseOrderLineRecord {
  const taxRate = line.tax_rate ?? po.tax_rate;
  const subtotal = lineAmount(line.qty, line.unit_price_micros);
  const good = received?.good ?? 0;
  const warnings: PurchaseOrderLineRecord['warnings'] = [];
  const termsFactor = terms && item ? findUnit(item, terms.purchase_unit)?.factor : undefined;
  if (terms && termsFactor) {
    const moq = terms.min_order_qty === null ? null : toBaseQty(terms.min_order_qty, termsFactor);
    const pack = terms.pack_multiple === null ? null : toBaseQty(terms.pack_multiple, termsFactor);
    const unitName = terms.purchase_unit;
    if (moq !== null && line.qty_base < moq) {
      warnings.push({ code: 'below_minimum_order', message: `the vendor's minimum order is ${quantityToNumber(terms.min_order_qty!)} ${unitName}` });
    }
    if (pack !== null && pack > 0 && line.qty_base % pack !== 0) {
      warnings.push({ code: 'not_pack_multiple', message: `the vendor sells in multiples of ${quantityToNumber(terms.pack_multiple!)} ${unitName}` });
    }
  }
  return {
    ...line,
    taxRate,
    subtotalMicros: subtotal,
    taxMicros: percentOf(subtotal, taxRate),
    qtyReceivedBase: good,
    qtyDamagedBase: received?.damaged ?? 0,
    qtyOutstandingBase: Math.max(0, line.qty_base - good),
    warnings,
  };
}

export async function listPurchaseOrders(
  ctx: ServiceContext,
  query: { status?: PurchaseOrderStatus; vendorId?: string; limit: number; cursor?: string },
): Promise<{ rows: PurchaseOrderRow[]; nextCursor: string | null }> {
  let q = reader(ctx).selectFrom('purchase_orders').selectAll();
  if (query.status) q = q.where('status', '=', query.status);
  if (query.vendorId) q = q.where('vendor_id', '=', query.vendorId);
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    q = sites.length ? q.where('delivery_site_id', 'in', sites) : q.where('id', '=', '');
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

export interface RevisionRecord {
  revision: number;
  actorId: string | null;
  createdAt: number;
  changes: RevisionChange[];
}

export async function listPurchaseOrderRevisions(ctx: ServiceContext, id: string): Promise<RevisionRecord[]> {
  const db = reader(ctx);
  const po = await findPurchaseOrder(db, id);
  if (!po || !canSeeSite(ctx.actor, po.delivery_site_id)) throw notFound(id);
  const rows = await db.selectFrom('purchase_order_revisions').selectAll().where('po_id', '=', id).orderBy('revision').execute();
  return rows.map((r) => ({ revision: r.revision, actorId: r.actor_id, createdAt: r.created_at, changes: JSON.parse(r.changes_json) as RevisionChange[] }));
}
