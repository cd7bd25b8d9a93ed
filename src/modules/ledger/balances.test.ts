import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext, type TestDatabase } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { LotRow } from '../../platform/db/schema.ts';
import { systemActor } from '../../platform/context.ts';
import { encodeCursor } from '../../platform/http/pagination.ts';
import { createLocation, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import {
  answerSiteStockAsOfWith,
  balancesAtInstants,
  findOrCreateLot,
  hasPhysicalStock,
  listBalances,
  onHandByItem,
  postMovements,
  reserveStock,
  type BalanceLine,
  type BalanceQuery,
  type SiteStockAsOfReader,
} from './index.ts';

const { customer, vendor } = VIRTUAL_LOCATION_IDS;

/** The snapshot reader answers only while a test sets it; otherwise listBalances sums the ledger. */
let snapshotAnswer: Awaited<ReturnType<SiteStockAsOfReader>> = null;
const snapshotQueries: Array<Parameters<SiteStockAsOfReader>[1]> = [];
answerSiteStockAsOfWith(async (_db, query) => {
  snapshotQueries.push(query);
  return snapshotAnswer;
});

/**
 * A lot-tracked item with two lots in warehouse bin 1, one lot in bin 2 (5 reserved), a quarantine
 * bin and the store; a second, plain item only at the store. Counted in thousandths.
 */
async function stock(get: () => TestDatabase) {
  const db = get().db;
  const ctx = serviceContext(db, new ManualClock(Date.UTC(2026, 10, 2, 9)));
  const shop = await makeShop(ctx);
  const item = await makeItem(ctx, { tracking: 'lot' });
  const plain = await makeItem(ctx);
  const [bin1, bin2] = shop.warehouseBins as [string, string];
  const quarantine = await createLocation(ctx, { kind: 'bin', parent_id: shop.warehouse.id, code: 'Q', name: 'Quarantine', purpose: 'quarantine' });
  const lot = (code: string) => db.kysely.transaction().execute((trx) => findOrCreateLot(trx, item.id, 'lot', { code }, ctx.clock.now()));
  const [lotA, lotB] = [await lot('A'), await lot('B')].sort((x, y) => x.id.localeCompare(y.id)) as [LotRow, LotRow];
  let n = 0;
  const move = (itemId: string, lotId: string, from: string, to: string, qty: number) =>
    postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: `m${(n += 1)}`, movements: [{ itemId, lotId, fromLocationId: from, toLocationId: to, qty, unitCostMicros: from === vendor ? 1_000_000 : undefined }] });
  const t0 = ctx.clock.now();
  await move(item.id, lotA.id, vendor, bin1, 4000);
  await move(item.id, lotB.id, vendor, bin1, 6000);
  await move(item.id, lotA.id, vendor, bin2, 9000);
  await move(item.id, lotA.id, vendor, quarantine.id, 1000);
  await move(plain.id, '', vendor, shop.storeBin, 2000);
  ctx.clock.advance(1000);
  const t1 = ctx.clock.now();
  await move(item.id, lotA.id, bin2, customer, 1000);
  await move(item.id, lotA.id, vendor, shop.storeBin, 3000);
  await reserveStock(ctx, { itemId: item.id, locationId: bin2, lotId: lotA.id, qty: 5000, documentType: 'order', documentId: 'o' });
  return { db, ctx, shop, item, plain, bin1, bin2, quarantine, lotA, lotB, t0, t1 };
}

type Stock = Awaited<ReturnType<typeof stock>>;

function query(s: Stock, q: Partial<BalanceQuery>, sites: 'all' | string[] = 'all') {
  const ctx = { ...s.ctx, actor: { ...systemActor, sites: sites === 'all' ? ('all' as const) : new Set(sites) } };
  return listBalances(ctx, { groupBy: 'none', includeVirtual: false, limit: 50, ...q });
}

const line = (itemId: string, locationId: string | null, lotId: string, onHand: number, reserved: number | null): BalanceLine => ({ itemId, locationId, lotId, onHand, reserved });

describeEachDatabase('balances', (get) => {
  it('lists balances per item, location and lot, with what is promised, a page at a time', async () => {
    const s = await stock(get);
    const all = [
      line(s.item.id, s.bin1, s.lotA.id, 4000, 0),
      line(s.item.id, s.bin1, s.lotB.id, 6000, 0),
      line(s.item.id, s.bin2, s.lotA.id, 8000, 5000),
      line(s.item.id, s.quarantine.id, s.lotA.id, 1000, 0),
    ].sort((a, b) => (a.locationId! < b.locationId! ? -1 : a.locationId! > b.locationId! ? 1 : a.lotId < b.lotId ? -1 : 1));
    expect((await query(s, { itemId: s.item.id, locationId: s.shop.warehouse.id })).lines).toEqual(all);
    // One line a page: the cursor walks item, location and lot in order, and ends.
    const seen: BalanceLine[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 6; page += 1) {
      const result = await query(s, { itemId: s.item.id, locationId: s.shop.warehouse.id, limit: 1, cursor });
      seen.push(...result.lines);
      if (!result.nextCursor) break;
      expect(result.lines).toHaveLength(1);
      cursor = result.nextCursor;
    }
    expect(seen).toEqual(all);
    expect(await query(s, { itemId: s.item.id, locationId: s.shop.warehouse.id, limit: 4 })).toEqual({ lines: all, nextCursor: null });
    const cut = await query(s, { itemId: s.item.id, locationId: s.shop.warehouse.id, limit: 3 });
    expect(cut.nextCursor).toBe(encodeCursor([all[2]!.itemId, all[2]!.locationId!, all[2]!.lotId]));
  });

  it('sums per item, counts the virtual side only when asked or named, and leaves out what stands at zero', async () => {
    const s = await stock(get);
    expect((await query(s, { itemId: s.item.id, groupBy: 'item' })).lines).toEqual([line(s.item.id, null, '', 22_000, 5000)]);
    expect((await query(s, { itemId: s.item.id, groupBy: 'item', locationId: s.shop.store.id })).lines).toEqual([line(s.item.id, null, '', 3000, 0)]);
    // Vendor −23, customer +1 and the bins +22 make zero on hand, but 5 are promised: still a line.
    expect((await query(s, { itemId: s.item.id, groupBy: 'item', includeVirtual: true })).lines).toEqual([line(s.item.id, null, '', 0, 5000)]);
    expect((await query(s, { itemId: s.plain.id, groupBy: 'item', includeVirtual: true })).lines).toEqual([]);
    expect((await query(s, { itemId: s.item.id, locationId: vendor })).lines).toEqual([line(s.item.id, vendor, s.lotA.id, -17_000, 0), line(s.item.id, vendor, s.lotB.id, -6000, 0)]);
    expect((await query(s, { itemId: s.item.id, locationId: customer, groupBy: 'item' })).lines).toEqual([line(s.item.id, null, '', 1000, 0)]);
    const both = await query(s, { groupBy: 'item', locationId: s.shop.store.id });
    expect(both.lines).toEqual([line(s.item.id, null, '', 3000, 0), line(s.plain.id, null, '', 2000, 0)].sort((a, b) => a.itemId.localeCompare(b.itemId)));
    const first = await query(s, { groupBy: 'item', locationId: s.shop.store.id, limit: 1 });
    expect(first).toEqual({ lines: [both.lines[0]], nextCursor: encodeCursor([both.lines[0]!.itemId]) });
    expect(await query(s, { groupBy: 'item', locationId: s.shop.store.id, limit: 1, cursor: first.nextCursor! })).toEqual({ lines: [both.lines[1]], nextCursor: null });
  });

  it('shows only the sites the caller may see', async () => {
    const s = await stock(get);
    expect((await query(s, { itemId: s.item.id, groupBy: 'item' }, [s.shop.store.id])).lines).toEqual([line(s.item.id, null, '', 3000, 0)]);
    expect((await query(s, { itemId: s.item.id, groupBy: 'item' }, [])).lines).toEqual([]);
    expect((await query(s, { itemId: s.item.id, groupBy: 'item', asOf: s.t0 }, [s.shop.store.id])).lines).toEqual([]);
    expect((await query(s, { itemId: s.item.id, groupBy: 'item', asOf: s.t1 }, [s.shop.store.id])).lines).toEqual([line(s.item.id, null, '', 3000, null)]);
    expect((await query(s, { groupBy: 'item', asOf: s.t1 }, [s.shop.store.id])).lines).toEqual(
      [line(s.item.id, null, '', 3000, null), line(s.plain.id, null, '', 2000, null)].sort((a, b) => a.itemId.localeCompare(b.itemId)),
    );
  });

  it('answers as of a past instant per location and lot, without promises', async () => {
    const s = await stock(get);
    // At t0 bin 2 still held all 9 of lot A; the sale and the store receipt came at t1.
    expect((await query(s, { itemId: s.item.id, locationId: s.bin2, asOf: s.t0 })).lines).toEqual([line(s.item.id, s.bin2, s.lotA.id, 9000, null)]);
    expect((await query(s, { itemId: s.item.id, locationId: s.bin2, asOf: s.t1 })).lines).toEqual([line(s.item.id, s.bin2, s.lotA.id, 8000, null)]);
    expect((await query(s, { itemId: s.item.id, asOf: s.t0, groupBy: 'item' })).lines).toEqual([line(s.item.id, null, '', 20_000, null)]);
    expect((await query(s, { itemId: s.item.id, asOf: s.t0, groupBy: 'item', includeVirtual: true })).lines).toEqual([]);
    expect((await query(s, { itemId: s.item.id, locationId: customer, asOf: s.t0 })).lines).toEqual([]);
    expect((await query(s, { itemId: s.item.id, locationId: customer, asOf: s.t1 })).lines).toEqual([line(s.item.id, customer, s.lotA.id, 1000, null)]);
    // Per item over a site, page by page: only the items that had stock there then.
    // The item came to the store after t0: its page is empty, yet the plain item's follows or came first.
    const [first, second] = [s.item.id, s.plain.id].sort() as [string, string];
    const page1 = await query(s, { groupBy: 'item', locationId: s.shop.store.id, asOf: s.t0, limit: 1 });
    const page2 = await query(s, { groupBy: 'item', locationId: s.shop.store.id, asOf: s.t0, limit: 1, cursor: page1.nextCursor! });
    const plainLine = [line(s.plain.id, null, '', 2000, null)];
    expect(page1).toEqual({ lines: first === s.plain.id ? plainLine : [], nextCursor: encodeCursor([first]) });
    expect(page2).toEqual({ lines: second === s.plain.id ? plainLine : [], nextCursor: null });
    expect(await query(s, { groupBy: 'item', locationId: s.shop.store.id, asOf: s.t0, limit: 1, cursor: encodeCursor([second]) })).toEqual({ lines: [], nextCursor: null });
    expect(await query(s, { groupBy: 'item', locationId: s.shop.store.id, asOf: s.t1, limit: 2 })).toEqual({
      lines: [line(s.item.id, null, '', 3000, null), ...plainLine].sort((a, b) => a.itemId.localeCompare(b.itemId)),
      nextCursor: null,
    });
  });

  it('asks the daily snapshots first for a past instant per item at a site or everywhere', async () => {
    const s = await stock(get);
    snapshotQueries.length = 0;
    snapshotAnswer = { lines: [{ itemId: s.item.id, onHand: 123 }], nextAfter: s.item.id };
    try {
      expect(await query(s, { groupBy: 'item', asOf: s.t0, locationId: s.shop.warehouse.id, limit: 7 })).toEqual({ lines: [line(s.item.id, null, '', 123, null)], nextCursor: encodeCursor([s.item.id]) });
      expect(await query(s, { groupBy: 'item', asOf: s.t0, itemId: s.item.id, cursor: encodeCursor(['a']) })).toMatchObject({ nextCursor: encodeCursor([s.item.id]) });
      expect(await query(s, { groupBy: 'item', asOf: s.t0 }, [s.shop.store.id, s.shop.warehouse.id])).toMatchObject({ lines: [line(s.item.id, null, '', 123, null)] });
      expect(snapshotQueries).toEqual([
        { asOf: s.t0, sites: [s.shop.warehouse.id], itemId: undefined, after: undefined, limit: 7 },
        { asOf: s.t0, sites: 'all', itemId: s.item.id, after: 'a', limit: 50 },
        { asOf: s.t0, sites: [s.shop.store.id, s.shop.warehouse.id], itemId: undefined, after: undefined, limit: 50 },
      ]);
      snapshotAnswer = { lines: [], nextAfter: null };
      expect(await query(s, { groupBy: 'item', asOf: s.t0, locationId: s.shop.warehouse.id })).toEqual({ lines: [], nextCursor: null });
      // Not asked: a zone or a bin, per location, the virtual side, or now.
      snapshotQueries.length = 0;
      await query(s, { groupBy: 'item', asOf: s.t0, itemId: s.item.id, locationId: s.bin1 });
      await query(s, { groupBy: 'none', asOf: s.t0, itemId: s.item.id, locationId: s.shop.warehouse.id });
      await query(s, { groupBy: 'item', asOf: s.t0, itemId: s.item.id, includeVirtual: true });
      await query(s, { groupBy: 'item', itemId: s.item.id, locationId: s.shop.warehouse.id });
      const zone = (await s.db.kysely.selectFrom('locations').select('parent_id').where('id', '=', s.bin1).executeTakeFirstOrThrow()).parent_id!;
      expect((await query(s, { groupBy: 'item', asOf: s.t0, itemId: s.item.id, locationId: zone })).lines).toEqual([line(s.item.id, null, '', 19_000, null)]);
      expect(snapshotQueries).toEqual([]);
    } finally {
      snapshotAnswer = null;
    }
    // When the snapshots cannot answer, the ledger does.
    expect((await query(s, { groupBy: 'item', asOf: s.t0, itemId: s.item.id, locationId: s.shop.warehouse.id })).lines).toEqual([line(s.item.id, null, '', 20_000, null)]);
  });

  it('says whether an item has physical stock, and sums sellable stock per item', async () => {
    const s = await stock(get);
    const gone = await makeItem(s.ctx);
    await postMovements(s.ctx, { kind: 'receipt', documentType: 'test', documentId: 'g1', movements: [{ itemId: gone.id, fromLocationId: vendor, toLocationId: s.bin1, qty: 1000, unitCostMicros: 1 }] });
    expect(await hasPhysicalStock(s.db.kysely, gone.id)).toBe(true);
    await postMovements(s.ctx, { kind: 'sale', documentType: 'test', documentId: 'g2', movements: [{ itemId: gone.id, fromLocationId: s.bin1, toLocationId: customer, qty: 1000 }] });
    expect(await hasPhysicalStock(s.db.kysely, gone.id)).toBe(false);
    expect(await hasPhysicalStock(s.db.kysely, s.item.id)).toBe(true);

    // The quarantine bin's 1 is not for sale.
    expect(await onHandByItem(s.ctx, { locationId: s.shop.warehouse.id, itemIds: [s.item.id, s.plain.id] })).toEqual(new Map([[s.item.id, 18_000]]));
    expect(await onHandByItem(s.ctx, { locationId: s.shop.store.id })).toEqual(new Map([[s.item.id, 3000], [s.plain.id, 2000]]));
    expect(await onHandByItem(s.ctx, { itemIds: [s.item.id] })).toEqual(new Map([[s.item.id, 21_000]]));
    expect(await onHandByItem(s.ctx, { itemIds: [] })).toEqual(new Map());
  });

  it('takes back every movement after an instant, several at one shelf included', async () => {
    const s = await stock(get);
    const t2 = s.ctx.clock.now();
    // After t1 bin 1's lot B loses 1 and then 2 more, and gains 1 back at t2 + 3 s.
    for (const [qty, from, to] of [[1000, s.bin1, customer], [2000, s.bin1, customer], [1000, vendor, s.bin1]] as const) {
      s.ctx.clock.advance(1000);
      await postMovements(s.ctx, { kind: 'transfer', documentType: 'test', documentId: `later-${qty}-${to}`, movements: [{ itemId: s.item.id, lotId: s.lotB.id, fromLocationId: from, toLocationId: to, qty, unitCostMicros: from === vendor ? 1_000_000 : undefined }] });
    }
    const at = (when: number) => ({ itemId: s.item.id, locationId: s.bin1, lotId: s.lotB.id, at: when });
    expect(await balancesAtInstants(s.db.kysely, [at(t2), at(t2 + 1000), at(t2 + 2000), at(t2 + 3000)])).toEqual([6000, 5000, 3000, 4000]);
  });

  it('answers balances at many instants at once; a movement at the very instant is already in', async () => {
    const s = await stock(get);
    const at = (itemId: string, locationId: string, lotId: string, when: number) => ({ itemId, locationId, lotId, at: when });
    expect(
      await balancesAtInstants(s.db.kysely, [
        at(s.item.id, s.bin2, s.lotA.id, s.t0),
        at(s.item.id, s.bin2, s.lotA.id, s.t1),
        at(s.item.id, s.bin2, s.lotA.id, s.t1 - 1),
        at(s.item.id, s.shop.storeBin, s.lotA.id, s.t0),
        at(s.item.id, s.shop.storeBin, s.lotA.id, s.t1),
        at(s.item.id, s.bin1, s.lotB.id, s.t0),
        at(s.plain.id, s.shop.storeBin, '', s.t0),
        at(s.item.id, s.bin2, s.lotB.id, s.t1),
        at(s.item.id, customer, s.lotA.id, s.t0 - 1),
      ]),
    ).toEqual([9000, 8000, 9000, 0, 3000, 6000, 2000, 0, 0]);
    expect(await balancesAtInstants(s.db.kysely, [])).toEqual([]);
  });
});

describeEachDatabase('balances: a zone', (get) => {
  it('answers a caller limited to a site about a zone of it', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const zone = await createLocation(ctx, { kind: 'zone', parent_id: shop.warehouse.id, code: 'Z', name: 'Zone' });
    const bin = await createLocation(ctx, { kind: 'bin', parent_id: zone.id, code: 'Z1', name: 'Z1' });
    await postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: 'in', movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: bin.id, qty: 3000, unitCostMicros: 1_000_000 }, { itemId: item.id, fromLocationId: vendor, toLocationId: shop.warehouseBins[0]!, qty: 1000, unitCostMicros: 1_000_000 }] });
    const limited = { ...ctx, actor: { ...systemActor, sites: new Set([shop.warehouse.id]) } };
    const page = await listBalances(limited, { locationId: zone.id, groupBy: 'none', includeVirtual: false, limit: 10 });
    expect(page.lines).toEqual([line(item.id, bin.id, '', 3000, 0)]);
  });

  it('answers about a virtual location when asked for it by id', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: 'in', movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: shop.storeBin, qty: 3000, unitCostMicros: 1_000_000 }] });
    await postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: 'out', movements: [{ itemId: item.id, fromLocationId: shop.storeBin, toLocationId: customer, qty: 1000 }] });
    const page = await listBalances(ctx, { itemId: item.id, locationId: customer, groupBy: 'none', includeVirtual: false, limit: 10 });
    expect(page.lines).toEqual([line(item.id, customer, '', 1000, 0)]);
  });
});
