import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { $, q } from '../../../test/support/shop.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { balanceAt, checkLedger, listMovements } from '../ledger/index.ts';
import { createLocation, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { cancelOrder, createChannel, createOrder, getOrder, recordOrderProgress } from '../sales/index.ts';
import { createOrderBody } from '../sales/orders.schema.ts';
import { FulfillmentError } from './fulfillment.errors.ts';
import { cancelShipment, createPickLists, deliverShipment, getPickList, getShipment, listShipmentsOfOrder, markPicked, packShipment, shipShipment } from './index.ts';

describeEachDatabase('fulfillment', (get) => {
  let counter = 0;

  async function setup() {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    // A third bin, walked first.
    const front = await createLocation(ctx, { kind: 'bin', parent_id: shop.warehouse.id, code: 'F1', name: 'Front', pick_order: 0 });
    const scarf = await makeItem(ctx, { price: $('30.00'), unit_weight_g: q(200) });
    const mug = await makeItem(ctx, { price: $('12.00') });
    await createAdjustment(ctx, { location_id: shop.warehouseBins[1]!, reason: 'opening_balance', lines: [{ item_id: scarf.id, qty: q(2), unit_cost: $('11.00') }] });
    await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', lines: [{ item_id: scarf.id, qty: q(1), unit_cost: $('11.00') }] });
    await createAdjustment(ctx, { location_id: front.id, reason: 'opening_balance', lines: [{ item_id: mug.id, qty: q(4), unit_cost: $('4.00') }] });
    const channel = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [shop.warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const taken = await createOrder(
      ctx,
      createOrderBody.parse({ channel_id: channel.id, channel_order_id: `F-${Date.now()}-${(counter += 1)}`, lines: [{ item_id: scarf.id, qty: 3 }, { item_id: mug.id, qty: 2 }] }),
    );
    return { ctx, shop, front, scarf, mug, order: taken.record };
  }

  it('picks in walking order, packs two parcels, ships part, cancels the rest and is delivered', async () => {
    const { ctx, shop, front, scarf, mug, order } = await setup();
    const [scarfLine, mugLine] = order.lines as [(typeof order.lines)[0], (typeof order.lines)[0]];
    const [list] = await createPickLists(ctx, order.order.id);
    expect(list!.lines.map((l) => [l.location_id, l.item_id, l.qty])).toEqual([
      [front.id, mug.id, q(2)],
      [shop.warehouseBins[0]!, scarf.id, q(1)],
      [shop.warehouseBins[1]!, scarf.id, q(2)],
    ]);
    await expect(createPickLists(ctx, order.order.id)).rejects.toMatchObject({ code: 'nothing_to_pick' });
    await expect(packShipment(ctx, list!.list.id, { packages: [{ weight_g: q(500), lines: [{ order_line_id: mugLine.id, qty: q(1) }] }] })).rejects.toMatchObject({ code: 'pick_list_state' });
    await markPicked(ctx, list!.list.id);

    // Two scarves and both mugs go now, in two parcels; the third scarf later, or never.
    const shipment = await packShipment(ctx, list!.list.id, {
      packages: [
        { weight_g: q(450), lines: [{ order_line_id: scarfLine.id, qty: q(2) }] },
        { weight_g: q(900.5), lines: [{ order_line_id: mugLine.id, qty: q(2) }] },
      ],
    });
    expect(shipment.shipment.status).toBe('packed');
    expect(shipment.lines[0]!.parts.map((p) => [p.location_id, p.qty])).toEqual([
      [shop.warehouseBins[0]!, q(1)],
      [shop.warehouseBins[1]!, q(1)],
    ]);
    let now = await getOrder(ctx, order.order.id);
    expect(now.lines.map((l) => l.qty_packed)).toEqual([q(2), q(2)]);
    // Packed units are not free to cancel.
    await expect(cancelOrder(ctx, order.order.id, { reason: 'x', lines: [{ line_id: mugLine.id, qty: q(1) }] })).rejects.toMatchObject({ code: 'order_invalid' });

    const [p1, p2] = shipment.packages;
    await expect(shipShipment(ctx, shipment.shipment.id, { carrier: 'DHL', service: 'Express', packages: [{ package_id: p1!.id, tracking_number: 'TRK-1' }] })).rejects.toBeInstanceOf(FulfillmentError);
    const shipped = await shipShipment(ctx, shipment.shipment.id, {
      carrier: 'DHL',
      service: 'Express',
      packages: [
        { package_id: p1!.id, tracking_number: 'TRK-1' },
        { package_id: p2!.id, tracking_number: 'TRK-2' },
      ],
    });
    expect(shipped.shipment.status).toBe('shipped');
    expect(shipped.packages.map((p) => [p.tracking_number, p.weight_mg])).toEqual([
      ['TRK-1', q(450)],
      ['TRK-2', q(900.5)],
    ]);
    await expect(shipShipment(ctx, shipment.shipment.id, { carrier: 'DHL', service: 'Express', packages: [{ package_id: p1!.id, tracking_number: 'TRK-1' }] })).rejects.toMatchObject({ code: 'shipment_state' });
    now = await getOrder(ctx, order.order.id);
    expect(now.order.status).toBe('partially_shipped');
    expect(now.lines.map((l) => [l.qty_shipped, l.qty_packed, l.reservations.reduce((s, r) => s + r.qty, 0)])).toEqual([
      [q(2), 0, q(1)],
      [q(2), 0, 0],
    ]);
    // Stock left for the customer at cost: 2 scarves at 11.00, 2 mugs at 4.00.
    const moves = await listMovements(ctx, { documentId: order.order.id, limit: 10 });
    expect(moves.lines.map((m) => [m.kind, m.item_id, m.to_location_id, m.qty, m.value_micros]).sort()).toEqual(
      [
        ['shipment', scarf.id, VIRTUAL_LOCATION_IDS.customer, q(1), $('11.00')],
        ['shipment', scarf.id, VIRTUAL_LOCATION_IDS.customer, q(1), $('11.00')],
        ['shipment', mug.id, VIRTUAL_LOCATION_IDS.customer, q(2), $('8.00')],
      ].sort(),
    );

    const cancelled = await cancelOrder(ctx, order.order.id, { reason: 'third scarf out of stock after all' });
    expect(cancelled.order.status).toBe('shipped');
    expect(await balanceAt(get().db.kysely, scarf.id, shop.warehouseBins[1]!)).toEqual({ onHand: q(1), reserved: 0 });
    await deliverShipment(ctx, shipment.shipment.id);
    expect((await getOrder(ctx, order.order.id)).order.status).toBe('delivered');
    expect((await getShipment(ctx, shipment.shipment.id)).shipment.status).toBe('delivered');
    expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
  });

  it('ships the rest in a second shipment, and a cancelled shipment gives its units back to the pick list', async () => {
    const { ctx, scarf, order } = await setup();
    const [scarfLine, mugLine] = order.lines as [(typeof order.lines)[0], (typeof order.lines)[0]];
    const [list] = await createPickLists(ctx, order.order.id);
    await markPicked(ctx, list!.list.id);
    const first = await packShipment(ctx, list!.list.id, { packages: [{ weight_g: q(300), lines: [{ order_line_id: scarfLine.id, qty: q(3) }] }] });
    await cancelShipment(ctx, first.shipment.id);
    expect((await getOrder(ctx, order.order.id)).lines.map((l) => l.qty_packed)).toEqual([0, 0]);
    const a = await packShipment(ctx, list!.list.id, { packages: [{ weight_g: q(300), lines: [{ order_line_id: scarfLine.id, qty: q(1) }] }] });
    const b = await packShipment(ctx, list!.list.id, { packages: [{ weight_g: q(300), lines: [{ order_line_id: scarfLine.id, qty: q(2) }, { order_line_id: mugLine.id, qty: q(2) }] }] });
    await expect(packShipment(ctx, list!.list.id, { packages: [{ weight_g: q(300), lines: [{ order_line_id: scarfLine.id, qty: q(1) }] }] })).rejects.toMatchObject({ code: 'shipment_invalid' });
    for (const s of [a, b]) await shipShipment(ctx, s.shipment.id, { carrier: 'UPS', service: 'Ground', packages: s.packages.map((p, i) => ({ package_id: p.id, tracking_number: `1Z-${i}` })) });
    const done = await getOrder(ctx, order.order.id);
    expect(done.order.status).toBe('shipped');
    expect(done.lines.every((l) => l.reservations.length === 0)).toBe(true);
    expect((await listShipmentsOfOrder(ctx, order.order.id)).map((s) => s.shipment.status)).toEqual(['cancelled', 'shipped', 'shipped']);
    expect((await balanceAt(get().db.kysely, scarf.id, VIRTUAL_LOCATION_IDS.customer)).onHand).toBe(q(3));
  });

  it('returns from each step the shipment or pick list a fresh read gives, without reading it again', async () => {
    const { ctx, order } = await setup();
    const [scarfLine, mugLine] = order.lines as [(typeof order.lines)[0], (typeof order.lines)[0]];
    const [list] = await createPickLists(ctx, order.order.id);
    ctx.clock.advance(1000);
    const picked = await markPicked(ctx, list!.list.id);
    expect(picked).toStrictEqual(await getPickList(ctx, list!.list.id));
    const parcels = (qty: number) => [
      { weight_g: q(450), lines: [{ order_line_id: scarfLine.id, qty: q(qty) }] },
      { weight_g: q(900.5), lines: [{ order_line_id: mugLine.id, qty: q(1) }] },
    ];
    const unpacked = await packShipment(ctx, list!.list.id, { packages: parcels(1) });
    expect(unpacked).toStrictEqual(await getShipment(ctx, unpacked.shipment.id));
    expect(await cancelShipment(ctx, unpacked.shipment.id)).toStrictEqual(await getShipment(ctx, unpacked.shipment.id));

    const packed = await packShipment(ctx, list!.list.id, { packages: parcels(2) });
    expect(packed).toStrictEqual(await getShipment(ctx, packed.shipment.id));
    ctx.clock.advance(1000);
    const tracking = packed.packages.map((p, i) => ({ package_id: p.id, tracking_number: `TRK-${i}` })).reverse();
    const shipped = await shipShipment(ctx, packed.shipment.id, { carrier: 'DHL', service: 'Express', packages: tracking });
    expect(shipped.shipment.txn_id).not.toBeNull();
    expect(shipped).toStrictEqual(await getShipment(ctx, packed.shipment.id));
    ctx.clock.advance(1000);
    const delivered = await deliverShipment(ctx, packed.shipment.id);
    expect(delivered.shipment.delivered_at).toBe(ctx.clock.now());
    expect(delivered).toStrictEqual(await getShipment(ctx, packed.shipment.id));
  });

  it('refuses progress a line cannot take, naming the line, and moves none of the others', async () => {
    const { ctx, order } = await setup();
    const [scarfLine, mugLine] = order.lines as [(typeof order.lines)[0], (typeof order.lines)[0]];
    const [list] = await createPickLists(ctx, order.order.id);
    await markPicked(ctx, list!.list.id);
    await packShipment(ctx, list!.list.id, { packages: [{ weight_g: q(300), lines: [{ order_line_id: scarfLine.id, qty: q(2) }, { order_line_id: mugLine.id, qty: q(1) }] }] });
    // Two scarves are packed, one mug: shipping two of each is one too many mugs.
    const tooMany = recordOrderProgress(ctx, order.order.id, 'shipped', [{ lineId: scarfLine.id, qty: q(2) }, { lineId: mugLine.id, qty: q(2) }]);
    await expect(tooMany).rejects.toMatchObject({ code: 'order_conflict', message: `Line ${mugLine.id} of order ${order.order.id} cannot be shipped by 2.` });
    await expect(recordOrderProgress(ctx, order.order.id, 'delivered', [{ lineId: scarfLine.id, qty: q(1) }])).rejects.toMatchObject({ code: 'order_conflict' });
    await expect(recordOrderProgress(ctx, order.order.id, 'packed', [{ lineId: mugLine.id, qty: q(2) }])).rejects.toMatchObject({ code: 'order_conflict' });
    expect((await getOrder(ctx, order.order.id)).lines.map((l) => [l.qty_packed, l.qty_shipped, l.qty_delivered])).toEqual([
      [q(2), 0, 0],
      [q(1), 0, 0],
    ]);
    expect(await recordOrderProgress(ctx, order.order.id, 'shipped', [{ lineId: scarfLine.id, qty: q(2) }, { lineId: mugLine.id, qty: q(1) }])).toBe('partially_shipped');
    expect((await getOrder(ctx, order.order.id)).lines.map((l) => [l.qty_packed, l.qty_shipped])).toEqual([
      [0, q(2)],
      [0, q(1)],
    ]);
  });

  it('makes pick lists only at the sites the caller is granted', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const mug = await makeItem(ctx, { price: $('12.00') });
    await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', lines: [{ item_id: mug.id, qty: q(1), unit_cost: $('4.00') }] });
    await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'opening_balance', lines: [{ item_id: mug.id, qty: q(1), unit_cost: $('4.00') }] });
    const channel = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [shop.warehouse.id, shop.store.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const taken = await createOrder(ctx, createOrderBody.parse({ channel_id: channel.id, channel_order_id: `S-${Date.now()}`, lines: [{ item_id: mug.id, qty: 2 }] }));
    const storeStaff = { ...ctx, actor: { kind: 'token' as const, id: 'tok_store', label: 'store till', role: 'staff' as const, sites: new Set([shop.store.id]) } };
    const lists = await createPickLists(storeStaff, taken.record.order.id);
    expect(lists.map((l) => l.list.site_id)).toEqual([shop.store.id]);
    await expect(createPickLists(storeStaff, taken.record.order.id)).rejects.toMatchObject({ code: 'nothing_to_pick' });
    const [warehouseList] = await createPickLists(ctx, taken.record.order.id);
    expect(warehouseList!.list.site_id).toBe(shop.warehouse.id);
    await expect(markPicked(storeStaff, warehouseList!.list.id)).rejects.toMatchObject({ code: 'pick_list_not_found' });
    expect((await markPicked(storeStaff, lists[0]!.list.id)).list.status).toBe('picked');
  });

  it('cancelling leaves packed stock alone, even when the packed units hold the newest reservation', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const jam = await makeItem(ctx, { tracking: 'lot', tracks_expiry: true, price: $('7.00') });
    // A-02 holds the lot that expires first, so allocation reserves there first; the picker walks A-01 first.
    await createAdjustment(ctx, { location_id: shop.warehouseBins[1]!, reason: 'opening_balance', lines: [{ item_id: jam.id, qty: q(2), lot_code: 'EARLY', expires_on: '2027-01-01', unit_cost: $('2.00') }] });
    await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', lines: [{ item_id: jam.id, qty: q(2), lot_code: 'LATER', expires_on: '2027-09-01', unit_cost: $('2.00') }] });
    const channel = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [shop.warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const taken = await createOrder(ctx, createOrderBody.parse({ channel_id: channel.id, channel_order_id: `J-${Date.now()}`, lines: [{ item_id: jam.id, qty: 4 }] }));
    const line = taken.record.lines[0]!;
    expect(line.reservations.map((r) => r.location_id)).toEqual([shop.warehouseBins[1]!, shop.warehouseBins[0]!]);
    const [list] = await createPickLists(ctx, taken.record.order.id);
    expect(list!.lines.map((l) => l.location_id)).toEqual([shop.warehouseBins[0]!, shop.warehouseBins[1]!]);
    await markPicked(ctx, list!.list.id);
    const shipment = await packShipment(ctx, list!.list.id, { packages: [{ weight_g: q(800), lines: [{ order_line_id: line.id, qty: q(2) }] }] });
    expect(shipment.lines[0]!.parts.map((p) => p.location_id)).toEqual([shop.warehouseBins[0]!]);
    // The two free units are A-02's, though A-01's reservation is the newest.
    const cancelled = await cancelOrder(ctx, taken.record.order.id, { reason: 'only two wanted' });
    expect(cancelled.lines[0]!.reservations.map((r) => [r.location_id, r.qty])).toEqual([[shop.warehouseBins[0]!, q(2)]]);
    await shipShipment(ctx, shipment.shipment.id, { carrier: 'Post', service: 'Standard', packages: [{ package_id: shipment.packages[0]!.id, tracking_number: 'J1' }] });
    expect((await getOrder(ctx, taken.record.order.id)).order.status).toBe('shipped');
    expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
  });
});
