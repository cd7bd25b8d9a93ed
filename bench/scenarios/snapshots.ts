import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemActor, type Actor, type ServiceContext } from '../../src/platform/context.ts';
import { startOfLocalDay, systemClock } from '../../src/platform/clock.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { inventoryValuation, stockSnapshotSettings, takeStockSnapshots } from '../../src/modules/reports/index.ts';
import { readSettings } from '../../src/modules/settings/index.ts';
import { addDays } from '../../src/modules/reports/report-scope.ts';
import type { BenchRow } from '../lib/report.ts';
import { timeLoop } from '../lib/timing.ts';
import { cachedShop } from './big-shop.ts';
import type { BenchContext } from './context.ts';

/**
 * As-of questions on the simulated shop with daily snapshots: valuation of the whole shop and
 * stock at one site, as of noon 30 days before the shop's last day (a third of its history when shorter). Each is timed with the
 * snapshots, beside the ceiling measured in the same run — the raw single query that reads the
 * precomputed answer (that day's snapshot rows) — and without them (history reversed from now),
 * for comparison. The snapshots are taken on a copy of the cached shop, so other scenarios still
 * read it without them. SQLite only, as the shop is generated on SQLite.
 */
export async function benchSnapshots(ctx: BenchContext): Promise<BenchRow[]> {
  const { file, summary } = await cachedShop(ctx);
  const label = `scale-${summary.scale} shop (${summary.items} items, ${(summary.movements / 1e6).toFixed(2)}M movements)`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-snapshots-'));
  const copy = path.join(dir, 'shop.db');
  fs.copyFileSync(file, copy);
  const db = await openDatabase({ url: copy });
  const service: ServiceContext = { db, clock: systemClock, actor: systemActor };
  const rows: BenchRow[] = [];
  try {
    const started = performance.now();
    // Taken as the job would, some minutes after the last write: movements recorded in the five
    // minutes before a snapshot are taken as possibly unseen, and a freshly generated shop has
    // just been written.
    const days = await takeStockSnapshots({ ...service, clock: { now: () => Date.now() + 6 * 60_000 } });
    ctx.log(`took ${days.length} daily snapshots in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const { time_zone } = await readSettings(db.kysely);
    const back = Math.min(30, Math.floor(summary.days / 3));
    const day = addDays(summary.to, -back);
    const asOf = startOfLocalDay(day, time_zone) + 12 * 3_600_000;
    const site = await db.kysely.selectFrom('locations').select('id').where('kind', '=', 'site').orderBy('id').limit(1).executeTakeFirstOrThrow();
    const oneSite: Actor = { ...systemActor, sites: new Set([site.id]) };
    const ms = Math.max(500, ctx.seconds * 1000);
    const previousDay = addDays(day, -1);
    const ceilings = {
      costs: await timeLoop(ms, () => db.kysely.selectFrom('stock_snapshot_costs').select(['item_id', 'qty', 'value_micros']).where('day', '=', previousDay).execute()),
      site: await timeLoop(ms, () => db.kysely.selectFrom('stock_snapshot_balances').select(['item_id', 'qty']).where('day', '=', previousDay).where('site_id', '=', site.id).execute()),
    };
    const cases: Array<[string, keyof typeof ceilings, () => Promise<unknown>]> = [
      [`valuation of the shop as of ${back} days ago`, 'costs', () => inventoryValuation(service, { asOf })],
      [`stock and value at one site as of ${back} days ago`, 'site', () => inventoryValuation({ ...service, actor: oneSite }, { asOf, locationId: site.id })],
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
          ceiling: { name: 'raw SQL: read that day’s snapshot rows', value: ceilings[ceiling].p50 },
        });
      }
    }
  } finally {
    stockSnapshotSettings.use = true;
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
