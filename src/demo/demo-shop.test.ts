import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, describeEachDatabase, serviceContext } from '../../test/support/databases.ts';
import type { Database } from '../platform/db/database.ts';
import { checkLedger } from '../modules/ledger/index.ts';
import { checkTransit } from '../modules/transfers/index.ts';
import { checkProduction } from '../modules/production/index.ts';
import '../modules/sales/index.ts';
import '../modules/fulfillment/index.ts';
import { loadDemoShop } from './demo-shop.ts';
import { Random } from './random.ts';

const DAYS = 21;
/** A 21-day shop takes a minute on two idle cores; beside other suites, many times that. */
const SHOP_TIMEOUT_MS = 600_000;

async function negativePhysicalBalances(db: Database): Promise<number> {
  const row = await sql<{ n: number | string }>`select count(*) as n from balances b join locations l on l.id = b.location_id where l.kind <> 'virtual' and b.on_hand < 0`.execute(db.kysely);
  return Number(row.rows[0]!.n);
}

describeEachDatabase('the simulated demo shop', (get) => {
  it(`trades ${DAYS} days through the services, never oversells, and the ledger holds`, { timeout: SHOP_TIMEOUT_MS }, async () => {
    const ctx = serviceContext(get().db);
    const summary = await loadDemoShop(ctx, { days: DAYS });
    expect(summary).toMatchObject({ days: DAYS, sites: 3, items: 300, vendors: 11 });
    expect(summary.sales).toBeGreaterThan(DAYS * 40);
    expect(summary.orders).toBeGreaterThan(DAYS * 3);
    expect(summary.shipments).toBeGreaterThan(0);
    expect(summary.purchaseOrders).toBeGreaterThan(DAYS);
    expect(summary.receipts).toBeGreaterThan(DAYS);
    expect(summary.movements).toBeGreaterThan(summary.sales);
    // The simulation sells only what its model says is on the shelf; the ledger agrees to the unit.
    expect(await negativePhysicalBalances(get().db)).toBe(0);
    const report = await checkLedger(get().db, ctx.clock.now());
    expect(report.invariants.filter((i) => i.violations.length > 0)).toEqual([]);
    // Every Monday the warehouse tops the stores up; each transfer is unloaded and closed the same day.
    const transfers = await get().db.kysely.selectFrom('transfers').select(['status']).execute();
    expect(transfers.length).toBeGreaterThan(0);
    expect(new Set(transfers.map((t) => t.status))).toEqual(new Set(['closed']));
    expect((await checkTransit(get().db)).filter((i) => !i.ok)).toEqual([]);
    // The stores' monthly stocktake found the shelf losses nobody wrote down, and posted them.
    const found = await get().db.kysely.selectFrom('count_lines').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'posted').where('variance_qty', '<', 0).executeTakeFirstOrThrow();
    expect(Number(found.n)).toBeGreaterThan(0);

    // Main Street bakes every morning by production orders: flour in, croissants out, a few burnt.
    expect(summary.productionOrders).toBeGreaterThan(DAYS * 3);
    const bakes = await get().db.kysely.selectFrom('production_orders').select(['status', 'qty_produced', 'qty_scrapped']).execute();
    expect(new Set(bakes.map((b) => b.status))).toEqual(new Set(['completed']));
    expect(bakes.some((b) => b.qty_scrapped > 0)).toBe(true);
    expect((await checkProduction(get().db)).filter((i) => !i.ok)).toEqual([]);
    // The café's drinks draw their beans and milk down through the recipes.
    const used = await sql<{ sku: string; qty: number | string }>`
      select i.sku, sum(m.qty) as qty from movements m join items i on i.id = m.item_id
      where m.kind = 'sale' and i.sku in ('BEAN-ESP-1KG', 'MILK-WHOLE', 'MILK-OAT') group by i.sku order by i.sku`.execute(get().db.kysely);
    expect(used.rows.map((r) => r.sku)).toEqual(['BEAN-ESP-1KG', 'MILK-OAT', 'MILK-WHOLE']);
    // Every counter sale took its tax from the demo's rules, none from the request: prices include
    // VAT at 20 %, bakes are zero-rated, and the Harbour kiosk's café drinks are at the reduced 5 %.
    const taxed = await sql<{ sku: string; code: string; rate: number | string; included: number | string }>`
      select distinct i.sku, loc.code, l.tax_rate_ppm as rate, s.tax_included as included
      from sale_lines l join sales s on s.id = l.sale_id join items i on i.id = l.item_id join locations loc on loc.id = s.site_id
      where i.sku in ('LATTE', 'COOK-CHOC', 'MUG-STONE') order by i.sku, loc.code`.execute(get().db.kysely);
    expect(taxed.rows.map((r) => `${r.sku} ${r.code} ${Number(r.rate)} ${Number(r.included)}`)).toEqual([
      'COOK-CHOC HARB 0 1',
      'COOK-CHOC MAIN 0 1',
      'LATTE HARB 50000 1',
      'LATTE MAIN 200000 1',
      'MUG-STONE HARB 200000 1',
      'MUG-STONE MAIN 200000 1',
    ]);
    // History ends last night: nothing is dated after the clock.
    const latest = await get().db.kysely.selectFrom('movements').select((eb) => eb.fn.max('effective_at').as('latest')).executeTakeFirstOrThrow();
    expect(Number(latest.latest)).toBeLessThan(ctx.clock.now());
  });
});

describe('the simulated demo shop, seeded', () => {
  it('builds the same shop from the same seed', { timeout: SHOP_TIMEOUT_MS }, async () => {
    const fingerprint = async (seed: number) => {
      const db = await createTestDatabase('sqlite');
      try {
        const summary = await loadDemoShop(serviceContext(db.db), { days: 10, seed });
        const sales = await db.db.kysely.selectFrom('sales').select(['number', 'created_at', 'total_micros']).orderBy('created_at').orderBy('number').execute();
        return { summary, sales };
      } finally {
        await db.destroy();
      }
    };
    const first = await fingerprint(7);
    expect(await fingerprint(7)).toEqual(first);
    expect((await fingerprint(8)).sales).not.toEqual(first.sales);
  });
});

describe('Random', () => {
  it('repeats its sequence for a seed, and draws Poisson counts around their mean', () => {
    const a = new Random(42);
    const b = new Random(42);
    const sequence = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sequence);
    expect(sequence.every((x) => x >= 0 && x < 1)).toBe(true);
    for (const mean of [0.3, 4, 60]) {
      const draws = Array.from({ length: 4000 }, () => a.poisson(mean));
      const average = draws.reduce((s, x) => s + x, 0) / draws.length;
      expect(Math.abs(average - mean)).toBeLessThan(Math.max(0.05, mean * 0.05));
    }
  });
});
