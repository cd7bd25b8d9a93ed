import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop, uniqueSku } from '../../../test/support/fixtures.ts';
import { balanceAt } from '../ledger/index.ts';
import { createPurchaseOrder, createVendor, findVendorItem } from '../purchasing/index.ts';
import { getLevel } from '../replenishment/index.ts';
import { tableCsv, tableXlsx } from '../reports/index.ts';
import { exportKind, runKindImport } from './imports.kinds.service.ts';
import { bufferSource } from './imports.reader.ts';
import { jobErrors } from './imports.service.ts';
import type { KindName } from './kinds/kind.ts';
import type { ServiceContext } from '../../platform/context.ts';

/**
 * Vendors, vendor prices, min/max levels and opening stock with lots from files: each kind's dry
 * run names every bad row by row, column and code; apply writes; the same file again changes
 * nothing; and the kind's export, as CSV and as XLSX, imports back as a no-op.
 */

const csv = (lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n');
const run = (ctx: ServiceContext, kind: KindName, file: Buffer, dryRun: boolean, site?: string) => runKindImport(ctx, kind, bufferSource(file), { format: 'csv', dryRun, site });

async function roundTrip(ctx: ServiceContext, kind: KindName): Promise<number> {
  const table = await exportKind(ctx, kind);
  expect(table.rows.length).toBeGreaterThan(0);
  const fromCsv = await runKindImport(ctx, kind, bufferSource(Buffer.from(tableCsv(table))), { format: 'csv', dryRun: false });
  expect(jobErrors(fromCsv)).toEqual([]);
  expect(fromCsv).toMatchObject({ status: 'done', created_count: 0, updated_count: 0, unchanged_count: table.rows.length });
  const fromXlsx = await runKindImport(ctx, kind, bufferSource(await tableXlsx(table)), { format: 'xlsx', dryRun: false });
  expect(jobErrors(fromXlsx)).toEqual([]);
  expect(fromXlsx).toMatchObject({ status: 'done', created_count: 0, updated_count: 0, unchanged_count: table.rows.length });
  return table.rows.length;
}

describeEachDatabase('imports of vendors, vendor prices, levels, opening stock and units', (get) => {
  it('vendors: the dry run lists every bad row, apply creates and updates by name, again changes nothing, and the export round-trips', async () => {
    const ctx = serviceContext(get().db);
    const tag = uniqueSku('V');
    const ordered = await createVendor(ctx, { name: `${tag} Ordered`, currency: 'USD' });
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await createPurchaseOrder(ctx, { vendor_id: ordered.id, delivery_site_id: shop.store.id, lines: [{ item_id: item.id, qty: 1000, unit_price: 1_000_000 }] });
    const header = 'Name,Email,Phone,Currency,Lead time days,Over-receipt tolerance %,Notes';
    const bad = csv([
      header,
      `${tag} Acme,orders@acme.example,+1 555 0100,USD,5,2.5,"=HYPERLINK(""x"")"`,
      `${tag} Bolt,not-an-email,,USD,,,`,
      `${tag} acme,,,USD,,,`,
      `${tag} Cog,,,US,-1,,`,
      `${tag} Ordered,,,EUR,,,`,
      `,,,,,,`,
      `,x@y.example,,,,,`,
    ]);
    const dry = await run(ctx, 'vendors', bad, true);
    expect(dry).toMatchObject({ status: 'done', dry_run: 1, kind: 'vendors', rows_total: 6 });
    expect(jobErrors(dry).map((e) => [e.row, e.column, e.code])).toEqual([
      [3, 'Email', 'invalid'],
      [4, 'Name', 'duplicate'],
      [5, 'Currency', 'invalid'],
      [5, 'Lead time days', 'invalid'],
      [6, 'Currency', 'currency_locked'],
      [8, 'Name', 'required'],
    ]);
    expect((await run(ctx, 'vendors', bad, false)).status).toBe('failed');
    expect(await get().db.kysely.selectFrom('vendors').select('id').where('name_key', '=', `${tag} acme`.toLowerCase()).executeTakeFirst()).toBeUndefined();

    const good = csv([header, `${tag} Acme,orders@acme.example,+1 555 0100,USD,5,2.5,"=HYPERLINK(""x"")"`, `${tag} Bolt,,,EUR,,,`, `${tag} Ordered,,,USD,14,,net 30`]);
    expect(await run(ctx, 'vendors', good, false)).toMatchObject({ status: 'done', created_count: 2, updated_count: 1, unchanged_count: 0 });
    const acme = await get().db.kysely.selectFrom('vendors').selectAll().where('name_key', '=', `${tag} acme`.toLowerCase()).executeTakeFirstOrThrow();
    expect(acme).toMatchObject({ email: 'orders@acme.example', phone: '+1 555 0100', currency: 'USD', lead_time_days: 5, notes: '=HYPERLINK("x")' });
    expect(Number(acme.over_receipt_tolerance)).toBe(2500);
    const again = await run(ctx, 'vendors', good, false);
    expect(again).toMatchObject({ status: 'done', created_count: 0, updated_count: 0, unchanged_count: 3 });

    // The formula-like note is written inert (a leading apostrophe) and read back as it was.
    const text = tableCsv(await exportKind(ctx, 'vendors'));
    expect(text).toContain(`'=HYPERLINK`);
    expect(text).toContain(`'+1 555 0100`);
    await roundTrip(ctx, 'vendors');
  }, 120_000);

  it('vendor prices: unknown vendors, SKUs and units, a wrong currency and two preferred vendors are refused; apply sets the terms; export round-trips', async () => {
    const ctx = serviceContext(get().db);
    const tag = uniqueSku('VP');
    const usd = await createVendor(ctx, { name: `${tag} Usd`, currency: 'USD' });
    const eur = await createVendor(ctx, { name: `${tag} Eur`, currency: 'EUR' });
    const gloves = await makeItem(ctx, { sku: `${tag}-GLOVE`, units: [{ name: 'case', factor: 12_000 }] });
    const hats = await makeItem(ctx, { sku: `${tag}-HAT` });
    const header = 'Vendor,SKU,Vendor SKU,Purchase unit,Unit cost,Currency,Minimum order,Pack multiple,Preferred';
    const bad = csv([
      header,
      `${usd.name},${gloves.sku},U-1,case,48.00,USD,2,1,yes`,
      `Nobody,${gloves.sku},,,1.00,,,,`,
      `${usd.name},NO-SUCH-SKU,,,1.00,,,,`,
      `${usd.name},${hats.sku},,box,1.00,,,,`,
      `${eur.name},${hats.sku},,,1.00,USD,,,`,
      `${eur.name},${gloves.sku},,,40.00,EUR,,,yes`,
      `${usd.name},${hats.sku},,,1.0000001,,0.0001,,maybe`,
      `${usd.name},${gloves.sku},,,48.00,USD,,,`,
    ]);
    const dry = await run(ctx, 'vendor-prices', bad, true);
    expect(jobErrors(dry).map((e) => [e.row, e.column, e.code])).toEqual([
      [3, 'Vendor', 'unknown_vendor'],
      [4, 'SKU', 'unknown_sku'],
      [5, 'Purchase unit', 'unknown_unit'],
      [6, 'Currency', 'currency_mismatch'],
      [7, 'Preferred', 'duplicate'],
      [8, 'Preferred', 'invalid'],
      [8, 'Unit cost', 'invalid'],
      [8, 'Minimum order', 'invalid'],
      [9, 'SKU', 'duplicate'],
    ]);
    const good = csv([header, `${usd.name},${gloves.sku},U-1,case,48.00,USD,2,1,yes`, `${eur.name},${gloves.sku},E-9,,3.50,EUR,,,no`, `${eur.name},${hats.sku},,,7.25,,10,5,yes`]);
    expect(await run(ctx, 'vendor-prices', good, false)).toMatchObject({ status: 'done', created_count: 3, updated_count: 0, unchanged_count: 0 });
    expect(await findVendorItem(get().db.kysely, usd.id, gloves.id)).toMatchObject({ vendor_sku: 'U-1', purchase_unit: 'case', preferred: 1 });
    const usdGloves = (await findVendorItem(get().db.kysely, usd.id, gloves.id))!;
    expect([Number(usdGloves.unit_cost_micros), Number(usdGloves.min_order_qty), Number(usdGloves.pack_multiple)]).toEqual([48_000_000, 2000, 1000]);
    expect(await run(ctx, 'vendor-prices', good, false)).toMatchObject({ created_count: 0, updated_count: 0, unchanged_count: 3 });
    // A changed cost updates that row only.
    const cheaper = csv([header, `${usd.name},${gloves.sku},U-1,case,45.00,USD,2,1,yes`]);
    expect(await run(ctx, 'vendor-prices', cheaper, false)).toMatchObject({ created_count: 0, updated_count: 1, unchanged_count: 0 });
    expect(Number((await findVendorItem(get().db.kysely, usd.id, gloves.id))!.unit_cost_micros)).toBe(45_000_000);
    await roundTrip(ctx, 'vendor-prices');
    // Staff, who never see costs, get the file without the cost column.
    const staff = { ...ctx, actor: { kind: 'user' as const, id: 'usr_STAFF', label: 'staff', role: 'staff' as const, sites: 'all' as const } };
    expect((await exportKind(staff, 'vendor-prices')).columns.map((c) => c.label)).not.toContain('Unit cost');
  }, 120_000);

  it('stock levels: bad quantities, max below min, unknown locations and duplicates are refused; apply sets site and bin levels; export round-trips', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const other = await makeItem(ctx);
    const bin = await get().db.kysely.selectFrom('locations').select('full_code').where('id', '=', shop.warehouseBins[0]!).executeTakeFirstOrThrow();
    const header = 'SKU,Location,Min,Max,Delivered daily';
    const bad = csv([
      header,
      `${item.sku},${shop.store.code},5,20,no`,
      `${item.sku},${shop.store.code},1,2,`,
      `${other.sku},NOWHERE,1,2,`,
      `${other.sku},${shop.store.code},10,5,`,
      `${other.sku},${bin.full_code},1.2345,x,`,
      `NO-SKU,${shop.store.code},1,2,sometimes`,
    ]);
    const dry = await run(ctx, 'stock-levels', bad, true);
    expect(jobErrors(dry).map((e) => [e.row, e.column, e.code])).toEqual([
      [3, 'Location', 'duplicate'],
      [4, 'Location', 'unknown_location'],
      [5, 'Max', 'too_small'],
      [6, 'Min', 'invalid'],
      [6, 'Max', 'invalid'],
      [7, 'Delivered daily', 'invalid'],
    ]);
    const good = csv([header, `${item.sku},${shop.store.code},5,20,no`, `${other.sku},${bin.full_code.toLowerCase()},1.5,6,yes`]);
    expect(await run(ctx, 'stock-levels', good, false)).toMatchObject({ status: 'done', created_count: 2 });
    expect(await getLevel(ctx, item.id, shop.store.id)).toMatchObject({ min_qty: 5000, max_qty: 20_000 });
    expect(await getLevel(ctx, other.id, shop.warehouseBins[0]!)).toMatchObject({ min_qty: 1500, max_qty: 6000, delivered_daily: 1 });
    expect(await run(ctx, 'stock-levels', good, false)).toMatchObject({ created_count: 0, updated_count: 0, unchanged_count: 2 });
    await roundTrip(ctx, 'stock-levels');
    // One granted only the store sees and sets no level at the warehouse.
    const storeOnly = { ...ctx, actor: { kind: 'user' as const, id: 'usr_STORE', label: 'store manager', role: 'manager' as const, sites: new Set([shop.store.id]) } };
    const rows = (await exportKind(storeOnly, 'stock-levels')).rows.map((r) => r.cells.location);
    expect(rows).toContain(shop.store.code);
    expect(rows).not.toContain(bin.full_code);
    const refused = await run(storeOnly, 'stock-levels', csv([header, `${other.sku},${bin.full_code},1,2,`]), true);
    expect(jobErrors(refused).map((e) => e.code)).toEqual(['unknown_location']);
  }, 120_000);

  it('opening stock with lots and expiry: the tracking rules are checked row by row, apply posts opening balances per lot, again and the export change nothing', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const plain = await makeItem(ctx);
    const milk = await makeItem(ctx, { tracking: 'lot', tracks_expiry: true });
    const drill = await makeItem(ctx, { tracking: 'serial' });
    const header = 'SKU,Site,Lot,Expires on,Quantity,Unit cost';
    const bad = csv([
      header,
      `${plain.sku},${shop.store.code},,,10,2.50`,
      `${plain.sku},${shop.store.code},L1,,1,`,
      `${milk.sku},${shop.store.code},,,5,`,
      `${milk.sku},${shop.store.code},M-1,,5,`,
      `${milk.sku},${shop.store.code},M-2,2027-02-30,5,`,
      `${drill.sku},${shop.warehouse.code},SN-1,,2,`,
      `${plain.sku},NOWHERE,,,1,`,
      `${plain.sku},${shop.store.code},,,10,`,
      `${plain.sku},${shop.warehouse.code},,,-3,`,
      `NO-SKU,${shop.store.code},,,1,`,
    ]);
    const dry = await run(ctx, 'opening-stock', bad, true);
    expect(jobErrors(dry).map((e) => [e.row, e.column, e.code])).toEqual([
      [3, 'Lot', 'not_tracked'],
      [4, 'Lot', 'lot_required'],
      [5, 'Expires on', 'required'],
      [6, 'Expires on', 'invalid'],
      [7, 'Quantity', 'serial_qty'],
      [8, 'Site', 'unknown_site'],
      [9, 'Lot', 'duplicate'],
      [10, 'Quantity', 'invalid'],
      [11, 'SKU', 'unknown_sku'],
    ]);
    expect((await run(ctx, 'opening-stock', bad, false)).status).toBe('failed');
    expect(await balanceAt(get().db.kysely, plain.id, shop.storeBin)).toEqual({ onHand: 0, reserved: 0 });

    const good = csv([
      header,
      `${plain.sku},${shop.store.code},,,10,2.50`,
      `${milk.sku},${shop.store.code},M-1,2027-01-31,5,1.10`,
      `${milk.sku},${shop.store.code},M-2,2027-02-28,3,1.20`,
      `${milk.sku},,M-1,2027-01-31,4,1.10`,
      `${drill.sku},${shop.warehouse.code},SN-1,,1,99`,
    ]);
    // The row without a site is at the import's site, the warehouse.
    const applied = await run(ctx, 'opening-stock', good, false, shop.warehouse.code);
    expect(applied).toMatchObject({ status: 'done', created_count: 5, updated_count: 0, unchanged_count: 0 });
    expect(await balanceAt(get().db.kysely, plain.id, shop.storeBin)).toEqual({ onHand: 10_000, reserved: 0 });
    const lots = await get().db.kysely.selectFrom('lots').select(['code', 'expires_on']).where('item_id', '=', milk.id).orderBy('code').execute();
    expect(lots).toEqual([{ code: 'M-1', expires_on: '2027-01-31' }, { code: 'M-2', expires_on: '2027-02-28' }]);
    const milkStock = await get()
      .db.kysely.selectFrom('balances as b')
      .innerJoin('lots as l', 'l.id', 'b.lot_id')
      .innerJoin('locations as loc', 'loc.id', 'b.location_id')
      .select(['l.code', 'loc.site_id', 'b.on_hand'])
      .where('b.item_id', '=', milk.id)
      .where('loc.kind', '<>', 'virtual')
      .orderBy('loc.site_id')
      .orderBy('l.code')
      .execute();
    expect(milkStock.map((m) => `${m.code}@${m.site_id === shop.store.id ? 'store' : 'warehouse'}=${Number(m.on_hand)}`).sort()).toEqual(['M-1@store=5000', 'M-1@warehouse=4000', 'M-2@store=3000']);
    const movements = await get().db.kysely.selectFrom('adjustments').select('id').where('reason', '=', 'opening_balance').where('note', '=', `Opening stock from import ${applied.id}`).execute();
    expect(movements).toHaveLength(2);
    expect(await run(ctx, 'opening-stock', good, false, shop.warehouse.code)).toMatchObject({ status: 'done', created_count: 0, unchanged_count: 5 });
    expect(await balanceAt(get().db.kysely, plain.id, shop.storeBin)).toEqual({ onHand: 10_000, reserved: 0 });
    // A new lot of a known item at the same site is still opened.
    const more = csv([header, `${milk.sku},${shop.store.code},M-3,2027-03-31,2,1.30`]);
    expect(await run(ctx, 'opening-stock', more, false)).toMatchObject({ created_count: 1 });
    const exported = await exportKind(ctx, 'opening-stock');
    const mine = exported.rows.filter((r) => r.cells.sku === milk.sku).map((r) => [r.cells.lot, r.cells.expires_on, r.cells.qty]);
    expect(mine).toEqual(expect.arrayContaining([['M-1', '2027-01-31', 5000], ['M-3', '2027-03-31', 2000]]));
    await roundTrip(ctx, 'opening-stock');
  }, 120_000);

  it('units of measure: the item API’s unit rules are checked row by row, apply adds and changes units in place, again and the export change nothing', async () => {
    const ctx = serviceContext(get().db);
    const gloves = await makeItem(ctx, { units: [{ name: 'case', factor: 12_000 }] });
    const flour = await makeItem(ctx, { base_unit: 'kg' });
    const full = await makeItem(ctx, { units: Array.from({ length: 19 }, (_, i) => ({ name: `u${i}`, factor: (i + 2) * 1000 })) });
    const header = 'SKU,Base unit,Unit,Factor';
    const bad = csv([
      header,
      `${gloves.sku},ea,case,12`,
      `${gloves.sku},,CASE,24`,
      `NO-SKU,,box,6`,
      `${gloves.sku},,EA,5`,
      `${flour.sku},g,bag,25`,
      `${gloves.sku},,pack,0`,
      `${gloves.sku},,pack,1.2345`,
      `${gloves.sku},,1pack,2`,
      `${full.sku},,extra1,2`,
      `${full.sku},,extra2,2`,
      `,,box,2`,
    ]);
    const dry = await run(ctx, 'units', bad, true);
    expect(jobErrors(dry).map((e) => [e.row, e.column, e.code])).toEqual([
      [3, 'Unit', 'duplicate'],
      [4, 'SKU', 'unknown_sku'],
      [5, 'Unit', 'base_unit'],
      [6, 'Base unit', 'base_unit_mismatch'],
      [7, 'Factor', 'invalid'],
      [8, 'Factor', 'invalid'],
      [9, 'Unit', 'invalid'],
      [11, 'Unit', 'too_many'],
      [12, 'SKU', 'required'],
    ]);
    expect((await run(ctx, 'units', bad, false)).status).toBe('failed');
    const unitsNow = async (id: string) => JSON.parse((await get().db.kysely.selectFrom('items').select('units_json').where('id', '=', id).executeTakeFirstOrThrow()).units_json);
    expect(await unitsNow(gloves.id)).toEqual([{ name: 'case', factor: 12_000 }]);

    const good = csv([header, `${gloves.sku},ea,case,10`, `${gloves.sku},,pack,6`, `${flour.sku.toLowerCase()},KG,bag,25.5`]);
    expect(await run(ctx, 'units', good, false)).toMatchObject({ status: 'done', created_count: 2, updated_count: 1, unchanged_count: 0 });
    expect(await unitsNow(gloves.id)).toEqual([{ name: 'case', factor: 10_000 }, { name: 'pack', factor: 6000 }]);
    expect(await unitsNow(flour.id)).toEqual([{ name: 'bag', factor: 25_500 }]);
    expect(await run(ctx, 'units', good, false)).toMatchObject({ status: 'done', created_count: 0, updated_count: 0, unchanged_count: 3 });
    const exported = (await exportKind(ctx, 'units')).rows.filter((r) => r.cells.sku === gloves.sku).map((r) => r.cells);
    expect(exported).toEqual([{ sku: gloves.sku, base_unit: 'ea', unit: 'case', factor: 10_000 }, { sku: gloves.sku, base_unit: 'ea', unit: 'pack', factor: 6000 }]);
    await roundTrip(ctx, 'units');
  }, 120_000);

  it('refuses a file without the columns of its kind', async () => {
    const ctx = serviceContext(get().db);
    await expect(run(ctx, 'stock-levels', csv(['SKU,Minimum', 'A,1']), true)).rejects.toMatchObject({ code: 'import_file_invalid' });
  });
});
