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

  it('derives again from more than 500 sources, and from more than 500 changed movements at once', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const [flour, bread, rolls] = [await makeItem(ctx), await makeItem(ctx), await makeItem(ctx)];
    const bin = shop.warehouseBins[0]!;
    const count = 501;
    const posting = (documentId: string, movements: Parameters<typeof postMovements>[1]['movements']) => postMovements(ctx, { kind: 'production', documentType: 'test', documentId, movements });
    const receipt = (await posting('flour-in', [{ itemId: flour.id, fromLocationId: vendor, toLocationId: bin, qty: 600_000, unitCostMicros: 1_000_000 }])).movements[0]!;
    // 501 separate uses of one unit of flour, each making one roll; all of them together also make 501 loaves.
    const used = (await posting('uses', Array.from({ length: count }, () => ({ itemId: flour.id, fromLocationId: bin, toLocationId: production, qty: 1000 })))).movements;
    const made = (await posting('rolls', Array.from({ length: count }, () => ({ itemId: rolls.id, fromLocationId: production, toLocationId: bin, qty: 1000, unitCostMicros: 1_000_000 })))).movements;
    const loaves = (await posting('loaves', [{ itemId: bread.id, fromLocationId: production, toLocationId: bin, qty: count * 1000, unitCostMicros: 1_000_000 }])).movements[0]!;
    await get().db.kysely.transaction().execute(async (trx) => {
      const now = ctx.clock.now();
      await recordCostDerivation(trx, { documentType: 'test', documentId: 'loaves', extraMicros: 0, sourceMovementIds: used.map((m) => m.id), outputs: [{ movementId: loaves.id, itemId: bread.id, qty: count * 1000, weight: 1 }] }, now);
      for (const [i, roll] of made.entries()) {
        await recordCostDerivation(trx, { documentType: 'test', documentId: `roll-${i}`, extraMicros: 0, sourceMovementIds: [used[i]!.id], outputs: [{ movementId: roll.id, itemId: rolls.id, qty: 1000, weight: 1 }] }, now);
      }
    });
    // 60.00 of freight on 600 of flour: 1.10 a unit, so every roll costs 1.10 and the loaves 551.10.
    await applyLandedCosts(ctx, [{ movementId: receipt.id, micros: 60_000_000 }]);
    const values = await get().db.kysely.selectFrom('movements').select('value_micros').where('id', 'in', made.map((m) => m.id)).execute();
    expect(values).toHaveLength(count);
    expect(values.filter((v) => v.value_micros !== 1_100_000)).toEqual([]);
    const loafValue = await get().db.kysely.selectFrom('movements').select('value_micros').where('id', '=', loaves.id).executeTakeFirstOrThrow();
    expect(loafValue.value_micros).toBe(count * 1_100_000);
  });

  it('follows a chain of derivations 16 deep and refuses a 17th level', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const bin = shop.warehouseBins[0]!;
    const post = async (documentId: string, itemId: string, from: string, to: string, unitCostMicros?: number) =>
      (await postMovements(ctx, { kind: 'production', documentType: 'test', documentId, movements: [{ itemId, fromLocationId: from, toLocationId: to, qty: 1000, unitCostMicros }] })).movements[0]!;
    /** Item 0 bought at 1.00; each next item made from one of the one before. Returns the receipt and the last item's output. */
    const chain = async (levels: number) => {
      let item = await makeItem(ctx);
      const receipt = await post('in', item.id, vendor, bin, 1_000_000);
      let output = receipt;
      for (let level = 1; level <= levels; level += 1) {
        const used = await post(`use-${level}`, item.id, bin, production);
        const next = await makeItem(ctx);
        output = await post(`make-${level}`, next.id, production, bin, 1_000_000);
        const source = used;
        const made = output;
        await get().db.kysely.transaction().execute((trx) =>
          recordCostDerivation(trx, { documentType: 'test', documentId: `make-${level}`, extraMicros: 0, sourceMovementIds: [source.id], outputs: [{ movementId: made.id, itemId: next.id, qty: 1000, weight: 1 }] }, ctx.clock.now()),
        );
        item = next;
      }
      return { receipt, output };
    };
    const deep = await chain(16);
    await applyLandedCosts(ctx, [{ movementId: deep.receipt.id, micros: 250_000 }]);
    const last = await get().db.kysely.selectFrom('movements').select('value_micros').where('id', '=', deep.output.id).executeTakeFirstOrThrow();
    expect(last.value_micros).toBe(1_250_000);
    const deeper = await chain(17);
    await expect(applyLandedCosts(ctx, [{ movementId: deeper.receipt.id, micros: 250_000 }])).rejects.toThrow('derived costs nest more than 16 levels deep');
  });

  it('skips a derivation whose outputs carry no inbound cost', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const [flour, bread] = [await makeItem(ctx), await makeItem(ctx)];
    const [binA, binB] = shop.warehouseBins;
    const post = async (documentId: string, itemId: string, from: string, to: string, unitCostMicros?: number) =>
      (await postMovements(ctx, { kind: 'production', documentType: 'test', documentId, movements: [{ itemId, fromLocationId: from, toLocationId: to, qty: 1000, unitCostMicros }] })).movements[0]!;
    const receipt = await post('in', flour.id, vendor, binA!, 1_000_000);
    const used = await post('use', flour.id, binA!, production);
    await post('bread-in', bread.id, vendor, binA!, 2_000_000);
    // A move between owned bins is not valued: it has no inbound cost to derive.
    const moved = await post('move', bread.id, binA!, binB!);
    await get().db.kysely.transaction().execute((trx) =>
      recordCostDerivation(trx, { documentType: 'test', documentId: 'odd', extraMicros: 0, sourceMovementIds: [used.id], outputs: [{ movementId: moved.id, itemId: bread.id, qty: 1000, weight: 1 }] }, ctx.clock.now()),
    );
    await applyLandedCosts(ctx, [{ movementId: receipt.id, micros: 500_000 }]);
    const values = await get().db.kysely.selectFrom('movements').select(['id', 'value_micros']).where('id', 'in', [used.id, moved.id]).execute();
    expect(Object.fromEntries(values.map((v) => [v.id, v.value_micros]))).toEqual({ [used.id]: 1_500_000, [moved.id]: null });
  });

  it('derives again when a landed cost changes only the movement a derivation draws on', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const [flour, bread] = [await makeItem(ctx), await makeItem(ctx)];
    const bin = shop.warehouseBins[0]!;
    const post = async (documentId: string, itemId: string, from: string, to: string, unitCostMicros?: number) =>
      (await postMovements(ctx, { kind: 'production', documentType: 'test', documentId, movements: [{ itemId, fromLocationId: from, toLocationId: to, qty: 1000, unitCostMicros }] })).movements[0]!;
    // The derivation draws on the receipt itself, so the landed cost re-values that one movement alone.
    const receipt = await post('in', flour.id, vendor, bin, 1_000_000);
    const loaf = await post('loaf', bread.id, production, bin, 1_000_000);
    await get().db.kysely.transaction().execute((trx) =>
      recordCostDerivation(trx, { documentType: 'test', documentId: 'loaf', extraMicros: 0, sourceMovementIds: [receipt.id], outputs: [{ movementId: loaf.id, itemId: bread.id, qty: 1000, weight: 1 }] }, ctx.clock.now()),
    );
    await applyLandedCosts(ctx, [{ movementId: receipt.id, micros: 300_000 }]);
    const value = await get().db.kysely.selectFrom('movements').select('value_micros').where('id', '=', loaf.id).executeTakeFirstOrThrow();
    expect(value.value_micros).toBe(1_300_000);
  });
});
