import { beforeAll, describe, expect, it } from 'vitest';
import { pdfText } from '../support/pdf.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36).toUpperCase()}${(counter += 1)}`;

function expectProblem(response: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, code, type: `urn:stockroom:problem:${code}` });
  expect(typeof response.body.detail).toBe('string');
}

function ok<T = any>(response: { status: number; body: T }, status = 200): T {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

describeEachDatabase('purchasing HTTP API', (get) => {
  let api: TestApi;
  let site: any;
  let item: any;
  let vendor: any;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    site = ok(await api.post('/api/v1/locations', { kind: 'site', code: unique('WH'), name: 'Warehouse', site_type: 'warehouse', address: '9 Quay St' }), 201);
    item = ok(await api.post('/api/v1/items', { sku: unique('ITM'), name: 'Tea tin', units: [{ name: 'case', factor: 6 }], barcodes: ['4006381333931'] }), 201);
    vendor = ok(await api.post('/api/v1/vendors', { name: unique('Leaf Co '), over_receipt_tolerance_percent: 0 }), 201);
  });

  const newOrder = async (lines: unknown[] = [{ item_id: item.id, qty: 2, unit: 'case', unit_price: '18.00' }]) =>
    ok(await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.id, lines }), 201);

  it('describes the new routes in the OpenAPI document', async () => {
    const doc = ok(await api.get('/api/openapi.json'));
    for (const path of [
      '/api/v1/vendors',
      '/api/v1/vendors/{id}/items/{item_id}',
      '/api/v1/exchange-rates',
      '/api/v1/purchase-orders',
      '/api/v1/purchase-orders/{id}/send',
      '/api/v1/purchase-orders/{id}/pdf',
      '/api/v1/purchase-orders/{id}/revisions',
      '/api/v1/receipts',
      '/api/v1/receipts/{id}/scans',
      '/api/v1/receipts/{id}/approve',
      '/api/v1/receipts/{id}/landed-costs',
      '/api/v1/landed-costs',
      '/api/v1/reports/vendor-performance',
      '/api/v1/scan/resolve',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  describe('bad input', () => {
    it('answers with problems that name the field, and changes nothing', async () => {
      const badVendor = await api.post('/api/v1/vendors', { name: '', email: 'not-an-email', currency: 'euro', over_receipt_tolerance_percent: 1.23456 });
      expectProblem(badVendor, 400, 'validation_failed');
      expect(badVendor.body.errors.map((e: any) => e.field).sort()).toEqual(['body.currency', 'body.email', 'body.name', 'body.over_receipt_tolerance_percent']);

      const precise = await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.id, lines: [{ item_id: item.id, qty: 1.0001, unit_price: '1.0000001' }] });
      expectProblem(precise, 400, 'validation_failed');
      expect(precise.body.errors.map((e: any) => e.field).sort()).toEqual(['body.lines.0.qty', 'body.lines.0.unit_price']);

      expectProblem(await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.id, extra: 1 }), 400, 'validation_failed');
      expectProblem(await api.post('/api/v1/purchase-orders', { vendor_id: 'ven_NOPE', delivery_site_id: site.id }), 404, 'vendor_not_found');
      expectProblem(await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.default_bin_id }), 422, 'purchase_order_line_invalid');
      // 0.001 case is 0.006 tins: exact, so accepted.
      expect((await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.id, lines: [{ item_id: item.id, qty: 0.001, unit: 'case', unit_price: '1' }] })).status).toBe(201);
      const kg = ok(await api.post('/api/v1/items', { sku: unique('KG'), name: 'Rice', base_unit: 'kg', units: [{ name: 'sack', factor: 2.5 }] }), 201);
      const sack = await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.id, lines: [{ item_id: kg.id, qty: 0.333, unit: 'sack', unit_price: '1' }] });
      expectProblem(sack, 422, 'unit_conversion_inexact');
      expect(sack.body.errors).toEqual([expect.objectContaining({ field: 'body.lines.0.qty', code: 'inexact' })]);

      const rate = await api.post('/api/v1/exchange-rates', { currency: 'EUR', rate: '1.0000000001', effective_on: '2026-13-01' });
      expectProblem(rate, 400, 'validation_failed');
      expect(rate.body.errors.map((e: any) => e.field).sort()).toEqual(['body.effective_on', 'body.rate']);
      expectProblem(await api.post('/api/v1/exchange-rates', { currency: 'USD', rate: '1', effective_on: '2026-01-01' }), 422, 'exchange_rate_missing');

      expectProblem(await api.get('/api/v1/reports/vendor-performance?from=2026-02-01&to=2026-01-01'), 400, 'validation_failed');
      expectProblem(await api.get('/api/v1/purchase-orders/po_NOPE'), 404, 'purchase_order_not_found');
      expectProblem(await api.get('/api/v1/receipts/not-an-id'), 400, 'validation_failed');
      expectProblem(await api.post('/api/v1/scan/resolve', { code: 'a\u0007b' }), 400, 'validation_failed');
      const list = ok(await api.get(`/api/v1/purchase-orders?vendor_id=${vendor.id}&status=draft`));
      expect(list.data.map((p: any) => p.vendor_id)).not.toContain('ven_NOPE');
    });
  });

  it('refuses an illegal transition with 409 and a clear code', async () => {
    const po = await newOrder();
    const close = await api.post(`/api/v1/purchase-orders/${po.id}/close`);
    expectProblem(close, 409, 'purchase_order_transition_invalid');
    expect(close.body).toMatchObject({ status: 409, current_status: 'draft', action: 'close', allowed_from: ['partially_received', 'received'] });
    expectProblem(await api.post('/api/v1/receipts', { purchase_order_id: po.id }), 409, 'purchase_order_not_receivable');
    ok(await api.post(`/api/v1/purchase-orders/${po.id}/send`));
    expectProblem(await api.post(`/api/v1/purchase-orders/${po.id}/send`), 409, 'purchase_order_transition_invalid');
    ok(await api.post(`/api/v1/purchase-orders/${po.id}/cancel`));
    expectProblem(await api.patch(`/api/v1/purchase-orders/${po.id}`, { notes: 'x' }), 409, 'purchase_order_not_editable');
  });

  it('versions edits after sending and serves the revision history', async () => {
    const po = await newOrder();
    ok(await api.post(`/api/v1/purchase-orders/${po.id}/send`));
    const edited = ok(await api.patch(`/api/v1/purchase-orders/${po.id}/lines/${po.lines[0].id}`, { qty: 3 }));
    expect(edited).toMatchObject({ revision: 2, lines: [{ qty: 3, qty_base: 18 }] });
    const revisions = ok(await api.get(`/api/v1/purchase-orders/${po.id}/revisions`));
    // The test client acts through an owner API token: that token is the actor on record.
    const actor = expect.stringMatching(/^tok_/);
    expect(revisions.data.map((r: any) => [r.revision, r.actor_id, r.changes.map((c: any) => c.field)])).toEqual([
      [1, actor, ['status']],
      [2, actor, ['qty']],
    ]);
  });

  it('serves the order as a PDF and as CSV', async () => {
    const po = await newOrder();
    const pdf = await api.app.inject({ method: 'GET', url: `/api/v1/purchase-orders/${po.id}/pdf`, headers: { authorization: `Bearer ${api.ownerToken}` } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe(`attachment; filename="${po.number}.pdf"`);
    const text = pdfText(pdf.rawPayload);
    for (const expected of [po.number, 'Tea tin', '9 Quay St', '36.00']) expect(text).toContain(expected);
    const csv = await api.get(`/api/v1/purchase-orders/${po.id}/csv`);
    expect(csv.status).toBe(200);
    expect(String(csv.headers['content-type'])).toMatch(/^text\/csv/);
    expect(String(csv.body).split('\r\n')[1]).toBe(`${po.number},1,,${item.sku},Tea tin,2,case,USD,18.00,36.00,0,0.00,`);
  });

  it('holds an over-receipt for approval, and a manager’s approval posts it', async () => {
    const po = await newOrder([{ item_id: item.id, qty: 1, unit: 'case', unit_price: '18.00' }]);
    ok(await api.post(`/api/v1/purchase-orders/${po.id}/send`));
    const draft = ok(await api.post('/api/v1/receipts', { purchase_order_id: po.id, lines: [{ purchase_order_line_id: po.lines[0].id, qty: 7, unit: 'ea' }] }), 201);
    expect(draft).toMatchObject({ status: 'draft', needs_approval: true });
    expect(draft.discrepancies.map((d: any) => d.kind).sort()).toEqual(['over', 'wrong_unit']);
    const held = ok(await api.post(`/api/v1/receipts/${draft.id}/post`));
    expect(held.status).toBe('awaiting_approval');
    expect(ok(await api.get(`/api/v1/balances?item_id=${item.id}&location_id=${site.id}`)).data).toEqual([]);
    expectProblem(await api.post(`/api/v1/receipts/${draft.id}/lines`, { lines: [{ item_id: item.id, qty: 1 }] }), 409, 'receipt_not_editable');
    const approved = ok(await api.post(`/api/v1/receipts/${draft.id}/approve`));
    expect(approved).toMatchObject({ status: 'posted', approved_by: expect.stringMatching(/^tok_/) });
    expect(approved.discrepancies.find((d: any) => d.kind === 'over')).toMatchObject({ qty: 1, beyond_tolerance: true, approved_by: expect.stringMatching(/^tok_/) });
    expect(ok(await api.get(`/api/v1/balances?item_id=${item.id}&location_id=${site.id}`)).data[0].on_hand).toBe(7);
    expectProblem(await api.post(`/api/v1/receipts/${draft.id}/approve`), 409, 'receipt_transition_invalid');
  });

  it('posts a quick receive in one call, safely retried with an idempotency key', async () => {
    const body = { site_id: site.id, vendor_id: vendor.id, lines: [{ item_id: item.id, qty: 1, unit: 'case', unit_cost: '15.00' }], post: true };
    const key = { 'idempotency-key': unique('rcv') };
    const first = ok(await api.post('/api/v1/receipts', body, key), 201);
    const again = await api.post('/api/v1/receipts', body, key);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.id);
    expect(first).toMatchObject({ status: 'posted', number: expect.stringMatching(/^RCV-\d{6}$/), lines: [{ qty: 1, unit: 'case', qty_base: 6, unit_cost: '15.00', base_unit_cost: '2.50' }] });
    const moves = ok(await api.get(`/api/v1/movements?document_id=${first.id}`));
    expect(moves.data).toHaveLength(1);
  });

  it('resolves scans: a barcode, a SKU, a GS1 element string, and nothing', async () => {
    const barcode = ok(await api.post('/api/v1/scan/resolve', { code: '4006381333931\r\n' }));
    expect(barcode).toMatchObject({ kind: 'barcode', item: { id: item.id, sku: item.sku }, matched: '4006381333931' });
    expect(ok(await api.post('/api/v1/scan/resolve', { code: item.sku.toLowerCase() }))).toMatchObject({ kind: 'sku', item: { id: item.id } });
    const gs1 = ok(await api.post('/api/v1/scan/resolve', { code: ']C101040063813339311726070010B-7\u001d2112\u001d91XYZ' }));
    expect(gs1).toMatchObject({
      kind: 'gs1',
      symbology: 'gs1-128',
      item: { id: item.id },
      gtin: '04006381333931',
      expires_on: '2026-07-31',
      lot_code: 'B-7',
      serial: '12',
      unknown_ais: [{ ai: '91', value: 'XYZ' }],
      problems: [],
    });
    expect(ok(await api.post('/api/v1/scan/resolve', { code: '(01)09501101530003(17)140704(10)AB-123' }))).toMatchObject({ kind: 'gs1', item: null, gtin: '09501101530003', expires_on: '2014-07-04', lot_code: 'AB-123' });
    expect(ok(await api.post('/api/v1/scan/resolve', { code: 'NOTHING-HERE' }))).toMatchObject({ kind: 'unknown', item: null });
  });

  it('receives by scanning, case by case, and refuses an unknown scan', async () => {
    const po = await newOrder([{ item_id: item.id, qty: 2, unit: 'case', unit_price: '12.00' }]);
    ok(await api.post(`/api/v1/purchase-orders/${po.id}/send`));
    const draft = ok(await api.post('/api/v1/receipts', { purchase_order_id: po.id }), 201);
    const beep = ok(await api.post(`/api/v1/receipts/${draft.id}/scans`, { code: '4006381333931' }));
    expect(beep.receipt.purchase_order_lines).toEqual([expect.objectContaining({ ordered: 12, good_on_this_receipt: 6, outstanding_after: 6 })]);
    expect(beep.receipt.discrepancies.map((d: any) => d.kind)).toEqual(['short']);
    const second = ok(await api.post(`/api/v1/receipts/${draft.id}/scans`, { code: '4006381333931' }));
    expect(second.receipt.discrepancies).toEqual([]);
    expectProblem(await api.post(`/api/v1/receipts/${draft.id}/scans`, { code: 'UNKNOWN-CODE' }), 422, 'scan_not_recognized');
    const posted = ok(await api.post(`/api/v1/receipts/${draft.id}/post`));
    expect(posted.purchase_order_lines).toEqual([expect.objectContaining({ ordered: 12, good_on_this_receipt: 12, outstanding_after: 0 })]);
    expect(ok(await api.get(`/api/v1/purchase-orders/${po.id}`)).status).toBe('received');
  });

  it('converts a foreign-currency receipt at the owner’s rate and lists the rates', async () => {
    const euro = ok(await api.post('/api/v1/vendors', { name: unique('Euro Leaf '), currency: 'EUR' }), 201);
    ok(await api.post('/api/v1/exchange-rates', { currency: 'EUR', rate: '1.10', effective_on: '2020-01-01' }), 201);
    expect(ok(await api.get('/api/v1/exchange-rates?currency=EUR')).data).toEqual([{ currency: 'EUR', rate: '1.1', effective_on: '2020-01-01' }]);
    const receipt = ok(await api.post('/api/v1/receipts', { site_id: site.id, vendor_id: euro.id, lines: [{ item_id: item.id, qty: 1, unit: 'case', unit_cost: '6.00' }], post: true }), 201);
    // EUR 6.00 a case of 6 at 1.10: 1.10 a tin in USD.
    expect(receipt).toMatchObject({ currency: 'EUR', exchange_rate: '1.1', rate_source: 'table', lines: [{ base_unit_cost: '1.10' }] });
    const freight = await api.post('/api/v1/landed-costs', { receipt_ids: [receipt.id], reference: 'INV-1', charges: [{ kind: 'freight', amount: '10.00', currency: 'EUR', exchange_rate: '1.2', method: 'quantity' }] });
    expect(ok(freight, 201).data[0]).toMatchObject({ currency: 'EUR', amount: '10.00', exchange_rate: '1.2', amount_base: '12.00', reference: 'INV-1' });
  });
});
