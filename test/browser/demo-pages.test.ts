import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, screenshot, signIn, wedgeScan, type LaunchedBrowser } from './browser.ts';
import { startDemoShop } from './demo-shop.ts';
import type { WebServer } from './server.ts';

/**
 * Every main page on the demo shop (see demo-shop.ts for the trading added through the API);
 * each page is saved as a screenshot in test-artifacts/screenshots/ and checked for the figures
 * it must show.
 */

describe('the main pages on the demo shop', () => {
  let server: WebServer;
  let browser: LaunchedBrowser;
  let page: Page;
  let ids: Record<string, string> = {};

  beforeAll(async () => {
    ({ server, ids } = await startDemoShop());
    browser = await launchChromium(server.origin);
    page = await browser.newPage();
    // Building the demo shop takes minutes on a busy machine.
  }, 600_000);
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

  it('settings, exchange rates, modifiers, landed costs and changing an order’s lines', async () => {
    await shot('/admin/settings', 'shop-settings', (p) => p.getByLabel('Shop name').waitFor());
    const name = await page.getByLabel('Shop name').inputValue();
    await page.getByLabel('Shop name').fill('Harbour Homewares');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('.brand', { hasText: 'Harbour Homewares' }).waitFor();
    await page.getByLabel('Shop name').fill(name);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('.brand', { hasText: name }).waitFor();

    await shot('/purchasing/exchange-rates', 'exchange-rates', (p) => p.getByRole('heading', { name: 'Exchange rates' }).waitFor());
    await page.getByLabel('Currency').fill('EUR');
    await page.getByLabel(/per unit/).fill('1.0825');
    await page.getByRole('button', { name: 'Set rate' }).click();
    await page.getByTestId('exchange-rates').getByRole('cell', { name: '1.0825' }).first().waitFor();

    await shot('/items/modifiers', 'modifiers', (p) => p.getByTestId('modifier-group-Milk').waitFor());
    await page.getByRole('button', { name: 'New modifier group' }).click();
    await page.getByLabel('Group name').fill('Syrup');
    await page.getByLabel('Name', { exact: true }).fill('Vanilla');
    await page.getByLabel('Price change').fill('0.50');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByTestId('modifier-group-Syrup').getByRole('cell', { name: 'Vanilla' }).waitFor();

    await page.goto(`/items/${ids.latte}`);
    await page.getByRole('button', { name: 'Choose modifier groups' }).click();
    await page.getByLabel('Syrup').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('item-modifiers').getByText(/Vanilla/).waitFor();

    await page.goto(`/purchasing/receipts/${ids.postedReceipt}`);
    const landed = page.getByTestId('landed-costs');
    await landed.getByLabel('Amount').fill('12.00');
    await landed.getByLabel('Bill reference').fill('FRT-77');
    await landed.getByRole('button', { name: 'Add charge' }).click();
    await landed.getByRole('cell', { name: 'FRT-77' }).waitFor();
    expect(await landed.locator('tbody tr').first().textContent()).toMatch(/\$12\.00.*\$12\.00/);

    await page.goto(`/purchasing/orders/${ids.po}`);
    await page.getByRole('button', { name: 'Edit lines' }).click();
    const line = page.getByRole('form', { name: 'Line 1' });
    await line.getByLabel(/^Quantity/).fill('45');
    await line.getByRole('button', { name: 'Save' }).click();
    // 30 of the mugs arrived: 15 are now owed.
    await page.getByTestId('outstanding-1').filter({ hasText: /^15\b/ }).waitFor();
    await screenshot(page, 'purchase-order-line-edit');
  });

  it('reports: the list, a report with its chart, and the report builder', async () => {
    // The window alone, as docs/reports.md shows them (docs/images/).
    const windowShot = async (path: string, name: string, ready: (p: Page) => Promise<unknown>) => {
      await page.goto(path);
      await ready(page);
      await page.waitForLoadState('networkidle');
      await screenshot(page, name, { fullPage: false });
    };
    await windowShot('/reports', 'reports', (p) => p.getByRole('link', { name: 'Inventory change' }).waitFor());
    await windowShot('/reports/sales?by=hour', 'report-sales', (p) => p.locator('.report-table tbody tr').first().waitFor());
    expect(await page.locator('.report-table tbody tr').nth(8).textContent()).toMatch(/\$[\d,]+\.\d{2}/);
    await windowShot('/reports/profitability', 'report-profitability', (p) => p.locator('.report-table tbody tr').first().waitFor());
    await page.goto('/reports/build');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.locator('table tbody tr').first().waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'report-builder', { fullPage: false });
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
