import { beforeAll, describe, expect, it } from 'vitest';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { postMovements } from '../ledger/index.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { ManualClock } from '../../platform/clock.ts';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop, type Shop } from '../../../test/support/fixtures.ts';
import { demandOverWindow, flagDemandDays, forecastContext, forecastItem, runForecasts, storedForecast, type ForecastRunProgress } from './index.ts';
import { readDemandHistories, readDemandHistory } from './demand-history.ts';
import { forecastAccuracy } from './forecast-accuracy.service.ts';

const DAY = 86_400_000;
const firstDay = Date.UTC(2026, 0, 5); // a Monday
const dateOf = (d: number) => new Date(firstDay + d * DAY).toISOString().slice(0, 10);
const DAYS = 120;

async function post(ctx: ServiceContext, kind: 'receipt' | 'sale', itemId: string, bin: string, units: number, day: number) {
  const [from, to] = kind === 'receipt' ? [VIRTUAL_LOCATION_IDS.vendor, bin] : [bin, VIRTUAL_LOCATION_IDS.customer];
  await postMovements(ctx, {
    kind,
    documentType: kind,
    documentId: `${kind}-${day}-${Math.random()}`,
    effectiveAt: firstDay + day * DAY + 12 * 3_600_000,
    movements: [{ itemId, fromLocationId: from, toLocationId: to, qty: units * 1000, ...(kind === 'receipt' ? { unitCostMicros: 1_000_000 } : {}) }],
  });
}

describeEachDatabase('forecasting service', (get) => {
  let ctx: ServiceContext & { clock: ManualClock };
  let shop: Shop;
  let itemId: string;

  beforeAll(async () => {
    ctx = serviceContext(get().db, new ManualClock(firstDay));
    shop = await makeShop(ctx);
    const item = await makeItem(ctx, { category: 'Gloves' });
    itemId = item.id;
    // Store: 500 in on day 0, 3 sold every day, never out.
    // Warehouse (strict): 200 in on day 0, 4 a day until day 49 empties it; nothing to sell
    // days 50–54; 300 in on day 55 and 4 a day again.
    ctx.clock.set(firstDay + 13 * 3_600_000);
    await post(ctx, 'receipt', itemId, shop.storeBin, 500, 0);
    await post(ctx, 'receipt', itemId, shop.warehouseBins[0]!, 200, 0);
    for (let d = 0; d < DAYS; d += 1) {
      ctx.clock.set(firstDay + d * DAY + 13 * 3_600_000);
      if (d === 55) await post(ctx, 'receipt', itemId, shop.warehouseBins[0]!, 300, d);
      await post(ctx, 'sale', itemId, shop.storeBin, 3, d);
      if (d < 50 || d >= 55) await post(ctx, 'sale', itemId, shop.warehouseBins[0]!, 4, d);
    }
    // Today is day 120: history runs to day 119.
    ctx.clock.set(firstDay + DAYS * DAY + 9 * 3_600_000);
  }, 120_000);

  it('reads a series per site and censors the days the site had none', async () => {
    const [store, warehouse] = [shop.store.id, shop.warehouse.id];
    const forecasts = await forecastItem(ctx, itemId);
    const bySite = new Map(forecasts.map((f) => [f.siteId, f]));
    const w = bySite.get(warehouse)!.history;
    expect(w.series.start).toBe(dateOf(0));
    expect(w.series.values).toHaveLength(DAYS);
    // Day 0 started empty (stock came at noon), day 49 sold the last 4 (ended at 0), days 50–54
    // had nothing, day 55 started empty: 8 censored days.
    expect(w.censoredDays).toBe(8);
    expect(w.series.censored!.map((c, d) => (c ? d : -1)).filter((d) => d >= 0)).toEqual([0, 49, 50, 51, 52, 53, 54, 55]);
    expect(w.series.values[52]).toBe(0);
    expect(w.series.values[60]).toBe(4);
    const s = bySite.get(store)!.history;
    expect(s.censoredDays).toBe(1);
    expect(s.series.values.every((v) => v === 3)).toBe(true);
    // Days out of stock are not read as no demand: 4 a day ahead at the warehouse, 3 at the store.
    expect(bySite.get(warehouse)!.forecast.mean.slice(0, 7)).toEqual([4, 4, 4, 4, 4, 4, 4]);
    expect(bySite.get(store)!.forecast.mean.slice(0, 7)).toEqual([3, 3, 3, 3, 3, 3, 3]);
    expect(bySite.get(store)!.forecast.demandClass).toBe('smooth');
  });

  it('stores the forecast, and a window sized from it matches the history', async () => {
    const stored = await storedForecast(ctx.db.kysely, itemId, shop.store.id);
    expect(stored).not.toBeNull();
    expect(stored!.start).toBe(dateOf(DAYS));
    expect(stored!.rmsse).toBe(0);
    // 3 a day for 9 days with no backtest error: 27, and no safety stock.
    expect(demandOverWindow(stored!, 0, 9, 0.95)).toEqual({ mean: 27, quantile: 27 });
  });

  it('keeps flagged promotion days out of the baseline', async () => {
    const item = await makeItem(ctx, { category: 'Gloves' });
    ctx.clock.set(firstDay + DAYS * DAY);
    await post(ctx, 'receipt', item.id, shop.storeBin, 2000, 0);
    for (let d = 0; d < DAYS; d += 1) {
      ctx.clock.set(firstDay + d * DAY + 13 * 3_600_000);
      await post(ctx, 'sale', item.id, shop.storeBin, d >= 110 && d < 113 ? 40 : 2, d);
    }
    ctx.clock.set(firstDay + DAYS * DAY + 9 * 3_600_000);
    await flagDemandDays(ctx, { itemId: item.id, fromOn: dateOf(110), toOn: dateOf(112), reason: 'Half-price week' });
    const [f] = await forecastItem(ctx, item.id, { siteIds: [shop.store.id] });
    expect(f!.history.series.flagged!.filter(Boolean)).toHaveLength(3);
    expect(f!.forecast.mean.slice(0, 3)).toEqual([2, 2, 2]);
  }, 60_000);

  it('runs over every item with progress and refuses a second run while one is going', async () => {
    const seen: ForecastRunProgress[] = [];
    const done = await runForecasts(ctx, { trigger: 'test', onProgress: (p) => seen.push({ ...p }) });
    // Two stocked items, each moved at its sites: 2 + 1 forecasts.
    expect(done.itemsTotal).toBe(2);
    expect(done.itemsDone).toBe(2);
    expect(done.forecastsWritten).toBe(3);
    expect(seen.at(-1)).toEqual(done);
    const run = await ctx.db.kysely.selectFrom('forecast_runs').selectAll().where('id', '=', done.runId).executeTakeFirstOrThrow();
    expect(run.status).toBe('finished');
    expect(Number(run.items_done)).toBe(2);

    const now = ctx.clock.now();
    await ctx.db.kysely.insertInto('forecast_runs').values({ id: 'fcr_BUSY', status: 'running', trigger: 'test', items_total: 2, items_done: 0, forecasts_written: 0, error: null, started_at: now, updated_at: now, finished_at: null, running_lock: 1 }).execute();
    await expect(runForecasts(ctx, { trigger: 'test' })).rejects.toMatchObject({ code: 'forecast_run_in_progress' });
    // Eleven minutes without progress: the run is taken as dead and a new one starts.
    ctx.clock.set(now + 11 * 60_000);
    await expect(runForecasts(ctx, { trigger: 'test' })).resolves.toMatchObject({ itemsDone: 2 });
    const dead = await ctx.db.kysely.selectFrom('forecast_runs').select('status').where('id', '=', 'fcr_BUSY').executeTakeFirstOrThrow();
    expect(dead.status).toBe('failed');
  }, 60_000);

  it('reads a batch of items in one pass exactly as one item at a time, flags included, and the run stores those forecasts', async () => {
    const items = (await ctx.db.kysely.selectFrom('items').select('id').where('stocked', '=', 1).orderBy('id').execute()).map((i) => i.id);
    const fc = await forecastContext(ctx);
    const batch = await readDemandHistories(fc.db, [...items, 'itm_NOTHING'], fc.options);
    for (const id of items) expect(batch.get(id)).toEqual(await readDemandHistory(fc.db, id, fc.options));
    expect(batch.get('itm_NOTHING')).toEqual([]);
    // The promotion's item keeps its three flagged days when read with the others.
    expect(items.some((id) => batch.get(id)!.some((h) => h.series.flagged!.filter(Boolean).length === 3))).toBe(true);
    ctx.clock.set(ctx.clock.now() + 11 * 60_000);
    await runForecasts(ctx, { trigger: 'test' });
    const fresh = await forecastItem(ctx, items[0]!);
    for (const f of fresh) expect((await storedForecast(ctx.db.kysely, items[0]!, f.siteId))!.mean).toEqual(f.forecast.mean);
  }, 60_000);

  it('reports accuracy per class and category against seasonal naive', async () => {
    const report = await forecastAccuracy(ctx, {});
    // Three forecasts, all exact in their last window (constant demand), as is seasonal naive.
    expect(report.overall.forecasts).toBe(3);
    expect(report.overall.rmsse).toBe(0);
    expect(report.byCategory.map((g) => g.key)).toEqual(['Gloves']);
    expect(report.byClass.map((g) => g.key)).toEqual(['smooth']);
    const scoped = await forecastAccuracy({ ...ctx, actor: { ...ctx.actor, sites: new Set([shop.warehouse.id]) } }, {});
    expect(scoped.overall.forecasts).toBe(1);
  });
});
