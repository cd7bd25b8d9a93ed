import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Throttled, type AdapterEnv, type UpstreamOrder, type WebhookEvent } from '../../src/modules/integrations/adapter.ts';
import { wooCommerceAdapter, wooSignature } from '../../src/modules/integrations/woocommerce/index.ts';
import type { FakeWebhookDelivery } from '../fakes/fake-store.ts';
import { WooCommerceFake } from '../fakes/woocommerce.ts';

const NOTIFICATION_URL = 'https://stockroom.example/api/integrations/woocommerce/webhooks/ch_2';
let clock = Date.parse('2026-03-01T10:00:00Z');
let fake: WooCommerceFake;
let env: AdapterEnv;

function request(delivery: FakeWebhookDelivery, overrides: { body?: string; headers?: Record<string, string | undefined> } = {}) {
  return { headers: { ...delivery.headers, ...overrides.headers }, rawBody: Buffer.from(overrides.body ?? delivery.body), notificationUrl: NOTIFICATION_URL };
}

function verified(delivery: FakeWebhookDelivery): WebhookEvent {
  const result = wooCommerceAdapter.verifyWebhook(request(delivery), fake.credentials, env);
  if ('refused' in result) throw new Error(`refused: ${result.refused}`);
  return result;
}

async function fetchOrder(orderRef: string): Promise<UpstreamOrder> {
  const order = await wooCommerceAdapter.getOrder(fake.credentials, env, orderRef);
  if (!order) throw new Error(`no order ${orderRef}`);
  return order;
}

function product(title: string, stock = 10, price = '12.50'): string {
  return fake.addProduct({ title, sku: title.toUpperCase(), barcode: null, price, stock });
}

beforeEach(async () => {
  clock = Date.parse('2026-03-01T10:00:00Z');
  fake = await WooCommerceFake.start({ now: () => clock });
  env = { baseUrl: fake.baseUrl, fetch: globalThis.fetch, now: () => clock, timeoutMs: 2_000 };
});

afterEach(async () => {
  await fake.close();
});

describe('WooCommerce webhooks', () => {
  it('accepts a signed order.created carrying the whole order, versioned by date_modified_gmt', () => {
    const mug = product('Mug');
    const orderRef = fake.createOrder([{ variantRef: mug, quantity: 2, price: '12.50' }]);
    const [delivery] = fake.takeWebhooks();
    const event = verified(delivery!);
    expect(event.topic).toBe('order.created');
    expect(event.eventId.startsWith(`${delivery!.headers['x-wc-webhook-delivery-id']}:`)).toBe(true);
    expect(event.order).toMatchObject({ orderRef, name: `#${orderRef}`, status: 'open', version: clock, currency: 'USD', refunds: [] });
    expect((event.order as UpstreamOrder).lines).toEqual([{ lineRef: expect.any(String), variantRef: mug, sku: 'MUG', title: 'Mug', qty: 2000, unitPrice: '12.5' }]);
  });

  it('gives a repeated delivery the same event id, and two events in one second different ones', () => {
    const mug = product('Mug');
    const orderRef = fake.createOrder([{ variantRef: mug, quantity: 1, price: '12.50' }]);
    fake.cancelOrder(orderRef);
    const [created, cancelled] = fake.takeWebhooks();
    // WooCommerce derives the delivery id from the webhook id and the second: these two share it.
    expect(created!.headers['x-wc-webhook-delivery-id']).toBe(cancelled!.headers['x-wc-webhook-delivery-id']);
    expect(verified(created!).eventId).toBe(verified(created!).eventId);
    expect(verified(created!).eventId).not.toBe(verified(cancelled!).eventId);
    expect((verified(cancelled!).order as UpstreamOrder).version).toBeGreaterThan((verified(created!).order as UpstreamOrder).version);
  });

  it('refuses unsigned, mis-signed and tampered deliveries', () => {
    fake.createOrder([{ variantRef: product('Mug'), quantity: 1, price: '12.50' }]);
    const [delivery] = fake.takeWebhooks();
    expect(wooCommerceAdapter.verifyWebhook(request(delivery!, { headers: { 'x-wc-webhook-signature': undefined } }), fake.credentials, env)).toEqual({ refused: 'unsigned' });
    expect(wooCommerceAdapter.verifyWebhook(request(delivery!, { headers: { 'x-wc-webhook-signature': wooSignature(delivery!.body, 'wrong') } }), fake.credentials, env)).toEqual({ refused: 'bad_signature' });
    expect(wooCommerceAdapter.verifyWebhook(request(delivery!, { body: delivery!.body.replace('"quantity":1', '"quantity":9') }), fake.credentials, env)).toEqual({ refused: 'bad_signature' });
    expect(wooCommerceAdapter.verifyWebhook(request(delivery!), { ...fake.credentials, webhookSecret: '' }, env)).toEqual({ refused: 'bad_signature' });
  });

  it('refuses a signed delivery without a delivery id or with a body that is not an order', () => {
    fake.createOrder([{ variantRef: product('Mug'), quantity: 1, price: '12.50' }]);
    const [delivery] = fake.takeWebhooks();
    expect(wooCommerceAdapter.verifyWebhook(request(delivery!, { headers: { 'x-wc-webhook-delivery-id': undefined } }), fake.credentials, env)).toEqual({ refused: 'malformed' });
    const body = JSON.stringify({ id: 'not-a-number' });
    const headers = { 'x-wc-webhook-signature': wooSignature(body, fake.credentials.webhookSecret!) };
    expect(wooCommerceAdapter.verifyWebhook(request(delivery!, { body, headers }), fake.credentials, env)).toEqual({ refused: 'malformed' });
  });

  it('passes an order with refunds, and a deletion, by reference for the core to fetch', async () => {
    const mug = product('Mug');
    const orderRef = fake.createOrder([{ variantRef: mug, quantity: 2, price: '12.50' }]);
    clock += 5_000;
    fake.refund(orderRef, [{ index: 0, quantity: 1, restock: true }]);
    clock += 5_000;
    fake.trashOrder(orderRef);
    const [, refunded, deleted] = fake.takeWebhooks();
    expect(verified(refunded!).order).toEqual({ orderRef });
    expect(verified(deleted!)).toMatchObject({ topic: 'order.deleted', order: { orderRef } });
    expect((await fetchOrder(orderRef)).status).toBe('cancelled');
  });
});

describe('WooCommerce orders', () => {
  it('keeps line ids across a lines update and moves the version forward', async () => {
    const mug = product('Mug');
    const cap = product('Cap');
    const orderRef = fake.createOrder([{ variantRef: mug, quantity: 1, price: '12.50' }]);
    const created = await fetchOrder(orderRef);
    fake.updateOrderLines(orderRef, [{ variantRef: mug, quantity: 3, price: '12.50' }, { variantRef: cap, quantity: 1, price: '4.00' }]);
    const updated = await fetchOrder(orderRef);
    expect(updated.version).toBeGreaterThan(created.version);
    expect(updated.lines[0]!.lineRef).toBe(created.lines[0]!.lineRef);
    expect(updated.lines.map((line) => [line.variantRef, line.qty])).toEqual([[mug, 3000], [cap, 1000]]);
    fake.fulfilOrder(orderRef);
    expect((await fetchOrder(orderRef)).status).toBe('fulfilled');
  });

  it('reads refunded lines with what was restocked, splitting a line partly restocked', async () => {
    const mug = product('Mug');
    const orderRef = fake.createOrder([{ variantRef: mug, quantity: 5, price: '12.50' }]);
    const lineRef = (await fetchOrder(orderRef)).lines[0]!.lineRef;
    fake.refund(orderRef, [{ index: 0, quantity: 2, restock: false }]);
    fake.refund(orderRef, [{ index: 0, quantity: 1, restock: true }]);
    const order = await fetchOrder(orderRef);
    // Woo keeps one running restocked total per line, so the restock is credited to the oldest refund.
    expect(order.refunds).toEqual([
      { refundRef: expect.any(String), lines: [{ lineRef, qty: 1000, restock: true }, { lineRef, qty: 1000, restock: false }] },
      { refundRef: expect.any(String), lines: [{ lineRef, qty: 1000, restock: false }] },
    ]);
    expect(fake.levelOf(mug)).toBe(6);
  });

  it('returns null for an order that does not exist', async () => {
    expect(await wooCommerceAdapter.getOrder(fake.credentials, env, '999999')).toBeNull();
    expect(await wooCommerceAdapter.getOrder(fake.credentials, env, 'not-an-id')).toBeNull();
  });

  it('lists orders modified at or after the time asked, oldest first, across pages', async () => {
    const mug = product('Mug', 1000);
    const old = Array.from({ length: 20 }, () => fake.createOrder([{ variantRef: mug, quantity: 1, price: '1.00' }]));
    clock += 600_000;
    const since = clock;
    const recent = Array.from({ length: 130 }, () => fake.createOrder([{ variantRef: mug, quantity: 1, price: '1.00' }]));
    clock += 600_000;
    fake.cancelOrder(old[3]!);
    const seen: UpstreamOrder[] = [];
    let cursor: string | null = null;
    do {
      const page: { orders: UpstreamOrder[]; nextCursor: string | null } = await wooCommerceAdapter.listOrdersUpdatedSince(fake.credentials, env, since, cursor);
      seen.push(...page.orders);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((o) => o.orderRef)).toEqual([...recent, old[3]!]);
    expect(seen.at(-1)!.status).toBe('cancelled');
  });
});

describe('WooCommerce catalogue and stock', () => {
  it('lists 5,000 products across pages of 100, following X-WP-TotalPages', async () => {
    const refs = Array.from({ length: 5_000 }, (_, i) => fake.addProduct({ title: `Product ${i}`, sku: `SKU-${i}`, barcode: i % 3 ? null : `4006381${String(i).padStart(6, '0')}`, price: `${i}.25`, stock: i % 9 }));
    const seen = new Map<string, { sku: string | null; barcode: string | null; price: string | null }>();
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof wooCommerceAdapter.listVariants>> = await wooCommerceAdapter.listVariants(fake.credentials, env, cursor);
      for (const variant of page.variants) seen.set(variant.ref, variant);
      cursor = page.nextCursor;
    } while (cursor);
    expect([...seen.keys()]).toEqual(refs);
    expect(seen.get(refs[3_000]!)).toMatchObject({ sku: 'SKU-3000', barcode: '4006381003000', price: '3000.25' });
    expect(fake.requests.filter((r) => r.path === '/wp-json/wc/v3/products')).toHaveLength(50);
  });

  it('lists a variable product as its variations, addressed under their parent', async () => {
    const [small, large] = fake.addVariableProduct('T-shirt', [
      { option: 'Small', title: '', sku: 'TS-S', barcode: null, price: '20.00', stock: 3 },
      { option: 'Large', title: '', sku: 'TS-L', barcode: null, price: '22.00', stock: 4 },
    ]);
    const parent = small!.split(':')[0]!;
    const { variants } = await wooCommerceAdapter.listVariants(fake.credentials, env, null);
    expect(variants).toEqual([
      { ref: small, parentRef: parent, title: 'T-shirt - Small', sku: 'TS-S', barcode: null, price: '20.00' },
      { ref: large, parentRef: parent, title: 'T-shirt - Large', sku: 'TS-L', barcode: null, price: '22.00' },
    ]);
  });

  it('sets stock in batches of at most 100, variations through their parent, whole units rounded down', async () => {
    const simple = Array.from({ length: 230 }, (_, i) => product(`P${i}`, 0));
    const variations = fake.addVariableProduct('Shoe', Array.from({ length: 120 }, (_, i) => ({ option: `Size ${i}`, title: '', sku: `SH-${i}`, barcode: null, price: '50.00', stock: 0 })));
    const levels = [...simple, ...variations].map((ref, i) => ({ ref, qty: i * 1000 + 999, expected: 0 }));
    const outcomes = await wooCommerceAdapter.setLevels(fake.credentials, env, levels, 'ignored-key');
    expect(outcomes.filter((o) => o.outcome === 'set')).toHaveLength(350);
    const parent = variations[0]!.split(':')[0];
    expect(fake.batches).toEqual([
      { path: '/products/batch', updates: 100 },
      { path: '/products/batch', updates: 100 },
      { path: '/products/batch', updates: 30 },
      { path: `/products/${parent}/variations/batch`, updates: 100 },
      { path: `/products/${parent}/variations/batch`, updates: 20 },
    ]);
    expect(fake.levelOf(simple[17]!)).toBe(17);
    expect(fake.levelOf(variations[5]!)).toBe(235);
  });

  it('reports unknown products as not_found and sets the others in the same batch', async () => {
    const mug = product('Mug', 1);
    const outcomes = await wooCommerceAdapter.setLevels(fake.credentials, env, [
      { ref: mug, qty: 4000, expected: null }, { ref: '999999', qty: 1000, expected: null }, { ref: 'junk', qty: 1000, expected: null },
    ], 'k');
    expect(outcomes).toEqual([{ ref: 'junk', outcome: 'not_found' }, { ref: mug, outcome: 'set' }, { ref: '999999', outcome: 'not_found' }]);
    expect(fake.levelOf(mug)).toBe(4);
  });

  it('reads managed stock back in thousandths', async () => {
    const mug = product('Mug', 12);
    const [small] = fake.addVariableProduct('T-shirt', [{ option: 'Small', title: '', sku: 'TS-S', barcode: null, price: '20.00', stock: 3 }]);
    const levels = await wooCommerceAdapter.readLevels(fake.credentials, env, [mug, small!, '424242']);
    expect(levels).toEqual(new Map([[mug, 12_000], [small!, 3_000]]));
  });
});

describe('WooCommerce limits and failures', () => {
  it('turns a 429 into Throttled with the Retry-After delay', async () => {
    const mug = product('Mug', 5);
    fake.throttleNext(1, 2500);
    const error = await wooCommerceAdapter.setLevels(fake.credentials, env, [{ ref: mug, qty: 1000, expected: null }], 'k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Throttled);
    expect((error as Throttled).retryAfterMs).toBe(3000);
    expect(fake.levelOf(mug)).toBe(5);
  });

  it('gives up on a hung request within the timeout', async () => {
    env = { ...env, timeoutMs: 300 };
    fake.delayNext(1, 10_000);
    const started = performance.now();
    await expect(wooCommerceAdapter.getOrder(fake.credentials, env, '10')).rejects.toThrow(/timed out/);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('refuses to send the keys to a store over plain http', async () => {
    await expect(wooCommerceAdapter.testConnection(fake.credentials, { ...env, baseUrl: 'http://shop.example' })).rejects.toThrow(/must use https/);
    expect(fake.requests).toHaveLength(0);
    expect(wooCommerceAdapter.defaultBaseUrl({ siteUrl: 'https://shop.example/ ' })).toBe('https://shop.example');
  });

  it('tests the connection with the site name, and fails with wrong keys', async () => {
    await expect(wooCommerceAdapter.testConnection(fake.credentials, env)).resolves.toEqual({ shopName: 'Fake Woo Shop' });
    await expect(wooCommerceAdapter.testConnection({ ...fake.credentials, consumerSecret: 'cs_wrong' }, env)).rejects.toThrow(/401 woocommerce_rest_cannot_view/);
  });
});
