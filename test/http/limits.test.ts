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
