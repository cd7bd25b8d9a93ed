import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { checkLedger } from '../src/modules/ledger/index.ts';
import { inventoryValuation } from '../src/modules/reports/index.ts';
import {
  cancelTransfer,
  checkTransit,
  closeTransfer,
  createTransfer,
  getTransfer,
  moveBetweenBins,
  pickTransfer,
  receiveTransfer,
  shipTransfer,
} from '../src/modules/transfers/index.ts';
import { createTransferBody } from '../src/modules/transfers/transfers.schema.ts';
import type { ServiceContext } from '../src/platform/context.ts';
import type { Database } from '../src/platform/db/database.ts';
import { AppError } from '../src/platform/errors.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem, makeShop, type Shop } from './support/fixtures.ts';

/**
 * Random sequences of stock arriving at the warehouse, theft at the store, bin moves, and
 * transfers created, picked, shipped (in parts), received (in parts, with damage and over),
 * closed and cancelled. A step either succeeds or is refused with a known code and writes
 * nothing. After every step: the ledger's invariants and the transit invariants hold, what the
 * warehouse has reserved is exactly what open transfers still have to ship, and the shop's owned
 * value moved only by what left it as damaged or lost (transfers carry cost, they never re-value).
 */

type Op =
  | { kind: 'stock'; item: number; bin: number; units: number; cost: number }
  | { kind: 'theft'; item: number; units: number }
  | { kind: 'move'; item: number; from: number; units: number }
  | { kind: 'create'; item: number; units: number }
  | { kind: 'pick'; transfer: number; units: number }
  | { kind: 'ship'; transfer: number; units: number | null }
  | { kind: 'receive'; transfer: number; good: number; damaged: number }
  | { kind: 'close'; transfer: number }
  | { kind: 'cancel'; transfer: number };

const ITEMS = 2;
const small = fc.integer({ min: 1, max: 6 });
const index = fc.nat(9);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('stock' as const), item: index, bin: index, units: small, cost: fc.integer({ min: 1, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('theft' as const), item: index, units: small }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move' as const), item: index, from: index, units: small }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('create' as const), item: index, units: small }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pick' as const), transfer: index, units: small }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ship' as const), transfer: index, units: fc.option(small) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('receive' as const), transfer: index, good: fc.integer({ min: 0, max: 5 }), damaged: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), transfer: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), transfer: index }) },
);

const REFUSALS = new Set([
  'insufficient_stock',
  'transfer_state',
  'transfer_pick_invalid',
  'transfer_line_invalid',
  'transfer_nothing_to_ship',
  'transfer_receive_invalid',
  'transfer_over_receipt',
]);

async function ownedValue(ctx: ServiceContext): Promise<number> {
  return (await inventoryValuation(ctx, {})).totalValue;
}

/** What left owned stock in movements of these transfers to scrap or the adjustment location (damaged, lost). */
async function valueWrittenOff(db: Database, transferIds: string[]): Promise<number> {
  if (transferIds.length === 0) return 0;
  const rows = await db.kysely
    .selectFrom('movements')
    .select('value_micros')
    .where('document_id', 'in', transferIds)
    .where('from_location_id', '=', 'loc_transit')
    .where('to_location_id', 'in', ['loc_scrap', 'loc_adjustment'])
    .execute();
  return rows.reduce((s, r) => s + Number(r.value_micros ?? 0), 0);
}

async function reservedMatchesOpenTransfers(db: Database, shop: Shop): Promise<void> {
  const reserved = await db.kysely.selectFrom('balances').select(['item_id', 'location_id', 'lot_id', 'reserved']).where('location_id', 'in', shop.warehouseBins).where('reserved', '<>', 0).execute();
  const owed = await db.kysely
    .selectFrom('transfer_allocations as a')
    .innerJoin('transfer_lines as l', 'l.id', 'a.line_id')
    .innerJoin('transfers as t', 't.id', 'a.transfer_id')
    .select(['l.item_id', 'a.location_id', 'a.qty', 'a.qty_shipped'])
    .where('t.status', 'in', ['draft', 'picked', 'in_transit', 'received'])
    .where('a.location_id', 'in', shop.warehouseBins)
    .execute();
  const expected = new Map<string, number>();
  for (const a of owed) {
    const key = `${a.item_id}|${a.location_id}`;
    expected.set(key, (expected.get(key) ?? 0) + a.qty - a.qty_shipped);
  }
  const actual = new Map(reserved.map((r) => [`${r.item_id}|${r.location_id}`, r.reserved]));
  for (const [key, qty] of expected) if (qty === 0) expected.delete(key);
  expect(actual).toEqual(expected);
}

describeEachDatabase('transfers, property-based', (get) => {
  it('random transfer sequences keep the ledger, transit and reservations consistent and re-value nothing', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 22 }), async (ops) => {
        const ctx = serviceContext(get().db);
        const shop = await makeShop(ctx);
        const items = await Promise.all(Array.from({ length: ITEMS }, () => makeItem(ctx)));
        const transfers: string[] = [];
        // Some stock to start from, at two costs, so that most transfers can be made.
        for (const [i, item] of items.entries()) {
          for (const [b, bin] of shop.warehouseBins.entries()) {
            await createAdjustment(ctx, { location_id: bin, reason: 'opening_balance', lines: [{ item_id: item.id, qty: (4 + i + b) * 1000, unit_cost: (2 + b) * 1_000_000 }] });
          }
        }
        for (const op of ops) {
          ctx.clock.advance(60_000);
          const item = items[('item' in op ? op.item : 0) % ITEMS]!;
          // Mostly the latest few transfers, so that sequences carry one transfer through its whole life.
          const pickTransferId = (n: number) => transfers[Math.max(0, transfers.length - 1 - (n % 3))];
          const before = await ownedValue(ctx);
          const writtenOffBefore = await valueWrittenOff(get().db, transfers);
          let valueMoved = false;
          try {
            switch (op.kind) {
              case 'stock':
                await createAdjustment(ctx, { location_id: shop.warehouseBins[op.bin % 2]!, reason: 'opening_balance', lines: [{ item_id: item.id, qty: op.units * 1000, unit_cost: op.cost * 1_000_000 }] });
                valueMoved = true; // brought in: not a transfer's doing
                break;
              case 'theft':
                await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'theft', lines: [{ item_id: item.id, qty: -op.units * 1000 }] });
                valueMoved = true;
                break;
              case 'move':
                await moveBetweenBins(ctx, { from_location_id: shop.warehouseBins[op.from % 2]!, to_location_id: shop.warehouseBins[(op.from + 1) % 2]!, reason: 'other', lines: [{ item_id: item.id, qty: op.units * 1000 }] });
                break;
              case 'create': {
                const t = await createTransfer(ctx, createTransferBody.parse({ source_site_id: shop.warehouse.id, destination_site_id: shop.store.id, lines: [{ item_id: item.id, qty: op.units }] }));
                transfers.push(t.transfer.id);
                break;
              }
              case 'pick': {
                const id = pickTransferId(op.transfer);
                if (!id) continue;
                const t = await getTransfer(ctx, id);
                await pickTransfer(ctx, id, { item_id: t.lines[0]!.item_id, qty: op.units * 1000 });
                break;
              }
              case 'ship': {
                const id = pickTransferId(op.transfer);
                if (!id) continue;
                const t = await getTransfer(ctx, id);
                await shipTransfer(ctx, id, op.units === null ? {} : { lines: [{ line_id: t.lines[0]!.id, qty: op.units * 1000 }] });
                break;
              }
              case 'receive': {
                const id = pickTransferId(op.transfer);
                if (!id) continue;
                const t = await getTransfer(ctx, id);
                valueMoved = op.good + op.damaged > t.lines[0]!.inTransit.reduce((s, x) => s + x.qty, 0) / 1000;
                await receiveTransfer(ctx, id, { lines: [{ line_id: t.lines[0]!.id, qty: op.good * 1000, damaged_qty: op.damaged * 1000 }] });
                break;
              }
              case 'close': {
                const id = pickTransferId(op.transfer);
                if (!id) continue;
                await closeTransfer(ctx, id);
                break;
              }
              case 'cancel': {
                const id = pickTransferId(op.transfer);
                if (!id) continue;
                await cancelTransfer(ctx, id);
                break;
              }
            }
          } catch (error) {
            if (!(error instanceof AppError) || !REFUSALS.has(error.code)) throw error;
            // Refused: nothing was written, so nothing was re-valued either.
          }
          const failed = [...(await checkLedger(get().db)).invariants, ...(await checkTransit(get().db))].filter((i) => !i.ok);
          expect(failed, `${JSON.stringify(op)}`).toEqual([]);
          await reservedMatchesOpenTransfers(get().db, shop);
          if (!valueMoved) {
            const writtenOff = (await valueWrittenOff(get().db, transfers)) - writtenOffBefore;
            expect(before - (await ownedValue(ctx)), `${JSON.stringify(op)}`).toBe(writtenOff);
          }
        }
      }),
      { numRuns: 12, endOnFailure: true },
    );
  });
});
