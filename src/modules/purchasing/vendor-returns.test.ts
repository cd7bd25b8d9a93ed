import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import type { Actor, ServiceContext } from '../../platform/context.ts';
import { getItemCosts } from '../costing/index.ts';
import { balanceAt, checkLedger } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { postReceipt } from './receipt-posting.service.ts';
import { createReceipt } from './receipts.service.ts';
import { cancelVendorReturn, createVendorReturn, getVendorReturn, listVendorReturns, postVendorReturn } from './vendor-returns.service.ts';
import { createVendor } from './vendors.service.ts';
// The purchasing module's face registers its `stockroom check` invariant.
import './index.ts';

let n = 0;
const u = (qty: number) => Math.round(qty * 1000);
const $ = (amount: number) => Math.round(amount * 1_000_000);

async function setup(ctx: ServiceContext & { clock: { advance(ms: number): void } }, currency?: string) {
  const shop = await makeShop(ctx);
  const vendor = await createVendor(ctx, { name: `Return vendor ${process.pid}-${(n += 1)}-${Math.random()}`, ...(currency ? { currency } : {}) });
  const item = await makeItem(ctx);
  const bin = shop.warehouse.default_bin_id!;
  const receive = async (qty: number, unitCost: number, extra: { exchange_rate?: number } = {}) => {
    ctx.clock.advance(60_000);
    return postReceipt(ctx, (await createReceipt(ctx, { vendor_id: vendor.id, site_id: shop.warehouse.id, lines: [{ item_id: item.id, qty: u(qty), unit_cost: $(unitCost) }], ...extra })).id);
  };
  const healthy = async () => {
    const report = await checkLedger(ctx.db);
    expect(report.invariants.filter((i) => !i.ok)).toEqual([]);
    expect(report.invariants.map((i) => i.name)).toContain('vendor_returns_posted');
  };
  return { shop, vendor, item, bin, receive, healthy };
}

describeEachDatabase('returns to vendor', (get) => {
  it('takes the oldest FIFO layers out at their cost: 5 at 2.00 and 5 at 2.50, return 6, 12.50 leaves', async () => {
    const ctx = serviceContext(get().db);
    const { shop, vendor, item, bin, receive, healthy } = await setup(ctx);
    await receive(5, 2);
    await receive(5, 2.5);
    const before = await getItemCosts(ctx, item.id, 'fifo');
    expect(before.value).toBe($(22.5));
    ctx.clock.advance(60_000);
    const draft = await createVendorReturn(ctx, { vendor_id: vendor.id, site_id: shop.warehouse.id, reason: 'defective', lines: [{ item_id: item.id, qty: u(6) }] });
    expect(draft).toMatchObject({ status: 'draft', number: expect.stringMatching(/^RTV-\d{6}$/), currency: 'USD', credit_micros: null });
    // A draft moves nothing.
    expect(await balanceAt(ctx.db.kysely, item.id, bin)).toEqual({ onHand: u(10), reserved: 0 });
    const posted = await postVendorReturn(ctx, draft.id);
    expect(posted).toMatchObject({ status: 'posted', value_micros: $(12.5), credit_micros: $(12.5) });
    expect(posted.lines[0]).toMatchObject({ qty_base: u(6), value_micros: $(12.5), credit_micros: $(12.5), bin_id: bin });
    expect(await balanceAt(ctx.db.kysely, item.id, bin)).toEqual({ onHand: u(4), reserved: 0 });
    const after = await getItemCosts(ctx, item.id, 'fifo');
    expect([after.qty, after.value]).toEqual([u(4), $(10)]);
    expect(before.value - after.value).toBe($(12.5));
    const moved = await ctx.db.kysely.selectFrom('movements').selectAll().where('document_id', '=', draft.id).where('kind', '=', 'vendor_return').execute();
    expect(moved.map((m) => [m.from_location_id, m.to_location_id, Number(m.qty), Number(m.value_micros), m.reason])).toEqual([[bin, VIRTUAL_LOCATION_IDS.vendor, u(6), $(12.5), 'defective']]);
    await healthy();
    // `stockroom check` notices a return whose lines disagree with what the ledger moved.
    await ctx.db.kysely.updateTable('vendor_return_lines').set({ qty_base: u(7) }).where('return_id', '=', draft.id).execute();
    const broken = (await checkLedger(ctx.db)).invariants.find((i) => i.name === 'vendor_returns_posted')!;
    expect([broken.ok, broken.violations.map((v) => v.return_id)]).toEqual([false, [draft.id]]);
    await ctx.db.kysely.updateTable('vendor_return_lines').set({ qty_base: u(6) }).where('return_id', '=', draft.id).execute();
  });

  it('credits the price on the receipt the goods came in on, in the vendor’s currency at the receipt’s rate', async () => {
    const ctx = serviceContext(get().db);
    const { vendor, item, receive, healthy } = await setup(ctx, 'EUR');
    const receipt = await receive(5, 2, { exchange_rate: 1_100_000_000 });
    expect(receipt.lines[0]!.base_unit_cost_micros).toBe($(2.2));
    ctx.clock.advance(60_000);
    const posted = await postVendorReturn(ctx, (await createVendorReturn(ctx, { receipt_id: receipt.id, reason: 'wrong_item', lines: [{ receipt_line_id: receipt.lines[0]!.id, qty: u(3) }] })).id);
    expect(posted).toMatchObject({ vendor_id: vendor.id, site_id: receipt.site_id, currency: 'EUR', exchange_rate_e9: 1_100_000_000, credit_micros: $(6), value_micros: $(6.6), receiptNumber: receipt.number });
    // A price given on the line wins over the receipt's (a restocking fee agreed with the vendor).
    const fee = await postVendorReturn(ctx, (await createVendorReturn(ctx, { receipt_id: receipt.id, reason: 'overstock', lines: [{ item_id: item.id, qty: u(1), unit_credit: $(1.5) }] })).id);
    expect([fee.credit_micros, fee.value_micros]).toEqual([$(1.5), $(2.2)]);
    // Against a receipt, an item named by id is the receipt's line for it: its price, its bin.
    const byItem = await postVendorReturn(ctx, (await createVendorReturn(ctx, { receipt_id: receipt.id, reason: 'overstock', lines: [{ item_id: item.id, qty: 500 }] })).id);
    expect(byItem.lines[0]).toMatchObject({ receipt_line_id: receipt.lines[0]!.id, bin_id: receipt.lines[0]!.bin_id, credit_micros: $(1), value_micros: $(1.1) });
    await healthy();
  });

  it('refuses to send back more than a strict warehouse holds, and changes nothing', async () => {
    const ctx = serviceContext(get().db);
    const { shop, vendor, item, bin, receive } = await setup(ctx);
    await receive(2, 1);
    const draft = await createVendorReturn(ctx, { vendor_id: vendor.id, site_id: shop.warehouse.id, reason: 'overstock', lines: [{ item_id: item.id, qty: u(3) }] });
    await expect(postVendorReturn(ctx, draft.id)).rejects.toMatchObject({ code: 'insufficient_stock' });
    expect((await getVendorReturn(ctx, draft.id)).status).toBe('draft');
    expect(await balanceAt(ctx.db.kysely, item.id, bin)).toEqual({ onHand: u(2), reserved: 0 });
  });

  it('cancels only a draft, and a posted return cannot be posted again', async () => {
    const ctx = serviceContext(get().db);
    const { shop, vendor, item, receive } = await setup(ctx);
    await receive(2, 1);
    const make = () => createVendorReturn(ctx, { vendor_id: vendor.id, site_id: shop.warehouse.id, reason: 'other', lines: [{ item_id: item.id, qty: u(1) }] });
    const cancelled = await cancelVendorReturn(ctx, (await make()).id);
    expect(cancelled.status).toBe('cancelled');
    await expect(postVendorReturn(ctx, cancelled.id)).rejects.toMatchObject({ code: 'vendor_return_transition_invalid' });
    const posted = await postVendorReturn(ctx, (await make()).id);
    await expect(postVendorReturn(ctx, posted.id)).rejects.toMatchObject({ code: 'vendor_return_transition_invalid' });
    await expect(cancelVendorReturn(ctx, posted.id)).rejects.toMatchObject({ code: 'vendor_return_transition_invalid' });
  });

  it('needs the lot of a lot-tracked item and refuses a bin of another site', async () => {
    const ctx = serviceContext(get().db);
    const { shop, vendor } = await setup(ctx);
    const tracked = await makeItem(ctx, { tracking: 'lot' });
    await expect(createVendorReturn(ctx, { vendor_id: vendor.id, site_id: shop.warehouse.id, reason: 'recall', lines: [{ item_id: tracked.id, qty: u(1) }, { item_id: tracked.id, qty: u(1), lot_code: 'NOPE', bin_id: shop.storeBin }] })).rejects.toMatchObject({
      code: 'vendor_return_line_invalid',
      errors: [{ field: 'body.lines.0.lot_code', code: 'required' }, { field: 'body.lines.1.lot_code', code: 'not_found' }],
    });
  });

  it('answers 404 for a return at a site the caller is not granted, and lists only granted sites', async () => {
    const ctx = serviceContext(get().db);
    const { shop, vendor, item, receive } = await setup(ctx);
    await receive(2, 1);
    const draft = await createVendorReturn(ctx, { vendor_id: vendor.id, site_id: shop.warehouse.id, reason: 'other', lines: [{ item_id: item.id, qty: u(1) }] });
    const storeOnly: Actor = { kind: 'user', id: 'usr_store', label: 'store clerk', role: 'staff', sites: new Set([shop.store.id]) };
    const clerk = { ...ctx, actor: storeOnly };
    await expect(getVendorReturn(clerk, draft.id)).rejects.toMatchObject({ code: 'vendor_return_not_found' });
    await expect(postVendorReturn(clerk, draft.id)).rejects.toMatchObject({ code: 'vendor_return_not_found' });
    await expect(cancelVendorReturn(clerk, draft.id)).rejects.toMatchObject({ code: 'vendor_return_not_found' });
    await expect(createVendorReturn(clerk, { vendor_id: vendor.id, site_id: shop.warehouse.id, reason: 'other', lines: [{ item_id: item.id, qty: u(1) }] })).rejects.toMatchObject({ code: 'location_not_found' });
    expect((await listVendorReturns(clerk, { limit: 50 })).rows.map((r) => r.id)).not.toContain(draft.id);
    expect((await listVendorReturns(ctx, { vendorId: vendor.id, limit: 50 })).rows.map((r) => r.id)).toEqual([draft.id]);
  });
});
