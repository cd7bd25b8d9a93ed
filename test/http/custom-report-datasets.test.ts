import { beforeAll, expect, it } from 'vitest';
import { localDate } from '../../src/platform/clock.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { makeToken } from '../support/access.ts';

const DAY = 86_400_000;

/**
 * The report builder's purchase-lines and counts datasets, worked by hand. In a new site:
 *   day 0: PO to a new vendor, expected on day 2: MUG 10 at 4.00 (40.00), JAR 5 at 2.00 (10.00); sent.
 *   day 1: receipt of JAR 2 (early) → JAR received 2, value 4.00.
 *   day 4: receipt of MUG 10 → arrived 2 days after its expected day (day 2).
 *   day 4: spot count of MUG at the site: 10 expected, 8 counted → variance −2, −8.00 at 4.00.
 *   day 5: the report. JAR is still 3 short and open: 3 days late so far; average (2 + 3) / 2 = 2.50.
 */
describeEachDatabase('report builder: purchase lines and counts, worked by hand', (get) => {
  let api: TestApi;
  let site: any;
  let vendor: any;
  let items: Record<string, any>;
  let day0: string;
  let day5: string;
  let staff: { secret: string };
  const tag = `PL${Date.now().toString(36)}`;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const tz = (await api.get('/api/v1/settings')).body.time_zone ?? 'UTC';
    const start = api.clock.now();
    day0 = localDate(start, tz);
    site = (await api.post('/api/v1/locations', { kind: 'site', code: tag, name: 'Purchases shop', site_type: 'store' })).body;
    vendor = (await api.post('/api/v1/vendors', { name: `Vendor ${tag}` })).body;
    const item = async (sku: string) => (await api.post('/api/v1/items', { sku: `${tag}-${sku}`, name: sku, category: tag })).body;
    items = { MUG: await item('MUG'), JAR: await item('JAR') };
    const po = await api.post('/api/v1/purchase-orders', {
      vendor_id: vendor.id,
      delivery_site_id: site.id,
      expected_on: localDate(start + 2 * DAY, tz),
      lines: [
        { item_id: items.MUG.id, qty: 10, unit_price: '4.00' },
        { item_id: items.JAR.id, qty: 5, unit_price: '2.00' },
      ],
    });
    expect(po.status, JSON.stringify(po.body)).toBe(201);
    expect((await api.post(`/api/v1/purchase-orders/${po.body.id}/send`)).status).toBe(200);
    const [mugLine, jarLine] = po.body.lines;
    const receive = async (line: any, qty: number) => {
      const receipt = await api.post('/api/v1/receipts', { purchase_order_id: po.body.id, lines: [{ purchase_order_line_id: line.id, qty }] });
      expect(receipt.status, JSON.stringify(receipt.body)).toBe(201);
      const posted = await api.post(`/api/v1/receipts/${receipt.body.id}/post`);
      expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    };
    api.clock.advance(DAY);
    await receive(jarLine, 2);
    api.clock.advance(3 * DAY);
    await receive(mugLine, 10);
    const count = await api.post('/api/v1/counts', { site_id: site.id, kind: 'spot', mode: 'guided', scope: { item_ids: [items.MUG.id] } });
    expect(count.status, JSON.stringify(count.body)).toBe(201);
    const entered = await api.post(`/api/v1/counts/${count.body.id}/lines`, { lines: [{ location_id: site.default_bin_id, item_id: items.MUG.id, qty: 8 }] });
    expect(entered.status, JSON.stringify(entered.body)).toBe(200);
    const submitted = (await api.post(`/api/v1/counts/${count.body.id}/submit`, {})).body;
    const posted = submitted.status === 'posted' ? submitted : (await api.post(`/api/v1/counts/${count.body.id}/approve`, {})).body;
    expect(posted.status, JSON.stringify(posted)).toBe('posted');
    api.clock.advance(DAY);
    day5 = localDate(api.clock.now(), tz);
    staff = await makeToken(api, 'staff');
  });

  const rowsOf = (body: any) => body.data.map(({ drill, ...cells }: any) => cells);
  const run = (body: object, token?: string) => (token ? api.as({ bearer: token }) : api).post('/api/v1/reports/custom/run', body);

  it('purchase lines by item: ordered and received quantity and value, unit cost, days late', async () => {
    const r = await run({
      dataset: 'purchase_lines',
      dimensions: ['item'],
      measures: ['quantity', 'value', 'received_quantity', 'received_value', 'unit_cost', 'days_late'],
      from: day0,
      to: day5,
      filters: { vendor_id: vendor.id },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const byItem = Object.fromEntries(rowsOf(r.body).map((row: any) => [row.item, row]));
    expect(byItem[items.MUG.id]).toEqual({ item: items.MUG.id, quantity: 10, value: '40.00', received_quantity: 10, received_value: '40.00', unit_cost: '4.00', days_late: '2.00' });
    expect(byItem[items.JAR.id]).toEqual({ item: items.JAR.id, quantity: 5, value: '10.00', received_quantity: 2, received_value: '4.00', unit_cost: '2.00', days_late: '3.00' });
    // Totals are made from the sums: 50.00 over 15 is 3.333333 a unit; (2 + 3) / 2 days late.
    expect(r.body.totals).toMatchObject({ quantity: 15, value: '50.00', received_quantity: 12, received_value: '44.00', days_late: '2.50' });
    expect(r.body.totals.unit_cost).toMatch(/^3\.33/);
  });

  it('purchase lines by vendor and site, and by order status', async () => {
    const r = await run({ dataset: 'purchase_lines', dimensions: ['vendor', 'site'], measures: ['count', 'value'], from: day0, to: day5, filters: { site_id: site.id } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(rowsOf(r.body)).toEqual([{ vendor: vendor.id, site: site.id, count: 2, value: '50.00' }]);
    const byStatus = await run({ dataset: 'purchase_lines', dimensions: ['kind'], measures: ['count'], from: day0, to: day5, filters: { vendor_id: vendor.id } });
    expect(rowsOf(byStatus.body)).toEqual([{ kind: 'partially_received', count: 2 }]);
  });

  it('counts by item and reason: expected, counted, variance and its value', async () => {
    const r = await run({ dataset: 'counts', dimensions: ['item', 'reason'], measures: ['expected_quantity', 'counted_quantity', 'variance_quantity', 'variance_value', 'count'], from: day0, to: day5, filters: { site_id: site.id } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(rowsOf(r.body)).toEqual([{ item: items.MUG.id, reason: 'count_variance', expected_quantity: 10, counted_quantity: 8, variance_quantity: -2, variance_value: '-8.00', count: 1 }]);
  });

  it('compares with the previous period of the same length', async () => {
    const r = await run({ dataset: 'counts', dimensions: [], measures: ['variance_quantity'], from: day0, to: day5, filters: { site_id: site.id }, compare: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(rowsOf(r.body)).toEqual([{ variance_quantity: -2, variance_quantity_previous: 0, variance_quantity_change: -2 }]);
  });

  it('staff get quantities and days late, never values or unit costs', async () => {
    const r = await run({ dataset: 'purchase_lines', dimensions: ['item'], measures: ['quantity', 'value', 'unit_cost', 'days_late'], from: day0, to: day5, filters: { vendor_id: vendor.id } }, staff.secret);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.columns.map((c: any) => c.key)).toEqual(['item', 'quantity', 'days_late']);
    const counts = await run({ dataset: 'counts', dimensions: ['item'], measures: ['variance_quantity', 'variance_value'], from: day0, to: day5, filters: { site_id: site.id } }, staff.secret);
    expect(counts.body.columns.map((c: any) => c.key)).toEqual(['item', 'variance_quantity']);
  });

  it('refuses what the datasets do not have', async () => {
    for (const body of [
      { dataset: 'purchase_lines', dimensions: ['channel'], measures: ['count'], from: day0, to: day5 },
      { dataset: 'purchase_lines', dimensions: [], measures: ['revenue'], from: day0, to: day5 },
      { dataset: 'counts', dimensions: [], measures: ['received_quantity'], from: day0, to: day5 },
      { dataset: 'sales_lines', dimensions: [], measures: ['variance_value'], from: day0, to: day5 },
    ]) {
      const r = await run(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('validation_failed');
    }
  });
});
