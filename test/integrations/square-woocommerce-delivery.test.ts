/**
 * What the Square and WooCommerce adapters promise the core about webhook deliveries, checked the
 * way the core uses them: deliveries duplicated and shuffled, each verified, a partial one resolved
 * with `getOrder`, the highest version per order kept. Whatever the order of arrival, what is kept
 * is each order's final upstream state. Also: a signed body of any shape is refused or parsed,
 * never thrown on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AdapterEnv, ChannelAdapter, UpstreamOrder } from '../../src/modules/integrations/adapter.ts';
import { squareAdapter, squareSignature } from '../../src/modules/integrations/square/index.ts';
import { wooCommerceAdapter, wooSignature } from '../../src/modules/integrations/woocommerce/index.ts';
import type { FakeStore, FakeWebhookDelivery } from '../fakes/fake-store.ts';
import { SquareFake } from '../fakes/square.ts';
import { WooCommerceFake } from '../fakes/woocommerce.ts';

const NOTIFICATION_URL = 'https://stockroom.example/api/integrations/webhooks/ch_x';

/** A small seeded generator, so a failure names a run that can be repeated. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Platform {
  name: string;
  adapter: ChannelAdapter;
  start(now: () => number): Promise<FakeStore>;
  sign(body: string, credentials: Record<string, string>): Record<string, string>;
}

const platforms: Platform[] = [
  {
    name: 'Square',
    adapter: squareAdapter,
    start: (now) => SquareFake.start({ now }),
    sign: (body, credentials) => ({ 'x-square-hmacsha256-signature': squareSignature(NOTIFICATION_URL, body, credentials.webhookSignatureKey!) }),
  },
  {
    name: 'WooCommerce',
    adapter: wooCommerceAdapter,
    start: (now) => WooCommerceFake.start({ now }),
    sign: (body, credentials) => ({
      'x-wc-webhook-signature': wooSignature(body, credentials.webhookSecret!),
      'x-wc-webhook-topic': 'order.updated',
      'x-wc-webhook-delivery-id': 'd1',
    }),
  },
];

let fake: FakeStore | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

/** Drives 40 orders through random edits, cancellations, fulfilments and refunds. */
function runShop(store: FakeStore, next: () => number, tick: () => void): string[] {
  const variants = Array.from({ length: 6 }, (_, i) => store.addProduct({ title: `P${i}`, sku: `P${i}`, barcode: null, price: '3.00', stock: 1000 }));
  const pick = () => variants[Math.floor(next() * variants.length)]!;
  const orders: string[] = [];
  for (let i = 0; i < 40; i += 1) {
    tick();
    const orderRef = store.createOrder([{ variantRef: pick(), quantity: 1 + Math.floor(next() * 3), price: '3.00' }]);
    orders.push(orderRef);
    const roll = next();
    tick();
    if (roll < 0.3) store.updateOrderLines(orderRef, [{ variantRef: pick(), quantity: 2, price: '3.00' }, { variantRef: pick(), quantity: 1, price: '3.00' }]);
    else if (roll < 0.45) store.cancelOrder(orderRef);
    else if (roll < 0.7) {
      store.fulfilOrder(orderRef);
      tick();
      if (next() < 0.5) store.refund(orderRef, [{ index: 0, quantity: 1, restock: next() < 0.5 }]);
    }
  }
  return orders;
}

/** 10 % sent twice, then shuffled. */
function duplicateAndShuffle(deliveries: FakeWebhookDelivery[], next: () => number): FakeWebhookDelivery[] {
  const all = deliveries.flatMap((delivery) => (next() < 0.1 ? [delivery, delivery] : [delivery]));
  for (let i = all.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}

describe.each(platforms)('$name deliveries', (platform) => {
  it('converge on each order\'s final state when duplicated and out of order', async () => {
    let clock = Date.parse('2026-04-01T09:00:00Z');
    const store = (fake = await platform.start(() => clock));
    store.setNotificationUrl(NOTIFICATION_URL);
    const env: AdapterEnv = { baseUrl: store.baseUrl, fetch: globalThis.fetch, now: () => clock, timeoutMs: 5_000 };
    const next = random(2026);
    const orders = runShop(store, next, () => (clock += 1_500));
    const deliveries = duplicateAndShuffle(store.takeWebhooks(), next);
    const seenEvents = new Set<string>();
    const kept = new Map<string, UpstreamOrder>();
    for (const delivery of deliveries) {
      const event = platform.adapter.verifyWebhook({ headers: delivery.headers, rawBody: Buffer.from(delivery.body), notificationUrl: NOTIFICATION_URL }, store.credentials, env);
      if ('refused' in event) throw new Error(`refused ${event.refused}`);
      if (seenEvents.has(event.eventId)) continue;
      seenEvents.add(event.eventId);
      if (!event.order) continue;
      const state = 'version' in event.order ? event.order : await platform.adapter.getOrder(store.credentials, env, event.order.orderRef);
      if (!state) continue;
      const held = kept.get(state.orderRef);
      if (!held || state.version > held.version) kept.set(state.orderRef, state);
    }
    expect([...kept.keys()].sort()).toEqual([...orders].sort());
    for (const orderRef of orders) expect(kept.get(orderRef)).toEqual(await platform.adapter.getOrder(store.credentials, env, orderRef));
  });

  it('refuses or parses any signed body, never throwing', async () => {
    const store = (fake = await platform.start(Date.now));
    const env: AdapterEnv = { baseUrl: store.baseUrl, fetch: globalThis.fetch, now: Date.now, timeoutMs: 1_000 };
    const bodies = [
      '', 'null', '[]', '"text"', '{', '{"id":1}', '{"id":-1,"line_items":"x"}', '{"event_id":5,"type":"order.updated"}',
      JSON.stringify({ event_id: 'e', type: 'order.updated', created_at: 'yesterday', data: { type: 'order' } }),
      JSON.stringify({ id: 12, date_created_gmt: 'x', date_modified_gmt: 'y', line_items: [] }),
      JSON.stringify({ id: 12, date_created_gmt: '2026-01-01T00:00:00', date_modified_gmt: '2026-01-01T00:00:01', line_items: [{ id: 1, quantity: 'two' }], refunds: [] }),
      Buffer.from([0xff, 0xfe, 0x00, 0x7b]).toString('latin1'),
    ];
    for (const body of bodies) {
      const result = platform.adapter.verifyWebhook({ headers: platform.sign(body, store.credentials), rawBody: Buffer.from(body), notificationUrl: NOTIFICATION_URL }, store.credentials, env);
      expect(result, body).toEqual({ refused: 'malformed' });
    }
  });
});

describe('the fakes hold the platforms\' limits', () => {
  it('Square refuses a batch of more than 100 changes', async () => {
    const store = await SquareFake.start();
    fake = store;
    const ref = store.addProduct({ title: 'A', sku: 'A', barcode: null, price: '1.00', stock: 1 });
    const changes = Array.from({ length: 101 }, () => ({ type: 'PHYSICAL_COUNT', physical_count: { catalog_object_id: ref, location_id: store.locationId, state: 'IN_STOCK', quantity: '1', occurred_at: new Date().toISOString() } }));
    const response = await fetch(`${store.baseUrl}/v2/inventory/changes/batch-create`, {
      method: 'POST', headers: { authorization: `Bearer ${store.credentials.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ idempotency_key: 'k', changes }),
    });
    expect(response.status).toBe(400);
  });

  it('WooCommerce refuses a batch of more than 100 objects with 413', async () => {
    const store = await WooCommerceFake.start();
    fake = store;
    const update = Array.from({ length: 101 }, (_, i) => ({ id: i + 1, stock_quantity: 1 }));
    const auth = Buffer.from(`${store.credentials.consumerKey}:${store.credentials.consumerSecret}`).toString('base64');
    const response = await fetch(`${store.baseUrl}/wp-json/wc/v3/products/batch`, { method: 'POST', headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' }, body: JSON.stringify({ update }) });
    expect(response.status).toBe(413);
  });
});
