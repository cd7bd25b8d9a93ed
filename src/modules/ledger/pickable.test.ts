import { describe, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext, type TestDatabase } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { createLocation, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { comparePickable, findOrCreateLot, listPickableStock, postMovements, reserveStock, sumPickableByItem, sumPickableBySite, type PickableStock } from './index.ts';

const { customer, vendor } = VIRTUAL_LOCATION_IDS;
const today = '2026-11-05';

/**
 * One lot-tracked item spread over a warehouse and a store, with every reason a balance is not
 * pickable: an expired lot, a quarantine bin, an archived bin, a fully reserved lot, a negative bin.
 */
async function stockedShop(get: () => TestDatabase) {
  const db = get().db;
  const ctx = serviceContext(db);
  const shop = await makeShop(ctx);
  const item = await makeItem(ctx, { tracking: 'lot', tracks_expiry: true });
  const plain = await makeItem(ctx);
  const [bin1, bin2] = shop.warehouseBins as [string, string];
  const quarantine = await createLocation(ctx, { kind: 'bin', parent_id: shop.warehouse.id, code: 'Q1', name: 'Quarantine', purpose: 'quarantine' });
  const archived = await createLocation(ctx, { kind: 'bin', parent_id: shop.warehouse.id, code: 'OLD', name: 'Old shelf' });
  const lot = (code: string, expiresOn: string | null) => db.kysely.transaction().execute((trx) => findOrCreateLot(trx, item.id, 'lot', { code, expiresOn }, ctx.clock.now()));
  const lots = {
    expired: await lot('EXPIRED', '2026-11-04'),
    today: await lot('TODAY', today),
    early: await lot('EARLY', '2026-11-10'),
    late: await lot('LATE', '2026-12-31'),
    none: await lot('NONE', null),
  };
  let n = 0;
  const move = (itemId: string, from: string, to: string, qty: number, lotId = '') =>
    postMovements(ctx, { kind: from === vendor ? 'receipt' : 'sale', documentType: 'test', documentId: `d${(n += 1)}`, movements: [{ itemId, lotId, fromLocationId: from, toLocationId: to, qty, unitCostMicros: from === vendor ? 1_000_000 : undefined }] });
  await move(item.id, vendor, bin1, 5000, lots.expired.id);
  await move(item.id, vendor, bin1, 500, lots.today.id);
  await move(item.id, vendor, bin2, 3000, lots.early.id);
  await move(item.id, vendor, bin1, 4000, lots.late.id);
  await move(item.id, vendor, bin1, 2000, lots.none.id);
  await move(item.id, vendor, bin2, 1000, lots.none.id);
  await move(item.id, vendor, quarantine.id, 7000, lots.late.id);
  await move(item.id, vendor, archived.id, 6000, lots.late.id);
  await move(item.id, vendor, shop.storeBin, 800, lots.late.id);
  await move(item.id, shop.storeBin, customer, 300, lots.none.id);
  await move(plain.id, vendor, bin2, 2000);
  await db.kysely.updateTable('locations').set({ status: 'archived' }).where('id', '=', archived.id).execute();
  await reserveStock(ctx, { itemId: item.id, locationId: bin1, lotId: lots.late.id, qty: 1000, documentType: 'order', documentId: 'o1' });
  await reserveStock(ctx, { itemId: item.id, locationId: bin1, lotId: lots.none.id, qty: 2000, documentType: 'order', documentId: 'o2' });
  const codes = new Map((await db.kysely.selectFrom('locations').select(['id', 'full_code']).where('id', 'in', [bin1, bin2]).execute()).map((r) => [r.id, r.full_code]));
  return { db, shop, item, plain, bin1, bin2, lots, code: (id: string) => codes.get(id)! };
}

describeEachDatabase('pickable stock', (get) => {
  it('lists what can be picked at a site, soonest expiry first, less what is promised', async () => {
    const s = await stockedShop(get);
    const stock = await listPickableStock(s.db.kysely, { itemIds: [s.item.id, s.item.id], siteIds: [s.shop.warehouse.id], today });
    const line = (locationId: string, lotId: string, available: number, pickOrder: number, expiresOn: string | null) => ({
      itemId: s.item.id,
      siteId: s.shop.warehouse.id,
      locationId,
      lotId,
      available,
      pickOrder,
      binCode: s.code(locationId),
      expiresOn,
    });
    // Left out: the expired lot, the quarantine and archived bins, the lot fully reserved at bin 1.
    expect(stock).toEqual([
      line(s.bin1, s.lots.today.id, 500, 1, today),
      line(s.bin2, s.lots.early.id, 3000, 2, '2026-11-10'),
      line(s.bin1, s.lots.late.id, 3000, 1, '2026-12-31'),
      line(s.bin2, s.lots.none.id, 1000, 2, null),
    ]);
  });

  it('sums what each site has to spare; a bin below zero takes nothing away', async () => {
    const s = await stockedShop(get);
    const sums = await sumPickableBySite(s.db.kysely, { itemIds: [s.item.id, s.plain.id], siteIds: [s.shop.warehouse.id, s.shop.store.id], today });
    const key = (r: { siteId: string; itemId: string }) => `${r.siteId}/${r.itemId}`;
    expect(sums.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      [
        { siteId: s.shop.warehouse.id, itemId: s.item.id, available: 7500 },
        { siteId: s.shop.warehouse.id, itemId: s.plain.id, available: 2000 },
        { siteId: s.shop.store.id, itemId: s.item.id, available: 800 },
      ].sort((a, b) => key(a).localeCompare(key(b))),
    );
    expect(await sumPickableBySite(s.db.kysely, { itemIds: [], siteIds: [s.shop.warehouse.id], today })).toEqual([]);
    expect(await sumPickableBySite(s.db.kysely, { itemIds: [s.item.id], siteIds: [], today })).toEqual([]);
    expect(await listPickableStock(s.db.kysely, { itemIds: [], siteIds: [s.shop.warehouse.id], today })).toEqual([]);
    expect(await listPickableStock(s.db.kysely, { itemIds: [s.item.id], siteIds: [], today })).toEqual([]);
  });

  it('sums per item over the sites, a page at a time in item order', async () => {
    const s = await stockedShop(get);
    const sites = [s.shop.warehouse.id, s.shop.store.id];
    const [first, second] = [s.item.id, s.plain.id].sort() as [string, string];
    const expected = new Map([
      [s.item.id, 8300],
      [s.plain.id, 2000],
    ]);
    const both = await sumPickableByItem(s.db.kysely, { siteIds: sites, today, itemIds: [s.item.id, s.plain.id], limit: 10 });
    expect(both).toEqual([first, second].map((itemId) => ({ itemId, available: expected.get(itemId) })));
    expect(await sumPickableByItem(s.db.kysely, { siteIds: sites, today, itemIds: [s.item.id, s.plain.id], limit: 1 })).toEqual([{ itemId: first, available: expected.get(first) }]);
    expect(await sumPickableByItem(s.db.kysely, { siteIds: sites, today, itemIds: [s.item.id, s.plain.id], afterItemId: first, limit: 10 })).toEqual([
      { itemId: second, available: expected.get(second) },
    ]);
    expect(await sumPickableByItem(s.db.kysely, { siteIds: [s.shop.store.id], today, itemIds: [s.item.id, s.plain.id], limit: 10 })).toEqual([{ itemId: s.item.id, available: 800 }]);
    expect(await sumPickableByItem(s.db.kysely, { siteIds: sites, today, itemIds: [], limit: 10 })).toEqual([]);
    expect(await sumPickableByItem(s.db.kysely, { siteIds: [], today, limit: 10 })).toEqual([]);
    // Without an item list, every item with stock at the sites: only ours are at this shop.
    expect(await sumPickableByItem(s.db.kysely, { siteIds: sites, today, limit: 10 })).toEqual(both);
  });
});

describe('comparePickable', () => {
  const base: PickableStock = { itemId: 'i', siteId: 's', locationId: 'l', lotId: 'b', available: 1, pickOrder: 5, binCode: 'A-05', expiresOn: '2026-11-10' };
  const order = (a: Partial<PickableStock>, b: Partial<PickableStock>) => comparePickable({ ...base, ...a }, { ...base, ...b });

  it('puts the soonest expiry first and lots without expiry last', () => {
    expect(order({ expiresOn: '2026-11-09' }, {})).toBe(-1);
    expect(order({}, { expiresOn: '2026-11-09' })).toBe(1);
    expect(order({ expiresOn: null }, {})).toBe(1);
    expect(order({}, { expiresOn: null })).toBe(-1);
  });

  it('then walks the bins in pick order, then by code, then by lot', () => {
    expect(order({ pickOrder: 2, binCode: 'Z' }, { pickOrder: 7, binCode: 'A' })).toBe(-5);
    expect(order({ pickOrder: 9 }, { pickOrder: 7 })).toBe(2);
    expect(order({ binCode: 'A-04', lotId: 'z' }, { lotId: 'a' })).toBe(-1);
    expect(order({ binCode: 'A-06', lotId: 'a' }, { lotId: 'z' })).toBe(1);
    expect(order({ lotId: 'a' }, {})).toBe(-1);
    expect(order({ lotId: 'c' }, {})).toBe(1);
    expect(order({ expiresOn: null }, { expiresOn: null })).toBe(0);
  });
});
