import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { CHROMIUM, launchChromium, signIn } from '../../test/browser/browser.ts';
import { seedItems } from '../../test/browser/seed.ts';
import { startWebServer } from '../../test/browser/server.ts';
import type { BenchRow } from '../lib/report.ts';
import { percentile as percentileOfSorted } from '../lib/stats.ts';
import type { BenchContext } from './context.ts';

/**
 * The web app on a big catalogue (30,000 items; 3,000 with --quick), in Debian's Chromium: how
 * long the items list takes to show, how smooth a scroll that pages rows in from the server is,
 * how long a search and an item page take. These were wall-clock assertions in the browser suite,
 * which a busy 2-core machine failed on noise; here each is a figure beside a ceiling from the
 * same run: the API request the page waits for, and for the scroll the frame time of the same
 * scroll loop on an empty page (the display's own pace).
 */
export async function benchWeb(ctx: BenchContext): Promise<BenchRow[]> {
  if (!existsSync(CHROMIUM)) {
    ctx.log(`no Chromium at ${CHROMIUM} (apt-get install chromium): web figures skipped`);
    return [];
  }
  const items = ctx.quick ? 3_000 : 30_000;
  const server = await startWebServer('demo', async (dbPath) => {
    execFileSync(process.execPath, ['dist/cli/main.js', 'demo', '--no-serve', '--days', '0', '--db', dbPath], { stdio: 'ignore', env: { ...process.env, LOG_LEVEL: 'warn' } });
    ctx.log(`seeding ${items.toLocaleString('en')} items`);
    await seedItems(dbPath, items);
  });
  const browser = await launchChromium(server.origin);
  const rows: BenchRow[] = [];
  const note = `${items.toLocaleString('en')} items`;
  try {
    const page = await browser.newPage();
    await signIn(page, 'owner@demo.test', 'demo-owner-pass');
    const runs = ctx.quick ? 3 : 7;

    ctx.log('items list');
    await timeItemsList(page); // warm: the first visit also loads the page's code
    const list = await repeat(runs, () => timeItemsList(page));
    const listApi = await repeat(runs, () => timeFetch(page, '/api/v1/items?limit=200'));
    rows.push(msRow('web: items list shows', list, 'GET /api/v1/items?limit=200 from the page', listApi, note));

    ctx.log('scrolling');
    const scroll = await scrollFrames(page, '[data-testid="items-scroller"]', ctx.quick ? 2000 : 5000);
    await page.setContent('<div id="empty" style="height:200px;overflow:auto"><div style="height:10000000px"></div></div>');
    const idle = await scrollFrames(page, '#empty', ctx.quick ? 2000 : 5000);
    rows.push({ ...msRow('web: items scroll frame (p95)', [percentile(scroll.frames, 95)], 'same scroll, empty page', [percentile(idle.frames, 95)], note), note: `${note}, ${scroll.rowsPast} rows scrolled past, ${scroll.frames.filter((f) => f > 50).length} frames over 50 ms` });

    ctx.log('search');
    const search = await repeat(runs, async () => {
      await page.goto('/items');
      await page.getByRole('row').nth(5).waitFor();
      const started = performance.now();
      await page.getByRole('searchbox', { name: 'Search items' }).fill(`BULK-${String(items - 1).padStart(6, '0')}`);
      await page.getByRole('link', { name: new RegExp(`${items - 1}$`) }).first().waitFor();
      return performance.now() - started;
    });
    const searchApi = await repeat(runs, () => timeFetch(page, `/api/v1/items?limit=200&q=BULK-${String(items - 1).padStart(6, '0')}`));
    rows.push(msRow('web: items search shows', search, 'the same search from the page', searchApi, `${note}; includes the search box's debounce`));

    ctx.log('item pages');
    const skus = ['BULK-000123', `BULK-${String(Math.floor(items / 2)).padStart(6, '0')}`, 'MUG-STONE', 'CANDLE-STRAW'];
    const open: number[] = [];
    const openApi: number[] = [];
    for (const sku of skus) {
      await page.goto(`/items?q=${sku}`);
      const link = page.locator('[data-testid="items-scroller"] a').first();
      await link.waitFor();
      const href = await link.getAttribute('href');
      const started = performance.now();
      await link.click();
      await page.getByTestId('item-on-hand').waitFor();
      await page.getByTestId('item-history').locator('tr, .empty').first().waitFor();
      open.push(performance.now() - started);
      const id = href?.split('/').pop();
      if (id) openApi.push(await timeFetch(page, `/api/v1/items/${id}`));
    }
    rows.push(msRow('web: item page opens', open, 'GET /api/v1/items/{id} from the page', openApi, note));
  } finally {
    await browser.close();
    await server.stop();
  }
  return rows;
}

function percentile(values: readonly number[], p: number): number {
  return percentileOfSorted([...values].sort((a, b) => a - b), p);
}

function msRow(scenario: string, runs: number[], ceilingName: string, ceilingRuns: number[], note: string): BenchRow {
  const median = percentile(runs, 50);
  return {
    scenario,
    database: 'sqlite',
    value: median,
    unit: 'ms',
    p50Ms: median,
    p99Ms: Math.max(...runs),
    ceiling: { name: ceilingName, value: percentile(ceilingRuns, 50) },
    note,
  };
}

async function repeat(times: number, run: () => Promise<number>): Promise<number[]> {
  const results: number[] = [];
  for (let i = 0; i < times; i += 1) results.push(await run());
  return results;
}

async function timeItemsList(page: Page): Promise<number> {
  await page.goto('/');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  const started = performance.now();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Items', exact: true }).click();
  await page.getByRole('row').nth(5).waitFor();
  await page.getByText(/^200\+ items$/).waitFor();
  return performance.now() - started;
}

/** One API request from inside the page (its cookie, its connection), timed there. */
async function timeFetch(page: Page, url: string): Promise<number> {
  return page.evaluate(async (target) => {
    const started = performance.now();
    const response = await fetch(target, { credentials: 'same-origin' });
    await response.text();
    return performance.now() - started;
  }, url);
}

/**
 * Scrolls an element by 500 px a frame for `ms`, and returns the frame times and how far it got.
 * The script is a string: tsx would wrap a function's inner arrows in a helper the page lacks.
 */
async function scrollFrames(page: Page, selector: string, ms: number): Promise<{ frames: number[]; rowsPast: number }> {
  const script = `(async () => {
    const scroller = document.querySelector(${JSON.stringify(selector)});
    const frames = [];
    let last = performance.now();
    const end = last + ${ms};
    await new Promise((resolve) => {
      function step(now) {
        frames.push(now - last);
        last = now;
        scroller.scrollTop += 500;
        if (now < end) requestAnimationFrame(step);
        else resolve();
      }
      requestAnimationFrame(step);
    });
    return { frames, scrollTop: scroller.scrollTop };
  })()`;
  const result = (await page.evaluate(script)) as { frames: number[]; scrollTop: number };
  return { frames: result.frames.slice(1), rowsPast: Math.round(result.scrollTop / 40) };
}
