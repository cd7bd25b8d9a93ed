import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, screenshot, signIn, type LaunchedBrowser } from './browser.ts';
import { seedItems } from './seed.ts';
import { startWebServer, type WebServer } from './server.ts';

/**
 * The demo shop plus 30,000 items: how long the items list takes to show, how smoothly it
 * scrolls (frame times over a programmatic scroll that pages in ~4,000 rows from the server),
 * and how long an item page takes to open. The figures are printed and written to
 * test-artifacts/performance.json; the assertions are loose ceilings, so a busy CI machine
 * does not fail on noise, while a regression of the kind that matters (a list that renders
 * every row, an item page that reads the whole ledger) does.
 */

const ITEMS = 30_000;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function timeItemsList(page: Page): Promise<number> {
  await page.goto('/');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  const started = Date.now();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Items', exact: true }).click();
  await page.getByRole('row').nth(5).waitFor();
  await page.getByText(/^200\+ items$/).waitFor();
  return Date.now() - started;
}

describe(`the web app on a shop with ${ITEMS.toLocaleString('en')} items`, () => {
  let server: WebServer;
  let browser: LaunchedBrowser;
  let page: Page;
  const figures: Record<string, unknown> = { items: ITEMS };

  beforeAll(async () => {
    server = await startWebServer('demo', async (dbPath) => {
      execFileSync(process.execPath, ['dist/cli/main.js', 'demo', '--no-serve', '--days', '0', '--db', dbPath], { stdio: 'ignore', env: { ...process.env, LOG_LEVEL: 'warn' } });
      const started = Date.now();
      await seedItems(dbPath, ITEMS);
      figures.seed_ms = Date.now() - started;
    });
    browser = await launchChromium(server.origin);
    page = await browser.newPage();
    await signIn(page, 'owner@demo.test', 'demo-owner-pass');
  });
  afterAll(async () => {
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync(path.join('test-artifacts', 'performance.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log('web performance:', JSON.stringify(figures));
    await browser?.close();
    await server?.stop();
  });

  it('shows the first page of the items list quickly', async () => {
    await timeItemsList(page); // warm: the first visit also loads the page's code
    const runs = [await timeItemsList(page), await timeItemsList(page), await timeItemsList(page)];
    figures.items_list_load_ms = { runs, median: percentile(runs, 50) };
    expect(percentile(runs, 50)).toBeLessThan(3000);
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
    const frames = result.frames.slice(1);
    const seconds = frames.reduce((s, f) => s + f, 0) / 1000;
    figures.items_scroll = {
      frames: frames.length,
      fps: Math.round(frames.length / seconds),
      frame_ms_p50: Math.round(percentile(frames, 50) * 10) / 10,
      frame_ms_p95: Math.round(percentile(frames, 95) * 10) / 10,
      frame_ms_max: Math.round(Math.max(...frames)),
      frames_over_50ms: frames.filter((f) => f > 50).length,
      rows_scrolled_past: rowsReached,
      rows_in_dom: result.renderedRows,
    };
    // Virtualised: only the rows in view (plus a few) are in the page, however far it went.
    expect(result.renderedRows).toBeLessThan(80);
    expect(rowsReached).toBeGreaterThan(1000);
    expect(percentile(frames, 95)).toBeLessThan(100);
  });

  it('finds an item among 30,000 by a debounced search', async () => {
    const started = Date.now();
    await page.getByRole('searchbox', { name: 'Search items' }).fill('BULK-029999');
    await page.getByRole('link', { name: 'deluxe' }).or(page.getByRole('link', { name: /29999$/ })).first().waitFor();
    figures.items_search_ms = Date.now() - started;
    expect(figures.items_search_ms as number).toBeLessThan(3000);
  });

  it('opens an item page in under a second', async () => {
    const runs: number[] = [];
    for (const sku of ['BULK-000123', 'BULK-015000', 'BULK-029990', 'MUG-STONE', 'CANDLE-STRAW']) {
      await page.goto(`/items?q=${sku}`);
      const link = page.locator('[data-testid="items-scroller"] a').first();
      await link.waitFor();
      const started = Date.now();
      await link.click();
      await page.getByTestId('item-on-hand').waitFor();
      await page.getByTestId('item-history').locator('tr, .empty').first().waitFor();
      runs.push(Date.now() - started);
    }
    figures.item_page_open_ms = { runs, median: percentile(runs, 50), max: Math.max(...runs) };
    expect(percentile(runs, 50)).toBeLessThan(1500);
  });
});
