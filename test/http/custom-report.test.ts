import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { localDate } from '../../src/platform/clock.ts';
import { customReportLimits } from '../../src/modules/reports/custom-report.service.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { makeToken } from '../support/access.ts';

/**
 * The report builder, worked by hand. In a new store, in a category of its own:
 *   day 1: MUG +10 at 4.00, PLATE +6 at 2.00 (opening balances)
 *          sale 1: 3 MUG at 10.00 less 3.00, 2 PLATE at 5.00 → revenue 27.00 + 10.00,
 *          cost 3 × 4.00 + 2 × 2.00 = 16.00
 *   day 2: sale 2: 1 MUG at 10.00 → revenue 10.00, cost 4.00
 * On the shelf now: MUG 10 − 3 − 1 = 6, PLATE 6 − 2 = 4.
 */
describeEachDatabase('report builder, worked by hand', (get) => {
  let api: TestApi;
  let site: any;
  let items: Record<string, any>;
  let day1: string;
  let day2: string;
  let staff: { secret: string };
  let sale1Body: any;
  const tag = `CR${Date.now().toString(36)}`;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const tz = (await api.get('/api/v1/settings')).body.time_zone ?? 'UTC';
    day1 = localDate(api.clock.now(), tz);
    site = (await api.post('/api/v1/locations', { kind: 'site', code: tag, name: 'Builder shop', site_type: 'store' })).body;
    const item = async (sku: string) => (await api.post('/api/v1/items', { sku: `${tag}-${sku}`, name: sku, category: tag })).body;
    items = { MUG: await item('MUG'), PLATE: await item('PLATE') };
    const opening = await api.post('/api/v1/adjustments', {
      location_id: site.id,
      reason: 'opening_balance',
      lines: [
        { item_id: items.MUG.id, qty: 10, unit_cost: '4.00' },
        { item_id: items.PLATE.id, qty: 6, unit_cost: '2.00' },
      ],
    });
    expect(opening.status, JSON.stringify(opening.body)).toBe(201);
    const sale1 = await api.post(
      '/api/v1/sales',
      {
        location_id: site.id,
        register: 'R1',
        lines: [
          { item_id: items.MUG.id, qty: 3, unit_price: '10.00', discount: { amount: '3.00', reason: 'chipped', employee: 'Ann' } },
          { item_id: items.PLATE.id, qty: 2, unit_price: '5.00' },
        ],
        payments: [{ tender: 'card', amount: '37.00' }],
      },
      { 'idempotency-key': `${tag}-s1` },
    );
    expect(sale1.status, JSON.stringify(sale1.body)).toBe(201);
    sale1Body = sale1.body;
    api.clock.advance(86_400_000);
    day2 = localDate(api.clock.now(), tz);
    const sale2 = await api.post('/api/v1/sales', { location_id: site.id, register: 'R1', lines: [{ item_id: items.MUG.id, qty: 1, unit_price: '10.00' }], payments: [{ tender: 'cash', amount: '10.00' }] }, { 'idempotency-key': `${tag}-s2` });
    expect(sale2.status, JSON.stringify(sale2.body)).toBe(201);
    staff = await makeToken(api, 'staff');
  });

  const saved = { ...customReportLimits };
  afterEach(() => Object.assign(customReportLimits, saved));

  const rowsOf = (body: any) => body.data.map(({ drill, ...cells }: any) => cells);
  const run = (body: object, token?: string) => (token ? api.as({ bearer: token }) : api).post('/api/v1/reports/custom/run', body);

  it('sales lines by item over two days: quantity, revenue, cost, margin, count', async () => {
    const r = await run({ dataset: 'sales_lines', dimensions: ['item'], measures: ['quantity', 'revenue', 'cost', 'margin', 'count'], from: day1, to: day2, filters: { site_id: site.id, category: tag } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const expected = [
      // MUG: 3 + 1; 27.00 + 10.00; 4 × 4.00; 37.00 − 16.00; two lines
      { item: items.MUG.id, quantity: 4, revenue: '37.00', cost: '16.00', margin: '21.00', count: 2 },
      // PLATE: 2 at 5.00; 2 × 2.00
      { item: items.PLATE.id, quantity: 2, revenue: '10.00', cost: '4.00', margin: '6.00', count: 1 },
    ].sort((a, b) => (a.item < b.item ? -1 : 1));
    expect(rowsOf(r.body)).toEqual(expected);
    expect(r.body.totals).toMatchObject({ quantity: 6, revenue: '47.00', cost: '20.00', margin: '27.00', count: 3 });
  });

  it('sales lines by day, and compared with the previous period', async () => {
    const byDay = await run({ dataset: 'sales_lines', dimensions: ['day'], measures: ['revenue'], from: day1, to: day2, filters: { site_id: site.id } });
    expect(byDay.status, JSON.stringify(byDay.body)).toBe(200);
    expect(rowsOf(byDay.body)).toEqual([
      { day: day1, revenue: '37.00' },
      { day: day2, revenue: '10.00' },
    ]);
    const compared = await run({ dataset: 'sales_lines', dimensions: ['item'], measures: ['quantity', 'revenue'], from: day2, to: day2, filters: { site_id: site.id }, compare: true });
    expect(compared.status, JSON.stringify(compared.body)).toBe(200);
    expect(compared.body.meta).toMatchObject({ previous_from: day1, previous_to: day1 });
    const byItem = Object.fromEntries(rowsOf(compared.body).map((row: any) => [row.item, row]));
    // MUG: 1 today against 3 the day before; 10.00 against 27.00
    expect(byItem[items.MUG.id]).toEqual({ item: items.MUG.id, quantity: 1, quantity_previous: 3, quantity_change: -2, revenue: '10.00', revenue_previous: '27.00', revenue_change: '-17.00' });
    // PLATE: none today, 2 for 10.00 the day before
    expect(byItem[items.PLATE.id]).toEqual({ item: items.PLATE.id, quantity: 0, quantity_previous: 2, quantity_change: -2, revenue: '0.00', revenue_previous: '10.00', revenue_change: '-10.00' });
    expect(compared.body.totals).toMatchObject({ revenue: '10.00', revenue_previous: '37.00', revenue_change: '-27.00' });
  });

  it('movements by kind, and balances by item', async () => {
    const r = await run({ dataset: 'movements', dimensions: ['kind'], measures: ['quantity', 'value', 'count'], from: day1, to: day2, filters: { site_id: site.id, category: tag } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const byKind = Object.fromEntries(rowsOf(r.body).map((row: any) => [row.kind, row]));
    // In: 10 × 4.00 + 6 × 2.00 = 52.00 over two lines. Out: 3 + 2 + 1 = 6, at 12.00 + 4.00 + 4.00 = 20.00.
    expect(byKind.adjustment).toMatchObject({ quantity: 16, value: '52.00', count: 2 });
    expect(byKind.sale).toMatchObject({ quantity: 6, value: '20.00', count: 3 });
    const balances = await run({ dataset: 'balances', dimensions: ['item'], measures: ['quantity'], filters: { site_id: site.id, category: tag } });
    expect(balances.status, JSON.stringify(balances.body)).toBe(200);
    const onHand = Object.fromEntries(rowsOf(balances.body).map((row: any) => [row.item, row.quantity]));
    expect(onHand).toEqual({ [items.MUG.id]: 6, [items.PLATE.id]: 4 });
  });

  it('staff get the takings without cost measures', async () => {
    const r = await run({ dataset: 'sales_lines', dimensions: ['item'], measures: ['revenue', 'cost', 'margin'], from: day1, to: day2, filters: { site_id: site.id } }, staff.secret);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.columns.map((c: any) => c.key)).toEqual(['item', 'revenue']);
    expect(JSON.stringify(r.body)).not.toMatch(/"cost"|"margin"/);
    expect(r.body.totals).toEqual({ item: null, revenue: '47.00' });
  });

  it('keeps to the caller’s sites: another site answers 404, and no filter covers only the granted sites', async () => {
    const other = (await api.post('/api/v1/locations', { kind: 'site', code: `${tag}B`, name: 'Other shop', site_type: 'store' })).body;
    const elsewhere = await makeToken(api, 'manager', [other.id]);
    const asked = await run({ dataset: 'sales_lines', dimensions: [], measures: ['count'], from: day1, to: day2, filters: { site_id: site.id } }, elsewhere.secret);
    expect(asked.status).toBe(404);
    expect(asked.body.code).toBe('location_not_found');
    const mine = await run({ dataset: 'sales_lines', dimensions: [], measures: ['count'], from: day1, to: day2 }, elsewhere.secret);
    expect(mine.status).toBe(200);
    expect(mine.body.data).toEqual([{ count: 0, drill: null }]);
  });

  it('refuses a field outside the dataset’s whitelist, and changes nothing', async () => {
    const before = await run({ dataset: 'balances', dimensions: ['item'], measures: ['quantity'], filters: { site_id: site.id } });
    const attempts = [
      { dataset: 'sales_lines', dimensions: ['item; drop table items'], measures: ['revenue'], from: day1, to: day2 },
      { dataset: 'sales_lines', dimensions: ['item'], measures: ['sum(unit_cost_micros)'], from: day1, to: day2 },
      { dataset: 'balances', dimensions: ['item'], measures: ['revenue'] }, // balances have no revenue
      { dataset: 'movements', dimensions: ['channel'], measures: ['count'], from: day1, to: day2 }, // movements have no channel
      { dataset: 'sales_lines', dimensions: ['item'], measures: ['count'], from: day1, to: day2, filters: { 'i.cost_micros': '1' } },
      { dataset: 'users', dimensions: [], measures: ['count'], from: day1, to: day2 },
    ];
    for (const body of attempts) {
      const r = await run(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('validation_failed');
    }
    const after = await run({ dataset: 'balances', dimensions: ['item'], measures: ['quantity'], filters: { site_id: site.id } });
    expect(after.body.data).toEqual(before.body.data);
    expect((await api.get(`/api/v1/items/${items.MUG.id}`)).status).toBe(200);
  });

  it('answers 422 report_too_broad beyond the bounds', async () => {
    customReportLimits.maxGroups = 1;
    const groups = await run({ dataset: 'sales_lines', dimensions: ['item'], measures: ['count'], from: day1, to: day2, filters: { site_id: site.id } });
    expect(groups.status, JSON.stringify(groups.body)).toBe(422);
    expect(groups.body).toMatchObject({ code: 'report_too_broad', reason: 'groups', limit: 1 });
    // One group (no dimension) still fits.
    expect((await run({ dataset: 'sales_lines', dimensions: [], measures: ['count'], from: day1, to: day2, filters: { site_id: site.id } })).body.data).toEqual([{ count: 3, drill: null }]);
    customReportLimits.maxFactRows = 2; // three sold lines in the period
    const facts = await run({ dataset: 'sales_lines', dimensions: [], measures: ['count'], from: day1, to: day2, filters: { site_id: site.id } });
    expect(facts.status).toBe(422);
    expect(facts.body).toMatchObject({ code: 'report_too_broad', reason: 'rows_read', limit: 2 });
  });

  it('exports the same table as CSV and XLSX', async () => {
    const body = { dataset: 'sales_lines', dimensions: ['item'], measures: ['quantity', 'revenue'], from: day1, to: day2, filters: { site_id: site.id } };
    const csv = await api.app.inject({ method: 'POST', url: '/api/v1/reports/custom/export?format=csv', headers: { authorization: `Bearer ${api.ownerToken}` }, payload: body });
    expect(csv.statusCode, csv.body).toBe(200);
    const rows = parse(csv.body.replace(/^\uFEFF/, '')) as string[][];
    expect(rows[0]).toEqual(['Item id', 'Quantity', 'Revenue']);
    expect(rows.find((row) => row[0] === items.MUG.id)).toEqual([items.MUG.id, '4', '37.00']);
    expect(rows[rows.length - 1]).toEqual(['Totals', '6', '47.00']);
    const xlsx = await api.app.inject({ method: 'POST', url: '/api/v1/reports/custom/export?format=xlsx', headers: { authorization: `Bearer ${api.ownerToken}` }, payload: body });
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as any);
    const sheet = workbook.worksheets[0]!;
    const mug = sheet.getSheetValues().find((row: any) => Array.isArray(row) && row[1] === items.MUG.id) as any[];
    expect([mug[2], mug[3]]).toEqual([4, 37]);
  });

  // Last: it changes the shop.
  it('takes a return off the line it came from: its refund from revenue, what came back from cost', async () => {
    const plateLine = sale1Body.lines.find((l: any) => l.item_id === items.PLATE.id);
    const back = await api.post('/api/v1/returns', { sale_id: sale1Body.id, reason: 'wrong size', lines: [{ line_id: plateLine.id, qty: 1, condition: 'restockable' }] }, { 'idempotency-key': `${tag}-r1` });
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    const r = await run({ dataset: 'sales_lines', dimensions: ['item'], measures: ['quantity', 'revenue', 'cost', 'margin'], from: day1, to: day2, filters: { site_id: site.id, item_id: items.PLATE.id } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // 2 − 1 plates; 10.00 − 5.00 refunded; 4.00 − 2.00 back on the shelf; 5.00 − 2.00
    expect(rowsOf(r.body)).toEqual([{ item: items.PLATE.id, quantity: 1, revenue: '5.00', cost: '2.00', margin: '3.00' }]);
  });
});
