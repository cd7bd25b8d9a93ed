import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter += 1)}`;

function expectProblem(response: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, code, type: `urn:stockroom:problem:${code}` });
  expect(typeof response.body.detail).toBe('string');
}

describeEachDatabase('HTTP API', (get) => {
  let api: TestApi;
  let store: any;
  let warehouse: any;
  let bin: any;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    store = (await api.post('/api/v1/locations', { kind: 'site', code: unique('ST'), name: 'Store', site_type: 'store' })).body;
    warehouse = (await api.post('/api/v1/locations', { kind: 'site', code: unique('WH'), name: 'Warehouse', site_type: 'warehouse' })).body;
    const zone = (await api.post('/api/v1/locations', { kind: 'zone', parent_id: warehouse.id, code: 'A', name: 'Aisle A' })).body;
    bin = (await api.post('/api/v1/locations', { kind: 'bin', parent_id: zone.id, code: '01', name: 'A-01', pick_order: 1 })).body;
  });

  const newItem = async (extra: Record<string, unknown> = {}) => {
    const response = await api.post('/api/v1/items', { sku: unique('SKU'), name: 'Widget', price: '2.50', ...extra });
    expect(response.status).toBe(201);
    return response.body;
  };

  describe('health and documentation', () => {
    it('answers /healthz', async () => {
      const response = await api.get('/healthz');
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('ok');
    });

    it('serves an OpenAPI 3.1 document describing every route', async () => {
      const response = await api.get('/api/openapi.json');
      expect(response.status).toBe(200);
      expect(response.body.openapi).toBe('3.1.0');
      for (const path of ['/api/v1/items', '/api/v1/items/by-barcode/{code}', '/api/v1/locations', '/api/v1/adjustments', '/api/v1/balances', '/api/v1/movements']) {
        expect(Object.keys(response.body.paths)).toContain(path);
      }
      expect(response.body.paths['/api/v1/items'].post.responses['409'].description).toMatch(/`sku_taken`/);
      const refs: string[] = JSON.stringify(response.body).match(/#\/components\/schemas\/[A-Za-z0-9_]+/g) ?? [];
      const dangling = refs.filter((ref) => !response.body.components.schemas[ref.split('/').pop()!]);
      expect(dangling).toEqual([]);
    });

    it('serves the API browser', async () => {
      const response = await api.get('/api/docs/');
      expect(response.status).toBe(200);
      expect(String(response.headers['content-type'])).toMatch(/text\/html/);
    });

    it('answers an unknown route with a problem', async () => {
      expectProblem(await api.get('/api/v1/nothing-here'), 404, 'route_not_found');
    });
  });

  describe('items', () => {
    it('creates, reads, changes, archives and lists an item', async () => {
      const item = await newItem({ barcodes: ['4006381333931'], units: [{ name: 'case', factor: 12 }], category: 'Tools' });
      expect(item).toMatchObject({ name: 'Widget', price: '2.50', base_unit: 'ea', units: [{ name: 'case', factor: 12 }], stocked: true, status: 'active' });
      expect((await api.get(`/api/v1/items/${item.id}`)).body).toEqual(item);
      const byBarcode = await api.get('/api/v1/items/by-barcode/4006381333931');
      expect(byBarcode.body).toMatchObject({ id: item.id, matched_barcode: '4006381333931' });
      const patched = await api.patch(`/api/v1/items/${item.id}`, { name: 'Blue widget', price: null });
      expect(patched.body).toMatchObject({ name: 'Blue widget', price: null });
      const archived = await api.post(`/api/v1/items/${item.id}/archive`);
      expect(archived.body.status).toBe('archived');
      const active = await api.get(`/api/v1/items?q=${encodeURIComponent(item.sku)}`);
      expect(active.body.data).toEqual([]);
      const all = await api.get(`/api/v1/items?q=${encodeURIComponent(item.sku)}&status=all`);
      expect(all.body.data.map((i: any) => i.id)).toEqual([item.id]);
      expect((await api.delete(`/api/v1/items/${item.id}`)).body).toEqual({ id: item.id, deleted: true });
      expectProblem(await api.get(`/api/v1/items/${item.id}`), 404, 'item_not_found');
    });

    it('pages through a search with cursors', async () => {
      const tag = unique('PAGE').replace(/-/g, '');
      for (let i = 0; i < 5; i += 1) await newItem({ sku: `${tag}-${i}`, name: `${tag} ${i}` });
      const first = await api.get(`/api/v1/items?q=${tag}&sort=sku&limit=2`);
      expect(first.body.data.map((i: any) => i.sku)).toEqual([`${tag}-0`, `${tag}-1`]);
      const second = await api.get(`/api/v1/items?q=${tag}&sort=sku&limit=2&cursor=${first.body.next_cursor}`);
      expect(second.body.data.map((i: any) => i.sku)).toEqual([`${tag}-2`, `${tag}-3`]);
      const third = await api.get(`/api/v1/items?q=${tag}&sort=sku&limit=2&cursor=${second.body.next_cursor}`);
      expect(third.body).toMatchObject({ next_cursor: null });
      expectProblem(await api.get(`/api/v1/items?cursor=not-a-cursor`), 400, 'validation_failed');
      expectProblem(await api.get(`/api/v1/items?limit=100000`), 400, 'validation_failed');
    });

    it('lists each item with its sellable stock, over every site or at one', async () => {
      const tag = unique('STOCK').replace(/-/g, '');
      const item = await newItem({ sku: `${tag}-A`, name: `${tag} A` });
      const bundle = await newItem({ sku: `${tag}-B`, name: `${tag} B`, stocked: false, components: [{ item_id: item.id, qty: 2 }] });
      for (const [location_id, qty] of [
        [store.id, 5],
        [bin.id, 3],
      ] as const) {
        expect((await api.post('/api/v1/adjustments', { location_id, reason: 'found', lines: [{ item_id: item.id, qty }] })).status).toBe(201);
      }
      const everywhere = await api.get(`/api/v1/items?q=${tag}&sort=sku`);
      expect(everywhere.body.data.map((i: any) => [i.id, i.on_hand])).toEqual([
        [item.id, 8],
        [bundle.id, null],
      ]);
      const atStore = await api.get(`/api/v1/items?q=${tag}&sort=sku&location_id=${store.id}`);
      expect(atStore.body.data.map((i: any) => i.on_hand)).toEqual([5, null]);
    });

    it('refuses bad input with problems that name the field', async () => {
      expectProblem(await api.request('POST', '/api/v1/items', { rawBody: '{"sku": "A", "name": ' }), 400, 'malformed_json');
      expectProblem(await api.request('POST', '/api/v1/items', { rawBody: 'sku=A', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
      expectProblem(await api.request('POST', '/api/v1/items', { rawBody: 'sku=A', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');

      const wrongType = await api.post('/api/v1/items', { sku: 12, name: 'x' });
      expectProblem(wrongType, 400, 'validation_failed');
      expect(wrongType.body.errors).toEqual([expect.objectContaining({ field: 'body.sku' })]);

      const missing = await api.post('/api/v1/items', { sku: unique('M') });
      expect(missing.body.errors.map((e: any) => e.field)).toEqual(['body.name']);

      const unknownField = await api.post('/api/v1/items', { sku: unique('U'), name: 'x', colour: 'red' });
      expectProblem(unknownField, 400, 'validation_failed');

      const tooLong = await api.post('/api/v1/items', { sku: unique('L'), name: 'x'.repeat(201) });
      expect(tooLong.body.errors.map((e: any) => e.field)).toEqual(['body.name']);

      const precision = await api.post('/api/v1/items', { sku: unique('P'), name: 'x', price: '1.0000001', units: [{ name: 'case', factor: 1.2345 }] });
      expect(precision.body.errors.map((e: any) => e.field).sort()).toEqual(['body.price', 'body.units.0.factor']);

      const huge = await api.post('/api/v1/items', { sku: unique('H'), name: 'x', units: [{ name: 'case', factor: 2 ** 60 }] });
      expectProblem(huge, 400, 'validation_failed');

      const checkDigit = await api.post('/api/v1/items', { sku: unique('C'), name: 'x', barcodes: ['4006381333932'] });
      expectProblem(checkDigit, 422, 'barcode_invalid');
      expect(checkDigit.body.errors[0].field).toBe('body.barcodes.0');

      const nulChar = await api.post('/api/v1/items', { sku: unique('N'), name: 'bad\u0000name' });
      expectProblem(nulChar, 400, 'validation_failed');

      expectProblem(await api.get('/api/v1/items/itm_DOESNOTEXIST'), 404, 'item_not_found');
      expectProblem(await api.get('/api/v1/items/not-an-id'), 400, 'validation_failed');
      expectProblem(await api.get('/api/v1/items/by-barcode/0000000000000'), 404, 'item_not_found');
    });

    it('refuses an unknown component and a duplicate SKU', async () => {
      const component = await api.post('/api/v1/items', { sku: unique('B'), name: 'Bundle', stocked: false, components: [{ item_id: 'itm_NOPE', qty: 1 }] });
      expectProblem(component, 422, 'component_invalid');
      const item = await newItem();
      expectProblem(await api.post('/api/v1/items', { sku: item.sku.toLowerCase(), name: 'dup' }), 409, 'sku_taken');
    });
  });

  describe('locations', () => {
    it('lists the tree and reads one location', async () => {
      const tree = await api.get(`/api/v1/locations?site_id=${warehouse.id}`);
      expect(tree.body.data).toHaveLength(1);
      const codes = tree.body.data[0].children.map((c: any) => c.code);
      expect(codes).toEqual(['A', 'MAIN']);
      expect(tree.body.data[0].children[0].children[0]).toMatchObject({ id: bin.id, holds_stock: true, negative_stock: 'strict' });
      expect((await api.get(`/api/v1/locations/${bin.id}`)).body.full_code).toBe(`${warehouse.code}/A/01`);
      const withVirtual = await api.get('/api/v1/locations?include_virtual=true');
      expect(withVirtual.body.data.map((l: any) => l.id)).toContain('loc_customer');
      expectProblem(await api.get('/api/v1/locations/loc_NOPE'), 404, 'location_not_found');
      expectProblem(await api.post('/api/v1/locations', { kind: 'bin', parent_id: bin.id, code: 'X', name: 'x' }), 422, 'location_parent_invalid');
      expectProblem(await api.post('/api/v1/locations', { kind: 'site', code: 'bad code!', name: 'x', site_type: 'store' }), 400, 'validation_failed');
    });

    it('changes a site’s policy', async () => {
      const site = (await api.post('/api/v1/locations', { kind: 'site', code: unique('PS'), name: 'Pop-up', site_type: 'store' })).body;
      const changed = await api.patch(`/api/v1/locations/${site.id}`, { negative_stock: 'strict', name: 'Pop-up shop' });
      expect(changed.body).toMatchObject({ negative_stock: 'strict', name: 'Pop-up shop' });
    });
  });

  describe('adjustments, balances and movements', () => {
    it('posts an adjustment and shows it in balances and movements', async () => {
      const item = await newItem({ units: [{ name: 'case', factor: 6 }] });
      const created = await api.post('/api/v1/adjustments', {
        location_id: bin.id,
        reason: 'opening_balance',
        note: 'first count',
        lines: [{ item_id: item.id, qty: 2, unit: 'case', unit_cost: '1.25' }],
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ reason: 'opening_balance', location_id: bin.id, lines: [{ qty: 12, unit_cost: '1.25' }] });
      expect((await api.get(`/api/v1/adjustments/${created.body.id}`)).body.id).toBe(created.body.id);
      const listed = await api.get(`/api/v1/adjustments?location_id=${warehouse.id}&limit=1`);
      expect(listed.body.data[0].id).toBe(created.body.id);

      const balances = await api.get(`/api/v1/balances?item_id=${item.id}&location_id=${warehouse.id}`);
      expect(balances.body.data).toEqual([{ item_id: item.id, location_id: bin.id, lot_id: null, on_hand: 12, reserved: 0, available: 12 }]);
      const before = await api.get(`/api/v1/balances?item_id=${item.id}&as_of=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`);
      expect(before.body.data).toEqual([]);
      expect(before.body.as_of).not.toBeNull();
      const grouped = await api.get(`/api/v1/balances?item_id=${item.id}&group_by=item`);
      expect(grouped.body.data).toEqual([{ item_id: item.id, location_id: null, lot_id: null, on_hand: 12, reserved: 0, available: 12 }]);

      const moves = await api.get(`/api/v1/movements?item_id=${item.id}`);
      expect(moves.body.data).toHaveLength(1);
      expect(moves.body.data[0]).toMatchObject({ kind: 'adjustment', reason: 'opening_balance', qty: 12, unit_cost: '1.25', value: '15.00', direction: null });
      const atBin = await api.get(`/api/v1/movements?location_id=${bin.id}&item_id=${item.id}`);
      expect(atBin.body.data[0].direction).toBe('in');

      const shortfall = await api.post('/api/v1/adjustments', { location_id: bin.id, reason: 'theft', lines: [{ item_id: item.id, qty: -13 }] });
      expectProblem(shortfall, 409, 'insufficient_stock');
      expect(shortfall.body.shortfall).toEqual({ item_id: item.id, location_id: bin.id, lot_id: null, requested: 13, available: 12 });

      const reversal = await api.post(`/api/v1/adjustments/${created.body.id}/reverse`, {});
      expect(reversal.status).toBe(201);
      expectProblem(await api.post(`/api/v1/adjustments/${created.body.id}/reverse`, {}), 409, 'adjustment_already_reversed');
    });

    it('warns when a store sale of stock it does not have leaves a negative balance', async () => {
      const item = await newItem();
      const response = await api.post('/api/v1/adjustments', { location_id: store.id, reason: 'correction', lines: [{ item_id: item.id, qty: -1 }] });
      expect(response.status).toBe(201);
      expect(response.body.warnings).toEqual([{ code: 'negative_balance', item_id: item.id, location_id: store.default_bin_id, lot_id: null, on_hand: -1 }]);
    });

    it('refuses adjustments with too many decimals, unknown items and bad reasons', async () => {
      const item = await newItem();
      const precise = await api.post('/api/v1/adjustments', { location_id: bin.id, reason: 'found', lines: [{ item_id: item.id, qty: 1.0001 }] });
      expectProblem(precise, 400, 'validation_failed');
      expect(precise.body.errors[0].field).toBe('body.lines.0.qty');
      expectProblem(await api.post('/api/v1/adjustments', { location_id: bin.id, reason: 'found', lines: [{ item_id: 'itm_NOPE', qty: 1 }] }), 422, 'adjustment_line_invalid');
      expectProblem(await api.post('/api/v1/adjustments', { location_id: 'loc_NOPE', reason: 'found', lines: [{ item_id: item.id, qty: 1 }] }), 404, 'location_not_found');
      expectProblem(await api.post('/api/v1/adjustments', { location_id: bin.id, reason: 'gift', lines: [{ item_id: item.id, qty: 1 }] }), 400, 'validation_failed');
      expectProblem(await api.post('/api/v1/adjustments', { location_id: bin.id, reason: 'found', lines: [] }), 400, 'validation_failed');
      expectProblem(await api.post('/api/v1/adjustments', { location_id: bin.id, reason: 'found', lines: [{ item_id: item.id, qty: 1e20 }] }), 400, 'validation_failed');
      expectProblem(await api.post('/api/v1/adjustments', { location_id: warehouse.id.replace('loc_', 'loc_'), reason: 'found', lines: [{ item_id: item.id, qty: 0 }] }), 400, 'validation_failed');
    });
  });

  describe('idempotency', () => {
    it('replays the first response for a repeated key and posts nothing twice', async () => {
      const item = await newItem();
      const body = { location_id: bin.id, reason: 'found', lines: [{ item_id: item.id, qty: 3 }] };
      const key = { 'idempotency-key': unique('key') };
      const [a, b] = await Promise.all([api.post('/api/v1/adjustments', body, key), api.post('/api/v1/adjustments', body, key)]);
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(b.body).toEqual(a.body);
      expect([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']].filter(Boolean)).toEqual(['true']);
      const third = await api.post('/api/v1/adjustments', body, key);
      expect(third.body).toEqual(a.body);
      const balances = await api.get(`/api/v1/balances?item_id=${item.id}`);
      expect(balances.body.data[0].on_hand).toBe(3);
      expectProblem(await api.post('/api/v1/adjustments', { ...body, note: 'changed' }, key), 422, 'idempotency_key_reused');
    });

    it('keeps no key for a request that failed, so it can be retried', async () => {
      const item = await newItem();
      const key = { 'idempotency-key': unique('retry') };
      const body = { location_id: bin.id, reason: 'theft', lines: [{ item_id: item.id, qty: -1 }] };
      expectProblem(await api.post('/api/v1/adjustments', body, key), 409, 'insufficient_stock');
      await api.post('/api/v1/adjustments', { location_id: bin.id, reason: 'found', lines: [{ item_id: item.id, qty: 1 }] });
      expect((await api.post('/api/v1/adjustments', body, key)).status).toBe(201);
    });

    it('refuses a malformed key', async () => {
      const item = await newItem();
      expectProblem(await api.post(`/api/v1/items/${item.id}/archive`, undefined, { 'idempotency-key': 'has space' }), 400, 'idempotency_key_invalid');
    });
  });
});
