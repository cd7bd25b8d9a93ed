import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { checkLedger } from '../src/modules/ledger/index.ts';
import {
  cancelProductionOrder,
  checkProduction,
  closeProductionOrder,
  completeProductionOrder,
  createBomVersion,
  createProductionOrder,
  startProductionOrder,
} from '../src/modules/production/index.ts';
import type { ItemRow } from '../src/platform/db/schema.ts';
import type { Database } from '../src/platform/db/database.ts';
import { AppError } from '../src/platform/errors.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem, makeShop } from './support/fixtures.ts';
import { propertyParameters } from './support/property.ts';

/**
 * Random sequences of stock arriving (some of it back-dated, which re-costs what was already
 * made from it), theft, and production orders for a sub-assembly and for a finished lot-tracked
 * item made from it, at a strict warehouse and an allow-negative store: planned, started,
 * completed in parts with random actual consumption, yield and scrap, closed and cancelled. A
 * step either succeeds or is refused with a known code. After every step: the ledger's and
 * production's invariants hold, no strict bin is below zero, quantities are conserved through
 * the production location (what sits there is what the documents consumed less what they
 * produced), and the value of everything produced equals the value of what it consumed plus the
 * labour and overhead charged, to the micro — computed here, independently of the check.
 */

type Op =
  | { kind: 'stock'; item: number; site: number; units: number; cost: number; backdated: boolean }
  | { kind: 'theft'; item: number; units: number }
  | { kind: 'order'; item: number; site: number; units: number; start: boolean }
  | { kind: 'start'; order: number }
  | { kind: 'complete'; order: number; made: number; scrapped: number; usePct: number; final: boolean }
  | { kind: 'close'; order: number }
  | { kind: 'cancel'; order: number };

const small = fc.integer({ min: 1, max: 8 });
const index = fc.nat(9);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('stock' as const), item: index, site: index, units: small, cost: fc.integer({ min: 1, max: 9 }), backdated: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('theft' as const), item: index, units: small }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('order' as const), item: index, site: index, units: small, start: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('start' as const), order: index }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('complete' as const),
      order: index,
      made: fc.integer({ min: 0, max: 6 }),
      scrapped: fc.integer({ min: 0, max: 2 }),
      usePct: fc.integer({ min: 50, max: 130 }),
      final: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), order: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), order: index }) },
);

/**
 * One sequence always run beside the random ones (fast-check's examples): dough made at the
 * warehouse, then flour arriving back-dated before it. With few runs in CI, a seed can otherwise
 * draw no back-dated arrival after an order, and the re-cost path would go unchecked.
 */
const madeThenRecosted: Op[] = [
  { kind: 'order', item: 0, site: 0, units: 2, start: true },
  { kind: 'complete', order: 0, made: 2, scrapped: 0, usePct: 100, final: true },
  { kind: 'stock', item: 0, site: 0, units: 3, cost: 7, backdated: true },
  { kind: 'order', item: 1, site: 0, units: 1, start: true },
  { kind: 'complete', order: 0, made: 1, scrapped: 0, usePct: 100, final: true },
];

const REFUSALS = new Set(['insufficient_stock', 'production_order_state', 'production_completion_invalid']);

/** Per item, what sits in the production location less what the documents say was consumed and produced. */
async function productionLocationMismatch(db: Database, itemIds: string[]): Promise<Array<{ item: string; ledger: number; documents: number }>> {
  const balances = await db.kysely.selectFrom('balances').select(['item_id', 'on_hand']).where('location_id', '=', 'loc_production').where('item_id', 'in', itemIds).execute();
  const consumed = await db.kysely
    .selectFrom('production_order_lines as l')
    .select(['l.item_id', (eb) => eb.fn.sum<number | string>('l.qty_consumed').as('qty')])
    .where('l.item_id', 'in', itemIds)
    .groupBy('l.item_id')
    .execute();
  const produced = await db.kysely
    .selectFrom('production_orders as o')
    .select(['o.item_id', (eb) => eb.fn.sum<number | string>('o.qty_produced').as('qty')])
    .where('o.item_id', 'in', itemIds)
    .groupBy('o.item_id')
    .execute();
  return itemIds
    .map((item) => ({
      item,
      // The production location receives consumption and gives out production: its balance is minus what it holds.
      ledger: -balances.filter((b) => b.item_id === item).reduce((s, b) => s + b.on_hand, 0),
      documents: Number(produced.find((p) => p.item_id === item)?.qty ?? 0) - Number(consumed.find((c) => c.item_id === item)?.qty ?? 0),
    }))
    .filter((r) => r.ledger !== r.documents);
}

/** Value of all production movements, and of the consumption that went into them plus labour and overhead. */
async function producedAgainstConsumed(db: Database, orderIds: string[]): Promise<{ produced: number; consumedPlusConversion: number }> {
  if (orderIds.length === 0) return { produced: 0, consumedPlusConversion: 0 };
  const postings = await db.kysely.selectFrom('production_postings').selectAll().where('order_id', 'in', orderIds).where('qty_produced', '>', 0).execute();
  const txns = postings.flatMap((p) => [p.consumption_txn_id, p.production_txn_id]).filter((t): t is string => t !== null);
  const movements = txns.length ? await db.kysely.selectFrom('movements').select(['txn_id', 'kind', 'value_micros']).where('txn_id', 'in', txns).execute() : [];
  const sum = (kind: string) => movements.filter((m) => m.kind === kind).reduce((s, m) => s + Number(m.value_micros ?? 0), 0);
  return { produced: sum('production'), consumedPlusConversion: sum('consumption') + postings.reduce((s, p) => s + p.labour_micros + p.overhead_micros, 0) };
}

describeEachDatabase('production, property-based', (get) => {
  /** Completions that made something and back-dated receipts that re-costed, over all runs: the property must have met both. */
  const tally = { made: 0, recosted: 0 };
  it('random production keeps the ledger consistent, strict sites non-negative, quantities conserved and finished cost = consumed + labour/overhead', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 20 }), async (ops) => {
        const ctx = serviceContext(get().db);
        const shop = await makeShop(ctx);
        const sites = [shop.warehouse, shop.store];
        const bins = [shop.warehouse.default_bin_id!, shop.storeBin];
        const flour = await makeItem(ctx, { base_unit: 'kg', name: 'Flour' });
        const butter = await makeItem(ctx, { base_unit: 'kg', name: 'Butter', costing_method: 'average' });
        const dough = await makeItem(ctx, { base_unit: 'kg', name: 'Dough' });
        const loaf = await makeItem(ctx, { name: 'Loaf', tracking: 'lot', tracks_expiry: true });
        const raw: ItemRow[] = [flour, butter];
        const made: ItemRow[] = [dough, loaf];
        await createBomVersion(ctx, dough.id, {
          batch_qty: 10_000,
          labour: 3_000_000,
          lines: [
            { item_id: flour.id, qty: 6_000 },
            { item_id: butter.id, qty: 4_000 },
          ],
        });
        await createBomVersion(ctx, loaf.id, {
          batch_qty: 4_000,
          yield: 950_000,
          scrap: 50_000,
          labour: 100_000,
          labour_basis: 'unit',
          overhead: 2_000_000,
          shelf_life_days: 1,
          lines: [
            { item_id: dough.id, qty: 2_000 },
            { item_id: flour.id, qty: 250 },
          ],
        });
        for (const bin of bins) {
          for (const [i, item] of raw.entries()) {
            await createAdjustment(ctx, { location_id: bin, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 20_000, unit_cost: (1 + i) * 1_000_000 }] });
          }
        }
        const orders: string[] = [];
        for (const op of ops) {
          ctx.clock.advance(60_000);
          const pickOrder = (n: number) => orders[Math.max(0, orders.length - 1 - (n % 3))];
          try {
            switch (op.kind) {
              case 'stock':
                await createAdjustment(ctx, {
                  location_id: bins[op.site % 2]!,
                  reason: 'opening_balance',
                  lines: [{ item_id: raw[op.item % 2]!.id, qty: op.units * 1000, unit_cost: op.cost * 1_000_000 }],
                  // Back-dated before everything made so far: re-costs the consumption and what it made.
                  ...(op.backdated ? { effective_at: ctx.clock.now() - 3_600_000 } : {}),
                });
                if (op.backdated && orders.length > 0) tally.recosted += 1;
                break;
              case 'theft':
                await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'theft', lines: [{ item_id: raw[op.item % 2]!.id, qty: -op.units * 1000 }] });
                break;
              case 'order': {
                const item = made[op.item % 2]!;
                const o = await createProductionOrder(ctx, { item_id: item.id, site_id: sites[op.site % 2]!.id, qty: op.units * 1000, start: op.start });
                orders.push(o.order.id);
                break;
              }
              case 'start': {
                const id = pickOrder(op.order);
                if (!id) continue;
                await startProductionOrder(ctx, id);
                break;
              }
              case 'complete': {
                const id = pickOrder(op.order);
                if (!id) continue;
                const lines = await get().db.kysely.selectFrom('production_order_lines').selectAll().where('order_id', '=', id).execute();
                await completeProductionOrder(ctx, id, {
                  qty_produced: op.made * 1000,
                  qty_scrapped: op.scrapped * 1000,
                  final: op.final,
                  lines: lines.map((l) => ({ item_id: l.item_id, qty_consumed: Math.floor((l.qty_planned * op.usePct) / 100) })),
                });
                if (op.made > 0) tally.made += 1;
                break;
              }
              case 'close': {
                const id = pickOrder(op.order);
                if (!id) continue;
                await closeProductionOrder(ctx, id);
                break;
              }
              case 'cancel': {
                const id = pickOrder(op.order);
                if (!id) continue;
                await cancelProductionOrder(ctx, id);
                break;
              }
            }
          } catch (error) {
            if (!(error instanceof AppError) || !REFUSALS.has(error.code)) throw error;
          }
          const db = get().db;
          const failed = [...(await checkLedger(db)).invariants, ...(await checkProduction(db))].filter((i) => !i.ok);
          expect(failed, JSON.stringify(op)).toEqual([]);
          const negative = await db.kysely.selectFrom('balances').select(['item_id', 'on_hand']).where('location_id', '=', bins[0]!).where('on_hand', '<', 0).execute();
          expect(negative, `strict warehouse below zero after ${JSON.stringify(op)}`).toEqual([]);
          expect(await productionLocationMismatch(db, [...raw, ...made].map((i) => i.id))).toEqual([]);
          const value = await producedAgainstConsumed(db, orders);
          expect(value.produced, JSON.stringify(op)).toBe(value.consumedPlusConversion);
        }
      }),
      { ...propertyParameters('production', 8), endOnFailure: true, examples: [[madeThenRecosted]] },
    );
    expect(tally.made).toBeGreaterThan(0);
    expect(tally.recosted).toBeGreaterThan(0);
  });
});
