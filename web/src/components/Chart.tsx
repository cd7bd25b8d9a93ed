import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  /** Bars for counts per day, a line for levels. */
  kind?: 'line' | 'bars' | 'step';
  /** Dash pattern in pixels (e.g. [6, 4]) for lines that are not measurements: forecasts, levels. */
  dash?: number[];
  /** Drawn without fill (interval bounds, level lines). */
  noFill?: boolean;
}

/** A shaded band between two series (indexes into `series`): a prediction interval. */
export interface Band {
  upper: number;
  lower: number;
  color: string;
}

/**
 * A small time chart (uPlot: canvas, ~50 kB, fast with thousands of points). `times` are
 * epoch seconds. A text summary beside it tells screen readers what the chart shows.
 */
export function TimeChart({ title, times, series, height = 220, format, bands }: { title: string; times: number[]; series: Series[]; height?: number; format?: (v: number) => string; bands?: Band[] }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = holder.current;
    if (!el || times.length === 0) return;
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 280),
      height,
      legend: { show: series.length > 1 },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [{}, { size: 70, values: (_u, ticks) => ticks.map((t) => (format ? format(t) : String(t))) }],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          fill: s.noFill ? undefined : s.kind === 'bars' ? `${s.color}55` : `${s.color}18`,
          ...(s.dash ? { dash: s.dash } : {}),
          paths: s.kind === 'bars' ? uPlot.paths.bars!({ size: [0.7, 40] }) : s.kind === 'step' ? uPlot.paths.stepped!({ align: 1 }) : undefined,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : format ? format(v) : String(v)),
        })),
      ],
      // uPlot counts series from 1 (0 is the time axis).
      ...(bands?.length ? { bands: bands.map((b) => ({ series: [b.upper + 1, b.lower + 1] as [number, number], fill: `${b.color}30` })) } : {}),
    };
    const plot = new uPlot(opts, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 280), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, height, format, bands]);

  const last = series.map((s) => `${s.label}: ${(() => {
    const v = [...s.values].reverse().find((x) => x !== null);
    return v === undefined || v === null ? 'no data' : format ? format(v) : String(v);
  })()}`);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {times.length === 0 ? <p className="empty">No data for this period yet.</p> : <div ref={holder} role="img" aria-label={`${title}. Latest — ${last.join(', ')}`} />}
    </figure>
  );
}

/** YYYY-MM-DD → epoch seconds at local noon (so a day's bar sits in the middle of its day). */
export function dayToSeconds(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y!, m! - 1, d!, 12).getTime() / 1000;
}

export interface ForecastChartDay {
  date: string;
  qty: number;
  censored: boolean;
}

export interface ForecastChartPoint {
  date: string;
  mean: number;
  lower: number;
  upper: number;
}

/** A horizontal line across the chart: a stock level (minimum, maximum) to read the forecast against. */
export interface LevelLine {
  label: string;
  value: number;
  color: string;
}

/**
 * Sales history (bars; days out of stock shown apart, their sales being a floor on demand), the
 * forecast (dashed) and its interval (shaded), and any `levels` (replenishment's minimum and
 * maximum) as flat lines over the whole range.
 */
/** The chart's data: one time axis over history then forecast; series in the order drawn (sold, sold out of stock, forecast, high, low, levels). */
export function forecastChartData(history: ForecastChartDay[], forecast: ForecastChartPoint[], levels: LevelLine[], intervalLabel = '80 % interval'): { times: number[]; series: Series[]; bands: Band[] } {
  const days = [...history.map((h) => h.date), ...forecast.map((f) => f.date)];
  const n = history.length;
  const blank = () => days.map(() => null as number | null);
  const sold = blank();
  const out = blank();
  const mean = blank();
  const upper = blank();
  const lower = blank();
  history.forEach((h, i) => {
    (h.censored ? out : sold)[i] = h.qty;
  });
  forecast.forEach((f, i) => {
    mean[n + i] = f.mean;
    upper[n + i] = f.upper;
    lower[n + i] = f.lower;
  });
  const series: Series[] = [
    { label: 'Sold', values: sold, color: '#1f6f5c', kind: 'bars' },
    { label: 'Sold (out of stock that day)', values: out, color: '#b26b00', kind: 'bars' },
    { label: 'Forecast', values: mean, color: '#3b5bdb', dash: [6, 4], noFill: true },
    { label: `${intervalLabel}, high`, values: upper, color: '#3b5bdb', noFill: true },
    { label: `${intervalLabel}, low`, values: lower, color: '#3b5bdb', noFill: true },
    ...levels.map((l) => ({ label: l.label, values: days.map(() => l.value), color: l.color, dash: [2, 3], noFill: true })),
  ];
  return { times: days.map(dayToSeconds), series, bands: [{ upper: 3, lower: 4, color: '#3b5bdb' }] };
}

export function ForecastChart({ title, history, forecast, levels = [], intervalLabel = '80 % interval', format }: { title: string; history: ForecastChartDay[]; forecast: ForecastChartPoint[]; levels?: LevelLine[]; intervalLabel?: string; format?: (v: number) => string }) {
  const { times, series, bands } = useMemo(() => forecastChartData(history, forecast, levels, intervalLabel), [history, forecast, levels, intervalLabel]);
  return <TimeChart title={title} times={times} series={series} bands={bands} {...(format ? { format } : {})} />;
}
