import fs from 'node:fs';
import path from 'node:path';
import type { DemoShopSummary } from '../../src/demo/demo-shop.ts';
import { systemActor, type Actor, type ServiceContext } from '../../src/platform/context.ts';
import { startOfLocalDay, systemClock } from '../../src/platform/clock.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { inventoryValuation, stockSnapshotSettings, takeSalesDayTotals, takeStockSnapshots } from '../../src/modules/reports/index.ts';
import { readSettings } from '../../src/modules/settings/index.ts';
import { listBalances } from '../../src/modules/ledger/index.ts';
import { addDays } from '../../src/modules/reports/report-scope.ts';
import type { BenchRow } from '../lib/report.ts';
import { timeLoop } from '../lib/timing.ts';
import { cachedShop } from './big-shop.ts';
import type { BenchContext } from './context.ts';

/**
 * As-of questions on the simulated shop with daily snapshots: valuation of the whole shop, stock
 * and value at one site, and the per-item balances of that site page by page (the ledger's API),
 * as of noon 30 days before the shop's last day (a third of its history when shorter). Each is
 * timed with the snapshots beside the ceiling measured in the same run — the raw single query
 * that reads the precomputed answer (that day's snapshot rows) — with the ratio against the
 * issue's target of 3×, and without them (history reversed from now) for comparison. SQLite
 * only, as the shop is generated on SQLite.
 */
export async function benchSnapshots(ctx: BenchContext): Promise<BenchRow[]> {
  const { file, summary } = await cachedShopWithSnapshots(ctx);
  const label = `scale-${summary.scale} shop (${summary.items} items, ${(summary.movements / 1e6).toFixed(2)}M movements)`;
  const db = await openDatabase({ url: file });
  const service: ServiceContext = { db, clock: systemClock, actor: systemActor };
  const rows: BenchRow[] = [];
  try {
    const { time_zone } = await readSettings(db.kysely);
    const back = Math.min(30, Math.floor(summary.days / 3));
    const day = addDays(summary.to, -back);
    const asOf = startOfLocalDay(day, time_zone) + 12 * 3_600_000;
    const site = await db.kysely.selectFrom('locations').select('id').where('kind', '=', 'site').orderBy('id').limit(1).executeTakeFirstOrThrow();
    const oneSite: Actor = { ...systemActor, sites: new Set([site.id]) };
    const ms = Math.max(500, ctx.seconds * 1000);
    const previousDay = addDays(day, -1);
    // Each ceiling reads the columns an answer's line shows (item, SKU, name, category, quantity
    // and what values it), as the snapshot stores them: the precomputed answer, read raw.
    const ceilings = {
      costs: await timeLoop(ms, () => db.kysely.selectFrom('stock_snapshot_costs').select(['item_id', 'sku', 'name', 'category', 'qty', 'value_micros']).where('day', '=', previousDay).execute()),
      site: await timeLoop(ms, () =>
        db.kysely.selectFrom('stock_snapshot_balances').select(['item_id', 'sku', 'name', 'category', 'qty', 'pool_qty', 'pool_value_micros']).where('day', '=', previousDay).where('site_id', '=', site.id).execute(),
      ),
    };
    const cases: Array<[string, keyof typeof ceilings, () => Promise<unknown>]> = [
      [`valuation of the shop as of ${back} days ago`, 'costs', () => inventoryValuation(service, { asOf })],
      [`stock and value at one site as of ${back} days ago`, 'site', () => inventoryValuation({ ...service, actor: oneSite }, { asOf, locationId: site.id })],
      [`stock at one site as of ${back} days ago (GET /balances?as_of&group_by=item, pages of 500)`, 'site', () => balancesPages(service, site.id, asOf)],
    ];
    for (const [name, ceiling, run] of cases) {
      for (const use of [true, false]) {
        stockSnapshotSettings.use = use;
        ctx.log(`${name}, ${use ? 'with' : 'without'} snapshots`);
        const timing = await timeLoop(ms, run, 100);
        rows.push({
          scenario: `${name}, ${use ? 'from the daily snapshot' : 'history reversed from now (no snapshots)'}, ${label}`,
          database: 'sqlite',
          value: timing.p50,
          unit: 'ms',
          p99Ms: timing.p99,
          ceiling: { name: 'raw SQL: read that day’s snapshot rows (the columns a line shows)', value: ceilings[ceiling].p50 },
          note: use ? `${(timing.p50 / ceilings[ceiling].p50).toFixed(1)}× the ceiling (target ≤ 3×)` : undefined,
        });
      }
    }
  } finally {
    stockSnapshotSettings.use = true;
    await db.close();
  }
  return rows;
}

/**
 * The cached shop with its daily snapshots, as the job keeps them in a running shop: taken once
 * on a copy kept beside it in bench/.cache (the shop itself stays without, for the scenarios that
 * read history reversed from now). Taken as the job would, some minutes after the last write:
 * movements recorded in the five minutes before a snapshot are taken as possibly unseen, and a
 * freshly generated shop has just been written. Every day up to yesterday, a month per run.
 */
export async function cachedShopWithSnapshots(ctx: BenchContext): Promise<{ file: string; summary: DemoShopSummary }> {
  const { file, summary } = await cachedShop(ctx);
  const copy = file.replace(/\.db$/, '-snapshots.db');
  if (fs.existsSync(`${copy}.done`) && fs.existsSync(copy) && (await hasSnapshots(copy))) {
    await catchUpSalesDays(ctx, copy);
    return { file: copy, summary };
  }
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${copy}${suffix}`, { force: true });
  fs.copyFileSync(file, copy);
  const db = await openDatabase({ url: copy });
  try {
    const started = performance.now();
    const service: ServiceContext = { db, clock: { now: () => Date.now() + 6 * 60_000 }, actor: systemActor };
    let taken = 0;
    for (let days = await takeStockSnapshots(service); days.length; days = await takeStockSnapshots(service)) taken += days.length;
    ctx.log(`took ${taken} daily snapshots in ${((performance.now() - started) / 1000).toFixed(1)} s; kept in ${path.relative(process.cwd(), copy)}`);
  } finally {
    await db.close();
  }
  await catchUpSalesDays(ctx, copy);
  fs.writeFileSync(`${copy}.done`, JSON.stringify({ takenAt: new Date().toISOString() }));
  return { file: copy, summary };
}

/**
 * Adds up the closed days' sales the job has not yet (a copy kept from before the totals existed,
 * or days gone stale), as the job would before a report: the reports read them as they are kept.
 */
async function catchUpSalesDays(ctx: BenchContext, file: string): Promise<void> {
  const db = await openDatabase({ url: file });
  try {
    const started = performance.now();
    const service: ServiceContext = { db, clock: { now: () => Date.now() + 6 * 60_000 }, actor: systemActor };
    let added = 0;
    for (let days = await takeSalesDayTotals(service); days.length; days = await takeSalesDayTotals(service)) added += days.length;
    ctx.log(`added up ${added} closed days of sales in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.close();
  }
}

/**
 * Whether the kept copy still has its snapshots: a migration that changes what they hold deletes
 * them (opening the copy runs it), and the scenarios would then time the ledger instead.
 */
async function hasSnapshots(file: string): Promise<boolean> {
  const db = await openDatabase({ url: file });
  try {
    return (await db.kysely.selectFrom('stock_snapshot_days').select('day').limit(1).executeTakeFirst()) !== undefined;
  } finally {
    await db.close();
  }
}

/** Every page of the per-item balances at a site as of an instant, as a client of the API reads them. */
async function balancesPages(service: ServiceContext, siteId: string, asOf: number): Promise<number> {
  let lines = 0;
  let cursor: string | undefined;
  do {
    const page = await listBalances(service, { locationId: siteId, asOf, groupBy: 'item', includeVirtual: false, limit: 500, cursor });
    lines += page.lines.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return lines;
}
