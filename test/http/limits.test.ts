import { beforeAll, expect, it } from 'vitest';
import { createToken } from '../../src/modules/access/index.ts';
import { systemActor } from '../../src/platform/context.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

/** Limits: bodies over the limit get 413, page sizes are capped, a burst from one token gets 429 while /healthz stays fast. */
describeEachDatabase('limits', (get) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi(get().db, { rateLimit: { perMinute: 40 } });
  });

  it('refuses a body over the limit with 413 and a problem', async () => {
    const response = await api.request('POST', '/api/v1/items', { rawBody: JSON.stringify({ sku: 'BIG', name: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('payload_too_large');
  });

  it('refuses a NUL character anywhere in the request, before it reaches the database', async () => {
    const signIn = await api.as(null).request('POST', '/api/v1/session', { body: { email: 'a\u0000b@example.com', password: 'long enough password' } });
    expect(signIn.status).toBe(400);
    expect(signIn.body.errors).toEqual([{ field: 'body.email', code: 'nul_character', message: 'contains a NUL character' }]);
    const search = await api.get('/api/v1/items?q=a%00b');
    expect(search.status).toBe(400);
    expect(search.body.errors[0].field).toBe('query.q');
    const barcode = await api.get('/api/v1/items/by-barcode/12%0034');
    expect(barcode.status).toBe(400);
    expect(barcode.body.errors[0].field).toBe('params.code');
    const create = await api.post('/api/v1/items', { sku: 'NUL-1', name: 'x', base_unit: 'ea', barcodes: ['ok', 'b\u0000d'] });
    expect(create.status).toBe(400);
    expect(create.body.errors[0].field).toBe('body.barcodes.1');
    expect((await api.get('/api/v1/items?q=NUL-1')).body.data).toEqual([]);
  });

  it('caps page sizes', async () => {
    expect((await api.get('/api/v1/items?limit=500')).status).toBe(200);
    const over = await api.get('/api/v1/items?limit=501');
    expect(over.status).toBe(400);
    expect(over.body.errors[0].field).toBe('querystring.limit');
  });

  it('answers a burst from one token with 429 while other tokens and /healthz carry on', async () => {
    const burst = await Promise.all(Array.from({ length: 60 }, () => api.get('/api/v1/items?limit=1')));
    const limited = burst.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(15);
    expect(burst.filter((r) => r.status === 200).length).toBeLessThanOrEqual(40);
    expect(limited[0]!.body.code).toBe('rate_limited');
    expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(String(limited[0]!.headers['content-type'])).toMatch(/problem\+json/);

    const other = await createToken({ db: get().db, clock: api.clock, actor: systemActor }, { name: 'other till', role: 'owner', sites: 'all' });
    expect((await api.as({ bearer: other.secret }).get('/api/v1/items?limit=1')).status).toBe(200);

    const started = performance.now();
    for (let i = 0; i < 100; i += 1) expect((await api.as(null).get('/healthz')).status).toBe(200);
    expect((performance.now() - started) / 100).toBeLessThan(20);
  });
});
