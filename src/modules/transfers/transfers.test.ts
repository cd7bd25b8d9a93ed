import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop, type Shop } from '../../../test/support/fixtures.ts';
import { $, q } from '../../../test/support/shop.ts';
import type { Actor, ServiceContext } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { balanceAt, checkLedger, reserveStock } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { inventoryValuation } from '../reports/index.ts';
import { moveBetweenBins } from './bin-moves.service.ts';
import { pickTransfer } from './transfer-picking.service.ts';
import { closeTransfer, receiveTransfer } from './transfer-receiving.service.ts';
import { shipTransfer } from './transfer-shipping.service.ts';
import { checkTransit } from './transfers-check.service.ts';
import { createTransferBody } from './transfers.schema.ts';
import { acceptTransfer, cancelTransfer, createTransfer, getTransfer, listTransfers } from './transfers.service.ts';

const transit = VIRTUAL_LOCATION_IDS.transit;

async function stock(ctx: ServiceContext, bin: string, itemId: string, units: number, unitCost: string, lot?: { code: string; expires?: string }) {
  await createAdjustment(ctx, {
    location_id: bin,
    reason: 'opening_balance',
    lines: [{ item_id: itemId, qty: q(units), unit_cost: $(unitCost), ...(lot ? { lot_code: lot.code, ...(lot.expires ? { expires_on: lot.expires } : {}) } : {}) }],
  });
}

function transferBody(shop: Shop, lines: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  return createTransferBody.parse({ source_site_id: shop.warehouse.id, destination_site_id: shop.store.id, lines, ...extra });
}

async function allInvariantsHold(db: Database) {
  const failed = [...(await checkLedger(db)).invariants, ...(await checkTransit(db))].filter((i) => !i.ok);
  expect(failed).toEqual([]);
}

const granted = (id: string, role: Actor['role'], sites: string[]): Actor => ({ kind: 'user', id, label: id, role, sites: new Set(sites) });

describeEachDatabase('transfers', (get) => {
  it('ships from a strict warehouse into transit and receives at the store, the stock keeping its cost', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await stock(ctx, shop.warehouseBins[0]!, item.id, 10, '2.00');
    await stock(ctx, shop.warehouseBins[0]!, item.id, 10, '3.00');
    const valueBefore = (await inventoryValuation(ctx, {})).totalValue;

    const draft = await createTransfer(ctx, transferBody(shop, [{ item_id: item.id, qty: 12 }], { note: 'Weekend top-up' }));
    expect(draft.transfer).toMatchObject({ status: 'draft', number: expect.stringMatching(/^TRF-\d{6}$/), destination_bin_id: shop.storeBin });
    expect(draft.allocations).toMatchObject([{ location_id: shop.warehouseBins[0], qty: q(12), reservation_id: expect.any(String) }]);
    expect(await balanceAt(get().db.kysely, item.id, shop.warehouseBins[0]!)).toEqual({ onHand: q(20), reserved: q(12) });

    const shipped = await shipTransfer(ctx, draft.transfer.id, {});
    expect(shipped.transfer.status).toBe('in_transit');
    expect(await balanceAt(get().db.kysely, item.id, shop.warehouseBins[0]!)).toEqual({ onHand: q(8), reserved: 0 });
    expect(await balanceAt(get().db.kysely, item.id, transit)).toEqual({ onHand: q(12), reserved: 0 });
    // Cost layers are per item across every owned location, transit included: shipping re-values nothing.
    expect((await inventoryValuation(ctx, {})).totalValue).toBe(valueBefore);
    const inTransitValue = (await inventoryValuation(ctx, { locationId: transit })).totalValue;
    const warehouseValue = (await inventoryValuation(ctx, { locationId: shop.warehouse.id })).totalValue;
    expect(inTransitValue + warehouseValue).toBe(valueBefore);
    expect(inTransitValue).toBe($('30.00')); // 12 of 20 at an average of 2.50
    expect(shipped.lines[0]).toMatchObject({ qty_shipped: q(12), value_shipped_micros: $('30.00') });

    const received = await receiveTransfer(ctx, draft.transfer.id, {});
    expect(received.transfer.status).toBe('received');
    expect(received.discrepancies).toEqual([]);
    expect(await balanceAt(get().db.kysely, item.id, transit)).toEqual({ onHand: 0, reserved: 0 });
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin)).toEqual({ onHand: q(12), reserved: 0 });
    expect((await inventoryValuation(ctx, {})).totalValue).toBe(valueBefore);
    expect((await inventoryValuation(ctx, { locationId: shop.store.id })).totalValue).toBe($('30.00'));
    expect(received.lines[0]).toMatchObject({ qty_received: q(12), value_received_micros: $('30.00') });

    const closed = await closeTransfer(ctx, draft.transfer.id);
    expect(closed.transfer.status).toBe('closed');
    expect(closed.postings.map((p) => p.kind)).toEqual(['shipment', 'receipt', 'close']);
    const moved = await get().db.kysely.selectFrom('movements').selectAll().where('document_id', '=', draft.transfer.id).orderBy('id').execute();
    expect(moved.map((m) => [m.kind, m.reason, m.from_location_id, m.to_location_id, m.qty])).toEqual([
      ['transfer', 'transfer_shipped', shop.warehouseBins[0], transit, q(12)],
      ['transfer', 'transfer_received', transit, shop.storeBin, q(12)],
    ]);
    await allInvariantsHold(get().db);
  });

  it('refuses a transfer the strict warehouse cannot cover, with 409 insufficient_stock and nothing written', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await stock(ctx, shop.warehouseBins[0]!, item.id, 5, '1.00');
    await expect(createTransfer(ctx, transferBody(shop, [{ item_id: item.id, qty: 6 }]))).rejects.toMatchObject({ code: 'insufficient_stock', status: 409 });
    expect(await get().db.kysely.selectFrom('transfers').select('id').where('source_site_id', '=', shop.warehouse.id).execute()).toEqual([]);
    expect(await balanceAt(get().db.kysely, item.id, shop.warehouseBins[0]!)).toEqual({ onHand: q(5), reserved: 0 });
  });

  it('respects reservations: what an order holds is not available to a transfer', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await stock(ctx, shop.warehouseBins[0]!, item.id, 10, '1.00');
    await reserveStock(ctx, { itemId: item.id, locationId: shop.warehouseBins[0]!, qty: q(7), documentType: 'order', documentId: 'ord_TEST' });
    await expect(createTransfer(ctx, transferBody(shop, [{ item_id: item.id, qty: 4 }]))).rejects.toMatchObject({ code: 'insufficient_stock' });
    const ok = await createTransfer(ctx, transferBody(shop, [{ item_id: item.id, qty: 3 }]));
    await shipTransfer(ctx, ok.transfer.id, {});
    expect(await balanceAt(get().db.kysely, item.id, shop.warehouseBins[0]!)).toEqual({ onHand: q(7), reserved: q(7) });
  });

  it('ships and receives in parts, flags short, damaged and over, refuses over beyond tolerance and writes off what never arrives', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await stock(ctx, shop.warehouseBins[0]!, item.id, 30, '4.00');
    const t = await createTransfer(ctx, transferBody(shop, [{ item_id: item.id, qty: 20 }], { over_tolerance: 10 }));
    const lineId = t.lines[0]!.id;

    const first = await shipTransfer(ctx, t.transfer.id, { lines: [{ line_id: lineId, qty: q(12) }] });
    expect(first.transfer.status).toBe('in_transit');
    expect(await balanceAt(get().db.kysely, item.id, shop.warehouseBins[0]!)).toEqual({ onHand: q(18), reserved: q(8) });
    await expect(shipTransfer(ctx, t.transfer.id, { lines: [{ line_id: lineId, qty: q(9) }] })).rejects.toMatchObject({ code: 'transfer_line_invalid', status: 422 });

    // 12 in transit: 8 good and 1 damaged arrive; 3 are still on the way.
    const partial = await receiveTransfer(ctx, t.transfer.id, { lines: [{ line_id: lineId, qty: q(8), damaged_qty: q(1) }] });
    expect(partial.discrepancies.map((d) => [d.kind, d.qty])).toEqual([
      ['damaged', q(1)],
      ['short', q(3)],
    ]);
    expect(await balanceAt(get().db.kysely, item.id, VIRTUAL_LOCATION_IDS.scrap)).toMatchObject({ onHand: q(1) });
    expect(await balanceAt(get().db.kysely, item.id, transit)).toEqual({ onHand: q(3), reserved: 0 });
    expect(partial.transfer.status).toBe('in_transit');

    await shipTransfer(ctx, t.transfer.id, {});
    expect(await balanceAt(get().db.kysely, item.id, transit)).toEqual({ onHand: q(11), reserved: 0 });
    // 11 in transit, 20 shipped, 10% tolerance: 2 over is allowed, 3 is not.
    const before = await get().db.kysely.selectFrom('movements').select('id').where('document_id', '=', t.transfer.id).execute();
    await expect(receiveTransfer(ctx, t.transfer.id, { lines: [{ line_id: lineId, qty: q(14) }] })).rejects.toMatchObject({ code: 'transfer_over_receipt', status: 422 });
    expect(await get().db.kysely.selectFrom('movements').select('id').where('document_id', '=', t.transfer.id).execute()).toHaveLength(before.length);
    // 10 of the 11 arrive, and 2 more than that on another count: 1 is over, nothing is short.
    await receiveTransfer(ctx, t.transfer.id, { lines: [{ line_id: lineId, qty: q(9) }] });
    const over = await receiveTransfer(ctx, t.transfer.id, { lines: [{ line_id: lineId, qty: q(3) }] });
    expect(over.discrepancies.filter((d) => d.kind === 'over').map((d) => d.qty)).toEqual([q(1)]);
    expect(over.lines[0]).toMatchObject({ qty_shipped: q(20), qty_received: q(20), qty_over: q(1), qty_damaged: q(1), qty_lost: 0 });
    expect(over.transfer.status).toBe('received');
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin)).toEqual({ onHand: q(20), reserved: 0 });
    // Carried value: shipped = received from transit + damaged + lost + in transit, to the micro.
    const line = over.lines[0]!;
    expect(line.value_shipped_micros).toBe($('80.00'));
    expect(line.value_received_micros + line.value_damaged_micros + line.value_lost_micros).toBe(line.value_shipped_micros);
    await allInvariantsHold(get().db);
  });

  it('closing writes off what is still in transit as lost and releases what never shipped', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await stock(ctx, shop.warehouseBins[0]!, item.id, 10, '1.50');
    const t = await createTransfer(ctx, transferBody(shop, [{ item_id: item.id, qty: 10 }]));
    await shipTransfer(ctx, t.transfer.id, { lines: [{ item_id: item.id, qty: q(6) }] });
    await receiveTransfer(ctx, t.transfer.id, { lines: [{ item_id: item.id, qty: q(5) }] });
    const closed = await closeTransfer(ctx, t.transfer.id, 'Box lost by the courier');
    expect(closed.transfer.status).toBe('closed');
    expect(closed.lines[0]).toMatchObject({ qty_lost: q(1), value_lost_micros: $('1.50') });
    expect(closed.discrepancies.map((d) => d.kind)).toEqual(['short', 'lost']);
    expect(await balanceAt(get().db.kysely, item.id, transit)).toEqual({ onHand: 0, reserved: 0 });
    expect(await balanceAt(get().db.kysely, item.id, shop.warehouseBins[0]!)).toEqual({ onHand: q(4), reserved: 0 });
    expect(await balanceAt(get().db.kysely, item.id, VIRTUAL_LOCATION_IDS.adjustment)).toMatchObject({ onHand: expect.any(Number) });
    await expect(receiveTransfer(ctx, t.transfer.id, {})).rejects.toMatchObject({ code: 'transfer_state', status: 409 });
    await allInvariantsHold(get().db);
  });

  it('picks the soonest-expiring lot first and the lots travel with the stock', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { tracking: 'lot', tracks_expiry: true });
    await stock(ctx, shop.warehouseBins[0]!, item.id, 5, '1.00', { code: 'LATE', expires: '2027-06-30' });
    await stock(ctx, shop.warehouseBins[1]!, item.id, 4, '1.00', { code: 'SOON', expires: '2027-01-31' });
    const t = await createTransfer(ctx, transferBody(shop, [{ item_id: item.id, qty: 6 }]));
    expect(t.allocations.map((a) => [a.lotCode, a.qty])).toEqual([
      ['SOON', q(4)],
      ['LATE', q(2)],
    ]);
    await shipTransfer(ctx, t.transfer.id, {});
    const shipped = await getTransfer(ctx, t.transfer.id);
    expect(shipped.lines[0]!.inTransit.map((x) => [x.lotCode, x.qty]).sort()).toEqual([
      ['LATE', q(2)],
      ['SOON', q(4)],
    ]);
    const received = await receiveTransfer(ctx, t.transfer.id, { lines: [{ item_id: item.id, lot_code: 'SOON', qty: q(4) }, { item_id: item.id, lot_code: 'LATE', qty: q(1), damaged_qty: q(1) }] });
    expect(received.transfer.status).toBe('received');
    const soon = shipped.allocations.find((a) => a.lotCode === 'SOON')!.lot_id;
    const late = shipped.allocations.find((a) => a.lotCode === 'LATE')!.lot_id;
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin, soon)).toEqual({ onHand: q(4), reserved: 0 });
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin, late)).toEqual({ onHand: q(1), reserved: 0 });
    expect(await balanceAt(get().db.kysely, item.id, VIRTUAL_LOCATION_IDS.scrap, late)).toMatchObject({ onHand: q(1) });
    await expect(receiveTransfer(ctx, t.transfer.id, { lines: [{ item_id: item.id, lot_code: 'OTHER', qty: q(1) }] })).rejects.toMatchObject({ code: 'transfer_state' });
    await allInvariantsHold(get().db);
  });

  it('records pick scans against the allocations and refuses picking more than allocated', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { barcodes: ['4006381333931'] });
    await stock(ctx, shop.warehouseBins[0]!, item.id, 5, '1.00');
    const t = await createTransfer(ctx, transferBody(shop, [{ item_id: item.id, qty: 2 }]));
    const one = await pickTransfer(ctx, t.transfer.id, { code: '4006381333931' });
    expect(one.picked).toMatchObject({ sku: item.sku, qty: q(1) });
    expect(one.transfer.transfer.status).toBe('draft');
    const two = await pickTransfer(ctx, t.transfer.id, { code: item.sku });
    expect(two.transfer.transfer.status).toBe('picked');
    await expect(pickTransfer(ctx, t.transfer.id, { code: '4006381333931' })).rejects.toMatchObject({ code: 'transfer_pick_invalid', status: 422 });
    await expect(pickTransfer(ctx, t.transfer.id, { code: 'NO-SUCH-THING' })).rejects.toMatchObject({ code: 'transfer_pick_invalid' });
    const shipped = await shipTransfer(ctx, t.transfer.id, {});
    expect(shipped.lines[0]!.qty_shipped).toBe(q(2));
  });

  it('lets a store ask for stock, the warehouse fulfil it, and each side act only on its own', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await stock(ctx, shop.warehouseBins[0]!, item.id, 10, '1.00');
    const storeClerk = { ...ctx, actor: granted('usr_STORE', 'staff', [shop.store.id]) };
    const warehouseClerk = { ...ctx, actor: granted('usr_WH', 'staff', [shop.warehouse.id]) };
    const stranger = { ...ctx, actor: granted('usr_OTHER', 'manager', []) };

    const asked = await createTransfer(storeClerk, transferBody(shop, [{ item_id: item.id, qty: 3 }]));
    expect(asked.transfer).toMatchObject({ status: 'requested', requested_by: 'usr_STORE' });
    expect(asked.allocations).toEqual([]);
    await expect(acceptTransfer(storeClerk, asked.transfer.id)).rejects.toMatchObject({ code: 'transfer_side_forbidden', status: 403 });
    await expect(getTransfer(stranger, asked.transfer.id)).rejects.toMatchObject({ code: 'transfer_not_found', status: 404 });
    expect((await listTransfers(stranger, { limit: 50 })).records.map((r) => r.transfer.id)).not.toContain(asked.transfer.id);
    expect((await listTransfers(warehouseClerk, { limit: 50 })).records.map((r) => r.transfer.id)).toContain(asked.transfer.id);

    await acceptTransfer(warehouseClerk, asked.transfer.id);
    await expect(shipTransfer(storeClerk, asked.transfer.id, {})).rejects.toMatchObject({ code: 'transfer_side_forbidden' });
    await shipTransfer(warehouseClerk, asked.transfer.id, {});
    await expect(receiveTransfer(warehouseClerk, asked.transfer.id, {})).rejects.toMatchObject({ code: 'transfer_side_forbidden' });
    const received = await receiveTransfer(storeClerk, asked.transfer.id, { close: true });
    expect(received.transfer.status).toBe('closed');
    await expect(createTransfer(stranger, transferBody(shop, [{ item_id: item.id, qty: 1 }]))).rejects.toMatchObject({ code: 'forbidden', status: 403 });
  });

  it('cancels a transfer before it ships and releases its reservations', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await stock(ctx, shop.warehouseBins[0]!, item.id, 4, '1.00');
    const t = await createTransfer(ctx, transferBody(shop, [{ item_id: item.id, qty: 4 }]));
    const cancelled = await cancelTransfer(ctx, t.transfer.id);
    expect(cancelled.transfer.status).toBe('cancelled');
    expect(await balanceAt(get().db.kysely, item.id, shop.warehouseBins[0]!)).toEqual({ onHand: q(4), reserved: 0 });
    await expect(shipTransfer(ctx, t.transfer.id, {})).rejects.toMatchObject({ code: 'transfer_state' });
  });

  it('moves stock between bins of one site in one step, never below what a strict bin holds or has promised', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const [overstock, pickFace] = shop.warehouseBins as [string, string];
    await stock(ctx, overstock, item.id, 10, '1.00');
    await reserveStock(ctx, { itemId: item.id, locationId: overstock, qty: q(3), documentType: 'order', documentId: 'ord_TEST2' });
    const moved = await moveBetweenBins(ctx, { from_location_id: overstock, to_location_id: pickFace, reason: 'replenish', lines: [{ item_id: item.id, qty: q(6) }] });
    expect(moved.number).toMatch(/^MOV-\d{6}$/);
    expect(await balanceAt(get().db.kysely, item.id, pickFace)).toEqual({ onHand: q(6), reserved: 0 });
    await expect(moveBetweenBins(ctx, { from_location_id: overstock, to_location_id: pickFace, reason: 'replenish', lines: [{ item_id: item.id, qty: q(2) }] })).rejects.toMatchObject({
      code: 'insufficient_stock',
      status: 409,
    });
    await expect(moveBetweenBins(ctx, { from_location_id: pickFace, to_location_id: shop.storeBin, reason: 'other', lines: [{ item_id: item.id, qty: q(1) }] })).rejects.toMatchObject({
      code: 'bin_move_invalid',
    });
    expect(await balanceAt(get().db.kysely, item.id, overstock)).toEqual({ onHand: q(4), reserved: q(3) });
    await allInvariantsHold(get().db);
  });

  it('sends a serial number as itself and the destination receives that serial', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { tracking: 'serial' });
    await stock(ctx, shop.warehouseBins[0]!, item.id, 1, '120.00', { code: 'SN-001' });
    await stock(ctx, shop.warehouseBins[0]!, item.id, 1, '120.00', { code: 'SN-002' });
    const t = await createTransfer(ctx, transferBody(shop, [{ item_id: item.id, qty: 1, lot_code: 'SN-002' }]));
    await shipTransfer(ctx, t.transfer.id, {});
    await receiveTransfer(ctx, t.transfer.id, { lines: [{ item_id: item.id, lot_code: 'SN-002', qty: q(1) }] });
    const lot = t.allocations[0]!.lot_id;
    expect(t.allocations[0]!.lotCode).toBe('SN-002');
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin, lot)).toEqual({ onHand: q(1), reserved: 0 });
    await allInvariantsHold(get().db);
  });
});
