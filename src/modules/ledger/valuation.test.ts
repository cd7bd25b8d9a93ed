import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext, type TestDatabase } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { ManualClock } from '../../platform/clock.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import {
  applyLandedCosts,
  findOrCreateLot,
  movementValueByHour,
  onMovementCostsRewritten,
  ownedStockByLot,
  postMovements,
  readValuedHistory,
  revalueItems,
  valuedChangesByHour,
  valuedChangesSince,
  valuedChangesSinceByLot,
} from './index.ts';

const { customer, transit, vendor } = VIRTUAL_LOCATION_IDS;
const HOUR = 3_600_000;

/**
 * Each test starts its clock at its own hour, later than the tests before it, so what a query
 * over "everything since" finds is this test's stock alone (one database per file).
 */
let epochs = 0;
const nextEpoch = () => Date.UTC(2030, 0, 1 + (epochs += 1), 10);

/**
 * 10 units in at 2.00 and 2 more at 2.00 in the same instant (bin 1); 4 sent on through transit,
 * 3 of them arriving at bin 2 an hour later; 3 sold from bin 2 two hours after the start.
 * Owned stock at the end: 12 − 3 = 9 (one of them still in transit), worth 18.00 (FIFO at 2.00).
 */
async function history(get: () => TestDatabase) {
  const t0 = nextEpoch();
  const ctx = serviceContext(get().db, new ManualClock(t0));
  const shop = await makeShop(ctx);
  const item = await makeItem(ctx);
  const [bin1, bin2] = shop.warehouseBins as [string, string];
  const post = (kind: 'receipt' | 'transfer' | 'sale', from: string, to: string, qty: number, unitCostMicros?: number) =>
    postMovements(ctx, { kind, documentType: 'test', documentId: `${kind}-${from}-${to}-${qty}`, movements: [{ itemId: item.id, fromLocationId: from, toLocationId: to, qty, unitCostMicros }] });
  const receipt = (await post('receipt', vendor, bin1, 10_000, 2_000_000)).movements[0]!;
  const second = (await post('receipt', vendor, bin1, 2000, 2_000_000)).movements[0]!;
  await post('transfer', bin1, transit, 4000);
  ctx.clock.advance(HOUR);
  await post('transfer', transit, bin2, 3000);
  ctx.clock.advance(HOUR);
  const sale = (await post('sale', bin2, customer, 3000)).movements[0]!;
  return { ctx, t0, shop, item, bin1, bin2, receipt, second, sale };
}

describeEachDatabase('valuation', (get) => {
  it('reads an item’s valued history: what crossed into owned stock and out, not moves within it', async () => {
    const h = await history(get);
    const read = (after?: { effectiveAt: number; id: string }) => get().db.kysely.transaction().execute((trx) => readValuedHistory(trx, h.item.id, after));
    const inbound = (m: typeof h.receipt, qty: number) => ({ id: m.id, lotId: '', effectiveAt: h.t0, qty, direction: 'in', valueMicros: qty * 2000, unitCostMicros: 2_000_000 });
    const out = { id: h.sale.id, lotId: '', effectiveAt: h.t0 + 2 * HOUR, qty: 3000, direction: 'out', valueMicros: 6_000_000, unitCostMicros: 2_000_000 };
    expect(await read()).toEqual([inbound(h.receipt, 10_000), inbound(h.second, 2000), out]);
    // After a movement: the same instant counts only for later ids; each comes with what its document said stock coming in cost.
    const outAfter = { ...out, input: null };
    expect(await read({ effectiveAt: h.t0, id: h.receipt.id })).toEqual([{ ...inbound(h.second, 2000), input: { unitCostMicros: 2_000_000, landedMicros: 0 } }, outAfter]);
    expect(await read({ effectiveAt: h.t0, id: h.second.id })).toEqual([outAfter]);
    expect(await read({ effectiveAt: h.t0 + HOUR, id: '' })).toEqual([outAfter]);
  });

  it('nets what crossed into owned stock since an instant, per item and per lot', async () => {
    const h = await history(get);
    expect((await valuedChangesSince(get().db.kysely, h.t0 - 1)).get(h.item.id)).toEqual({ qty: 9000, value: 18_000_000 });
    // The receipts at t0 itself are already in a balance as of t0.
    expect((await valuedChangesSince(get().db.kysely, h.t0)).get(h.item.id)).toEqual({ qty: -3000, value: -6_000_000 });
    expect((await valuedChangesSince(get().db.kysely, h.t0 + 2 * HOUR)).has(h.item.id)).toBe(false);
    const byLot = async (asOf: number) => (await valuedChangesSinceByLot(get().db.kysely, asOf)).filter((c) => c.itemId === h.item.id);
    expect(await byLot(h.t0 - 1)).toEqual([{ itemId: h.item.id, lotId: '', qty: 9000, value: 18_000_000 }]);
    expect(await byLot(h.t0)).toEqual([{ itemId: h.item.id, lotId: '', qty: -3000, value: -6_000_000 }]);
    expect(await byLot(h.t0 + 2 * HOUR)).toEqual([]);
  });

  it('keeps lots apart, and counts goods in transit as owned', async () => {
    const t0 = nextEpoch();
    const ctx = serviceContext(get().db, new ManualClock(t0));
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { tracking: 'lot' });
    const lot = (code: string) => get().db.kysely.transaction().execute((trx) => findOrCreateLot(trx, item.id, 'lot', { code }, t0));
    const [a, b] = [await lot('A'), await lot('B')];
    const bin = shop.warehouseBins[0]!;
    const move = (kind: 'receipt' | 'transfer' | 'sale', lotId: string, from: string, to: string, qty: number, unitCostMicros?: number) =>
      postMovements(ctx, { kind, documentType: 'test', documentId: `${kind}-${lotId}-${qty}`, movements: [{ itemId: item.id, lotId, fromLocationId: from, toLocationId: to, qty, unitCostMicros }] });
    await move('receipt', a.id, vendor, bin, 5000, 1_000_000);
    await move('receipt', b.id, vendor, bin, 2000, 3_000_000);
    await move('transfer', b.id, bin, transit, 500);
    await move('sale', a.id, bin, customer, 1000);
    const ours = <T extends { itemId: string; lotId: string }>(rows: T[]) => rows.filter((r) => r.itemId === item.id).sort((x, y) => x.lotId.localeCompare(y.lotId));
    expect(ours(await ownedStockByLot(get().db.kysely))).toEqual(ours([
      { itemId: item.id, lotId: a.id, qty: 4000 },
      { itemId: item.id, lotId: b.id, qty: 2000 },
    ]));
    expect(ours(await valuedChangesSinceByLot(get().db.kysely, t0 - 1))).toEqual(ours([
      { itemId: item.id, lotId: a.id, qty: 4000, value: 4_000_000 },
      { itemId: item.id, lotId: b.id, qty: 2000, value: 6_000_000 },
    ]));
  });

  it('adds up value per hour: what crossed into owned stock, and what one kind of movement took out', async () => {
    const h = await history(get);
    const hour0 = Math.floor(h.t0 / HOUR);
    // This test's stock is the latest in the database, so "since" finds nothing else. The hour
    // of the move out of transit into a bin has a line of its own, worth nothing.
    expect(await valuedChangesByHour(get().db.kysely, h.t0 - 1)).toEqual(new Map([
      [hour0, 24_000_000],
      [hour0 + 1, 0],
      [hour0 + 2, -6_000_000],
    ]));
    expect(await valuedChangesByHour(get().db.kysely, h.t0)).toEqual(new Map([
      [hour0 + 1, 0],
      [hour0 + 2, -6_000_000],
    ]));
    const sales = (options: { from: number; to: number; fromLocationIds?: string[] }) => movementValueByHour(get().db.kysely, { kind: 'sale', ...options });
    const saleAt = h.t0 + 2 * HOUR;
    expect(await sales({ from: saleAt, to: saleAt + 1 })).toEqual(new Map([[hour0 + 2, 6_000_000]]));
    expect(await sales({ from: saleAt + 1, to: saleAt + HOUR })).toEqual(new Map());
    expect(await sales({ from: h.t0, to: saleAt })).toEqual(new Map());
    expect(await sales({ from: h.t0, to: saleAt + 1, fromLocationIds: [h.bin2] })).toEqual(new Map([[hour0 + 2, 6_000_000]]));
    expect(await sales({ from: h.t0, to: saleAt + 1, fromLocationIds: [h.bin1] })).toEqual(new Map());
    expect(await sales({ from: h.t0, to: saleAt + 1, fromLocationIds: [] })).toEqual(new Map());
    expect(await movementValueByHour(get().db.kysely, { kind: 'receipt', from: h.t0, to: saleAt })).toEqual(new Map([[hour0, 24_000_000]]));
  });

  it('revalues an item from its history, and landed costs raise what came in and what was drawn from it', async () => {
    const h = await history(get);
    const rewritten: string[][] = [];
    onMovementCostsRewritten(async (_trx, ids) => {
      rewritten.push([...ids].sort());
    });
    const costOf = async (id: string) => get().db.kysely.selectFrom('movements').select(['unit_cost_micros', 'value_micros']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(await revalueItems(h.ctx, [h.item.id])).toBe(0);
    await get().db.kysely.updateTable('movements').set({ value_micros: 1, unit_cost_micros: 1 }).where('id', '=', h.sale.id).execute();
    expect(await revalueItems(h.ctx, [h.item.id, h.item.id])).toBe(1);
    expect(await costOf(h.sale.id)).toEqual({ unit_cost_micros: 2_000_000, value_micros: 6_000_000 });
    expect(rewritten).toEqual([[h.sale.id]]);

    // 1.20 of freight on the 10 units: 2.12 each; the 3 sold (FIFO, from those 10) cost 6.36.
    await applyLandedCosts(h.ctx, [
      { movementId: h.receipt.id, micros: 1_200_000 },
      { movementId: h.second.id, micros: 0 },
    ]);
    expect(await costOf(h.receipt.id)).toEqual({ unit_cost_micros: 2_120_000, value_micros: 21_200_000 });
    expect(await costOf(h.second.id)).toEqual({ unit_cost_micros: 2_000_000, value_micros: 4_000_000 });
    expect(await costOf(h.sale.id)).toEqual({ unit_cost_micros: 2_120_000, value_micros: 6_360_000 });
    expect(rewritten).toHaveLength(2);
    expect(rewritten[1]).toEqual([h.receipt.id, h.sale.id].sort());
    await expect(revalueItems(h.ctx, ['itm_missing'])).rejects.toThrow('costing: no item itm_missing');
  });
});
