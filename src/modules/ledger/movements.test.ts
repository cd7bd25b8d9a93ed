import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { TouchedRecords } from '../../platform/context.ts';
import { balanceAt, findOrCreateLot, hasMovements, LedgerError, listMovementsOfDocuments, postMovements, registerStockObserver, reserveStock, type StockTouch } from './index.ts';

const { customer, scrap, vendor } = VIRTUAL_LOCATION_IDS;

async function refusal(promise: Promise<unknown>): Promise<LedgerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LedgerError);
  return error as LedgerError;
}

describeEachDatabase('balance updates', (get) => {
  it('refuses to take anything out of a strict bin that never held the item, saying none is there', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const [from, to] = shop.warehouseBins as [string, string];
    const error = await refusal(postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: 'empty', movements: [{ itemId: item.id, fromLocationId: from, toLocationId: to, qty: 1500 }] }));
    expect(error).toMatchObject({ code: 'insufficient_stock', status: 409 });
    expect(error.extra?.shortfall).toEqual({ item_id: item.id, location_id: from, lot_id: null, requested: 1.5, available: 0 });
    expect(await balanceAt(get().db.kysely, item.id, to)).toEqual({ onHand: 0, reserved: 0 });
  });

  it('empties a strict bin to exactly zero, and flags nothing negative doing so', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const bin = shop.warehouseBins[0]!;
    const receipt = await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'in', movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: bin, qty: 2000, unitCostMicros: 1_000_000 }] });
    // The vendor side goes below zero with every receipt; only physical balances are flagged.
    expect(receipt.negativeBalances).toEqual([]);
    const out = await postMovements(ctx, { kind: 'shipment', documentType: 'test', documentId: 'out', movements: [{ itemId: item.id, fromLocationId: bin, toLocationId: customer, qty: 2000 }] });
    expect(out.negativeBalances).toEqual([]);
    expect(await balanceAt(get().db.kysely, item.id, bin)).toEqual({ onHand: 0, reserved: 0 });
  });

  it('sells an allow-negative store bin down to exactly zero without a flag, and one more with one', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'in', movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: shop.storeBin, qty: 1000, unitCostMicros: 1_000_000 }] });
    const sale = (id: string) => postMovements(ctx, { kind: 'sale', documentType: 'test', documentId: id, movements: [{ itemId: item.id, fromLocationId: shop.storeBin, toLocationId: customer, qty: 1000 }] });
    expect((await sale('s1')).negativeBalances).toEqual([]);
    expect((await sale('s2')).negativeBalances).toEqual([{ itemId: item.id, locationId: shop.storeBin, lotId: '', onHand: -1000 }]);
  });

  it('counts what is promised as not there: the shortfall is on hand less reserved', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const [from, to] = shop.warehouseBins as [string, string];
    await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'in', movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: from, qty: 5000, unitCostMicros: 1_000_000 }] });
    await reserveStock(ctx, { itemId: item.id, locationId: from, qty: 2000, documentType: 'order', documentId: 'held' });
    const error = await refusal(postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: 'too-much', movements: [{ itemId: item.id, fromLocationId: from, toLocationId: to, qty: 4000 }] }));
    expect(error.extra?.shortfall).toMatchObject({ requested: 4, available: 3 });
  });

  it('keeps lots of a lot-tracked item in any quantity: only a serial number is one unit', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { tracking: 'lot' });
    const lot = await get().db.kysely.transaction().execute((trx) => findOrCreateLot(trx, item.id, 'lot', { code: 'BATCH-1' }, ctx.clock.now()));
    const [a, b] = shop.warehouseBins as [string, string];
    await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'lot-in', movements: [{ itemId: item.id, lotId: lot.id, fromLocationId: vendor, toLocationId: a, qty: 5000, unitCostMicros: 1_000_000 }] });
    await postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: 'lot-move', movements: [{ itemId: item.id, lotId: lot.id, fromLocationId: a, toLocationId: b, qty: 2000 }] });
    expect(await balanceAt(get().db.kysely, item.id, b, lot.id)).toEqual({ onHand: 2000, reserved: 0 });
  });

  it('nets the movements of one posting per balance: there and back again leaves the bins as they were', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const [a, b] = shop.warehouseBins as [string, string];
    await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'in', movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: a, qty: 1000, unitCostMicros: 1_000_000 }] });
    // Three units out of a bin holding one: refused one by one, fine as a net change of zero.
    await postMovements(ctx, {
      kind: 'transfer',
      documentType: 'test',
      documentId: 'round',
      movements: [
        { itemId: item.id, fromLocationId: b, toLocationId: a, qty: 3000 },
        { itemId: item.id, fromLocationId: a, toLocationId: b, qty: 3000 },
      ],
    });
    expect(await balanceAt(get().db.kysely, item.id, a)).toEqual({ onHand: 1000, reserved: 0 });
    expect(await balanceAt(get().db.kysely, item.id, b)).toEqual({ onHand: 0, reserved: 0 });
    const rows = await get().db.kysely.selectFrom('balances').select('location_id').where('item_id', '=', item.id).where('location_id', '=', b).execute();
    expect(rows).toEqual([]);
  });
});

describeEachDatabase('what a posting touched, and the movements of documents', (get) => {
  it('tells the audit log each item, bin and site a posting touched, once, leaving virtual locations out', async () => {
    const touched = new TouchedRecords();
    const ctx = { ...serviceContext(get().db), touched };
    const shop = await makeShop(ctx);
    const [a, b] = [await makeItem(ctx), await makeItem(ctx)];
    const bin = shop.warehouseBins[0]!;
    await postMovements(ctx, {
      kind: 'receipt',
      documentType: 'test',
      documentId: 'touch',
      movements: [
        { itemId: a.id, fromLocationId: vendor, toLocationId: bin, qty: 2000, unitCostMicros: 1_000_000 },
        { itemId: b.id, fromLocationId: vendor, toLocationId: bin, qty: 1000, unitCostMicros: 1_000_000 },
        { itemId: a.id, fromLocationId: vendor, toLocationId: shop.storeBin, qty: 1000, unitCostMicros: 1_000_000 },
      ],
    });
    expect(touched.records).toEqual([
      { type: 'item', id: a.id },
      { type: 'item', id: b.id },
      { type: 'location', id: bin },
      { type: 'site', id: shop.warehouse.id },
      { type: 'location', id: shop.storeBin },
      { type: 'site', id: shop.store.id },
    ]);
  });

  it('lists the movements of several documents in the order they were recorded, and answers whether an item ever moved', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const [moved, never] = [await makeItem(ctx), await makeItem(ctx)];
    const receive = (documentId: string, qty: number) =>
      postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId, movements: [{ itemId: moved.id, fromLocationId: vendor, toLocationId: shop.storeBin, qty, unitCostMicros: 1_000_000 }] });
    const first = await receive(`docs-${moved.id}-1`, 1000);
    ctx.clock.advance(1000);
    const second = await receive(`docs-${moved.id}-2`, 2000);
    await receive(`docs-${moved.id}-3`, 3000);
    const listed = await listMovementsOfDocuments(get().db.kysely, [`docs-${moved.id}-2`, `docs-${moved.id}-1`, `docs-${moved.id}-2`]);
    expect(listed.map((m) => m.id)).toEqual([first.movements[0]!.id, second.movements[0]!.id]);
    expect(await listMovementsOfDocuments(get().db.kysely, [])).toEqual([]);
    expect(await hasMovements(get().db.kysely, moved.id)).toBe(true);
    expect(await hasMovements(get().db.kysely, never.id)).toBe(false);
  });
});

describeEachDatabase('reservations consumed by a posting', (get) => {
  it('fulfils a reservation in a posting that brings the stock straight back, releasing the promise and deleting the spent reservation', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const [a, b] = shop.warehouseBins as [string, string];
    await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'in', movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: a, qty: 5000, unitCostMicros: 1_000_000 }] });
    const held = await reserveStock(ctx, { itemId: item.id, locationId: a, qty: 2000, documentType: 'order', documentId: 'held' });
    // Bin a's on hand nets to zero; only its reserved quantity changes.
    await postMovements(ctx, {
      kind: 'transfer',
      documentType: 'test',
      documentId: 'round',
      movements: [
        { itemId: item.id, fromLocationId: a, toLocationId: b, qty: 2000, reservationId: held.id },
        { itemId: item.id, fromLocationId: b, toLocationId: a, qty: 2000 },
      ],
    });
    expect(await balanceAt(get().db.kysely, item.id, a)).toEqual({ onHand: 5000, reserved: 0 });
    expect(await get().db.kysely.selectFrom('reservations').select('id').where('item_id', '=', item.id).execute()).toEqual([]);
  });

  it('never refuses a sale at an allow-negative store, even one that consumes a reservation and sells past the stock', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'in', movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: shop.storeBin, qty: 1000, unitCostMicros: 1_000_000 }] });
    const held = await reserveStock(ctx, { itemId: item.id, locationId: shop.storeBin, qty: 1000, documentType: 'order', documentId: 'held' });
    const sale = await postMovements(ctx, {
      kind: 'sale',
      documentType: 'test',
      documentId: 'past-stock',
      movements: [
        { itemId: item.id, fromLocationId: shop.storeBin, toLocationId: customer, qty: 1000, reservationId: held.id },
        { itemId: item.id, fromLocationId: shop.storeBin, toLocationId: customer, qty: 2000 },
      ],
    });
    expect(sale.negativeBalances).toEqual([{ itemId: item.id, locationId: shop.storeBin, lotId: '', onHand: -2000 }]);
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin)).toEqual({ onHand: -2000, reserved: 0 });
  });
});

describeEachDatabase('what a posting records and tells', (get) => {
  it('keeps the document cost of goods written off on arrival, and records none for stock moving between owned bins', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const [a, b] = shop.warehouseBins as [string, string];
    const damaged = await postMovements(ctx, {
      kind: 'receipt',
      documentType: 'test',
      documentId: 'damaged',
      movements: [
        { itemId: item.id, fromLocationId: vendor, toLocationId: scrap, qty: 3000, unitCostMicros: 2_000_000 },
        { itemId: item.id, fromLocationId: vendor, toLocationId: scrap, qty: 1000 },
      ],
    });
    expect(damaged.txnId).toMatch(/^txn_/);
    expect(damaged.movements.map((m) => [m.id.slice(0, 4), m.unit_cost_micros, m.value_micros])).toEqual([
      ['mov_', 2_000_000, 6_000_000],
      ['mov_', null, null],
    ]);
    await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'in', movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: a, qty: 1000, unitCostMicros: 1_000_000 }] });
    // A cost given with a move inside owned stock is not the document's to set.
    const moved = await postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: 'move', movements: [{ itemId: item.id, fromLocationId: a, toLocationId: b, qty: 1000, unitCostMicros: 5_000_000 }] });
    expect(moved.movements.map((m) => [m.unit_cost_micros, m.value_micros])).toEqual([[null, null]]);
  });

  it('tells stock observers each physical bin whose stock changed, leaving virtual locations out', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const seen: StockTouch[] = [];
    // Observers stay registered for the file; this one keeps only what concerns its own item.
    registerStockObserver({ name: 'movements-test', stockChanged: async (_trx, touches) => void seen.push(...touches.filter((t) => t.itemId === item.id)) });
    await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'in', movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: shop.storeBin, qty: 1000, unitCostMicros: 1_000_000 }] });
    expect(seen).toEqual([{ itemId: item.id, locationId: shop.storeBin }]);
  });

  it('writes a posting of more than 500 movements and balances in bounded statements, each row once', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const [a, b] = shop.warehouseBins as [string, string];
    const items = [];
    for (let i = 0; i < 251; i += 1) items.push(await makeItem(ctx));
    // 502 movements, 753 balances (vendor, a and b for each item).
    const posted = await postMovements(ctx, {
      kind: 'receipt',
      documentType: 'test',
      documentId: 'big',
      movements: items.flatMap((item) => [a, b].map((bin) => ({ itemId: item.id, fromLocationId: vendor, toLocationId: bin, qty: 1000, unitCostMicros: 1_000_000 }))),
    });
    const written = await get().db.kysely.selectFrom('movements').select((eb) => eb.fn.countAll<number | string>().as('n')).where('txn_id', '=', posted.txnId).executeTakeFirstOrThrow();
    expect(Number(written.n)).toBe(502);
    expect(await balanceAt(get().db.kysely, items[250]!.id, b)).toEqual({ onHand: 1000, reserved: 0 });
    expect(await balanceAt(get().db.kysely, items[0]!.id, vendor)).toEqual({ onHand: -2000, reserved: 0 });
  });
});
