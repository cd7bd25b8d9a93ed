import { describe, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { applyLandedCosts, inboundCostOf, postMovements, recordCostDerivation, splitByWeight } from './index.ts';

const { production, vendor } = VIRTUAL_LOCATION_IDS;

describe('splitting a derived value', () => {
  it('shares by weight to the micro, remainders to the largest fraction, ties to the earlier output', () => {
    expect(splitByWeight(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(splitByWeight(100, [1, 2])).toEqual([33, 67]);
    expect(splitByWeight(10, [3, 3, 4])).toEqual([3, 3, 4]);
    // 11 × 3/10 = 3.3, 3.3, 4.4: 10 shared, the 1 left goes to the largest fraction (0.4).
    expect(splitByWeight(11, [3, 3, 4])).toEqual([3, 3, 5]);
    expect(splitByWeight(12, [3, 3, 4])).toEqual([4, 3, 5]);
    expect(splitByWeight(7, [2, 5, 3])).toEqual([1, 4, 2]);
    // 13 × 3/10 = 3.9, 3.9, 5.2: the 2 left go to the two 0.9s, not to the heaviest output.
    expect(splitByWeight(13, [3, 3, 4])).toEqual([4, 4, 5]);
    expect(splitByWeight(5, [0, 0])).toEqual([5, 0]);
    expect(splitByWeight(-9, [1, 2])).toEqual([-3, -6]);
    expect(() => splitByWeight(5, [])).toThrow('a derivation has at least one output');
  });

  it('carries a value as a unit cost rounded down plus the micros left over', () => {
    // 10.00 over 3 units: 3.333333 each, and 1 micro left.
    expect(inboundCostOf(10_000_000, 3000)).toEqual({ unitCostMicros: 3_333_333, landedMicros: 1 });
    expect(inboundCostOf(6_000_000, 1500)).toEqual({ unitCostMicros: 4_000_000, landedMicros: 0 });
    expect(inboundCostOf(-5, 1000)).toEqual({ unitCostMicros: 0, landedMicros: -5 });
    expect(() => inboundCostOf(1, 0)).toThrow('an inbound movement has a positive quantity');
  });
});

describeEachDatabase('derived costs', (get) => {
  it('derives a batch’s cost again when the flour it used costs more', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const flour = await makeItem(ctx);
    const bread = await makeItem(ctx);
    const bin = shop.warehouseBins[0]!;
    const receipt = (await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'flour-in', movements: [{ itemId: flour.id, fromLocationId: vendor, toLocationId: bin, qty: 10_000, unitCostMicros: 1_000_000 }] })).movements[0]!;
    // 4 of flour (4.00) and 1.00 of labour make 3 loaves: 1.666666 each, 2 micros left over.
    const used = (await postMovements(ctx, { kind: 'production', documentType: 'test', documentId: 'bake', movements: [{ itemId: flour.id, fromLocationId: bin, toLocationId: production, qty: 4000 }] })).movements[0]!;
    expect(used.value_micros).toBe(4_000_000);
    const first = inboundCostOf(5_000_000, 3000);
    const loaves = (
      await postMovements(ctx, { kind: 'production', documentType: 'test', documentId: 'bake-out', movements: [{ itemId: bread.id, fromLocationId: production, toLocationId: bin, qty: 3000, unitCostMicros: first.unitCostMicros, landedMicros: first.landedMicros }] })
    ).movements[0]!;
    expect(loaves.value_micros).toBe(5_000_000);
    await get().db.kysely.transaction().execute((trx) =>
      recordCostDerivation(trx, { documentType: 'test', documentId: 'bake', extraMicros: 1_000_000, sourceMovementIds: [used.id, used.id], outputs: [{ movementId: loaves.id, itemId: bread.id, qty: 3000, weight: 1 }] }, ctx.clock.now()),
    );
    // 1.50 of freight on the 10 of flour: 1.15 each, so the 4 used cost 4.60 and the loaves 5.60.
    await applyLandedCosts(ctx, [{ movementId: receipt.id, micros: 1_500_000 }]);
    const row = (id: string) => get().db.kysely.selectFrom('movements').select(['unit_cost_micros', 'value_micros']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(await row(used.id)).toEqual({ unit_cost_micros: 1_150_000, value_micros: 4_600_000 });
    // The movement shows the unit cost rounded to the micro; the inbound cost keeps it rounded down plus the 2 micros left.
    expect(await row(loaves.id)).toEqual({ unit_cost_micros: 1_866_667, value_micros: 5_600_000 });
    const inbound = await get().db.kysely.selectFrom('inbound_costs').select(['unit_cost_micros', 'landed_micros']).where('movement_id', '=', loaves.id).executeTakeFirstOrThrow();
    expect(inbound).toEqual({ unit_cost_micros: 1_866_666, landed_micros: 2 });
  });

  it('derives again when only the micros left over change, and leaves an output with no weight at nothing', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const flour = await makeItem(ctx);
    const bread = await makeItem(ctx);
    const crumbs = await makeItem(ctx);
    const bin = shop.warehouseBins[0]!;
    const post = async (documentId: string, itemId: string, from: string, to: string, qty: number, unitCostMicros?: number) =>
      (await postMovements(ctx, { kind: 'production', documentType: 'test', documentId, movements: [{ itemId, fromLocationId: from, toLocationId: to, qty, unitCostMicros }] })).movements[0]!;
    const receipt = await post('flour-in', flour.id, vendor, bin, 10_000, 1_000_000);
    const used = await post('bake', flour.id, bin, production, 4000);
    // 4.00 of flour and 1.00 of labour over 1,000 loaves: 0.005 each, nothing left over; the crumbs weigh nothing.
    const loaves = await post('bake-out', bread.id, production, bin, 1_000_000, 5000);
    const crumbled = await post('bake-crumbs', crumbs.id, production, bin, 1000, 0);
    const derivationId = await get().db.kysely.transaction().execute((trx) =>
      recordCostDerivation(
        trx,
        {
          documentType: 'test',
          documentId: 'bake',
          extraMicros: 1_000_000,
          sourceMovementIds: [used.id],
          outputs: [
            { movementId: loaves.id, itemId: bread.id, qty: 1_000_000, weight: 1 },
            { movementId: crumbled.id, itemId: crumbs.id, qty: 1000, weight: 0 },
          ],
        },
        ctx.clock.now(),
      ),
    );
    expect(derivationId).toMatch(/^cdv_/);
    // 10 micros of freight on 10 of flour: 1 micro each, so the 4 used cost 4.000004 and the loaves
    // 5.000004: still 0.005 a loaf, with 4 micros left over.
    await applyLandedCosts(ctx, [{ movementId: receipt.id, micros: 10 }]);
    const inbound = (id: string) => get().db.kysely.selectFrom('inbound_costs').select(['unit_cost_micros', 'landed_micros']).where('movement_id', '=', id).executeTakeFirstOrThrow();
    expect(await inbound(loaves.id)).toEqual({ unit_cost_micros: 5000, landed_micros: 4 });
    expect(await inbound(crumbled.id)).toEqual({ unit_cost_micros: 0, landed_micros: 0 });
    const value = (id: string) => get().db.kysely.selectFrom('movements').select('value_micros').where('id', '=', id).executeTakeFirstOrThrow();
    expect(await value(loaves.id)).toEqual({ value_micros: 5_000_004 });
    expect(await value(crumbled.id)).toEqual({ value_micros: 0 });
  });
});
