import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { $, q } from '../../../test/support/shop.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { createPickLists, markPicked, packShipment } from '../fulfillment/index.ts';
import { listReservationsOfDocument } from '../ledger/index.ts';
import { amendOrder, createChannel, createOrder, getOrder } from './index.ts';
import { createOrderBody } from './orders.schema.ts';

describeEachDatabase('amending an online order', (get) => {
  let counter = 0;
  async function setup() {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const [a, b, c] = [await makeItem(ctx, { price: $('10.00') }), await makeItem(ctx, { price: $('4.00') }), await makeItem(ctx, { price: $('2.50') })];
    await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', lines: [a, b, c].map((i) => ({ item_id: i.id, qty: q(5), unit_cost: $('1.00') })) });
    const channel = await createChannel(ctx, { name: `Amend ${(counter += 1)}`, kind: 'online', site_ids: [shop.warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const taken = await createOrder(ctx, createOrderBody.parse({ channel_id: channel.id, channel_order_id: `A-${counter}-${Date.now()}`, lines: [{ item_id: a.id, qty: 3 }, { item_id: b.id, qty: 1 }] }));
    return { ctx, a, b, c, orderId: taken.record.order.id };
  }
  const reserved = async (ctx: ReturnType<typeof serviceContext>, orderId: string) => {
    const byItem = new Map<string, number>();
    for (const r of await listReservationsOfDocument(ctx, orderId)) byItem.set(r.item_id, (byItem.get(r.item_id) ?? 0) + r.qty);
    return byItem;
  };

  it('cancels what is taken away and reserves what is added, keeping the lines’ history', async () => {
    const { ctx, a, b, c, orderId } = await setup();
    const { record, changed } = await amendOrder(ctx, orderId, [{ item_id: a.id, qty: q(1) }, { item_id: c.id, qty: q(2) }]);
    expect(changed).toBe(true);
    expect(record.lines.map((l) => [l.item_id, l.qty, l.qty_cancelled])).toEqual([
      [a.id, q(3), q(2)],
      [b.id, q(1), q(1)],
      [c.id, q(2), 0],
    ]);
    expect(await reserved(ctx, orderId)).toEqual(new Map([[a.id, q(1)], [c.id, q(2)]]));
    expect(record.order.total_micros).toBe($('15.00'));
    expect(record.order.status).toBe('allocated');
    // The same quantities again change nothing.
    expect((await amendOrder(ctx, orderId, [{ item_id: a.id, qty: q(1) }, { item_id: c.id, qty: q(2) }])).changed).toBe(false);
  });

  it('refuses more than a strict channel can cover, and changes nothing', async () => {
    const { ctx, a, b, orderId } = await setup();
    await expect(amendOrder(ctx, orderId, [{ item_id: a.id, qty: q(9) }, { item_id: b.id, qty: q(1) }])).rejects.toMatchObject({ code: 'insufficient_stock' });
    expect(await reserved(ctx, orderId)).toEqual(new Map([[a.id, q(3)], [b.id, q(1)]]));
    expect((await getOrder(ctx, orderId)).lines).toHaveLength(2);
  });

  it('cannot take away what is packed', async () => {
    const { ctx, a, b, orderId } = await setup();
    const [list] = await createPickLists(ctx, orderId);
    await markPicked(ctx, list!.list.id);
    const lineA = (await getOrder(ctx, orderId)).lines[0]!;
    await packShipment(ctx, list!.list.id, { packages: [{ weight_g: 100, lines: [{ order_line_id: lineA.id, qty: q(2) }] }] });
    await expect(amendOrder(ctx, orderId, [{ item_id: a.id, qty: q(1) }, { item_id: b.id, qty: q(1) }])).rejects.toMatchObject({ code: 'order_conflict' });
    const kept = await amendOrder(ctx, orderId, [{ item_id: a.id, qty: q(2) }, { item_id: b.id, qty: q(1) }]);
    expect(kept.record.lines[0]!.qty_cancelled).toBe(q(1));
  });
});
