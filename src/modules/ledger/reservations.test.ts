import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { setItemStatus } from '../catalog/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import {
  balanceAt,
  findOrCreateLot,
  LedgerError,
  listReservationsOfDocument,
  listReservationsOfDocuments,
  postMovements,
  releaseExpiredReservations,
  releaseReservation,
  reserveStock,
  setReservationExpiry,
} from './index.ts';

// Far enough out that the expiry test below, on the same database, does not release it.
const YEAR = 365 * 24 * 60 * 60 * 1000;

async function refusal(promise: Promise<unknown>): Promise<LedgerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LedgerError);
  return error as LedgerError;
}

describeEachDatabase('reservations', (get) => {
  async function stocked(units: number) {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const bin = shop.warehouseBins[0]!;
    if (units > 0) {
      await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: `r-${item.id}`, movements: [{ itemId: item.id, fromLocationId: VIRTUAL_LOCATION_IDS.vendor, toLocationId: bin, qty: units * 1000 }] });
    }
    return { ctx, shop, item, bin };
  }

  it('records what it promises, to whom, until when', async () => {
    const { ctx, item, bin } = await stocked(5);
    const reservation = await reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 2000, documentType: 'order', documentId: 'ord-a', documentLineId: 'line-1', expiresAt: ctx.clock.now() + YEAR });
    expect(reservation).toMatchObject({ item_id: item.id, location_id: bin, lot_id: '', qty: 2000, document_type: 'order', document_id: 'ord-a', document_line_id: 'line-1', expires_at: ctx.clock.now() + YEAR });
    expect(reservation.id).toMatch(/^res_/);
    const stored = await listReservationsOfDocument(ctx, 'ord-a');
    expect(stored).toEqual([reservation]);
    const plain = await reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 1000, documentType: 'order', documentId: 'ord-b' });
    expect(plain).toMatchObject({ document_line_id: null, expires_at: null });
    expect(await balanceAt(get().db.kysely, item.id, bin)).toEqual({ onHand: 5000, reserved: 3000 });
  });

  it('says how much is short: what is asked and what is left after other promises', async () => {
    const { ctx, item, bin } = await stocked(5);
    await reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 3500, documentType: 'order', documentId: 'o1' });
    const short = await refusal(reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 2000, documentType: 'order', documentId: 'o2' }));
    expect(short).toMatchObject({ code: 'insufficient_stock', status: 409 });
    expect(short.extra?.shortfall).toEqual({ item_id: item.id, location_id: bin, lot_id: null, requested: 2, available: 1.5 });
    // Exactly what is left can be promised.
    await reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 1500, documentType: 'order', documentId: 'o3' });
    const empty = await stocked(0);
    const none = await refusal(reserveStock(empty.ctx, { itemId: empty.item.id, locationId: empty.bin, qty: 1000, documentType: 'order', documentId: 'o4' }));
    expect(none.extra?.shortfall).toMatchObject({ requested: 1, available: 0 });
  });

  it('refuses what cannot be reserved: no quantity, a site or virtual location, an item not stocked, the wrong lot', async () => {
    const { ctx, shop, item, bin } = await stocked(5);
    for (const qty of [0, -1000, 1.5]) {
      expect(await refusal(reserveStock(ctx, { itemId: item.id, locationId: bin, qty, documentType: 'order', documentId: 'x' }))).toMatchObject({ code: 'reservation_invalid' });
    }
    for (const locationId of [shop.warehouse.id, VIRTUAL_LOCATION_IDS.customer, 'loc_nothing']) {
      expect(await refusal(reserveStock(ctx, { itemId: item.id, locationId, qty: 1000, documentType: 'order', documentId: 'x' }))).toMatchObject({ code: 'reservation_invalid' });
    }
    const service = await makeItem(ctx, { stocked: false });
    expect(await refusal(reserveStock(ctx, { itemId: service.id, locationId: bin, qty: 1000, documentType: 'order', documentId: 'x' }))).toMatchObject({ code: 'item_not_stockable' });
    expect(await refusal(reserveStock(ctx, { itemId: 'itm_nothing', locationId: bin, qty: 1000, documentType: 'order', documentId: 'x' }))).toMatchObject({ code: 'item_not_stockable' });
    const archived = await makeItem(ctx);
    await setItemStatus(ctx, archived.id, 'archived');
    expect(await refusal(reserveStock(ctx, { itemId: archived.id, locationId: bin, qty: 1000, documentType: 'order', documentId: 'x' }))).toMatchObject({ code: 'item_not_stockable' });
    const lotted = await makeItem(ctx, { tracking: 'lot' });
    expect(await refusal(reserveStock(ctx, { itemId: lotted.id, locationId: bin, qty: 1000, documentType: 'order', documentId: 'x' }))).toMatchObject({ code: 'lot_required' });
    const lot = await get().db.kysely.transaction().execute((trx) => findOrCreateLot(trx, lotted.id, 'lot', { code: 'L1' }, ctx.clock.now()));
    expect(await refusal(reserveStock(ctx, { itemId: item.id, locationId: bin, lotId: lot.id, qty: 1000, documentType: 'order', documentId: 'x' }))).toMatchObject({ code: 'lot_invalid' });
    expect(await balanceAt(get().db.kysely, item.id, bin)).toEqual({ onHand: 5000, reserved: 0 });
  });

  it('releases part of a reservation, then the rest, and never more than is promised', async () => {
    const { ctx, item, bin } = await stocked(5);
    const reservation = await reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 4000, documentType: 'order', documentId: 'rel' });
    for (const qty of [0, -1000, 4001, 0.5]) expect(await refusal(releaseReservation(ctx, reservation.id, qty))).toMatchObject({ code: 'reservation_invalid' });
    expect(await releaseReservation(ctx, reservation.id, 1500)).toBe(2500);
    expect(await balanceAt(get().db.kysely, item.id, bin)).toEqual({ onHand: 5000, reserved: 2500 });
    expect((await listReservationsOfDocument(ctx, 'rel')).map((r) => r.qty)).toEqual([2500]);
    expect(await releaseReservation(ctx, reservation.id, 2500)).toBe(0);
    expect(await listReservationsOfDocument(ctx, 'rel')).toEqual([]);
    expect(await balanceAt(get().db.kysely, item.id, bin)).toEqual({ onHand: 5000, reserved: 0 });
    expect(await refusal(releaseReservation(ctx, reservation.id))).toMatchObject({ code: 'reservation_not_found', status: 404 });
  });

  it('lists the reservations of several documents at once, in id order', async () => {
    const { ctx, item, bin } = await stocked(5);
    const a = await reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 1000, documentType: 'order', documentId: 'many-a' });
    const b = await reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 1000, documentType: 'order', documentId: 'many-b' });
    await reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 1000, documentType: 'order', documentId: 'many-c' });
    expect(await listReservationsOfDocuments(get().db.kysely, [])).toEqual([]);
    expect((await listReservationsOfDocuments(get().db.kysely, ['many-b', 'many-a', 'many-b'])).map((r) => r.id)).toEqual([a.id, b.id].sort());
  });

  it('releases only reservations whose time is up, at most as many as asked, and keeps a paid order’s', async () => {
    const { ctx, item, bin } = await stocked(5);
    const now = ctx.clock.now();
    for (const [i, expiresAt] of [now + 1000, now + 1000, now + 1000, now + 5000].entries()) {
      await reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 1000, documentType: 'order', documentId: `exp-${i}`, expiresAt });
    }
    await reserveStock(ctx, { itemId: item.id, locationId: bin, qty: 1000, documentType: 'order', documentId: 'paid', expiresAt: now + 1000 });
    const paid = await setReservationExpiry(ctx, 'paid', null);
    expect(paid.map((r) => r.expires_at)).toEqual([null]);
    expect(paid).toStrictEqual(await listReservationsOfDocument(ctx, 'paid'));
    expect(await setReservationExpiry(ctx, 'nothing', null)).toEqual([]);
    ctx.clock.advance(999);
    expect(await releaseExpiredReservations(ctx)).toBe(0);
    ctx.clock.advance(1);
    expect(await releaseExpiredReservations(ctx, 2)).toBe(2);
    expect(await releaseExpiredReservations(ctx, 2)).toBe(1);
    expect(await releaseExpiredReservations(ctx)).toBe(0);
    expect(await balanceAt(get().db.kysely, item.id, bin)).toEqual({ onHand: 5000, reserved: 2000 });
    expect((await listReservationsOfDocument(ctx, 'paid')).map((r) => r.expires_at)).toEqual([null]);
  });
});
