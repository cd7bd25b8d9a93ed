import { beforeAll, expect, it } from 'vitest';
import { createAdjustment, getAdjustment, listAdjustments, reverseAdjustment } from '../src/modules/adjustments/index.ts';
import { cancelShipment, createPickLists, deliverShipment, getPickList, getShipment, listPickListsOfOrder, listShipmentsOfOrder, markPicked, packShipment, shipShipment } from '../src/modules/fulfillment/index.ts';
import { postReceipt } from '../src/modules/purchasing/receipt-posting.service.ts';
import { cancelReceipt, createReceipt, getReceipt, listReceipts, updateReceipt } from '../src/modules/purchasing/receipts.service.ts';
import {
  cancelPurchaseOrder,
  closePurchaseOrder,
  createPurchaseOrder,
  getPurchaseOrder,
  listPurchaseOrderRevisions,
  listPurchaseOrders,
  sendPurchaseOrder,
  updatePurchaseOrder,
} from '../src/modules/purchasing/purchase-orders.service.ts';
import { cancelVendorReturn, createVendorReturn, getVendorReturn, listVendorReturns, postVendorReturn } from '../src/modules/purchasing/vendor-returns.service.ts';
import { createVendor } from '../src/modules/purchasing/vendors.service.ts';
import { amendOrder, cancelOrder, confirmOrder, createChannel, createExchange, createOrder, createReturn, getExchange, getOrder, getReturn, getSale, listOrders, listSales, voidSale } from '../src/modules/sales/index.ts';
import { createOrderBody } from '../src/modules/sales/orders.schema.ts';
import { createReturnBody } from '../src/modules/sales/sales.schema.ts';
import type { Actor, ServiceContext } from '../src/platform/context.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem, makeShop } from './support/fixtures.ts';
import { $, q, saleBody, sell } from './support/shop.ts';

/**
 * The site checks of the document modules, at service level (fast enough for mutation testing:
 * `npm run test:mutation -- sites`). Every document lives at site A (the store); a manager granted
 * only site B (the warehouse) must find none of them, for reads and for writes, with the error a
 * missing document gives and naming only the id asked about; a manager granted site A, and one
 * granted nothing, check the other side. test/http/object-access-matrix.test.ts checks the same
 * through the API; this file is what a mutant of a check meets in seconds.
 */
describeEachDatabase('site checks of the document modules', (get) => {
  const managerAt = (...sites: string[]): Actor => ({ kind: 'user', id: `usr_${sites.join('_') || 'none'}`, label: 'manager', role: 'manager', sites: new Set(sites) });
  let owner: ServiceContext & { clock: { advance(ms: number): void } };
  let atA: ServiceContext;
  let atB: ServiceContext;
  let atNone: ServiceContext;
  let w: Awaited<ReturnType<typeof buildWorld>>;

  /** One of every document at the store (site A), made by the system actor, plus one order that both sites sell. */
  async function buildWorld(ctx: typeof owner) {
    const shop = await makeShop(ctx);
    const [siteA, siteB] = [shop.store, shop.warehouse];
    const mug = await makeItem(ctx, { name: 'Mug', price: $('16.00') });
    const cup = await makeItem(ctx, { name: 'Cup', price: $('3.00') });
    const opening = [
      { item_id: mug.id, qty: q(40), unit_cost: $('4.90') },
      { item_id: cup.id, qty: q(40), unit_cost: $('1.10') },
    ];
    const adjustment = await createAdjustment(ctx, { location_id: siteA.id, reason: 'opening_balance', lines: opening });
    // The warehouse has stock too, so a sale there (the exchange's new half) can be made.
    const adjustmentB = await createAdjustment(ctx, { location_id: siteB.id, reason: 'opening_balance', lines: opening });

    const vendor = await createVendor(ctx, { name: `Site vendor ${process.pid}-${Math.random()}` });
    const po = await sendPurchaseOrder(ctx, (await createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: siteA.id, lines: [{ item_id: mug.id, qty: q(10), unit_price: $('4.80') }] })).id);
    const draftReceipt = await createReceipt(ctx, { purchase_order_id: po.id, lines: [{ purchase_order_line_id: po.lines[0]!.id, qty: q(2) }] });
    const postedReceipt = await postReceipt(ctx, (await createReceipt(ctx, { purchase_order_id: po.id, lines: [{ purchase_order_line_id: po.lines[0]!.id, qty: q(3) }] })).id);
    const vendorReturn = await createVendorReturn(ctx, { receipt_id: postedReceipt.id, reason: 'defective', lines: [{ item_id: mug.id, qty: q(1) }] });
    const postedVendorReturn = await postVendorReturn(ctx, (await createVendorReturn(ctx, { receipt_id: postedReceipt.id, reason: 'defective', lines: [{ item_id: mug.id, qty: q(1) }] })).id);

    const channelA = await createChannel(ctx, { name: 'Web A', kind: 'online', site_ids: [siteA.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const channelAB = await createChannel(ctx, { name: 'Web AB', kind: 'online', site_ids: [siteA.id, siteB.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const takeOrder = async (channelId: string, qty: number) =>
      (await createOrder(ctx, createOrderBody.parse({ channel_id: channelId, channel_order_id: `S-${Math.random()}`, lines: [{ item_id: mug.id, qty }] }))).record;
    const order = await takeOrder(channelA.id, 3);
    const [pickList] = await createPickLists(ctx, order.order.id);
    await markPicked(ctx, pickList!.list.id);
    const pack = () => packShipment(ctx, pickList!.list.id, { packages: [{ weight_g: q(500), lines: [{ order_line_id: order.lines[0]!.id, qty: q(1) }] }] });
    const shipped = await pack();
    const parcel = shipped.packages[0]!.id;
    await shipShipment(ctx, shipped.shipment.id, { carrier: 'DHL', service: 'Express', packages: [{ package_id: parcel, tracking_number: 'TRK-1' }] });
    const packed = await pack();
    const orderReturn = await createReturn(ctx, createReturnBody.parse({ order_id: order.order.id, reason: 'broken', lines: [{ line_id: order.lines[0]!.id, qty: 1, condition: 'restockable' }] }));
    // Sold from both sites, stocked more at A: its pick list is at A, the order in sight of B.
    const sharedOrder = await takeOrder(channelAB.id, 2);
    const [sharedList] = await createPickLists(ctx, sharedOrder.order.id);
    await markPicked(ctx, sharedList!.list.id);
    const sharedShipment = await packShipment(ctx, sharedList!.list.id, { packages: [{ weight_g: q(500), lines: [{ order_line_id: sharedOrder.lines[0]!.id, qty: q(1) }] }] });
    // Another such order, reserved but on no pick list yet.
    const unlisted = await takeOrder(channelAB.id, 1);

    const sale = await sell(ctx, { location_id: siteA.id, lines: [{ item_id: mug.id, qty: 2 }, { item_id: cup.id, qty: 2 }], payments: [{ tender: 'cash', amount: '100.00' }] });
    const saleReturn = await createReturn(ctx, createReturnBody.parse({ sale_id: sale.sale.id, reason: 'changed mind', lines: [{ line_id: sale.lines[1]!.id, qty: 1, condition: 'restockable' }] }));
    // A mug bought at A, swapped for a cup at B: each half at a site the other manager does not see.
    const exchange = await createExchange(ctx, {
      return: { sale_id: sale.sale.id, reason: 'wrong size', lines: [{ line_id: sale.lines[0]!.id, qty: q(1), condition: 'restockable' }] },
      sale: saleBody({ location_id: siteB.id, lines: [{ item_id: cup.id, qty: 1 }] }),
      refund_tender: 'cash',
    });
    return { siteA, siteB, mug, adjustment, adjustmentB, po, draftReceipt, postedReceipt, vendorReturn, postedVendorReturn, order, pickList: pickList!, shipped, packed, orderReturn, sharedOrder, sharedList: sharedList!, sharedShipment, unlisted, sale, saleReturn, exchange };
  }

  beforeAll(async () => {
    owner = serviceContext(get().db);
    w = await buildWorld(owner);
    atA = { ...owner, actor: managerAt(w.siteA.id) };
    atB = { ...owner, actor: managerAt(w.siteB.id) };
    atNone = { ...owner, actor: managerAt() };
  });

  /** Refused as if the document did not exist: the not-found code, naming the id asked about. */
  const missing = (code: string, id: string) => ({ code, message: expect.stringContaining(id) });

  /** Each by-id read: the document's id, the call, and what a missing one answers. */
  const reads = () =>
    [
      ['sale', w.sale.sale.id, (ctx: ServiceContext, id: string) => getSale(ctx, id), 'sale_not_found'],
      ['sale return', w.saleReturn.ret.id, (ctx: ServiceContext, id: string) => getReturn(ctx, id), 'return_not_found'],
      ['order return', w.orderReturn.ret.id, (ctx: ServiceContext, id: string) => getReturn(ctx, id), 'return_not_found'],
      ['order', w.order.order.id, (ctx: ServiceContext, id: string) => getOrder(ctx, id), 'order_not_found'],
      ['pick list', w.pickList.list.id, (ctx: ServiceContext, id: string) => getPickList(ctx, id), 'pick_list_not_found'],
      ['shipment', w.packed.shipment.id, (ctx: ServiceContext, id: string) => getShipment(ctx, id), 'shipment_not_found'],
      ['purchase order', w.po.id, (ctx: ServiceContext, id: string) => getPurchaseOrder(ctx, id), 'purchase_order_not_found'],
      ['purchase order revisions', w.po.id, (ctx: ServiceContext, id: string) => listPurchaseOrderRevisions(ctx, id), 'purchase_order_not_found'],
      ['receipt', w.draftReceipt.id, (ctx: ServiceContext, id: string) => getReceipt(ctx, id), 'receipt_not_found'],
      ['vendor return', w.vendorReturn.id, (ctx: ServiceContext, id: string) => getVendorReturn(ctx, id), 'vendor_return_not_found'],
      ['adjustment', w.adjustment.id, (ctx: ServiceContext, id: string) => getAdjustment(ctx, id), 'adjustment_not_found'],
    ] as const;

  it('answers every by-id read of a site A document with not-found to a caller granted only site B, or nothing', async () => {
    for (const [, id, read, code] of reads()) {
      await expect(read(atB, id), `${code} for B`).rejects.toMatchObject(missing(code, id));
      await expect(read(atNone, id), `${code} for none`).rejects.toMatchObject(missing(code, id));
    }
  });

  it('gives every site A document to a caller granted site A, and answers an unknown id with not-found', async () => {
    for (const [what, id, read, code] of reads()) {
      await expect(read(atA, id), what).resolves.toBeDefined();
      await expect(read(owner, id), `${what} to the owner`).resolves.toBeDefined();
      await expect(read(atA, 'x_unknown'), `${what} unknown`).rejects.toMatchObject(missing(code, 'x_unknown'));
      await expect(read(owner, 'x_unknown'), `${what} unknown to the owner`).rejects.toMatchObject(missing(code, 'x_unknown'));
    }
    expect((await getOrder(atA, w.order.order.id)).order.id).toBe(w.order.order.id);
    expect((await getSale(atA, w.sale.sale.id)).sale.id).toBe(w.sale.sale.id);
  });

  it('shows an exchange only to a caller who sees both halves: the return at A and the new sale at B', async () => {
    await expect(getExchange(atA, w.exchange.id)).rejects.toMatchObject(missing('exchange_not_found', w.exchange.id));
    await expect(getExchange(atB, w.exchange.id)).rejects.toMatchObject(missing('exchange_not_found', w.exchange.id));
    await expect(getExchange(atNone, w.exchange.id)).rejects.toMatchObject(missing('exchange_not_found', w.exchange.id));
    await expect(getExchange(owner, 'exc_unknown')).rejects.toMatchObject(missing('exchange_not_found', 'exc_unknown'));
    const both = { ...owner, actor: managerAt(w.siteA.id, w.siteB.id) };
    expect((await getExchange(both, w.exchange.id)).id).toBe(w.exchange.id);
  });

  it('lists only the documents at granted sites', async () => {
    const ids = async (ctx: ServiceContext) => ({
      sales: (await listSales(ctx, { limit: 50 })).records.map((r) => r.sale.site_id),
      orders: (await listOrders(ctx, { limit: 50 })).records.map((r) => r.order.id).sort(),
      purchaseOrders: (await listPurchaseOrders(ctx, { limit: 50 })).rows.map((r) => r.id),
      receipts: (await listReceipts(ctx, { limit: 50 })).rows.map((r) => r.id).sort(),
      vendorReturns: (await listVendorReturns(ctx, { limit: 50 })).rows.map((r) => r.id).sort(),
      adjustments: (await listAdjustments(ctx, { limit: 50 })).records.map((r) => r.id).sort(),
    });
    const both = [w.order.order.id, w.sharedOrder.order.id, w.unlisted.order.id].sort();
    expect(await ids(owner)).toEqual({
      sales: [w.siteB.id, w.siteA.id],
      orders: both,
      purchaseOrders: [w.po.id],
      receipts: [w.draftReceipt.id, w.postedReceipt.id].sort(),
      vendorReturns: [w.vendorReturn.id, w.postedVendorReturn.id].sort(),
      adjustments: [w.adjustment.id, w.adjustmentB.id].sort(),
    });
    expect(await ids(atA)).toEqual({
      sales: [w.siteA.id],
      orders: both,
      purchaseOrders: [w.po.id],
      receipts: [w.draftReceipt.id, w.postedReceipt.id].sort(),
      vendorReturns: [w.vendorReturn.id, w.postedVendorReturn.id].sort(),
      adjustments: [w.adjustment.id],
    });
    expect(await ids(atB)).toEqual({ sales: [w.siteB.id], orders: [w.sharedOrder.order.id, w.unlisted.order.id].sort(), purchaseOrders: [], receipts: [], vendorReturns: [], adjustments: [w.adjustmentB.id] });
    expect(await ids(atNone)).toEqual({ sales: [], orders: [], purchaseOrders: [], receipts: [], vendorReturns: [], adjustments: [] });
  });

  it("hides site A's pick lists and shipments of an order site B also sells, and makes B no pick list for A's stock", async () => {
    const order = w.sharedOrder.order.id;
    expect((await listPickListsOfOrder(atA, order)).map((l) => l.list.id)).toEqual([w.sharedList.list.id]);
    expect((await listShipmentsOfOrder(atA, order)).map((s) => s.shipment.id)).toEqual([w.sharedShipment.shipment.id]);
    expect(await listPickListsOfOrder(atB, order)).toEqual([]);
    expect(await listShipmentsOfOrder(atB, order)).toEqual([]);
    await expect(listPickListsOfOrder(atB, w.order.order.id)).rejects.toMatchObject(missing('order_not_found', w.order.order.id));
    await expect(listShipmentsOfOrder(atB, w.order.order.id)).rejects.toMatchObject(missing('order_not_found', w.order.order.id));
    // Reserved at A and on no list yet: B, who sees the order, makes no list for A's pickers; A does.
    const unlisted = w.unlisted.order.id;
    await expect(createPickLists(atB, unlisted)).rejects.toMatchObject({ code: 'nothing_to_pick', message: expect.stringContaining('sites you are not granted') });
    expect(await listPickListsOfOrder(owner, unlisted)).toEqual([]);
    const made = await createPickLists(atA, unlisted);
    expect(made.map((l) => [l.list.site_id, l.lines.length])).toEqual([[w.siteA.id, 1]]);
  });

  // Where a write would fail anyway (a line the order lacks, a receipt or return already posted), the
  // site check is what must answer first: without it the caller would learn the document exists.
  it('refuses every write on a site A document to a caller granted only site B, as if it did not exist', async () => {
    const saleStatus = (await getSale(owner, w.sale.sale.id)).sale.status;
    const poStatus = (await getPurchaseOrder(owner, w.po.id)).status;
    const writes: Array<[string, string, () => Promise<unknown>]> = [
      ['sale_not_found', w.sale.sale.id, () => voidSale(atB, w.sale.sale.id, { reason: 'x' })],
      ['sale_not_found', w.sale.sale.id, () => createReturn(atB, createReturnBody.parse({ sale_id: w.sale.sale.id, reason: 'x', lines: [{ line_id: w.sale.lines[1]!.id, qty: 1, condition: 'restockable' }] }))],
      ['order_not_found', w.order.order.id, () => createReturn(atB, createReturnBody.parse({ order_id: w.order.order.id, reason: 'x', lines: [{ line_id: w.order.lines[0]!.id, qty: 1, condition: 'restockable' }] }))],
      ['order_not_found', w.order.order.id, () => cancelOrder(atB, w.order.order.id, { reason: 'x', lines: [{ line_id: w.order.lines[0]!.id, qty: q(1) }] })],
      ['order_not_found', w.order.order.id, () => cancelOrder(atB, w.order.order.id, { reason: 'x', lines: [{ line_id: 'oln_not_of_this_order', qty: q(1) }] })],
      ['order_not_found', w.order.order.id, () => confirmOrder(atB, w.order.order.id)],
      ['order_not_found', w.order.order.id, () => amendOrder(atB, w.order.order.id, [{ item_id: w.mug.id, qty: q(2) }])],
      ['order_not_found', w.order.order.id, () => createPickLists(atB, w.order.order.id)],
      ['pick_list_not_found', w.pickList.list.id, () => markPicked(atB, w.pickList.list.id)],
      ['pick_list_not_found', w.pickList.list.id, () => packShipment(atB, w.pickList.list.id, { packages: [{ weight_g: q(500), lines: [{ order_line_id: w.order.lines[0]!.id, qty: q(1) }] }] })],
      ['shipment_not_found', w.packed.shipment.id, () => shipShipment(atB, w.packed.shipment.id, { carrier: 'DHL', service: 'Express', packages: [{ package_id: w.packed.packages[0]!.id, tracking_number: 'T' }] })],
      ['shipment_not_found', w.packed.shipment.id, () => cancelShipment(atB, w.packed.shipment.id)],
      ['shipment_not_found', w.shipped.shipment.id, () => deliverShipment(atB, w.shipped.shipment.id)],
      ['purchase_order_not_found', w.po.id, () => updatePurchaseOrder(atB, w.po.id, { notes: 'x' })],
      ['purchase_order_not_found', w.po.id, () => closePurchaseOrder(atB, w.po.id)],
      ['purchase_order_not_found', w.po.id, () => cancelPurchaseOrder(atB, w.po.id)],
      ['purchase_order_not_found', w.po.id, () => createReceipt(atB, { purchase_order_id: w.po.id, lines: [{ purchase_order_line_id: w.po.lines[0]!.id, qty: q(1) }] })],
      ['receipt_not_found', w.draftReceipt.id, () => postReceipt(atB, w.draftReceipt.id)],
      ['receipt_not_found', w.draftReceipt.id, () => updateReceipt(atB, w.draftReceipt.id, { notes: 'x' })],
      ['receipt_not_found', w.draftReceipt.id, () => cancelReceipt(atB, w.draftReceipt.id)],
      ['receipt_not_found', w.postedReceipt.id, () => cancelReceipt(atB, w.postedReceipt.id)],
      ['receipt_not_found', w.postedReceipt.id, () => updateReceipt(atB, w.postedReceipt.id, { notes: 'x' })],
      ['receipt_not_found', w.postedReceipt.id, () => createVendorReturn(atB, { receipt_id: w.postedReceipt.id, reason: 'defective', lines: [{ item_id: w.mug.id, qty: q(1) }] })],
      ['vendor_return_not_found', w.vendorReturn.id, () => postVendorReturn(atB, w.vendorReturn.id)],
      ['vendor_return_not_found', w.vendorReturn.id, () => cancelVendorReturn(atB, w.vendorReturn.id)],
      ['vendor_return_not_found', w.postedVendorReturn.id, () => postVendorReturn(atB, w.postedVendorReturn.id)],
      ['vendor_return_not_found', w.postedVendorReturn.id, () => cancelVendorReturn(atB, w.postedVendorReturn.id)],
      ['adjustment_not_found', w.adjustment.id, () => reverseAdjustment(atB, w.adjustment.id, undefined)],
    ];
    for (const [code, id, write] of writes) await expect(write(), `${code}: ${write.toString().slice(6, 60)}`).rejects.toMatchObject(missing(code, id));
    // Nothing changed: each document is as it was.
    expect((await getSale(owner, w.sale.sale.id)).sale.status).toBe(saleStatus);
    expect((await getPurchaseOrder(owner, w.po.id)).status).toBe(poStatus);
    expect((await getReceipt(owner, w.draftReceipt.id)).status).toBe('draft');
    expect((await getVendorReturn(owner, w.vendorReturn.id)).status).toBe('draft');
    expect((await getShipment(owner, w.packed.shipment.id)).shipment.status).toBe('packed');
    expect((await getShipment(owner, w.shipped.shipment.id)).shipment.status).toBe('shipped');
    expect((await getPickList(owner, w.pickList.list.id)).list.status).toBe('picked');
  });
});
