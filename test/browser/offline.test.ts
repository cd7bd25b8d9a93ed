import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser, preparePassword } from '../../src/modules/access/index.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { checkLedger } from '../../src/modules/ledger/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { createPurchaseOrder, createVendor, sendPurchaseOrder } from '../../src/modules/purchasing/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { launchChromium, screenshot, signIn, wedgeScan, type LaunchedBrowser } from './browser.ts';
import { startWebServer, type WebServer } from './server.ts';

/**
 * The shop's Wi-Fi drops: the till rings five sales and the phone scans a delivery with no
 * connection, the page is even reloaded while offline, and when the connection is back everything
 * reaches the server once, in the order it was made, dated when it happened.
 */

const BARCODE = '4006381333931';
const OWNER = { email: 'owner@shop.test', password: 'kettle lantern harbour' };

async function arrange(dbPath: string): Promise<void> {
  const db = await openDatabase({ url: dbPath });
  const ctx = { db, clock: systemClock, actor: systemActor };
  try {
    const store = await createLocation(ctx, { kind: 'site', code: 'MAIN', name: 'Main Street', site_type: 'store' });
    const item = await createItem(ctx, {
      sku: 'TEA-GREEN',
      name: 'Green tea',
      base_unit: 'ea',
      tracking: 'none',
      tracks_expiry: false,
      costing_method: 'fifo',
      stocked: true,
      price: 3_000_000,
      units: [],
      barcodes: [BARCODE],
      components: [],
    });
    await createAdjustment(ctx, { location_id: store.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 20_000, unit_cost: 1_000_000 }] });
    const vendor = await createVendor(ctx, { name: 'Leaf & Co' });
    const po = await createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: store.id, lines: [{ item_id: item.id, qty: 12_000, unit_price: 1_500_000 }] });
    await sendPurchaseOrder(ctx, po.id);
    const passwordHash = await preparePassword(OWNER.password, { email: OWNER.email, name: 'Olive Owner' });
    await createUser(ctx, { email: OWNER.email, name: 'Olive Owner', role: 'owner', sites: 'all', passwordHash });
  } finally {
    await db.close();
  }
}

/** Waits until the service worker controls the page and the till's catalogue is kept in IndexedDB. */
async function readyForOffline(page: Page): Promise<void> {
  // The page's own globals: this file is compiled without the DOM's types.
  await page.waitForFunction(() => Boolean((globalThis as any).navigator.serviceWorker?.controller), undefined, { timeout: 30_000 });
  await page.waitForFunction(
    () =>
      new Promise<boolean>((resolve) => {
        const open = (globalThis as any).indexedDB.open('stockroom-offline');
        open.onerror = () => resolve(false);
        open.onsuccess = () => {
          const db = open.result as any;
          if (!db.objectStoreNames.contains('cache')) return resolve(false);
          const get = db.transaction('cache').objectStore('cache').get('till-catalogue');
          get.onsuccess = () => resolve(Boolean(get.result && (get.result as { items: unknown[] }).items.length > 0));
          get.onerror = () => resolve(false);
        };
      }),
    undefined,
    { timeout: 30_000, polling: 500 },
  );
}

/** The queue as this browser holds it: kind, key and moment of each entry, oldest first. */
async function queued(page: Page): Promise<Array<{ kind: string; idempotencyKey: string; occurredAt: string }>> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = (globalThis as any).indexedDB.open('stockroom-offline');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = (open.result as any).transaction('queue').objectStore('queue').getAll();
          all.onsuccess = () => resolve((all.result as Array<{ kind: string; idempotencyKey: string; occurredAt: string }>).map((e) => ({ kind: e.kind, idempotencyKey: e.idempotencyKey, occurredAt: e.occurredAt })));
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

async function ringOneTea(page: Page, n: number): Promise<void> {
  await wedgeScan(page, BARCODE);
  await page.getByTestId('basket').getByText('Green tea', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Take $3.00' }).click();
  await page.getByTestId('queued-sale').waitFor();
  await expect.poll(() => page.getByTestId('offline-status').textContent()).toContain(`${n} sale${n === 1 ? '' : 's'}`);
}

describe('the counter and the scanner with the network cut', () => {
  let server: WebServer;
  let browser: LaunchedBrowser;
  let page: Page;

  beforeAll(async () => {
    server = await startWebServer('serve', arrange);
    browser = await launchChromium(server.origin);
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('rings five sales and receives a delivery offline, survives a reload, and posts all of it once, in order, at the moments it happened', async () => {
    await signIn(page, OWNER.email, OWNER.password);
    await page.getByRole('combobox', { name: 'Site you are working at' }).selectOption({ label: 'Main Street' });
    // Online once: the open orders are read (and kept) by the delivery screen.
    await page.goto('/scanner/receive');
    await page.getByRole('button', { name: /PO-/ }).waitFor();
    await page.goto('/selling/counter');
    await page.getByRole('heading', { name: 'Counter' }).waitFor();
    await readyForOffline(page);

    await browser.context.setOffline(true);
    await ringOneTea(page, 1);
    await ringOneTea(page, 2);
    await ringOneTea(page, 3);

    // A delivery scanned on the scanner screen: three cases of the order.
    await page.goto('/scanner/receive');
    await page.getByRole('button', { name: /PO-/ }).click();
    await page.getByRole('heading', { name: /offline/ }).waitFor();
    for (let i = 0; i < 3; i += 1) {
      await wedgeScan(page, BARCODE);
      await expect.poll(() => page.getByTestId('offline-receipt-lines').textContent()).toContain(`Green tea: ${i + 1}`);
    }
    await page.getByRole('button', { name: 'Keep receipt until online' }).click();
    await page.getByTestId('queued-receipt').waitFor();

    await page.goto('/selling/counter');
    await page.getByRole('heading', { name: 'Counter' }).waitFor();
    await ringOneTea(page, 4);
    await ringOneTea(page, 5);

    // The page is reloaded with no connection: the app shell and the queue are still there.
    await page.reload();
    await page.getByRole('heading', { name: 'Counter' }).waitFor();
    await expect.poll(() => page.getByTestId('offline-status').textContent()).toBe('offline — 5 sales, 1 receipt waiting');
    await screenshot(page, 'offline-counter-waiting');
    const entries = await queued(page);
    expect(entries.map((e) => e.kind)).toEqual(['sale', 'sale', 'sale', 'receipt', 'sale', 'sale']);

    await browser.context.setOffline(false);
    await expect.poll(async () => (await queued(page)).length, { timeout: 30_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('offline-sent').textContent()).toContain('posted as MAIN-T1-000005');
    await screenshot(page, 'offline-counter-sent');

    const db = await openDatabase({ url: server.dbPath, migrate: false });
    try {
      expect((await checkLedger(db)).invariants.filter((i) => !i.ok)).toEqual([]);
      const sales = await db.kysely.selectFrom('sales').select(['id', 'number', 'created_at']).orderBy('number').execute();
      const saleEntries = entries.filter((e) => e.kind === 'sale');
      // Once each, numbered in the till's own sequence in the order they were rung, dated when they were rung.
      expect(sales.map((s) => s.number)).toEqual(['MAIN-T1-000001', 'MAIN-T1-000002', 'MAIN-T1-000003', 'MAIN-T1-000004', 'MAIN-T1-000005']);
      expect(sales.map((s) => new Date(Number(s.created_at)).toISOString())).toEqual(saleEntries.map((e) => e.occurredAt));
      const receipts = await db.kysely.selectFrom('receipts').select(['status', 'received_at']).execute();
      expect(receipts.map((r) => [r.status, new Date(Number(r.received_at)).toISOString()])).toEqual([['posted', entries[3]!.occurredAt]]);
      // The ledger agrees: each sale's movement and the receipt's are dated at those moments, recorded after.
      const moves = await db.kysely.selectFrom('movements').select(['kind', 'qty', 'effective_at', 'recorded_at', 'document_id']).where('kind', 'in', ['sale', 'receipt']).orderBy('effective_at').execute();
      expect(moves.map((m) => [m.kind, Number(m.qty), new Date(Number(m.effective_at)).toISOString()])).toEqual(
        entries.map((e) => [e.kind, e.kind === 'sale' ? 1000 : 3000, e.occurredAt]),
      );
      for (const m of moves) expect(Number(m.recorded_at)).toBeGreaterThan(Number(m.effective_at));
      const balance = await db.kysely.selectFrom('balances as b').innerJoin('locations as l', 'l.id', 'b.location_id').select('b.on_hand').where('l.full_code', '=', 'MAIN/MAIN').executeTakeFirstOrThrow();
      expect(Number(balance.on_hand)).toBe(20_000 + 3_000 - 5_000);
    } finally {
      await db.close();
    }
  });
});
