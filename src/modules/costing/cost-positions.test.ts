import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import type { Actor } from '../../platform/context.ts';
import { newId } from '../../platform/ids.ts';
import { postMovements } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { currentUnitCosts, getItemCosts, listItemCostTotals, listLotCostTotals } from './cost-layers.service.ts';

const { vendor, customer } = VIRTUAL_LOCATION_IDS;
const u = (n: number) => Math.round(n * 1000);
const $ = (n: number) => Math.round(n * 1_000_000);

/*
 * An item's cost position as each reader sees it: the whole item, someone granted one site, the
 * totals of every item, the current unit costs a transfer records, and the totals per lot. Every
 * figure is worked by hand beside it.
 */
describeEachDatabase('cost positions', (get) => {
  const setup = async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const post = async (kind: 'receipt' | 'sale', itemId: string, at: string, qty: number, cost?: number, lotId?: string) => {
      ctx.clock.advance(1000);
      const [from, to] = kind === 'receipt' ? [vendor, at] : [at, customer];
      const posted = await postMovements(ctx, { kind, documentType: 'test', documentId: kind, movements: [{ itemId, ...(lotId ? { lotId } : {}), fromLocationId: from, toLocationId: to, qty: u(qty), unitCostMicros: cost === undefined ? null : $(cost) }] });
      return posted.movements[0]!;
    };
    const as = (sites: string[]) => serviceContext(get().db, ctx.clock, { kind: 'user', id: 'usr_costs', label: 'costs', role: 'manager', sites: new Set(sites) } satisfies Actor);
    return { ctx, shop, post, as };
  };

  it('shows someone granted one site the stock there at the item’s unit cost, and only the layers received there', async () => {
    const { ctx, shop, post, as } = await setup();
    const item = await makeItem(ctx);
    const inWarehouse = await post('receipt', item.id, shop.warehouseBins[0]!, 10, 1.0);
    const inStore = await post('receipt', item.id, shop.storeBin, 4, 2.0);
    // 10 × 1.00 + 4 × 2.00 = 18.00 for 14: 1.285714… a unit, to the micro 1.285714.
    const whole = await getItemCosts(ctx, item.id, 'fifo');
    expect([whole.qty, whole.value, whole.unitCost, whole.lastUnitCost]).toEqual([u(14), $(18), 1_285_714, $(2)]);
    expect(whole.layers.map((l) => [l.movementId, l.qtyRemaining, l.valueRemaining])).toEqual([
      [inWarehouse.id, u(10), $(10)],
      [inStore.id, u(4), $(8)],
    ]);
    const store = await getItemCosts(as([shop.store.id]), item.id, 'fifo');
    // 4 at the store × 1.285714 = 5.142856.
    expect([store.qty, store.value, store.unitCost, store.shortfall]).toEqual([u(4), 5_142_856, 1_285_714, { qty: 0, value: 0 }]);
    expect(store.layers.map((l) => l.movementId)).toEqual([inStore.id]);
    const warehouse = await getItemCosts(as([shop.warehouse.id]), item.id, 'fifo');
    // 10 × 1.285714 = 12.85714.
    expect([warehouse.qty, warehouse.value]).toEqual([u(10), 12_857_140]);
    expect(warehouse.layers.map((l) => l.movementId)).toEqual([inWarehouse.id]);
    expect((await getItemCosts(as([]), item.id, 'fifo')).layers).toEqual([]);
  });

  it('shows a shortfall to the site where the stock was sold, and totals every item less its shortfall', async () => {
    const { ctx, shop, post, as } = await setup();
    const item = await makeItem(ctx);
    await post('receipt', item.id, shop.storeBin, 1, 4.0);
    const sale = await post('sale', item.id, shop.storeBin, 3);
    // 1 drawn at 4.00, 2 short at the last cost, 4.00: 12.00.
    expect(sale.value_micros).toBe($(12));
    const whole = await getItemCosts(ctx, item.id, 'fifo');
    expect([whole.qty, whole.value, whole.unitCost, whole.shortfall, whole.layers]).toEqual([u(-2), $(-8), $(4), { qty: u(2), value: $(8) }, []]);
    const store = await getItemCosts(as([shop.store.id]), item.id, 'fifo');
    expect([store.qty, store.value, store.shortfall]).toEqual([u(-2), $(-8), { qty: u(2), value: $(8) }]);
    const warehouse = await getItemCosts(as([shop.warehouse.id]), item.id, 'fifo');
    expect([warehouse.qty, warehouse.value, warehouse.shortfall]).toEqual([0, 0, { qty: 0, value: 0 }]);

    const other = await makeItem(ctx, { costing_method: 'average' });
    await post('receipt', other.id, shop.warehouseBins[0]!, 3, 1.0);
    await post('receipt', other.id, shop.warehouseBins[0]!, 1, 3.0);
    const never = await makeItem(ctx);
    const totals = await listItemCostTotals(ctx);
    expect(totals.get(item.id)).toEqual({ qty: u(-2), value: $(-8), lastUnitCost: $(4) });
    // 3 × 1.00 + 1 × 3.00 = 6.00 for 4; the last cost is the last receipt's, 3.00.
    expect(totals.get(other.id)).toEqual({ qty: u(4), value: $(6), lastUnitCost: $(3) });
    expect(totals.has(never.id)).toBe(false);

    // What a transfer records: owned value over owned quantity, or the last cost when none is owned.
    const costs = await currentUnitCosts(get().db.kysely, [other.id, item.id, other.id, never.id]);
    expect(Object.fromEntries(costs)).toEqual({ [other.id]: $(1.5), [item.id]: $(4), [never.id]: 0 });
    expect(await currentUnitCosts(get().db.kysely, [])).toEqual(new Map());

    // Sold out: no quantity to divide by, so the unit cost is the last one paid.
    const soldOut = await makeItem(ctx);
    await post('receipt', soldOut.id, shop.warehouseBins[0]!, 2, 3.0);
    await post('sale', soldOut.id, shop.warehouseBins[0]!, 2);
    const out = await getItemCosts(ctx, soldOut.id, 'fifo');
    expect([out.qty, out.value, out.unitCost, out.lastUnitCost]).toEqual([0, 0, $(3), $(3)]);
    expect((await currentUnitCosts(get().db.kysely, [soldOut.id])).get(soldOut.id)).toBe($(3));
    // Never costed: no cost row at all.
    const nothing = await getItemCosts(ctx, never.id, 'average');
    expect(nothing).toEqual({ itemId: never.id, method: 'average', qty: 0, value: 0, unitCost: 0, lastUnitCost: 0, shortfall: { qty: 0, value: 0 }, layers: [] });
  });

  it('totals each lot of a FIFO item as its open layers less what was sold of it unrecorded, and leaves average items out', async () => {
    const { ctx, shop, post } = await setup();
    const item = await makeItem(ctx, { tracking: 'lot' });
    const averaged = await makeItem(ctx, { tracking: 'lot', costing_method: 'average' });
    const plain = await makeItem(ctx);
    const lot = { A: newId('lot'), B: newId('lot'), C: newId('lot') };
    await get()
      .db.kysely.insertInto('lots')
      .values([
        { id: lot.A, item_id: item.id, code: 'A', kind: 'lot' as const, expires_on: null, created_at: ctx.clock.now() },
        { id: lot.B, item_id: item.id, code: 'B', kind: 'lot' as const, expires_on: null, created_at: ctx.clock.now() },
        { id: lot.C, item_id: averaged.id, code: 'C', kind: 'lot' as const, expires_on: null, created_at: ctx.clock.now() },
      ])
      .execute();
    await post('receipt', item.id, shop.storeBin, 3, 1.4, lot.A);
    await post('receipt', item.id, shop.storeBin, 5, 1.6, lot.B);
    // 7 of lot B: its 5 (8.00), then 2 short at the last cost, 1.60 (3.20).
    expect((await post('sale', item.id, shop.storeBin, 7, undefined, lot.B)).value_micros).toBe($(11.2));
    await post('receipt', averaged.id, shop.storeBin, 2, 5.0, lot.C);
    await post('receipt', plain.id, shop.storeBin, 2, 2.5);
    // Lot A owns 3 (4.20), lot B is 2 short (3.20): the item owns 1 worth 1.00, 1.00 a unit.
    const whole = await getItemCosts(ctx, item.id, 'fifo');
    expect([whole.qty, whole.value, whole.unitCost, whole.shortfall]).toEqual([u(1), $(1), $(1), { qty: u(2), value: $(3.2) }]);
    expect((await currentUnitCosts(get().db.kysely, [item.id])).get(item.id)).toBe($(1));
    const mine = new Set([item.id, averaged.id, plain.id]);
    const totals = (await listLotCostTotals(get().db.kysely)).filter((t) => mine.has(t.itemId));
    const key = (t: { itemId: string; lotId: string }) => `${t.itemId}/${t.lotId}`;
    expect(totals.sort((a, b) => (key(a) < key(b) ? -1 : 1))).toEqual(
      [
        { itemId: item.id, lotId: lot.A, qty: u(3), value: $(4.2) },
        { itemId: item.id, lotId: lot.B, qty: u(-2), value: $(-3.2) },
        { itemId: plain.id, lotId: '', qty: u(2), value: $(5) },
      ].sort((a, b) => (key(a) < key(b) ? -1 : 1)),
    );
  });
});
