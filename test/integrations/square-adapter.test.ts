import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Throttled, type AdapterEnv, type UpstreamOrder, type WebhookEvent } from '../../src/modules/integrations/adapter.ts';
import { squareAdapter, squareSignature, SQUARE_STALE_AFTER_MS } from '../../src/modules/integrations/square/index.ts';
import type { FakeWebhookDelivery } from '../fakes/fake-store.ts';
import { SquareFake } from '../fakes/square.ts';

const NOTIFICATION_URL = 'https://shop.example/api/integrations/square/webhooks/ch_1';

let clock = Date.parse('2026-03-01T10:00:00Z');
let fake: SquareFake;
let env: AdapterEnv;

function request(delivery: FakeWebhookDelivery, overrides: { body?: string; url?: string; headers?: Record<string, string | undefined> } = {}) {
  return {
    headers: { ...delivery.headers, ...overrides.headers },
    rawBody: Buffer.from(overrides.body ?? delivery.body),
    notificationUrl: overrides.url ?? NOTIFICATION_URL,
  };
}

function verified(delivery: FakeWebhookDelivery): WebhookEvent {
  const result = squareAdapter.verifyWebhook(request(delivery), fake.credentials, env);
  if ('refused' in result) throw new Error(`refused: ${result.refused}`);
  return result;
}

async function fetchOrder(orderRef: string): Promise<UpstreamOrder> {
  const order = await squareAdapter.getOrder(fake.credentials, env, orderRef);
  if (!order) throw new Error(`no order ${orderRef}`);
  return order;
}

beforeEach(async () => {
  clock = Date.parse('2026-03-01T10:00:00Z');
  fake = await SquareFake.start({ now: () => clock });
  fake.setNotificationUrl(NOTIFICATION_URL);
  env = { baseUrl: fake.baseUrl, fetch: globalThis.fetch, now: () => clock, timeoutMs: 2_000 };
});

afterEach(async () => {
  await fake.close();
});

describe('Square webhooks', () => {
  it('accepts a notification signed over the notification URL and body, keyed by event_id', () => {
    const ref = fake.addProduct({ title: 'Mug', sku: 'MUG-1', barcode: null, price: '12.50', stock: 10 });
    const orderRef = fake.createOrder([{ variantRef: ref, quantity: 2, price: '12.50' }]);
    const [delivery] = fake.takeWebhooks();
    const event = verified(delivery!);
    expect(event.topic).toBe('order.created');
    expect(event.eventId).toBe((JSON.parse(delivery!.body) as { event_id: string }).event_id);
    expect(event.firedAt).toBe(clock);
    // Square's order notifications carry no lines: the core must fetch the order.
    expect(event.order).toEqual({ orderRef });
  });

  it('gives a redelivery the same event id, so the core can drop it', () => {
    const ref = fake.addProduct({ title: 'Mug', sku: 'MUG-1', barcode: null, price: '12.50', stock: 10 });
    fake.createOrder([{ variantRef: ref, quantity: 1, price: '12.50' }]);
    const [delivery] = fake.takeWebhooks();
    expect(verified(delivery!).eventId).toBe(verified(delivery!).eventId);
  });

  it('refuses a notification without a signature as unsigned', () => {
    fake.createOrder([{ variantRef: fake.addProduct({ title: 'A', sku: 'A', barcode: null, price: '1.00', stock: 1 }), quantity: 1, price: '1.00' }]);
    const [delivery] = fake.takeWebhooks();
    const result = squareAdapter.verifyWebhook(request(delivery!, { headers: { 'x-square-hmacsha256-signature': undefined } }), fake.credentials, env);
    expect(result).toEqual({ refused: 'unsigned' });
  });

  it('refuses a body changed after signing, and a signature made with another key', () => {
    fake.createOrder([{ variantRef: fake.addProduct({ title: 'A', sku: 'A', barcode: null, price: '1.00', stock: 1 }), quantity: 1, price: '1.00' }]);
    const [delivery] = fake.takeWebhooks();
    const tampered = delivery!.body.replace('order.created', 'order.updated');
    expect(squareAdapter.verifyWebhook(request(delivery!, { body: tampered }), fake.credentials, env)).toEqual({ refused: 'bad_signature' });
    const otherKey = squareSignature(NOTIFICATION_URL, delivery!.body, 'another-key');
    expect(squareAdapter.verifyWebhook(request(delivery!, { headers: { 'x-square-hmacsha256-signature': otherKey } }), fake.credentials, env)).toEqual({ refused: 'bad_signature' });
    expect(squareAdapter.verifyWebhook(request(delivery!, { headers: { 'x-square-hmacsha256-signature': 'short' } }), fake.credentials, env)).toEqual({ refused: 'bad_signature' });
  });

  it('refuses a notification signed for a different notification URL', () => {
    fake.createOrder([{ variantRef: fake.addProduct({ title: 'A', sku: 'A', barcode: null, price: '1.00', stock: 1 }), quantity: 1, price: '1.00' }]);
    const [delivery] = fake.takeWebhooks();
    expect(squareAdapter.verifyWebhook(request(delivery!, { url: `${NOTIFICATION_URL}/` }), fake.credentials, env)).toEqual({ refused: 'bad_signature' });
    expect(squareAdapter.verifyWebhook(request(delivery!, { url: NOTIFICATION_URL.replace('https', 'http') }), fake.credentials, env)).toEqual({ refused: 'bad_signature' });
  });

  it('refuses a correctly signed notification older than Square retries for', () => {
    fake.createOrder([{ variantRef: fake.addProduct({ title: 'A', sku: 'A', barcode: null, price: '1.00', stock: 1 }), quantity: 1, price: '1.00' }]);
    const [delivery] = fake.takeWebhooks();
    clock += SQUARE_STALE_AFTER_MS - 1;
    expect('eventId' in squareAdapter.verifyWebhook(request(delivery!), fake.credentials, env)).toBe(true);
    clock += 2;
    expect(squareAdapter.verifyWebhook(request(delivery!), fake.credentials, env)).toEqual({ refused: 'stale' });
  });

  it('refuses a correctly signed body that is not a Square notification as malformed', () => {
    const body = JSON.stringify({ hello: 'world' });
    const headers = { 'x-square-hmacsha256-signature': squareSignature(NOTIFICATION_URL, body, fake.credentials.webhookSignatureKey!) };
    expect(squareAdapter.verifyWebhook({ headers, rawBody: Buffer.from(body), notificationUrl: NOTIFICATION_URL }, fake.credentials, env)).toEqual({ refused: 'malformed' });
  });

  it('passes an inventory notification through with no order', () => {
    const body = JSON.stringify({ merchant_id: 'M', type: 'inventory.count.updated', event_id: 'e-1', created_at: new Date(clock).toISOString(), data: { type: 'inventory_counts', id: 'x', object: {} } });
    const headers = { 'x-square-hmacsha256-signature': squareSignature(NOTIFICATION_URL, body, fake.credentials.webhookSignatureKey!) };
    const result = squareAdapter.verifyWebhook({ headers, rawBody: Buffer.from(body), notificationUrl: NOTIFICATION_URL }, fake.credentials, env);
    expect(result).toEqual({ eventId: 'e-1', topic: 'inventory.count.updated', firedAt: clock, order: null });
  });
});

describe('Square orders', () => {
  it('fetches the whole order a partial notification names, with lines in thousandths and the order version', async () => {
    const mug = fake.addProduct({ title: 'Mug', sku: 'MUG-1', barcode: null, price: '12.50', stock: 10 });
    const orderRef = fake.createOrder([{ variantRef: mug, quantity: 3, price: '12.50' }]);
    const order = await fetchOrder(orderRef);
    expect(order).toMatchObject({ orderRef, status: 'open', version: 1, currency: 'USD', createdAt: clock, refunds: [] });
    expect(order.lines).toEqual([{ lineRef: expect.any(String), variantRef: mug, sku: null, title: 'Mug', qty: 3000, unitPrice: '12.50' }]);
  });

  it('bumps the version on every change and keeps line refs across a lines update', async () => {
    const mug = fake.addProduct({ title: 'Mug', sku: 'MUG-1', barcode: null, price: '12.50', stock: 10 });
    const cap = fake.addProduct({ title: 'Cap', sku: 'CAP-1', barcode: null, price: '8.00', stock: 10 });
    const orderRef = fake.createOrder([{ variantRef: mug, quantity: 1, price: '12.50' }]);
    const created = await fetchOrder(orderRef);
    fake.updateOrderLines(orderRef, [{ variantRef: mug, quantity: 2, price: '12.50' }, { variantRef: cap, quantity: 1, price: '8.00' }]);
    const updated = await fetchOrder(orderRef);
    expect(updated.version).toBeGreaterThan(created.version);
    expect(updated.lines[0]!.lineRef).toBe(created.lines[0]!.lineRef);
    expect(updated.lines.map((line) => line.qty)).toEqual([2000, 1000]);
    fake.fulfilOrder(orderRef);
    const fulfilled = await fetchOrder(orderRef);
    expect(fulfilled.status).toBe('fulfilled');
    expect(fulfilled.version).toBeGreaterThan(updated.version);
    fake.refund(orderRef, [{ index: 0, quantity: 1, restock: true }]);
    const refunded = await fetchOrder(orderRef);
    expect(refunded.refunds).toEqual([{ refundRef: expect.any(String), lines: [{ lineRef: created.lines[0]!.lineRef, qty: 1000, restock: true }] }]);
  });

  it('reports a cancelled order as cancelled and an unknown one as null', async () => {
    const mug = fake.addProduct({ title: 'Mug', sku: 'MUG-1', barcode: null, price: '12.50', stock: 10 });
    const orderRef = fake.createOrder([{ variantRef: mug, quantity: 1, price: '12.50' }]);
    fake.cancelOrder(orderRef);
    expect((await fetchOrder(orderRef)).status).toBe('cancelled');
    expect(await squareAdapter.getOrder(fake.credentials, env, 'NO-SUCH-ORDER')).toBeNull();
  });

  it('lists only orders updated at or after the time asked, across pages', async () => {
    const mug = fake.addProduct({ title: 'Mug', sku: 'MUG-1', barcode: null, price: '1.00', stock: 1000 });
    const old = Array.from({ length: 30 }, () => fake.createOrder([{ variantRef: mug, quantity: 1, price: '1.00' }]));
    clock += 60_000;
    const since = clock;
    const recent = Array.from({ length: 150 }, () => fake.createOrder([{ variantRef: mug, quantity: 1, price: '1.00' }]));
    clock += 60_000;
    fake.cancelOrder(old[0]!);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { orders: UpstreamOrder[]; nextCursor: string | null } = await squareAdapter.listOrdersUpdatedSince(fake.credentials, env, since, cursor);
      seen.push(...page.orders.map((order) => order.orderRef));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(2);
    expect(new Set(seen)).toEqual(new Set([...recent, old[0]!]));
    expect(seen.at(-1)).toBe(old[0]);
  });
});

describe('Square catalogue and stock', () => {
  it('lists 5,000 variations across pages with SKU, barcode and price', async () => {
    const refs = Array.from({ length: 5_000 }, (_, i) => fake.addProduct({ title: `Product ${i}`, sku: `SKU-${i}`, barcode: i % 2 ? `0${i}` : null, price: `${i}.99`, stock: i % 7 }));
    const seen = new Map<string, { sku: string | null; barcode: string | null; price: string | null; title: string }>();
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof squareAdapter.listVariants>> = await squareAdapter.listVariants(fake.credentials, env, cursor);
      for (const variant of page.variants) seen.set(variant.ref, variant);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.size).toBe(5_000);
    expect([...seen.keys()].sort()).toEqual([...refs].sort());
    expect(seen.get(refs[4_321]!)).toMatchObject({ sku: 'SKU-4321', barcode: '04321', price: '4321.99', title: 'Product 4321' });
    expect(fake.requests.filter((r) => r.path === '/v2/catalog/list')).toHaveLength(50);
  });

  it('names each variation of a multi-variation item after the item and the variation', async () => {
    const [small, large] = fake.addItemWithVariations('T-shirt', [
      { variationName: 'Small', title: '', sku: 'TS-S', barcode: null, price: '20.00', stock: 1 },
      { variationName: 'Large', title: '', sku: 'TS-L', barcode: null, price: '22.00', stock: 1 },
    ]);
    const { variants } = await squareAdapter.listVariants(fake.credentials, env, null);
    expect(variants).toEqual([
      { ref: small, parentRef: null, title: 'T-shirt — Small', sku: 'TS-S', barcode: null, price: '20.00' },
      { ref: large, parentRef: null, title: 'T-shirt — Large', sku: 'TS-L', barcode: null, price: '22.00' },
    ]);
  });

  it('sets absolute levels in batches of at most 100 changes, one idempotency key per batch', async () => {
    const refs = Array.from({ length: 250 }, (_, i) => fake.addProduct({ title: `P${i}`, sku: `P${i}`, barcode: null, price: '1.00', stock: 5 }));
    const outcomes = await squareAdapter.setLevels(fake.credentials, env, refs.map((ref, i) => ({ ref, qty: i * 1000 + 500, expected: null })), 'push-42');
    expect(outcomes.every((o) => o.outcome === 'set')).toBe(true);
    expect(fake.inventoryBatches).toEqual([
      { idempotencyKey: 'push-42:0', changes: 100, replayed: false },
      { idempotencyKey: 'push-42:1', changes: 100, replayed: false },
      { idempotencyKey: 'push-42:2', changes: 50, replayed: false },
    ]);
    expect(fake.levelOf(refs[7]!)).toBe(7.5);
    expect(fake.levelOf(refs[249]!)).toBe(249.5);
  });

  it('replays a push repeated with the same key without applying it again', async () => {
    const mug = fake.addProduct({ title: 'Mug', sku: 'MUG-1', barcode: null, price: '1.00', stock: 5 });
    await squareAdapter.setLevels(fake.credentials, env, [{ ref: mug, qty: 9000, expected: null }], 'push-1');
    fake.createOrder([{ variantRef: mug, quantity: 2, price: '1.00' }]);
    clock += 1000;
    const again = await squareAdapter.setLevels(fake.credentials, env, [{ ref: mug, qty: 9000, expected: null }], 'push-1');
    expect(again).toEqual([{ ref: mug, outcome: 'set' }]);
    expect(fake.inventoryBatches.at(-1)).toMatchObject({ idempotencyKey: 'push-1:0', replayed: true });
    expect(fake.levelOf(mug)).toBe(7);
  });

  it('reports a deleted variation as not_found and still sets the rest of its batch', async () => {
    const a = fake.addProduct({ title: 'A', sku: 'A', barcode: null, price: '1.00', stock: 1 });
    const b = fake.addProduct({ title: 'B', sku: 'B', barcode: null, price: '1.00', stock: 1 });
    const outcomes = await squareAdapter.setLevels(fake.credentials, env, [
      { ref: a, qty: 3000, expected: null }, { ref: 'GONE', qty: 1000, expected: null }, { ref: b, qty: 4000, expected: null },
    ], 'push-7');
    expect(outcomes).toEqual([{ ref: 'GONE', outcome: 'not_found' }, { ref: a, outcome: 'set' }, { ref: b, outcome: 'set' }]);
    expect([fake.levelOf(a), fake.levelOf(b)]).toEqual([3, 4]);
    expect(fake.inventoryBatches.map((batch) => batch.idempotencyKey)).toEqual(['push-7:0:r1']);
  });

  it('reads levels back in thousandths, counting a variation with no count as zero', async () => {
    const a = fake.addProduct({ title: 'A', sku: 'A', barcode: null, price: '1.00', stock: 12 });
    const b = fake.addProduct({ title: 'B', sku: 'B', barcode: null, price: '1.00', stock: 0 });
    await squareAdapter.setLevels(fake.credentials, env, [{ ref: b, qty: 2250, expected: null }], 'k');
    const levels = await squareAdapter.readLevels(fake.credentials, env, [a, b, 'UNKNOWN']);
    expect(levels).toEqual(new Map([[a, 12_000], [b, 2250], ['UNKNOWN', 0]]));
  });

  it('reads 250 levels in three requests', async () => {
    const refs = Array.from({ length: 250 }, (_, i) => fake.addProduct({ title: `P${i}`, sku: `P${i}`, barcode: null, price: '1.00', stock: i }));
    const levels = await squareAdapter.readLevels(fake.credentials, env, refs);
    expect(levels.get(refs[199]!)).toBe(199_000);
    expect(fake.requests.filter((r) => r.path === '/v2/inventory/counts/batch-retrieve')).toHaveLength(3);
  });
});

describe('Square limits and failures', () => {
  it('turns a 429 into Throttled with the Retry-After delay, without retrying inside the call', async () => {
    const mug = fake.addProduct({ title: 'Mug', sku: 'MUG-1', barcode: null, price: '1.00', stock: 5 });
    fake.throttleNext(1, 1500);
    const error = await squareAdapter.setLevels(fake.credentials, env, [{ ref: mug, qty: 1000, expected: null }], 'k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Throttled);
    expect((error as Throttled).retryAfterMs).toBe(2000);
    expect(fake.requests).toHaveLength(1);
    expect(fake.levelOf(mug)).toBe(5);
    fake.throttleNext(1, 3000);
    await expect(squareAdapter.listVariants(fake.credentials, env, null)).rejects.toMatchObject({ retryAfterMs: 3000 });
  });

  it('gives up on a hung request within the timeout', async () => {
    env = { ...env, timeoutMs: 300 };
    fake.delayNext(1, 10_000);
    const started = performance.now();
    await expect(squareAdapter.getOrder(fake.credentials, env, 'X')).rejects.toThrow(/timed? ?out/i);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('tests the connection by finding every configured location', async () => {
    await expect(squareAdapter.testConnection(fake.credentials, env)).resolves.toEqual({ shopName: 'Fake Square Shop' });
    await expect(squareAdapter.testConnection({ ...fake.credentials, locationIds: `${fake.locationId},LNOPE` }, env)).rejects.toThrow(/LNOPE/);
    await expect(squareAdapter.testConnection({ ...fake.credentials, accessToken: 'wrong' }, env)).rejects.toThrow();
  });
});
