import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, SCREENSHOT_DIR, screenshot, signIn, type LaunchedBrowser } from './browser.ts';
import { startDemoShop, type DemoShop } from './demo-shop.ts';

/**
 * The lists of the web app page to their last row on the demo shop, and what a new user tripped
 * over stays fixed: a receipt that adds up, counter search results in view, a latte's page that
 * shows its sales and modifiers, a web shop that lists no café supplies, and the smaller things.
 */

type Row = Record<string, unknown>;

/** Every row of a list, read from the API by its cursor (the figure the page must reach). */
async function everyRow(shop: DemoShop, path: string): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: { data: Row[]; next_cursor: string | null } = await shop.api.get(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    rows.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return rows;
}

/** Clicks "Show more" until the list says it is all shown; answers how many rows it says it shows. */
async function pageToTheEnd(page: Page): Promise<number> {
  const status = page.getByTestId('list-status');
  await status.waitFor();
  for (;;) {
    const more = page.getByRole('button', { name: 'Show more' });
    const text = (await status.textContent()) ?? '';
    const all = /^All ([\d,]+) /.exec(text);
    if (all && (await more.count()) === 0) return Number(all[1]!.replace(/,/g, ''));
    if ((await more.count()) > 0 && (await more.isEnabled())) await more.click();
    // Wait for the click's page to arrive: the count in the status line changes.
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).not.toBe(text);
  }
}

/** The amounts on a receipt as a customer reads them, in cents. */
function cents(text: string | null): number {
  const match = /(−|-)?\$([\d,]+)\.(\d{2})$/.exec((text ?? '').trim());
  if (!match) throw new Error(`not an amount in cents: ${text}`);
  const value = Number(match[2]!.replace(/,/g, '')) * 100 + Number(match[3]);
  return match[1] ? -value : value;
}

describe('lists and fixes on the demo shop', () => {
  let shop: DemoShop;
  let browser: LaunchedBrowser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    shop = await startDemoShop();
    browser = await launchChromium(shop.server.origin);
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    // Building the demo shop takes minutes on a busy machine.
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await shop?.server.stop();
  });

  it('signs in without an error in the console', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in to Stockroom' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(consoleErrors).toEqual([]);
    await signIn(page, 'owner@demo.test', 'demo-owner-pass');
  });

  it('pages purchase orders, receipts and online orders to their last row', async () => {
    const lists = [
      { path: '/purchasing/orders', api: '/api/v1/purchase-orders', link: (r: Row) => String(r.number) },
      { path: '/purchasing/receipts', api: '/api/v1/receipts', link: (r: Row) => String(r.number) },
      { path: '/selling/orders', api: '/api/v1/orders', link: (r: Row) => String(r.channel_order_id) },
    ];
    for (const list of lists) {
      const rows = await everyRow(shop, list.api);
      // More than one page of them, or the test would not show that paging reaches the end.
      expect(rows.length, list.path).toBeGreaterThan(100);
      await page.goto(list.path);
      expect(await pageToTheEnd(page), list.path).toBe(rows.length);
      const oldest = rows[rows.length - 1]!;
      await page.getByRole('link', { name: list.link(oldest), exact: true }).waitFor();
      expect(await page.locator('tbody tr').count(), list.path).toBe(rows.length);
    }
    // The end of the last list, in view (a full-page picture of hundreds of rows is too slow to take).
    await page.getByTestId('list-status').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'orders-paged-to-the-end.png') });
  });

  it('pages the other lists to their last row, with their filters', async () => {
    const since = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const lists = [
      { path: '/purchasing/orders?status=open', api: ['/api/v1/purchase-orders?status=sent', '/api/v1/purchase-orders?status=partially_received'] },
      { path: '/selling/orders?status=to_ship', api: ['/api/v1/orders?status=allocated', '/api/v1/orders?status=partially_shipped'] },
      { path: `/selling/sales?from=${since}`, api: [`/api/v1/sales?from=${new Date(`${since}T00:00:00`).toISOString()}`] },
      { path: '/stock/adjustments', api: ['/api/v1/adjustments'] },
      { path: `/stock/movements?item_id=${shop.ids.mug}`, api: [`/api/v1/movements?item_id=${shop.ids.mug}`] },
      { path: '/admin/audit', api: ['/api/v1/audit-events'] },
    ];
    for (const list of lists) {
      await page.goto(list.path);
      const shown = await pageToTheEnd(page);
      // The audit log grows while the test reads it (every request of this test is audited): at least what was there before.
      let total = 0;
      for (const api of list.api) total += (await everyRow(shop, api)).length;
      if (list.path === '/admin/audit') expect(shown, list.path).toBeGreaterThan(0);
      else expect(shown, list.path).toBe(total);
    }
  });

  it('prints a receipt that adds up: lines, subtotal, discounts, tax and total in cents', async () => {
    await page.goto(`/selling/sales/${shop.ids.sale}`);
    const receipt = page.getByTestId('receipt');
    await receipt.waitFor();
    const lines = await receipt.getByTestId('receipt-line-amount').allTextContents();
    expect(lines).toHaveLength(2);
    const subtotal = cents(await receipt.getByTestId('receipt-subtotal').textContent());
    const discount = cents(await receipt.getByTestId('receipt-discount').textContent());
    const tax = cents(await receipt.getByTestId('receipt-tax').textContent());
    const total = cents(await receipt.getByTestId('receipt-total').textContent());
    expect(lines.map(cents).reduce((s, v) => s + v, 0)).toBe(subtotal);
    expect(discount).toBeLessThan(0);
    // The demo's prices include tax: the tax row says so and is part of the total, not added to it.
    const included = ((await receipt.textContent()) ?? '').includes('Tax included');
    expect(tax).toBeGreaterThan(0);
    expect(subtotal + discount + (included ? 0 : tax)).toBe(total);
    // Every amount in cents: no "$8.463687" margin and no six-decimal money anywhere on it.
    expect(cents(await receipt.getByTestId('receipt-margin').textContent())).not.toBeNaN();
    for (const amount of await receipt.locator('td.num').allTextContents()) expect(amount).toMatch(/^−?\$[\d,]+\.\d{2}$/);
    expect(await receipt.textContent()).not.toMatch(/\$[\d,]+\.\d{3,}(?! ×)/);
    await screenshot(page, 'receipt-adds-up');
    // A sale without discounts prints no "Discounts −$0.00" line.
    await page.goto(`/selling/sales/${shop.ids.plainSale}`);
    await page.getByTestId('receipt').waitFor();
    expect(await page.getByTestId('receipt-discount').count()).toBe(0);
    expect(await page.getByTestId('receipt').textContent()).not.toMatch(/Discounts/);
  });

  it('shows the counter search results whole, above the cards below them', async () => {
    await page.getByRole('combobox', { name: 'Site you are working at' }).selectOption({ label: 'Main Street store' });
    await page.goto('/selling/counter');
    await page.getByRole('combobox', { name: 'Or search' }).fill('mug');
    const options = page.getByRole('listbox').getByRole('option');
    await options.first().waitFor();
    // The first and the last hit are each what the browser finds at their centre: nothing clips or covers them.
    for (const option of [options.first(), options.last()]) {
      const box = (await option.boundingBox())!;
      const onTop = await page.evaluate(`document.elementFromPoint(${box.x + box.width / 2}, ${box.y + box.height / 2})?.closest('[role="option"]')?.textContent ?? null`);
      expect(onTop).toBe(await option.textContent());
    }
    await screenshot(page, 'counter-search');
  });

  it('clears the scan message once a sale is recorded', async () => {
    await page.getByRole('combobox', { name: 'Or search' }).fill('');
    await page.getByLabel('Scan an item').fill('MUG-STONE');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByTestId('scan-last').filter({ hasText: 'added' }).waitFor();
    await page.getByRole('button', { name: /^Take / }).click();
    await page.getByTestId('receipt').waitFor();
    expect(await page.getByTestId('scan-last').textContent()).toMatch(/Ready to scan/);
  });

  it('shows a latte its sales, what they used, and its modifiers', async () => {
    await page.getByRole('combobox', { name: 'Site you are working at' }).selectOption({ label: 'All sites' });
    await page.goto(`/items/${shop.ids.latte}`);
    const sold = page.getByTestId('item-sold');
    await sold.waitFor();
    expect(Number(((await sold.textContent()) ?? '').replace(/,/g, '').match(/[\d.]+/)![0])).toBeGreaterThan(0);
    const consumed = page.getByTestId('item-consumed');
    await consumed.getByRole('link', { name: /Espresso beans/ }).waitFor();
    await consumed.getByRole('link', { name: /Whole milk/ }).waitFor();
    expect(await page.getByTestId('item-modifiers').textContent()).toMatch(/Oat milk \(\+\$[\d.]+\d\d\)/);
    expect(await page.getByText('No movements').count()).toBe(0);
    await screenshot(page, 'item-latte');
  });

  it('lists only the shop’s goods on the web shop, to the last one', async () => {
    const channel = (await shop.api.get('/api/v1/channels')).data.find((c: { kind: string }) => c.kind === 'online');
    expect(channel.categories).not.toContain('Café ingredients');
    await page.goto(`/selling/channels/${channel.id}`);
    await pageToTheEnd(page);
    const skus = await page.getByTestId('channel-availability').locator('tbody tr td:first-child').allTextContents();
    expect(skus).toContain('MUG-STONE');
    expect(skus).toContain('BASKET-GIFT');
    for (const cafe of ['BEAN-ESP-1KG', 'MILK-WHOLE', 'MILK-OAT', 'CUP-12OZ', 'LATTE']) expect(skus).not.toContain(cafe);
  });

  it('puts the stock page’s radio buttons beside their labels', async () => {
    await page.goto('/stock');
    const radio = page.getByRole('radio', { name: 'By item' });
    const label = page.locator('label', { has: radio });
    const [r, l] = [(await radio.boundingBox())!, (await label.boundingBox())!];
    // One line: the label is about as tall as the radio (not radio over text), and the radio sits at its left.
    expect(l.height).toBeLessThan(r.height * 2.2);
    expect(r.x - l.x).toBeLessThan(12);
    // And the words follow the radio: no stretch of empty box between them.
    expect(l.width).toBeLessThan(r.width + 100);
    expect(Math.abs(r.y + r.height / 2 - (l.y + l.height / 2))).toBeLessThan(6);
    await screenshot(page, 'stock-radios');
  });

  it('shows the whole role in the users page’s role box', async () => {
    await page.goto('/admin/users');
    const role = page.getByRole('combobox', { name: 'Role' });
    await role.waitFor();
    // The chosen option's text, measured in the box's font, fits inside the box.
    const fits = await role.evaluate((el: any) => {
      const doc = el.ownerDocument;
      const probe = doc.createElement('span');
      probe.style.font = doc.defaultView.getComputedStyle(el).font;
      probe.textContent = el.selectedOptions[0].textContent;
      doc.body.append(probe);
      const width = probe.getBoundingClientRect().width;
      probe.remove();
      return width < el.clientWidth;
    });
    expect(fits).toBe(true);
    await screenshot(page, 'users');
  });

  it('gives staff one sentence, not a form, on the users page; and the scanner’s look-up says so', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, 'staff@demo.test', 'demo-staff-pass');
    await page.goto('/admin/users');
    await page.getByText(/Your role does not include managing users/).waitFor();
    expect(await page.getByRole('form', { name: 'Add a user' }).count()).toBe(0);
    expect(await page.getByLabel('Email').count()).toBe(0);
    await page.goto('/scanner');
    await page.getByText('Ready to scan').waitFor();
    expect(await page.getByRole('button', { name: 'Look up' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Add', exact: true }).count()).toBe(0);
  });
});
