import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import { localDate, startOfLocalDay } from '../../platform/clock.ts';
import type { ForecastRow } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { readSettings } from '../settings/index.ts';
import { addDays, forecastDemand, seriesShape, type DemandForecast, type DemandShape } from './engine.ts';
import { LocalDates, loadSiteOfLocation, readCategorySales, readDemandHistories, readDemandHistory, type ReadDemandOptions, type SiteDemandSeries } from './demand-history.ts';
import { ForecastingError } from './forecasting.errors.ts';

/**
 * Forecasts as a product capability: per item and site, read the demand history from the ledger,
 * let the engine classify, backtest and select, and store the result (one row per item and site,
 * replaced on every run). The job over all items records its progress in `forecast_runs`, so the
 * CLI and the logs can say how far it is; one item can be forecast on demand.
 */

/** Days ahead each stored forecast covers (a quarter: lead time + review period + slack). */
export const FORECAST_HORIZON_DAYS = 91;
/** A run that has not reported progress for this long is taken as dead (its process stopped). */
const RUN_STALE_MS = 10 * 60_000;
/** Progress is written every this many items. */
/** Items read, forecast and written together by the daily run (progress is reported after each batch). */
const RUN_BATCH = 100;
/** At most this many items per run (a limit on everything). */
const ITEMS_PER_RUN_MAX = 200_000;

const e6 = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 1e6));
const round4 = (v: number): number => Math.round(v * 10_000) / 10_000;

export interface ForecastContext {
  db: Executor;
  options: ReadDemandOptions;
  /** Category shapes by `category/site`, computed once per run. */
  shapes: Map<string, DemandShape | null>;
}

/** Where a forecast run stands: the last day of history is yesterday in the shop's time zone. */
export async function forecastContext(ctx: ServiceContext, endOn?: string): Promise<ForecastContext> {
  const db = reader(ctx);
  const { time_zone } = await readSettings(db);
  const last = endOn ?? addDays(localDate(ctx.clock.now(), time_zone), -1);
  return {
    db,
    options: { endOn: last, endsAt: startOfLocalDay(addDays(last, 1), time_zone), dates: new LocalDates(time_zone), sites: await loadSiteOfLocation(db) },
    shapes: new Map(),
  };
}

export interface SiteForecast {
  siteId: string;
  history: SiteDemandSeries;
  forecast: DemandForecast;
}

/** Forecasts one item at each site it moved at (or the given ones); new items borrow their category's shape at that site. */
export async function computeItemForecasts(
  fc: ForecastContext,
  item: { id: string; category: string | null },
  siteIds?: readonly string[],
  // Already read (the daily run reads a batch of items at once).
  read?: SiteDemandSeries[],
): Promise<SiteForecast[]> {
  const histories = read ?? (await readDemandHistory(fc.db, item.id, { ...fc.options, ...(siteIds ? { siteIds } : {}) }));
  const out: SiteForecast[] = [];
  for (const history of histories) {
    let forecast = forecastDemand(history.series, FORECAST_HORIZON_DAYS);
    if (forecast.demandClass === 'new' && item.category) {
      const key = `${item.category}/${history.siteId}`;
      if (!fc.shapes.has(key)) fc.shapes.set(key, seriesShape(await readCategorySales(fc.db, item.category, history.siteId, fc.options)));
      const shape = fc.shapes.get(key);
      if (shape) forecast = forecastDemand(history.series, FORECAST_HORIZON_DAYS, { shape });
    }
    out.push({ siteId: history.siteId, history, forecast });
  }
  return out;
}

function toRow(itemId: string, f: SiteForecast, runId: string | null, now: number): ForecastRow {
  const { forecast, history } = f;
  return {
    item_id: itemId,
    site_id: f.siteId,
    method: forecast.method,
    demand_class: forecast.demandClass,
    history_end_on: addDays(forecast.start, -1),
    history_days: history.series.values.length,
    censored_days: history.censoredDays,
    rmsse_e6: e6(forecast.rmsse),
    bias_e6: e6(forecast.bias),
    error_sd_e6: e6(forecast.errorSd) ?? 0,
    accuracy_method: forecast.accuracy?.method ?? null,
    accuracy_rmsse_e6: e6(forecast.accuracy?.rmsse),
    accuracy_bias_e6: e6(forecast.accuracy?.bias),
    benchmark_rmsse_e6: e6(forecast.accuracy?.benchmarkRmsse),
    benchmark_bias_e6: e6(forecast.accuracy?.benchmarkBias),
    parameters_json: JSON.stringify({
      adi: Number.isFinite(forecast.adi) ? round4(forecast.adi!) : null,
      cv2: forecast.cv2 === undefined ? null : round4(forecast.cv2),
      candidates: (forecast.candidates ?? []).map((c) => ({ method: c.method, rmsse: round4(c.rmsse), bias: round4(c.bias) })),
      method: forecast.parameters ?? {},
    }),
    forecast_json: JSON.stringify({
      start: forecast.start,
      mean: forecast.mean.map(round4),
      intervals: (forecast.intervals ?? []).map((i) => ({ level: i.level, lower: i.lower.map(round4), upper: i.upper.map(round4) })),
      windowErrorSd: (forecast.windowErrorSd ?? []).map(round4),
    }),
    run_id: runId,
    computed_at: now,
  };
}

async function storeForecasts(db: Executor, itemId: string, forecasts: readonly SiteForecast[], runId: string | null, now: number): Promise<void> {
  for (const f of forecasts) {
    const row = toRow(itemId, f, runId, now);
    const { item_id: _item, site_id: _site, ...update } = row;
    await db.insertInto('forecasts').values(row).onConflict((oc) => oc.columns(['item_id', 'site_id']).doUpdateSet(update)).execute();
  }
}

/** Forecasts one item now and stores the result (the on-demand path). */
export async function forecastItem(ctx: ServiceContext, itemId: string, options: { siteIds?: readonly string[]; endOn?: string } = {}): Promise<SiteForecast[]> {
  const item = await reader(ctx).selectFrom('items').where('id', '=', itemId).select(['id', 'category']).executeTakeFirstOrThrow();
  const fc = await forecastContext(ctx, options.endOn);
  const forecasts = await computeItemForecasts(fc, item, options.siteIds);
  await storeForecasts(reader(ctx), item.id, forecasts, null, ctx.clock.now());
  return forecasts;
}

/** The stored forecast of an item at a site as the engine's `DemandForecast` (what replenishment sizes windows with), or null. */
export async function storedForecast(db: Executor, itemId: string, siteId: string): Promise<DemandForecast | null> {
  const row = await db.selectFrom('forecasts').selectAll().where('item_id', '=', itemId).where('site_id', '=', siteId).executeTakeFirst();
  return row ? fromRow(row) : null;
}

export function fromRow(row: ForecastRow): DemandForecast {
  const body = JSON.parse(row.forecast_json) as { start: string; mean: number[]; intervals: DemandForecast['intervals']; windowErrorSd: number[] };
  const parameters = JSON.parse(row.parameters_json) as { adi: number | null; cv2: number | null; candidates: DemandForecast['candidates']; method?: Record<string, number> };
  const fromE6 = (v: number | null) => (v === null ? null : Number(v) / 1e6);
  const accuracy =
    row.accuracy_method !== null && row.accuracy_rmsse_e6 !== null && row.benchmark_rmsse_e6 !== null
      ? { method: row.accuracy_method, rmsse: fromE6(row.accuracy_rmsse_e6)!, bias: fromE6(row.accuracy_bias_e6) ?? 0, benchmarkRmsse: fromE6(row.benchmark_rmsse_e6)!, benchmarkBias: fromE6(row.benchmark_bias_e6) ?? 0 }
      : null;
  return {
    method: row.method,
    demandClass: row.demand_class as DemandForecast['demandClass'],
    start: body.start,
    mean: body.mean,
    errorSd: Number(row.error_sd_e6) / 1e6,
    rmsse: fromE6(row.rmsse_e6),
    bias: fromE6(row.bias_e6),
    ...(body.intervals ? { intervals: body.intervals } : {}),
    windowErrorSd: body.windowErrorSd,
    ...(parameters.candidates ? { candidates: parameters.candidates } : {}),
    ...(parameters.method ? { parameters: parameters.method } : {}),
    accuracy,
    ...(parameters.adi === null ? {} : { adi: parameters.adi }),
    ...(parameters.cv2 === null ? {} : { cv2: parameters.cv2 }),
  };
}

export interface ForecastRunProgress {
  runId: string;
  itemsDone: number;
  itemsTotal: number;
  forecastsWritten: number;
}

/**
 * Forecasts every stocked item at every site it moved at, writing progress as it goes. Refuses
 * to start while another run is alive (`forecast_run_in_progress`); a run silent for ten minutes
 * is taken as dead (its process stopped) and marked failed.
 */
export async function runForecasts(
  ctx: ServiceContext,
  options: { trigger: string; endOn?: string; onProgress?: (p: ForecastRunProgress) => void } = { trigger: 'manual' },
): Promise<ForecastRunProgress> {
  const now = ctx.clock.now();
  const db = reader(ctx);
  await db.updateTable('forecast_runs').set({ status: 'failed', error: 'stopped without finishing', finished_at: now, updated_at: now, running_lock: null }).where('status', '=', 'running').where('updated_at', '<', now - RUN_STALE_MS).execute();
  const items = await db.selectFrom('items').where('stocked', '=', 1).select(['id', 'category']).orderBy('id').limit(ITEMS_PER_RUN_MAX).execute();
  const runId = newId('fcr', now);
  let started = true;
  try {
    await db.insertInto('forecast_runs').values({ id: runId, status: 'running', trigger: options.trigger, items_total: items.length, items_done: 0, forecasts_written: 0, error: null, started_at: now, updated_at: now, finished_at: null, running_lock: 1 }).execute();
  } catch (err) {
    // The unique running lock: another run is going (here or in another server instance).
    const running = await db.selectFrom('forecast_runs').where('running_lock', '=', 1).select('id').executeTakeFirst();
    if (!running) throw err;
    started = false;
  }
  if (!started) throw new ForecastingError('forecast_run_in_progress', 'Forecasts are being computed by another run; wait for it to finish.');
  const progress: ForecastRunProgress = { runId, itemsDone: 0, itemsTotal: items.length, forecastsWritten: 0 };
  try {
    const fc = await forecastContext(ctx, options.endOn);
    // A batch at a time: its histories in one read, its forecasts in one write.
    for (let first = 0; first < items.length; first += RUN_BATCH) {
      const batch = items.slice(first, first + RUN_BATCH);
      const histories = await readDemandHistories(fc.db, batch.map((i) => i.id), fc.options);
      const made: Array<{ itemId: string; forecasts: SiteForecast[] }> = [];
      for (const item of batch) made.push({ itemId: item.id, forecasts: await computeItemForecasts(fc, item, undefined, histories.get(item.id) ?? []) });
      await inTransaction(ctx, async (trx) => {
        for (const m of made) await storeForecasts(trx, m.itemId, m.forecasts, runId, ctx.clock.now());
      });
      progress.itemsDone += batch.length;
      progress.forecastsWritten += made.reduce((a, m) => a + m.forecasts.length, 0);
      await db.updateTable('forecast_runs').set({ items_done: progress.itemsDone, forecasts_written: progress.forecastsWritten, updated_at: ctx.clock.now() }).where('id', '=', runId).execute();
      options.onProgress?.(progress);
    }
    const end = ctx.clock.now();
    await db.updateTable('forecast_runs').set({ status: 'finished', items_done: progress.itemsDone, forecasts_written: progress.forecastsWritten, updated_at: end, finished_at: end, running_lock: null }).where('id', '=', runId).execute();
    return progress;
  } catch (err) {
    const end = ctx.clock.now();
    await db.updateTable('forecast_runs').set({ status: 'failed', error: err instanceof Error ? err.message.slice(0, 500) : 'failed', updated_at: end, finished_at: end, running_lock: null }).where('id', '=', runId).execute();
    throw err;
  }
}

/**
 * The housekeeping job: once a day (the first tick after the shop's local midnight), forecast
 * every item. Answers how many forecasts it wrote; 0 when today's run has been done or another
 * run is going.
 */
export async function runForecastsIfDue(ctx: ServiceContext): Promise<number> {
  const { time_zone } = await readSettings(reader(ctx));
  const today = localDate(ctx.clock.now(), time_zone);
  const since = startOfLocalDay(today, time_zone);
  const done = await reader(ctx).selectFrom('forecast_runs').where('started_at', '>=', since).where('status', 'in', ['running', 'finished']).select('id').executeTakeFirst();
  if (done) return 0;
  try {
    return (await runForecasts(ctx, { trigger: 'schedule' })).forecastsWritten;
  } catch (err) {
    if (err instanceof ForecastingError && err.code === 'forecast_run_in_progress') return 0;
    throw err;
  }
}

export async function latestForecastRun(db: Executor) {
  return db.selectFrom('forecast_runs').selectAll().orderBy('started_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export interface DemandFlagInput {
  itemId?: string | null;
  siteId?: string | null;
  fromOn: string;
  toOn: string;
  reason: string;
}

/** Flags days (a promotion of one item, a holiday for all) so their sales stay out of the baseline; they are filled and not scored. */
export async function flagDemandDays(ctx: ServiceContext, input: DemandFlagInput): Promise<string> {
  if (input.fromOn > input.toOn) throw new ForecastingError('forecast_flag_invalid', '`from` is after `to`.');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.fromOn) || !/^\d{4}-\d{2}-\d{2}$/.test(input.toOn)) throw new ForecastingError('forecast_flag_invalid', 'Dates are YYYY-MM-DD.');
  if (input.reason.trim() === '' || input.reason.length > 200) throw new ForecastingError('forecast_flag_invalid', 'Say why the days are flagged (at most 200 characters).');
  const id = newId('dfl', ctx.clock.now());
  await reader(ctx)
    .insertInto('demand_flags')
    .values({ id, item_id: input.itemId ?? null, site_id: input.siteId ?? null, from_on: input.fromOn, to_on: input.toOn, reason: input.reason.trim(), created_at: ctx.clock.now() })
    .execute();
  return id;
}
