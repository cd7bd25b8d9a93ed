import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

describe('the web app served at /', () => {
  let test: TestDatabase & { destroy(): Promise<void> };
  let api: TestApi;
  let unbuilt: TestApi;

  beforeAll(async () => {
    test = await createTestDatabase('sqlite');
    api = await buildTestApi(test.db);
    unbuilt = await buildTestApi(test.db, { webRoot: '/nonexistent/stockroom-web' });
  });
  afterAll(async () => {
    await api.app.close();
    await unbuilt.app.close();
    await test.destroy();
  });

  it('serves index.html at / without credentials, revalidated on every load, with a content security policy', async () => {
    const res = await api.as(null).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(String(res.headers['content-security-policy'])).toMatch(/default-src 'self'/);
    expect(res.body).toContain('<div id="root">');
  });

  it('answers a client route (a bookmark of an item page) with index.html', async () => {
    for (const path of ['/items/itm_01ABC', '/purchasing/orders/po_1?tab=lines', '/scanner']) {
      const res = await api.as(null).get(path);
      expect(res.status, path).toBe(200);
      expect(res.body, path).toContain('<div id="root">');
    }
  });

  it('caches hashed assets for a year and refuses a missing one with a 404 problem, not the page', async () => {
    const asset = await api.as(null).get('/assets/app-T3st1234.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const missing = await api.as(null).get('/assets/app-GONE.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    const missingTop = await api.as(null).get('/missing.png');
    expect(missingTop.status).toBe(404);
    expect((await api.as(null).get('/favicon.svg')).status).toBe(200);
  });

  it('never shadows the API, the API browser or /healthz', async () => {
    const unknown = await api.as(null).get('/api/v1/no-such-thing');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('route_not_found');
    expect((await api.as(null).get('/api/nope')).body.code).toBe('route_not_found');
    expect((await api.as(null).get('/healthz')).body.status).toBe('ok');
    expect((await api.as(null).get('/api/docs')).status).toBe(200);
    expect((await api.as(null).get('/api/v1/items')).status).toBe(401);
    expect((await api.get('/api/v1/items')).status).toBe(200);
    // A write to a client path is no route at all.
    expect((await api.as(null).post('/items', {})).status).toBe(404);
  });

  it('answers a percent sign or an encoded percent in an asset path with a 404 problem, not a 500', async () => {
    for (const path of ['/assets/%25', '/assets/%2525', '/%25', '/assets/%E0%A4%A']) {
      const res = await api.as(null).get(path);
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers['content-type'], path).toMatch(/problem\+json|text\/html/);
    }
    expect((await api.as(null).get('/assets/%25')).status).toBe(404);
    // Decoded once only: %252e%252e is the file name "%2e%2e", never "..".
    expect((await api.as(null).get('/assets/%252e%252e/%252e%252e/package.json')).status).toBe(404);
  });

  it('does not serve source maps, which would publish the original source', async () => {
    const map = await api.as(null).get('/assets/app-T3st1234.js.map');
    expect(map.status).toBe(404);
    expect(JSON.stringify(map.body)).not.toContain('secret-source');
  });

  it('keeps the web routes out of the API description', async () => {
    const doc = (await api.as(null).get('/api/openapi.json')).body;
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/api/'))).toEqual([]);
  });

  it('says how to build the web app when it is missing, and the API still works', async () => {
    const res = await unbuilt.as(null).get('/items');
    expect(res.status).toBe(503);
    expect(res.body).toMatch(/npm run build/);
    expect((await unbuilt.get('/api/v1/items')).status).toBe(200);
  });
});
