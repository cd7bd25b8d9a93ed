import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { applyLandedCosts, checkLedger, listMovements, postMovements, revalueItems } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { inventoryValuation } from '../reports/index.ts';
import { getItemCosts } from './cost-layers.service.ts';

const { vendor, customer, transit } = VIRTUAL_LOCATION_IDS;
const u = (n: number) => Math.round(n * 1000);
const $ = (n: number) => Math.round(n * 1_000_000);

describeEachDatabase('costing', (get) => {
  const setup = async (method: 'fifo' | 'average' = 'fifo') => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { costing_method: method });
    const receive = (qty: number, cost: number, at?: number, to = shop.warehouseBins[0]!) =>
      postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'rcpt', effectiveAt: at, movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: to, qty: u(qty), unitCostMicros: $(cost) }] });
    const sell = (qty: number, from = shop.warehouseBins[0]!) =>
      postMovements(ctx, { kind: 'sale', documentType: 'test', documentId: 'sale', movements: [{ itemId: item.id, fromLocationId: from, toLocationId: customer, qty: u(qty) }] });
    const valueOf = async (posted: { movements: Array<{ id: string }> }) => {
      const rows = await listMovements(ctx, { itemId: item.id, limit: 500 });
      return rows.lines.find((l) => l.id === posted.movements[0]!.id)!.value_micros;
    };
    const healthy = async () => expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
    return { ctx, shop, item, receive, sell, valueOf, healthy };
  };

  it('records FIFO cost of goods sold on the sale and keeps the rest in layers', async () => {
    const { ctx, item, receive, sell, valueOf, healthy } = await setup();
    await receive(10, 1.0);
    ctx.clock.advance(1000);
    await receive(10, 1.5);
    ctx.clock.advance(1000);
    const sale = await sell(15);
    expect(await valueOf(sale)).toBe($(17.5));
    const costs = await getItemCosts(ctx, item.id, 'fifo');
    expect([costs.qty, costs.value, costs.unitCost]).toEqual([u(5), $(7.5), $(1.5)]);
    expect(costs.layers).toHaveLength(1);
    await healthy();
  });

  it('draws an average item at its running average', async () => {
    const { ctx, item, receive, sell, valueOf, healthy } = await setup('average');
    await receive(10, 1.0);
    ctx.clock.advance(1000);
    await receive(10, 1.5);
    ctx.clock.advance(1000);
    expect(await valueOf(await sell(15))).toBe($(18.75));
    expect((await getItemCosts(ctx, item.id, 'average')).value).toBe($(6.25));
    await healthy();
  });

  it('moves stock between bins and through transit without changing its value', async () => {
    const { ctx, shop, item, receive, healthy } = await setup();
    await receive(4, 2.0);
    await postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: 'tr', movements: [{ itemId: item.id, fromLocationId: shop.warehouseBins[0]!, toLocationId: transit, qty: u(4) }] });
    await postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: 'tr', movements: [{ itemId: item.id, fromLocationId: transit, toLocationId: shop.storeBin, qty: u(4) }] });
    expect((await getItemCosts(ctx, item.id, 'fifo')).value).toBe($(8));
    const moves = await listMovements(ctx, { itemId: item.id, documentId: 'tr', limit: 10 });
    expect(moves.lines.map((m) => m.value_micros)).toEqual([null, null]);
    await healthy();
  });

  it('re-costs a sale when a receipt is back-dated before it, touching only that item', async () => {
    const { ctx, item, receive, sell, valueOf, healthy } = await setup();
    const other = await setup();
    const start = ctx.clock.now();
    ctx.clock.advance(60_000);
    await receive(10, 1.0);
    await other.receive(1, 9.0);
    ctx.clock.advance(1000);
    await receive(10, 2.0);
    ctx.clock.advance(1000);
    const sale = await sell(15);
    expect(await valueOf(sale)).toBe($(10 + 10));
    ctx.clock.advance(1000);
    // The forgotten delivery: 10 at 0.50, received before everything else.
    await receive(10, 0.5, start);
    // FIFO now draws the older cheap layer first: 10 × 0.50 + 5 × 1.00.
    expect(await valueOf(sale)).toBe($(10));
    const costs = await getItemCosts(ctx, item.id, 'fifo');
    expect([costs.qty, costs.value]).toEqual([u(15), $(25)]);
    expect((await getItemCosts(other.ctx, other.item.id, 'fifo')).value).toBe($(9));
    expect(await revalueItems(ctx, [item.id])).toBe(0);
    await healthy();
  });

  it('raises the cost of a layer by its landed cost, re-costing what was already sold from it', async () => {
    const { ctx, item, receive, sell, valueOf, healthy } = await setup();
    const receipt = await receive(10, 1.0);
    ctx.clock.advance(1000);
    const sale = await sell(4);
    expect(await valueOf(sale)).toBe($(4));
    await applyLandedCosts(ctx, [{ movementId: receipt.movements[0]!.id, micros: $(2) }]);
    expect(await valueOf(sale)).toBe($(4.8));
    expect(await valueOf(receipt)).toBe($(12));
    expect((await getItemCosts(ctx, item.id, 'fifo')).value).toBe($(7.2));
    await healthy();
  });

  it('values a store sale of unrecorded stock at the last cost, then settles it at the next receipt’s cost', async () => {
    const { ctx, shop, item, receive, sell, valueOf, healthy } = await setup();
    await receive(1, 2.0, undefined, shop.storeBin);
    ctx.clock.advance(1000);
    await sell(1, shop.storeBin);
    const early = await sell(3, shop.storeBin);
    expect(await valueOf(early)).toBe($(6));
    expect((await getItemCosts(ctx, item.id, 'fifo')).shortfall).toEqual({ qty: u(3), value: $(6) });
    await healthy();
    ctx.clock.advance(1000);
    await receive(10, 2.5, undefined, shop.storeBin);
    expect(await valueOf(early)).toBe($(7.5));
    const costs = await getItemCosts(ctx, item.id, 'fifo');
    expect([costs.qty, costs.value, costs.shortfall.qty]).toEqual([u(7), $(17.5), 0]);
    await healthy();
  });

  it('values the inventory now and as of a past instant', async () => {
    const { ctx, shop, item, receive, sell } = await setup();
    await receive(10, 1.0);
    ctx.clock.advance(1000);
    const before = ctx.clock.now();
    ctx.clock.advance(1000);
    await sell(4);
    const now = await inventoryValuation(ctx, { locationId: shop.warehouse.id });
    expect(now.lines.find((l) => l.itemId === item.id)).toMatchObject({ qty: u(6), value: $(6), unitCost: $(1) });
    const then = await inventoryValuation(ctx, { asOf: before });
    expect(then.lines.find((l) => l.itemId === item.id)).toMatchObject({ qty: u(10), value: $(10) });
  });

  it('keeps costs exact when two tills sell the same item at once', async () => {
    const { ctx, shop, item, receive, healthy } = await setup();
    await receive(20, 1.25, undefined, shop.storeBin);
    const other = get().dialect === 'postgres' ? serviceContext(await get().openAnother()) : ctx;
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        postMovements(i % 2 ? ctx : other, { kind: 'sale', documentType: 'test', documentId: `c${i}`, movements: [{ itemId: item.id, fromLocationId: shop.storeBin, toLocationId: customer, qty: u(1) }] }),
      ),
    );
    const costs = await getItemCosts(ctx, item.id, 'fifo');
    expect([costs.qty, costs.value, costs.shortfall.qty]).toEqual([u(-4), $(-5), u(4)]);
    await healthy();
  });
});
