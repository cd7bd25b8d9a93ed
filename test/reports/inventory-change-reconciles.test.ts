import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../support/databases.ts';
import { localDate } from '../../src/platform/clock.ts';
import { loadDemoShop } from '../../src/demo/demo-shop.ts';
import '../../src/modules/sales/index.ts';
import '../../src/modules/fulfillment/index.ts';
import { inventoryChange } from '../../src/modules/reports/inventory-change.service.ts';
import { inventoryValuation } from '../../src/modules/reports/valuation.service.ts';
import { addDays } from '../../src/modules/reports/report-scope.ts';

/**
 * The roll-forward must agree with the valuation report at both ends of every month, to the micro.
 * The default demo trades 456 days, too slow for a test on two databases; the same seeded demo over
 * DAYS days, ending at the test clock (2 November 2026), spans October and the first of November, and
 * every one of those months is checked (STOCKROOM_RECONCILE_DAYS=456 runs the default demo's length).
 */
const DAYS = Number(process.env.STOCKROOM_RECONCILE_DAYS ?? 16);

describeEachDatabase('inventory change against valuation, on the demo shop', (get) => {
  let months: Array<{ from: string; to: string }>;

  beforeAll(async () => {
    const ctx = serviceContext(get().db);
    const summary = await loadDemoShop(ctx, { days: DAYS });
    months = [];
    for (let first = `${summary.from.slice(0, 7)}-01`; first <= summary.to; first = `${addDays(first, 31).slice(0, 7)}-01`) {
      const next = `${addDays(first, 31).slice(0, 7)}-01`;
      months.push({ from: first, to: addDays(next, -1) });
    }
  }, 1_200_000);

  it('reconciles opening and closing with valuation for every month of the history, and flows sum to the change', { timeout: 600_000 }, async () => {
    const ctx = serviceContext(get().db);
    expect(months.length).toBeGreaterThanOrEqual(2);
    let flowsSeen = 0;
    for (const month of months) {
      const change = await inventoryChange(ctx, month);
      const opening = await inventoryValuation(ctx, { asOf: change.scope.start - 1 });
      const closing = await inventoryValuation(ctx, { asOf: change.scope.end - 1 });
      expect(change.opening.value, `${month.from} opening`).toBe(opening.totalValue);
      expect(change.closing.value, `${month.to} closing`).toBe(closing.totalValue);
      // For the whole shop nothing is left to a balancing line: the flows are the whole change.
      expect(change.revaluation, month.from).toEqual({ qty: 0, value: 0 });
      const moved = change.flows.reduce((sum, f) => sum + f.value + f.landed, 0);
      expect(change.opening.value + moved).toBe(change.closing.value);
      flowsSeen += change.flows.length;
      // The month boundaries are the shop's midnights.
      expect(localDate(change.scope.start, change.scope.timeZone)).toBe(month.from);
    }
    expect(flowsSeen).toBeGreaterThan(months.length * 3);
  });

  it('for a site, keeps quantities exact and shows cost drift as a revaluation line', { timeout: 300_000 }, async () => {
    const ctx = serviceContext(get().db);
    const site = await get().db.kysely.selectFrom('locations').select('id').where('kind', '=', 'site').orderBy('code').executeTakeFirstOrThrow();
    for (const month of months) {
      const change = await inventoryChange(ctx, { ...month, siteId: site.id });
      const opening = await inventoryValuation(ctx, { locationId: site.id, asOf: change.scope.start - 1 });
      const closing = await inventoryValuation(ctx, { locationId: site.id, asOf: change.scope.end - 1 });
      expect(change.opening.value).toBe(opening.totalValue);
      expect(change.closing.value).toBe(closing.totalValue);
      expect(change.revaluation.qty, month.from).toBe(0);
      const moved = change.flows.reduce((sum, f) => sum + f.value + f.landed, 0);
      expect(change.opening.value + moved + change.revaluation.value).toBe(change.closing.value);
    }
  });
});
