import { beforeAll, expect, it } from 'vitest';
import { makeToken } from '../support/access.ts';
import { shopifyExport } from '../support/catalog-files.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { ok, unique } from '../support/site-documents.ts';

const csv = { 'content-type': 'text/csv' };

describeEachDatabase('products and imports HTTP API', (get) => {
  let api: TestApi;
  let site: any;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    site = ok(await api.post('/api/v1/locations', { kind: 'site', code: unique('IM'), name: 'Import store', site_type: 'store' }), 201);
  });

  it('makes a product matrix, adds a size to every colour, and prices a row', async () => {
    const handle = unique('mitts').toLowerCase();
    const product = ok(await api.post('/api/v1/products', { name: 'Mitts', handle, price: '9.00', options: [{ name: 'Colour', values: ['Red', 'Blue'] }, { name: 'Size', values: ['M'] }] }), 201);
    expect(product.variants.map((v: any) => v.options)).toEqual([['Red', 'M'], ['Blue', 'M']]);
    const grown = ok(await api.post(`/api/v1/products/${product.id}/option-values`, { option: 'Size', value: 'L' }));
    expect(grown.variants).toHaveLength(4);
    const priced = ok(await api.post(`/api/v1/products/${product.id}/row-price`, { option: 'Size', value: 'L', price: '11.00' }));
    expect(priced.variants.map((v: any) => `${v.options.join('/')}=${v.price}`)).toEqual(['Red/M=9.00', 'Blue/M=9.00', 'Red/L=11.00', 'Blue/L=11.00']);
    const again = await api.post('/api/v1/products', { name: 'Mitts', handle, options: [{ name: 'Colour', values: ['Red'] }] });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('product_handle_taken');
  });

  it('previews, dry-runs and refuses a file with bad rows, applies the good one, and answers the progress', async () => {
    const tag = unique('HT');
    const bad = shopifyExport({ variants: 30, tag, broken: new Map([[4, 'check_digit']]), barcodeBase: 7_000_000 + Math.floor(Math.random() * 1000) * 100 });
    const preview = ok(await api.request('POST', '/api/v1/imports/items/preview', { rawBody: bad.csv, headers: csv }));
    expect(preview.layout).toBe('shopify');
    const dry = ok(await api.request('POST', `/api/v1/imports/items?site=${site.code}`, { rawBody: bad.csv, headers: csv }));
    expect(dry).toMatchObject({ dry_run: true, status: 'done', error_count: 1, errors: [{ row: [...bad.broken.keys()][0], column: 'Variant Barcode', code: 'check_digit' }] });
    const refused = await api.request('POST', `/api/v1/imports/items?mode=apply&site=${site.code}`, { rawBody: bad.csv, headers: csv });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'import_invalid', errors: [{ code: 'check_digit' }] });

    const good = shopifyExport({ variants: 30, tag: `${tag}G`, barcodeBase: 8_000_000 + Math.floor(Math.random() * 1000) * 100 });
    const started = await api.request('POST', `/api/v1/imports/items?mode=apply&wait=false&site=${site.code}`, { rawBody: good.csv, headers: csv });
    expect(started.status).toBe(202);
    let job = started.body;
    for (let i = 0; i < 200 && job.status === 'running'; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      job = ok(await api.get(`/api/v1/imports/${job.id}`));
    }
    expect(job).toMatchObject({ status: 'done', rows_total: 30, rows_done: 30, created: 30 });
    const listed = ok(await api.get('/api/v1/imports'));
    expect(listed.data.map((j: any) => j.id)).toContain(job.id);
    expect((await api.get('/api/v1/imports/imp_NOPE')).status).toBe(404);
  });

  it('exports the catalogue without costs to staff and with them to managers; the export imports back as a no-op', async () => {
    const staff = await makeToken(api, 'staff', [site.id]);
    const forStaff = await api.as({ bearer: staff.secret }).get('/api/v1/exports/items');
    expect(forStaff.status).toBe(200);
    const header = String(forStaff.body).split('\r\n')[0]!;
    expect(header).toContain('SKU,Name');
    expect(header).not.toContain('Cost');
    const full = await api.get('/api/v1/exports/items');
    expect(String(full.body).split('\r\n')[0]).toContain('Cost');
    const back = ok(await api.request('POST', '/api/v1/imports/items?mode=apply', { rawBody: String(full.body), headers: csv }));
    expect(back).toMatchObject({ status: 'done', created: 0, updated: 0, error_count: 0 });
    expect(back.unchanged).toBe(back.rows_total);
  });

  it('imports vendors, vendor prices, levels, opening stock and units through the API, refuses bad files with the row errors, and exports each kind back as a no-op', async () => {
    const tag = unique('HK');
    const item = ok(await api.post('/api/v1/items', { sku: `${tag}-TEA`, name: 'Tea', base_unit: 'ea', units: [{ name: 'case', factor: 6 }] }), 201);
    const files: Array<[string, string, string]> = [
      ['vendors', `Name,Currency,Lead time days\r\n${tag} Teas,USD,4\r\n`, `Name,Currency,Lead time days\r\n${tag} Teas,USD,soon\r\n`],
      ['vendor-prices', `Vendor,SKU,Vendor SKU,Purchase unit,Unit cost\r\n${tag} Teas,${item.sku},T-1,case,12.00\r\n`, `Vendor,SKU,Unit cost\r\n${tag} Teas,${item.sku},-1\r\n`],
      ['stock-levels', `SKU,Location,Min,Max\r\n${item.sku},${site.code},2,10\r\n`, `SKU,Location,Min,Max\r\n${item.sku},${site.code},10,2\r\n`],
      ['opening-stock', `SKU,Site,Quantity,Unit cost\r\n${item.sku},${site.code},7,2.00\r\n`, `SKU,Site,Quantity\r\n${item.sku},NOWHERE,1\r\n`],
      ['units', `SKU,Base unit,Unit,Factor\r\n${item.sku},ea,pack,3\r\n`, `SKU,Unit,Factor\r\n${item.sku},ea,3\r\n`],
    ];
    for (const [kind, good, bad] of files) {
      const dry = ok(await api.request('POST', `/api/v1/imports/${kind}`, { rawBody: bad, headers: csv }));
      expect(dry, kind).toMatchObject({ kind, dry_run: true, status: 'done', error_count: 1, errors: [{ row: 2 }] });
      const refused = await api.request('POST', `/api/v1/imports/${kind}?mode=apply`, { rawBody: bad, headers: csv });
      expect(refused.status, kind).toBe(422);
      expect(refused.body.code).toBe('import_invalid');
      expect(ok(await api.request('POST', `/api/v1/imports/${kind}?mode=apply`, { rawBody: good, headers: csv })), kind).toMatchObject({ status: 'done', created: 1 });
      expect(ok(await api.request('POST', `/api/v1/imports/${kind}?mode=apply`, { rawBody: good, headers: csv })), kind).toMatchObject({ status: 'done', created: 0, updated: 0, unchanged: 1 });
      const exported = await api.get(`/api/v1/exports/${kind}`);
      expect(exported.status).toBe(200);
      const back = ok(await api.request('POST', `/api/v1/imports/${kind}?mode=apply`, { rawBody: String(exported.body), headers: csv }));
      expect(back, kind).toMatchObject({ status: 'done', created: 0, updated: 0, error_count: 0 });
      expect(back.unchanged).toBe(back.rows_total);
    }
    expect(ok(await api.get(`/api/v1/stock-levels?item_id=${item.id}`)).data[0]).toMatchObject({ min: 2, max: 10 });
    expect(ok(await api.get(`/api/v1/items/${item.id}`)).units).toEqual([{ name: 'case', factor: 6 }, { name: 'pack', factor: 3 }]);
    expect(ok(await api.get(`/api/v1/vendors?q=${encodeURIComponent(tag)}`)).data[0]).toMatchObject({ lead_time_days: 4 });
    // Staff may read vendor prices and stock, never what they cost.
    const staff = await makeToken(api, 'staff', [site.id]);
    for (const kind of ['vendor-prices', 'opening-stock']) {
      const forStaff = await api.as({ bearer: staff.secret }).get(`/api/v1/exports/${kind}`);
      expect(forStaff.status).toBe(200);
      expect(String(forStaff.body).split('\r\n')[0]).not.toContain('cost');
      expect(String((await api.get(`/api/v1/exports/${kind}`)).body).split('\r\n')[0]).toContain('Unit cost');
    }
    expect((await api.as({ bearer: staff.secret }).request('POST', '/api/v1/imports/opening-stock', { rawBody: files[3]![1], headers: csv })).status).toBe(403);
  });

  it('refuses an empty body and a mapping naming a column the file lacks', async () => {
    const empty = await api.request('POST', '/api/v1/imports/items', { rawBody: '', headers: csv });
    expect(empty.status).toBe(422);
    const mapping = encodeURIComponent(JSON.stringify({ fields: { sku: 'Code', name: 'Name' }, stock: [] }));
    const missing = await api.request('POST', `/api/v1/imports/items?mapping=${mapping}`, { rawBody: 'SKU,Name\r\nA-1,Apple\r\n', headers: csv });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ code: 'import_file_invalid', columns: ['Code'] });
  });
});
