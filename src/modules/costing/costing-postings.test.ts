import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { newId } from '../../platform/ids.ts';
import { applyLandedCosts, postMovements, type MovementInput } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { getItemCosts } from './cost-layers.service.ts';

const { vendor, customer } = VIRTUAL_LOCATION_IDS;
const u = (n: number) => Math.round(n * 1000);
const $ = (n: number) => Math.round(n * 1_000_000);

/*
 * Postings the incremental path values in ways a one-item, one-layer test does not reach: a sale
 * that needs more layers than one read brings (16), a posting drawing several items or lots at
 * once, one receipt settling several shortfalls, and landed cost given at posting. Every figure is
 * worked by hand beside it.
 */
describeEachDatabase('costing postings', (get) => {
  const setup = async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const post = async (kind: 'receipt' | 'sale', movements: Array<Omit<MovementInput, 'fromLocationId' | 'toLocationId'> & { at: string }>, effectiveAt?: number) => {
      ctx.clock.advance(1000);
      const posted = await postMovements(ctx, {
        kind,
        documentType: 'test',
        documentId: kind,
        effectiveAt,
        movements: movements.map(({ at, ...m }) => ({ ...m, fromLocationId: kind === 'receipt' ? vendor : at, toLocationId: kind === 'receipt' ? at : customer })),
      });
      return posted.movements;
    };
    const stored = async (ids: string[]) => {
      const rows = await get().db.kysely.selectFrom('movements').select(['id', 'value_micros', 'unit_cost_micros']).where('id', 'in', ids).execute();
      return ids.map((id) => {
        const row = rows.find((r) => r.id === id)!;
        return [row.value_micros, row.unit_cost_micros];
      });
    };
    return { ctx, shop, post, stored };
  };

  it('draws a sale from more layers than one read brings, oldest first', async () => {
    const { ctx, shop, post } = await setup();
    const item = await makeItem(ctx);
    const bin = shop.warehouseBins[0]!;
    for (let cost = 1; cost <= 20; cost += 1) await post('receipt', [{ itemId: item.id, at: bin, qty: u(1), unitCostMicros: $(cost) }]);
    // 18 of the 20 layers: 1 + 2 + … + 18 = 171.00, 9.50 a unit.
    const [sale] = await post('sale', [{ itemId: item.id, at: bin, qty: u(18) }]);
    expect([sale!.value_micros, sale!.unit_cost_micros]).toEqual([$(171), $(9.5)]);
    const costs = await getItemCosts(ctx, item.id, 'fifo');
    expect([costs.qty, costs.value, costs.shortfall.qty]).toEqual([u(2), $(19 + 20), 0]);
  });

  it('values each item and each lot of one posting from its own layers', async () => {
    const { ctx, shop, post } = await setup();
    const bin = shop.warehouseBins[0]!;
    const x = await makeItem(ctx);
    const y = await makeItem(ctx);
    await post('receipt', [{ itemId: x.id, at: bin, qty: u(2), unitCostMicros: $(1) }]);
    await post('receipt', [{ itemId: x.id, at: bin, qty: u(2), unitCostMicros: $(2) }]);
    await post('receipt', [{ itemId: y.id, at: bin, qty: u(3), unitCostMicros: $(5) }]);
    const [saleX, saleY] = await post('sale', [
      { itemId: x.id, at: bin, qty: u(3) },
      { itemId: y.id, at: bin, qty: u(1) },
    ]);
    // X: 2 × 1.00 + 1 × 2.00 = 4.00; Y: 1 × 5.00.
    expect([saleX!.value_micros, saleY!.value_micros]).toEqual([$(4), $(5)]);

    const lotted = await makeItem(ctx, { tracking: 'lot' });
    const lot = { A: newId('lot'), B: newId('lot') };
    await get()
      .db.kysely.insertInto('lots')
      .values(Object.entries(lot).map(([code, id]) => ({ id, item_id: lotted.id, code, kind: 'lot' as const, expires_on: null, created_at: ctx.clock.now() })))
      .execute();
    await post('receipt', [{ itemId: lotted.id, lotId: lot.A, at: bin, qty: u(2), unitCostMicros: $(1) }]);
    await post('receipt', [{ itemId: lotted.id, lotId: lot.B, at: bin, qty: u(2), unitCostMicros: $(3) }]);
    await post('receipt', [{ itemId: lotted.id, lotId: lot.A, at: bin, qty: u(1), unitCostMicros: $(2) }]);
    const [saleB, saleA] = await post('sale', [
      { itemId: lotted.id, lotId: lot.B, at: bin, qty: u(1) },
      { itemId: lotted.id, lotId: lot.A, at: bin, qty: u(3) },
    ]);
    // Lot B: 1 × 3.00; lot A: 2 × 1.00 + 1 × 2.00 = 4.00 (the older lot A layer first, never lot B's).
    expect([saleB!.value_micros, saleA!.value_micros]).toEqual([$(3), $(4)]);
    expect((await getItemCosts(ctx, lotted.id, 'fifo')).layers.map((l) => [l.lotId, l.qtyRemaining, l.valueRemaining])).toEqual([[lot.B, u(1), $(3)]]);
  });

  it('settles two earlier shortfalls with one receipt, oldest first, and re-costs both sales', async () => {
    const { ctx, shop, post, stored } = await setup();
    const item = await makeItem(ctx);
    const bin = shop.storeBin;
    await post('receipt', [{ itemId: item.id, at: bin, qty: u(1), unitCostMicros: $(2) }]);
    const [first] = await post('sale', [{ itemId: item.id, at: bin, qty: u(2) }]); // 1 at 2.00, 1 short at 2.00: 4.00
    const [second] = await post('sale', [{ itemId: item.id, at: bin, qty: u(3) }]); // 3 short at 2.00: 6.00
    expect(await stored([first!.id, second!.id])).toEqual([
      [$(4), $(2)],
      [$(6), $(2)],
    ]);
    await post('receipt', [{ itemId: item.id, at: bin, qty: u(10), unitCostMicros: $(3) }]);
    // First: 1 × 2.00 + 1 × 3.00 = 5.00, 2.50 a unit; second: 3 × 3.00 = 9.00, 3.00 a unit.
    expect(await stored([first!.id, second!.id])).toEqual([
      [$(5), $(2.5)],
      [$(9), $(3)],
    ]);
    const costs = await getItemCosts(ctx, item.id, 'fifo');
    expect([costs.qty, costs.value, costs.shortfall]).toEqual([u(6), $(18), { qty: 0, value: 0 }]);
  });

  it('keeps the landed cost given at posting, also when a back-dated receipt replays the item', async () => {
    const { ctx, shop, post, stored } = await setup();
    const item = await makeItem(ctx);
    const bin = shop.warehouseBins[0]!;
    const start = ctx.clock.now();
    ctx.clock.advance(60_000);
    const [receipt] = await post('receipt', [{ itemId: item.id, at: bin, qty: u(3), unitCostMicros: $(1), landedMicros: $(0.5) }]);
    // 3 × 1.00 + 0.50 = 3.50; a third of it is 1.166666…, to the micro 1.166667.
    expect([receipt!.value_micros, receipt!.unit_cost_micros]).toEqual([$(3.5), 1_166_667]);
    const [sale] = await post('sale', [{ itemId: item.id, at: bin, qty: u(1) }]);
    expect(sale!.value_micros).toBe(1_166_667);
    // A receipt back-dated before both: the sale now draws it (0.80), and the landed receipt is whole again.
    await post('receipt', [{ itemId: item.id, at: bin, qty: u(1), unitCostMicros: $(0.8) }], start);
    expect(await stored([receipt!.id, sale!.id])).toEqual([
      [$(3.5), 1_166_667],
      [$(0.8), $(0.8)],
    ]);
    expect((await getItemCosts(ctx, item.id, 'fifo')).value).toBe($(3.5));
  });
  it('settles a lot’s shortfall from a later posting and keeps the lot on the settled draw', async () => {
    const { ctx, shop, post, stored } = await setup();
    const bin = shop.storeBin;
    const item = await makeItem(ctx, { tracking: 'lot' });
    const lotB = newId('lot');
    await get().db.kysely.insertInto('lots').values({ id: lotB, item_id: item.id, code: 'B', kind: 'lot' as const, expires_on: null, created_at: ctx.clock.now() }).execute();
    await post('receipt', [{ itemId: item.id, lotId: lotB, at: bin, qty: u(1), unitCostMicros: $(2) }]);
    const [sale] = await post('sale', [{ itemId: item.id, lotId: lotB, at: bin, qty: u(3) }]); // 1 at 2.00, 2 short at 2.00: 6.00
    const [late] = await post('receipt', [{ itemId: item.id, lotId: lotB, at: bin, qty: u(2), unitCostMicros: $(2.5) }]);
    // 1 × 2.00 + 2 × 2.50 = 7.00, 2.333333 a unit.
    expect(await stored([sale!.id])).toEqual([[$(7), 2_333_333]]);
    const draws = await get().db.kysely.selectFrom('cost_consumptions').select(['layer_id', 'lot_id', 'qty', 'value_micros']).where('movement_id', '=', sale!.id).orderBy('qty').execute();
    expect(draws.map((d) => [d.layer_id === late!.id, d.lot_id, d.qty, d.value_micros])).toEqual([
      [false, lotB, u(1), $(2)],
      [true, lotB, u(2), $(5)],
    ]);
  });

  it('refuses landed cost on a movement that brought no stock in', async () => {
    const { ctx, shop, post } = await setup();
    const item = await makeItem(ctx);
    await post('receipt', [{ itemId: item.id, at: shop.storeBin, qty: u(2), unitCostMicros: $(1) }]);
    const [sale] = await post('sale', [{ itemId: item.id, at: shop.storeBin, qty: u(1) }]);
    await expect(applyLandedCosts(ctx, [{ movementId: sale!.id, micros: $(1) }])).rejects.toThrow(`costing: ${sale!.id} did not bring stock in`);
  });
});
