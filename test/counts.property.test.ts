import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { approveCount, createCount, enterCountLines, submitCount } from '../src/modules/counts/index.ts';
import { balanceAt, checkLedger, postMovements } from '../src/modules/ledger/index.ts';
import { createLocation, VIRTUAL_LOCATION_IDS } from '../src/modules/locations/index.ts';
import { createTransfer, pickTransfer, receiveTransfer, shipTransfer } from '../src/modules/transfers/index.ts';
import { ManualClock } from '../src/platform/clock.ts';
import type { ServiceContext } from '../src/platform/context.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem } from './support/fixtures.ts';

/**
 * Counting while the shop trades, at random: receipts, sales, adjustments, bin moves and
 * transfers between sites land at random instants within an hour (posted in random order, so
 * many are back-dated past others), interleaved with count lines counted at random instants.
 * Transfers go both ways: the counted store ships stock out of its bins to the warehouse (shipped
 * at one instant, received there at a later one), and the warehouse ships stock that arrives in a
 * counted bin (some of it damaged, to scrap) at an instant after it left. After the count posts,
 * every counted bin holds exactly what was counted plus what moved in or out of it after the
 * instant it was counted, and the ledger's invariants (the counts' and transit's own included) hold.
 *
 * FC_RUNS sets the number of runs and FC_SEED replays one; the seed is printed.
 */

const ITEMS = 2;
const BINS = 3;
const HOUR = 3_600_000;

type Op =
  | { kind: 'receive'; item: number; bin: number; qty: number; at: number }
  | { kind: 'sell'; item: number; bin: number; qty: number; at: number }
  | { kind: 'adjust'; item: number; bin: number; qty: number; at: number }
  | { kind: 'move'; item: number; bin: number; to: number; qty: number; at: number }
  | { kind: 'count'; item: number; bin: number; qty: number; at: number }
  // The store sends stock to the warehouse: shipped `at`, received there `arrives` (not before).
  | { kind: 'transferOut'; item: number; qty: number; picked: boolean; at: number; arrives: number }
  // The warehouse sends stock to a counted bin: shipped `sent`, received `at` (not before), `damaged` of it to scrap.
  | { kind: 'transferIn'; item: number; bin: number; qty: number; damaged: number; sent: number; at: number };

// Instants on a coarse grid (an hour in five-minute steps) so that many land on the very millisecond a
// line was counted: a movement at that instant is already in what the count expected.
const at = fc.integer({ min: 0, max: 12 }).map((n) => n * 5 * 60_000);
const item = fc.nat(ITEMS - 1);
const bin = fc.nat(BINS - 1);
const qty = fc.integer({ min: 1, max: 8 }).map((n) => n * 1000);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('receive' as const), item, bin, qty, at }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sell' as const), item, bin, qty, at }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('adjust' as const), item, bin, qty: fc.integer({ min: -3, max: 3 }).filter((n) => n !== 0).map((n) => n * 1000), at }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('move' as const), item, bin, to: bin, qty, at }).filter((m) => m.bin !== m.to) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('count' as const), item, bin, qty: fc.integer({ min: 0, max: 12 }).map((n) => n * 1000), at }) },
  {
    weight: 3,
    arbitrary: fc
      .record({ kind: fc.constant('transferOut' as const), item, qty: fc.integer({ min: 1, max: 3 }).map((n) => n * 1000), picked: fc.boolean(), at, arrives: at })
      .map((o) => ({ ...o, at: Math.min(o.at, o.arrives), arrives: Math.max(o.at, o.arrives) })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ kind: fc.constant('transferIn' as const), item, bin, qty, damaged: fc.integer({ min: 0, max: 2 }).map((n) => n * 1000), sent: at, at })
      .map((o) => ({ ...o, damaged: Math.min(o.damaged, o.qty), sent: Math.min(o.sent, o.at), at: Math.max(o.sent, o.at) })),
  },
);

interface World {
  ctx: ServiceContext & { clock: ManualClock };
  start: number;
  items: string[];
  /** The counted store's id, and its bins in walking order (pick_order 0, 1, 2). */
  site: string;
  bins: string[];
  /** The other end of transfers: a strict warehouse with one bin. */
  warehouse: string;
  warehouseBin: string;
  countId: string;
  /** Every change to the counted bins posted so far, as the model expects it. */
  moved: Delta[];
}

/** A change of one bin's stock at an instant, as the test expects the ledger to record it. */
interface Delta {
  item: string;
  bin: string;
  at: number;
  qty: number;
}

/** What a counted bin holds now according to the model: every change posted so far, whatever its instant. */
function onHandNow(w: World, itemId: string, bin: string): number {
  return w.moved.filter((d) => d.item === itemId && d.bin === bin).reduce((sum, d) => sum + d.qty, 0);
}

/**
 * How each kind of trading posts, and what it does to bins. A transfer's ledger movements are
 * back-dated like the rest: shipping and receiving each take an effective instant (creating and
 * picking move nothing, so they happen now).
 */
const trading: Record<Exclude<Op['kind'], 'count'>, (w: World, op: any) => Promise<Delta[]>> = {
  receive: async (w, op) => {
    await createAdjustment(w.ctx, { location_id: w.bins[op.bin]!, reason: 'opening_balance', effective_at: w.start + op.at, lines: [{ item_id: w.items[op.item]!, qty: op.qty, unit_cost: 1_000_000 }] });
    return [{ item: w.items[op.item]!, bin: w.bins[op.bin]!, at: w.start + op.at, qty: op.qty }];
  },
  sell: async (w, op) => {
    await postMovements(w.ctx, {
      kind: 'sale',
      documentType: 'sale',
      documentId: `sal_${Math.random().toString(36).slice(2)}`,
      effectiveAt: w.start + op.at,
      movements: [{ itemId: w.items[op.item]!, fromLocationId: w.bins[op.bin]!, toLocationId: VIRTUAL_LOCATION_IDS.customer, qty: op.qty }],
    });
    return [{ item: w.items[op.item]!, bin: w.bins[op.bin]!, at: w.start + op.at, qty: -op.qty }];
  },
  adjust: async (w, op) => {
    await createAdjustment(w.ctx, { location_id: w.bins[op.bin]!, reason: 'correction', effective_at: w.start + op.at, lines: [{ item_id: w.items[op.item]!, qty: op.qty }] });
    return [{ item: w.items[op.item]!, bin: w.bins[op.bin]!, at: w.start + op.at, qty: op.qty }];
  },
  move: async (w, op) => {
    await postMovements(w.ctx, {
      kind: 'transfer',
      documentType: 'bin_move',
      documentId: `mv_${Math.random().toString(36).slice(2)}`,
      effectiveAt: w.start + op.at,
      movements: [{ itemId: w.items[op.item]!, fromLocationId: w.bins[op.bin]!, toLocationId: w.bins[op.to]!, qty: op.qty }],
    });
    return [
      { item: w.items[op.item]!, bin: w.bins[op.bin]!, at: w.start + op.at, qty: -op.qty },
      { item: w.items[op.item]!, bin: w.bins[op.to]!, at: w.start + op.at, qty: op.qty },
    ];
  },
  transferOut: async (w, op) => {
    const itemId = w.items[op.item]!;
    // Which bins the stock leaves, as a transfer allocates: what each bin holds now (whatever
    // instant it was posted at; nothing is reserved here), bin by bin in walking order. Not enough
    // in all of them together: refused with 409, and nothing moves.
    const plan: Array<{ bin: string; qty: number }> = [];
    let left = op.qty;
    for (const bin of w.bins) {
      const take = Math.min(left, Math.max(0, onHandNow(w, itemId, bin)));
      if (take > 0) plan.push({ bin, qty: take });
      left -= take;
    }
    const input = { source_site_id: w.site, destination_site_id: w.warehouse, lines: [{ item_id: itemId, qty: op.qty }] };
    if (left > 0) {
      await expect(createTransfer(w.ctx, input)).rejects.toMatchObject({ code: 'insufficient_stock', status: 409 });
      return [];
    }
    const t = await createTransfer(w.ctx, input);
    expect(t.allocations.map((a) => ({ bin: a.location_id, qty: a.qty })), 'allocated bin by bin in walking order').toEqual(plan);
    if (op.picked) await pickTransfer(w.ctx, t.transfer.id, { item_id: itemId, qty: op.qty });
    await shipTransfer(w.ctx, t.transfer.id, { effective_at: w.start + op.at });
    await receiveTransfer(w.ctx, t.transfer.id, { effective_at: w.start + op.arrives });
    return plan.map((p) => ({ item: itemId, bin: p.bin, at: w.start + op.at, qty: -p.qty }));
  },
  transferIn: async (w, op) => {
    const itemId = w.items[op.item]!;
    await createAdjustment(w.ctx, { location_id: w.warehouseBin, reason: 'opening_balance', effective_at: w.start, lines: [{ item_id: itemId, qty: op.qty, unit_cost: 1_000_000 }] });
    const t = await createTransfer(w.ctx, { source_site_id: w.warehouse, destination_site_id: w.site, destination_bin_id: w.bins[op.bin]!, lines: [{ item_id: itemId, qty: op.qty }] });
    await shipTransfer(w.ctx, t.transfer.id, { effective_at: w.start + op.sent });
    await receiveTransfer(w.ctx, t.transfer.id, { effective_at: w.start + op.at, lines: [{ item_id: itemId, qty: op.qty - op.damaged, damaged_qty: op.damaged }] });
    return op.qty > op.damaged ? [{ item: itemId, bin: w.bins[op.bin]!, at: w.start + op.at, qty: op.qty - op.damaged }] : [];
  },
};

const runs = Number(process.env.FC_RUNS ?? 8);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);

describeEachDatabase('counts while trading', (get) => {
  it('leaves every counted bin at what was counted plus what moved after the instant it was counted', { timeout: 30_000 + runs * 10_000 }, async () => {
    console.log(`counts.property: seed ${seed}, ${runs} runs (FC_SEED=${seed} replays)`);
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 30 }), async (ops) => {
        const clock = new ManualClock(Date.UTC(2026, 10, 5, 9));
        const ctx = serviceContext(get().db, clock);
        const start = clock.now();
        clock.advance(2 * HOUR);
        const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
        const site = await createLocation(ctx, { kind: 'site', code: `P${tag}`, name: 'Counted store', site_type: 'store' });
        const bins = [site.default_bin_id!];
        for (let i = 1; i < BINS; i += 1) bins.push((await createLocation(ctx, { kind: 'bin', parent_id: site.id, code: `B${i}`, name: `Bin ${i}`, pick_order: i })).id);
        const items: string[] = [];
        for (let i = 0; i < ITEMS; i += 1) items.push((await makeItem(ctx)).id);
        const warehouse = await createLocation(ctx, { kind: 'site', code: `W${tag}`, name: 'Warehouse', site_type: 'warehouse' });
        const count = await createCount(ctx, { site_id: site.id, kind: 'full', mode: 'blind', scope: {} });
        const deltas: Delta[] = [];
        const world: World = { ctx, start, items, site: site.id, bins, warehouse: warehouse.id, warehouseBin: warehouse.default_bin_id!, countId: count.count.id, moved: deltas };

        const counted = new Map<string, { item: string; bin: string; qty: number; at: number }>();
        for (const op of ops) {
          if (op.kind === 'count') {
            await enterCountLines(ctx, world.countId, [{ location_id: bins[op.bin]!, item_id: items[op.item]!, qty: op.qty, counted_at: start + op.at }]);
            counted.set(`${op.item}|${op.bin}`, { item: items[op.item]!, bin: bins[op.bin]!, qty: op.qty, at: start + op.at });
          } else {
            deltas.push(...(await trading[op.kind](world, op)));
          }
        }
        const submitted = await submitCount(ctx, world.countId, 'skip');
        const posted = submitted.count.status === 'posted' ? submitted : await approveCount(ctx, world.countId, undefined);
        expect(posted.count.status).toBe('posted');

        for (const line of counted.values()) {
          const movedAfter = deltas.filter((d) => d.item === line.item && d.bin === line.bin && d.at > line.at).reduce((sum, d) => sum + d.qty, 0);
          expect((await balanceAt(get().db.kysely, line.item, line.bin)).onHand).toBe(line.qty + movedAfter);
        }
        const report = await checkLedger(get().db, clock.now());
        expect(report.invariants.filter((i) => !i.ok)).toEqual([]);
      }),
      { numRuns: runs, seed },
    );
  });
});
