import type { DemandClass } from '../api/types.ts';

/** Method names as a shop owner reads them. */
export const methodLabels: Record<string, string> = {
  naive: 'Same as yesterday',
  seasonal_naive_weekly: 'Same day last week',
  seasonal_naive_yearly: 'Same day last year',
  moving_average_28: '4-week average',
  ses: 'Exponential smoothing',
  holt_damped: 'Trend (damped)',
  holt_winters_weekly: 'Weekly pattern (Holt-Winters)',
  ets_weekly_yearly: 'Weekly and yearly pattern (ETS)',
  theta: 'Theta',
  croston: 'Croston (occasional sales)',
  sba: 'SBA (occasional sales)',
  tsb: 'TSB (occasional sales)',
  adida: 'Weekly totals (ADIDA)',
  category_shape: 'Category pattern (new item)',
  mean: 'Average so far (new item)',
};

export const classLabels: Record<DemandClass, string> = {
  smooth: 'Steady',
  erratic: 'Erratic',
  intermittent: 'Occasional',
  lumpy: 'Occasional, in lumps',
  new: 'New',
};

export const methodLabel = (method: string) => methodLabels[method] ?? method;

/** 0.8123 → "0.81"; null → "—". */
export const score = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(2));

/** 0.052 → "+5 %". */
export const percent = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v > 0 ? '+' : ''}${Math.round(v * 100)} %`);
