import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiClient, demoToken } from './api.ts';
import { launchChromium, screenshot, signIn, wedgeScan, type LaunchedBrowser } from './browser.ts';
import { startWebServer, type WebServer } from './server.ts';

/**
 * A count while the shop is open: a manager starts a blind spot count of a shelf; a member of
 * staff counts it on a phone-sized screen in scanner mode by beeping each unit with a
 * keyboard-wedge scanner and submits; the variance is beyond the store's threshold, so the
 * manager finds it in the approval queue, highlighted, and approves it; the ledger then holds
 * what was counted.
 */

describe('counting a shelf by scanning, and approving the variance', () => {
  let server: WebServer;
  let api: ReturnType<typeof apiClient>;
  let staffBrowser: LaunchedBrowser;
  let managerBrowser: LaunchedBrowser;
  let phone: Page;
  let desk: Page;
  let count: any;
  let item: any;
  let mainId = '';

  beforeAll(async () => {
    server = await startWebServer('demo', undefined, ['--days', '0']);
    api = apiClient(server.origin, demoToken(await server.waitForOutput(/STOCKROOM_TOKEN=/)));
    const sites = (await api.get('/api/v1/locations')).data as any[];
    const main = sites.find((s) => s.code === 'MAIN');
    mainId = main.id;
    const items = (await api.get('/api/v1/items?limit=100')).data as any[];
    item = items.find((i) => i.barcodes?.length && i.stocked && i.tracking === 'none');
    const balances = (await api.get(`/api/v1/balances?item_id=${item.id}&location_id=${main.id}`)).data as any[];
    expect(balances.reduce((s, b) => s + b.on_hand, 0)).toBeGreaterThan(3);
    count = await api.post('/api/v1/counts', { site_id: main.id, kind: 'spot', mode: 'blind', scope: { item_ids: [item.id] } });
    staffBrowser = await launchChromium(server.origin, { width: 390, height: 844 });
    managerBrowser = await launchChromium(server.origin);
    phone = await staffBrowser.newPage();
    desk = await managerBrowser.newPage();
  });
  afterAll(async () => {
    await staffBrowser?.close();
    await managerBrowser?.close();
    await server?.stop();
  });

  it('counts the shelf on a phone by scanning, never showing what the records expect', async () => {
    await signIn(phone, 'staff@demo.test', 'demo-staff-pass');
    await phone.goto('/scanner/count');
    await phone.getByRole('link', { name: new RegExp(count.number) }).click();
    await phone.getByLabel('Scan each item in this bin').waitFor();
    await phone.getByLabel('Bin', { exact: true }).selectOption(count.lines[0].location_id);
    await phone.getByRole('heading', { name: count.number }).click();
    const code = item.barcodes[0].code ?? item.barcodes[0];
    for (let i = 0; i < 3; i += 1) {
      await wedgeScan(phone, code);
      await expect.poll(async () => (await phone.getByTestId('bin-lines').textContent()) ?? '', { timeout: 15_000 }).toContain(`${i + 1} ${item.name}`);
    }
    expect(await phone.getByTestId('bin-lines').textContent()).not.toContain('expected');
    await screenshot(phone, 'count-scanner-phone');
    await phone.getByRole('button', { name: 'Finish and submit the count' }).click();
    await phone.getByText('this count is submitted').waitFor();
  });

  it('shows the manager the variance in the approval queue, highlighted, and posts it on approval', async () => {
    await signIn(desk, 'manager@demo.test', 'demo-manager-pass');
    await desk.goto('/stock/counts/approvals');
    await desk.getByTestId('approval-queue').getByRole('link', { name: count.number }).click();
    const row = desk.getByTestId(`line-${item.sku}`);
    await row.waitFor();
    expect(await row.getAttribute('class')).toMatch(/variance-pending/);
    expect(await row.textContent()).toMatch(/pending/);
    await screenshot(desk, 'count-approval');
    await desk.getByRole('button', { name: 'Approve all and post' }).click();
    await expect.poll(async () => (await row.textContent()) ?? '', { timeout: 15_000 }).toMatch(/posted/);
    const balances = (await api.get(`/api/v1/balances?item_id=${item.id}&location_id=${mainId}`)).data as any[];
    expect(balances.reduce((s, b) => s + b.on_hand, 0)).toBe(3);
    await desk.goto(`/items/${item.id}`);
    await expect.poll(async () => (await desk.getByTestId('item-count-history').textContent()) ?? '', { timeout: 15_000 }).toContain(count.number);
  });
});
