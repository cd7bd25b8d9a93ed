import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { getItemCosts } from '../costing/index.ts';
import { balanceAt, checkLedger, listLotsOfItem, listMovements, postMovements } from '../ledger/index.ts';
import { createLocation, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { getPurchaseOrder, createPurchaseOrder, sendPurchaseOrder } from './purchase-orders.service.ts';
import { approveReceipt, postReceipt } from './receipt-posting.service.ts';
import { addScanToReceipt } from './receipt-scans.service.ts';
import { addReceiptLines, cancelReceipt, createReceipt, getReceipt, rejectReceipt, updateReceipt, updateReceiptLine, type ReceiptLineInput } from './receipts.service.ts';
import { setExchangeRate } from './exchange-rates.service.ts';
import { createVendor, setVendorItem } from './vendors.service.ts';

let n = 0;
const u = (qty: number) => Math.round(qty * 1000);
const $ = (amount: number) => Math.round(amount * 1_000_000);
const E9 = (rate: number) => Math.round(rate * 1e9);

async function setup(ctx: ServiceContext, vendorInput: { currency?: string; over_receipt_tolerance?: number } = {}) {
  const shop = await makeShop(ctx);
  const vendor = await createVendor(ctx, { name: `Receiving vendor ${process.pid}-${(n += 1)}-${Math.random()}`, over_receipt_tolerance: 10_000, ...vendorInput });
  const item = await makeItem(ctx, { units: [{ name: 'case', factor: u(12) }] });
  const order = async (lines: Array<{ item_id: string; qty: number; unit?: string; unit_price?: number }>) =>
    sendPurchaseOrder(ctx, (await createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: shop.warehouse.id, lines })).id);
  const receive = async (poId: string | undefined, lines: ReceiptLineInput[], extra: { received_at?: number; exchange_rate?: number; site_id?: string; vendor_id?: string } = {}) =>
    postReceipt(ctx, (await createReceipt(ctx, { purchase_order_id: poId, lines, ...extra })).id);
  const healthy = async () => expect((await checkLedger(ctx.db)).invariants.filter((i) => !i.ok)).toEqual([]);
  return { shop, vendor, item, order, receive, healthy, bin: shop.warehouse.default_bin_id! };
}

describeEachDatabase('receipts', (get) => {
  it('receives an order over several deliveries and keeps what is outstanding per line', async () => {
    const ctx = serviceContext(get().db);
    const { item, order, receive, bin, healthy } = await setup(ctx);
    const po = await order([{ item_id: item.id, qty: u(5), unit: 'case', unit_price: $(24) }]);
    const line = po.lines[0]!;
    const first = await receive(po.id, [{ purchase_order_line_id: line.id, qty: u(2) }]);
    expect(first).toMatchObject({ status: 'posted', rate_source: 'base', exchange_rate_e9: E9(1) });
    expect(first.lines[0]).toMatchObject({ unit: 'case', qty_base: u(24), base_unit_cost_micros: $(2), bin_id: bin });
    expect(first.discrepancies.map((d) => [d.kind, d.qty_base])).toEqual([['short', u(36)]]);
    ctx.clock.advance(1000);
    await receive(po.id, [{ purchase_order_line_id: line.id, qty: u(1) }]);
    const after = await getPurchaseOrder(ctx, po.id);
    expect([after.status, after.lines[0]!.qtyReceivedBase, after.lines[0]!.qtyOutstandingBase]).toEqual(['partially_received', u(36), u(24)]);
    ctx.clock.advance(1000);
    await receive(po.id, [{ purchase_order_line_id: line.id, qty: u(24), unit: 'ea' }]);
    expect((await getPurchaseOrder(ctx, po.id)).status).toBe('received');
    expect(await balanceAt(ctx.db.kysely, item.id, bin)).toEqual({ onHand: u(60), reserved: 0 });
    await healthy();
  });

  it('posts an over-receipt within the vendor’s tolerance, flagged', async () => {
    const ctx = serviceContext(get().db);
    const { item, order, receive } = await setup(ctx, { over_receipt_tolerance: 10_000 });
    const po = await order([{ item_id: item.id, qty: u(20), unit_price: $(1) }]);
    // 22 of 20 is 10% over: exactly the tolerance.
    const receipt = await receive(po.id, [{ purchase_order_line_id: po.lines[0]!.id, qty: u(22) }]);
    expect(receipt.status).toBe('posted');
    expect(receipt.discrepancies).toMatchObject([{ kind: 'over', qty_base: u(2), beyond_tolerance: false, approved_by: null }]);
    expect((await getPurchaseOrder(ctx, po.id)).status).toBe('received');
  });

  it('holds an over-receipt beyond tolerance for a manager: nothing moves until it is approved', async () => {
    const ctx = serviceContext(get().db);
    const { item, order, bin, healthy } = await setup(ctx, { over_receipt_tolerance: 10_000 });
    const po = await order([{ item_id: item.id, qty: u(20), unit_price: $(1) }]);
    const draft = await createReceipt(ctx, { purchase_order_id: po.id, lines: [{ purchase_order_line_id: po.lines[0]!.id, qty: u(23) }] });
    expect(draft).toMatchObject({ status: 'draft', needsApproval: true });
    const held = await postReceipt(ctx, draft.id);
    expect(held).toMatchObject({ status: 'awaiting_approval', submitted_by: 'system', txn_id: null });
    expect(await balanceAt(ctx.db.kysely, item.id, bin)).toEqual({ onHand: 0, reserved: 0 });
    await expect(updateReceiptLine(ctx, draft.id, draft.lines[0]!.id, { qty: u(21) })).rejects.toMatchObject({ code: 'receipt_not_editable' });
    await expect(postReceipt(ctx, draft.id)).rejects.toMatchObject({ code: 'receipt_transition_invalid' });

    // Sent back, corrected, still over: held again; then approved.
    expect((await rejectReceipt(ctx, draft.id)).status).toBe('draft');
    await updateReceiptLine(ctx, draft.id, draft.lines[0]!.id, { qty: u(24) });
    expect((await postReceipt(ctx, draft.id)).status).toBe('awaiting_approval');
    const manager = { ...ctx, actor: { ...ctx.actor, id: 'usr_manager', role: 'manager' as const } };
    const approved = await approveReceipt(manager, draft.id);
    expect(approved).toMatchObject({ status: 'posted', approved_by: 'usr_manager', posted_by: 'usr_manager' });
    expect(approved.discrepancies).toMatchObject([{ kind: 'over', qty_base: u(4), beyond_tolerance: true, approved_by: 'usr_manager' }]);
    expect(await balanceAt(ctx.db.kysely, item.id, bin)).toEqual({ onHand: u(24), reserved: 0 });
    await expect(approveReceipt(manager, draft.id)).rejects.toMatchObject({ code: 'receipt_transition_invalid' });
    await healthy();
  });

  it('flags an unexpected item, a wrong unit, and damage to quarantine or scrap', async () => {
    const ctx = serviceContext(get().db);
    const { item, order, shop, healthy, bin } = await setup(ctx);
    const quarantine = await createLocation(ctx, { kind: 'bin', parent_id: shop.warehouse.id, code: 'Q1', name: 'Quarantine', purpose: 'quarantine' });
    const stray = await makeItem(ctx);
    const po = await order([{ item_id: item.id, qty: u(2), unit: 'case', unit_price: $(12) }]);
    const receipt = await createReceipt(ctx, {
      purchase_order_id: po.id,
      lines: [
        { purchase_order_line_id: po.lines[0]!.id, qty: u(12), unit: 'ea' },
        { purchase_order_line_id: po.lines[0]!.id, qty: u(6), unit: 'ea', condition: 'damaged' },
        { purchase_order_line_id: po.lines[0]!.id, qty: u(6), unit: 'ea', condition: 'damaged', disposition: 'scrap' },
        { item_id: stray.id, qty: u(3), unit_cost: $(0.5) },
      ],
    });
    expect(receipt.discrepancies.map((d) => d.kind).sort()).toEqual(['damaged', 'damaged', 'short', 'unexpected_item', 'wrong_unit', 'wrong_unit', 'wrong_unit']);
    const posted = await postReceipt(ctx, receipt.id);
    expect(posted.lines.map((l) => [l.disposition, l.bin_id])).toEqual([
      ['stock', bin],
      ['quarantine', quarantine.id],
      ['scrap', bin],
      ['stock', bin],
    ]);
    expect(await balanceAt(ctx.db.kysely, item.id, bin)).toEqual({ onHand: u(12), reserved: 0 });
    expect(await balanceAt(ctx.db.kysely, item.id, quarantine.id)).toEqual({ onHand: u(6), reserved: 0 });
    expect(await balanceAt(ctx.db.kysely, item.id, VIRTUAL_LOCATION_IDS.scrap)).toEqual({ onHand: u(6), reserved: 0 });
    expect(await balanceAt(ctx.db.kysely, stray.id, bin)).toEqual({ onHand: u(3), reserved: 0 });
    // The scrapped units were paid for: they came in at 1.00 each and went out to scrap at that cost.
    const scrapped = await listMovements(ctx, { documentId: receipt.id, kind: 'scrap', limit: 10 });
    expect(scrapped.lines.map((m) => [m.qty, m.value_micros, m.reason])).toEqual([[u(6), $(6), 'damaged_on_receipt']]);
    // 12 good of 24 ordered: 12 still owed; damaged units do not count as received.
    expect((await getPurchaseOrder(ctx, po.id)).lines[0]).toMatchObject({ qtyReceivedBase: u(12), qtyDamagedBase: u(12), qtyOutstandingBase: u(12) });
    await healthy();
  });

  it('needs a quarantine bin for quarantined damage, and a cost for an item nobody priced', async () => {
    const ctx = serviceContext(get().db);
    const { item, receive, shop } = await setup(ctx);
    await expect(receive(undefined, [{ item_id: item.id, qty: u(1), unit_cost: $(1), condition: 'damaged' }], { site_id: shop.store.id })).rejects.toMatchObject({
      code: 'receipt_line_invalid',
      errors: [{ field: 'lines.0.bin_id', code: 'no_quarantine_bin' }],
    });
    await expect(receive(undefined, [{ item_id: item.id, qty: u(1) }], { site_id: shop.store.id })).rejects.toMatchObject({
      code: 'receipt_line_invalid',
      errors: [{ field: 'lines.0.unit_cost', code: 'required' }],
    });
    await expect(createReceipt(ctx, { lines: [{ item_id: item.id, qty: u(1) }] })).rejects.toMatchObject({ errors: [{ field: 'body.site_id' }] });
    await expect(createReceipt(ctx, { site_id: shop.store.id, lines: [{ item_id: item.id, qty: u(1), bin_id: shop.warehouseBins[0]! }] })).rejects.toMatchObject({
      errors: [{ field: 'body.lines.0.bin_id', code: 'not_a_bin' }],
    });
  });

  it('receives lots with their expiry and one movement per serial number', async () => {
    const ctx = serviceContext(get().db);
    const { shop, healthy } = await setup(ctx);
    const milk = await makeItem(ctx, { tracking: 'lot', tracks_expiry: true });
    const drill = await makeItem(ctx, { tracking: 'serial' });
    const site = { site_id: shop.store.id };
    const missingLot = await createReceipt(ctx, { ...site, lines: [{ item_id: milk.id, qty: u(6), unit_cost: $(1) }] });
    await expect(postReceipt(ctx, missingLot.id)).rejects.toMatchObject({ code: 'receipt_line_invalid', errors: [{ field: 'lines.0.lot_code' }, { field: 'lines.0.expires_on' }] });
    await cancelReceipt(ctx, missingLot.id);

    const receipt = await postReceipt(
      ctx,
      (
        await createReceipt(ctx, {
          ...site,
          lines: [
            { item_id: milk.id, qty: u(6), unit_cost: $(1), lot_code: 'L-100', expires_on: '2026-12-01' },
            { item_id: drill.id, qty: u(2), unit_cost: $(80), serials: ['SN-1', 'SN-2'] },
          ],
        })
      ).id,
    );
    const lots = await listLotsOfItem(ctx.db.kysely, milk.id);
    expect(lots.map((l) => [l.code, l.expires_on])).toEqual([['L-100', '2026-12-01']]);
    expect(await balanceAt(ctx.db.kysely, milk.id, shop.storeBin, lots[0]!.id)).toEqual({ onHand: u(6), reserved: 0 });
    const moves = await listMovements(ctx, { documentId: receipt.id, itemId: drill.id, limit: 10 });
    expect(moves.lines.map((m) => m.qty)).toEqual([u(1), u(1)]);
    expect((await listLotsOfItem(ctx.db.kysely, drill.id)).map((l) => [l.code, l.kind])).toEqual([
      ['SN-1', 'serial'],
      ['SN-2', 'serial'],
    ]);

    // A known lot needs no expiry again; a wrong serial count, a repeated serial and a lot on a serial item are refused.
    const again = await createReceipt(ctx, { ...site, lines: [{ item_id: milk.id, qty: u(1), unit_cost: $(1), lot_code: 'L-100' }] });
    expect((await postReceipt(ctx, again.id)).status).toBe('posted');
    const short = await createReceipt(ctx, { ...site, lines: [{ item_id: drill.id, qty: u(2), unit_cost: $(80), serials: ['SN-3'] }] });
    await expect(postReceipt(ctx, short.id)).rejects.toMatchObject({ errors: [{ field: 'lines.0.serials', code: 'count' }] });
    await expect(createReceipt(ctx, { ...site, lines: [{ item_id: drill.id, qty: u(2), unit_cost: $(80), serials: ['SN-4', 'SN-4'] }] })).rejects.toMatchObject({
      errors: [{ field: 'body.lines.0.serials', code: 'duplicate' }],
    });
    await expect(createReceipt(ctx, { ...site, lines: [{ item_id: drill.id, qty: u(1), unit_cost: $(80), lot_code: 'X' }] })).rejects.toMatchObject({
      errors: [{ field: 'body.lines.0.lot_code' }],
    });
    // A serial number already on the shelf cannot arrive a second time.
    const twice = await createReceipt(ctx, { ...site, lines: [{ item_id: drill.id, qty: u(1), unit_cost: $(80), serials: ['SN-2'] }] });
    await expect(postReceipt(ctx, twice.id)).rejects.toMatchObject({ code: 'serial_in_stock', status: 409 });
    await cancelReceipt(ctx, twice.id);
    await healthy();
  });

  it('builds a draft from scans, growing lines and showing discrepancies as they happen', async () => {
    const ctx = serviceContext(get().db);
    const { order, healthy } = await setup(ctx);
    const gtin = '09501101530003';
    const cased = await makeItem(ctx, { units: [{ name: 'case', factor: u(6) }], barcodes: [gtin] });
    const serial = await makeItem(ctx, { tracking: 'serial', barcodes: ['4006381333931'] });
    const po = await order([
      { item_id: cased.id, qty: u(2), unit: 'case', unit_price: $(12) },
      { item_id: serial.id, qty: u(2), unit_price: $(50) },
    ]);
    const draft = await createReceipt(ctx, { purchase_order_id: po.id, lines: [] });
    const one = await addScanToReceipt(ctx, draft.id, { code: `(01)${gtin}` });
    expect(one.receipt.lines).toMatchObject([{ unit: 'case', qty: u(1), qty_base: u(6) }]);
    expect(one.receipt.discrepancies.map((d) => [d.kind, d.qty_base])).toEqual([['short', u(6)]]);
    const two = await addScanToReceipt(ctx, draft.id, { code: `]C101${gtin}` });
    expect(two.lineId).toBe(one.lineId);
    expect(two.receipt.lines).toMatchObject([{ qty: u(2), qty_base: u(12) }]);
    expect(two.receipt.discrepancies).toEqual([]);
    const three = await addScanToReceipt(ctx, draft.id, { code: gtin });
    expect(three.receipt.discrepancies).toMatchObject([{ kind: 'over', qty_base: u(6), beyond_tolerance: true }]);
    expect(three.receipt.needsApproval).toBe(true);

    await addScanToReceipt(ctx, draft.id, { code: '4006381333931', serial: 'S-1' });
    const serials = await addScanToReceipt(ctx, draft.id, { code: `]d2${'0104006381333931'}21S-2` });
    expect(serials.receipt.lines[1]).toMatchObject({ serials: ['S-1', 'S-2'], qty_base: u(2) });
    await expect(addScanToReceipt(ctx, draft.id, { code: '4006381333931', serial: 'S-2' })).rejects.toMatchObject({ code: 'receipt_line_invalid' });
    await expect(addScanToReceipt(ctx, draft.id, { code: 'NO-SUCH-THING' })).rejects.toMatchObject({ code: 'scan_not_recognized', status: 422 });
    await expect(addScanToReceipt(ctx, draft.id, { code: '4006381333931' })).rejects.toMatchObject({ errors: [{ field: 'body.serial' }] });

    // One case too many: take a case back off the line, then post.
    await updateReceiptLine(ctx, draft.id, one.lineId, { qty: u(2) });
    const posted = await postReceipt(ctx, draft.id);
    expect(posted.status).toBe('posted');
    expect((await getPurchaseOrder(ctx, po.id)).status).toBe('received');
    await healthy();
  });

  it('converts a foreign-currency price at the rate of the day the goods arrived, or an explicit one', async () => {
    const ctx = serviceContext(get().db);
    const { item, order, receive } = await setup(ctx, { currency: 'EUR' });
    const po = await order([{ item_id: item.id, qty: u(3), unit: 'case', unit_price: $(10) }]);
    expect(po.currency).toBe('EUR');
    const line = po.lines[0]!;
    const draft = await createReceipt(ctx, { purchase_order_id: po.id, lines: [{ purchase_order_line_id: line.id, qty: u(1) }] });
    await expect(postReceipt(ctx, draft.id)).rejects.toMatchObject({ code: 'exchange_rate_missing', status: 422, extra: { currency: 'EUR', date: '2026-11-02' } });

    await setExchangeRate(ctx, { currency: 'EUR', rateE9: E9(1.05), effectiveOn: '2026-10-01' });
    await setExchangeRate(ctx, { currency: 'EUR', rateE9: E9(1.0825), effectiveOn: '2026-11-01' });
    await setExchangeRate(ctx, { currency: 'EUR', rateE9: E9(1.2), effectiveOn: '2026-11-03' });
    // Arrived 2 November: the 1 November rate. A case of 12 at EUR 10.00 → 10 × 1.0825 / 12 = 0.90208333… → 0.902083 a unit.
    const posted = await postReceipt(ctx, draft.id);
    expect(posted).toMatchObject({ exchange_rate_e9: E9(1.0825), rate_source: 'table' });
    expect(posted.lines[0]!.base_unit_cost_micros).toBe(902_083);
    // Back-dated to October: the October rate. 10 × 1.05 / 12 = 0.875.
    const october = await receive(po.id, [{ purchase_order_line_id: line.id, qty: u(1) }], { received_at: Date.UTC(2026, 9, 15, 12) });
    expect([october.exchange_rate_e9, october.lines[0]!.base_unit_cost_micros]).toEqual([E9(1.05), 875_000]);
    // An explicit rate wins over the table.
    const explicit = await receive(po.id, [{ purchase_order_line_id: line.id, qty: u(1) }], { exchange_rate: E9(1.1) });
    expect([explicit.rate_source, explicit.lines[0]!.base_unit_cost_micros]).toEqual(['explicit', 916_667]);
  });

  it('costs FIFO through receipts, including a receipt back-dated before a sale', async () => {
    const ctx = serviceContext(get().db);
    const { item, receive, shop, healthy } = await setup(ctx);
    const site = { site_id: shop.warehouse.id };
    const start = ctx.clock.now();
    ctx.clock.advance(3_600_000);
    await receive(undefined, [{ item_id: item.id, qty: u(10), unit_cost: $(1) }], site);
    ctx.clock.advance(1000);
    await receive(undefined, [{ item_id: item.id, qty: u(10), unit_cost: $(2) }], site);
    ctx.clock.advance(1000);
    const sale = await postMovements(ctx, { kind: 'sale', documentType: 'test', documentId: 'sale', movements: [{ itemId: item.id, fromLocationId: shop.warehouse.default_bin_id!, toLocationId: VIRTUAL_LOCATION_IDS.customer, qty: u(15) }] });
    // 10 × 1.00 + 5 × 2.00
    expect(sale.movements[0]!.value_micros).toBe($(20));
    ctx.clock.advance(1000);
    // A forgotten delivery from before everything: 10 cases… no, 10 units at 0.50.
    await receive(undefined, [{ item_id: item.id, qty: u(10), unit_cost: $(0.5) }], { ...site, received_at: start });
    const moved = await listMovements(ctx, { documentId: 'sale', itemId: item.id, limit: 5 });
    // Now FIFO draws 10 × 0.50 + 5 × 1.00 = 10.00.
    expect(moved.lines[0]!.value_micros).toBe($(10));
    const costs = await getItemCosts(ctx, item.id, 'fifo');
    expect([costs.qty, costs.value, costs.layers.map((l) => [l.qtyRemaining, l.valueRemaining])]).toEqual([u(15), $(25), [[u(5), $(5)], [u(10), $(20)]]]);
    await healthy();
  });

  it('costs an average item through receipts at its running average', async () => {
    const ctx = serviceContext(get().db);
    const { shop, receive, healthy } = await setup(ctx);
    const item = await makeItem(ctx, { costing_method: 'average' });
    await receive(undefined, [{ item_id: item.id, qty: u(10), unit_cost: $(1) }], { site_id: shop.store.id });
    ctx.clock.advance(1000);
    await receive(undefined, [{ item_id: item.id, qty: u(10), unit_cost: $(1.5) }], { site_id: shop.store.id });
    ctx.clock.advance(1000);
    const sale = await postMovements(ctx, { kind: 'sale', documentType: 'test', documentId: 'avg', movements: [{ itemId: item.id, fromLocationId: shop.storeBin, toLocationId: VIRTUAL_LOCATION_IDS.customer, qty: u(15) }] });
    // Average 1.25: 15 × 1.25 = 18.75; 5 left worth 6.25.
    expect(sale.movements[0]!.value_micros).toBe($(18.75));
    expect((await getItemCosts(ctx, item.id, 'average')).value).toBe($(6.25));
    await healthy();
  });

  it('keeps the receipt date and rate editable on a draft only', async () => {
    const ctx = serviceContext(get().db);
    const { item, shop } = await setup(ctx);
    const draft = await createReceipt(ctx, { site_id: shop.store.id, lines: [{ item_id: item.id, qty: u(1), unit_cost: $(1) }] });
    const changed = await updateReceipt(ctx, draft.id, { received_at: ctx.clock.now() - 1000, exchange_rate: E9(2), notes: 'van 2' });
    expect(changed).toMatchObject({ rate_source: 'explicit', exchange_rate_e9: E9(2), notes: 'van 2' });
    await addReceiptLines(ctx, draft.id, [{ item_id: item.id, qty: u(2), unit_cost: $(1) }]);
    const posted = await postReceipt(ctx, draft.id);
    // The shop's own currency always converts at 1, whatever rate the draft carried.
    expect([posted.rate_source, posted.exchange_rate_e9]).toEqual(['base', E9(1)]);
    await expect(updateReceipt(ctx, draft.id, { notes: 'x' })).rejects.toMatchObject({ code: 'receipt_not_editable' });
    await expect(cancelReceipt(ctx, draft.id)).rejects.toMatchObject({ code: 'receipt_transition_invalid' });
    expect((await getReceipt(ctx, draft.id)).lines).toHaveLength(2);
  });

  it('takes the vendor’s terms as the cost of a quick receive without an order', async () => {
    const ctx = serviceContext(get().db);
    const { item, vendor, shop, receive } = await setup(ctx);
    await setVendorItem(ctx, vendor.id, item.id, { purchase_unit: 'case', unit_cost: $(18) });
    const posted = await receive(undefined, [{ item_id: item.id, qty: u(1), unit: 'case' }], { site_id: shop.store.id, vendor_id: vendor.id });
    expect(posted.lines[0]!.base_unit_cost_micros).toBe($(1.5));
    expect(posted.discrepancies).toEqual([]);
  });
});
