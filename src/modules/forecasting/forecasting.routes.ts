import { z } from 'zod';
import { toIso } from '../../platform/clock.ts';
import { canSeeSite, reader } from '../../platform/context.ts';
import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import { idInput, idParams, instantOutput } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { getItem } from '../catalog/index.ts';
import { getLocation } from '../locations/index.ts';
import { addDays, type DemandForecast } from './engine.ts';
import { forecastAccuracy, type AccuracyGroup } from './forecast-accuracy.service.ts';
import { computeItemForecasts, forecastContext, fromRow, FORECAST_HORIZON_DAYS } from './forecasting.service.ts';

const score = z.number().nullable().meta({ description: 'RMSSE (root mean squared scaled error, M5): below 1 beats a one-day naive forecast in sample.' });

const siteForecastOutput = z.object({
  site_id: z.string(),
  method: z.string(),
  demand_class: z.enum(['smooth', 'erratic', 'intermittent', 'lumpy', 'new']),
  adi: z.number().nullable().meta({ description: 'Average demand interval: usable days per day with demand.' }),
  cv2: z.number().nullable().meta({ description: 'Squared coefficient of variation of the non-zero daily demands.' }),
  rmsse: score,
  bias: z.number().nullable().meta({ description: 'Σ(forecast − actual) / Σ actual over the backtest windows.' }),
  accuracy: z
    .object({ method: z.string(), rmsse: z.number(), bias: z.number(), benchmark_rmsse: z.number(), benchmark_bias: z.number() })
    .nullable()
    .meta({ description: 'Out of sample: the method chosen on the earlier backtest windows, scored on the last one, beside weekly seasonal naive.' }),
  candidates: z.array(z.object({ method: z.string(), rmsse: z.number(), bias: z.number() })),
  parameters: z.record(z.string(), z.number()).meta({ description: 'The selected method’s parameters (smoothing constants, window).' }),
  computed_at: instantOutput.nullable().meta({ description: 'When the stored forecast was made; null when computed for this request.' }),
  censored_days: z.number().int(),
  history: z.array(z.object({ date: z.string(), qty: z.number(), censored: z.boolean(), flagged: z.boolean() })),
  forecast: z.array(z.object({ date: z.string(), mean: z.number(), lower_80: z.number(), upper_80: z.number(), lower_95: z.number(), upper_95: z.number() })),
});

const itemForecastOutput = z.object({ item_id: z.string(), horizon_days: z.number().int(), sites: z.array(siteForecastOutput) }).meta({ id: 'ItemForecast' });

const groupOutput = z.object({
  key: z.string(),
  forecasts: z.number().int(),
  rmsse: z.number().nullable(),
  bias: z.number().nullable(),
  benchmark_rmsse: z.number().nullable(),
  benchmark_bias: z.number().nullable(),
  beats_benchmark: z.number().nullable().meta({ description: 'Share of forecasts whose RMSSE is below the benchmark’s.' }),
});

const accuracyOutput = z
  .object({
    benchmark: z.literal('seasonal_naive_weekly'),
    computed_at: instantOutput.nullable(),
    overall: groupOutput,
    by_class: z.array(groupOutput),
    by_category: z.array(groupOutput),
    by_method: z.array(groupOutput),
  })
  .meta({ id: 'ForecastAccuracy' });

function toGroup(g: AccuracyGroup) {
  return { key: g.key, forecasts: g.forecasts, rmsse: g.rmsse, bias: g.bias, benchmark_rmsse: g.benchmarkRmsse, benchmark_bias: g.benchmarkBias, beats_benchmark: g.beatsBenchmark };
}

const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

function forecastDays(f: DemandForecast, days: number) {
  const i80 = f.intervals?.find((i) => i.level === 0.8);
  const i95 = f.intervals?.find((i) => i.level === 0.95);
  return f.mean.slice(0, days).map((mean, k) => ({
    date: addDays(f.start, k),
    mean: r4(mean),
    lower_80: r4(i80?.lower[k] ?? mean),
    upper_80: r4(i80?.upper[k] ?? mean),
    lower_95: r4(i95?.lower[k] ?? mean),
    upper_95: r4(i95?.upper[k] ?? mean),
  }));
}

export function registerForecastingRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/items/:id/forecast', {
    schema: {
      tags: ['forecasting', 'items'],
      summary: 'An item’s daily demand history and forecast per site, with intervals, method and demand class',
      description:
        'History is what sold per day at each granted site (days out of stock marked censored, promotion and holiday days flagged). The forecast is the stored one when it was made from history up to yesterday, else it is computed for this request (not stored).',
      params: idParams('itm'),
      querystring: z.strictObject({
        site_id: idInput('loc').optional(),
        history_days: z.coerce.number().int().min(0).max(1096).default(182),
        days: z.coerce.number().int().min(1).max(FORECAST_HORIZON_DAYS).default(56),
        fresh: z.enum(['true', 'false']).default('false').meta({ description: '`true` computes the forecast now even when a stored one is current.' }),
      }),
      response: { 200: itemForecastOutput },
    },
    config: { access: { permission: 'stock.read', location: { from: 'query', field: 'site_id' } }, errors: ['item_not_found', 'location_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const item = await getItem(ctx, request.params.id);
      let siteIds: string[] | undefined;
      if (request.query.site_id) {
        const location = await getLocation(ctx, request.query.site_id);
        siteIds = [location.site_id ?? location.id];
      }
      const fc = await forecastContext(ctx);
      const computed = await computeItemForecasts(fc, { id: item.id, category: item.category }, siteIds);
      const visible = computed.filter((f) => canSeeSite(ctx.actor, f.siteId));
      const stored = visible.length
        ? await reader(ctx).selectFrom('forecasts').selectAll().where('item_id', '=', item.id).where('site_id', 'in', visible.map((f) => f.siteId)).execute()
        : [];
      const storedBySite = new Map(stored.map((r) => [r.site_id, r]));
      const fresh = request.query.fresh === 'true';
      return {
        item_id: item.id,
        horizon_days: request.query.days,
        sites: visible.map((f) => {
          const row = storedBySite.get(f.siteId);
          const useStored = row && !fresh && row.history_end_on === fc.options.endOn;
          const forecast = useStored ? fromRow(row) : f.forecast;
          const { series } = f.history;
          const from = Math.max(0, series.values.length - request.query.history_days);
          return {
            site_id: f.siteId,
            method: forecast.method,
            demand_class: forecast.demandClass,
            adi: forecast.adi !== undefined && Number.isFinite(forecast.adi) ? r4(forecast.adi) : null,
            cv2: forecast.cv2 === undefined ? null : r4(forecast.cv2),
            rmsse: forecast.rmsse === null ? null : r4(forecast.rmsse),
            bias: forecast.bias === null || forecast.bias === undefined ? null : r4(forecast.bias),
            accuracy: forecast.accuracy
              ? { method: forecast.accuracy.method, rmsse: r4(forecast.accuracy.rmsse), bias: r4(forecast.accuracy.bias), benchmark_rmsse: r4(forecast.accuracy.benchmarkRmsse), benchmark_bias: r4(forecast.accuracy.benchmarkBias) }
              : null,
            candidates: (forecast.candidates ?? []).map((c) => ({ method: c.method, rmsse: r4(c.rmsse), bias: r4(c.bias) })),
            parameters: forecast.parameters ?? {},
            computed_at: useStored ? toIso(Number(row.computed_at)) : null,
            censored_days: f.history.censoredDays,
            history: series.values.slice(from).map((qty, k) => ({
              date: addDays(series.start, from + k),
              qty: r4(qty),
              censored: Boolean(series.censored?.[from + k]),
              flagged: Boolean(series.flagged?.[from + k]),
            })),
            forecast: forecastDays(forecast, request.query.days),
          };
        }),
      };
    },
  });

  app.get('/api/v1/reports/forecast-accuracy', {
    schema: {
      tags: ['forecasting', 'reports'],
      summary: 'Backtested forecast accuracy (RMSSE and bias) per demand class, per category and overall, against weekly seasonal naive',
      description: 'Figures are out of sample: each forecast’s method is chosen on earlier backtest windows and scored on the last 28 days, beside weekly seasonal naive on the same days. Read from the stored forecasts of the last run.',
      querystring: z.strictObject({ site_id: idInput('loc').optional() }),
      response: { 200: accuracyOutput },
    },
    config: { access: { permission: 'reports.read', location: { from: 'query', field: 'site_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      let siteId: string | undefined;
      if (request.query.site_id) {
        const location = await getLocation(ctx, request.query.site_id);
        siteId = location.site_id ?? location.id;
      }
      const report = await forecastAccuracy(ctx, siteId ? { siteId } : {});
      return {
        benchmark: 'seasonal_naive_weekly' as const,
        computed_at: report.computedAt === null ? null : toIso(report.computedAt),
        overall: toGroup(report.overall),
        by_class: report.byClass.map(toGroup),
        by_category: report.byCategory.map(toGroup),
        by_method: report.byMethod.map(toGroup),
      };
    },
  });
}
