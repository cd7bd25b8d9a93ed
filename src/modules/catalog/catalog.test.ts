import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop, uniqueSku } from '../../../test/support/fixtures.ts';
import { postMovements } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { CatalogError } from './catalog.errors.ts';
import { componentsOf, deleteItem, findItemByBarcode, getItem, searchItems, setItemStatus, updateItem } from './items.service.ts';

async function expectCatalogError(promise: Promise<unknown>, code: string): Promise<CatalogError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CatalogError);
  expect((error as CatalogError).code).toBe(code);
  return error as CatalogError;
}

describeEachDatabase('catalog', (get) => {
  it('creates an item with units, barcodes and components, and finds it by any form of its GTIN', async () => {
    const ctx = serviceContext(get().db);
    const milk = await makeItem(ctx, { base_unit: 'l' });
    const latte = await makeItem(ctx, {
      stocked: false,
      barcodes: ['036000291452', 'LATTE-1'],
      units: [{ name: 'tray', factor: 6000 }],
      components: [{ item_id: milk.id, qty: 200 }],
    });
    expect(componentsOf(latte)).toEqual([{ item_id: milk.id, qty: 200 }]);
    for (const scan of ['036000291452', '0036000291452', '00036000291452', 'LATTE-1']) {
      const found = await findItemByBarcode(get().db.kysely, scan);
      expect(found?.item.id).toBe(latte.id);
    }
    expect(await findItemByBarcode(get().db.kysely, 'latte-1')).toBeUndefined();
  });

  it('keeps SKUs unique regardless of case and barcodes unique across items', async () => {
    const ctx = serviceContext(get().db);
    const sku = uniqueSku('CaSe');
    const gtin = '96385074';
    await makeItem(ctx, { sku, barcodes: [gtin] });
    await expectCatalogError(makeItem(ctx, { sku: sku.toLowerCase() }), 'sku_taken');
    const error = await expectCatalogError(makeItem(ctx, { barcodes: ['0000096385074'] }), 'barcode_taken');
    expect(error.status).toBe(409);
    await expectCatalogError(makeItem(ctx, { barcodes: ['4006381333932'] }), 'barcode_invalid');
    await expectCatalogError(makeItem(ctx, { barcodes: ['ABC', 'ABC'] }), 'barcode_invalid');
  });

  it('refuses components that would make an item a component of itself', async () => {
    const ctx = serviceContext(get().db);
    const a = await makeItem(ctx);
    const b = await makeItem(ctx, { components: [{ item_id: a.id, qty: 1000 }] });
    const c = await makeItem(ctx, { components: [{ item_id: b.id, qty: 1000 }] });
    await expectCatalogError(updateItem(ctx, a.id, { components: [{ item_id: c.id, qty: 1000 }] }), 'component_cycle');
    await expectCatalogError(updateItem(ctx, a.id, { components: [{ item_id: a.id, qty: 1000 }] }), 'component_cycle');
    expect(componentsOf(await getItem(ctx, a.id))).toEqual([]);
  });

  it('freezes base unit, tracking and stocked once the item has moved, and refuses to delete it', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await updateItem(ctx, item.id, { base_unit: 'kg' });
    await postMovements(ctx, {
      kind: 'adjustment',
      documentType: 'test',
      documentId: 'x',
      movements: [{ itemId: item.id, fromLocationId: VIRTUAL_LOCATION_IDS.adjustment, toLocationId: shop.storeBin, qty: 1000 }],
    });
    await expectCatalogError(updateItem(ctx, item.id, { base_unit: 'g' }), 'item_locked_field');
    await expectCatalogError(updateItem(ctx, item.id, { tracking: 'lot' }), 'item_locked_field');
    expect((await updateItem(ctx, item.id, { name: 'Renamed', base_unit: 'kg' })).name).toBe('Renamed');
    await expectCatalogError(deleteItem(ctx, item.id), 'item_has_movements');
    await expectCatalogError(setItemStatus(ctx, item.id, 'archived'), 'item_in_use');
  });

  it('deletes an item that never moved and archives one whose stock is gone', async () => {
    const ctx = serviceContext(get().db);
    const fresh = await makeItem(ctx, { barcodes: ['SCAN-DEL-1'] });
    await deleteItem(ctx, fresh.id);
    await expectCatalogError(getItem(ctx, fresh.id), 'item_not_found');
    expect(await findItemByBarcode(get().db.kysely, 'SCAN-DEL-1')).toBeUndefined();

    const part = await makeItem(ctx);
    await makeItem(ctx, { stocked: false, components: [{ item_id: part.id, qty: 1000 }] });
    await expectCatalogError(setItemStatus(ctx, part.id, 'archived'), 'item_in_use');
    const lone = await makeItem(ctx);
    expect((await setItemStatus(ctx, lone.id, 'archived')).status).toBe('archived');
    expect((await setItemStatus(ctx, lone.id, 'active')).status).toBe('active');
  });

  it('refuses to track expiry without lots', async () => {
    const ctx = serviceContext(get().db);
    await expectCatalogError(makeItem(ctx, { tracks_expiry: true }), 'unit_invalid');
  });

  it('searches by SKU, name and barcode with stable pages', async () => {
    const ctx = serviceContext(get().db);
    const tag = uniqueSku('SRCH').replace(/-/g, '');
    const made = [];
    for (let i = 0; i < 7; i += 1) made.push(await makeItem(ctx, { sku: `${tag}-${i}`, name: `Searchable ${tag} ${i % 3}`, barcodes: [`${tag}B${i}`] }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const rows = await searchItems(ctx, { q: tag.toLowerCase(), status: 'active', sort: 'name', limit: 3, cursor });
      const page = rows.slice(0, 3);
      seen.push(...page.map((r) => r.id));
      cursor = rows.length > 3 ? Buffer.from(JSON.stringify([page[2]!.name, page[2]!.id])).toString('base64url') : undefined;
    } while (cursor);
    expect(seen.sort()).toEqual(made.map((m) => m.id).sort());
    const byBarcode = await searchItems(ctx, { q: `${tag}B4`, status: 'active', sort: 'sku', limit: 10 });
    expect(byBarcode.map((r) => r.id)).toEqual([made[4]!.id]);
    const noWildcards = await searchItems(ctx, { q: '%', status: 'active', sort: 'name', limit: 10 });
    expect(noWildcards).toEqual([]);
  });
});
