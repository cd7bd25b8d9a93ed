import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { $, makeCafe, q, sell } from '../../../test/support/shop.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { releaseReservation } from '../ledger/index.ts';
import { createLocation } from '../locations/index.ts';
import { channelAvailability, createChannel, createOrder, listOutbox, setChannelBuffer, updateChannel, voidSale } from './index.ts';
import { createOrderBody } from './orders.schema.ts';

describeEachDatabase('channels, availability and the outbox', (get) => {
  const ctxOf = () => serviceContext(get().db);

  it('sells what the stock bins have to spare, less reservations and the buffer, never below zero', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const quarantine = await createLocation(ctx, { kind: 'bin', parent_id: cafe.warehouse.id, code: 'QA', name: 'Damaged', purpose: 'quarantine' });
    await createAdjustment(ctx, { location_id: quarantine.id, reason: 'found', lines: [{ item_id: cafe.mug.id, qty: q(7) }] });
    const web = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [cafe.warehouse.id, cafe.store.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const available = async (itemId: string) => (await channelAvailability(ctx, web.id, { itemId, limit: 10 })).lines[0]!;
    // 10 in the warehouse, 10 in the store; the 7 in quarantine do not count.
    expect(await available(cafe.mug.id)).toMatchObject({ itemId: cafe.mug.id, onHandAvailable: q(20), buffer: 0, available: q(20) });
    // The store sells 12: its bin goes to −2, which counts as nothing, not as −2 against the warehouse.
    await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.mug.id, qty: 12 }], payments: [{ tender: 'card', amount: '192.00' }] });
    expect((await available(cafe.mug.id)).available).toBe(q(10));
    await setChannelBuffer(ctx, web.id, cafe.mug.id, q(4));
    await createOrder(ctx, createOrderBody.parse({ channel_id: web.id, channel_order_id: `A-${Date.now()}`, lines: [{ item_id: cafe.mug.id, qty: 5 }] }));
    expect(await available(cafe.mug.id)).toMatchObject({ itemId: cafe.mug.id, onHandAvailable: q(5), buffer: q(4), available: q(1) });
    await setChannelBuffer(ctx, web.id, cafe.mug.id, q(9));
    expect((await available(cafe.mug.id)).available).toBe(0);
    const page = await channelAvailability(ctx, web.id, { limit: 500 });
    expect(page.lines.map((l) => l.itemId)).toEqual([...page.lines.map((l) => l.itemId)].sort());
    expect(page.lines.find((l) => l.itemId === cafe.candle.id)?.available).toBe(q(20));
  });

  it('sells a bundle or recipe as far as its scarcest part allows, and tells the outbox when that changes', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const web = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [cafe.warehouse.id, cafe.store.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const available = async (itemId: string) => (await channelAvailability(ctx, web.id, { itemId, limit: 10 })).lines[0]!;
    const lastEvent = async (itemId: string) => {
      const events = (await listOutbox(ctx, { itemId, channelId: web.id, limit: 500 })).events;
      return JSON.parse(events[events.length - 1]!.payload) as { available: number };
    };
    // Candles 20, mugs 20, chocolate 40 at two a basket: 20 baskets. Beans 2000 g at 18 g a latte: 111 lattes.
    expect(await available(cafe.basket.id)).toEqual({ itemId: cafe.basket.id, sku: cafe.basket.sku, name: 'Gift basket', bundle: true, onHandAvailable: q(20), buffer: 0, available: q(20) });
    expect((await available(cafe.latte.id)).available).toBe(q(111));
    // A part's buffer is held back from the bundles too; the bundle's own buffer comes off the whole units.
    await setChannelBuffer(ctx, web.id, cafe.mug.id, q(5));
    expect((await lastEvent(cafe.basket.id)).available).toBe(15);
    // Setting a part's buffer answers with the part's own availability, not a bundle's.
    expect((await setChannelBuffer(ctx, web.id, cafe.choc.id, q(2))).available).toBe(q(38));
    await setChannelBuffer(ctx, web.id, cafe.basket.id, q(3));
    expect(await available(cafe.basket.id)).toMatchObject({ itemId: cafe.basket.id, onHandAvailable: q(15), buffer: q(3), available: q(12) });
    expect((await lastEvent(cafe.basket.id)).available).toBe(12);
    // Selling a part at the counter, or a basket online, changes what the baskets can be.
    await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.mug.id, qty: 4 }], payments: [{ tender: 'card', amount: '64.00' }] });
    expect((await available(cafe.basket.id)).available).toBe(q(8));
    expect((await lastEvent(cafe.basket.id)).available).toBe(8);
    await createOrder(ctx, createOrderBody.parse({ channel_id: web.id, channel_order_id: `B-${Date.now()}`, lines: [{ item_id: cafe.basket.id, qty: 2 }] }));
    expect((await available(cafe.basket.id)).available).toBe(q(6));
    expect((await lastEvent(cafe.basket.id)).available).toBe(6);
    const seqs = (await listOutbox(ctx, { itemId: cafe.basket.id, channelId: web.id, limit: 500 })).events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    // A latte sold at the store: beans, milk and cups drop, and so do the lattes the web could sell.
    await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.latte.id, qty: 2 }], payments: [{ tender: 'card', amount: '8.40' }] });
    expect((await lastEvent(cafe.latte.id)).available).toBe(109);
    // The list carries bundles and recipes among the stocked items, in item order.
    const page = await channelAvailability(ctx, web.id, { limit: 500 });
    expect(page.lines.map((l) => l.itemId)).toEqual([...page.lines.map((l) => l.itemId)].sort());
    expect(page.lines.find((l) => l.itemId === cafe.basket.id)?.available).toBe(q(6));
    expect(page.lines.find((l) => l.itemId === cafe.latte.id)?.available).toBe(q(109));
    const paged: string[] = [];
    for (let cursor: string | undefined, n = 0; n < 50; n += 1) {
      const next = await channelAvailability(ctx, web.id, { limit: 2, cursor });
      paged.push(...next.lines.map((l) => l.itemId));
      if (!next.nextCursor) break;
      cursor = next.nextCursor;
    }
    expect(paged).toEqual(page.lines.map((l) => l.itemId));
  });

  it('writes an event for every change, in order per item, with the availability after it', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const pos = await createChannel(ctx, { name: 'Store till', kind: 'pos', site_ids: [cafe.store.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const web = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [cafe.warehouse.id, cafe.store.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const expected: Array<{ channel: string; item: string; available: number }> = [];
    // What each channel can sell after a step, in the order the outbox numbers a posting's events (item, then channel).
    const observe = async (...pairs: Array<[string, string]>) => {
      const ordered = [...pairs].sort(([ca, ia], [cb, ib]) => (ia === ib ? (ca < cb ? -1 : 1) : ia < ib ? -1 : 1));
      for (const [channel, item] of ordered) expected.push({ channel, item, available: (await channelAvailability(ctx, channel, { itemId: item, limit: 1 })).lines[0]!.available });
    };

    // A latte at the store: beans, milk and cups change for both channels.
    const latte = await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.latte.id, qty: 1 }], payments: [{ tender: 'cash', amount: '5.00' }] });
    await observe([pos.id, cafe.beans.id], [web.id, cafe.beans.id], [pos.id, cafe.milk.id], [web.id, cafe.milk.id], [pos.id, cafe.cup.id], [web.id, cafe.cup.id]);
    // An online order reserves at the warehouse: only the web channel sells from there.
    const order = await createOrder(ctx, createOrderBody.parse({ channel_id: web.id, channel_order_id: `E-${Date.now()}`, lines: [{ item_id: cafe.beans.id, qty: 100 }] }));
    await observe([web.id, cafe.beans.id]);
    await releaseReservation(ctx, order.record.lines[0]!.reservations[0]!.id);
    await observe([web.id, cafe.beans.id]);
    await voidSale(ctx, latte.sale.id, { reason: 'spilt' });
    await observe([pos.id, cafe.beans.id], [web.id, cafe.beans.id], [pos.id, cafe.milk.id], [web.id, cafe.milk.id], [pos.id, cafe.cup.id], [web.id, cafe.cup.id]);
    await setChannelBuffer(ctx, web.id, cafe.cup.id, q(50));
    await observe([web.id, cafe.cup.id]);

    const items = [cafe.beans.id, cafe.milk.id, cafe.cup.id];
    const events = (await listOutbox(ctx, { limit: 500 })).events.filter((e) => items.includes(e.item_id) && [pos.id, web.id].includes(e.channel_id!));
    // Numbered 1, 2, 3 … per item, with no gap: complete and ordered.
    for (const item of items) {
      const seqs = events.filter((e) => e.item_id === item).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    }
    const got = events
      .sort((a, b) => (a.item_id === b.item_id ? a.seq - b.seq : 0))
      .map((e) => ({ channel: e.channel_id!, item: e.item_id, available: q((JSON.parse(e.payload) as { available: number }).available) }));
    const byItem = (list: typeof got) => items.map((item) => list.filter((e) => e.item === item).map((e) => `${e.channel}:${e.available}`));
    expect(byItem(got)).toEqual(byItem(expected));
    // The last event of each (channel, item) carries what the channel can sell now.
    for (const item of items) {
      for (const channel of [pos.id, web.id]) {
        const last = events.filter((e) => e.item_id === item && e.channel_id === channel).sort((a, b) => a.seq - b.seq).pop()!;
        const now = (await channelAvailability(ctx, channel, { itemId: item, limit: 1 })).lines[0]!.available;
        expect(q((JSON.parse(last.payload) as { available: number }).available)).toBe(now);
      }
    }
  });

  it('writes nothing for a store no channel sells from, and speaks up when a channel gains a site', async () => {
    const ctx = ctxOf();
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { price: $('3.00') });
    await createAdjustment(ctx, { location_id: shop.store.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: q(6), unit_cost: $('1.00') }] });
    await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: item.id, qty: 1 }], payments: [{ tender: 'cash', amount: '3.00' }] });
    expect((await listOutbox(ctx, { itemId: item.id, limit: 10 })).events).toEqual([]);
    const web = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [shop.warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    await updateChannel(ctx, web.id, { site_ids: [shop.warehouse.id, shop.store.id] });
    const events = (await listOutbox(ctx, { itemId: item.id, limit: 10 })).events;
    expect(events.map((e) => [e.channel_id, e.seq, JSON.parse(e.payload).available])).toEqual([[web.id, 1, 5]]);
  });
  it('lists, pushes and takes orders for only the categories in its assortment', async () => {
    const ctx = ctxOf();
    const shop = await makeShop(ctx);
    const candle = await makeItem(ctx, { name: 'Candle', category: 'Home', price: $('18.00') });
    const beans = await makeItem(ctx, { name: 'Espresso beans', category: 'Café ingredients', base_unit: 'g', price: $('0.04') });
    await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'found', lines: [{ item_id: candle.id, qty: q(6) }, { item_id: beans.id, qty: q(4000) }] });
    const web = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [shop.warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null, categories: ['home'] });
    expect(web.categories).toEqual(['home']);
    const listed = async () => (await channelAvailability(ctx, web.id, { limit: 500 })).lines.map((l) => l.itemId);
    expect(await listed()).toEqual([candle.id]);

    const refused = await createOrder(ctx, createOrderBody.parse({ channel_id: web.id, channel_order_id: `C-${Date.now()}`, lines: [{ item_id: beans.id, qty: 1 }] })).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'order_invalid', errors: [{ field: 'body.lines.0', code: 'not_in_assortment' }] });
    await createOrder(ctx, createOrderBody.parse({ channel_id: web.id, channel_order_id: `D-${Date.now()}`, lines: [{ item_id: candle.id, qty: 1 }] }));

    const lastEvent = async (itemId: string) => {
      const events = (await listOutbox(ctx, { itemId, channelId: web.id, limit: 500 })).events;
      return JSON.parse(events[events.length - 1]!.payload) as { available: number };
    };
    // Widening the assortment lists the beans and says how many can be sold; narrowing it again says none.
    await updateChannel(ctx, web.id, { categories: ['Home', 'Café ingredients'] });
    expect(await listed()).toEqual([candle.id, beans.id].sort());
    expect((await lastEvent(beans.id)).available).toBe(4000);
    await updateChannel(ctx, web.id, { categories: ['Home'] });
    expect((await lastEvent(beans.id)).available).toBe(0);
    expect((await lastEvent(candle.id)).available).toBe(5);
    // A change of stock says so too: more beans are still none for this channel, more candles are more.
    const before = (await listOutbox(ctx, { itemId: beans.id, channelId: web.id, limit: 500 })).events.length;
    await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'found', lines: [{ item_id: beans.id, qty: q(500) }, { item_id: candle.id, qty: q(1) }] });
    expect((await listOutbox(ctx, { itemId: beans.id, channelId: web.id, limit: 500 })).events.length).toBe(before + 1);
    expect((await lastEvent(beans.id)).available).toBe(0);
    expect((await lastEvent(candle.id)).available).toBe(6);
    // A page is filled past the items the channel does not sell, and the cursor walks on to the end.
    const more = [];
    for (let i = 0; i < 6; i += 1) more.push(await makeItem(ctx, { name: `Filler ${i}`, category: i % 3 === 0 ? 'Home' : 'Café supplies', price: $('1.00') }));
    await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'found', lines: more.map((item) => ({ item_id: item.id, qty: q(1) })) });
    const home = [candle, ...more.filter((_, i) => i % 3 === 0)].map((item) => item.id).sort();
    const first = await channelAvailability(ctx, web.id, { limit: 2 });
    expect(first.lines.map((l) => l.itemId)).toEqual(home.slice(0, 2));
    const second = await channelAvailability(ctx, web.id, { limit: 2, cursor: first.nextCursor! });
    expect(second.lines.map((l) => l.itemId)).toEqual(home.slice(2));
    expect(second.nextCursor).toBeNull();
    // Null sells everything again.
    await updateChannel(ctx, web.id, { categories: null });
    expect(await listed()).toEqual([candle.id, beans.id, ...more.map((item) => item.id)].sort());
  });
});
