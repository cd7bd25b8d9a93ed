import fc from 'fast-check';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { setCheckpointSpacing } from '../src/modules/costing/index.ts';
import { postMovements, revalueItems } from '../src/modules/ledger/index.ts';
import { createLocation, VIRTUAL_LOCATION_IDS } from '../src/modules/locations/index.ts';
import type { Database } from '../src/platform/db/database.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem } from './support/fixtures.ts';
import { propertyParameters } from './support/property.ts';

/**
 * Re-costing from checkpoints against re-costing from the first movement. Random sequences at a
 * store that may sell below its recorded stock (so shortfalls wait for stock and are settled by
 * later receipts): receipts at a cost or at the current cost, sales, many of both back-dated by
 * hours or days, for a FIFO item, an average item and a FIFO item tracked by lot (two lots),
 * with checkpoints every 1 to 4 valued movements so that nearly every back-dated entry replays
 * from one. At the end every movement's cost, every layer, every consumption and each item's
 * pool must be exactly what a replay of each item's whole history writes. Starting a replay from a
 * checkpoint after the entry's instant, forgetting the layers open at the checkpoint or the
 * shortfalls then pending, or keeping checkpoints a back-dated entry made stale, fails this test.
 */

const UNIT = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ITEMS = [
  { method: 'fifo' as const, tracked: false },
  { method: 'average' as const, tracked: false },
  { method: 'fifo' as const, tracked: true },
];
const LOTS = ['A', 'B'];

type Op =
  | { kind: 'receive'; item: number; lot: number; units: number; unitCost: number | null; backdateMs: number }
  | { kind: 'sell'; item: number; lot: number; units: number; backdateMs: number };

const backdate = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 * HOUR }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 * DAY }) });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('receive' as const),
      item: fc.nat(2),
      lot: fc.nat(1),
      units: fc.integer({ min: 1, max: 8 }),
      // Costs far apart, so a wrong draw shows; now and then no cost (valued at the current cost).
      unitCost: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 60 }).map((n) => n * 250_000 + n) }, { weight: 1, arbitrary: fc.constant(null) }),
      backdateMs: backdate,
    }),
  },
  // Sales a little larger than receipts on average: the store often sells stock it has not recorded yet.
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('sell' as const), item: fc.nat(2), lot: fc.nat(1), units: fc.integer({ min: 1, max: 10 }), backdateMs: backdate }) },
);

/** Everything costing wrote for the items, in a stable order. */
async function costPicture(db: Database, itemIds: string[]) {
  const byKey = <T>(rows: T[], key: (r: T) => string) => rows.map((r) => [key(r), r] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  const k = db.kysely;
  const [movements, layers, consumptions, states] = await Promise.all([
    k.selectFrom('movements').select(['id', 'value_micros', 'unit_cost_micros']).where('item_id', 'in', itemIds).execute(),
    k.selectFrom('cost_layers').selectAll().where('item_id', 'in', itemIds).execute(),
    k.selectFrom('cost_consumptions').selectAll().where('item_id', 'in', itemIds).execute(),
    k.selectFrom('item_costs').select(['item_id', 'pool_qty', 'pool_value_micros', 'last_unit_cost_micros', 'last_effective_at', 'last_movement_id']).where('item_id', 'in', itemIds).execute(),
  ]);
  return {
    movements: byKey(movements, (r) => r.id),
    layers: byKey(layers, (r) => r.movement_id),
    consumptions: byKey(consumptions, (r) => `${r.movement_id} ${r.layer_id}`),
    states: byKey(states, (r) => r.item_id),
  };
}

describeEachDatabase('cost checkpoints', (get, dialect) => {
  let spacing = 1000;
  beforeEach(() => {
    spacing = setCheckpointSpacing(1000);
  });
  afterEach(() => {
    setCheckpointSpacing(spacing);
  });
  const tally = new Map<string, number>();
  const count = (kind: string, n = 1) => tally.set(kind, (tally.get(kind) ?? 0) + n);
  afterAll(() => {
    console.log(`cost checkpoints [${dialect}]: ${JSON.stringify(Object.fromEntries(tally))}`);
    for (const kind of ['backdated receive', 'backdated sale', 'shortfall settled', 'checkpoints kept', 'costs changed by a back-dated entry']) {
      expect(tally.get(kind) ?? 0, `${kind} never happened`).toBeGreaterThan(0);
    }
  });

  it('rewrites what stock found at the current cost came in with, when a back-dated receipt changes that cost and leaves its layer as empty as it was', async () => {
    setCheckpointSpacing(1);
    const db = get().db;
    const ctx = serviceContext(db);
    const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
    const site = await createLocation(ctx, { kind: 'site', code: `CV${tag}`, name: 'Current cost', site_type: 'store', negative_stock: 'allow' });
    const bin = site.default_bin_id!;
    const itemId = (await makeItem(ctx, { costing_method: 'fifo' })).id;
    const post = (n: number, kind: 'receipt' | 'adjustment' | 'sale', hoursAgo: number, units: number, unitCostMicros?: number) => {
      const [from, to] = kind === 'sale' ? [bin, VIRTUAL_LOCATION_IDS.customer] : [kind === 'receipt' ? VIRTUAL_LOCATION_IDS.vendor : VIRTUAL_LOCATION_IDS.adjustment, bin];
      return postMovements(ctx, { kind, documentType: 'test', documentId: `cv${n}`, effectiveAt: ctx.clock.now() - hoursAgo * HOUR, movements: [{ itemId, fromLocationId: from, toLocationId: to, qty: units * UNIT, unitCostMicros }] });
    };
    ctx.clock.advance(10 * DAY);
    await post(1, 'receipt', 5, 1, 1_000_000);
    await post(2, 'sale', 4, 1);
    // Found at the current cost (the last one, 1.00), then sold with one unit more than there was.
    const found = (await post(3, 'adjustment', 2, 1)).movements[0]!;
    await post(4, 'sale', 1, 2);
    // Received before the find at 5.00: the find now comes in at 5.00, and its layer is emptied as before.
    await post(5, 'receipt', 3, 1, 5_000_000);
    const layer = await db.kysely.selectFrom('cost_layers').selectAll().where('movement_id', '=', found.id).executeTakeFirstOrThrow();
    expect([layer.value_in_micros, layer.qty_remaining, layer.value_remaining_micros]).toEqual([5_000_000, 0, 0]);
    const checkpointed = await costPicture(db, [itemId]);
    expect(await revalueItems(ctx, [itemId]), 'a full replay changed movement costs').toBe(0);
    expect(checkpointed).toEqual(await costPicture(db, [itemId]));
  });

  it('leaves the consumptions of sales that draw as they did alone, and rewrites those that changed', async () => {
    setCheckpointSpacing(1);
    // Counts the statements that delete consumptions (a replay deletes those it writes again).
    let consumptionDeletes = 0;
    const counter: KyselyPlugin = {
      transformQuery(args: { node: RootOperationNode }) {
        const node = args.node as { kind: string; from?: { froms: Array<{ table?: { identifier: { name: string } } }> } };
        if (node.kind === 'DeleteQueryNode' && node.from?.froms.some((f) => f.table?.identifier.name === 'cost_consumptions')) consumptionDeletes += 1;
        return args.node;
      },
      async transformResult(args) {
        return args.result;
      },
    };
    const db = get().db;
    const ctx = serviceContext({ ...db, kysely: db.kysely.withPlugin(counter) });
    const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
    const site = await createLocation(ctx, { kind: 'site', code: `KC${tag}`, name: 'Deep stock', site_type: 'store' });
    const bin = site.default_bin_id!;
    const itemId = (await makeItem(ctx, { costing_method: 'fifo' })).id;
    const post = (n: number, kind: 'receipt' | 'sale', hoursAgo: number, units: number, unitCostMicros?: number) => {
      const [from, to] = kind === 'sale' ? [bin, VIRTUAL_LOCATION_IDS.customer] : [VIRTUAL_LOCATION_IDS.vendor, bin];
      return postMovements(ctx, { kind, documentType: 'test', documentId: `kc${n}`, effectiveAt: ctx.clock.now() - hoursAgo * HOUR, movements: [{ itemId, fromLocationId: from, toLocationId: to, qty: units * UNIT, unitCostMicros }] });
    };
    ctx.clock.advance(10 * DAY);
    await post(1, 'receipt', 100, 100, 1_000_000);
    for (const [n, hoursAgo] of [90, 80, 70, 60, 50].entries()) await post(10 + n, 'sale', hoursAgo, 1);
    const consumptions = () => db.kysely.selectFrom('cost_consumptions').selectAll().where('item_id', '=', itemId).orderBy('movement_id').execute();
    const before = await consumptions();
    // Received behind a hundred units: the sales after it still draw the first layer, as stored.
    consumptionDeletes = 0;
    await post(2, 'receipt', 75, 10, 5_000_000);
    expect(consumptionDeletes, 'consumptions drawn as before were deleted and written again').toBe(0);
    expect(await consumptions()).toEqual(before);
    // Received before everything: every sale now draws the new layer, and its consumptions are rewritten.
    await post(3, 'receipt', 110, 10, 3_000_000);
    expect(consumptionDeletes).toBeGreaterThan(0);
    expect((await consumptions()).filter((c) => c.layer_id !== before[0]!.layer_id)).toHaveLength(5);
    const checkpointed = await costPicture(db, [itemId]);
    expect(await revalueItems(serviceContext(db), [itemId]), 'a full replay changed movement costs').toBe(0);
    expect(checkpointed).toEqual(await costPicture(db, [itemId]));
  });

  it('re-costs from a checkpoint exactly as from the first movement', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 16, maxLength: 40 }), fc.integer({ min: 1, max: 4 }), async (ops, every) => {
        setCheckpointSpacing(every);
        const db = get().db;
        const ctx = serviceContext(db);
        const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
        const site = await createLocation(ctx, { kind: 'site', code: `CP${tag}`, name: 'Checkpoints', site_type: 'store', negative_stock: 'allow' });
        const bin = site.default_bin_id!;
        const items: string[] = [];
        for (const spec of ITEMS) items.push((await makeItem(ctx, { costing_method: spec.method, ...(spec.tracked ? { tracking: 'lot', tracks_expiry: false } : {}) })).id);
        // The lots come into being with one unit each, before everything else.
        await createAdjustment(ctx, { location_id: bin, reason: 'found', lines: LOTS.map((code) => ({ item_id: items[2]!, qty: UNIT, unit_cost: 1_000_000, lot_code: code })) });
        const lots = await db.kysely.selectFrom('lots').select(['id', 'code']).where('item_id', '=', items[2]!).execute();
        const lotIdOf = (code: string) => lots.find((l) => l.code === code)!.id;
        ctx.clock.advance(10 * DAY);

        for (const [n, op] of ops.entries()) {
          ctx.clock.advance(HOUR);
          const itemId = items[op.item]!;
          const lotId = ITEMS[op.item]!.tracked ? lotIdOf(LOTS[op.lot]!) : undefined;
          const effectiveAt = ctx.clock.now() - op.backdateMs;
          const before = op.backdateMs > 0 ? await costPicture(db, [itemId]) : null;
          if (op.kind === 'receive') {
            const from = op.unitCost === null ? VIRTUAL_LOCATION_IDS.adjustment : VIRTUAL_LOCATION_IDS.vendor;
            await postMovements(ctx, {
              kind: op.unitCost === null ? 'adjustment' : 'receipt',
              documentType: 'test',
              documentId: `r${n}`,
              effectiveAt,
              movements: [{ itemId, ...(lotId ? { lotId } : {}), fromLocationId: from, toLocationId: bin, qty: op.units * UNIT, ...(op.unitCost === null ? {} : { unitCostMicros: op.unitCost }) }],
            });
          } else {
            await postMovements(ctx, {
              kind: 'sale',
              documentType: 'test',
              documentId: `s${n}`,
              effectiveAt,
              movements: [{ itemId, ...(lotId ? { lotId } : {}), fromLocationId: bin, toLocationId: VIRTUAL_LOCATION_IDS.customer, qty: op.units * UNIT }],
            });
          }
          if (before) {
            count(op.kind === 'receive' ? 'backdated receive' : 'backdated sale');
            const after = await costPicture(db, [itemId]);
            const changed = after.movements.filter((m) => {
              const was = before.movements.find((b) => b.id === m.id);
              return was && was.value_micros !== m.value_micros;
            });
            count('costs changed by a back-dated entry', changed.length > 0 ? 1 : 0);
          }
        }
        // A sale costed by stock that arrived after it: a shortfall that a receipt settled.
        const shortfallsSettled = await db.kysely
          .selectFrom('cost_consumptions as c')
          .innerJoin('cost_layers as l', 'l.movement_id', 'c.layer_id')
          .select('c.movement_id')
          .where('c.item_id', 'in', items)
          .whereRef('l.effective_at', '>', 'c.effective_at')
          .execute();
        count('shortfall settled', shortfallsSettled.length > 0 ? 1 : 0);
        const kept = await db.kysely.selectFrom('cost_checkpoints').select((eb) => eb.fn.countAll<number>().as('n')).where('item_id', 'in', items).executeTakeFirstOrThrow();
        count('checkpoints kept', Number(kept.n) > 0 ? 1 : 0);

        const checkpointed = await costPicture(db, items);
        expect(await revalueItems(ctx, items), 'a full replay changed movement costs').toBe(0);
        const full = await costPicture(db, items);
        expect(checkpointed).toEqual(full);
      }),
      propertyParameters(`cost checkpoints [${dialect}]`, 12),
    );
  });
});
