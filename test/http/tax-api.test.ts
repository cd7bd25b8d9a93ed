import { beforeAll, expect, it } from 'vitest';
import { makeToken } from '../support/access.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { idempotent, ok, unique } from '../support/site-documents.ts';

describeEachDatabase('tax HTTP API', (get) => {
  let api: TestApi;
  let site: any;
  let books: string;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    site = ok(await api.post('/api/v1/locations', { kind: 'site', code: unique('TX'), name: 'Tax store', site_type: 'store' }), 201);
    books = unique('Books');
  });

  it('sets rates and rules once, and a counter sale with no rate takes them; the till reads the same table', async () => {
    const standard = ok(await api.post('/api/v1/tax-rates', { name: 'Sales tax', rate: '8.875' }), 201);
    const reduced = ok(await api.post('/api/v1/tax-rates', { name: 'Books', rate: 5 }), 201);
    expect(standard).toMatchObject({ name: 'Sales tax', rate: '8.875', rules: 0 });
    ok(await api.request('PUT', '/api/v1/tax-rules', { body: { site_id: site.id, tax_rate_id: standard.id } }));
    const rule = ok(await api.request('PUT', '/api/v1/tax-rules', { body: { site_id: site.id, category: books, tax_rate_id: reduced.id } }));
    expect(rule.rule).toMatchObject({ site_id: site.id, category: books, rate: '5', name: 'Books' });
    const pen = ok(await api.post('/api/v1/items', { sku: unique('PEN'), name: 'Pen', price: '2.00' }), 201);
    const novel = ok(await api.post('/api/v1/items', { sku: unique('NOV'), name: 'Novel', category: books, price: '10.00' }), 201);
    const map = ok(await api.post('/api/v1/items', { sku: unique('MAP'), name: 'Map', category: books, price: '4.00' }), 201);
    expect(ok(await api.request('PUT', `/api/v1/items/${map.id}/tax`, { body: { exempt: true } }))).toEqual({ item_id: map.id, exempt: true });
    expect(ok(await api.get(`/api/v1/items/${map.id}/tax`))).toEqual({ item_id: map.id, exempt: true });

    const table = ok(await api.get(`/api/v1/tax-table?site_id=${site.id}`));
    expect(table).toMatchObject({ site_id: site.id, prices_include_tax: false, default_rate: '8.875', categories: [{ category: books, rate: '5' }], exempt_item_ids: [map.id] });

    // 2.00 + 0.1775 → 0.18; 10.00 + 0.50; 4.00 exempt → 16.68.
    const sale = ok(
      await api.post('/api/v1/sales', {
        location_id: site.id,
        register: 'T1',
        lines: [{ item_id: pen.id, qty: 1 }, { item_id: novel.id, qty: 1 }, { item_id: map.id, qty: 1 }],
        payments: [{ tender: 'card', amount: '16.68' }],
      }, idempotent()),
      201,
    );
    expect(sale.lines.map((l: any) => [l.tax_rate, l.tax])).toEqual([['8.875', '0.18'], ['5', '0.50'], ['0', '0.00']]);
    expect(sale).toMatchObject({ tax_included: false, totals: { tax: '0.68', total: '16.68' } });

    // A changed rate applies from now on; the sale keeps what it was charged.
    ok(await api.patch(`/api/v1/tax-rates/${standard.id}`, { rate: '9' }));
    expect((ok(await api.get(`/api/v1/sales/${sale.id}`)) as any).lines[0].tax_rate).toBe('8.875');
    const rules = ok(await api.get('/api/v1/tax-rules'));
    expect(rules.data.filter((r: any) => r.site_id === site.id).map((r: any) => [r.category, r.rate])).toEqual([[null, '9'], [books, '5']]);
  });

  it('shows prices that include tax on the receipt as the shelf shows them', async () => {
    const vat = ok(await api.post('/api/v1/tax-rates', { name: 'VAT', rate: '20' }), 201);
    const store = ok(await api.post('/api/v1/locations', { kind: 'site', code: unique('TV'), name: 'VAT store', site_type: 'store' }), 201);
    ok(await api.request('PUT', '/api/v1/tax-rules', { body: { site_id: store.id, tax_rate_id: vat.id } }));
    const soap = ok(await api.post('/api/v1/items', { sku: unique('SOAP'), name: 'Soap', price: '4.99' }), 201);
    expect((ok(await api.patch('/api/v1/settings', { prices_include_tax: true })) as any).prices_include_tax).toBe(true);
    try {
      const sale = ok(await api.post('/api/v1/sales', { location_id: store.id, register: 'T1', lines: [{ item_id: soap.id, qty: 3 }], payments: [{ tender: 'card', amount: '14.97' }] }, idempotent()), 201);
      expect(sale).toMatchObject({ tax_included: true, totals: { subtotal: '14.97', tax: '2.50', total: '14.97' } });
      expect(sale.lines[0]).toMatchObject({ gross: '14.97', net: '12.47', tax: '2.50', total: '14.97', tax_rate: '20' });
      expect((ok(await api.get(`/api/v1/tax-table?site_id=${store.id}`)) as any).prices_include_tax).toBe(true);
    } finally {
      ok(await api.patch('/api/v1/settings', { prices_include_tax: false }));
    }
  });

  it('refuses bad input with problem codes and changes nothing', async () => {
    const rate = ok(await api.post('/api/v1/tax-rates', { name: 'Spare', rate: '3' }), 201);
    const tooHigh = await api.post('/api/v1/tax-rates', { name: 'Silly', rate: '101' });
    expect(tooHigh.status).toBe(400);
    expect(tooHigh.body.code).toBe('validation_failed');
    expect((await api.post('/api/v1/tax-rates', { name: 'Fine', rate: '1.23456' })).body.code).toBe('validation_failed');
    expect((await api.patch('/api/v1/tax-rates/txr_NOPE', { rate: '1' })).body.code).toBe('tax_rate_not_found');

    const bin = ok(await api.post('/api/v1/locations', { kind: 'bin', parent_id: site.id, code: unique('B'), name: 'Shelf' }), 201);
    const onBin = await api.request('PUT', '/api/v1/tax-rules', { body: { site_id: bin.id, tax_rate_id: rate.id } });
    expect(onBin.status).toBe(422);
    expect(onBin.body).toMatchObject({ code: 'tax_rule_invalid', errors: [expect.objectContaining({ field: 'body.site_id' })] });
    const unknown = await api.request('PUT', '/api/v1/tax-rules', { body: { site_id: site.id, category: 'Whatever', tax_rate_id: 'txr_NOPE' } });
    expect(unknown.body).toMatchObject({ code: 'tax_rule_invalid', errors: [expect.objectContaining({ field: 'body.tax_rate_id' })] });

    ok(await api.request('PUT', '/api/v1/tax-rules', { body: { site_id: site.id, category: 'Spare things', tax_rate_id: rate.id } }));
    const inUse = await api.delete(`/api/v1/tax-rates/${rate.id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.code).toBe('tax_rate_in_use');
    ok(await api.request('PUT', '/api/v1/tax-rules', { body: { site_id: site.id, category: 'spare THINGS', tax_rate_id: null } }));
    expect(ok(await api.delete(`/api/v1/tax-rates/${rate.id}`))).toEqual({ id: rate.id, deleted: true });
    expect((await api.get('/api/v1/tax-rates')).body.data.map((r: any) => r.id)).not.toContain(rate.id);
  });

  it('lets staff read the set-up a till needs but not change it; a manager of one site cannot set a shop-wide rule', async () => {
    const staff = api.as({ bearer: (await makeToken(api, 'staff')).secret });
    expect((await staff.get('/api/v1/tax-rates')).status).toBe(200);
    expect((await staff.get(`/api/v1/tax-table?site_id=${site.id}`)).status).toBe(200);
    expect((await staff.post('/api/v1/tax-rates', { name: 'Mine', rate: '1' })).status).toBe(403);
    const manager = api.as({ bearer: (await makeToken(api, 'manager', [site.id])).secret });
    const rate = ok(await manager.post('/api/v1/tax-rates', { name: 'Manager rate', rate: '2' }), 201);
    ok(await manager.request('PUT', '/api/v1/tax-rules', { body: { site_id: site.id, category: 'Managed', tax_rate_id: rate.id } }));
    const shopWide = await manager.request('PUT', '/api/v1/tax-rules', { body: { category: 'Managed', tax_rate_id: rate.id } });
    expect(shopWide.status).toBe(403);
    expect((await api.get('/api/v1/tax-rules')).body.data.some((r: any) => r.site_id === null && r.category === 'Managed')).toBe(false);
  });
});
