import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase, serviceContext } from '../support/databases.ts';
import { makeItem, makeShop } from '../support/fixtures.ts';
import { $, q } from '../support/shop.ts';
import { buildApp } from '../../src/server/app.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { checkLedger } from '../../src/modules/ledger/index.ts';
import { channelAvailability, createChannel, setChannelBuffer } from '../../src/modules/sales/index.ts';
import { createConnection, processChannelEvents, purgeAppliedEvents, pushLevels, refreshCatalogue, reconcile, pollConnection, listSyncLog, type ChannelAdapter } from '../../src/modules/integrations/index.ts';
import { shopifyAdapter } from '../../src/modules/integrations/index.ts';
import { SquareFake } from '../fakes/square.ts';
import { WooCommerceFake } from '../fakes/woocommerce.ts';
import { squareAdapter } from '../../src/modules/integrations/square/index.ts';
import { wooCommerceAdapter } from '../../src/modules/integrations/woocommerce/index.ts';
import type { FakeStore, FakeWebhookDelivery } from '../fakes/fake-store.ts';
import { startShopifyFake } from '../fakes/shopify.ts';
import { testSize } from '../support/sizing.ts';

/**
 * The connectors end to end against each platform's local fake: orders in by signed webhook
 * (duplicated, reordered), applied so every order ends exactly once in its final upstream state,
 * and stock out until every pushed level equals available-to-sell. Square and WooCommerce join
 * with one line each in `platforms`.
 */
interface PlatformUnderTest {
  adapter: ChannelAdapter;
  startFake(startAt: number): Promise<FakeStore>;
  /** Whether a delivery says when it fired, so an old one can be refused as stale (WooCommerce's does not). */
  datesDeliveries: boolean;
}
/** A clock for a fake that moves a second on every reading, so each upstream change is newer than the last. */
const ticking = (startAt: number) => () => (startAt += 1000);
const platforms: PlatformUnderTest[] = [
  { adapter: shopifyAdapter, startFake: (startAt) => startShopifyFake({ startAt }), datesDeliveries: true },
  { adapter: squareAdapter, startFake: (startAt) => SquareFake.start({ now: ticking(startAt) }), datesDeliveries: true },
  { adapter: wooCommerceAdapter, startFake: (startAt) => WooCommerceFake.start({ now: ticking(startAt) }), datesDeliveries: false },
];

const ORDERS = testSize('CONNECTOR_ORDERS', 200, 60);
const CATALOGUE = testSize('CONNECTOR_CATALOGUE', 5000, 1200);

/** Whether a delivery announces a new order, whichever platform sent it (by its topic or event header). */
const isCreate = (w: FakeWebhookDelivery) => Object.values(w.headers).some((v) => /^(orders\/create|order\.created)$/.test(v));

/** A small deterministic generator, so a failing run can be repeated. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

for (const platform of platforms) {
  describeEachDatabase(`connector: ${platform.adapter.platform}`, (get) => {
    let app: FastifyInstance;
    let fake: FakeStore;
    const ctx = () => serviceContext(get().db, clock);
    const clock = serviceContext(null as never).clock;

    beforeAll(async () => {
      app = await buildApp({ db: get().db, clock, rateLimit: false });
    });
    afterAll(async () => app.close());
    afterEach(async () => fake?.close());

    async function setup(products: number, stock: number) {
      // The shop's clock runs a second per change; starting it hours back keeps its webhooks within the accepted age.
      fake = await platform.startFake(clock.now() - 6 * 60 * 60_000);
      const c = ctx();
      const shop = await makeShop(c);
      const channel = await createChannel(c, { name: `Web ${Math.random()}`, kind: 'online', site_ids: [shop.warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
      const refs: string[] = [];
      const items: string[] = [];
      for (let i = 0; i < products; i += 1) {
        const item = await makeItem(c, { price: $('10.00') });
        await createAdjustment(c, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', lines: [{ item_id: item.id, qty: q(stock), unit_cost: $('4.00') }] });
        refs.push(fake.addProduct({ title: `Product ${i}`, sku: item.sku, barcode: null, price: '10.00', stock }));
        items.push(item.id);
      }
      const connection = await createConnection(c, { channel_id: channel.id, platform: platform.adapter.platform, credentials: fake.credentials, base_url: fake.baseUrl });
      const url = `/api/v1/integrations/${connection.id}/webhooks`;
      fake.setNotificationUrl(`http://localhost:80${url}`);
      const catalogue = await refreshCatalogue(c, connection.id);
      expect(catalogue).toEqual({ variants: products, matched: products });
      return { c, shop, channel, connection, refs, items, url };
    }

    const deliver = (url: string, w: FakeWebhookDelivery) => app.inject({ method: 'POST', url, headers: { ...w.headers, host: 'localhost:80' }, payload: w.body });

    async function drain() {
      for (let i = 0; i < 100; i += 1) if ((await processChannelEvents(ctx(), { limit: 500 })) === 0) return;
      throw new Error('the event queue never drained');
    }

    it(`${ORDERS} orders with 10% duplicates and 10% reordered end exactly once in their final state; pushed levels equal available-to-sell`, { timeout: 240_000 }, async () => {
      const { c, channel, connection, refs, items, url } = await setup(12, 400);
      const rnd = random(15);
      const pick = () => Math.floor(rnd() * refs.length);
      const orders: string[] = [];
      for (let n = 0; n < ORDERS; n += 1) {
        const lines = [...new Set([pick(), pick()])].map((i) => ({ variantRef: refs[i]!, quantity: 1 + Math.floor(rnd() * 3), price: '10.00' }));
        const ref = fake.createOrder(lines);
        orders.push(ref);
        const roll = rnd();
        if (roll < 0.3) fake.updateOrderLines(ref, [...lines.slice(1), { variantRef: refs[pick()]!, quantity: 1 + Math.floor(rnd() * 2), price: '10.00' }].filter((l, i, all) => all.findIndex((x) => x.variantRef === l.variantRef) === i));
        else if (roll < 0.4) fake.cancelOrder(ref);
        else if (roll < 0.5) fake.refund(ref, [{ index: 0, quantity: 1, restock: false }]);
      }
      const sent = fake.takeWebhooks();
      // 10% reordered: a later event of an order moved before its earlier one.
      const deliveries = [...sent];
      for (let i = 0; i < Math.round(sent.length * 0.1); i += 1) {
        const at = 1 + Math.floor(rnd() * (deliveries.length - 1));
        [deliveries[at - 1], deliveries[at]] = [deliveries[at]!, deliveries[at - 1]!];
      }
      // And updates delivered before their creates, on purpose.
      for (let i = 0; i + 1 < deliveries.length; i += 1) {
        if (isCreate(deliveries[i]!) && !isCreate(deliveries[i + 1]!) && rnd() < 0.5) {
          [deliveries[i], deliveries[i + 1]] = [deliveries[i + 1]!, deliveries[i]!];
          i += 1;
        }
      }
      // 10% duplicates: a retry of an earlier delivery, later on.
      for (let i = 0; i < Math.round(sent.length * 0.1); i += 1) {
        const copy = deliveries[Math.floor(rnd() * deliveries.length)]!;
        deliveries.splice(Math.floor(rnd() * deliveries.length), 0, copy);
      }
      for (const w of deliveries) expect((await deliver(url, w)).statusCode).toBe(200);
      await drain();
      const failures = (await listSyncLog(c, connection.id, { limit: 20, failedOnly: true })).entries.map((e) => e.detail);
      expect(failures).toEqual([]);

      // Every order exactly once, holding what upstream holds now.
      const rows = await c.db.kysely.selectFrom('orders').select(['id', 'channel_order_id', 'status']).where('channel_id', '=', channel.id).execute();
      expect(new Set(rows.map((r) => r.channel_order_id)).size).toBe(rows.length);
      const adapterEnv = { baseUrl: fake.baseUrl, fetch, now: () => clock.now(), timeoutMs: 10_000 };
      const itemOf = new Map(refs.map((ref, i) => [ref, items[i]!]));
      const variantToItem = new Map<string, string>();
      for (const row of await c.db.kysely.selectFrom('channel_variant_maps').select(['variant_ref', 'parent_ref', 'item_id']).where('connection_id', '=', connection.id).execute()) {
        variantToItem.set(row.variant_ref, row.item_id!);
        if (row.parent_ref) variantToItem.set(row.parent_ref, row.item_id!);
      }
      expect(itemOf.size).toBe(refs.length);
      for (const ref of orders) {
        const upstream = (await platform.adapter.getOrder(fake.credentials, adapterEnv, ref))!;
        const mine = rows.find((r) => r.channel_order_id === ref);
        const want = new Map<string, number>();
        if (upstream.status !== 'cancelled') {
          const refunded = new Map<string, number>();
          for (const r of upstream.refunds) for (const l of r.lines) refunded.set(l.lineRef, (refunded.get(l.lineRef) ?? 0) + l.qty);
          for (const l of upstream.lines) {
            const item = variantToItem.get(l.variantRef!)!;
            want.set(item, (want.get(item) ?? 0) + l.qty - (refunded.get(l.lineRef) ?? 0));
          }
        }
        for (const [k, v] of [...want]) if (v === 0) want.delete(k);
        // Cancelled or refunded whole before it ever reached us: nothing to hold, no order needed.
        if (!mine && (upstream.status === 'cancelled' || want.size === 0)) continue;
        expect(mine, `order ${ref}`).toBeDefined();
        const lines = await c.db.kysely.selectFrom('order_lines').select(['item_id', 'qty', 'qty_cancelled']).where('order_id', '=', mine!.id).execute();
        const have = new Map<string, number>();
        for (const l of lines) if (l.qty > l.qty_cancelled) have.set(l.item_id, (have.get(l.item_id) ?? 0) + l.qty - l.qty_cancelled);
        expect(have, `order ${ref}`).toEqual(want);
        if (upstream.status === 'cancelled') expect(mine!.status).toBe('cancelled');
      }

      // Never oversold: the ledger's invariants hold (no strict bin below zero, reservations within on-hand).
      expect((await checkLedger(c.db, clock.now())).invariants.filter((i) => !i.ok)).toEqual([]);

      // Stock out: drain the pushes, then every upstream level is Stockroom's available-to-sell.
      for (let round = 0; round < 20 && (await pushLevels(c, { intervalMs: 0, connectionId: connection.id })) > 0; round += 1);
      for (const [i, ref] of refs.entries()) {
        const { lines } = await channelAvailability(c, channel.id, { itemId: items[i]!, limit: 1 });
        expect(fake.levelOf(ref) * 1000, ref).toBe(Math.floor((lines[0]?.available ?? 0) / 1000) * 1000);
      }
      expect((await reconcile(c, connection.id)).drift).toEqual([]);
    });

    it('ships what the platform fulfilled, and makes a return of a refund with restock; a duplicate delivery is taken once', async () => {
      const { c, refs, items, url, connection, channel } = await setup(2, 20);
      const ref = fake.createOrder([{ variantRef: refs[0]!, quantity: 3, price: '10.00' }, { variantRef: refs[1]!, quantity: 1, price: '10.00' }]);
      const [created] = fake.takeWebhooks();
      expect((await deliver(url, created!)).json().duplicate).toBe(false);
      expect((await deliver(url, created!)).json().duplicate).toBe(true);
      expect(await c.db.kysely.selectFrom('channel_events').select('id').where('connection_id', '=', connection.id).execute()).toHaveLength(1);
      await drain();
      // Applied events are kept a week for de-duplication, then purged.
      expect(await purgeAppliedEvents(c)).toBe(0);
      fake.fulfilOrder(ref);
      fake.refund(ref, [{ index: 0, quantity: 2, restock: true }]);
      // Delivered newest first: the refund (a partial payload, read back from the platform) before the fulfilment.
      for (const w of fake.takeWebhooks().reverse()) expect((await deliver(url, w)).statusCode).toBe(200);
      await drain();
      const order = await c.db.kysely.selectFrom('orders').selectAll().where('channel_id', '=', channel.id).where('channel_order_id', '=', ref).executeTakeFirstOrThrow();
      expect(order.status).toBe('shipped');
      const lines = await c.db.kysely.selectFrom('order_lines').select(['item_id', 'qty_shipped', 'qty_returned']).where('order_id', '=', order.id).orderBy('line_no').execute();
      expect(lines).toEqual([
        { item_id: items[0], qty_shipped: q(3), qty_returned: q(2) },
        { item_id: items[1], qty_shipped: q(1), qty_returned: 0 },
      ]);
      expect(await c.db.kysely.selectFrom('returns').select('id').where('order_id', '=', order.id).execute()).toHaveLength(1);
      expect((await checkLedger(c.db, clock.now())).invariants.filter((i) => !i.ok)).toEqual([]);
      clock.advance(8 * 24 * 60 * 60_000);
      expect(await purgeAppliedEvents(c)).toBeGreaterThanOrEqual(3);
      expect(await c.db.kysely.selectFrom('channel_events').select('id').where('connection_id', '=', connection.id).execute()).toEqual([]);
    });

    it(`reads a ${CATALOGUE}-product catalogue page by page`, { timeout: 120_000 }, async () => {
      fake = await platform.startFake(clock.now());
      const c = ctx();
      const shop = await makeShop(c);
      const channel = await createChannel(c, { name: `Big ${Math.random()}`, kind: 'online', site_ids: [shop.warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
      for (let i = 0; i < CATALOGUE; i += 1) fake.addProduct({ title: `Big ${i}`, sku: `BIG-${i}-${channel.id.slice(-6)}`, barcode: null, price: '1.00', stock: 1 });
      const connection = await createConnection(c, { channel_id: channel.id, platform: platform.adapter.platform, credentials: fake.credentials, base_url: fake.baseUrl });
      const before = fake.requests.length;
      expect(await refreshCatalogue(c, connection.id)).toEqual({ variants: CATALOGUE, matched: 0 });
      expect(fake.requests.length - before).toBeGreaterThan(1);
      const unmapped = await c.db.kysely.selectFrom('channel_variant_maps').select('variant_ref').where('connection_id', '=', connection.id).where('item_id', 'is', null).execute();
      expect(unmapped).toHaveLength(CATALOGUE);
    });

    it('refuses unsigned, mis-signed and stale webhooks with 401, changes nothing, and logs the refusal', async () => {
      const { c, refs, url, connection } = await setup(1, 10);
      fake.createOrder([{ variantRef: refs[0]!, quantity: 1, price: '10.00' }]);
      const [w] = fake.takeWebhooks();
      const unsigned = { ...w!, headers: Object.fromEntries(Object.entries(w!.headers).filter(([k]) => !k.includes('hmac') && !k.includes('signature'))) };
      // Any change to the signed bytes, whatever the payload holds (Square's names only the order).
      const tampered = { ...w!, body: w!.body.replace(/}\s*$/, ' }') };
      for (const bad of [unsigned, tampered]) {
        const res = await deliver(url, bad);
        expect(res.statusCode).toBe(401);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().code).toBe('webhook_refused');
      }
      const refusals = ['webhook refused: bad_signature', 'webhook refused: unsigned'];
      // Older than every platform's retry window (Square retries for 72 hours).
      if (platform.datesDeliveries) {
        clock.advance(4 * 24 * 60 * 60_000);
        expect((await deliver(url, w!)).statusCode).toBe(401);
        refusals.push('webhook refused: stale');
      }
      expect(await c.db.kysely.selectFrom('channel_events').select('id').where('connection_id', '=', connection.id).execute()).toEqual([]);
      const log = await listSyncLog(c, connection.id, { limit: 10, failedOnly: true });
      expect(log.entries.map((e) => e.detail).sort()).toEqual(refusals.sort());
    });

    it('backs off when throttled, survives a timeout, coalesces a burst into one push, and the poll catches a missed webhook', async () => {
      const { c, shop, refs, items, url, connection, channel } = await setup(2, 50);
      // A missed webhook: nothing delivered, the poll brings it.
      const ref = fake.createOrder([{ variantRef: refs[0]!, quantity: 2, price: '10.00' }]);
      fake.takeWebhooks();
      clock.advance(60_000);
      // The shop's clock runs behind ours here: poll from the start.
      await c.db.kysely.updateTable('channel_connections').set({ polled_until: 0 }).where('id', '=', connection.id).execute();
      expect(await pollConnection(c, (await c.db.kysely.selectFrom('channel_connections').selectAll().where('id', '=', connection.id).executeTakeFirstOrThrow()))).toBe(1);
      expect(await c.db.kysely.selectFrom('orders').select('id').where('channel_id', '=', channel.id).where('channel_order_id', '=', ref).execute()).toHaveLength(1);
      void url;

      // A burst of five counter sales is one push per variant.
      for (let i = 0; i < 5; i += 1) await createAdjustment(c, { location_id: shop.warehouseBins[0]!, reason: 'damaged', lines: [{ item_id: items[1]!, qty: -q(1) }] });
      fake.throttleNext(1, 2000);
      expect(await pushLevels(c, { intervalMs: 1000 })).toBe(0);
      const rested = await c.db.kysely.selectFrom('channel_connections').select('push_not_before').where('id', '=', connection.id).executeTakeFirstOrThrow();
      // The wait comes from the cost extensions (what the bucket lacks over its restore rate).
      expect(rested.push_not_before).toBeGreaterThan(clock.now());
      expect(await pushLevels(c, { intervalMs: 1000 })).toBe(0);
      clock.advance(2000);
      process.env.STOCKROOM_PLATFORM_TIMEOUT_MS = '200';
      fake.delayNext(1, 1000);
      expect(await pushLevels(c, { intervalMs: 1000 })).toBe(0);
      delete process.env.STOCKROOM_PLATFORM_TIMEOUT_MS;
      clock.advance(60_000);
      const before = fake.requests.length;
      expect(await pushLevels(c, { intervalMs: 1000 })).toBe(2);
      expect(fake.requests.length - before).toBe(1);
      const available = async (i: number) => (await channelAvailability(c, channel.id, { itemId: items[i]!, limit: 1 })).lines[0]!.available;
      expect(fake.levelOf(refs[0]!)).toBe((await available(0)) / 1000);
      expect(fake.levelOf(refs[1]!)).toBe((await available(1)) / 1000);
      // Within the interval another sale waits; after it, one push with the latest level.
      await createAdjustment(c, { location_id: shop.warehouseBins[0]!, reason: 'damaged', lines: [{ item_id: items[1]!, qty: -q(1) }] });
      expect(await pushLevels(c, { intervalMs: 1000 })).toBe(0);
      clock.advance(1000);
      expect(await pushLevels(c, { intervalMs: 1000 })).toBe(1);
      expect(fake.levelOf(refs[1]!)).toBe((await available(1)) / 1000);
      // A buffer changed, no stock moved: the level still goes up to the platform.
      clock.advance(1000);
      await setChannelBuffer(c, channel.id, items[0]!, q(5));
      clock.advance(1000);
      expect(await pushLevels(c, { intervalMs: 1000 })).toBe(1);
      expect(fake.levelOf(refs[0]!)).toBe((await available(0)) / 1000);
      expect(await pushLevels(c, { intervalMs: 1000 })).toBe(0);
      const kinds = (await listSyncLog(c, connection.id, { limit: 50 })).entries.map((e) => e.kind);
      expect(kinds).toContain('throttled');
      expect(kinds).toContain('push_failed');
    });
  });
}
