import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { beforeAll, expect, it } from 'vitest';
import { localDate } from '../../src/platform/clock.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { makeToken } from '../support/access.ts';

/**
 * One small shop worked by hand, then every standard report read through the API.
 *
 * In a new store, in a category of its own, today:
 *   MUG   +10 at 4.00 (opening balance), reorder point 8
 *   PLATE  5 received on a purchase order at 2.00
 *   JAM   +4 at 1.50 in lot L1 expiring in 10 days (opening balance)
 *   sale 1: 3 MUG at 10.00 less 3.00 ("chipped", by Ann) and 2 PLATE at 5.00  → takings 37.00
 *   sale 2: 1 MUG at 10.00, voided ("wrong item")
 *   1 MUG stolen (adjustment, theft)
 * So: MUG 10 − 3 − 1 + 1 − 1 = 6 left (24.00), PLATE 3 (6.00), JAM 4 (6.00): 13 units, 36.00.
 */
describeEachDatabase('standard reports, worked by hand', (get) => {
  let api: TestApi;
  let site: any;
  let items: Record<string, any>;
  let today: string;
  let staff: { secret: string };
  const tag = `SR${Date.now().toString(36)}`;
  let period: string;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const tz = (await api.get('/api/v1/settings')).body.time_zone ?? 'UTC';
    today = localDate(api.clock.now(), tz);
    site = (await api.post('/api/v1/locations', { kind: 'site', code: tag, name: 'Report shop', site_type: 'store' })).body;
    const item = async (sku: string, name: string, extra: object = {}) => (await api.post('/api/v1/items', { sku: `${tag}-${sku}`, name, category: tag, ...extra })).body;
    items = {
      MUG: await item('MUG', '+mug', { reorder_point: 8, price: '10.00' }),
      PLATE: await item('PLATE', '=2+3 plate'),
      JAM: await item('JAM', '@jam', { tracking: 'lot', tracks_expiry: true }),
    };
    const expires = new Date(Date.parse(`${today}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10);
    const adjust = async (lines: object[], reason: string) => {
      const r = await api.post('/api/v1/adjustments', { location_id: site.id, reason, lines });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    };
    await adjust([{ item_id: items.MUG.id, qty: 10, unit_cost: '4.00' }, { item_id: items.JAM.id, qty: 4, unit_cost: '1.50', lot_code: 'L1', expires_on: expires }], 'opening_balance');
    const vendor = (await api.post('/api/v1/vendors', { name: `${tag} Pottery` })).body;
    const po = (await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.id, lines: [{ item_id: items.PLATE.id, qty: 5, unit_price: '2.00' }] })).body;
    expect((await api.post(`/api/v1/purchase-orders/${po.id}/send`)).status).toBe(200);
    expect((await api.post('/api/v1/receipts', { purchase_order_id: po.id, post: true, lines: [{ item_id: items.PLATE.id, qty: 5 }] })).status).toBe(201);
    const sale1 = await api.post('/api/v1/sales', {
      location_id: site.id,
      register: 'R1',
      lines: [
        { item_id: items.MUG.id, qty: 3, unit_price: '10.00', discount: { amount: '3.00', reason: 'chipped', employee: 'Ann' } },
        { item_id: items.PLATE.id, qty: 2, unit_price: '5.00' },
      ],
      payments: [{ tender: 'card', amount: '37.00' }],
    }, { 'idempotency-key': `${tag}-s1` });
    expect(sale1.status, JSON.stringify(sale1.body)).toBe(201);
    const sale2 = await api.post('/api/v1/sales', { location_id: site.id, register: 'R1', lines: [{ item_id: items.MUG.id, qty: 1, unit_price: '10.00' }], payments: [{ tender: 'cash', amount: '10.00' }] }, { 'idempotency-key': `${tag}-s2` });
    expect(sale2.status).toBe(201);
    const voided = await api.post(`/api/v1/sales/${sale2.body.id}/void`, { reason: 'wrong item' }, { 'idempotency-key': `${tag}-v2` });
    expect(voided.status, JSON.stringify(voided.body)).toBe(201);
    await adjust([{ item_id: items.MUG.id, qty: -1 }], 'theft');
    staff = await makeToken(api, 'staff');
    period = `from=${today}&to=${today}&site_id=${site.id}&category=${tag}`;
  });

  /** The raw bytes of a file answer (the test client reads bodies as text). */
  const raw = async (url: string, token = api.ownerToken) => {
    const response = await api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    return { status: response.statusCode, type: String(response.headers['content-type']), bytes: response.rawPayload };
  };
  const rowsOf = (body: any) => body.data.map(({ drill, ...cells }: any) => cells);

  it('inventory change rolls opening stock through every movement to closing stock', async () => {
    const r = await api.get(`/api/v1/reports/inventory-change?${period}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(rowsOf(r.body).map((row: any) => [row.line, row.qty, row.value])).toEqual([
      ['Opening stock', 0, '0.00'],
      ['Adjustments in: opening balance', 14, '46.00'], // 10 × 4.00 + 4 × 1.50
      ['Adjustments out: theft', -1, '-4.00'],
      ['Receipts', 5, '10.00'], // 5 × 2.00
      ['Sales (cost)', -6, '-20.00'], // 4 mugs at 4.00 (the voided one left too) and 2 plates at 2.00
      ['Voided sales', 1, '4.00'], // the voided mug came back at the cost it left with
      ['Closing stock', 13, '36.00'], // 46 − 4 + 10 − 20 + 4
    ]);
    // The closing figure is the valuation report's, as of the last instant of the period.
    const valuation = await api.get(`/api/v1/reports/valuation?location_id=${site.id}&category=${tag}&as_of=${encodeURIComponent(r.body.meta.closing_as_of)}`);
    expect(valuation.body.total_value).toBe('36.00');
    expect(r.body.data.find((row: any) => row.line === 'Receipts').drill).toContain('kind=receipt');
    // Nothing but values: staff are refused.
    expect((await api.as({ bearer: staff.secret }).get(`/api/v1/reports/inventory-change?${period}`)).status).toBe(403);
  });

  it('profitability by item: revenue after discounts, cost of goods, margin, GMROI and turns', async () => {
    const r = await api.get(`/api/v1/reports/profitability?${period}&by=item`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(rowsOf(r.body).map((row: any) => [row.key, row.qty, row.gross, row.discount, row.revenue, row.cogs, row.margin, row.margin_pct, row.avg_stock, row.gmroi, row.turns])).toEqual([
      // MUG: 30.00 − 3.00 = 27.00; cost 3 × 4.00; margin 15.00 = 55.56 %; stock (0 + 24.00) / 2 = 12.00; 15 / 12 = 1.25; 12 / 12 = 1.00
      [items.MUG.id, 3, '30.00', '3.00', '27.00', '12.00', '15.00', '55.56', '12.00', '1.25', '1.00'],
      // PLATE: 10.00; cost 2 × 2.00; margin 6.00 = 60 %; stock (0 + 6.00) / 2 = 3.00; 6 / 3 = 2.00; 4 / 3 = 1.33
      [items.PLATE.id, 2, '10.00', '0.00', '10.00', '4.00', '6.00', '60.00', '3.00', '2.00', '1.33'],
    ]);
    // 21.00 of 37.00 = 56.76 %
    expect(r.body.totals).toMatchObject({ revenue: '37.00', cogs: '16.00', margin: '21.00', margin_pct: '56.76' });
    // Staff see the takings, never the cost.
    const asStaff = await api.as({ bearer: staff.secret }).get(`/api/v1/reports/profitability?${period}&by=item`);
    expect(asStaff.status).toBe(200);
    expect(asStaff.body.columns.map((c: any) => c.key)).toEqual(['key', 'name', 'qty', 'gross', 'discount', 'revenue']);
    expect(Object.keys(asStaff.body.totals)).not.toContain('cogs');
  });

  it('sales by weekday and hour put the takings in the shop’s own hours', async () => {
    const weekday = await api.get(`/api/v1/reports/sales?${period}&by=weekday`);
    expect(weekday.body.data).toHaveLength(7);
    // Sale 1's two lines; the voided sale is not a sale.
    expect(weekday.body.totals).toMatchObject({ lines: 2, qty: 5, revenue: '37.00' });
    const hours = await api.get(`/api/v1/reports/sales?${period}&by=hour`);
    expect(hours.body.data).toHaveLength(24);
    expect(hours.body.data.filter((h: any) => h.revenue !== '0.00').map((h: any) => h.revenue)).toEqual(['37.00']);
  });

  it('ABC classes the mug A by value (27 of 37) and by volume (3 of 5)', async () => {
    const r = await api.get(`/api/v1/reports/abc?${period}`);
    expect(rowsOf(r.body).map((row: any) => [row.sku, row.class_revenue, row.class_volume])).toEqual([
      [`${tag}-MUG`, 'A', 'A'],
      // Before the plate the running total is 27 of 37 = 73 % (< 80 %): still A; by volume 3 of 5 = 60 %: A.
      [`${tag}-PLATE`, 'A', 'A'],
    ]);
  });

  it('sell-through: plates sold 2 of 5 received', async () => {
    const r = await api.get(`/api/v1/reports/sell-through?${period}`);
    expect(rowsOf(r.body).map((row: any) => [row.sku, row.received, row.sold, row.sell_through_pct])).toEqual([
      [`${tag}-PLATE`, 5, 2, '40.00'],
      [`${tag}-JAM`, 0, 0, null],
      [`${tag}-MUG`, 0, 3, null],
    ]);
  });

  it('shrinkage: one stolen mug, 4.00, is 10.81 % of 37.00 takings', async () => {
    const r = await api.get(`/api/v1/reports/losses?${period}&by=reason`);
    expect(rowsOf(r.body).map((row: any) => [row.key, row.lost_qty, row.lost_value, row.net_value, row.pct_of_sales])).toEqual([['theft', 1, '4.00', '4.00', '10.81']]);
    const asStaff = await api.as({ bearer: staff.secret }).get(`/api/v1/reports/losses?${period}&by=reason`);
    expect(rowsOf(asStaff.body)).toEqual([{ key: 'theft', name: 'theft', lost_qty: 1, found_qty: 0, movements: 1 }]);
  });

  it('discounts and voids by reason, with the sales behind them', async () => {
    const r = await api.get(`/api/v1/reports/discounts?from=${today}&to=${today}&site_id=${site.id}&by=reason`);
    expect(rowsOf(r.body).map((row: any) => [row.key, row.discounts, row.discount_amount, row.voids, row.void_amount, row.sales])).toEqual([
      ['wrong item', 0, '0.00', 1, '10.00', 1],
      ['chipped', 1, '3.00', 0, '0.00', 1],
    ]);
    const byEmployee = await api.get(`/api/v1/reports/discounts?from=${today}&to=${today}&site_id=${site.id}&by=employee`);
    expect(byEmployee.body.data.find((row: any) => row.key === 'Ann')).toMatchObject({ discounts: 1, discount_amount: '3.00' });
  });

  it('dead and slow stock: jam never sold; mugs and plates slow beyond five weeks of cover', async () => {
    const dead = await api.get(`/api/v1/reports/dead-stock?site_id=${site.id}&category=${tag}`);
    expect(rowsOf(dead.body).map((row: any) => [row.sku, row.status, row.days_since_sale, row.value])).toEqual([[`${tag}-JAM`, 'dead', null, '6.00']]);
    // Mugs: 6 on hand, 4 left the shelf in four weeks → 6 × 4 / 4 = 6.00 weeks; plates 3 × 4 / 2 = 6.00.
    const slow = await api.get(`/api/v1/reports/dead-stock?site_id=${site.id}&category=${tag}&cover_weeks=5`);
    expect(rowsOf(slow.body).map((row: any) => [row.sku, row.status, row.weeks_of_cover, row.value])).toEqual([
      [`${tag}-MUG`, 'slow', '6.00', '24.00'],
      [`${tag}-JAM`, 'dead', null, '6.00'],
      [`${tag}-PLATE`, 'slow', '6.00', '6.00'],
    ]);
    expect(slow.body.totals.value).toBe('36.00');
  });

  it('dead and slow stock counts what left the chosen site’s shelves: glasses sold at another shop are dead here', async () => {
    const other = (await api.post('/api/v1/locations', { kind: 'site', code: `${tag}O`, name: 'Other shop', site_type: 'store' })).body;
    const category = `${tag}-GLASSES`;
    const glass = (await api.post('/api/v1/items', { sku: `${tag}-GLASS`, name: 'Glass', category })).body;
    for (const at of [site, other]) {
      const opened = await api.post('/api/v1/adjustments', { location_id: at.id, reason: 'opening_balance', lines: [{ item_id: glass.id, qty: 4, unit_cost: '2.00' }] });
      expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    }
    const sold = await api.post('/api/v1/sales', { location_id: other.id, register: 'R9', lines: [{ item_id: glass.id, qty: 2, unit_price: '5.00' }], payments: [{ tender: 'cash', amount: '10.00' }] }, { 'idempotency-key': `${tag}-glass` });
    expect(sold.status, JSON.stringify(sold.body)).toBe(201);
    const glasses = async (siteFilter: string) => {
      const r = await api.get(`/api/v1/reports/dead-stock?${siteFilter}category=${category}&cover_weeks=1`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return rowsOf(r.body).map((row: any) => [row.status, row.on_hand, row.days_since_sale, row.sold_4_weeks, row.weeks_of_cover, row.value]);
    };
    // Here: 4 on hand, never sold here.
    expect(await glasses(`site_id=${site.id}&`)).toEqual([['dead', 4, null, 0, null, '8.00']]);
    // There: 2 left, 2 sold in four weeks: 2 × 4 / 2 = 4.00 weeks of cover, slow beyond one.
    expect(await glasses(`site_id=${other.id}&`)).toEqual([['slow', 2, 0, 2, '4.00', '4.00']]);
    // Both shops: 6 on hand at 2.00, 2 sold: 6 × 4 / 2 = 12.00 weeks.
    expect(await glasses('')).toEqual([['slow', 6, 0, 2, '12.00', '12.00']]);
  });

  it('low stock and expiring lots', async () => {
    const low = await api.get(`/api/v1/reports/low-stock?site_id=${site.id}`);
    expect(rowsOf(low.body).filter((row: any) => row.sku === `${tag}-MUG`).map((row: any) => [row.status, row.on_hand, row.reorder_point])).toEqual([['low', 6, 8]]);
    const expiring = await api.get(`/api/v1/reports/expiring-lots?site_id=${site.id}&category=${tag}&days=30`);
    expect(rowsOf(expiring.body).map((row: any) => [row.sku, row.lot, row.days_left, row.qty, row.value])).toEqual([[`${tag}-JAM`, 'L1', 10, 4, '6.00']]);
    expect(rowsOf((await api.get(`/api/v1/reports/expiring-lots?site_id=${site.id}&category=${tag}&days=9`)).body)).toEqual([]);
  });

  it('exports parse back: CSV with a BOM, XLSX with numeric cells, and no cell starts a formula', async () => {
    const csv = await raw(`/api/v1/reports/abc/export?${period}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    const text = csv.bytes.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const records: string[][] = parse(text.slice(1), { relax_column_count: true });
    expect(records[0]).toEqual(['Item id', 'SKU', 'Name', 'Category', 'Revenue', 'Class by revenue', 'Quantity sold', 'Class by volume', 'Cost of goods']);
    expect(records.slice(1).map((r) => [r[2], r[4], r[6], r[8]])).toEqual([
      ["'+mug", '27.00', '3', '12.00'],
      ["'=2+3 plate", '10.00', '2', '4.00'],
    ]);
    for (const record of records) for (const cell of record) expect(/^[=+@\t\r]/.test(cell) || (/^-/.test(cell) && !/^-\d+(\.\d+)?$/.test(cell)), cell).toBe(false);

    const xlsx = await raw(`/api/v1/reports/profitability/export?${period}&by=item&format=xlsx`);
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as never);
    const sheet = workbook.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 6)).toEqual(['Item id', 'Name', 'Quantity sold', 'Gross sales', 'Discounts', 'Revenue']);
    const mug = sheet.getRow(2);
    expect(mug.getCell(3).value).toBe(3);
    expect(mug.getCell(6).value).toBe(27);
    expect(mug.getCell(6).numFmt).toBe('#,##0.00');
    expect(mug.getCell(9).value).toBe(55.56);
    sheet.eachRow((row) =>
      row.eachCell((c) => {
        if (typeof c.value === 'string') expect(/^[=+\-@\t\r]/.test(c.value), c.value).toBe(false);
        expect(c.type === ExcelJS.ValueType.Formula).toBe(false);
      }),
    );
    // Staff get the file without the cost columns.
    const staffCsv = await raw(`/api/v1/reports/abc/export?${period}`, staff.secret);
    const staffText = staffCsv.bytes.toString('utf8');
    expect(staffText).not.toContain('Cost of goods');
  });

  it('a viewer of another site sees none of this shop’s figures, and may not ask for it', async () => {
    const other = (await api.post('/api/v1/locations', { kind: 'site', code: `${tag}B`, name: 'Other shop', site_type: 'store' })).body;
    const viewer = api.as({ bearer: (await makeToken(api, 'viewer', [other.id])).secret });
    const mine = await viewer.get(`/api/v1/reports/profitability?from=${today}&to=${today}&category=${tag}`);
    expect(mine.status).toBe(200);
    expect(mine.body.data).toEqual([]);
    expect(mine.body.totals.revenue).toBe('0.00');
    const change = await viewer.get(`/api/v1/reports/inventory-change?from=${today}&to=${today}&category=${tag}`);
    expect(change.body.data.map((r: any) => r.value)).toEqual(['0.00', '0.00']);
    expect((await viewer.get(`/api/v1/reports/profitability?${period}`)).status).toBe(403);
  });

  it('a return takes its refund off revenue and what came back off cost of goods', async () => {
    // CUP: 4 at 3.00; 2 sold at 8.00 (16.00); 1 brought back to the shelf, refunded 8.00.
    const cat = `${tag}-R`;
    const cup = (await api.post('/api/v1/items', { sku: `${tag}-CUP`, name: 'cup', category: cat })).body;
    expect((await api.post('/api/v1/adjustments', { location_id: site.id, reason: 'opening_balance', lines: [{ item_id: cup.id, qty: 4, unit_cost: '3.00' }] })).status).toBe(201);
    const sale = await api.post('/api/v1/sales', { location_id: site.id, register: 'R1', lines: [{ item_id: cup.id, qty: 2, unit_price: '8.00' }], payments: [{ tender: 'card', amount: '16.00' }] }, { 'idempotency-key': `${tag}-s3` });
    expect(sale.status).toBe(201);
    const back = await api.post('/api/v1/returns', { sale_id: sale.body.id, reason: 'changed mind', lines: [{ line_id: sale.body.lines[0].id, qty: 1, condition: 'restockable' }] }, { 'idempotency-key': `${tag}-r3` });
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    const scoped = `from=${today}&to=${today}&site_id=${site.id}&category=${encodeURIComponent(cat)}`;
    const profit = await api.get(`/api/v1/reports/profitability?${scoped}&by=item`);
    // 1 kept; 16.00 − 8.00 = 8.00; cost 6.00 − 3.00 = 3.00; margin 5.00 = 62.50 %
    expect(rowsOf(profit.body).map((row: any) => [row.qty, row.gross, row.revenue, row.cogs, row.margin, row.margin_pct])).toEqual([[1, '16.00', '8.00', '3.00', '5.00', '62.50']]);
    const change = await api.get(`/api/v1/reports/inventory-change?${scoped}`);
    expect(rowsOf(change.body).map((row: any) => [row.kind, row.qty, row.value])).toEqual([
      [null, 0, '0.00'],
      ['adjustment', 4, '12.00'],
      ['return', 1, '3.00'], // back at the cost it left with
      ['sale', -2, '-6.00'],
      [null, 3, '9.00'], // 12 + 3 − 6
    ]);
  });

  it('drills down from a figure to the movements behind it', async () => {
    const r = await api.get(`/api/v1/reports/profitability?${period}&by=item`);
    const drill = r.body.data[0].drill as string;
    const movements = await api.get(drill);
    expect(movements.status, drill).toBe(200);
    // The mugs of both sales left the shelf (the void came back as its own movement).
    expect(movements.body.data.map((m: any) => m.qty).sort()).toEqual([1, 3]);
  });

  // Last, as it moves the clock on: the last sale of an item quiet for four weeks is found by item.
  it('dead and slow stock forty days on: the last sale is forty days back, none in four weeks', async () => {
    api.clock.advance(40 * 86_400_000);
    const dead = await api.get(`/api/v1/reports/dead-stock?site_id=${site.id}&category=${tag}&days=30`);
    expect(rowsOf(dead.body).map((row: any) => [row.sku, row.status, row.last_sale, row.days_since_sale, row.sold_4_weeks, row.value])).toEqual([
      [`${tag}-MUG`, 'dead', today, 40, 0, '24.00'],
      [`${tag}-JAM`, 'dead', null, null, 0, '6.00'],
      [`${tag}-PLATE`, 'dead', today, 40, 0, '6.00'],
    ]);
    // Not dead at 90 days, but slow: nothing sold in four weeks leaves no weeks of cover to speak of.
    const slow = await api.get(`/api/v1/reports/dead-stock?site_id=${site.id}&category=${tag}`);
    expect(rowsOf(slow.body).map((row: any) => [row.sku, row.status, row.days_since_sale, row.weeks_of_cover])).toEqual([
      [`${tag}-MUG`, 'slow', 40, null],
      [`${tag}-JAM`, 'dead', null, null],
      [`${tag}-PLATE`, 'slow', 40, null],
    ]);
  });
});
