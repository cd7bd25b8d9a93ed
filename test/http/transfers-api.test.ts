import { beforeAll, expect, it } from 'vitest';
import { checkLedger } from '../../src/modules/ledger/index.ts';
import { checkTransit } from '../../src/modules/transfers/index.ts';
import { makeToken } from '../support/access.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type ApiResponse, type TestApi } from '../support/http.ts';
import { pdfText } from '../support/pdf.ts';

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-5)}${(counter += 1)}`.toUpperCase();

function expectProblem(response: ApiResponse, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, code });
}

describeEachDatabase('transfers over HTTP', (get) => {
  let api: TestApi;
  let store: any;
  let warehouse: any;
  let bin: any;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    store = (await api.post('/api/v1/locations', { kind: 'site', code: unique('ST'), name: 'Store', site_type: 'store' })).body;
    warehouse = (await api.post('/api/v1/locations', { kind: 'site', code: unique('WH'), name: 'Warehouse', site_type: 'warehouse' })).body;
    bin = (await api.post('/api/v1/locations', { kind: 'bin', parent_id: warehouse.id, code: 'A01', name: 'A-01' })).body;
  });

  const stockedItem = async (units: number, unitCost: string) => {
    const item = (await api.post('/api/v1/items', { sku: unique('SKU'), name: 'Tea tin', price: '9.00', barcodes: [] })).body;
    expect((await api.post('/api/v1/adjustments', { location_id: bin.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: units, unit_cost: unitCost }] })).status).toBe(201);
    return item;
  };

  it('creates, picks by scan, ships, receives with discrepancies and closes, with in-transit value in the valuation', async () => {
    const item = await stockedItem(20, '2.50');
    const created = await api.post('/api/v1/transfers', { source_site_id: warehouse.id, destination_site_id: store.id, lines: [{ item_id: item.id, qty: 10 }] });
    expect(created.status).toBe(201);
    const t = created.body;
    expect(t).toMatchObject({ status: 'draft', source_site: { id: warehouse.id }, destination_site: { id: store.id }, over_tolerance: '5' });
    expect(t.lines[0]).toMatchObject({ qty_requested: 10, qty_allocated: 10, value_shipped: '0.00' });

    for (let i = 0; i < 10; i += 1) expect((await api.post(`/api/v1/transfers/${t.id}/picks`, { code: item.sku })).status).toBe(200);
    expect((await api.get(`/api/v1/transfers/${t.id}`)).body.status).toBe('picked');
    expectProblem(await api.post(`/api/v1/transfers/${t.id}/picks`, { code: item.sku }), 422, 'transfer_pick_invalid');

    const shipped = await api.post(`/api/v1/transfers/${t.id}/ship`, {});
    expect(shipped.status).toBe(200);
    expect(shipped.body.lines[0]).toMatchObject({ qty_shipped: 10, qty_in_transit: 10, value_shipped: '25.00', value_in_transit: '25.00' });
    const transitValue = await api.get('/api/v1/reports/valuation?location_id=loc_transit');
    expect(transitValue.body.total_value).toBe('25.00');

    const slip = await api.app.inject({ method: 'GET', url: `/api/v1/transfers/${t.id}/packing-slip`, headers: { authorization: `Bearer ${api.ownerToken}` } });
    expect(slip.statusCode).toBe(200);
    expect(slip.headers['content-type']).toBe('application/pdf');
    const text = pdfText(slip.rawPayload);
    expect(text).toContain(t.number);
    expect(text).toContain(item.sku);
    expect(text).toContain('25.00');

    // More than in transit beyond the 5% tolerance: refused, nothing written.
    expectProblem(await api.post(`/api/v1/transfers/${t.id}/receive`, { lines: [{ item_id: item.id, qty: 11 }] }), 422, 'transfer_over_receipt');
    expect((await api.get(`/api/v1/transfers/${t.id}`)).body.lines[0].qty_in_transit).toBe(10);

    const received = await api.post(`/api/v1/transfers/${t.id}/receive`, { lines: [{ item_id: item.id, qty: 8, damaged_qty: 1 }] });
    expect(received.status).toBe(200);
    expect(received.body.discrepancies.map((d: any) => [d.kind, d.qty])).toEqual([
      ['damaged', 1],
      ['short', 1],
    ]);
    const closed = await api.post(`/api/v1/transfers/${t.id}/close`, { note: 'Last tin never came' });
    expect(closed.body).toMatchObject({ status: 'closed' });
    expect(closed.body.lines[0]).toMatchObject({ qty_received: 8, qty_damaged: 1, qty_lost: 1, value_received: '20.00', value_damaged: '2.50', value_lost: '2.50', value_in_transit: '0.00' });
    const balances = await api.get(`/api/v1/balances?item_id=${item.id}&location_id=${store.id}`);
    expect(balances.body.data.map((b: any) => b.on_hand)).toEqual([8]);
    expect((await api.get('/api/v1/reports/valuation?location_id=loc_transit')).body.total_value).toBe('0.00');
    expect([...(await checkLedger(get().db)).invariants, ...(await checkTransit(get().db))].filter((i) => !i.ok)).toEqual([]);
  });

  it('answers problem+json for bad input and writes nothing', async () => {
    const item = await stockedItem(3, '1.00');
    const emptySite = (await api.post('/api/v1/locations', { kind: 'site', code: unique('EW'), name: 'Empty warehouse', site_type: 'warehouse' })).body;
    expectProblem(await api.post('/api/v1/transfers', { source_site_id: emptySite.id, destination_site_id: store.id, lines: [{ item_id: item.id, qty: 1 }] }), 409, 'insufficient_stock');
    expectProblem(await api.post('/api/v1/transfers', { source_site_id: warehouse.id, destination_site_id: warehouse.id, lines: [{ item_id: item.id, qty: 1 }] }), 422, 'transfer_sites_invalid');
    expectProblem(await api.post('/api/v1/transfers', { source_site_id: warehouse.id, destination_site_id: store.id, lines: [{ item_id: 'itm_NOPE', qty: 1 }] }), 422, 'transfer_line_invalid');
    expectProblem(await api.post('/api/v1/transfers', { source_site_id: warehouse.id, destination_site_id: store.id, lines: [{ item_id: item.id, qty: -1 }] }), 400, 'validation_failed');
    expect((await api.get(`/api/v1/transfers?site_id=${emptySite.id}`)).body.data).toEqual([]);

    const t = (await api.post('/api/v1/transfers', { source_site_id: warehouse.id, destination_site_id: store.id, lines: [{ item_id: item.id, qty: 3 }] })).body;
    expectProblem(await api.post(`/api/v1/transfers/${t.id}/receive`, {}), 409, 'transfer_state');
    expectProblem(await api.post(`/api/v1/transfers/${t.id}/ship`, { lines: [{ item_id: item.id, qty: 4 }] }), 422, 'transfer_line_invalid');
    expect((await api.post(`/api/v1/transfers/${t.id}/ship`, {})).status).toBe(200);
    expectProblem(await api.post(`/api/v1/transfers/${t.id}/ship`, {}), 409, 'transfer_nothing_to_ship');
    expectProblem(await api.post(`/api/v1/transfers/${t.id}/cancel`, {}), 409, 'transfer_state');
    expectProblem(await api.post(`/api/v1/transfers/${t.id}/receive`, { lines: [{ item_id: item.id, qty: 0, damaged_qty: 4 }] }), 422, 'transfer_receive_invalid');
    expect((await api.get(`/api/v1/transfers/${t.id}`)).body.lines[0].qty_in_transit).toBe(3);
  });

  it('shows staff no carried values, on the transfer or the packing slip, and lets each side act only on its own', async () => {
    const item = await stockedItem(5, '7.25');
    const storeStaff = { bearer: (await makeToken(api, 'staff', [store.id])).secret };
    const warehouseStaff = { bearer: (await makeToken(api, 'staff', [warehouse.id])).secret };
    const asked = await api.as(storeStaff).post('/api/v1/transfers', { source_site_id: warehouse.id, destination_site_id: store.id, lines: [{ item_id: item.id, qty: 2 }] });
    expect(asked.status).toBe(201);
    expect(asked.body.status).toBe('requested');
    expectProblem(await api.as(storeStaff).post(`/api/v1/transfers/${asked.body.id}/accept`, {}), 403, 'transfer_side_forbidden');
    expect((await api.as(warehouseStaff).post(`/api/v1/transfers/${asked.body.id}/accept`, {})).status).toBe(200);
    const shipped = await api.as(warehouseStaff).post(`/api/v1/transfers/${asked.body.id}/ship`, {});
    expect(shipped.status).toBe(200);
    expect(shipped.body.lines[0].value_shipped).toBeUndefined();
    const slip = await api.app.inject({ method: 'GET', url: `/api/v1/transfers/${asked.body.id}/packing-slip`, headers: { authorization: `Bearer ${warehouseStaff.bearer}` } });
    expect(slip.statusCode).toBe(200);
    expect(pdfText(slip.rawPayload)).not.toContain('14.5');
    expect(pdfText(slip.rawPayload)).not.toContain('Value');
    const received = await api.as(storeStaff).post(`/api/v1/transfers/${asked.body.id}/receive`, { close: true });
    expect(received.body).toMatchObject({ status: 'closed' });
    expect(received.body.lines[0].value_received).toBeUndefined();
  });

  it('moves stock between two bins of a site in one step', async () => {
    const item = await stockedItem(6, '1.00');
    const face = (await api.post('/api/v1/locations', { kind: 'bin', parent_id: warehouse.id, code: unique('F'), name: 'Pick face', pick_order: 0 })).body;
    const moved = await api.post('/api/v1/bin-moves', { from_location_id: bin.id, to_location_id: face.id, reason: 'replenish', lines: [{ item_id: item.id, qty: 4 }] });
    expect(moved.status).toBe(201);
    expect(moved.body).toMatchObject({ reason: 'replenish', lines: [{ item_id: item.id, qty: 4 }] });
    expectProblem(await api.post('/api/v1/bin-moves', { from_location_id: bin.id, to_location_id: face.id, lines: [{ item_id: item.id, qty: 3 }] }), 409, 'insufficient_stock');
    const balances = await api.get(`/api/v1/balances?item_id=${item.id}&location_id=${warehouse.id}`);
    expect(balances.body.data.map((b: any) => [b.location_id, b.on_hand]).sort()).toEqual([[bin.id, 2], [face.id, 4]].sort());
  });
});
