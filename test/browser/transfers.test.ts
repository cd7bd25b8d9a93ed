import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser, preparePassword } from '../../src/modules/access/index.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { checkLedger } from '../../src/modules/ledger/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { checkTransit, createTransfer } from '../../src/modules/transfers/index.ts';
import { createTransferBody } from '../../src/modules/transfers/transfers.schema.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { launchChromium, screenshot, signIn, wedgeScan, type LaunchedBrowser } from './browser.ts';
import { startWebServer, type WebServer } from './server.ts';

/**
 * A transfer from the warehouse to a store done entirely in scanner mode on a phone: the
 * warehouse clerk picks it by scanning each unit and ships it with one tap; the store clerk scans
 * what arrived, marks a broken one as damaged, and posts the receipt, which flags it.
 */

const PHONE = { width: 390, height: 844 };
const BARCODE = '4006381333931';
const WAREHOUSE_CLERK = { email: 'wh@shop.test', password: 'forklift pallet harbour' };
const STORE_CLERK = { email: 'store@shop.test', password: 'counter window lantern' };

async function arrange(dbPath: string): Promise<void> {
  const db = await openDatabase({ url: dbPath });
  const ctx = { db, clock: systemClock, actor: systemActor };
  try {
    const store = await createLocation(ctx, { kind: 'site', code: 'MAIN', name: 'Main Street store', site_type: 'store' });
    const warehouse = await createLocation(ctx, { kind: 'site', code: 'WH', name: 'Warehouse', site_type: 'warehouse' });
    const bin = await createLocation(ctx, { kind: 'bin', parent_id: warehouse.id, code: 'A01', name: 'Aisle A, shelf 1', pick_order: 1 });
    const item = await createItem(ctx, {
      sku: 'MUG-STONE',
      name: 'Stoneware mug',
      base_unit: 'ea',
      tracking: 'none',
      tracks_expiry: false,
      costing_method: 'fifo',
      stocked: true,
      units: [],
      barcodes: [BARCODE],
      components: [],
    });
    await createAdjustment(ctx, { location_id: bin.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 10_000, unit_cost: 4_500_000 }] });
    for (const [person, site] of [
      [WAREHOUSE_CLERK, warehouse.id],
      [STORE_CLERK, store.id],
    ] as const) {
      const passwordHash = await preparePassword(person.password, { email: person.email, name: person.email });
      await createUser(ctx, { email: person.email, name: person.email, role: 'staff', sites: [site], passwordHash });
    }
    await createTransfer(ctx, createTransferBody.parse({ source_site_id: warehouse.id, destination_site_id: store.id, lines: [{ item_id: item.id, qty: 3 }] }));
  } finally {
    await db.close();
  }
}

async function openTransfer(page: Page, list: string): Promise<void> {
  await page.goto('/scanner/transfers');
  await page.getByTestId(list).getByRole('link').first().click();
}

describe('a transfer picked, shipped and received by scans on a phone', () => {
  let server: WebServer;
  let browsers: LaunchedBrowser[] = [];

  beforeAll(async () => {
    server = await startWebServer('serve', arrange);
  });
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await server?.stop();
  });

  it('the warehouse picks each unit by scanning and ships what it picked', async () => {
    const browser = await launchChromium(server.origin, PHONE);
    browsers.push(browser);
    const page = await browser.newPage();
    await signIn(page, WAREHOUSE_CLERK.email, WAREHOUSE_CLERK.password);
    await openTransfer(page, 'scanner-transfers-pick');
    await page.getByRole('heading', { name: /Pick TRF-\d{6}/ }).waitFor();
    const progress = page.getByTestId('pick-progress');
    for (let n = 1; n <= 3; n += 1) {
      await wedgeScan(page, BARCODE);
      await expect.poll(() => progress.textContent()).toContain(`${n} / 3 picked`);
    }
    // A fourth unit is refused: nothing more was allocated.
    await wedgeScan(page, BARCODE);
    await expect.poll(() => page.getByTestId('scan-last').textContent()).toMatch(/left to pick/);
    await page.getByRole('button', { name: 'Ship 3 picked' }).click();
    await page.getByRole('status').filter({ hasText: 'Shipped' }).waitFor();
    await screenshot(page, 'transfer-picked-shipped-phone');
  });

  it('the store scans what arrived, marks one unit damaged, and the receipt flags it', async () => {
    const browser = await launchChromium(server.origin, PHONE);
    browsers.push(browser);
    const page = await browser.newPage();
    await signIn(page, STORE_CLERK.email, STORE_CLERK.password);
    await openTransfer(page, 'scanner-transfers-receive');
    await page.getByRole('heading', { name: /Receive TRF-\d{6}/ }).waitFor();
    const progress = page.getByTestId('receive-progress');
    await wedgeScan(page, BARCODE);
    await expect.poll(() => progress.textContent()).toContain('1 good');
    await wedgeScan(page, BARCODE);
    await expect.poll(() => progress.textContent()).toContain('2 good');
    await page.getByRole('button', { name: 'Next scans are damaged' }).click();
    await wedgeScan(page, BARCODE);
    await expect.poll(() => progress.textContent()).toContain('1 damaged');
    await page.getByRole('button', { name: 'Post receipt' }).click();
    await page.getByRole('status').filter({ hasText: 'Received in full' }).waitFor();
    await expect.poll(() => page.getByTestId('receive-flags').textContent()).toMatch(/damaged.*arrived damaged and went to scrap/);
    await expect.poll(() => page.getByTestId('receive-progress').textContent()).toContain('2 received, 1 damaged of 3 shipped');
    await screenshot(page, 'transfer-received-phone');

    const db = await openDatabase({ url: server.dbPath, migrate: false });
    try {
      const failed = [...(await checkLedger(db)).invariants, ...(await checkTransit(db))].filter((i) => !i.ok);
      expect(failed).toEqual([]);
      const store = await db.kysely
        .selectFrom('balances as b')
        .innerJoin('locations as l', 'l.id', 'b.location_id')
        .select(['l.full_code', 'b.on_hand'])
        .where('l.full_code', 'in', ['MAIN/MAIN', 'WH/A01'])
        .orderBy('l.full_code')
        .execute();
      expect(store.map((r) => [r.full_code, r.on_hand])).toEqual([
        ['MAIN/MAIN', 2000],
        ['WH/A01', 7000],
      ]);
    } finally {
      await db.close();
    }
  });
});
