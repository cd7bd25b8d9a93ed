import { sql } from 'kysely';
import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import { localDate, systemClock } from '../../src/platform/clock.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { inventoryChangeTable } from '../../src/modules/reports/inventory-change.service.ts';
import { abcTable, profitabilityTable, salesBreakdownTable, sellThroughTable } from '../../src/modules/reports/sales-reports.service.ts';
import { deadStockTable, discountsTable, expiringLotsTable, lowStockTable, shrinkageTable } from '../../src/modules/reports/stock-reports.service.ts';
import { addDays, resolveScope } from '../../src/modules/reports/report-scope.ts';
import type { BenchRow } from '../lib/report.ts';
import { timeLoop } from '../lib/timing.ts';
import { cachedShop } from './big-shop.ts';
import type { BenchContext } from './context.ts';

/**
 * Every standard report for the last 30 days of the simulated shop (the one the big-shop scenario
 * reads, generated once and cached), each beside the same ceiling measured in the same run: one raw
 * query summing that month's movements by kind. SQLite only, as the shop is generated on SQLite.
 */
export async function benchReports(ctx: BenchContext): Promise<BenchRow[]> {
  const { file, summary } = await cachedShop(ctx);
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
        note: localDate(scope.start, scope.timeZone) === from ? undefined : 'period shifted by the time zone',
      });
    }
  } finally {
    await db.close();
  }
  return rows;
}
