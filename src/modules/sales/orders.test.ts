import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { $, q } from '../../../test/support/shop.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { balanceAt, checkLedger, listReservationsOfDocument, releaseExpiredReservations } from '../ledger/index.ts';
import { createLocation } from '../locations/index.ts';
import { allocateOrder, cancelOrder, confirmOrder, createChannel, createOrder, expireOrders, getOrder, type CreateOrderInput } from './index.ts';
import { createOrderBody } from './orders.schema.ts';

describeEachDatabase('online orders', (get) => {
  const ctxOf = () => serviceContext(get().db);
  const order = (body: Record<string, unknown>): CreateOrderInput => createOrderBody.parse(body);
  let counter = 0;
  const orderId = () => `W-${Date.now()}-${(counter += 1)}`;

  /** Two warehouses (the near one first) and a store; items with stock spread over them. */
  async function setup(options: { backorders?: boolean; ttlMinutes?: number } = {}) {
    const ctx = ctxOf();
    const near = await makeShop(ctx);
    const far = await makeShop(ctx);
    const item = await makeItem(ctx, { price: $('10.00') });
    const other = await makeItem(ctx, { price: $('5.00') });
    const channel = await createChannel(ctx, {
      name: 'Web shop',
      kind: 'online',
      site_ids: [near.warehouse.id, far.warehouse.id],
      backorder_policy: options.backorders ? 'allow' : 'refuse',
      reservation_ttl_minutes: options.ttlMinutes ?? null,
    });
    const stock = async (bin: string, itemId: string, units: number, cost = '4.00') =>
      createAdjustment(ctx, { location_id: bin, reason: 'opening_balance', lines: [{ item_id: itemId, qty: q(units), unit_cost: $(cost) }] });
    return { ctx, near, far, item, other, channel, stock };
  }

  it('reserves at the first site that can ship the whole order, bins in walking order', async () => {
    const { ctx, near, far, item, other, channel, stock } = await setup();
    await stock(near.warehouseBins[1]!, item.id, 2);
    await stock(near.warehouseBins[0]!, item.id, 1);
    await stock(far.warehouseBins[0]!, item.id, 5);
    await stock(far.warehouseBins[0]!, other.id, 5);
    // The near warehouse cannot ship the other item: the far one takes the whole order.
    const taken = await createOrder(ctx, order({ channel_id: channel.id, channel_order_id: orderId(), lines: [{ item_id: item.id, qty: 3 }, { item_id: other.id, qty: 1 }] }));
    expect(taken.created).toBe(true);
    expect(taken.record.order.status).toBe('allocated');
    expect(taken.record.lines.flatMap((l) => l.reservations.map((r) => [r.item_id, r.location_id, r.qty]))).toEqual([
      [item.id, far.warehouseBins[0]!, q(3)],
      [other.id, far.warehouseBins[0]!, q(1)],
    ]);
    // Only the item: the near warehouse can ship it all, first from bin A-01 (walking order), then A-02.
    const second = await createOrder(ctx, order({ channel_id: channel.id, channel_order_id: orderId(), lines: [{ item_id: item.id, qty: 3 }] }));
    expect(second.record.lines[0]!.reservations.map((r) => [r.location_id, r.qty])).toEqual([
      [near.warehouseBins[0]!, q(1)],
      [near.warehouseBins[1]!, q(2)],
    ]);
    expect(second.record.order.total_micros).toBe($('30.00'));
  });

  it('returns from taking and confirming the order a fresh read gives, without reading it again', async () => {
    const { ctx, near, item, other, channel, stock } = await setup({ backorders: true, ttlMinutes: 30 });
    await stock(near.warehouseBins[0]!, item.id, 2);
    await stock(near.warehouseBins[1]!, item.id, 1);
    // Three of the item from two bins, and the other item back-ordered.
    const taken = await createOrder(ctx, order({ channel_id: channel.id, channel_order_id: orderId(), customer: { name: 'Ada', email: 'ada@example.com' }, lines: [{ item_id: item.id, qty: 3 }, { item_id: other.id, qty: 1 }] }));
    expect(taken.record.order.status).toBe('back_ordered');
    expect(taken.record.order.expires_at).not.toBeNull();
    expect(taken.record).toStrictEqual(await getOrder(ctx, taken.record.order.id));
    ctx.clock.advance(1000);
    const confirmed = await confirmOrder(ctx, taken.record.order.id);
    expect(confirmed.order.confirmed_at).toBe(ctx.clock.now());
    expect(confirmed.lines[0]!.reservations.map((r) => r.expires_at)).toEqual([null, null]);
    expect(confirmed).toStrictEqual(await getOrder(ctx, taken.record.order.id));
    // Confirmed again: nothing changes, and the record is still the order as it stands.
    ctx.clock.advance(1000);
    expect(await confirmOrder(ctx, taken.record.order.id)).toStrictEqual(await getOrder(ctx, taken.record.order.id));
  });

  it('splits an order across sites when no one site can ship it all', async () => {
    const { ctx, near, far, item, channel, stock } = await setup();
    await stock(near.warehouseBins[0]!, item.id, 2);
    await stock(far.warehouseBins[1]!, item.id, 2);
    const taken = await createOrder(ctx, order({ channel_id: channel.id, channel_order_id: orderId(), lines: [{ item_id: item.id, qty: 3 }] }));
    expect(taken.record.lines[0]!.reservations.map((r) => [r.location_id, r.qty])).toEqual([
      [near.warehouseBins[0]!, q(2)],
      [far.warehouseBins[1]!, q(1)],
    ]);
  });

  it('takes expiring lots first, and never from a quarantine bin', async () => {
    const { ctx, near, channel } = await setup();
    const yoghurt = await makeItem(ctx, { tracking: 'lot', tracks_expiry: true, price: $('2.00') });
    const quarantine = await createLocation(ctx, { kind: 'bin', parent_id: near.warehouse.id, code: 'QA', name: 'Damaged', purpose: 'quarantine', pick_order: 0 });
    await createAdjustment(ctx, {
      location_id: near.warehouseBins[0]!,
      reason: 'opening_balance',
      lines: [
        { item_id: yoghurt.id, qty: q(5), lot_code: 'MAR', expires_on: '2027-03-01', unit_cost: $('1.00') },
        { item_id: yoghurt.id, qty: q(2), lot_code: 'FEB', expires_on: '2027-02-01', unit_cost: $('1.00') },
      ],
    });
    await createAdjustment(ctx, { location_id: quarantine.id, reason: 'opening_balance', lines: [{ item_id: yoghurt.id, qty: q(9), lot_code: 'JAN', expires_on: '2027-01-15', unit_cost: $('1.00') }] });
    const taken = await createOrder(ctx, order({ channel_id: channel.id, channel_order_id: orderId(), lines: [{ item_id: yoghurt.id, qty: 3 }] }));
    const lots = await get().db.kysely.selectFrom('lots').select(['id', 'code']).where('item_id', '=', yoghurt.id).execute();
    expect(taken.record.lines[0]!.reservations.map((r) => [lots.find((l) => l.id === r.lot_id)!.code, r.qty])).toEqual([
      ['FEB', q(2)],
      ['MAR', q(1)],
    ]);
  });

  it('refuses an order it cannot cover with 409 insufficient_stock, and keeps nothing of it', async () => {
    const { ctx, near, item, channel, stock } = await setup();
    await stock(near.warehouseBins[0]!, item.id, 2);
    const id = orderId();
    const error = await createOrder(ctx, order({ channel_id: channel.id, channel_order_id: id, lines: [{ item_id: item.id, qty: 3 }] })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'insufficient_stock', status: 409, extra: { shortfall: { item_id: item.id, requested: 3, available: 2 } } });
    expect(await get().db.kysely.selectFrom('orders').select('id').where('channel_order_id', '=', id).execute()).toEqual([]);
    expect(await balanceAt(get().db.kysely, item.id, near.warehouseBins[0]!)).toEqual({ onHand: q(2), reserved: 0 });
  });

  it('returns the order already taken for the same channel order id, reserving nothing twice', async () => {
    const { ctx, near, item, channel, stock } = await setup();
    await stock(near.warehouseBins[0]!, item.id, 5);
    const body = order({ channel_id: channel.id, channel_order_id: orderId(), lines: [{ item_id: item.id, qty: 2 }] });
    const first = await createOrder(ctx, body);
    const again = await createOrder(ctx, body);
    expect(again.created).toBe(false);
    expect(again.record.order.id).toBe(first.record.order.id);
    expect(await balanceAt(get().db.kysely, item.id, near.warehouseBins[0]!)).toEqual({ onHand: q(5), reserved: q(2) });
  });

  it('accepts a back-order where the channel allows it and allocates it when stock arrives', async () => {
    const { ctx, near, item, other, channel, stock } = await setup({ backorders: true });
    await stock(near.warehouseBins[0]!, other.id, 1);
    const taken = await createOrder(ctx, order({ channel_id: channel.id, channel_order_id: orderId(), lines: [{ item_id: other.id, qty: 1 }, { item_id: item.id, qty: 4 }] }));
    expect(taken.record.order.status).toBe('back_ordered');
    expect(taken.record.lines.map((l) => [l.allocation, l.reservations.length])).toEqual([
      ['allocated', 1],
      ['back_ordered', 0],
    ]);
    const still = await allocateOrder(ctx, taken.record.order.id);
    expect(still.order.status).toBe('back_ordered');
    await stock(near.warehouseBins[1]!, item.id, 4);
    const filled = await allocateOrder(ctx, taken.record.order.id);
    expect(filled.order.status).toBe('allocated');
    expect(filled.lines[1]!.reservations.map((r) => [r.location_id, r.qty])).toEqual([[near.warehouseBins[1]!, q(4)]]);
  });

  it('releases an unconfirmed order’s stock when its time is up, and keeps a confirmed one', async () => {
    const { ctx, near, item, channel, stock } = await setup({ ttlMinutes: 30 });
    await stock(near.warehouseBins[0]!, item.id, 5);
    const unpaid = await createOrder(ctx, order({ channel_id: channel.id, channel_order_id: orderId(), lines: [{ item_id: item.id, qty: 2 }] }));
    const paid = await createOrder(ctx, order({ channel_id: channel.id, channel_order_id: orderId(), lines: [{ item_id: item.id, qty: 1 }] }));
    expect(unpaid.record.order.expires_at).toBe(ctx.clock.now() + 30 * 60_000);
    expect(unpaid.record.lines[0]!.reservations[0]!.expires_at).toBe(ctx.clock.now() + 30 * 60_000);
    await confirmOrder(ctx, paid.record.order.id);
    ctx.clock.advance(29 * 60_000);
    expect(await expireOrders(ctx)).toBe(0);
    ctx.clock.advance(2 * 60_000);
    // The ledger's own job may run first; the order still closes.
    await releaseExpiredReservations(ctx);
    expect(await expireOrders(ctx)).toBe(1);
    const expired = await getOrder(ctx, unpaid.record.order.id);
    expect(expired.order.status).toBe('expired');
    expect(expired.lines[0]!.qty_cancelled).toBe(q(2));
    expect(await listReservationsOfDocument(ctx, unpaid.record.order.id)).toEqual([]);
    expect((await getOrder(ctx, paid.record.order.id)).order.status).toBe('allocated');
    expect(await balanceAt(get().db.kysely, item.id, near.warehouseBins[0]!)).toEqual({ onHand: q(5), reserved: q(1) });
    await expect(cancelOrder(ctx, unpaid.record.order.id, { reason: 'late' })).rejects.toMatchObject({ code: 'order_not_open' });
  });

  it('cancels part of a line, then the rest, releasing the reservations', async () => {
    const { ctx, near, item, channel, stock } = await setup();
    await stock(near.warehouseBins[0]!, item.id, 2);
    await stock(near.warehouseBins[1]!, item.id, 2);
    const taken = await createOrder(ctx, order({ channel_id: channel.id, channel_order_id: orderId(), lines: [{ item_id: item.id, qty: 4 }] }));
    const line = taken.record.lines[0]!;
    const partly = await cancelOrder(ctx, taken.record.order.id, { reason: 'customer asked', lines: [{ line_id: line.id, qty: q(3) }] });
    expect(partly.lines[0]!.qty_cancelled).toBe(q(3));
    // The latest reservations go first: A-02's two, then one of A-01's.
    expect(partly.lines[0]!.reservations.map((r) => [r.location_id, r.qty])).toEqual([[near.warehouseBins[0]!, q(1)]]);
    const all = await cancelOrder(ctx, taken.record.order.id, { reason: 'out of patience' });
    expect(all.order.status).toBe('cancelled');
    expect(await balanceAt(get().db.kysely, item.id, near.warehouseBins[0]!)).toEqual({ onHand: q(2), reserved: 0 });
    expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
  });

  it('sells a gift basket online: each component is reserved', async () => {
    const { ctx, near, item, other, channel, stock } = await setup();
    const basket = await makeItem(ctx, { stocked: false, price: $('20.00'), components: [{ item_id: item.id, qty: q(1) }, { item_id: other.id, qty: q(2) }] });
    await stock(near.warehouseBins[0]!, item.id, 3);
    await stock(near.warehouseBins[0]!, other.id, 6);
    const taken = await createOrder(ctx, order({ channel_id: channel.id, channel_order_id: orderId(), lines: [{ item_id: basket.id, qty: 2 }] }));
    expect(taken.record.lines[0]!.reservations.map((r) => [r.item_id, r.qty])).toEqual([
      [item.id, q(2)],
      [other.id, q(4)],
    ]);
    await expect(createOrder(ctx, order({ channel_id: channel.id, channel_order_id: orderId(), lines: [{ item_id: basket.id, qty: 2 }] }))).rejects.toMatchObject({ code: 'insufficient_stock' });
  });
});
