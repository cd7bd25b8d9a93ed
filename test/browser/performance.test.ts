import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, screenshot, signIn, type LaunchedBrowser } from './browser.ts';
import { seedItems } from './seed.ts';
import { startWebServer, type WebServer } from './server.ts';

/**
 * The demo shop plus 30,000 items: the items list shows its first page, a long scroll pages
 * rows in from the server while only the rows in view are in the page, a search finds an item
 * among them, and item pages open. Functional assertions only: how long each takes is measured
 * by `npm run bench -- --only web` (bench/scenarios/web.ts), beside a ceiling from the same run,
 * since wall-clock thresholds in a test fail on a busy 2-core machine for no fault of the code.
 */

const ITEMS = 30_000;

async function openItemsList(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Items', exact: true }).click();
  await page.getByRole('row').nth(5).waitFor();
  await page.getByText(/^200\+ items$/).waitFor();
}

describe(`the web app on a shop with ${ITEMS.toLocaleString('en')} items`, () => {
  let server: WebServer;
  let browser: LaunchedBrowser;
  let page: Page;

  beforeAll(async () => {
    server = await startWebServer('demo', async (dbPath) => {
      execFileSync(process.execPath, ['dist/cli/main.js', 'demo', '--no-serve', '--days', '0', '--db', dbPath], { stdio: 'ignore', env: { ...process.env, LOG_LEVEL: 'warn' } });
      await seedItems(dbPath, ITEMS);
    });
    browser = await launchChromium(server.origin);
    page = await browser.newPage();
    await signIn(page, 'owner@demo.test', 'demo-owner-pass');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the first page of the items list, and says there are more', async () => {
    await openItemsList(page);
    expect(await page.getByRole('row').count()).toBeGreaterThan(5);
    await screenshot(page, 'perf-items-30000');
  });

  it('scrolls through thousands of rows smoothly, paging them in from the server as it goes', async () => {
    const result = await page.evaluate(async () => {
      // Runs in the page; the test's own types know no DOM, so the little it uses is named here.
      interface Scroller {
        scrollTop: number;
        querySelectorAll(selector: string): { length: number };
      }
      const { document, requestAnimationFrame } = globalThis as unknown as {
        document: { querySelector(selector: string): Scroller };
        requestAnimationFrame(callback: (now: number) => void): void;
      };
      const scroller = document.querySelector('[data-testid="items-scroller"]');
      const frames: number[] = [];
      let last = performance.now();
      const end = last + 5000;
      await new Promise<void>((resolve) => {
        const step = (now: number) => {
          frames.push(now - last);
          last = now;
          scroller.scrollTop += 500;
          if (now < end) requestAnimationFrame(step);
          else resolve();
        };
        requestAnimationFrame(step);
      });
      const rows = scroller.querySelectorAll('[role="row"]').length;
      return { frames, scrollTop: scroller.scrollTop, renderedRows: rows };
    });
    const rowsReached = Math.round(result.scrollTop / 40);
    // Virtualised: only the rows in view (plus a few) are in the page, however far it went,
    // and the scroll went far past the first page, so rows were paged in from the server.
    expect(result.renderedRows).toBeLessThan(80);
    expect(rowsReached).toBeGreaterThan(1000);
    expect(result.frames.length).toBeGreaterThan(1);
  });

  it('finds an item among 30,000 by a debounced search', async () => {
    await page.getByRole('searchbox', { name: 'Search items' }).fill('BULK-029999');
    // Sorted by name, item 29999 is nowhere near the first page: it shows because the search found it.
    await page.getByRole('link', { name: /29999$/ }).first().waitFor();
  });

  it('opens item pages from the big catalogue and the demo shop, with stock and history', async () => {
    for (const sku of ['BULK-000123', 'BULK-015000', 'BULK-029990', 'MUG-STONE', 'CANDLE-STRAW']) {
      await page.goto(`/items?q=${sku}`);
      const link = page.locator('[data-testid="items-scroller"] a').first();
      await link.waitFor();
      await link.click();
      await page.getByTestId('item-on-hand').waitFor();
      await page.getByTestId('item-history').locator('tr, .empty').first().waitFor();
    }
  });
});
