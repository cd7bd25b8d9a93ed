import { sql } from 'kysely';
import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import { localDate, systemClock } from '../../src/platform/clock.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { inventoryChangeTable } from '../../src/modules/reports/inventory-change.service.ts';
import { abcTable, profitabilityTable, salesBreakdownTable, sellThroughTable } from '../../src/modules/reports/sales-reports.service.ts';
import { deadStockTable, discountsTable, expiringLotsTable, lowStockTable, shrinkageTable } from '../../src/modules/reports/stock-reports.service.ts';
import { addDays, resolveScope } from '../../src/modules/reports/report-scope.ts';
import { inventoryValueTotal } from '../../src/modules/reports/index.ts';
import { salesByDay } from '../../src/modules/reports/sales-by-day.service.ts';
import { stockAlerts, stockValueHistory } from '../../src/modules/reports/stock-status.service.ts';
import type { BenchRow } from '../lib/report.ts';
import { timeLoop } from '../lib/timing.ts';
import { cachedShopWithSnapshots } from './snapshots.ts';
import type { BenchContext } from './context.ts';

/**
 * Every standard report for the last 30 days of the simulated shop (the one the big-shop scenario
 * reads, generated once and cached, with its daily snapshots as the job keeps them), each beside the same ceiling measured in the same run: one raw
 * query summing that month's movements by kind, and marked against the 1 s target; then the
 * dashboard against its 300 ms. SQLite only, as the shop is generated on SQLite.
 */
export async function benchReports(ctx: BenchContext): Promise<BenchRow[]> {
  const { file, summary } = await cachedShopWithSnapshots(ctx);
  const label = `scale-${summary.scale} shop (${summary.items} items, ${(summary.movements / 1e6).toFixed(2)}M movements)`;
  const db = await openDatabase({ url: file });
  const service: ServiceContext = { db, clock: systemClock, actor: systemActor };
  const rows: BenchRow[] = [];
  try {
    const to = summary.to;
    const from = addDays(to, -29);
    const period = { from, to };
    const scope = await resolveScope(service, period);
    const ms = Math.max(500, ctx.seconds * 1000);
    ctx.log(`reports for ${from} to ${to}: the ceiling first`);
    const ceiling = await timeLoop(ms, () =>
      sql`select kind, sum(qty) as qty, sum(value_micros) as value from movements where effective_at >= ${scope.start} and effective_at < ${scope.end} group by kind`.execute(db.kysely),
    );
    const reports: Array<[string, () => Promise<unknown>]> = [
      ['inventory change', () => inventoryChangeTable(service, period)],
      ['profitability by item', () => profitabilityTable(service, period, 'item')],
      ['profitability by category', () => profitabilityTable(service, period, 'category')],
      ['sales by hour', () => salesBreakdownTable(service, period, 'hour')],
      ['ABC classes', () => abcTable(service, period)],
      ['sell-through', () => sellThroughTable(service, period)],
      ['losses by reason', () => shrinkageTable(service, period, 'reason')],
      ['discounts and voids by employee', () => discountsTable(service, period, 'employee')],
      ['dead and slow stock', () => deadStockTable(service, {}, { days: 90, coverWeeks: 26 })],
      ['expiring lots', () => expiringLotsTable(service, {}, 30)],
      ['low stock', () => lowStockTable(service, {})],
    ];
    for (const [name, run] of reports) {
      ctx.log(name);
      const timing = await timeLoop(ms, run, 100);
      rows.push({
        scenario: `report: ${name}, one month, ${label}`,
        database: 'sqlite',
        value: timing.p50,
        unit: 'ms',
        p99Ms: timing.p99,
        ceiling: { name: 'raw SQL: sum the month’s movements by kind', value: ceiling.p50 },
        note: [timing.p50 < 1000 ? 'under the 1 s target' : 'over the 1 s target', localDate(scope.start, scope.timeZone) === from ? '' : 'period shifted by the time zone'].filter(Boolean).join('; '),
      });
    }
    rows.push(await dashboard(ctx, service, label, ms, to));
  } finally {
    await db.close();
  }
  return rows;
}

/**
 * The dashboard's figures for the whole shop as its page asks for them, at once: stock value (the
 * total alone, as `GET /reports/valuation?lines=false` answers it), stock alerts, sales by day and stock value by day over 30 days. The ceiling reads
 * every item's cost pool, the precomputed figure behind the stock value tile.
 */
async function dashboard(ctx: BenchContext, service: ServiceContext, label: string, ms: number, to: string): Promise<BenchRow> {
  ctx.log('dashboard');
  const from = addDays(to, -29);
  const ceiling = await timeLoop(ms, () => sql`select item_id, pool_qty, pool_value_micros from item_costs`.execute(service.db.kysely));
  const timing = await timeLoop(
    ms,
    () => Promise.all([inventoryValueTotal(service, {}), stockAlerts(service, { limit: 500 }), salesByDay(service, { from, to }), stockValueHistory(service, 30)]),
    100,
  );
  return {
    scenario: `dashboard: stock value, alerts, sales and value by day, ${label}`,
    database: 'sqlite',
    value: timing.p50,
    unit: 'ms',
    p99Ms: timing.p99,
    ceiling: { name: 'raw SQL: read every item cost pool', value: ceiling.p50 },
    note: timing.p50 < 300 ? 'under the 300 ms target' : 'over the 300 ms target',
  };
}
