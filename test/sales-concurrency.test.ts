import { expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { balanceAt, checkLedger, LedgerError } from '../src/modules/ledger/index.ts';
import { createChannel, createOrder, listOutbox } from '../src/modules/sales/index.ts';
import { createOrderBody } from '../src/modules/sales/orders.schema.ts';
import { systemClock } from '../src/platform/clock.ts';
import { systemActor } from '../src/platform/context.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem, makeShop } from './support/fixtures.ts';
import { $, q, sell } from './support/shop.ts';

/**
 * Two clerks, a web store and a marketplace sell the last unit at the same instant. On PostgreSQL
 * each call below runs in its own transaction on its own connection of a 20-connection pool; on
 * SQLite they queue for the single writer. Either way: strict reservations never oversell, and
 * allow-negative sales never lose an update.
 */
describeEachDatabase(
  'selling under concurrency',
  (get) => {
    it('50 clients ordering 1 unit of 20 available: exactly 20 accepted, 30 refused with 409', async () => {
      const ctx = serviceContext(get().db);
      const shop = await makeShop(ctx);
      const item = await makeItem(ctx, { price: $('9.00') });
      await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', lines: [{ item_id: item.id, qty: q(20), unit_cost: $('3.00') }] });
      const web = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [shop.warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
      const tag = `C-${Date.now()}`;
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => createOrder(ctx, createOrderBody.parse({ channel_id: web.id, channel_order_id: `${tag}-${i}`, lines: [{ item_id: item.id, qty: 1 }] }))),
      );
      const accepted = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(accepted).toHaveLength(20);
      expect(refused).toHaveLength(30);
      for (const r of refused) {
        expect(r.reason).toBeInstanceOf(LedgerError);
        expect(r.reason).toMatchObject({ code: 'insufficient_stock', status: 409 });
      }
      expect(await balanceAt(get().db.kysely, item.id, shop.warehouseBins[0]!)).toEqual({ onHand: q(20), reserved: q(20) });
      const orders = await get().db.kysely.selectFrom('orders').select('id').where('channel_order_id', 'like', `${tag}-%`).execute();
      expect(orders).toHaveLength(20);
      // One availability event per accepted order, numbered 1…20 with no gap, in commit order: 19, 18 … 0.
      const events = (await listOutbox(ctx, { itemId: item.id, limit: 500 })).events.sort((a, b) => a.seq - b.seq);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(events.map((e) => JSON.parse(e.payload).available)).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i));
    });

    it('50 concurrent counter sales of 1 unit with 20 on hand at an allow-negative store all post: −30', async () => {
      // The system clock: postings must be stamped in the order they commit, not the order they started.
      const ctx = { db: get().db, clock: systemClock, actor: systemActor };
      const shop = await makeShop(ctx);
      const item = await makeItem(ctx, { price: $('2.50') });
      await createAdjustment(ctx, { location_id: shop.store.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: q(20), unit_cost: $('1.00') }] });
      await createChannel(ctx, { name: 'Till', kind: 'pos', site_ids: [shop.store.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          sell(ctx, { location_id: shop.store.id, register: `T${i % 16}`, lines: [{ item_id: item.id, qty: 1 }], payments: [{ tender: 'cash', amount: '2.50' }] }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      expect(await balanceAt(get().db.kysely, item.id, shop.storeBin)).toEqual({ onHand: q(-30), reserved: 0 });
      const numbers = await get().db.kysely.selectFrom('sales').select('number').where('site_id', '=', shop.store.id).execute();
      expect(new Set(numbers.map((n) => n.number)).size).toBe(50);
      // Cost of goods: 20 at 1.00 from stock, 30 sold before they were recorded at the last cost, 1.00.
      const cogs = await get().db.kysely.selectFrom('movements').select((eb) => eb.fn.sum<number>('value_micros').as('v')).where('item_id', '=', item.id).where('kind', '=', 'sale').executeTakeFirstOrThrow();
      expect(Number(cogs.v)).toBe($('50.00'));
      const events = (await listOutbox(ctx, { itemId: item.id, limit: 500 })).events.sort((a, b) => a.seq - b.seq);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      // Numbered in commit order, and stamped in it too: costing then values each sale incrementally
      // instead of replaying the item's history for a sale that waited and came "earlier".
      const stamped = events.map((e) => e.created_at);
      expect(stamped).toEqual([...stamped].sort((a, b) => a - b));
      expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
    });
  },
  { poolSize: 20 },
);
