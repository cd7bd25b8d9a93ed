import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeShop } from '../../../test/support/fixtures.ts';
import { shopifyExport, type Breakage } from '../../../test/support/catalog-files.ts';
import { tableCsv, tableXlsx } from '../reports/index.ts';
import { findItemBySku, getProduct, findProductByHandle } from '../catalog/index.ts';
import { balanceAt } from '../ledger/index.ts';
import { exportCatalogue } from './imports.export.ts';
import { bufferSource } from './imports.reader.ts';
import { jobErrors, previewImport, runImport } from './imports.service.ts';

let tagCounter = 0;
function uniqueTag(): string {
  tagCounter += 1;
  return `I${process.pid % 10000}X${tagCounter}${Math.floor(Math.random() * 1000)}`;
}

describeEachDatabase('imports', (get) => {
  it('recognises a Shopify export and maps its columns', async () => {
    const file = shopifyExport({ variants: 3, tag: uniqueTag() });
    const preview = await previewImport(bufferSource(Buffer.from(file.csv)), 'csv');
    expect(preview.layout).toBe('shopify');
    expect(preview.mapping.fields).toMatchObject({ sku: 'Variant SKU', barcodes: 'Variant Barcode', price: 'Variant Price', cost: 'Cost per item', handle: 'Handle' });
    expect(preview.mapping.stock).toEqual([{ column: 'Variant Inventory Qty', site: '' }]);
    // Three variants and the image-only row Shopify writes after the first.
    expect(preview.sample.length).toBe(4);
  });

  it('imports a 10,000-row Shopify export with variants: the dry run lists every bad row, the fixed file applies, and again changes nothing', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const tag = uniqueTag();
    const breakages: Array<[number, Breakage]> = [[17, 'check_digit'], [402, 'price'], [5003, 'missing_sku'], [7777, 'duplicate_sku'], [9998, 'quantity']];
    const bad = shopifyExport({ variants: 10_000, tag, broken: new Map(breakages), barcodeBase: tagCounter * 100_000 });
    const dry = await runImport(ctx, bufferSource(Buffer.from(bad.csv)), { format: 'csv', dryRun: true, site: shop.store.code });
    const errors = jobErrors(dry);
    expect(dry.status).toBe('done');
    expect(dry.rows_total).toBe(10_000);
    expect([...new Set(errors.map((e) => e.row))]).toEqual([...bad.broken.keys()]);
    expect(errors.map((e) => [e.column, e.code])).toEqual([
      ['Variant Barcode', 'check_digit'],
      ['Variant Price', 'invalid'],
      ['Variant SKU', 'invalid'],
      ['Variant SKU', 'duplicate'],
      ['Variant Inventory Qty', 'too_precise'],
    ]);
    expect(await findItemBySku(get().db.kysely, bad.skus[1]!)).toBeUndefined();
    const refused = await runImport(ctx, bufferSource(Buffer.from(bad.csv)), { format: 'csv', dryRun: false, site: shop.store.code });
    expect(refused.status).toBe('failed');
    expect(await findItemBySku(get().db.kysely, bad.skus[1]!)).toBeUndefined();

    const good = shopifyExport({ variants: 10_000, tag, barcodeBase: tagCounter * 100_000 });
    const progress: number[] = [];
    const applied = await runImport(ctx, bufferSource(Buffer.from(good.csv)), { format: 'csv', dryRun: false, site: shop.store.code, onProgress: (phase, done) => phase === 'applying' && progress.push(done) });
    expect(applied).toMatchObject({ status: 'done', rows_total: 10_000, created_count: 10_000, updated_count: 0, unchanged_count: 0, error_count: 0 });
    expect(progress).toHaveLength(20);
    expect(progress.at(-1)).toBe(10_000);
    const item = (await findItemBySku(get().db.kysely, `${tag}-T0-M-NAVY`))!;
    expect(item).toMatchObject({ name: 'Tee 0 - M / Navy', category: 'Shirts', price_micros: 15_000_000, description: '<p>Cotton tee 0</p>' });
    // Variant 6 of product 0 has inventory 6 % 7 = 6 at the store, valued at 6.25 each.
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin)).toEqual({ onHand: 6000, reserved: 0 });
    const product = await getProduct(ctx, (await findProductByHandle(get().db.kysely, `${tag}-tee-0`.toLowerCase()))!.id);
    expect(product.options).toEqual([{ name: 'Size', values: ['S', 'M', 'L', 'XL'] }, { name: 'Colour', values: ['Red', 'Navy', 'Green', 'Grey', 'Black'] }]);
    expect(product.variants).toHaveLength(20);

    const again = await runImport(ctx, bufferSource(Buffer.from(good.csv)), { format: 'csv', dryRun: false, site: shop.store.code });
    expect(again).toMatchObject({ status: 'done', created_count: 0, updated_count: 0, unchanged_count: 10_000 });
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin)).toEqual({ onHand: 6000, reserved: 0 });
  }, 600_000);

  it('applies the rows its dry run checked, from one reading of the file, as opening stock valued at the row cost', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const tag = uniqueTag();
    const file = (price: string) => Buffer.from(`SKU,Name,Base unit,Price,Cost,Stock ${shop.store.code}\n${tag}-A,Apron,ea,${price},4.25,3\n${tag}-B,Broom,ea,9.00,2.50,2\n`);
    // Read once for the header and once for the dry run; a third reading would see another price.
    let readings = 0;
    const source = () => {
      readings += 1;
      return bufferSource(file(readings <= 2 ? '12.00' : '13.00'))();
    };
    const job = await runImport(ctx, source, { format: 'csv', dryRun: false });
    expect(job).toMatchObject({ status: 'done', created_count: 2 });
    expect(readings).toBe(2);
    const apron = (await findItemBySku(get().db.kysely, `${tag}-A`))!;
    expect(apron.price_micros).toBe(12_000_000);
    expect(await balanceAt(get().db.kysely, apron.id, shop.storeBin)).toEqual({ onHand: 3000, reserved: 0 });
    const opening = await get().db.kysely.selectFrom('movements').select(['reason', 'qty', 'unit_cost_micros', 'value_micros']).where('item_id', '=', apron.id).execute();
    expect(opening).toEqual([{ reason: 'opening_balance', qty: 3000, unit_cost_micros: 4_250_000, value_micros: 12_750_000 }]);
    const pool = await get().db.kysely.selectFrom('item_costs').select(['pool_qty', 'pool_value_micros']).where('item_id', '=', apron.id).executeTakeFirstOrThrow();
    expect(pool).toEqual({ pool_qty: 3000, pool_value_micros: 12_750_000 });
  });

  it('round-trips: the catalogue exported as CSV and as XLSX imports back as a no-op', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const tag = uniqueTag();
    const file = shopifyExport({ variants: 45, tag, barcodeBase: 9_000_000 + tagCounter * 1000 });
    await runImport(ctx, bufferSource(Buffer.from(file.csv)), { format: 'csv', dryRun: false, site: shop.store.code });
    const table = await exportCatalogue(ctx);
    const csv = Buffer.from(tableCsv(table));
    const fromCsv = await runImport(ctx, bufferSource(csv), { format: 'csv', dryRun: false });
    expect(fromCsv.layout).toBe('stockroom');
    expect(jobErrors(fromCsv)).toEqual([]);
    expect(fromCsv).toMatchObject({ status: 'done', created_count: 0, updated_count: 0, unchanged_count: table.rows.length });
    const xlsx = await tableXlsx(table);
    const fromXlsx = await runImport(ctx, bufferSource(xlsx), { format: 'xlsx', dryRun: false });
    expect(jobErrors(fromXlsx)).toEqual([]);
    expect(fromXlsx).toMatchObject({ status: 'done', created_count: 0, updated_count: 0, unchanged_count: table.rows.length });
  }, 300_000);
});
