import { createServer, type AddressInfo } from 'node:net';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { makeToken } from '../support/access.ts';
import { decodePdfBarcodes, pdfPages } from '../support/barcode-decode.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { pdfText } from '../support/pdf.ts';
import { ok, unique } from '../support/site-documents.ts';

const pt = (mm: number) => (mm * 72) / 25.4;

describeEachDatabase('labels and price tags HTTP API', (get) => {
  let api: TestApi;
  let site: any;
  let other: any;
  let bin: any;
  let otherBin: any;
  let jam: any;
  let coffee: any;
  let receipt: any;

  /** The file answer as bytes: injected directly, since the test client reads bodies as text. */
  const file = async (body: unknown, token = api.ownerToken) => {
    const response = await api.app.inject({ method: 'POST', url: '/api/v1/labels', payload: body as object, headers: { authorization: `Bearer ${token}` } });
    const isJson = /json/.test(String(response.headers['content-type']));
    return { status: response.statusCode, headers: response.headers, bytes: response.rawPayload, body: isJson ? response.json() : response.body };
  };

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    site = ok(await api.post('/api/v1/locations', { kind: 'site', code: unique('LB'), name: 'Label store', site_type: 'store' }), 201);
    other = ok(await api.post('/api/v1/locations', { kind: 'site', code: unique('LO'), name: 'Other store', site_type: 'store' }), 201);
    bin = ok(await api.post('/api/v1/locations', { kind: 'bin', parent_id: site.id, code: 'A01', name: 'Aisle 1' }), 201);
    otherBin = ok(await api.post('/api/v1/locations', { kind: 'bin', parent_id: other.id, code: 'B02', name: 'Back 2' }), 201);
    jam = ok(await api.post('/api/v1/items', { sku: unique('JAM'), name: 'Plum jam', price: '3.00', unit_weight_g: 250, barcodes: ['4006381333931'] }), 201);
    coffee = ok(
      await api.post('/api/v1/items', { sku: unique('COF'), name: 'Coffee beans', price: '9.00', tracking: 'lot', tracks_expiry: true, units: [{ name: 'case', factor: 6 }], barcodes: ['4006381333931'.replace('4006381333931', '5012345678900')] }),
      201,
    );
    const vendor = ok(await api.post('/api/v1/vendors', { name: unique('Bean Co ') }), 201);
    const po = ok(await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.id, lines: [{ item_id: coffee.id, qty: 2, unit: 'case', unit_price: '30.00' }] }), 201);
    ok(await api.post(`/api/v1/purchase-orders/${po.id}/send`));
    receipt = ok(
      await api.post('/api/v1/receipts', { purchase_order_id: po.id, lines: [{ purchase_order_line_id: po.lines[0].id, qty: 2, unit: 'case', lot_code: 'LOT42', expires_on: '2027-12-31' }], post: true }),
      201,
    );
  });

  afterEach(() => {
    delete process.env.STOCKROOM_ZPL_PRINTER;
  });

  it('prints a product label as a one-page PDF at the template size whose EAN-13 scans back', async () => {
    const response = await file({ source: { kind: 'items', items: [{ item_id: jam.id }] }, template: 'product', layout: 'single', format: 'pdf' });
    expect(response.status).toBe(200);
    expect(String(response.headers['content-type'])).toMatch(/^application\/pdf/);
    const pdf = response.bytes;
    const pages = pdfPages(pdf);
    expect(pages.count).toBe(1);
    // The product template is 50 × 30 mm.
    expect(pages.mediaBox[2]).toBeCloseTo(pt(50), 3);
    expect(pages.mediaBox[3]).toBeCloseTo(pt(30), 3);
    expect(decodePdfBarcodes(pdf)).toEqual([{ format: 'EAN_13', text: '4006381333931' }]);
    expect(pdfText(pdf)).toContain('Plum jam');
  });

  it('lays 25 shelf tags out on L7160 sheets (21 a page) with the price and the price per kg', async () => {
    const response = await file({ source: { kind: 'items', items: [{ item_id: jam.id, copies: 25 }] }, template: 'shelf_tag', layout: 'avery_l7160' });
    const pdf = response.bytes;
    const pages = pdfPages(pdf);
    expect(pages.count).toBe(2);
    expect(pages.mediaBox[2]).toBeCloseTo(pt(210), 3);
    const text = pdfText(pdf);
    expect(text).toContain('3.00 USD');
    // 3.00 for 250 g is 12.00 a kilogram.
    expect(text).toContain('12.00 USD / kg');
    expect(text).not.toMatch(/cost/i);
  });

  it('fills Avery 5160 letter sheets 30 to a page', async () => {
    const pdf = (await file({ source: { kind: 'items', items: [{ item_id: jam.id, copies: 31 }] }, template: 'product', layout: 'avery_5160' })).bytes;
    expect(pdfPages(pdf)).toEqual({ count: 2, mediaBox: [0, 0, 612, 792] });
  });

  it('labels what a receipt brought in with GS1-128 carrying GTIN, expiry and lot, per unit or per case', async () => {
    const perCase = (await file({ source: { kind: 'receipt', receipt_id: receipt.id, per: 'case' }, template: 'product', layout: 'single' })).bytes;
    expect(pdfPages(perCase).count).toBe(2);
    // (01) the GTIN-14, (17) 31 Dec 2027 as YYMMDD, (10) the lot; zxing drops the FNC1 separators.
    const gs1 = { format: 'CODE_128', text: '01' + '05012345678900' + '17' + '271231' + '10' + 'LOT42' };
    expect(decodePdfBarcodes(perCase)).toEqual([gs1, gs1]);
    const perUnit = (await file({ source: { kind: 'receipt', receipt_id: receipt.id, per: 'unit' }, template: 'product', layout: 'single' })).bytes;
    expect(pdfPages(perUnit).count).toBe(12);
    const zpl = await file({ source: { kind: 'receipt', receipt_id: receipt.id, per: 'case' }, template: 'product', format: 'zpl' });
    expect(zpl.body).toContain('^BCN,');
    expect(zpl.body).toContain(',D^FD(01)05012345678900(17)271231(10)LOT42^FS');
  });

  it('answers ZPL with ^BE for an EAN-13 and ^BC for a bin code, one ^XA…^XZ per label', async () => {
    const items = await file({ source: { kind: 'items', items: [{ item_id: jam.id, copies: 2 }] }, template: 'shelf_tag', format: 'zpl' });
    expect(String(items.headers['content-type'])).toMatch(/^application\/vnd\.zebra\.zpl/);
    const text = String(items.body);
    expect(text.match(/\^XA/g)).toHaveLength(2);
    expect(text.match(/\^XZ/g)).toHaveLength(2);
    // The printer adds the check digit to the twelve it is given.
    expect(text).toContain('^BEN,');
    expect(text).toContain('^FD400638133393^FS');
    expect(text).toContain('12.00 USD / kg');
    const bins = String((await file({ source: { kind: 'bins', bin_ids: [bin.id] }, template: 'bin', format: 'zpl' })).body);
    expect(bins).toContain(`^BCN,`);
    expect(bins).toContain(`^FD${bin.full_code}^FS`);
  });

  it('prints bin labels with a QR code that scans back to the bin code', async () => {
    const pdf = (await file({ source: { kind: 'bins', bin_ids: [bin.id] }, template: 'bin', barcode: 'qrcode' })).bytes;
    expect(decodePdfBarcodes(pdf)).toEqual([{ format: 'QR_CODE', text: bin.full_code }]);
  });

  it('lets staff print price tags, and hides receipts and bins of sites they are not granted', async () => {
    const staff = (await makeToken(api, 'staff', [other.id])).secret;
    const tags = await file({ source: { kind: 'items', items: [{ item_id: jam.id }] }, template: 'shelf_tag' }, staff);
    expect(tags.status).toBe(200);
    const fromReceipt = await file({ source: { kind: 'receipt', receipt_id: receipt.id }, template: 'product' }, staff);
    expect(fromReceipt.status).toBe(404);
    expect(fromReceipt.body.code).toBe('receipt_not_found');
    const fromBin = await file({ source: { kind: 'bins', bin_ids: [bin.id] }, template: 'bin' }, staff);
    expect(fromBin.status).toBe(404);
    expect(fromBin.body.code).toBe('location_not_found');
    expect((await file({ source: { kind: 'bins', bin_ids: [otherBin.id] }, template: 'bin' }, staff)).status).toBe(200);
  });

  it('sends ZPL to the configured printer port, and refuses when none is configured', async () => {
    const refused = await api.post('/api/v1/labels/print', { source: { kind: 'bins', bin_ids: [bin.id] }, template: 'bin' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('label_printer_not_configured');
    const received: Buffer[] = [];
    const server = createServer((socket) => socket.on('data', (chunk) => received.push(chunk)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const closed = new Promise<void>((resolve) => server.on('connection', (socket) => socket.on('close', () => resolve())));
    try {
      process.env.STOCKROOM_ZPL_PRINTER = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const sent = ok(await api.post('/api/v1/labels/print', { source: { kind: 'bins', bin_ids: [bin.id] }, template: 'bin' }));
      expect(sent.labels).toBe(1);
      await closed;
      const zpl = Buffer.concat(received).toString('utf8');
      expect(zpl.startsWith('^XA')).toBe(true);
      expect(zpl).toContain(`^FD${bin.full_code}^FS`);
      expect(Buffer.byteLength(zpl)).toBe(sent.bytes);
    } finally {
      server.close();
    }
  });
});
