import { describe, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { expectLedgerError } from '../../../test/support/ledger-errors.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import {
  balanceAt,
  checkLedger,
  findOrCreateLot,
  listBalances,
  listMovements,
  LedgerError,
  postMovements,
  releaseExpiredReservations,
  releaseReservation,
  reserveStock,
} from './index.ts';

const { adjustment, customer, vendor } = VIRTUAL_LOCATION_IDS;

function receive(itemId: string, to: string, qty: number, extra: Record<string, unknown> = {}) {
  return { kind: 'receipt' as const, documentType: 'test', documentId: `doc-${Math.random()}`, movements: [{ itemId, fromLocationId: vendor, toLocationId: to, qty, ...extra }] };
}

describeEachDatabase('ledger', (get, dialect) => {
  // SQLite serializes writers through one connection per process (other processes wait on the
  // file lock; the reliability suite runs two); PostgreSQL gets a second pool.
  const secondHandle = async () => (dialect === 'postgres' ? get().openAnother() : get().db);

  it('posts movements and keeps the bin and its virtual counterpart in balance', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const posted = await postMovements(ctx, receive(item.id, shop.warehouseBins[0]!, 5000, { unitCostMicros: 2_000_000 }));
    expect(posted.movements).toHaveLength(1);
    expect(posted.movements[0]!.value_micros).toBe(10_000_000);
    expect(await balanceAt(get().db.kysely, item.id, shop.warehouseBins[0]!)).toEqual({ onHand: 5000, reserved: 0 });
    expect(await balanceAt(get().db.kysely, item.id, vendor)).toEqual({ onHand: -5000, reserved: 0 });
  });

  it('refuses a shipment that would take a strict bin below zero, and writes nothing', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const other = await makeItem(ctx);
    const bin = shop.warehouseBins[0]!;
    await postMovements(ctx, receive(item.id, bin, 3000));
    const error = await expectLedgerError(
      postMovements(ctx, {
        kind: 'shipment',
        documentType: 'test',
        documentId: 'ship-1',
        movements: [
          { itemId: other.id, fromLocationId: vendor, toLocationId: bin, qty: 1000 },
          { itemId: item.id, fromLocationId: bin, toLocationId: customer, qty: 4000 },
        ],
      }),
      'insufficient_stock',
    );
    expect(error.status).toBe(409);
    expect(error.extra?.shortfall).toEqual({ item_id: item.id, location_id: bin, lot_id: null, requested: 4, available: 3 });
    expect(await balanceAt(get().db.kysely, item.id, bin)).toEqual({ onHand: 3000, reserved: 0 });
    expect(await balanceAt(get().db.kysely, other.id, bin)).toEqual({ onHand: 0, reserved: 0 });
  });

  it('posts a counter sale at an allow-negative store and flags the negative balance', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const posted = await postMovements(ctx, {
      kind: 'sale',
      documentType: 'test',
      documentId: 'sale-1',
      movements: [{ itemId: item.id, fromLocationId: shop.storeBin, toLocationId: customer, qty: 2000 }],
    });
    expect(posted.negativeBalances).toEqual([{ itemId: item.id, locationId: shop.storeBin, lotId: '', onHand: -2000 }]);
  });

  it('validates the whole batch before writing any of it', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const notStocked = await makeItem(ctx, { stocked: false });
    const error = await expectLedgerError(
      postMovements(ctx, {
        kind: 'adjustment',
        documentType: 'test',
        documentId: 'adj-x',
        movements: [
          { itemId: item.id, fromLocationId: adjustment, toLocationId: shop.storeBin, qty: 1000 },
          { itemId: notStocked.id, fromLocationId: adjustment, toLocationId: shop.storeBin, qty: 1000 },
          { itemId: item.id, fromLocationId: shop.storeBin, toLocationId: shop.storeBin, qty: 1000 },
          { itemId: item.id, fromLocationId: shop.store.id, toLocationId: customer, qty: 1000 },
          { itemId: item.id, fromLocationId: adjustment, toLocationId: customer, qty: 1000 },
          { itemId: item.id, fromLocationId: adjustment, toLocationId: shop.storeBin, qty: 0 },
        ],
      }),
      'item_not_stockable',
    );
    expect(error.errors?.map((e) => `${e.field}:${e.code}`)).toEqual([
      'movements.1.item_id:not_stocked',
      'movements.2.to_location_id:same_location',
      'movements.3.from_location_id:not_stockable',
      'movements.4.to_location_id:virtual_only',
      'movements.5.qty:out_of_range',
    ]);
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin)).toEqual({ onHand: 0, reserved: 0 });
  });

  it('requires a lot for a lot-tracked item and moves serials one at a time', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const lotted = await makeItem(ctx, { tracking: 'lot', tracks_expiry: true });
    const serial = await makeItem(ctx, { tracking: 'serial' });
    await expectLedgerError(postMovements(ctx, receive(lotted.id, shop.storeBin, 1000)), 'lot_required');
    const lot = await get().db.kysely.transaction().execute((trx) => findOrCreateLot(trx, lotted.id, 'lot', { code: 'L1', expiresOn: '2027-01-31' }, ctx.clock.now()));
    await postMovements(ctx, receive(lotted.id, shop.storeBin, 5000, { lotId: lot.id }));
    expect(await balanceAt(get().db.kysely, lotted.id, shop.storeBin, lot.id)).toEqual({ onHand: 5000, reserved: 0 });
    const sn = await get().db.kysely.transaction().execute((trx) => findOrCreateLot(trx, serial.id, 'serial', { code: 'SN-1' }, ctx.clock.now()));
    await expectLedgerError(postMovements(ctx, receive(serial.id, shop.storeBin, 2000, { lotId: sn.id })), 'movement_invalid');
    await expectLedgerError(postMovements(ctx, receive(serial.id, shop.storeBin, 1000, { lotId: lot.id })), 'lot_invalid');
    await postMovements(ctx, receive(serial.id, shop.storeBin, 1000, { lotId: sn.id }));
  });

  it('keeps a serial number on hand in one place at most', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const serial = await makeItem(ctx, { tracking: 'serial' });
    const sn = await get().db.kysely.transaction().execute((trx) => findOrCreateLot(trx, serial.id, 'serial', { code: 'SN-9' }, ctx.clock.now()));
    const bin = shop.warehouseBins[0]!;
    await postMovements(ctx, receive(serial.id, shop.storeBin, 1000, { lotId: sn.id }));
    const second = await expectLedgerError(postMovements(ctx, receive(serial.id, bin, 1000, { lotId: sn.id })), 'serial_in_stock');
    expect(second.extra).toMatchObject({ serial: 'SN-9', lot_id: sn.id });
    expect(await balanceAt(get().db.kysely, serial.id, bin, sn.id)).toEqual({ onHand: 0, reserved: 0 });
    // Moving it, selling it and taking it back in are all still one unit.
    await postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: 'tr-sn', movements: [{ itemId: serial.id, lotId: sn.id, fromLocationId: shop.storeBin, toLocationId: bin, qty: 1000 }] });
    await postMovements(ctx, { kind: 'sale', documentType: 'test', documentId: 'sale-sn', movements: [{ itemId: serial.id, lotId: sn.id, fromLocationId: bin, toLocationId: customer, qty: 1000 }] });
    await postMovements(ctx, { kind: 'return', documentType: 'test', documentId: 'ret-sn', movements: [{ itemId: serial.id, lotId: sn.id, fromLocationId: customer, toLocationId: shop.storeBin, qty: 1000 }] });
    await expectLedgerError(postMovements(ctx, { kind: 'adjustment', documentType: 'test', documentId: 'adj-sn', movements: [{ itemId: serial.id, lotId: sn.id, fromLocationId: adjustment, toLocationId: bin, qty: 1000 }] }), 'serial_in_stock');
  });

  it('reserves only what is available, consumes on shipment and releases the rest', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const bin = shop.warehouseBins[0]!;
    await postMovements(ctx, receive(item.id, bin, 10_000));
    const order = { documentType: 'order', documentId: 'ord-1' };
    const r1 = await reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 6000, ...order });
    await expectLedgerError(reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 5000, ...order }), 'insufficient_stock');
    // Reserved stock cannot leave by another door.
    await expectLedgerError(
      postMovements(ctx, { kind: 'transfer', documentType: 't', documentId: 't1', movements: [{ itemId: item.id, fromLocationId: bin, toLocationId: shop.warehouseBins[1]!, qty: 5000 }] }),
      'insufficient_stock',
    );
    await postMovements(ctx, {
      kind: 'shipment',
      documentType: 'order',
      documentId: 'ord-1',
      movements: [{ itemId: item.id, fromLocationId: bin, toLocationId: customer, qty: 4000, reservationId: r1.id }],
    });
    expect(await balanceAt(get().db.kysely, item.id, bin)).toEqual({ onHand: 6000, reserved: 2000 });
    await expectLedgerError(
      postMovements(ctx, {
        kind: 'shipment',
        documentType: 'order',
        documentId: 'ord-1',
        movements: [{ itemId: item.id, fromLocationId: bin, toLocationId: customer, qty: 3000, reservationId: r1.id }],
      }),
      'reservation_invalid',
    );
    expect(await releaseReservation(ctx, r1.id)).toBe(0);
    expect(await balanceAt(get().db.kysely, item.id, bin)).toEqual({ onHand: 6000, reserved: 0 });
    await expectLedgerError(releaseReservation(ctx, r1.id), 'reservation_not_found');
  });

  it('releases reservations whose time is up', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const bin = shop.warehouseBins[0]!;
    await postMovements(ctx, receive(item.id, bin, 2000));
    await reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 2000, documentType: 'order', documentId: 'o', expiresAt: ctx.clock.now() + 60_000 });
    expect(await releaseExpiredReservations(ctx)).toBe(0);
    ctx.clock.advance(61_000);
    expect(await releaseExpiredReservations(ctx)).toBe(1);
    expect(await balanceAt(get().db.kysely, item.id, bin)).toEqual({ onHand: 2000, reserved: 0 });
  });

  it('answers balances as of a past instant, and a site includes its bins', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const [bin1, bin2] = shop.warehouseBins as [string, string];
    const t0 = ctx.clock.now();
    await postMovements(ctx, receive(item.id, bin1, 5000));
    ctx.clock.advance(1000);
    const t1 = ctx.clock.now();
    await postMovements(ctx, receive(item.id, bin2, 7000));
    ctx.clock.advance(1000);
    // A back-dated adjustment: recorded now, effective between t0 and t1.
    await postMovements(ctx, { kind: 'adjustment', documentType: 't', documentId: 'late', effectiveAt: t0 + 500, movements: [{ itemId: item.id, fromLocationId: bin1, toLocationId: adjustment, qty: 1000 }] });

    const at = async (asOf: number | undefined, locationId = shop.warehouse.id) =>
      (await listBalances(ctx, { itemId: item.id, locationId, asOf, groupBy: 'item', includeVirtual: false, limit: 10 })).lines.map((l) => l.onHand);
    expect(await at(undefined)).toEqual([11_000]);
    expect(await at(t0 - 1)).toEqual([]);
    expect(await at(t0)).toEqual([5000]);
    expect(await at(t0 + 500)).toEqual([4000]);
    expect(await at(t1)).toEqual([11_000]);
    expect(await at(t1, bin2)).toEqual([7000]);
    expect(await at(t0, shop.store.id)).toEqual([]);

    const perBin = await listBalances(ctx, { itemId: item.id, locationId: shop.warehouse.id, groupBy: 'none', includeVirtual: false, limit: 1 });
    expect(perBin.lines).toHaveLength(1);
    const next = await listBalances(ctx, { itemId: item.id, locationId: shop.warehouse.id, groupBy: 'none', includeVirtual: false, limit: 1, cursor: perBin.nextCursor! });
    expect([...perBin.lines, ...next.lines].map((l) => [l.locationId, l.onHand]).sort()).toEqual([[bin1, 4000], [bin2, 7000]].sort());
    expect(next.nextCursor).toBeNull();
  });

  it('pages a whole site as of a past instant, item by item, leaving out what stood at zero', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const items = [];
    for (let i = 0; i < 5; i += 1) items.push(await makeItem(ctx));
    const [bin1, bin2] = shop.warehouseBins as [string, string];
    // Items 0–2 in stock before t; item 3 only after; item 4 in stock, then sold out after t.
    for (const [i, item] of items.entries()) if (i !== 3) await postMovements(ctx, receive(item.id, i % 2 ? bin2 : bin1, (i + 1) * 1000));
    ctx.clock.advance(1000);
    const t = ctx.clock.now();
    ctx.clock.advance(1000);
    await postMovements(ctx, receive(items[3]!.id, bin1, 9000));
    await postMovements(ctx, receive(items[0]!.id, bin2, 500));
    await postMovements(ctx, { kind: 'adjustment', documentType: 't', documentId: 'gone', movements: [{ itemId: items[4]!.id, fromLocationId: bin1, toLocationId: adjustment, qty: 5000 }] });

    const lines = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listBalances(ctx, { locationId: shop.warehouse.id, asOf: t, groupBy: 'item', includeVirtual: false, limit: 2, cursor });
      expect(page.lines.length).toBeLessThanOrEqual(2);
      lines.push(...page.lines);
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 10);
    const ours = new Map(items.map((item, i) => [item.id, i]));
    const seen = lines.filter((l) => ours.has(l.itemId)).map((l) => [ours.get(l.itemId), l.onHand]);
    expect(seen.sort()).toEqual([
      [0, 1000],
      [1, 2000],
      [2, 3000],
      [4, 5000],
    ]);
    // Every line once, in item order across pages.
    expect(lines.map((l) => l.itemId)).toEqual([...new Set(lines.map((l) => l.itemId))].sort());
  });

  it('lists movement history newest first with filters and pages', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    for (let i = 1; i <= 5; i += 1) {
      await postMovements(ctx, receive(item.id, shop.warehouseBins[i % 2]!, i * 1000));
      ctx.clock.advance(1000);
    }
    const first = await listMovements(ctx, { itemId: item.id, locationId: shop.warehouse.id, limit: 2 });
    expect(first.lines.map((l) => l.qty)).toEqual([5000, 4000]);
    expect(first.lines.every((l) => l.direction === 'in')).toBe(true);
    const second = await listMovements(ctx, { itemId: item.id, locationId: shop.warehouse.id, limit: 2, cursor: first.nextCursor! });
    expect(second.lines.map((l) => l.qty)).toEqual([3000, 2000]);
    const bin = await listMovements(ctx, { itemId: item.id, locationId: shop.warehouseBins[1]!, limit: 10 });
    expect(bin.lines.map((l) => l.qty)).toEqual([5000, 3000, 1000]);
    const vendorSide = await listMovements(ctx, { itemId: item.id, locationId: vendor, limit: 10 });
    expect(vendorSide.lines.every((l) => l.direction === 'out')).toBe(true);
  });

  it('checks the invariants and names the one broken by a hand-edited balance', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await postMovements(ctx, receive(item.id, shop.warehouseBins[0]!, 1000));
    expect((await checkLedger(get().db)).ok).toBe(true);
    await get().db.kysely.updateTable('balances').set({ on_hand: 999 }).where('item_id', '=', item.id).where('location_id', '=', shop.warehouseBins[0]!).execute();
    const report = await checkLedger(get().db);
    expect(report.ok).toBe(false);
    expect(report.invariants.filter((i) => !i.ok).map((i) => i.name).sort()).toEqual(['balances_match_ledger', 'conservation', 'costed_quantity_matches_stock']);
    await get().db.kysely.updateTable('balances').set({ on_hand: 1000 }).where('item_id', '=', item.id).where('location_id', '=', shop.warehouseBins[0]!).execute();
  });

  describe('under concurrency', () => {
    it('never takes a strict bin below zero when many post at once', async () => {
      const ctx = serviceContext(get().db);
      const shop = await makeShop(ctx);
      const item = await makeItem(ctx);
      const bin = shop.warehouseBins[0]!;
      await postMovements(ctx, receive(item.id, bin, 10_000));
      // A second handle: on SQLite another connection to the file, on PostgreSQL another pool.
      const other = await secondHandle();
      const contexts = [ctx, serviceContext(other)];
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          postMovements(contexts[i % 2]!, {
            kind: 'shipment',
            documentType: 'test',
            documentId: `c-${i}`,
            movements: [{ itemId: item.id, fromLocationId: bin, toLocationId: customer, qty: 1000 }],
          }),
        ),
      );
      const accepted = results.filter((r) => r.status === 'fulfilled').length;
      const refused = results.filter((r) => r.status === 'rejected');
      expect(accepted).toBe(10);
      for (const r of refused) expect(((r as PromiseRejectedResult).reason as LedgerError).code).toBe('insufficient_stock');
      expect(await balanceAt(get().db.kysely, item.id, bin)).toEqual({ onHand: 0, reserved: 0 });
    });

    it('loses no update at an allow-negative store', async () => {
      const ctx = serviceContext(get().db);
      const shop = await makeShop(ctx);
      const item = await makeItem(ctx);
      const other = await secondHandle();
      const contexts = [ctx, serviceContext(other)];
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          postMovements(contexts[i % 2]!, {
            kind: 'sale',
            documentType: 'test',
            documentId: `s-${i}`,
            movements: [{ itemId: item.id, fromLocationId: shop.storeBin, toLocationId: customer, qty: 1000 }],
          }),
        ),
      );
      expect(await balanceAt(get().db.kysely, item.id, shop.storeBin)).toEqual({ onHand: -30_000, reserved: 0 });
      expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
    });
  });
});
