import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiClient, demoToken } from './api.ts';
import { launchChromium, screenshot, signIn, wedgeScan, type LaunchedBrowser } from './browser.ts';
import { startWebServer, type WebServer } from './server.ts';

/**
 * Every main page on the demo shop (`stockroom demo`), with a little trading added through
 * the API so the pages show what a shop in use looks like; each page is saved as a screenshot
 * in test-artifacts/screenshots/ and checked for the figures it must show.
 */

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

describe('the main pages on the demo shop', () => {
  let server: WebServer;
  let browser: LaunchedBrowser;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // Two months of simulated trade: enough history for every page, in seconds rather than minutes.
    server = await startWebServer('demo', undefined, ['--days', '60']);
    const api = apiClient(server.origin, demoToken(await server.waitForOutput(/STOCKROOM_TOKEN=/)));
    const item = async (sku: string) => (await api.get(`/api/v1/items?q=${sku}`)).data.find((i: { sku: string }) => i.sku === sku);
    const mug = await item('MUG-STONE');
    const candle = await item('CANDLE-STRAW');
    const tea = await item('TEA-EARL');
    ids.mug = mug.id;
    const sites = (await api.get('/api/v1/locations')).data as Array<{ id: string; code: string; site_type: string }>;
    const warehouse = sites.find((s) => s.site_type === 'warehouse')!;
    const main = sites.find((s) => s.code === 'MAIN')!;
    const vendor = await api.post('/api/v1/vendors', { name: 'Harbour Supplies', email: 'orders@harbour.example', payment_terms: 'Net 30', lead_time_days: 5, over_receipt_tolerance_percent: 5 });
    await api.put(`/api/v1/vendors/${vendor.id}/items/${mug.id}`, { vendor_sku: 'HS-MUG', unit_cost: '4.90', preferred: true });
    await api.put(`/api/v1/vendors/${vendor.id}/items/${candle.id}`, { vendor_sku: 'HS-CAN-12', purchase_unit: 'case', unit_cost: '64.00' });
    await api.put(`/api/v1/vendors/${vendor.id}/items/${tea.id}`, { vendor_sku: 'HS-TEA', unit_cost: '3.05' });
    // One order partly delivered (short on mugs), one late, one draft.
    const po1 = await api.post('/api/v1/purchase-orders', {
      vendor_id: vendor.id,
      delivery_site_id: warehouse.id,
      expected_on: isoDay(-3),
      tax_rate_percent: 10,
      shipping: '15.00',
      lines: [
        { item_id: mug.id, qty: 40 },
        { item_id: candle.id, qty: 2 },
      ],
    });
    await api.post(`/api/v1/purchase-orders/${po1.id}/send`);
    await api.post('/api/v1/receipts', { purchase_order_id: po1.id, post: true, lines: [{ item_id: mug.id, qty: 30 }, { item_id: candle.id, qty: 2 }] });
    ids.po = po1.id;
    const po2 = await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: main.id, expected_on: isoDay(-1), lines: [{ item_id: tea.id, qty: 24 }] });
    await api.post(`/api/v1/purchase-orders/${po2.id}/send`);
    const draft = await api.post('/api/v1/receipts', { purchase_order_id: po2.id, lines: [{ item_id: tea.id, qty: 20 }] });
    ids.receipt = draft.id;
    await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: main.id, expected_on: isoDay(7), lines: [{ item_id: candle.id, qty: 1 }] });
    await api.post('/api/v1/adjustments', { location_id: main.id, reason: 'damaged', note: 'dropped a box', lines: [{ item_id: mug.id, qty: -2 }] });
    ids.vendor = vendor.id;

    // Selling: two counter sales (one with oat milk in a latte and a discount), web orders
    // waiting to ship and one shipped.
    const latte = await item('LATTE');
    const groups = (await api.get(`/api/v1/items/${latte.id}/modifier-groups`)).data as Array<{ modifiers: Array<{ id: string; name: string }> }>;
    const oat = groups.flatMap((g) => g.modifiers).find((m) => m.name === 'Oat milk')!;
    const sale = await api.post(
      '/api/v1/sales',
      {
        location_id: main.id,
        register: 'T1',
        tax_rate: '8',
        lines: [
          { item_id: latte.id, qty: 2, modifiers: [oat.id] },
          { item_id: mug.id, qty: 1, discount: { percent: '10', reason: 'chipped' } },
        ],
        payments: [{ tender: 'cash', amount: '30.00' }],
      },
      { 'idempotency-key': 'demo-pages-sale-1' },
    );
    ids.sale = sale.id;
    await api.post('/api/v1/sales', { location_id: main.id, register: 'T2', lines: [{ item_id: candle.id, qty: 2 }], payments: [{ tender: 'cash', amount: '40.00' }] }, { 'idempotency-key': 'demo-pages-sale-2' });
    const channel = (await api.get('/api/v1/channels')).data.find((c: { kind: string }) => c.kind !== 'pos');
    const order = async (n: string, qty: number) =>
      api.post('/api/v1/orders', { channel_id: channel.id, channel_order_id: n, customer: { name: 'Ada Buyer', email: 'ada@example.com' }, ship_to: '1 Harbour Road', lines: [{ item_id: mug.id, qty }, { item_id: tea.id, qty: 1 }] }, { 'idempotency-key': `demo-pages-${n}` });
    const waiting = await order('WEB-2001', 2);
    ids.order = waiting.id;
    await order('WEB-2002', 1);
    const shipped = await order('WEB-2000', 1);
    await api.post(`/api/v1/orders/${shipped.id}/confirm`);
    const picks = (await api.post(`/api/v1/orders/${shipped.id}/pick-lists`)).data as Array<{ id: string; lines: Array<{ order_line_id: string; qty: number }> }>;
    for (const pick of picks) {
      await api.post(`/api/v1/pick-lists/${pick.id}/picked`);
      const shipment = await api.post(`/api/v1/pick-lists/${pick.id}/shipments`, { packages: [{ weight_g: 800, lines: pick.lines.map((l) => ({ order_line_id: l.order_line_id, qty: l.qty })) }] });
      await api.post(`/api/v1/shipments/${shipment.id}/ship`, { carrier: 'Parcel Co', service: 'Standard', packages: shipment.packages.map((p: { id: string }, i: number) => ({ package_id: p.id, tracking_number: `PC-DEMO-${i + 1}` })) });
    }
    const pickWaiting = (await api.post(`/api/v1/orders/${waiting.id}/pick-lists`)).data as Array<{ id: string }>;
    await api.post(`/api/v1/pick-lists/${pickWaiting[0]!.id}/picked`);

    browser = await launchChromium(server.origin);
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const shot = async (path: string, name: string, ready: (p: Page) => Promise<unknown>) => {
    await page.goto(path);
    await ready(page);
    await page.waitForLoadState('networkidle');
    await screenshot(page, name);
  };

  it('sign-in page', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in to Stockroom' }).waitFor();
    await screenshot(page, 'sign-in');
    await signIn(page, 'owner@demo.test', 'demo-owner-pass');
  });

  it('dashboard: stock value, open and late orders, alerts, charts and recent movements', async () => {
    await shot('/', 'dashboard', (p) => p.getByTestId('stat-stock-value').filter({ hasText: '$' }).waitFor());
    // The simulated months leave orders of their own in flight; the two made above are open and late.
    expect(Number(await page.getByTestId('stat-open-pos').textContent())).toBeGreaterThanOrEqual(2);
    expect(Number(await page.getByTestId('stat-late-pos').textContent())).toBeGreaterThanOrEqual(2);
    expect(await page.getByText('Recent movements').count()).toBe(1);
  });

  it('items, an item, and the item form', async () => {
    await shot('/items?q=Stoneware', 'items', (p) => p.getByRole('link', { name: 'Stoneware mug' }).waitFor());
    await shot(`/items/${ids.mug}`, 'item', (p) => p.getByTestId('item-history').getByText('receipt').first().waitFor());
    expect(await page.getByTestId('cost-layers').textContent()).toMatch(/\$4\.90/);
    await shot(`/items/${ids.mug}/edit`, 'item-edit', (p) => p.getByLabel('SKU').waitFor());
  });

  it('stock, movements, adjustments and alerts', async () => {
    await shot('/stock?by=bin', 'stock', (p) => p.locator('tbody tr td a').first().waitFor());
    await shot('/stock/movements', 'movements', (p) => p.getByRole('cell', { name: /damaged/ }).first().waitFor());
    await shot('/stock/adjustments', 'adjustments', (p) => p.getByText('dropped a box').waitFor());
    await shot('/stock/adjustments/new', 'adjustment-new', (p) => p.getByLabel('Reason').waitFor());
    await shot('/stock/alerts', 'stock-alerts', (p) => p.getByRole('heading', { name: 'Stock alerts' }).waitFor());
  });

  it('purchasing: orders, an order, a new order, receiving and vendors', async () => {
    await shot('/purchasing/orders', 'purchase-orders', (p) => p.getByRole('link', { name: /^PO-/ }).first().waitFor());
    await shot(`/purchasing/orders/${ids.po}`, 'purchase-order', (p) => p.getByText(/still owed/).first().waitFor());
    await shot(`/purchasing/orders/new?vendor_id=${ids.vendor}`, 'purchase-order-new', (p) => p.getByLabel('Vendor', { exact: true }).waitFor());
    await shot(`/purchasing/receipts/${ids.receipt}`, 'receiving', (p) => p.getByTestId('receipt-lines').waitFor());
    await shot('/purchasing/vendors', 'vendors', (p) => p.getByRole('link', { name: 'Harbour Supplies' }).waitFor());
    await shot(`/purchasing/vendors/${ids.vendor}`, 'vendor', (p) => p.getByRole('cell', { name: 'HS-MUG' }).waitFor());
  });

  it('selling: the counter, sales, a sale, online orders, an order, returns and channels', async () => {
    await shot('/', 'dashboard-selling', (p) => p.getByTestId('stat-sales-today').filter({ hasText: '$' }).waitFor());
    expect(Number(await page.getByTestId('stat-to-ship').textContent())).toBeGreaterThanOrEqual(2);
    await page.getByRole('combobox', { name: 'Site you are working at' }).selectOption({ label: 'Main Street store' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Counter', exact: true }).click();
    await page.getByRole('heading', { name: 'Counter' }).waitFor();
    await page.getByRole('combobox', { name: 'Or search' }).fill('latte');
    await page.getByRole('option', { name: /Caffè latte/ }).click();
    await page.getByLabel(/Oat milk/).check();
    await wedgeScan(page, '2000000000190');
    await page.getByTestId('basket').locator('.basket-line').nth(1).waitFor();
    await screenshot(page, 'counter');
    await shot('/selling/sales', 'sales', (p) => p.getByRole('link', { name: /\w/ }).first().waitFor());
    await shot(`/selling/sales/${ids.sale}`, 'sale', (p) => p.getByTestId('receipt').waitFor());
    await shot('/selling/orders?status=to_ship', 'orders', (p) => p.getByRole('link', { name: 'WEB-2001' }).waitFor());
    await shot(`/selling/orders/${ids.order}`, 'order', (p) => p.getByTestId('pick-list').waitFor());
    await shot('/selling/returns', 'returns', (p) => p.getByRole('link', { name: 'WEB-2000' }).waitFor());
    await shot(`/selling/returns?sale_id=${ids.sale}`, 'return-form', (p) => p.getByTestId('return-lines').waitFor());
    await shot('/selling/channels', 'channels', (p) => p.getByRole('cell', { name: /web shop/i }).first().waitFor());
    // The web shop's stock: the gift basket is a bundle, and holding back stock lowers what it may sell.
    await page.getByRole('link', { name: /web shop/i }).first().click();
    const table = page.getByTestId('channel-availability');
    await table.waitFor();
    await screenshot(page, 'channel-stock');
    expect(await table.locator('tbody tr').filter({ hasText: 'BASKET-GIFT' }).getByText('bundle').count()).toBe(1);
    const rows = table.locator('tbody tr');
    const numberIn = async (row: number, cell: number) => Number(((await rows.nth(row).locator('td').nth(cell).textContent()) ?? '').replace(/[^\d.]/g, ''));
    let target = -1;
    for (let i = 0, n = await rows.count(); i < n && target < 0; i += 1) if ((await numberIn(i, 2)) >= 2 && (await numberIn(i, 3)) === 0) target = i;
    expect(target).toBeGreaterThanOrEqual(0);
    const spare = await numberIn(target, 2);
    await rows.nth(target).getByRole('textbox').fill('1');
    await rows.nth(target).getByRole('button', { name: 'Hold back' }).click();
    await expect.poll(() => numberIn(target, 4)).toBe(spare - 1);
    await rows.nth(target).getByRole('textbox').fill('-1');
    await rows.nth(target).getByRole('button', { name: 'Hold back' }).click();
    await rows.nth(target).getByRole('alert').waitFor();
    await page.getByRole('combobox', { name: 'Site you are working at' }).selectOption({ label: 'All sites' });
  });

  it('administration: locations, users, tokens and the audit log', async () => {
    await shot('/admin/locations', 'locations', (p) => p.locator('.tree').getByText('Main Street store').waitFor());
    await shot('/admin/users', 'users', (p) => p.getByRole('cell', { name: 'staff@demo.test' }).waitFor());
    await shot('/admin/tokens', 'tokens', (p) => p.getByRole('cell', { name: 'demo start (owner)' }).waitFor());
    await shot('/admin/audit', 'audit-log', (p) => p.getByText('/api/v1/adjustments').first().waitFor());
  });

  it('scanner mode on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('/scanner', 'scanner-lookup', (p) => p.getByText('Ready to scan').waitFor());
    await wedgeScan(page, '2000000000015');
    await page.getByTestId('lookup-result').waitFor();
    await screenshot(page, 'scanner-lookup-result');
    await shot('/scanner/receive', 'scanner-receive', (p) => p.getByRole('heading', { name: 'Receive a delivery' }).waitFor());
    await page.setViewportSize({ width: 1366, height: 900 });
  });
});
