import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install chromium`), driven by playwright-core; never a
 * downloaded browser. Each launch gets a fresh profile folder, removed on close.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface LaunchedBrowser {
  context: BrowserContext;
  /** A new tab on the origin, with a default timeout fit for a 2-core machine. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * One browser with its own fresh profile (--user-data-dir, which playwright sets through
 * launchPersistentContext); so two launches are two people with separate cookies.
 */
export async function launchChromium(origin: string, viewport = { width: 1366, height: 900 }): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'stockroom-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    baseURL: origin,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream'],
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR ?? 'test-artifacts/screenshots');

/** The whole page, or with `fullPage: false` the window alone (what the docs show). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: options.fullPage ?? true });
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/**
 * Types a code as a keyboard-wedge scanner does: real key events (keydown, char, keyup) for
 * every character, 3 ms apart by their own timestamps, then Enter. The events are sent down one
 * DevTools session without waiting for each to be acknowledged, the way a scanner's USB reports
 * arrive, and carry their times, so a busy 2-core CI machine that delivers them late does not
 * stretch the burst into something that looks like typing.
 */
export async function wedgeScan(page: Page, code: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const startedAt = Date.now() / 1000;
    let k = 0;
    const at = () => startedAt + 0.003 * k++;
    const sent: Promise<unknown>[] = [];
    for (const ch of code) {
      const keyCode = ch.toUpperCase().charCodeAt(0);
      sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: ch, text: ch, unmodifiedText: ch, windowsVirtualKeyCode: keyCode, timestamp: at() }));
      sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch, windowsVirtualKeyCode: keyCode, timestamp: at() }));
    }
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Enter', code: 'Enter', text: '\r', unmodifiedText: '\r', windowsVirtualKeyCode: 13, timestamp: at() }));
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, timestamp: at() }));
    await Promise.all(sent);
  } finally {
    await cdp.detach();
  }
}
