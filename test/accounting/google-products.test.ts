import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { ok } from '../support/site-documents.ts';
import { makeShop, uniqueSku } from '../support/fixtures.ts';
import { startFakeMerchant, type FakeMerchant } from '../fakes/google-merchant.ts';
import { systemActor } from '../../src/platform/context.ts';
import { availabilityOf, DESCRIPTION_MAX, gtinOf, PRODUCT_FEED_COLUMNS, pushGoogleMerchant, TITLE_MAX } from '../../src/modules/integrations/google/index.ts';

/**
 * Google's product feed and the Merchant API push. The feed is checked against the documented
 * field rules for tab-delimited product data (required attributes, title ≤ 150 and description ≤
 * 5000 characters, https links, price as "12.50 USD", GTINs that are GTINs); its ids and
 * availability agree with the local feed's. The push goes to a local fake of Google's token
 * endpoint (which verifies the JWT's signature with the service account's public key) and of the
 * Merchant API's insert calls (which check the bearer token and the bodies' shape).
 */

const PRICE = /^\d+\.\d{2} [A-Z]{3}$/;
const AVAILABILITY = new Set(['in_stock', 'out_of_stock', 'preorder', 'backorder', 'limited_availability']);

function parseTsv(tsv: string): Array<Record<string, string>> {
  const [header, ...rows] = tsv.slice(0, -1).split('\n');
  const columns = header!.split('\t');
  return rows.map((row) => Object.fromEntries(row.split('\t').map((cell, i) => [columns[i]!, cell])));
}

/** The documented rules, one message per broken rule. */
function productProblems(tsv: string): string[] {
  if (!tsv.endsWith('\n')) return ['no final line break'];
  const columns = tsv.split('\n')[0]!.split('\t');
  const problems: string[] = [];
  for (const required of ['id', 'title', 'description', 'link', 'image link', 'price', 'availability']) if (!columns.includes(required)) problems.push(`no "${required}" column`);
  for (const name of columns) if (name.includes('_')) problems.push(`"${name}" uses an underscore`);
  const seen = new Set<string>();
  for (const row of parseTsv(tsv)) {
    const id = row.id ?? '';
    if (Object.keys(row).length !== columns.length) problems.push(`${id}: cells`);
    if (id === '' || id.length > 50 || seen.has(id)) problems.push(`${id}: id`);
    seen.add(id);
    const title = [...(row.title ?? '')];
    if (title.length === 0 || title.length > TITLE_MAX) problems.push(`${id}: title of ${title.length}`);
    const description = [...(row.description ?? '')];
    if (description.length === 0 || description.length > DESCRIPTION_MAX) problems.push(`${id}: description of ${description.length}`);
    for (const f of ['link', 'image link']) if (!/^https:\/\/\S+$/.test(row[f] ?? '')) problems.push(`${id}: ${f} "${row[f]}"`);
    if (!PRICE.test(row.price ?? '')) problems.push(`${id}: price "${row.price}"`);
    if (!AVAILABILITY.has(row.availability ?? '')) problems.push(`${id}: availability`);
    if (!['new', 'refurbished', 'used'].includes(row.condition ?? '')) problems.push(`${id}: condition`);
    if (row.gtin && gtinOf([{ code: row.gtin }]) !== row.gtin) problems.push(`${id}: gtin "${row.gtin}" is not a GTIN`);
    if (!row.gtin && row['identifier exists'] !== 'no') problems.push(`${id}: no gtin, yet identifier exists is not "no"`);
    if (row.gtin && row['identifier exists'] === 'no') problems.push(`${id}: a gtin and identifier exists "no"`);
    if ((row.brand ?? '').length > 70) problems.push(`${id}: brand`);
  }
  return problems;
}

describeEachDatabase('Google product feed and Merchant API push', (get) => {
  let api: TestApi;
  let fake: FakeMerchant;
  let storeId: string;
  const skus: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let productId: string;
  let localPath: string;
  let productPath: string;
  const savedKey = process.env.STOCKROOM_SECRETS_KEY;

  const item = async (key: string, body: Record<string, unknown>, stock: number) => {
    const sku = uniqueSku(`G${key}`);
    const made = ok(await api.post('/api/v1/items', { sku, name: `Item ${key}`, price: '12.50', barcodes: [], ...body }), 201);
    if (stock) ok(await api.post('/api/v1/adjustments', { location_id: storeId, reason: 'found', lines: [{ item_id: made.id, qty: stock, unit_cost: '1.00' }] }), 201);
    skus[key] = made.sku;
    ids[key] = made.id;
    return made;
  };

  beforeAll(async () => {
    process.env.STOCKROOM_SECRETS_KEY = 'google-test-secrets-key-0123456789abcdef';
    api = await buildTestApi(get().db);
    fake = await startFakeMerchant();
    const ctx = { db: get().db, clock: api.clock, actor: systemActor };
    const shop = await makeShop(ctx);
    storeId = shop.store.id;
    const channel = ok(await api.post('/api/v1/channels', { name: 'Google store', kind: 'online', site_ids: [storeId] }), 201);
    localPath = ok(await api.post('/api/v1/google/local-feeds', { site_id: storeId, store_code: 'main-street', channel_id: channel.id })).feed_path;
    const listing = { google: true, brand: 'Acme', image_url: 'https://shop.example/a.jpg', link_url: 'https://shop.example/a' };
    // A: a real EAN-13 and a long name and description; B: a code that is no GTIN, two left; C: no picture; D: not listed.
    await item('A', { name: 'Espresso beans '.repeat(13).trim(), description: 'Dark roast. '.repeat(160), barcodes: ['4006381333931'] }, 10);
    ok(await api.request('PUT', `/api/v1/items/${ids.A}/listing`, { body: listing }));
    await item('B', { barcodes: ['SHELF-0042'] }, 2);
    ok(await api.request('PUT', `/api/v1/items/${ids.B}/listing`, { body: { ...listing, brand: null, condition: 'used' } }));
    await item('C', {}, 5);
    ok(await api.request('PUT', `/api/v1/items/${ids.C}/listing`, { body: { google: true, link_url: 'https://shop.example/c' } }));
    await item('D', {}, 5);
    // Two variants of a product share its description, brand, picture and page.
    const handle = uniqueSku('gloves').toLowerCase();
    const product = ok(await api.post('/api/v1/products', { name: 'Wool gloves', handle, description: 'Warm wool gloves.', sku_prefix: handle.toUpperCase(), price: '20.00', options: [{ name: 'Size', values: ['S', 'M'] }] }), 201);
    productId = product.id;
    ok(await api.request('PUT', `/api/v1/products/${productId}/listing`, { body: { brand: 'Knitters', image_url: 'https://shop.example/gloves.jpg', link_url: 'https://shop.example/gloves' } }));
    for (const [i, v] of product.variants.entries()) {
      ok(await api.request('PUT', `/api/v1/items/${v.item_id}/listing`, { body: { google: true } }));
      skus[`V${i}`] = v.sku;
      ids[`V${i}`] = v.item_id;
    }
    ok(await api.post('/api/v1/adjustments', { location_id: storeId, reason: 'found', lines: [{ item_id: ids.V0, qty: 4, unit_cost: '3.00' }] }), 201);
    productPath = ok(await api.post('/api/v1/google/product-feed', {})).feed_path;
  }, 120_000);

  afterAll(async () => {
    await fake?.close();
    if (savedKey === undefined) delete process.env.STOCKROOM_SECRETS_KEY;
    else process.env.STOCKROOM_SECRETS_KEY = savedKey;
  });

  it('lists the items marked for Google by the documented field rules, with the local feed’s ids and availability', async () => {
    const feed = await api.as(null).get(productPath);
    expect(feed.status, JSON.stringify(feed.body)).toBe(200);
    const tsv = String(feed.body);
    expect(tsv.split('\n')[0]).toBe(PRODUCT_FEED_COLUMNS.join('\t'));
    expect(productProblems(tsv)).toEqual([]);
    const rows = new Map(parseTsv(tsv).map((r) => [r.id!, r]));
    expect([...rows.keys()].sort()).toEqual([skus.A, skus.B, skus.V0, skus.V1].sort());
    const a = rows.get(skus.A!)!;
    expect(a.gtin).toBe('4006381333931');
    expect(a['identifier exists']).toBe('');
    expect(a.price).toBe('12.50 USD');
    expect([...a.title!].length).toBe(TITLE_MAX);
    expect(a.description).toBe('Dark roast. '.repeat(160).trim());
    expect(rows.get(skus.B!)!).toMatchObject({ gtin: '', 'identifier exists': 'no', brand: '', condition: 'used', availability: 'limited_availability' });
    expect(rows.get(skus.V1!)!).toMatchObject({ 'item group id': productId, brand: 'Knitters', description: 'Warm wool gloves.', 'image link': 'https://shop.example/gloves.jpg', availability: 'out_of_stock', price: '20.00 USD' });
    expect(rows.get(skus.V0!)!['item group id']).toBe(productId);
    // The same ids, prices and availability as the store's local feed.
    const local = new Map(parseTsv(String((await api.as(null).get(localPath)).body)).map((r) => [r.id!, r]));
    for (const [id, row] of rows) {
      const store = local.get(id);
      // Never stocked at the store: not in its local feed, and out of stock for Google.
      if (!store) {
        expect(row.availability, id).toBe('out_of_stock');
        continue;
      }
      expect(row.price).toBe(store.price);
      expect(row.availability).toBe(availabilityOf(Number(store.quantity)));
    }
    const summary = ok(await api.get('/api/v1/google/product-feed'));
    expect(summary).toMatchObject({ issued: true, listed: 4 });
    expect(summary.problems).toEqual([{ item_id: ids.C, sku: skus.C, missing: ['image_link'] }]);
  });

  it('refuses a listing with an address that is not https, and an unknown secret', async () => {
    const bad = await api.request('PUT', `/api/v1/items/${ids.D}/listing`, { body: { image_url: 'http://shop.example/d.jpg' } });
    expect(bad.status).toBe(400);
    expect((await api.get(`/api/v1/items/${ids.D}/listing`)).body).toMatchObject({ google: false, image_url: null, condition: 'new' });
    expect((await api.as(null).get('/api/v1/google/products/not-a-feed-0123456789')).status).toBe(404);
  });

  it('connects a service account: the key is sealed at rest and never shown again', async () => {
    const refused = await api.request('PUT', '/api/v1/google/merchant', { body: { merchant_id: fake.accountId, data_source: fake.dataSource, service_account_key: '{"client_email":"x@y"}' } });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('google_merchant_invalid');
    // The fake listens on loopback: allowed only once the shop says so, like a connector's base URL.
    const privateRefused = await api.request('PUT', '/api/v1/google/merchant', { body: { merchant_id: fake.accountId, data_source: fake.dataSource, service_account_key: fake.keyFile, api_base: fake.apiBase } });
    expect(privateRefused.status).toBe(422);
    ok(await api.request('PATCH', '/api/v1/notification-settings', { body: { webhooks_allow_private: true } }));
    const made = ok(await api.request('PUT', '/api/v1/google/merchant', { body: { merchant_id: fake.accountId, data_source: fake.dataSource, service_account_key: fake.keyFile, api_base: fake.apiBase } }));
    expect(made).toMatchObject({ connected: true, client_email: JSON.parse(fake.keyFile).client_email, merchant_id: fake.accountId });
    expect(JSON.stringify(made)).not.toContain('PRIVATE KEY');
    const row = await get().db.kysely.selectFrom('google_merchant').selectAll().executeTakeFirstOrThrow();
    expect(row.key_sealed).not.toContain('PRIVATE KEY');
    expect(row.key_sealed).not.toContain('client_email');
  });

  it('pushes product inputs and local inventory, then only what changed', async () => {
    const waits: number[] = [];
    const ctx = { db: get().db, clock: api.clock, actor: systemActor };
    const sleep = async (ms: number) => void waits.push(ms);
    const first = ok(await api.post('/api/v1/google/merchant/push', {}));
    expect(first).toMatchObject({ status: 'pushed', products: 4, local_inventories: 3, failed: 0 });
    expect(fake.stats.refusedAssertions).toBe(0);
    expect(fake.stats.badRequests).toEqual([]);
    expect(fake.productInputs.get(skus.A!).productAttributes).toMatchObject({ gtins: ['4006381333931'], identifierExists: true, availability: 'IN_STOCK', condition: 'NEW', price: { amountMicros: '12500000', currencyCode: 'USD' } });
    expect(fake.productInputs.get(skus.B!).productAttributes).toMatchObject({ identifierExists: false, condition: 'USED' });
    expect(fake.productInputs.get(skus.B!).productAttributes.gtins).toBeUndefined();
    expect(fake.productInputs.get(skus.V0!).productAttributes.itemGroupId).toBe(productId);
    expect(fake.localInventories.get(`${skus.A}|main-street`).localInventoryAttributes).toMatchObject({ quantity: '10', availability: 'IN_STOCK' });
    expect(fake.localInventories.has(`${skus.D}|main-street`)).toBe(false);

    expect(await pushGoogleMerchant(ctx, { sleep })).toMatchObject({ status: 'pushed', products: 0, localInventories: 0, unchanged: 7 });
    // A sale-sized change: A's local inventory only (still in stock, so its product is unchanged).
    ok(await api.post('/api/v1/adjustments', { location_id: storeId, reason: 'damaged', lines: [{ item_id: ids.A, qty: -3 }] }), 201);
    const inserts = fake.stats.inserts;
    // Throttled once with Retry-After 1, and a 503 once: both retried within the round.
    fake.throttle(1, 1);
    expect(await pushGoogleMerchant(ctx, { sleep })).toMatchObject({ status: 'pushed', products: 0, localInventories: 1, failed: 0 });
    expect(waits).toEqual([1000]);
    expect(fake.stats.inserts - inserts).toBe(1);
    expect(fake.localInventories.get(`${skus.A}|main-street`).localInventoryAttributes.quantity).toBe('7');
    ok(await api.request('PUT', `/api/v1/items/${ids.B}/listing`, { body: { brand: 'Acme' } }));
    fake.fail(1);
    expect(await pushGoogleMerchant(ctx, { sleep })).toMatchObject({ status: 'pushed', products: 1, localInventories: 0 });
    expect(waits).toEqual([1000, 500]);
    expect(fake.productInputs.get(skus.B!).productAttributes.brand).toBe('Acme');
    // Taken off Google: its product input is deleted (with its stores' stock), once.
    ok(await api.request('PUT', `/api/v1/items/${ids.B}/listing`, { body: { google: false } }));
    expect(await pushGoogleMerchant(ctx, { sleep })).toMatchObject({ status: 'pushed', products: 0, localInventories: 0, removed: 1 });
    expect(fake.productInputs.has(skus.B!)).toBe(false);
    expect(fake.localInventories.has(`${skus.B}|main-street`)).toBe(false);
    expect(await pushGoogleMerchant(ctx, { sleep })).toMatchObject({ products: 0, localInventories: 0, removed: 0 });
    ok(await api.request('PUT', `/api/v1/items/${ids.B}/listing`, { body: { google: true } }));
    expect(await pushGoogleMerchant(ctx, { sleep })).toMatchObject({ products: 1, localInventories: 1, removed: 0 });
  });

  it('rests when Google throttles for longer than a round waits, and says so in the log', async () => {
    const ctx = { db: get().db, clock: api.clock, actor: systemActor };
    fake.throttle(10, 120);
    expect((await pushGoogleMerchant(ctx, { full: true, sleep: async () => {} })).status).toBe('throttled');
    expect(await pushGoogleMerchant(ctx, { sleep: async () => {} })).toMatchObject({ status: 'resting' });
    const status = ok(await api.get('/api/v1/google/merchant'));
    expect(status.push_not_before).not.toBeNull();
    const log = ok(await api.get('/api/v1/google/merchant/log'));
    expect(log.data[0]).toMatchObject({ kind: 'throttled', ok: false });
    expect(log.data.some((e: any) => e.kind === 'push' && e.ok)).toBe(true);
    fake.throttle(0, 0);
    // A full push on demand sends everything again.
    const full = ok(await api.post('/api/v1/google/merchant/push', { full: true }));
    expect(full).toMatchObject({ status: 'pushed', products: 4, local_inventories: 3 });
  });

  it('logs a service account the token endpoint refuses, and pushes nothing', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = { ...JSON.parse(fake.keyFile), private_key: other };
    ok(await api.request('PUT', '/api/v1/google/merchant', { body: { merchant_id: fake.accountId, data_source: fake.dataSource, service_account_key: JSON.stringify(key) } }));
    const refused = fake.stats.refusedAssertions;
    const result = ok(await api.post('/api/v1/google/merchant/push', { full: true }));
    expect(result.status).toBe('failed');
    expect(fake.stats.refusedAssertions).toBe(refused + 1);
    const log = ok(await api.get('/api/v1/google/merchant/log?failed=true'));
    expect(log.data[0].detail).toContain('invalid_grant');
    ok(await api.request('DELETE', '/api/v1/google/merchant'));
    expect((await api.post('/api/v1/google/merchant/push', {})).body.code).toBe('google_merchant_not_connected');
  });
});
