import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  /** Bars for counts per day, a line for levels. */
  kind?: 'line' | 'bars' | 'step';
}

/**
 * A small time chart (uPlot: canvas, ~50 kB, fast with thousands of points). `times` are
 * epoch seconds. A text summary beside it tells screen readers what the chart shows.
 */
export function TimeChart({ title, times, series, height = 220, format }: { title: string; times: number[]; series: Series[]; height?: number; format?: (v: number) => string }) {
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
          fill: s.kind === 'bars' ? `${s.color}55` : `${s.color}18`,
          paths: s.kind === 'bars' ? uPlot.paths.bars!({ size: [0.7, 40] }) : s.kind === 'step' ? uPlot.paths.stepped!({ align: 1 }) : undefined,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : format ? format(v) : String(v)),
        })),
      ],
    };
    const plot = new uPlot(opts, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 280), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, height, format]);

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
