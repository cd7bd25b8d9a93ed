import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, preparePassword } from '../../src/modules/access/index.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { checkLedger } from '../../src/modules/ledger/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { checkProduction, createBomVersion, createProductionOrder } from '../../src/modules/production/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { launchChromium, screenshot, signIn, type LaunchedBrowser } from './browser.ts';
import { startWebServer, type WebServer } from './server.ts';

/**
 * The baker at the oven with a tablet: opens the morning's production order on the Production
 * page, types what came out (18 good loaves, 2 burnt) and the flour really used, and completes it.
 */

const TABLET = { width: 820, height: 1180 };
const BAKER = { email: 'baker@shop.test', password: 'oven crust morning' };

async function arrange(dbPath: string): Promise<void> {
  const db = await openDatabase({ url: dbPath });
  const ctx = { db, clock: systemClock, actor: systemActor };
  try {
    const store = await createLocation(ctx, { kind: 'site', code: 'MAIN', name: 'Main Street store', site_type: 'store' });
    const item = (sku: string, name: string, base_unit: string) =>
      createItem(ctx, { sku, name, base_unit, tracking: 'none', tracks_expiry: false, costing_method: 'fifo', stocked: true, units: [], barcodes: [], components: [] });
    const flour = await item('FLOUR', 'Bread flour', 'kg');
    const loaf = await item('LOAF', 'Sourdough loaf', 'ea');
    await createAdjustment(ctx, { location_id: store.default_bin_id!, reason: 'opening_balance', lines: [{ item_id: flour.id, qty: 25_000, unit_cost: 1_200_000 }] });
    await createBomVersion(ctx, loaf.id, { batch_qty: 20_000, labour: 3_000_000, lines: [{ item_id: flour.id, qty: 10_000 }] });
    await createProductionOrder(ctx, { item_id: loaf.id, site_id: store.id, qty: 20_000, start: true, planned_for: new Date().toISOString().slice(0, 10) });
    const passwordHash = await preparePassword(BAKER.password, { email: BAKER.email, name: BAKER.email });
    await createUser(ctx, { email: BAKER.email, name: 'Baker', role: 'staff', sites: [store.id], passwordHash });
  } finally {
    await db.close();
  }
}

describe('a production order completed from a tablet at the oven', () => {
  let server: WebServer;
  let browser: LaunchedBrowser | undefined;

  beforeAll(async () => {
    server = await startWebServer('serve', arrange);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the baker records 18 good loaves, 2 burnt and 9.5 kg of flour, and the order completes', async () => {
    browser = await launchChromium(server.origin, TABLET);
    const page = await browser.newPage();
    await signIn(page, BAKER.email, BAKER.password);
    await page.goto('/production');
    await page.getByTestId('production-orders').getByRole('link').first().click();
    await page.getByRole('heading', { name: /Production PRD-\d{6}/ }).waitFor();
    const form = page.getByTestId('complete-form');
    await form.getByLabel('Good ea made').fill('18');
    await form.getByLabel('Made and thrown away (burnt)').fill('2');
    await form.getByLabel('Bread flour (kg)').fill('9.5');
    await form.getByRole('button', { name: 'Complete the order' }).click();
    await expect.poll(() => page.getByTestId('production-summary').textContent()).toContain('made 18');
    await expect.poll(() => page.getByTestId('production-summary').textContent()).toContain('scrapped 2');
    // Staff see no costs, even of what they baked.
    expect(await page.getByTestId('production-summary').textContent()).not.toMatch(/cost/);
    await screenshot(page, 'production-completed-tablet');

    const db = await openDatabase({ url: server.dbPath, migrate: false });
    try {
      expect([...(await checkLedger(db)).invariants, ...(await checkProduction(db))].filter((i) => !i.ok)).toEqual([]);
      const stock = await db.kysely
        .selectFrom('balances as b')
        .innerJoin('items as i', 'i.id', 'b.item_id')
        .innerJoin('locations as l', 'l.id', 'b.location_id')
        .select(['i.sku', 'b.on_hand', 'b.reserved'])
        .where('l.kind', '!=', 'virtual')
        .orderBy('i.sku')
        .execute();
      expect(stock.map((r) => [r.sku, r.on_hand, r.reserved])).toEqual([
        ['FLOUR', 15_500, 0],
        ['LOAF', 18_000, 0],
      ]);
    } finally {
      await db.close();
    }
  });
});
