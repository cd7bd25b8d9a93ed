import { expect, it } from 'vitest';
import { balanceAt, checkLedger, LedgerError, postMovements, reserveStock } from '../src/modules/ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../src/modules/locations/index.ts';
import type { ServiceContext } from '../src/platform/context.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem, makeShop } from './support/fixtures.ts';

/**
 * The strict-location guard on paths that take no other lock. A sale or a shipment crosses from
 * owned stock to a virtual location, so it locks the item's cost row first and postings of one
 * item queue there whatever the balance update does. A move from bin to bin stays inside owned
 * stock and a reservation moves nothing: only the conditional UPDATE of the balance stands
 * between them and an oversold bin. On PostgreSQL the calls below run on two pools at once; on
 * SQLite they queue for the one writer, which is correct too and must give the same answer.
 */
const UNIT = 1000;

function outcome(results: PromiseSettledResult<unknown>[]): { accepted: number; refusals: LedgerError[] } {
  const refusals = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as LedgerError);
  return { accepted: results.filter((r) => r.status === 'fulfilled').length, refusals };
}

function expectInsufficientStock(refusals: LedgerError[], count: number): void {
  expect(refusals).toHaveLength(count);
  for (const refusal of refusals) {
    expect(refusal).toBeInstanceOf(LedgerError);
    expect(refusal).toMatchObject({ code: 'insufficient_stock', status: 409 });
  }
}

describeEachDatabase(
  'strict bins under concurrency, with no cost lock to hide behind',
  (get) => {
    async function twoHandles(): Promise<[ServiceContext, ServiceContext]> {
      const other = get().dialect === 'postgres' ? await get().openAnother() : get().db;
      return [serviceContext(get().db), serviceContext(other)];
    }

    async function stockedBin(ctx: ServiceContext, units: number) {
      const shop = await makeShop(ctx);
      const item = await makeItem(ctx);
      const [from, to] = shop.warehouseBins as [string, string];
      await postMovements(ctx, {
        kind: 'receipt',
        documentType: 'test',
        documentId: `r-${item.id}`,
        movements: [{ itemId: item.id, fromLocationId: VIRTUAL_LOCATION_IDS.vendor, toLocationId: from, qty: units * UNIT, unitCostMicros: 1_000_000 }],
      });
      return { item, from, to };
    }

    it('30 moves of 1 out of a bin holding 10 to the next bin: exactly 10 move, 20 are refused with 409, nothing appears from nowhere', async () => {
      const contexts = await twoHandles();
      const { item, from, to } = await stockedBin(contexts[0], 10);
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          postMovements(contexts[i % 2]!, {
            kind: 'transfer',
            documentType: 'test',
            documentId: `move-${i}`,
            movements: [{ itemId: item.id, fromLocationId: from, toLocationId: to, qty: UNIT }],
          }),
        ),
      );
      const { accepted, refusals } = outcome(results);
      expect(accepted).toBe(10);
      expectInsufficientStock(refusals, 20);
      expect(await balanceAt(get().db.kysely, item.id, from)).toEqual({ onHand: 0, reserved: 0 });
      expect(await balanceAt(get().db.kysely, item.id, to)).toEqual({ onHand: 10 * UNIT, reserved: 0 });
      const negative = await get().db.kysely.selectFrom('balances').select('location_id').where('item_id', '=', item.id).where('location_id', 'in', [from, to]).where('on_hand', '<', 0).execute();
      expect(negative).toEqual([]);
      const moved = await get().db.kysely.selectFrom('movements').select('id').where('item_id', '=', item.id).where('kind', '=', 'transfer').execute();
      expect(moved).toHaveLength(10);
      expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
    });

    it('30 reservations of 1 against a bin holding 10: exactly 10 are promised, 20 refused with 409', async () => {
      const contexts = await twoHandles();
      const { item, from } = await stockedBin(contexts[0], 10);
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) => reserveStock(contexts[i % 2]!, { itemId: item.id, locationId: from, qty: UNIT, documentType: 'order', documentId: `ord-${i}` })),
      );
      const { accepted, refusals } = outcome(results);
      expect(accepted).toBe(10);
      expectInsufficientStock(refusals, 20);
      expect(await balanceAt(get().db.kysely, item.id, from)).toEqual({ onHand: 10 * UNIT, reserved: 10 * UNIT });
      const promised = await get().db.kysely.selectFrom('reservations').select((eb) => eb.fn.sum<number | string>('qty').as('qty')).where('item_id', '=', item.id).executeTakeFirstOrThrow();
      expect(Number(promised.qty)).toBe(10 * UNIT);
    });

    it('moves and reservations racing for one bin never promise or move more than it holds', async () => {
      const contexts = await twoHandles();
      const { item, from, to } = await stockedBin(contexts[0], 10);
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          i % 2
            ? reserveStock(contexts[0], { itemId: item.id, locationId: from, qty: UNIT, documentType: 'order', documentId: `mix-${i}` })
            : postMovements(contexts[1], { kind: 'transfer', documentType: 'test', documentId: `mix-${i}`, movements: [{ itemId: item.id, fromLocationId: from, toLocationId: to, qty: UNIT }] }),
        ),
      );
      const { accepted, refusals } = outcome(results);
      expect(accepted).toBe(10);
      expectInsufficientStock(refusals, 20);
      const left = await balanceAt(get().db.kysely, item.id, from);
      const arrived = await balanceAt(get().db.kysely, item.id, to);
      // What stayed is all promised; what left arrived next door; together the 10 there were.
      expect(left.onHand).toBe(left.reserved);
      expect(left.onHand + arrived.onHand).toBe(10 * UNIT);
      expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
    });

    it('10 postings racing to fulfil one reservation: one takes it, nine are refused as reservation_invalid, and the promise is spent once', async () => {
      const contexts = await twoHandles();
      const { item, from, to } = await stockedBin(contexts[0], 5);
      const held = await reserveStock(contexts[0], { itemId: item.id, locationId: from, qty: 2 * UNIT, documentType: 'order', documentId: `held-${item.id}` });
      // Each may read the reservation before another spends it; the guarded UPDATE of the
      // reservation is what refuses the late ones.
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          postMovements(contexts[i % 2]!, {
            kind: 'transfer',
            documentType: 'test',
            documentId: `fulfil-${i}`,
            movements: [{ itemId: item.id, fromLocationId: from, toLocationId: to, qty: 2 * UNIT, reservationId: held.id }],
          }),
        ),
      );
      const { accepted, refusals } = outcome(results);
      expect(accepted).toBe(1);
      expect(refusals).toHaveLength(9);
      for (const refusal of refusals) expect(refusal).toMatchObject({ code: 'reservation_invalid', status: 422 });
      expect(await balanceAt(get().db.kysely, item.id, from)).toEqual({ onHand: 3 * UNIT, reserved: 0 });
      expect(await balanceAt(get().db.kysely, item.id, to)).toEqual({ onHand: 2 * UNIT, reserved: 0 });
      expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
    });
  },
  { poolSize: 10 },
);
