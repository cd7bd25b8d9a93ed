import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import type { ServiceContext } from '../../platform/context.ts';
import {
  addPurchaseOrderLines,
  cancelPurchaseOrder,
  closePurchaseOrder,
  createPurchaseOrder,
  getPurchaseOrder,
  listPurchaseOrderRevisions,
  listPurchaseOrders,
  removePurchaseOrderLine,
  sendPurchaseOrder,
  updatePurchaseOrder,
  updatePurchaseOrderLine,
} from './purchase-orders.service.ts';
import { toPurchaseOrderJson } from './purchasing.mapper.ts';
import { postReceipt } from './receipt-posting.service.ts';
import { createReceipt } from './receipts.service.ts';
import { createVendor, setVendorItem } from './vendors.service.ts';

let n = 0;
const u = (qty: number) => Math.round(qty * 1000);
const $ = (amount: number) => Math.round(amount * 1_000_000);

async function setup(ctx: ServiceContext) {
  const shop = await makeShop(ctx);
  const vendor = await createVendor(ctx, { name: `Vendor ${process.pid}-${(n += 1)}-${Math.random()}`, payment_terms: 'Net 14', lead_time_days: 3 });
  const cased = await makeItem(ctx, { units: [{ name: 'case', factor: u(12) }] });
  const flour = await makeItem(ctx, { base_unit: 'kg', units: [{ name: 'sack', factor: u(2.5) }] });
  await setVendorItem(ctx, vendor.id, cased.id, { vendor_sku: 'V-CASE', purchase_unit: 'case', unit_cost: $(30), min_order_qty: u(2), pack_multiple: u(2) });
  const order = (lines = [{ item_id: cased.id, qty: u(4) }]) => createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: shop.warehouse.id, lines });
  const receive = async (poId: string, lines: Array<{ purchase_order_line_id: string; qty: number }>) => postReceipt(ctx, (await createReceipt(ctx, { purchase_order_id: poId, lines })).id);
  return { shop, vendor, cased, flour, order, receive };
}

describeEachDatabase('purchase orders', (get) => {
  it('converts lines in purchase units to base units exactly and prices them at the vendor’s terms', async () => {
    const ctx = serviceContext(get().db);
    const { vendor, cased, flour, shop } = await setup(ctx);
    const po = await createPurchaseOrder(ctx, {
      vendor_id: vendor.id,
      delivery_site_id: shop.warehouse.id,
      lines: [
        { item_id: cased.id, qty: u(1.5) },
        { item_id: cased.id, qty: u(6), unit: 'ea' },
        { item_id: flour.id, qty: u(0.2), unit: 'sack', unit_price: $(21) },
      ],
    });
    expect(po).toMatchObject({ status: 'draft', revision: 0, currency: 'USD', terms: 'Net 14', number: expect.stringMatching(/^PO-\d{6}$/) });
    expect(po.lines.map((l) => [l.unit, l.qty, l.qty_base, l.unit_price_micros, l.vendor_sku])).toEqual([
      ['case', u(1.5), u(18), $(30), 'V-CASE'],
      // The terms price per case, per each: 30 / 12 = 2.50.
      ['ea', u(6), u(6), $(2.5), 'V-CASE'],
      ['sack', u(0.2), u(0.5), $(21), null],
    ]);
  });

  it('refuses a quantity that does not convert exactly, an unknown unit and a line without a price', async () => {
    const ctx = serviceContext(get().db);
    const { flour, cased, order } = await setup(ctx);
    // 0.333 sack × 2.5 kg = 0.8325 kg: not a whole number of grams.
    await expect(order([{ item_id: flour.id, qty: u(0.333), unit: 'sack', unit_price: $(1) } as never])).rejects.toMatchObject({
      code: 'unit_conversion_inexact',
      errors: [{ field: 'body.lines.0.qty', code: 'inexact' }],
    });
    await expect(order([{ item_id: cased.id, qty: u(1), unit: 'pallet' } as never])).rejects.toMatchObject({ code: 'purchase_order_line_invalid', errors: [{ field: 'body.lines.0.unit' }] });
    await expect(order([{ item_id: flour.id, qty: u(1) }])).rejects.toMatchObject({ code: 'purchase_order_line_invalid', errors: [{ field: 'body.lines.0.unit_price', code: 'required' }] });
    const sack = await order([{ item_id: flour.id, qty: u(0.4), unit: 'sack', unit_price: $(20) } as never]);
    expect(sack.lines[0]!.qty_base).toBe(u(1));
  });

  it('totals per-line tax (or the order’s rate) and untaxed shipping, rounding each tax half away from zero', async () => {
    const ctx = serviceContext(get().db);
    const { vendor, shop, cased, flour } = await setup(ctx);
    const po = await createPurchaseOrder(ctx, {
      vendor_id: vendor.id,
      delivery_site_id: shop.store.id,
      tax_rate: 20_000,
      shipping: $(7.5),
      lines: [
        { item_id: cased.id, qty: u(3), unit: 'ea', unit_price: $(0.335) },
        { item_id: flour.id, qty: u(2), unit_price: $(10), tax_rate: 0 },
      ],
    });
    // 3 × 0.335 = 1.005, 20% = 0.201; 2 × 10 = 20.00 at 0%. Total 1.005 + 20 + 0.201 + 7.50.
    expect([po.subtotalMicros, po.taxMicros, po.totalMicros]).toEqual([$(21.005), $(0.201), $(28.706)]);
    expect(po.lines.map((l) => l.taxRate)).toEqual([20_000, 0]);
    expect(toPurchaseOrderJson(po, { costs: true })).toMatchObject({ subtotal: '21.005', tax: '0.201', total: '28.706', tax_rate_percent: 20 });
    // Staff never see prices or totals.
    const staff = toPurchaseOrderJson(po, { costs: false });
    expect(staff).not.toHaveProperty('total');
    expect(staff.lines[0]).not.toHaveProperty('unit_price');
  });

  it('warns of a line below the vendor’s minimum or off its pack multiple', async () => {
    const ctx = serviceContext(get().db);
    const { cased, order } = await setup(ctx);
    const po = await order([{ item_id: cased.id, qty: u(1) }]);
    expect(po.lines[0]!.warnings.map((w) => w.code)).toEqual(['below_minimum_order', 'not_pack_multiple']);
    expect((await order([{ item_id: cased.id, qty: u(4) }])).lines[0]!.warnings).toEqual([]);
  });

  it('goes draft → sent → partially_received → received → closed', async () => {
    const ctx = serviceContext(get().db);
    const { order, receive } = await setup(ctx);
    const draft = await order();
    ctx.clock.advance(1000);
    const sent = await sendPurchaseOrder(ctx, draft.id);
    expect([sent.status, sent.revision, sent.sent_at]).toEqual(['sent', 1, ctx.clock.now()]);
    ctx.clock.advance(1000);
    await receive(draft.id, [{ purchase_order_line_id: draft.lines[0]!.id, qty: u(1) }]);
    expect((await getPurchaseOrder(ctx, draft.id)).status).toBe('partially_received');
    ctx.clock.advance(1000);
    await receive(draft.id, [{ purchase_order_line_id: draft.lines[0]!.id, qty: u(3) }]);
    const received = await getPurchaseOrder(ctx, draft.id);
    expect([received.status, received.received_at]).toEqual(['received', ctx.clock.now()]);
    const closed = await closePurchaseOrder(ctx, draft.id);
    expect(closed.status).toBe('closed');
    // The first delivery was short (36 still owed then); closing a complete order adds nothing.
    expect(closed.discrepancies.map((d) => [d.kind, d.qty_base, d.receipt_id !== null])).toEqual([['short', u(36), true]]);
  });

  it('cancels from draft and from sent, and cancels the receipts still being prepared', async () => {
    const ctx = serviceContext(get().db);
    const { order } = await setup(ctx);
    expect((await cancelPurchaseOrder(ctx, (await order()).id)).status).toBe('cancelled');
    const sent = await sendPurchaseOrder(ctx, (await order()).id);
    const draftReceipt = await createReceipt(ctx, { purchase_order_id: sent.id, lines: [{ purchase_order_line_id: sent.lines[0]!.id, qty: u(1) }] });
    const cancelled = await cancelPurchaseOrder(ctx, sent.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.receipts).toEqual([expect.objectContaining({ id: draftReceipt.id, status: 'cancelled' })]);
    await expect(postReceipt(ctx, draftReceipt.id)).rejects.toMatchObject({ code: 'receipt_transition_invalid' });
  });

  it('closes a partially received order and records what was never delivered as short', async () => {
    const ctx = serviceContext(get().db);
    const { order, receive } = await setup(ctx);
    const po = await sendPurchaseOrder(ctx, (await order()).id);
    await receive(po.id, [{ purchase_order_line_id: po.lines[0]!.id, qty: u(1) }]);
    const closed = await closePurchaseOrder(ctx, po.id);
    expect(closed.status).toBe('closed');
    const closing = closed.discrepancies.filter((d) => d.receipt_id === null);
    expect(closing).toMatchObject([{ kind: 'short', qty_base: u(36), po_line_id: po.lines[0]!.id }]);
  });

  it('refuses every illegal transition with 409 purchase_order_transition_invalid and changes nothing', async () => {
    const ctx = serviceContext(get().db);
    const { order, receive } = await setup(ctx);
    const refused = { code: 'purchase_order_transition_invalid', status: 409 };
    const draft = await order();
    await expect(closePurchaseOrder(ctx, draft.id)).rejects.toMatchObject({ ...refused, extra: { current_status: 'draft', action: 'close' } });
    const empty = await createPurchaseOrder(ctx, { vendor_id: draft.vendor_id, delivery_site_id: draft.delivery_site_id, lines: [] });
    await expect(sendPurchaseOrder(ctx, empty.id)).rejects.toMatchObject(refused);

    const sent = await sendPurchaseOrder(ctx, draft.id);
    await expect(sendPurchaseOrder(ctx, sent.id)).rejects.toMatchObject({ ...refused, extra: { current_status: 'sent', action: 'send' } });
    await expect(closePurchaseOrder(ctx, sent.id)).rejects.toMatchObject(refused);

    await receive(sent.id, [{ purchase_order_line_id: sent.lines[0]!.id, qty: u(1) }]);
    await expect(cancelPurchaseOrder(ctx, sent.id)).rejects.toMatchObject({ ...refused, extra: { current_status: 'partially_received' } });
    await expect(sendPurchaseOrder(ctx, sent.id)).rejects.toMatchObject(refused);
    await receive(sent.id, [{ purchase_order_line_id: sent.lines[0]!.id, qty: u(3) }]);
    await expect(cancelPurchaseOrder(ctx, sent.id)).rejects.toMatchObject({ ...refused, extra: { current_status: 'received' } });

    await closePurchaseOrder(ctx, sent.id);
    for (const action of [sendPurchaseOrder, cancelPurchaseOrder, closePurchaseOrder]) await expect(action(ctx, sent.id)).rejects.toMatchObject(refused);
    await expect(updatePurchaseOrder(ctx, sent.id, { notes: 'late' })).rejects.toMatchObject({ code: 'purchase_order_not_editable', status: 409 });
    await expect(createReceipt(ctx, { purchase_order_id: sent.id, lines: [] })).rejects.toMatchObject({ code: 'purchase_order_not_receivable', status: 409 });

    const cancelled = await cancelPurchaseOrder(ctx, (await order()).id);
    for (const action of [sendPurchaseOrder, cancelPurchaseOrder, closePurchaseOrder]) await expect(action(ctx, cancelled.id)).rejects.toMatchObject(refused);
    expect((await getPurchaseOrder(ctx, cancelled.id)).status).toBe('cancelled');
    await expect(createReceipt(ctx, { purchase_order_id: draft.id === cancelled.id ? '' : (await order()).id, lines: [] })).rejects.toMatchObject({ code: 'purchase_order_not_receivable' });
  });

  it('keeps a revision for every change after sending: what changed, by whom, when', async () => {
    const ctx = serviceContext(get().db);
    const { order, cased, flour } = await setup(ctx);
    const draft = await order();
    await updatePurchaseOrder(ctx, draft.id, { notes: 'draft note' });
    expect(await listPurchaseOrderRevisions(ctx, draft.id)).toEqual([]);
    await sendPurchaseOrder(ctx, draft.id);
    ctx.clock.advance(60_000);
    await updatePurchaseOrder(ctx, draft.id, { expected_on: '2026-12-01', shipping: $(5) });
    await updatePurchaseOrderLine(ctx, draft.id, draft.lines[0]!.id, { qty: u(6), unit_price: $(29.5) });
    const added = await addPurchaseOrderLines(ctx, draft.id, [{ item_id: flour.id, qty: u(3), unit_price: $(4) }]);
    await removePurchaseOrderLine(ctx, draft.id, added.lines[1]!.id);
    const revisions = await listPurchaseOrderRevisions(ctx, draft.id);
    expect(revisions.map((r) => r.revision)).toEqual([1, 2, 3, 4, 5]);
    expect(revisions[0]!.changes).toEqual([{ field: 'status', from: 'draft', to: 'sent' }]);
    expect(revisions[1]).toMatchObject({
      actorId: 'system',
      createdAt: ctx.clock.now(),
      changes: [
        { field: 'expected_on', from: null, to: '2026-12-01' },
        { field: 'shipping', from: '0.00', to: '5.00' },
      ],
    });
    expect(revisions[2]!.changes).toEqual([
      { field: 'qty', line_id: draft.lines[0]!.id, line_no: 1, from: 4, to: 6 },
      { field: 'unit_price', line_id: draft.lines[0]!.id, line_no: 1, from: '30.00', to: '29.50' },
    ]);
    expect(revisions[3]!.changes[0]).toMatchObject({ field: 'line_added', line_no: 2, to: { item_id: flour.id, qty: 3 } });
    expect(revisions[4]!.changes[0]).toMatchObject({ field: 'line_removed', line_no: 2 });
    expect((await getPurchaseOrder(ctx, draft.id)).revision).toBe(5);
    void cased;
  });

  it('refuses to order fewer than was received, to change a received line’s unit, or to remove it', async () => {
    const ctx = serviceContext(get().db);
    const { order, receive } = await setup(ctx);
    const po = await sendPurchaseOrder(ctx, (await order()).id);
    const line = po.lines[0]!;
    await receive(po.id, [{ purchase_order_line_id: line.id, qty: u(2) }]);
    await expect(updatePurchaseOrderLine(ctx, po.id, line.id, { qty: u(1) })).rejects.toMatchObject({ code: 'purchase_order_line_invalid', errors: [{ field: 'body.qty' }] });
    await expect(updatePurchaseOrderLine(ctx, po.id, line.id, { unit: 'ea' })).rejects.toMatchObject({ code: 'purchase_order_line_invalid' });
    await expect(removePurchaseOrderLine(ctx, po.id, line.id)).rejects.toMatchObject({ code: 'purchase_order_line_invalid' });
    // Cutting the line to what arrived completes the order.
    const trimmed = await updatePurchaseOrderLine(ctx, po.id, line.id, { qty: u(2) });
    expect(trimmed.status).toBe('received');
    expect(trimmed.lines[0]!.qtyOutstandingBase).toBe(0);
  });

  it('lists orders newest first, by status and vendor, a page at a time', async () => {
    const ctx = serviceContext(get().db);
    const { order, vendor } = await setup(ctx);
    const a = await order();
    ctx.clock.advance(1);
    const b = await order();
    ctx.clock.advance(1);
    const c = await sendPurchaseOrder(ctx, (await order()).id);
    const first = await listPurchaseOrders(ctx, { vendorId: vendor.id, limit: 2 });
    expect(first.rows.map((r) => r.id)).toEqual([c.id, b.id]);
    const second = await listPurchaseOrders(ctx, { vendorId: vendor.id, limit: 2, cursor: first.nextCursor! });
    expect(second.rows.map((r) => r.id)).toEqual([a.id]);
    expect((await listPurchaseOrders(ctx, { vendorId: vendor.id, status: 'sent', limit: 10 })).rows.map((r) => r.id)).toEqual([c.id]);
  });
});
