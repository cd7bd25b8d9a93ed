import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { pdfText } from '../../../test/support/pdf.ts';
import { updateLocation } from '../locations/index.ts';
import { updateSettings } from '../settings/index.ts';
import { loadPurchaseOrderDocument, purchaseOrderCsv } from './purchase-order-export.ts';
import { renderPurchaseOrderPdf } from './purchase-order-pdf.ts';
import { createPurchaseOrder, sendPurchaseOrder } from './purchase-orders.service.ts';
import { createVendor, deleteVendor, getVendor, listItemVendors, listVendors, setVendorItem, updateVendor } from './vendors.service.ts';

const u = (qty: number) => Math.round(qty * 1000);
const $ = (amount: number) => Math.round(amount * 1_000_000);
let n = 0;
const name = (prefix: string) => `${prefix} ${process.pid}-${(n += 1)}-${Math.floor(Math.random() * 1e6)}`;

describeEachDatabase('vendors', (get) => {
  it('creates, finds, changes and archives a vendor; a name is taken once', async () => {
    const ctx = serviceContext(get().db);
    const vendorName = name('Fenwick & Co');
    const vendor = await createVendor(ctx, { name: vendorName, email: 'sales@fenwick.example', currency: 'EUR', lead_time_days: 7, over_receipt_tolerance: 2_500 });
    expect(vendor).toMatchObject({ currency: 'EUR', status: 'active', over_receipt_tolerance: 2_500 });
    await expect(createVendor(ctx, { name: vendorName.toUpperCase() })).rejects.toMatchObject({ code: 'vendor_name_taken', status: 409 });
    const listed = await listVendors(ctx, { q: vendorName.slice(0, 14), status: 'active', limit: 10 });
    expect(listed.rows.map((v) => v.id)).toContain(vendor.id);
    const archived = await updateVendor(ctx, vendor.id, { status: 'archived', notes: 'moved away' });
    expect(archived).toMatchObject({ status: 'archived', notes: 'moved away' });
    expect((await listVendors(ctx, { q: vendorName.slice(0, 14), status: 'active', limit: 10 })).rows.map((v) => v.id)).not.toContain(vendor.id);
    await deleteVendor(ctx, vendor.id);
    await expect(getVendor(ctx, vendor.id)).rejects.toMatchObject({ code: 'vendor_not_found', status: 404 });
  });

  it('keeps one preferred vendor per item and refuses a unit the item does not have', async () => {
    const ctx = serviceContext(get().db);
    const item = await makeItem(ctx, { units: [{ name: 'case', factor: u(6) }] });
    const a = await createVendor(ctx, { name: name('A') });
    const b = await createVendor(ctx, { name: name('B') });
    await setVendorItem(ctx, a.id, item.id, { purchase_unit: 'case', unit_cost: $(9), preferred: true });
    await setVendorItem(ctx, b.id, item.id, { unit_cost: $(1.6), preferred: true, vendor_sku: 'B-1' });
    const vendors = await listItemVendors(ctx, item.id);
    expect(vendors.map((v) => [v.vendor_id, v.preferred, v.purchase_unit])).toEqual([
      [b.id, 1, 'ea'],
      [a.id, 0, 'case'],
    ]);
    await expect(setVendorItem(ctx, a.id, item.id, { purchase_unit: 'pallet', unit_cost: $(1) })).rejects.toMatchObject({ code: 'vendor_item_invalid', errors: [{ field: 'body.purchase_unit' }] });
  });

  it('locks the currency of a vendor with orders, and deletes only a vendor nobody ordered from', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const vendor = await createVendor(ctx, { name: name('Locked') });
    await createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: shop.store.id, lines: [{ item_id: item.id, qty: u(1), unit_price: $(1) }] });
    await expect(updateVendor(ctx, vendor.id, { currency: 'EUR' })).rejects.toMatchObject({ code: 'vendor_currency_locked', status: 409 });
    await expect(deleteVendor(ctx, vendor.id)).rejects.toMatchObject({ code: 'vendor_in_use', status: 409 });
    await updateVendor(ctx, vendor.id, { status: 'archived' });
    await expect(createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: shop.store.id, lines: [] })).rejects.toMatchObject({ code: 'vendor_archived' });
  });

  it('exports a purchase order as a PDF a vendor can read and as CSV', async () => {
    const ctx = serviceContext(get().db);
    await updateSettings(ctx, { shop_name: 'Fern & Fig' });
    const shop = await makeShop(ctx);
    await updateLocation(ctx, shop.warehouse.id, { address: '12 Mill Lane, York YO1 7HX' });
    const candle = await makeItem(ctx, { name: 'Peach candle, "large"', units: [{ name: 'case', factor: u(12) }] });
    const mug = await makeItem(ctx, { name: '=HYPERLINK("x")' });
    const vendor = await createVendor(ctx, { name: name('Wax Works'), email: 'orders@wax.example', payment_terms: 'Net 30' });
    await setVendorItem(ctx, vendor.id, candle.id, { vendor_sku: 'WX-PEACH-12', purchase_unit: 'case', unit_cost: $(54) });
    const draft = await createPurchaseOrder(ctx, {
      vendor_id: vendor.id,
      delivery_site_id: shop.warehouse.id,
      expected_on: '2026-11-20',
      tax_rate: 20_000,
      shipping: $(12.5),
      notes: 'Deliver to the back door',
      lines: [
        { item_id: candle.id, qty: u(3) },
        { item_id: mug.id, qty: u(10), unit_price: $(4.2), vendor_sku: 'MUG-9' },
      ],
    });
    const po = await sendPurchaseOrder(ctx, draft.id);
    const document = await loadPurchaseOrderDocument(ctx, po.id, true);
    const pdf = await renderPurchaseOrderPdf(document);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    // 3 × 54.00 = 162.00 and 10 × 4.20 = 42.00; tax 20% = 40.80; + 12.50 shipping = 257.30.
    for (const expected of ['Fern & Fig', po.number, 'PURCHASE ORDER', vendor.name, 'orders@wax.example', '12 Mill Lane, York YO1 7HX', 'WX-PEACH-12', 'MUG-9', 'Peach candle, "large"', 'case', '54.00', '162.00', '42.00', '204.00 USD', '40.80 USD', '12.50 USD', '257.30 USD', 'Net 30', 'Deliver to the back door', 'Expected delivery: 2026-11-20']) {
      expect(text).toContain(expected);
    }
    const staffText = pdfText(await renderPurchaseOrderPdf({ ...document, withPrices: false }));
    expect(staffText).toContain('WX-PEACH-12');
    expect(staffText).not.toContain('162.00');

    const csv = purchaseOrderCsv(document);
    expect(csv.split('\r\n')).toEqual([
      'po_number,line_no,vendor_sku,sku,description,qty,unit,currency,unit_price,amount,tax_rate_percent,tax,expected_on',
      `${po.number},1,WX-PEACH-12,${candle.sku},"Peach candle, ""large""",3,case,USD,54.00,162.00,20,32.40,2026-11-20`,
      // A description that a spreadsheet would run as a formula is quoted as text.
      `${po.number},2,MUG-9,${mug.sku},"'=HYPERLINK(""x"")",10,ea,USD,4.20,42.00,20,8.40,2026-11-20`,
      '',
    ]);
  });
});
