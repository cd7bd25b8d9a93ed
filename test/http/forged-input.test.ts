import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATE_MAX, DATE_MIN } from '../../src/platform/http/fields.ts';
import { MAX_JSON_DEPTH } from '../../src/platform/http/nul-guard.ts';
import { parseTrustProxy, type TrustProxy } from '../../src/platform/http/trust-proxy.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { propertyParams } from '../support/fast-check.ts';
import { makeToken, makeUser, signIn } from '../support/access.ts';
import { buildTestApi, type ApiResponse, type TestApi } from '../support/http.ts';

/**
 * Forged input: what an attacker (or a confused client) can send at the edge. Every case answers
 * a 4xx problem that names what is wrong and changes nothing; none answers 500. Where a rule
 * covers a whole class of fields (every date on every route), the cases are generated from the
 * OpenAPI document, so a new route is covered the day it is added.
 */

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter += 1)}`;

function expectProblem(response: ApiResponse, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, code });
}

type JsonSchema = Record<string, any>;
interface DateField {
  method: string;
  url: string;
  where: 'query' | 'body';
  /** Path into the query or the body; array elements are index 0. */
  path: string[];
  format: 'date' | 'date-time';
  /** Params the route's path needs, filled with well-formed ids. */
  params: Record<string, string>;
}

function resolve(doc: JsonSchema, schema: JsonSchema | undefined): JsonSchema | undefined {
  if (schema?.$ref) return doc.components.schemas[String(schema.$ref).split('/').pop()!];
  return schema;
}

/** Every date and date-time field of a request body, as paths; follows objects, arrays and unions. */
function dateFieldsIn(doc: JsonSchema, schema: JsonSchema | undefined, path: string[], out: Array<{ path: string[]; format: 'date' | 'date-time' }>, depth = 0): void {
  const s = resolve(doc, schema);
  if (!s || depth > 12) return;
  if (s.format === 'date' || s.format === 'date-time') out.push({ path, format: s.format });
  for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) dateFieldsIn(doc, branch, path, out, depth + 1);
  for (const [key, child] of Object.entries<JsonSchema>(s.properties ?? {})) dateFieldsIn(doc, child, [...path, key], out, depth + 1);
  if (s.items) dateFieldsIn(doc, s.items, [...path, '0'], out, depth + 1);
}

function dateFieldsOf(doc: JsonSchema): DateField[] {
  const fields: DateField[] = [];
  for (const [url, operations] of Object.entries<JsonSchema>(doc.paths)) {
    for (const [method, operation] of Object.entries<JsonSchema>(operations)) {
      const params: Record<string, string> = {};
      for (const p of operation.parameters ?? []) {
        if (p.in !== 'path') continue;
        const example = p.schema?.example;
        const prefix = /^\^([a-z]+)_/.exec(String(p.schema?.pattern ?? ''))?.[1];
        params[p.name] = typeof example === 'string' ? example : prefix ? `${prefix}_01JD0000000000000000000000` : 'X1';
      }
      for (const p of operation.parameters ?? []) {
        if (p.in === 'query' && (p.schema?.format === 'date' || p.schema?.format === 'date-time')) {
          fields.push({ method: method.toUpperCase(), url, where: 'query', path: [p.name], format: p.schema.format, params });
        }
      }
      const found: Array<{ path: string[]; format: 'date' | 'date-time' }> = [];
      dateFieldsIn(doc, operation.requestBody?.content?.['application/json']?.schema, [], found);
      for (const f of found) fields.push({ method: method.toUpperCase(), url, where: 'body', path: f.path, format: f.format, params });
    }
  }
  return fields;
}

function setAt(path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  return head === '0' ? [setAt(rest, value)] : { [head!]: setAt(rest, value) };
}

function fillPath(url: string, params: Record<string, string>): string {
  return url.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? 'X1');
}

const outOfRange = { date: ['0000-01-01', '0001-01-01', '1969-12-31', '2201-01-01', '9999-12-31'], 'date-time': ['0001-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '2201-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1970-01-01T00:30:00+01:00'] };

describeEachDatabase('forged input', (get) => {
  let api: TestApi;
  let doc: JsonSchema;
  let store: any;
  let mug: any;
  let vendor: any;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    doc = (await api.get('/api/openapi.json')).body;
    store = (await api.post('/api/v1/locations', { kind: 'site', code: unique('ST'), name: 'Store', site_type: 'store' })).body;
    mug = (await api.post('/api/v1/items', { sku: unique('MUG'), name: 'Mug', price: '16.00' })).body;
    vendor = (await api.post('/api/v1/vendors', { name: unique('Clay Co') })).body;
    expect((await api.post('/api/v1/adjustments', { location_id: store.id, reason: 'opening_balance', lines: [{ item_id: mug.id, qty: 100, unit_cost: '4.90' }] })).status).toBe(201);
  });

  describe('nesting (finding 8)', () => {
    it('answers 400, not a stack overflow, to a deeply nested body from an unauthenticated caller', async () => {
      for (const [open, close] of [['[', ']'], ['{"a":', '}']] as const) {
        const depth = 100_000;
        const res = await api.as(null).request('POST', '/api/v1/session', { rawBody: open.repeat(depth) + '1' + close.repeat(depth) });
        expectProblem(res, 400, 'validation_failed');
        expect(res.body.errors).toEqual([expect.objectContaining({ code: 'too_deep' })]);
      }
    });

    it(`lets ${MAX_JSON_DEPTH} levels through to the schema and refuses one more at the guard`, async () => {
      const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
      const atLimit = await api.as(null).request('POST', '/api/v1/session', { rawBody: `{"email":"a@b.c","password":${nested(MAX_JSON_DEPTH - 1)}}` });
      expectProblem(atLimit, 400, 'validation_failed');
      expect(atLimit.body.errors.map((e: any) => e.code)).not.toContain('too_deep');
      const over = await api.as(null).request('POST', '/api/v1/session', { rawBody: `{"email":"a@b.c","password":${nested(MAX_JSON_DEPTH)}}` });
      expect(over.body.errors.map((e: any) => e.code)).toContain('too_deep');
    });
    it('refuses nesting exactly when it passes the limit, whatever mix of arrays and objects (property)', async () => {
      await fc.assert(
        // The depth drawn directly (an array's length would stay small), the mix from a repeating pattern.
        fc.asyncProperty(fc.integer({ min: 0, max: 3 * MAX_JSON_DEPTH }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), async (depth, pattern) => {
          const levels = Array.from({ length: depth }, (_, i) => pattern[i % pattern.length]!);
          const open = levels.map((array) => (array ? '[' : '{"a":')).join('');
          const close = [...levels].reverse().map((array) => (array ? ']' : '}')).join('');
          const res = await api.as(null).request('POST', '/api/v1/session', { rawBody: `{"email":"a@b.c","password":${open}1${close}}` });
          expectProblem(res, 400, 'validation_failed');
          expect(res.body.errors.some((e: any) => e.code === 'too_deep'), `${levels.length} levels`).toBe(levels.length >= MAX_JSON_DEPTH);
        }),
        propertyParams('nesting depth', 60),
      );
    });
  });

  describe('whitespace (finding 13)', () => {
    it('trims text and says so in the API description of the fields that do', async () => {
      const body = (path: string) => {
        const schema = resolve(doc, doc.paths[path].post.requestBody.content['application/json'].schema)!;
        // A nullable field's description may sit on its non-null branch.
        const text = (field: JsonSchema | undefined): string =>
          [field?.description ?? '', ...[...(field?.anyOf ?? []), ...(field?.oneOf ?? [])].map((b: JsonSchema) => text(resolve(doc, b)))].join(' ');
        return (name: string) => text(resolve(doc, schema.properties[name]));
      };
      const item = body('/api/v1/items');
      for (const field of ['name', 'sku', 'description']) expect(item(field), `items.${field}`).toMatch(/whitespace is removed/);
      expect(body('/api/v1/vendors')('name')).toMatch(/whitespace is removed/);
      expect(body('/api/v1/session')('email')).toMatch(/whitespace is removed/);
      expect(doc.info.description).toMatch(/trimmed/);
      const created = await api.post('/api/v1/items', { sku: `  ${unique('TRIM')}  `, name: '  Trimmed mug \n' });
      expect(created.status).toBe(201);
      expect(created.body.name).toBe('Trimmed mug');
      expect(created.body.sku).not.toMatch(/^\s|\s$/);
    });
  });

  describe('lone surrogates (finding 13)', () => {
    it('refuses half a surrogate pair in a body and stores nothing, and keeps a whole pair', async () => {
      const sku = unique('SUR');
      for (const name of ['Mug \\ud800', 'Mug \\udc00 blue', '\\udbff']) {
        const res = await api.request('POST', '/api/v1/items', { rawBody: `{"sku":"${sku}","name":"${name}"}` });
        expectProblem(res, 400, 'validation_failed');
        expect(res.body.errors).toContainEqual(expect.objectContaining({ field: 'body.name', code: 'lone_surrogate' }));
      }
      expect((await api.get(`/api/v1/items?q=${sku}`)).body.data).toEqual([]);
      const kept = await api.request('POST', '/api/v1/items', { rawBody: `{"sku":"${sku}","name":"Mug \\ud83d\\ude00"}` });
      expect(kept.status).toBe(201);
      expect(kept.body.name).toBe('Mug \u{1F600}');
    });

    it('refuses a lone surrogate in an object key and in a query string value', async () => {
      const key = await api.request('POST', '/api/v1/items', { rawBody: `{"sku":"X","name":"Y","\\ud800":1}` });
      expectProblem(key, 400, 'validation_failed');
      expect(key.body.errors).toContainEqual(expect.objectContaining({ field: 'body', code: 'lone_surrogate' }));
      const search = await api.get(`/api/v1/items?q=${encodeURIComponent('a')}%ED%A0%80`);
      expect(search.status).toBeLessThan(500);
    });

    it('stores any other text as sent, trimmed, and refuses only what the rules refuse (property)', async () => {
      const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
      const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), async (name) => {
          const sku = unique('P');
          const res = await api.request('POST', '/api/v1/items', { rawBody: JSON.stringify({ sku, name }) });
          expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
          // Trimming comes first: a vertical tab at either end is whitespace, removed, not refused.
          const valid = !lone.test(name) && !controls.test(name.trim()) && name.trim().length > 0;
          if (valid) {
            expect(res.status, JSON.stringify(res.body)).toBe(201);
            expect(res.body.name).toBe(name.trim());
            expect((await api.get(`/api/v1/items/${res.body.id}`)).body.name).toBe(name.trim());
          } else {
            expectProblem(res, 400, 'validation_failed');
          }
        }),
        propertyParams('item names', 25),
      );
    });
  });

  describe('dates (findings 9 and 13)', () => {
    it('answers the sales-by-day report for year 1 to 9999 with 400, not 500', async () => {
      const res = await api.get('/api/v1/reports/sales-by-day?from=0001-01-01&to=9999-12-31');
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors.map((e: any) => e.field).sort()).toEqual(['querystring.from', 'querystring.to']);
      // The first and last years of the range answer (a report spans at most a year).
      expect((await api.get(`/api/v1/reports/sales-by-day?from=${DATE_MIN}&to=1970-12-31`)).status).toBe(200);
      expect((await api.get(`/api/v1/reports/sales-by-day?from=2200-01-01&to=${DATE_MAX}`)).status).toBe(200);
    });

    it('bounds every date and date-time field of every route to 1970-2200 at the schema', async () => {
      const fields = dateFieldsOf(doc);
      // The routes known to take dates today; the walk finds any added later by itself.
      expect(fields.length).toBeGreaterThanOrEqual(15);
      for (const field of fields) {
        for (const value of outOfRange[field.format]) {
          const url = fillPath(field.url, field.params);
          const name = field.path.join('.');
          const res =
            field.where === 'query'
              ? await api.request(field.method as never, `${url}?${field.path[0]}=${encodeURIComponent(value)}`)
              : await api.request(field.method as never, url, { body: setAt(field.path, value) });
          const label = `${field.method} ${field.url} ${field.where}.${name} = ${value}`;
          expect(res.status, `${label}: ${JSON.stringify(res.body)}`).toBe(400);
          expect(res.body.code, label).toBe('validation_failed');
          expect(res.body.errors.map((e: any) => e.field), label).toContain(`${field.where === 'query' ? 'querystring' : 'body'}.${name}`);
        }
      }
    });

    it('refuses purchase order dates of year 0 and 9999, and a receipt dated year 1, with the field named', async () => {
      const base = { vendor_id: vendor.id, delivery_site_id: store.id, lines: [{ item_id: mug.id, qty: 1, unit_price: '4.90' }] };
      for (const expected_on of ['0000-01-01', '9999-12-31']) {
        const res = await api.post('/api/v1/purchase-orders', { ...base, expected_on });
        expectProblem(res, 400, 'validation_failed');
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'body.expected_on' })]);
      }
      const po = await api.post('/api/v1/purchase-orders', { ...base, expected_on: '2200-12-31' });
      expect(po.status).toBe(201);
      expect((await api.post(`/api/v1/purchase-orders/${po.body.id}/send`)).status).toBe(200);
      const receipt = await api.post('/api/v1/receipts', { purchase_order_id: po.body.id, received_at: '0001-01-01T00:00:00Z' });
      expectProblem(receipt, 400, 'validation_failed');
      expect(receipt.body.errors).toEqual([expect.objectContaining({ field: 'body.received_at' })]);
    });

    it('answers any date the walk may send with 400 when out of range and never with 500 (property)', async () => {
      const day = 24 * 3600 * 1000;
      const min = Date.parse(`${DATE_MIN}T00:00:00Z`);
      const max = Date.parse(`${DATE_MAX}T00:00:00Z`);
      const iso = (ms: number) => {
        const d = new Date(ms);
        const y = d.getUTCFullYear();
        return `${String(y).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
      };
      const anyDay = fc.integer({ min: Date.parse('0000-01-01T00:00:00Z') / day, max: Date.parse('9999-12-31T00:00:00Z') / day }).map((n) => n * day);
      await fc.assert(
        fc.asyncProperty(anyDay, anyDay, async (a, b) => {
          const [from, to] = a <= b ? [a, b] : [b, a];
          const res = await api.get(`/api/v1/reports/sales-by-day?from=${iso(from)}&to=${iso(to)}`);
          const inRange = from >= min && to <= max;
          if (!inRange) expectProblem(res, 400, 'validation_failed');
          else expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
        }),
        propertyParams('sales-by-day dates', 40),
      );
    });
  });

  describe('precision (finding 13)', () => {
    it('refuses a sale line price finer than a cent instead of rounding the total', async () => {
      const sale = (unit_price: string) =>
        api.request('POST', '/api/v1/sales', {
          body: { location_id: store.id, register: 'T1', lines: [{ item_id: mug.id, qty: 3, unit_price }], payments: [{ tender: 'cash', amount: '10.00' }] },
          headers: { 'idempotency-key': unique('k') },
        });
      const refused = await sale('1.001');
      expectProblem(refused, 400, 'validation_failed');
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'body.lines.0.unit_price', code: 'too_precise' })]);
      const kept = await sale('1.10');
      expect(kept.status, JSON.stringify(kept.body)).toBe(201);
      expect(kept.body.totals.total).toBe('3.30');
    });

    it('refuses a shelf price, a channel order price or a modifier price finer than a cent', async () => {
      expectProblem(await api.post('/api/v1/items', { sku: unique('P'), name: 'P', price: '1.001' }), 400, 'validation_failed');
      expectProblem(await api.patch(`/api/v1/items/${mug.id}`, { price: '16.005' }), 400, 'validation_failed');
      expect((await api.get(`/api/v1/items/${mug.id}`)).body.price).toBe('16.00');
      expectProblem(await api.post('/api/v1/modifier-groups', { name: 'Size', selection: 'single', modifiers: [{ name: 'Large', price_delta: '0.505' }] }), 400, 'validation_failed');
    });

    it('accepts a shelf price exactly when it is whole cents, and a cost up to six decimals (property)', async () => {
      const amount = fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 9_999_999 }));
      await fc.assert(
        fc.asyncProperty(amount, async ([whole, decimals, digits]) => {
          const fraction = decimals === 0 ? '' : String(digits % 10 ** decimals).padStart(decimals, '0');
          const text = fraction ? `${whole}.${fraction}` : String(whole);
          const significant = fraction.replace(/0+$/, '').length;
          const item = await api.post('/api/v1/items', { sku: unique('PP'), name: 'Priced', price: text });
          // More than six decimals as written is refused by the schema, even if they are zeros.
          expect(item.status, `${text}: ${JSON.stringify(item.body)}`).toBe(decimals <= 6 && significant <= 2 ? 201 : 400);
          const po = await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: store.id, lines: [{ item_id: mug.id, qty: 1, unit_price: text }] });
          expect(po.status, `${text}: ${JSON.stringify(po.body)}`).toBe(decimals <= 6 ? 201 : 400);
        }),
        propertyParams('prices and costs', 25),
      );
    });
  });

  describe('assets (finding 9)', () => {
    it('answers /assets/%25 with 404, not 500', async () => {
      expect((await api.as(null).get('/assets/%25')).status).toBe(404);
    });
  });
});

describeEachDatabase('forged credentials', (get) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi(get().db, { rateLimit: { perMinute: 30 } });
  });
  afterAll(async () => {
    await api.app.close();
  });

  it('counts requests with made-up cookies or tokens against their address (finding 5)', async () => {
    const address = '10.77.0.1';
    const forged = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        api.as(null).request('GET', '/api/v1/items', { remoteAddress: address, headers: i % 2 ? { cookie: `stockroom_session=${unique('fake')}` } : { authorization: `Bearer stk_${unique('fake')}` } }),
      ),
    );
    expect(forged.filter((r) => r.status === 401).length).toBeLessThanOrEqual(30);
    expect(forged.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(30);
    // Another address is not held back by them.
    expect((await api.as(null).request('GET', '/api/v1/items', { remoteAddress: '10.77.0.2' })).status).toBe(401);
  });

  it('counts a person’s sessions together and each token on its own, wherever they come from', async () => {
    const { email, password } = await makeUser(api, 'staff');
    const first = await signIn(api, email, password, '10.77.1.1');
    const second = await signIn(api, email, password, '10.77.1.2');
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api.as(i % 2 ? first : second).request('GET', '/api/v1/items', { remoteAddress: `10.77.2.${i + 1}` }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
    const token = await makeToken(api, 'viewer');
    expect((await api.as({ bearer: token.secret }).request('GET', '/api/v1/items', { remoteAddress: '10.77.1.1' })).status).toBe(200);
  });
});

describeEachDatabase('forged X-Forwarded-For (finding 6)', (get) => {
  const opened: TestApi[] = [];
  afterAll(async () => {
    for (const api of opened) await api.app.close();
  });
  const build = async (trustProxy: TrustProxy | boolean) => {
    const api = await buildTestApi(get().db, { trustProxy, rateLimit: { perMinute: 20 } });
    opened.push(api);
    return api;
  };
  /** The address the server recorded for a refused sign-in sent with this X-Forwarded-For. */
  const recordedAddress = async (api: TestApi, forwardedFor: string) => {
    const email = `${unique('xff')}@example.test`;
    await api.as(null).request('POST', '/api/v1/session', { body: { email, password: 'wrong-password-123' }, headers: { 'x-forwarded-for': forwardedFor } });
    const events = (await api.get('/api/v1/audit-events?route=/api/v1/session&outcome=failure&limit=100')).body.data;
    return events.find((e: any) => e.note === `sign-in as ${email}`)?.ip;
  };

  it('believes one hop by default: the address the proxy saw, not what the client wrote before it', async () => {
    const api = await build(true);
    expect(await recordedAddress(api, '6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
    expect(await recordedAddress(api, '203.0.113.10')).toBe('203.0.113.10');
    // A client that writes a new address in front each time is still one address to the rate limit.
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => api.as(null).request('GET', '/api/v1/items', { headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.11` } }).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
  });

  it('believes the configured number of hops, or only the configured proxy addresses', async () => {
    expect(await recordedAddress(await build({ hops: 2 }), '6.6.6.6, 203.0.113.20, 10.0.0.2')).toBe('203.0.113.20');
    const byAddress = await build(parseTrustProxy('127.0.0.1,10.0.0.0/8'));
    expect(await recordedAddress(byAddress, '6.6.6.6, 203.0.113.21, 10.4.4.4, 10.0.0.1')).toBe('203.0.113.21');
    // Not behind a trusted proxy, the header is ignored.
    expect(await recordedAddress(await build(false), '203.0.113.22')).toBe('127.0.0.1');
  });

  it('reads the CLI flag and environment value, refusing what is neither hops nor addresses', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(parseTrustProxy(true)).toEqual({ hops: 1 });
    expect(parseTrustProxy('1')).toEqual({ hops: 1 });
    expect(parseTrustProxy('3')).toEqual({ hops: 3 });
    expect(parseTrustProxy('10.0.0.1, fd00::/8,loopback')).toEqual({ addresses: ['10.0.0.1', 'fd00::/8', 'loopback'] });
    expect(() => parseTrustProxy('everyone')).toThrow(/hops or proxy addresses/);
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow();
    expect(() => parseTrustProxy('99')).toThrow(/at most/);
  });
});
