import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { checkLedger, postMovements } from '../src/modules/ledger/index.ts';
import { createLocation, VIRTUAL_LOCATION_IDS } from '../src/modules/locations/index.ts';
import { inventoryValuation } from '../src/modules/reports/index.ts';
import { AppError } from '../src/platform/errors.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem } from './support/fixtures.ts';
import { propertyParameters } from './support/property.ts';

/**
 * Cost of goods by lot against an independent model. Random sequences at one strict site with two
 * bins: receipts of lots at a cost (some back-dated by days, landing before sales already made),
 * sales naming their lot, and moves between bins. Items: a FIFO item tracked by lot, an average
 * item tracked by lot, and an untracked FIFO item. The model knows nothing of the product's code:
 * stock per bin and lot as a map, and valuation replayed from the operations in effective-time
 * order: for FIFO a queue of layers per lot (a sale of lot L draws lot L's oldest layer), for
 * average one exact fraction that every lot shares.
 *
 * At the end the cost of every sale, and the valuation by lot (now and as of a past instant),
 * equal the model's (average within a micro per draw). Drawing the item's oldest layer whatever
 * the lot (FIFO across lots, as before layers carried lots) fails this test.
 */

const UNIT = 1000;
const DAY = 86_400_000;
type Method = 'fifo' | 'average';
const ITEMS: Array<{ method: Method; tracked: boolean }> = [
  { method: 'fifo', tracked: true },
  { method: 'average', tracked: true },
  { method: 'fifo', tracked: false },
];
const LOTS = [
  { code: 'L0', expiresOn: '2099-01-20' },
  { code: 'L1', expiresOn: '2099-01-10' },
  { code: 'L2', expiresOn: '2099-01-30' },
];

type Op =
  | { kind: 'receive'; item: number; lot: number; bin: number; units: number; unitCost: number; backdateMs: number }
  | { kind: 'sell'; pick: number; units: number }
  | { kind: 'move'; pick: number; units: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('receive' as const),
      item: fc.nat(99),
      lot: fc.nat(99),
      bin: fc.nat(99),
      units: fc.integer({ min: 1, max: 8 }),
      // Costs far apart, so drawing another lot's layer shows in every figure.
      unitCost: fc.integer({ min: 1, max: 60 }).map((n) => n * 250_000),
      backdateMs: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 9 * DAY }) }),
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('sell' as const), pick: fc.nat(999), units: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('move' as const), pick: fc.nat(999), units: fc.integer({ min: 1, max: 6 }) }) },
);

/** One valued event of an item: a lot coming in at a cost, or a sale of a lot. */
interface Valued {
  effectiveAt: number;
  seq: number;
  lot: string;
  qty: number;
  unitCost?: number;
  saleId?: string;
}

interface ModelValuation {
  /** Per lot: quantity and value owned (value as a number of micros, exact for FIFO). */
  lots: Map<string, { qty: number; value: number }>;
  sales: Map<string, number>;
  draws: number;
}

/** Valuation from the operations alone, replayed in (effective time, order recorded) up to `until`. */
function valuation(method: Method, events: readonly Valued[], until = Number.POSITIVE_INFINITY): ModelValuation {
  const ordered = events.filter((e) => e.effectiveAt <= until).sort((a, b) => a.effectiveAt - b.effectiveAt || a.seq - b.seq);
  const sales = new Map<string, number>();
  if (method === 'fifo') {
    const queues = new Map<string, Array<{ qty: number; unitCost: number }>>();
    for (const e of ordered) {
      const queue = queues.get(e.lot) ?? [];
      queues.set(e.lot, queue);
      if (e.unitCost !== undefined) {
        queue.push({ qty: e.qty, unitCost: e.unitCost });
        continue;
      }
      let need = e.qty;
      let cost = 0;
      while (need > 0) {
        const oldest = queue[0];
        if (!oldest) throw new Error(`model: sold lot ${e.lot} that was never there`);
        const take = Math.min(need, oldest.qty);
        cost += (take / UNIT) * oldest.unitCost;
        oldest.qty -= take;
        need -= take;
        if (oldest.qty === 0) queue.shift();
      }
      sales.set(e.saleId!, cost);
    }
    const lots = new Map([...queues].map(([lot, q]) => [lot, { qty: q.reduce((s, l) => s + l.qty, 0), value: q.reduce((s, l) => s + (l.qty / UNIT) * l.unitCost, 0) }]));
    return { lots, sales, draws: 0 };
  }
  // Average: one pool for every lot, kept as an exact fraction valueN / valueD.
  let poolQty = 0n;
  let valueN = 0n;
  let valueD = 1n;
  const lotQty = new Map<string, number>();
  let draws = 0;
  for (const e of ordered) {
    if (e.unitCost !== undefined) {
      valueN += BigInt((e.qty / UNIT) * e.unitCost) * valueD;
      poolQty += BigInt(e.qty);
      lotQty.set(e.lot, (lotQty.get(e.lot) ?? 0) + e.qty);
      continue;
    }
    // Drawn: value × qty / poolQty.
    const drawnN = valueN * BigInt(e.qty);
    const drawnD = valueD * poolQty;
    sales.set(e.saleId!, Number(drawnN) / Number(drawnD));
    valueN = valueN * drawnD - drawnN * valueD;
    valueD = valueD * drawnD;
    const g = gcd(valueN, valueD) || 1n;
    valueN /= g;
    valueD /= g;
    poolQty -= BigInt(e.qty);
    lotQty.set(e.lot, lotQty.get(e.lot)! - e.qty);
    draws += 1;
  }
  const unitValue = poolQty > 0n ? Number(valueN) / Number(valueD) / Number(poolQty) : 0;
  return { lots: new Map([...lotQty].map(([lot, qty]) => [lot, { qty, value: qty * unitValue }])), sales, draws };
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function expectInsufficientStock(error: unknown, what: string): void {
  if (!(error instanceof AppError) || error.code !== 'insufficient_stock') throw new Error(`${what} failed with something other than insufficient_stock: ${String(error)}`);
}

describeEachDatabase('lot valuation model', (get, dialect) => {
  const succeeded = new Map<string, number>();
  const tally = (kind: string) => succeeded.set(kind, (succeeded.get(kind) ?? 0) + 1);
  afterAll(() => {
    console.log(`lot valuation model [${dialect}]: operations that went through: ${JSON.stringify(Object.fromEntries(succeeded))}`);
    for (const kind of ['receive', 'backdated receive', 'sell fifo lot', 'sell average lot', 'sell untracked', 'move']) {
      expect(succeeded.get(kind) ?? 0, `${kind} never succeeded`).toBeGreaterThan(0);
    }
  });

  it('costs every sale and values every lot as a model that keeps FIFO layers per lot does', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 12, maxLength: 40, size: 'medium' }), fc.nat(), async (ops, probe) => {
        const ctx = serviceContext(get().db);
        const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
        const site = await createLocation(ctx, { kind: 'site', code: `LV${tag}`, name: 'Lot valuation', site_type: 'warehouse', negative_stock: 'strict' });
        const extra = await createLocation(ctx, { kind: 'bin', parent_id: site.id, code: 'B1', name: 'Bin 1' });
        const bins = [site.default_bin_id!, extra.id];
        const items: string[] = [];
        for (const spec of ITEMS) items.push((await makeItem(ctx, { costing_method: spec.method, ...(spec.tracked ? { tracking: 'lot', tracks_expiry: true } : {}) })).id);
        const lotIds = new Map<string, string>();
        const lotIdOf = async (item: string, code: string) => {
          const key = `${item}|${code}`;
          if (!lotIds.has(key)) {
            const row = await get().db.kysely.selectFrom('lots').select('id').where('item_id', '=', item).where('code', '=', code).executeTakeFirstOrThrow();
            lotIds.set(key, row.id);
          }
          return lotIds.get(key)!;
        };
        const cells = new Map<string, number>();
        const valued = new Map<string, Valued[]>();
        let seq = 0;
        const record = (item: string, event: Omit<Valued, 'seq'>) => valued.set(item, [...(valued.get(item) ?? []), { ...event, seq: (seq += 1) }]);
        const start = ctx.clock.now();
        ctx.clock.advance(10 * DAY);

        for (const op of ops) {
          ctx.clock.advance(3_600_000);
          const now = ctx.clock.now();
          if (op.kind === 'receive') {
            const i = op.item % items.length;
            const item = items[i]!;
            const bin = bins[op.bin % bins.length]!;
            const lot = ITEMS[i]!.tracked ? LOTS[op.lot % LOTS.length]! : null;
            const at = now - op.backdateMs;
            await createAdjustment(ctx, {
              location_id: bin,
              reason: 'found',
              effective_at: at,
              lines: [{ item_id: item, qty: op.units * UNIT, unit_cost: op.unitCost, ...(lot ? { lot_code: lot.code, expires_on: lot.expiresOn } : {}) }],
            });
            const lotId = lot ? await lotIdOf(item, lot.code) : '';
            const key = `${item}|${bin}|${lotId}`;
            cells.set(key, (cells.get(key) ?? 0) + op.units * UNIT);
            record(item, { effectiveAt: at, lot: lotId, qty: op.units * UNIT, unitCost: op.unitCost });
            tally(op.backdateMs > 0 ? 'backdated receive' : 'receive');
            continue;
          }
          // Sales and moves draw from a bin and lot that has stock most of the time, and now and then ask for more than there is.
          const stocked = [...cells.entries()].filter(([, q]) => q > 0).map(([k]) => k).sort();
          if (stocked.length === 0) continue;
          const [item, bin, lotId] = stocked[op.pick % stocked.length]!.split('|') as [string, string, string];
          const available = cells.get(`${item}|${bin}|${lotId}`)!;
          const qty = op.units * UNIT;
          const to = op.kind === 'sell' ? VIRTUAL_LOCATION_IDS.customer : bins[(bins.indexOf(bin) + 1) % bins.length]!;
          const outcome = await postMovements(ctx, {
            kind: op.kind === 'sell' ? 'sale' : 'transfer',
            documentType: 'test',
            documentId: op.kind,
            movements: [{ itemId: item, lotId, fromLocationId: bin, toLocationId: to, qty }],
          }).then(
            (posted) => ({ ok: true as const, posted }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          if (qty > available) {
            expect(outcome.ok, 'taking more than a lot has at a strict bin must be refused').toBe(false);
            expectInsufficientStock(!outcome.ok && outcome.error, `a refused ${op.kind}`);
            continue;
          }
          if (!outcome.ok) throw outcome.error;
          cells.set(`${item}|${bin}|${lotId}`, available - qty);
          if (op.kind === 'move') {
            cells.set(`${item}|${to}|${lotId}`, (cells.get(`${item}|${to}|${lotId}`) ?? 0) + qty);
            tally('move');
          } else {
            record(item, { effectiveAt: now, lot: lotId, qty, saleId: outcome.posted.movements[0]!.id });
            const spec = ITEMS[items.indexOf(item)]!;
            tally(!spec.tracked ? 'sell untracked' : spec.method === 'fifo' ? 'sell fifo lot' : 'sell average lot');
          }
        }

        const end = ctx.clock.now();
        const asOf = start + (probe % (end - start + 1));
        const [reportNow, reportThen, sales] = await Promise.all([
          inventoryValuation(ctx, { groupBy: 'lot' }),
          inventoryValuation(ctx, { groupBy: 'lot', asOf }),
          get().db.kysely.selectFrom('movements').select(['id', 'item_id', 'value_micros']).where('item_id', 'in', items).where('to_location_id', '=', VIRTUAL_LOCATION_IDS.customer).execute(),
        ]);
        for (const [i, item] of items.entries()) {
          const { method } = ITEMS[i]!;
          const where = `${method} item ${i}`;
          const model = valuation(method, valued.get(item) ?? []);
          const tolerance = method === 'fifo' ? 0 : model.draws + 1;
          // The cost of every sale.
          for (const sale of sales.filter((s) => s.item_id === item)) {
            const expected = model.sales.get(sale.id)!;
            expect(Math.abs(Number(sale.value_micros) - expected), `${where}: sale ${sale.id} cost ${sale.value_micros}, model ${expected}`).toBeLessThanOrEqual(tolerance);
          }
          // The valuation by lot, now and as of a past instant.
          for (const [report, m, when] of [
            [reportNow, model, 'now'],
            [reportThen, valuation(method, valued.get(item) ?? [], asOf), `as of ${new Date(asOf).toISOString()}`],
          ] as const) {
            const lines = report.lines.filter((l) => l.itemId === item);
            const expectedLots = [...m.lots].filter(([, v]) => v.qty !== 0).map(([lot]) => lot).sort();
            expect(lines.map((l) => l.lot?.lotId ?? '').sort(), `${where}: lots ${when}`).toEqual(expectedLots);
            for (const line of lines) {
              const expected = m.lots.get(line.lot?.lotId ?? '')!;
              expect(line.qty, `${where}: quantity of lot ${line.lot?.code} ${when}`).toBe(expected.qty);
              expect(Math.abs(line.value - expected.value), `${where}: value of lot ${line.lot?.code} ${when}: ${line.value}, model ${expected.value}`).toBeLessThanOrEqual(tolerance);
            }
          }
        }
        expect((await checkLedger(get().db)).invariants.filter((inv) => !inv.ok)).toEqual([]);
      }),
      propertyParameters(`lot valuation model [${dialect}]`, 10),
    );
  });
});
