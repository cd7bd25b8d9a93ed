import { sql } from 'kysely';
import { reader, type ServiceContext } from '../../platform/context.ts';

/**
 * How well the stored forecasts did in their backtest, grouped by demand class, by category, by
 * selected method and overall, beside weekly seasonal naive scored on the same days. Every figure
 * is out of sample (the method was chosen on earlier windows than the one it is scored on), so a
 * method cannot look good by having been picked on the days it is judged by. Groups average the
 * per-forecast RMSSE (as M5 averages scaled errors across series) and bias.
 */

export interface AccuracyGroup {
  key: string;
  forecasts: number;
  rmsse: number | null;
  bias: number | null;
  benchmarkRmsse: number | null;
  benchmarkBias: number | null;
  beatsBenchmark: number | null;
}

export interface ForecastAccuracy {
  computedAt: number | null;
  overall: AccuracyGroup;
  byClass: AccuracyGroup[];
  byCategory: AccuracyGroup[];
  byMethod: AccuracyGroup[];
}

interface Scored {
  rmsse: number;
  bias: number;
  benchmarkRmsse: number;
  benchmarkBias: number;
}

const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

export function summariseGroup(key: string, rows: readonly Scored[]): AccuracyGroup {
  if (rows.length === 0) return { key, forecasts: 0, rmsse: null, bias: null, benchmarkRmsse: null, benchmarkBias: null, beatsBenchmark: null };
  const avg = (f: (r: Scored) => number) => r4(rows.reduce((a, r) => a + f(r), 0) / rows.length);
  return {
    key,
    forecasts: rows.length,
    rmsse: avg((r) => r.rmsse),
    bias: avg((r) => r.bias),
    benchmarkRmsse: avg((r) => r.benchmarkRmsse),
    benchmarkBias: avg((r) => r.benchmarkBias),
    beatsBenchmark: avg((r) => (r.rmsse < r.benchmarkRmsse ? 1 : 0)),
  };
}

function grouped(rows: readonly (Scored & { group: string })[]): AccuracyGroup[] {
  const groups = new Map<string, Scored[]>();
  for (const r of rows) {
    const list = groups.get(r.group) ?? [];
    list.push(r);
    groups.set(r.group, list);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, list]) => summariseGroup(key, list));
}

export async function forecastAccuracy(ctx: ServiceContext, options: { siteId?: string }): Promise<ForecastAccuracy> {
  let query = reader(ctx)
    .selectFrom('forecasts as f')
    .innerJoin('items as i', 'i.id', 'f.item_id')
    .where('f.accuracy_rmsse_e6', 'is not', null)
    .where('f.benchmark_rmsse_e6', 'is not', null)
    .select(['f.demand_class', 'f.accuracy_method', 'i.category', 'f.accuracy_rmsse_e6', 'f.accuracy_bias_e6', 'f.benchmark_rmsse_e6', 'f.benchmark_bias_e6', 'f.computed_at']);
  if (options.siteId) query = query.where('f.site_id', '=', options.siteId);
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    query = sites.length ? query.where('f.site_id', 'in', sites) : query.where(sql<boolean>`1 = 0`);
  }
  const rows = await query.execute();
  const scored = rows.map((r) => ({
    demandClass: r.demand_class,
    method: r.accuracy_method ?? 'unknown',
    category: r.category ?? '(none)',
    rmsse: Number(r.accuracy_rmsse_e6) / 1e6,
    bias: Number(r.accuracy_bias_e6 ?? 0) / 1e6,
    benchmarkRmsse: Number(r.benchmark_rmsse_e6) / 1e6,
    benchmarkBias: Number(r.benchmark_bias_e6 ?? 0) / 1e6,
    computedAt: Number(r.computed_at),
  }));
  return {
    computedAt: scored.length ? Math.max(...scored.map((r) => r.computedAt)) : null,
    overall: summariseGroup('overall', scored),
    byClass: grouped(scored.map((r) => ({ ...r, group: r.demandClass }))),
    byCategory: grouped(scored.map((r) => ({ ...r, group: r.category }))),
    byMethod: grouped(scored.map((r) => ({ ...r, group: r.method }))),
  };
}
