import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { applyLandedCosts, checkLedger, LedgerError, listBalances, postMovements, releaseReservation, revalueItems, reserveStock } from '../src/modules/ledger/index.ts';
import { createLocation, updateLocation, VIRTUAL_LOCATION_IDS } from '../src/modules/locations/index.ts';
import { AppError } from '../src/platform/errors.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem } from './support/fixtures.ts';
import { propertyParameters } from './support/property.ts';

/**
 * Model-based: random sequences of adjustments (some back-dated, some with a cost), landed costs,
 * transfers, sales, reservations, shipments and location changes run through the services and,
 * side by side, through a model that is a few maps. After every step the ledger and costing
 * invariants hold (value on hand equals the open layers) and the balances equal the model; at
 * the end, balances as of random past instants equal the model's history and valuing movements
 * as they came gives what a full replay of each item gives.
 */

type Op =
  | { kind: 'adjust'; item: number; bin: number; qty: number; backdateMs: number; unitCost: number | null }
  | { kind: 'landed'; inbound: number; micros: number }
  | { kind: 'transfer'; item: number; from: number; to: number; qty: number }
  | { kind: 'sell'; item: number; bin: number; qty: number }
  | { kind: 'reserve'; item: number; bin: number; qty: number }
  | { kind: 'ship'; reservation: number; qty: number }
  | { kind: 'release'; reservation: number }
  | { kind: 'addBin' }
  | { kind: 'setPolicy'; strict: boolean };

const ITEMS = 3;
const qty = fc.integer({ min: 1, max: 6 }).map((n) => n * 500);
const index = fc.nat(20);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('adjust' as const), item: index, bin: index, qty: fc.integer({ min: -3000, max: 5000 }).filter((n) => n !== 0), backdateMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50_000 })), unitCost: fc.option(fc.integer({ min: 0, max: 5_000_000 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('landed' as const), inbound: index, micros: fc.integer({ min: 1, max: 3_000_000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('transfer' as const), item: index, from: index, to: index, qty }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sell' as const), item: index, bin: index, qty }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('reserve' as const), item: index, bin: index, qty }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ship' as const), reservation: index, qty }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), reservation: index }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'addBin' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setPolicy' as const), strict: fc.boolean() }) },
);

interface Cell {
  onHand: number;
  reserved: number;
}

class Model {
  cells = new Map<string, Cell>();
  /** (effective instant, item, bin, delta) of every posted change, for as-of answers. */
  history: Array<{ at: number; item: string; bin: string; delta: number }> = [];
  reservations: Array<{ id: string; item: string; bin: string; qty: number }> = [];
  cell(item: string, bin: string): Cell {
    const key = `${item}|${bin}`;
    let cell = this.cells.get(key);
    if (!cell) this.cells.set(key, (cell = { onHand: 0, reserved: 0 }));
    return cell;
  }
  move(item: string, bin: string, delta: number, at: number) {
    this.cell(item, bin).onHand += delta;
    this.history.push({ at, item, bin, delta });
  }
  onHandAsOf(item: string, bins: string[], at: number): number {
    return this.history.filter((h) => h.item === item && bins.includes(h.bin) && h.at <= at).reduce((s, h) => s + h.delta, 0);
  }
}

describeEachDatabase('ledger model', (get, dialect) => {
  it('agrees with a simple model after every step of random sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 30 }), fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), async (ops, probes) => {
        const ctx = serviceContext(get().db);
        const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
        const site = await createLocation(ctx, { kind: 'site', code: `M${tag}`, name: 'Model site', site_type: 'warehouse' });
        const bins = [site.default_bin_id!];
        let strict = true;
        const items = [];
        for (let i = 0; i < ITEMS; i += 1) items.push((await makeItem(ctx)).id);
        const model = new Model();
        const inbound: string[] = [];
        const start = ctx.clock.now();

        for (const op of ops) {
          ctx.clock.advance(1000);
          const now = ctx.clock.now();
          const item = 'item' in op ? items[op.item % ITEMS]! : '';
          let expectRefusal = false;
          let attempt: () => Promise<unknown>;
          let apply: (result: unknown) => void = () => {};
          switch (op.kind) {
            case 'adjust': {
              const bin = bins[op.bin % bins.length]!;
              const cell = model.cell(item, bin);
              const at = now - Math.min(op.backdateMs, now - start);
              expectRefusal = strict && op.qty < 0 && cell.onHand - cell.reserved + op.qty < 0;
              const unitCost = op.qty > 0 && op.unitCost !== null ? { unit_cost: op.unitCost } : {};
              attempt = () => createAdjustment(ctx, { location_id: bin, reason: 'correction', effective_at: at, lines: [{ item_id: item, qty: op.qty, ...unitCost }] });
              apply = (adjustment) => {
                model.move(item, bin, op.qty, at);
                if (op.qty > 0) inbound.push((adjustment as { txn_id: string }).txn_id);
              };
              break;
            }
            case 'landed': {
              const txn = inbound[op.inbound % Math.max(1, inbound.length)];
              if (!txn) continue;
              attempt = async () => {
                const movement = await get().db.kysely.selectFrom('movements').select('id').where('txn_id', '=', txn).executeTakeFirstOrThrow();
                await applyLandedCosts(ctx, [{ movementId: movement.id, micros: op.micros }]);
              };
              break;
            }
            case 'transfer': {
              const from = bins[op.from % bins.length]!;
              const to = bins[op.to % bins.length]!;
              if (from === to) continue;
              const cell = model.cell(item, from);
              expectRefusal = strict && cell.onHand - cell.reserved < op.qty;
              attempt = () => postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: 'tr', movements: [{ itemId: item, fromLocationId: from, toLocationId: to, qty: op.qty }] });
              apply = () => {
                model.move(item, from, -op.qty, now);
                model.move(item, to, op.qty, now);
              };
              break;
            }
            case 'sell': {
              const bin = bins[op.bin % bins.length]!;
              const cell = model.cell(item, bin);
              expectRefusal = strict && cell.onHand - cell.reserved < op.qty;
              attempt = () => postMovements(ctx, { kind: 'sale', documentType: 'test', documentId: 'sale', movements: [{ itemId: item, fromLocationId: bin, toLocationId: VIRTUAL_LOCATION_IDS.customer, qty: op.qty }] });
              apply = () => model.move(item, bin, -op.qty, now);
              break;
            }
            case 'reserve': {
              const bin = bins[op.bin % bins.length]!;
              const cell = model.cell(item, bin);
              expectRefusal = cell.onHand - cell.reserved < op.qty;
              attempt = () => reserveStock(ctx, { itemId: item, locationId: bin, qty: op.qty, documentType: 'test', documentId: 'ord' });
              apply = (r) => {
                cell.reserved += op.qty;
                model.reservations.push({ id: (r as { id: string }).id, item, bin, qty: op.qty });
              };
              break;
            }
            case 'ship': {
              const reservation = model.reservations[op.reservation % Math.max(1, model.reservations.length)];
              if (!reservation) continue;
              const take = Math.min(op.qty, reservation.qty);
              attempt = () =>
                postMovements(ctx, {
                  kind: 'shipment',
                  documentType: 'test',
                  documentId: 'ord',
                  movements: [{ itemId: reservation.item, fromLocationId: reservation.bin, toLocationId: VIRTUAL_LOCATION_IDS.customer, qty: take, reservationId: reservation.id }],
                });
              apply = () => {
                model.move(reservation.item, reservation.bin, -take, now);
                model.cell(reservation.item, reservation.bin).reserved -= take;
                reservation.qty -= take;
                if (reservation.qty === 0) model.reservations.splice(model.reservations.indexOf(reservation), 1);
              };
              break;
            }
            case 'release': {
              const reservation = model.reservations[op.reservation % Math.max(1, model.reservations.length)];
              if (!reservation) continue;
              attempt = () => releaseReservation(ctx, reservation.id);
              apply = () => {
                model.cell(reservation.item, reservation.bin).reserved -= reservation.qty;
                model.reservations.splice(model.reservations.indexOf(reservation), 1);
              };
              break;
            }
            case 'addBin': {
              attempt = () => createLocation(ctx, { kind: 'bin', parent_id: site.id, code: `B${bins.length}`, name: `Bin ${bins.length}` });
              apply = (bin) => bins.push((bin as { id: string }).id);
              break;
            }
            case 'setPolicy': {
              const anyNegative = [...model.cells.values()].some((c) => c.onHand < 0);
              expectRefusal = op.strict && anyNegative;
              attempt = () => updateLocation(ctx, site.id, { negative_stock: op.strict ? 'strict' : 'allow' });
              apply = () => {
                strict = op.strict;
              };
              break;
            }
          }
          const outcome = await attempt().then(
            (result) => ({ ok: true as const, result }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          if (outcome.ok) {
            expect(expectRefusal, `${op.kind} should have been refused`).toBe(false);
            apply(outcome.result);
          } else {
            if (!expectRefusal) throw outcome.error;
            expect(outcome.error).toBeInstanceOf(AppError);
            expect(['insufficient_stock', 'location_policy_not_settable']).toContain((outcome.error as LedgerError).code);
          }

          const report = await checkLedger(get().db);
          expect(report.invariants.filter((i) => !i.ok)).toEqual([]);
          const actual = await listBalances(ctx, { locationId: site.id, groupBy: 'none', includeVirtual: false, limit: 500 });
          const expected = [...model.cells.entries()]
            .filter(([, c]) => c.onHand !== 0 || c.reserved !== 0)
            .map(([key, c]) => `${key}|${c.onHand}|${c.reserved}`)
            .sort();
          expect(actual.lines.map((l) => `${l.itemId}|${l.locationId}|${l.onHand}|${l.reserved}`).sort()).toEqual(expected);
        }

        // Valuing as movements arrive gives what replaying each item's history from scratch gives.
        expect(await revalueItems(ctx, items)).toBe(0);

        // As of random past instants, each item's stock at the site equals the model's history.
        const end = ctx.clock.now();
        for (const probe of probes) {
          const at = start + (probe % (end - start + 1));
          const asOf = await listBalances(ctx, { locationId: site.id, asOf: at, groupBy: 'item', includeVirtual: false, limit: 500 });
          const got = new Map(asOf.lines.map((l) => [l.itemId, l.onHand]));
          for (const item of items) expect(got.get(item) ?? 0).toBe(model.onHandAsOf(item, bins, at));
        }
      }),
      propertyParameters(`ledger model [${dialect}]`, 12),
    );
  });
});
