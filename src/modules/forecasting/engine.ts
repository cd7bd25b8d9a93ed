/**
 * The forecasting engine's contract: pure functions over a daily demand series, no database.
 * The forecasting service reads an item's history at a site into a `DemandSeries`, calls
 * `forecastDemand`, and replenishment asks `demandOverWindow` for what a lead time will need.
 *
 * How a forecast is made:
 * 1. Days out of stock (censored: what sold is a floor, not the demand) and days flagged as
 *    promotions or holidays are filled from the same weekday in the weeks around them, and are
 *    never scored.
 * 2. The item is classified by the Syntetos–Boylan scheme (average demand interval 1.32, CV² of
 *    the non-zero sizes 0.49) over its last year; the class chooses the candidate methods.
 * 3. A rolling-origin backtest (four windows of 28 days ending at the last day) scores every
 *    candidate by RMSSE (M5: squared errors scaled by the in-sample one-day naive error) and by
 *    bias; the lowest RMSSE among candidates within the bias limit is selected.
 * 4. The selected method is rerun from thirteen weekly origins; its errors, summed over 1..28 days,
 *    give the spread for prediction intervals and for safety stock over a window.
 * Items with under eight weeks of usable history are `new`: their level is scaled by their
 * category's weekly and yearly shape when one is given.
 */
import { adida, croston, sesAlpha, YEARLY_HISTORY_MIN, weeklyIndices, type Days, etsWeeklyYearly, holtDamped, holtWintersWeekly, movingAverage, naive, sba, seasonalNaiveWeekly, seasonalNaiveYearly, ses, theta, tsb, type PointMethod } from './methods.ts';

export interface DemandSeries {
  /** The first day of `values`, `YYYY-MM-DD`. */
  start: string;
  /** Units demanded per day, oldest first. */
  values: number[];
  /** Days the item was out of stock at the site: their demand is unknown (censored), not zero. */
  censored?: boolean[];
  /** Days flagged as promotions or holidays, kept out of the baseline. */
  flagged?: boolean[];
}

export type DemandClass = 'smooth' | 'erratic' | 'intermittent' | 'lumpy' | 'new';

export interface PredictionInterval {
  /** Coverage, e.g. 0.8 or 0.95. */
  level: number;
  lower: number[];
  upper: number[];
}

export interface CandidateScore {
  method: string;
  rmsse: number;
  bias: number;
}

/** Out-of-sample accuracy: the method chosen on the earlier windows, scored on the last one, beside weekly seasonal naive. */
export interface BacktestAccuracy {
  method: string;
  rmsse: number;
  bias: number;
  benchmarkRmsse: number;
  benchmarkBias: number;
}

export interface DemandForecast {
  method: string;
  demandClass: DemandClass;
  /** The first forecast day, the day after the series ends, `YYYY-MM-DD`. */
  start: string;
  /** Expected units per day for each day of the horizon. */
  mean: number[];
  /** Root mean squared backtest error per day, the basis of safety stock. */
  errorSd: number;
  /** Rolling-origin backtest accuracy (RMSSE), null when the history is too short to backtest. */
  rmsse: number | null;
  /** Relative bias of the selected method over the backtest, Σ(forecast − actual) / Σ actual. */
  bias?: number | null;
  /** 80 % and 95 % prediction intervals, day by day. */
  intervals?: PredictionInterval[];
  /** `windowErrorSd[d − 1]`: root mean square of the backtest errors summed over the first d days. */
  windowErrorSd?: number[];
  /** Every candidate's backtest score. */
  candidates?: CandidateScore[];
  /** The selected method's parameters (smoothing constants, window), as fitted to the whole history. */
  parameters?: Record<string, number>;
  accuracy?: BacktestAccuracy | null;
  /** Average demand interval and CV² of the non-zero sizes over the last year. */
  adi?: number;
  cv2?: number;
}

export interface WindowDemand {
  /** Expected units over the window. */
  mean: number;
  /** Units that cover the window's demand with probability `serviceLevel`. */
  quantile: number;
}

/** A category's calendar shape for items too new to have their own: multipliers by weekday (0 = Sunday) and month (0 = January), each averaging 1. */
export interface DemandShape {
  weekday: number[];
  month: number[];
}

export interface ForecastOptions {
  /** The item's category shape, used when the item is `new`. */
  shape?: DemandShape | null;
}

const WEEK = 7;
const YEAR = 365;
/** Backtest window length (days) and count. */
export const BACKTEST_HORIZON = 28;
const BACKTEST_WINDOWS = 4;
/** Origins the selected method is rerun from to measure its error spread. */
const ERROR_ORIGINS = 13;
/** Shortest training part a backtest origin may have. */
const MIN_TRAINING = 56;
/** A candidate whose backtest bias exceeds this share of demand is passed over while an unbiased one exists. */
export const BIAS_LIMIT = 0.25;
export const ADI_CUTOFF = 1.32;
export const CV2_CUTOFF = 0.49;

interface Candidate {
  name: string;
  method: PointMethod;
  /** The method's parameters as fitted to `y` (the history it is given), for the record. */
  parameters?: (y: Days) => Record<string, number>;
  /** Days of history the method is fitted on (the rest adds nothing but time). */
  window: number;
  /** Needs this many days before it is a candidate. */
  needs: number;
}

const candidatesByName: Record<string, Candidate> = {
  naive: { name: 'naive', method: naive, window: 1, needs: 1 },
  seasonal_naive_weekly: { name: 'seasonal_naive_weekly', method: seasonalNaiveWeekly, window: WEEK, needs: WEEK },
  seasonal_naive_yearly: { name: 'seasonal_naive_yearly', method: seasonalNaiveYearly, window: YEAR, needs: YEAR + BACKTEST_HORIZON },
  moving_average_28: { name: 'moving_average_28', method: movingAverage(28), window: 28, needs: 28, parameters: () => ({ days: 28 }) },
  ses: { name: 'ses', method: ses(), window: 182, needs: 28, parameters: (y) => ({ alpha: sesAlpha(y) }) },
  holt_damped: { name: 'holt_damped', method: holtDamped(), window: 182, needs: 28, parameters: () => ({ alpha: 0.2, beta: 0.05, phi: 0.9 }) },
  holt_winters_weekly: { name: 'holt_winters_weekly', method: holtWintersWeekly, window: 182, needs: 28, parameters: () => ({ alpha: 0.1, gamma: 0.1, season: 7 }) },
  // Below a year and four weeks of history it is weekly Holt-Winters, so it competes in every
  // window and brings in the yearly shape where the history before the origin holds it.
  ets_weekly_yearly: { name: 'ets_weekly_yearly', method: etsWeeklyYearly(), window: 3 * YEAR, needs: 28, parameters: (y) => ({ alpha: 0.1, gamma: 0.1, yearly: y.length >= YEARLY_HISTORY_MIN ? 1 : 0 }) },
  theta: { name: 'theta', method: theta(), window: 182, needs: 28, parameters: (y) => ({ alpha: sesAlpha(y), weekly: weeklyIndices(y) ? 1 : 0 }) },
  croston: { name: 'croston', method: croston(), window: YEAR, needs: 28, parameters: () => ({ alpha: 0.1 }) },
  sba: { name: 'sba', method: sba(), window: YEAR, needs: 28, parameters: () => ({ alpha: 0.1 }) },
  tsb: { name: 'tsb', method: tsb(), window: YEAR, needs: 28, parameters: () => ({ alpha: 0.1, beta: 0.05 }) },
  adida: { name: 'adida', method: adida(), window: YEAR, needs: 28, parameters: () => ({ bucket: 7, alpha: 0.1 }) },
};

/** Candidate methods by class: continuous methods for steady demand, intermittent-demand methods (plus the simple levels) for sparse demand. */
const candidatesByClass: Record<Exclude<DemandClass, 'new'>, string[]> = {
  smooth: ['naive', 'seasonal_naive_weekly', 'seasonal_naive_yearly', 'moving_average_28', 'ses', 'holt_damped', 'holt_winters_weekly', 'ets_weekly_yearly', 'theta'],
  erratic: ['seasonal_naive_weekly', 'seasonal_naive_yearly', 'moving_average_28', 'ses', 'holt_damped', 'holt_winters_weekly', 'ets_weekly_yearly', 'theta'],
  intermittent: ['moving_average_28', 'ses', 'croston', 'sba', 'tsb', 'adida', 'ets_weekly_yearly'],
  lumpy: ['moving_average_28', 'ses', 'croston', 'sba', 'tsb', 'adida', 'ets_weekly_yearly'],
};

export const METHOD_NAMES = Object.keys(candidatesByName);

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function usableMask(series: DemandSeries): boolean[] {
  return series.values.map((_, d) => !series.censored?.[d] && !series.flagged?.[d]);
}

/**
 * The series with censored and flagged days replaced by the mean of the same weekday over the
 * four usable weeks either side (or of the usable days within four weeks, or 0). Days in
 * `lowerBound` (censored, not flagged: the site ran out) keep their own sales when those are more:
 * what sold before the shelf emptied is demand that certainly happened.
 */
export function cleanSeries(values: readonly number[], usable: readonly boolean[], lowerBound?: readonly boolean[]): number[] {
  const out = [...values];
  for (let d = 0; d < values.length; d += 1) {
    if (usable[d]) continue;
    let sum = 0;
    let n = 0;
    for (let w = -4; w <= 4; w += 1) {
      const t = d + w * WEEK;
      if (w !== 0 && t >= 0 && t < values.length && usable[t]) {
        sum += values[t]!;
        n += 1;
      }
    }
    if (n === 0) {
      for (let t = Math.max(0, d - 28); t < Math.min(values.length, d + 29); t += 1) {
        if (usable[t]) {
          sum += values[t]!;
          n += 1;
        }
      }
    }
    out[d] = n ? sum / n : 0;
    if (lowerBound?.[d]) out[d] = Math.max(out[d]!, values[d]!);
  }
  return out;
}

/** Censored days that are not flagged: their sales are a lower bound of their demand. */
function lowerBoundMask(series: DemandSeries): boolean[] {
  return series.values.map((_, d) => !!series.censored?.[d] && !series.flagged?.[d]);
}

/**
 * Syntetos–Boylan class over the usable days of the last year: ADI = usable days per demand day,
 * CV² = variance / mean² of the non-zero demands. Under eight weeks of usable days is `new`.
 */
export function classifyDemand(values: readonly number[], usable: readonly boolean[]): { demandClass: DemandClass; adi: number; cv2: number } {
  const from = Math.max(0, values.length - YEAR);
  let days = 0;
  const sizes: number[] = [];
  for (let d = from; d < values.length; d += 1) {
    if (!usable[d]) continue;
    days += 1;
    if (values[d]! > 0) sizes.push(values[d]!);
  }
  if (days < MIN_TRAINING) return { demandClass: 'new', adi: sizes.length ? days / sizes.length : Infinity, cv2: 0 };
  if (sizes.length === 0) return { demandClass: 'intermittent', adi: Infinity, cv2: 0 };
  const adi = days / sizes.length;
  const m = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  const variance = sizes.reduce((a, b) => a + (b - m) * (b - m), 0) / sizes.length;
  const cv2 = m > 0 ? variance / (m * m) : 0;
  const demandClass: DemandClass = adi < ADI_CUTOFF ? (cv2 < CV2_CUTOFF ? 'smooth' : 'erratic') : cv2 < CV2_CUTOFF ? 'intermittent' : 'lumpy';
  return { demandClass, adi, cv2 };
}

/** The weekday and month shape of a series (a category's summed demand), each index averaging 1; null when it sold nothing. */
export function seriesShape(series: DemandSeries): DemandShape | null {
  const usable = usableMask(series);
  const first = new Date(`${series.start}T00:00:00Z`);
  const weekdaySums = [0, 0, 0, 0, 0, 0, 0];
  const weekdayDays = [0, 0, 0, 0, 0, 0, 0];
  const monthSums = Array.from({ length: 12 }, () => 0);
  const monthDays = Array.from({ length: 12 }, () => 0);
  for (let d = 0; d < series.values.length; d += 1) {
    if (!usable[d]) continue;
    const date = new Date(first.getTime() + d * 86_400_000);
    weekdaySums[date.getUTCDay()] = weekdaySums[date.getUTCDay()]! + series.values[d]!;
    weekdayDays[date.getUTCDay()] = weekdayDays[date.getUTCDay()]! + 1;
    monthSums[date.getUTCMonth()] = monthSums[date.getUTCMonth()]! + series.values[d]!;
    monthDays[date.getUTCMonth()] = monthDays[date.getUTCMonth()]! + 1;
  }
  const normalise = (sums: number[], days: number[]): number[] => {
    const rates = sums.map((s, i) => (days[i] ? s / days[i]! : NaN));
    const seen = rates.filter((r) => !Number.isNaN(r));
    const average = seen.reduce((a, b) => a + b, 0) / (seen.length || 1);
    return rates.map((r) => (Number.isNaN(r) || average <= 0 ? NaN : r / average));
  };
  if (weekdaySums.every((s) => s <= 0)) return null;
  const month = normalise(monthSums, monthDays);
  // A month the category has not sold through yet (a shop younger than a year) takes the nearest
  // month it has, the later one on a tie: the level goes on as last seen, neither the average of
  // other seasons nor a guessed trend.
  const filled = month.map((m, i) => {
    if (!Number.isNaN(m)) return m;
    for (let k = 1; k < 12; k += 1) {
      const before = month[(i - k + 12) % 12]!;
      const after = month[(i + k) % 12]!;
      if (!Number.isNaN(before)) return before;
      if (!Number.isNaN(after)) return after;
    }
    return 1;
  });
  return { weekday: normalise(weekdaySums, weekdayDays).map((w) => (Number.isNaN(w) ? 1 : w)), month: filled };
}

/** In-sample scale of RMSSE: mean squared one-day change from the first demand up to `end` (prefix sums make each origin O(1)). */
function scaleFinder(y: Float64Array): (end: number) => number {
  let first = y.findIndex((v) => v > 0);
  if (first < 0) first = 0;
  const prefix = new Float64Array(y.length + 1);
  for (let t = 1; t <= y.length; t += 1) {
    const diff = t - 1 > first && t - 1 < y.length ? y[t - 1]! - y[t - 2]! : 0;
    prefix[t] = prefix[t - 1]! + diff * diff;
  }
  return (end) => {
    const n = end - first - 1;
    const scale = n > 0 ? prefix[end]! / n : 0;
    return scale > 1e-9 ? scale : 1;
  };
}

function runFrom(candidate: Candidate, y: Float64Array, origin: number, h: number): number[] {
  return candidate.method(y.subarray(Math.max(0, origin - candidate.window), origin), h);
}

interface WindowScore {
  sse: number;
  days: number;
  forecastSum: number;
  actualSum: number;
  scale: number;
}

function scoreWindow(candidate: Candidate, y: Float64Array, raw: readonly number[], usable: readonly boolean[], origin: number, scale: number): WindowScore {
  const f = runFrom(candidate, y, origin, BACKTEST_HORIZON);
  const s: WindowScore = { sse: 0, days: 0, forecastSum: 0, actualSum: 0, scale };
  for (let k = 0; k < BACKTEST_HORIZON; k += 1) {
    const t = origin + k;
    if (!usable[t]) continue;
    const e = f[k]! - raw[t]!;
    s.sse += e * e;
    s.days += 1;
    s.forecastSum += f[k]!;
    s.actualSum += raw[t]!;
  }
  return s;
}

function summarise(windows: readonly WindowScore[]): { rmsse: number; bias: number } {
  const scored = windows.filter((w) => w.days > 0);
  if (scored.length === 0) return { rmsse: NaN, bias: 0 };
  const rmsse = scored.reduce((a, w) => a + Math.sqrt(w.sse / w.days / w.scale), 0) / scored.length;
  const f = scored.reduce((a, w) => a + w.forecastSum, 0);
  const actual = scored.reduce((a, w) => a + w.actualSum, 0);
  const days = scored.reduce((a, w) => a + w.days, 0);
  // With no demand in the windows, bias is the forecast per day (anything above zero is over-forecast).
  const bias = actual > 0 ? (f - actual) / actual : f / days;
  return { rmsse, bias };
}

/** The lowest RMSSE among candidates within the bias limit (or among all, when none is). */
export function selectCandidate(scores: readonly CandidateScore[]): CandidateScore | null {
  const valid = scores.filter((s) => Number.isFinite(s.rmsse));
  const unbiased = valid.filter((s) => Math.abs(s.bias) <= BIAS_LIMIT);
  const pool = unbiased.length ? unbiased : valid;
  let best: CandidateScore | null = null;
  for (const s of pool) if (!best || s.rmsse < best.rmsse) best = s;
  return best;
}

interface Backtest {
  candidates: CandidateScore[];
  selected: string;
  accuracy: BacktestAccuracy | null;
}

function backtest(names: readonly string[], y: Float64Array, raw: readonly number[], usable: readonly boolean[]): Backtest | null {
  const n = y.length;
  const origins: number[] = [];
  for (let w = BACKTEST_WINDOWS; w >= 1; w -= 1) {
    const origin = n - w * BACKTEST_HORIZON;
    if (origin >= MIN_TRAINING) origins.push(origin);
  }
  if (origins.length < 2) return null;
  const scaleAt = scaleFinder(y);
  const windowsByName = new Map<string, WindowScore[]>();
  for (const name of names) {
    const candidate = candidatesByName[name]!;
    if (origins[0]! < candidate.needs) continue;
    windowsByName.set(name, origins.map((o) => scoreWindow(candidate, y, raw, usable, o, scaleAt(o))));
  }
  const candidates = [...windowsByName].map(([method, windows]) => ({ method, ...summarise(windows) }));
  const selected = selectCandidate(candidates);
  if (!selected) return null;
  // Out of sample: choose on all windows but the last, score the choice and the benchmark on the last.
  const earlier = [...windowsByName].map(([method, windows]) => ({ method, ...summarise(windows.slice(0, -1)) }));
  const chosenEarlier = selectCandidate(earlier);
  const last = origins[origins.length - 1]!;
  let accuracy: BacktestAccuracy | null = null;
  if (chosenEarlier) {
    const chosenLast = summarise(windowsByName.get(chosenEarlier.method)!.slice(-1));
    const benchmarkWindows = windowsByName.get('seasonal_naive_weekly')?.slice(-1) ?? [scoreWindow(candidatesByName.seasonal_naive_weekly!, y, raw, usable, last, scaleAt(last))];
    const benchmark = summarise(benchmarkWindows);
    if (Number.isFinite(chosenLast.rmsse) && Number.isFinite(benchmark.rmsse)) {
      accuracy = { method: chosenEarlier.method, rmsse: chosenLast.rmsse, bias: chosenLast.bias, benchmarkRmsse: benchmark.rmsse, benchmarkBias: benchmark.bias };
    }
  }
  return { candidates, selected: selected.method, accuracy };
}

/** Errors of `candidate` rerun from weekly origins before the end: per-day RMS and RMS of the sums over 1..28 days. */
function errorSpread(candidate: Candidate, y: Float64Array): { daySd: number[]; windowSd: number[]; errorSd: number } | null {
  const n = y.length;
  const daySq = new Float64Array(BACKTEST_HORIZON);
  const sumSq = new Float64Array(BACKTEST_HORIZON);
  let origins = 0;
  for (let j = 0; j < ERROR_ORIGINS; j += 1) {
    const origin = n - BACKTEST_HORIZON - j * WEEK;
    if (origin < Math.max(MIN_TRAINING, candidate.needs)) break;
    const f = runFrom(candidate, y, origin, BACKTEST_HORIZON);
    let cumulative = 0;
    for (let k = 0; k < BACKTEST_HORIZON; k += 1) {
      const e = y[origin + k]! - f[k]!;
      cumulative += e;
      daySq[k] = daySq[k]! + e * e;
      sumSq[k] = sumSq[k]! + cumulative * cumulative;
    }
    origins += 1;
  }
  if (origins === 0) return null;
  const daySd = Array.from(daySq, (v) => Math.sqrt(v / origins));
  const windowSd = Array.from(sumSq, (v) => Math.sqrt(v / origins));
  const errorSd = Math.sqrt(daySq.reduce((a, b) => a + b, 0) / (origins * BACKTEST_HORIZON));
  return { daySd, windowSd, errorSd };
}

function forecastNew(y: Float64Array, usable: readonly boolean[], series: DemandSeries, horizon: number, shape: DemandShape | null | undefined): number[] {
  const first = Date.parse(`${series.start}T00:00:00Z`);
  const factor = (d: number): number => {
    if (!shape) return 1;
    const date = new Date(first + d * 86_400_000);
    return (shape.weekday[date.getUTCDay()] ?? 1) * (shape.month[date.getUTCMonth()] ?? 1);
  };
  // The level is the recent usable days with the category's calendar divided out.
  let sum = 0;
  let days = 0;
  for (let d = y.length - 1; d >= 0 && days < 28; d -= 1) {
    if (!usable[d]) continue;
    sum += y[d]! / Math.max(0.05, factor(d));
    days += 1;
  }
  const level = days ? sum / days : 0;
  return Array.from({ length: horizon }, (_, k) => level * factor(y.length + k));
}

function intervalsFrom(mean: readonly number[], daySd: readonly number[], demandClass: DemandClass): PredictionInterval[] {
  const discrete = demandClass === 'intermittent' || demandClass === 'lumpy' || demandClass === 'new';
  return [0.8, 0.95].map((level) => {
    const z = normalQuantile((1 + level) / 2);
    const lower: number[] = [];
    const upper: number[] = [];
    for (let k = 0; k < mean.length; k += 1) {
      const m = mean[k]!;
      const sd = daySd[Math.min(k, daySd.length - 1)] ?? 0;
      lower.push(discrete ? countQuantile(m, sd * sd, (1 - level) / 2) : Math.max(0, m - z * sd));
      upper.push(discrete ? countQuantile(m, sd * sd, (1 + level) / 2) : m + z * sd);
    }
    return { level, lower, upper };
  });
}

/**
 * A forecast no backtest stands behind (a new item, or demand borrowed from elsewhere): its error is
 * taken as a Poisson count's at the forecast's average level, and it plans as a new item's.
 */
export function unbackedForecast(method: string, start: string, mean: number[]): DemandForecast {
  const level = mean.reduce((a, b) => a + b, 0) / (mean.length || 1);
  const sd = Math.sqrt(level);
  return {
    method,
    demandClass: 'new',
    start,
    mean,
    errorSd: sd,
    rmsse: null,
    bias: null,
    intervals: intervalsFrom(mean, [sd], 'new'),
    windowErrorSd: Array.from({ length: BACKTEST_HORIZON }, (_, d) => sd * Math.sqrt(d + 1)),
    candidates: [],
    accuracy: null,
  };
}

export function forecastDemand(series: DemandSeries, horizon: number, options: ForecastOptions = {}): DemandForecast {
  const n = series.values.length;
  const start = addDays(series.start, n);
  const h = Math.max(1, horizon);
  const usable = usableMask(series);
  const bounded = lowerBoundMask(series);
  const y = Float64Array.from(cleanSeries(series.values, usable, bounded));
  const { demandClass, adi, cv2 } = classifyDemand(series.values, usable);
  const tested = demandClass === 'new' ? null : backtest(candidatesByClass[demandClass], y, series.values, usable);
  if (!tested) {
    // A day that sold out after selling some says more about the level than nothing: it counts, at least at its sales.
    const counted = usable.map((u, d) => u || (bounded[d]! && series.values[d]! > 0));
    const mean = forecastNew(y, counted, series, h, options.shape).slice(0, horizon);
    return { ...unbackedForecast(options.shape ? 'category_shape' : 'mean', start, mean), adi, cv2 };
  }
  const candidate = candidatesByName[tested.selected]!;
  const fitted = y.subarray(Math.max(0, n - candidate.window));
  const mean = candidate.method(fitted, h).map((v) => Math.max(0, v)).slice(0, horizon);
  const spread = errorSpread(candidate, y) ?? { daySd: [0], windowSd: [0], errorSd: 0 };
  const score = tested.candidates.find((c) => c.method === tested.selected)!;
  return {
    method: tested.selected,
    demandClass,
    start,
    mean,
    errorSd: spread.errorSd,
    rmsse: score.rmsse,
    bias: score.bias,
    intervals: intervalsFrom(mean, spread.daySd, demandClass),
    windowErrorSd: spread.windowSd,
    candidates: tested.candidates,
    parameters: candidate.parameters?.(fitted) ?? {},
    accuracy: tested.accuracy,
    adi,
    cv2,
  };
}

/** The spread of the error summed over `days` days: from the backtest sums up to 28 days, growing with √days beyond. */
function windowSd(forecast: DemandForecast, days: number): number {
  const sums = forecast.windowErrorSd;
  if (!sums || sums.length === 0) return forecast.errorSd * Math.sqrt(days);
  if (days <= sums.length) return sums[days - 1]!;
  return sums[sums.length - 1]! * Math.sqrt(days / sums.length);
}

/**
 * Demand over `days` days starting `offset` days into the forecast, and the quantity that covers
 * it at `serviceLevel` (0.5–0.999). The spread is the selected method's backtest error summed over
 * windows of that length, not the raw spread of demand. Steady items take the normal quantile;
 * slow and intermittent ones a count distribution (Poisson, or negative binomial when the
 * backtest errors vary more than a Poisson count would), so a window expecting 0.4 units asks
 * for a whole one rather than 0.4 plus a fraction. `extraVariance` adds spread the forecast cannot
 * know of (replenishment passes the vendor's lead-time spread times the daily demand, squared).
 */
export function demandOverWindow(forecast: DemandForecast, offset: number, days: number, serviceLevel: number, extraVariance = 0): WindowDemand {
  return pooledDemandOverWindow([{ forecast, offset }], days, serviceLevel, extraVariance);
}

/**
 * The same over several demand streams drawn from one stock (a warehouse's own customers and the
 * stores it fills): the means add up, and so do the variances of their errors (errors of
 * different sites are taken as independent, which is what pooling stock in one place buys), so
 * one safety stock covers them all rather than one per stream. A count distribution when every
 * stream is slow, the normal otherwise.
 */
export function pooledDemandOverWindow(parts: ReadonlyArray<{ forecast: DemandForecast; offset: number; days?: number }>, days: number, serviceLevel: number, extraVariance = 0): WindowDemand {
  if (days <= 0 || parts.length === 0) return { mean: 0, quantile: 0 };
  let mean = 0;
  let variance = Math.max(0, extraVariance);
  let slow = true;
  // A part may cover a longer window of its own (an echelon level: a store's demand over the vendor's lead time and its transfer cycle).
  for (const { forecast, offset, days: own } of parts) {
    const span = own ?? days;
    for (let d = offset; d < offset + span; d += 1) mean += forecast.mean[Math.min(d, forecast.mean.length - 1)] ?? 0;
    variance += windowSd(forecast, span) ** 2;
    slow &&= forecast.demandClass === 'intermittent' || forecast.demandClass === 'lumpy' || forecast.demandClass === 'new';
  }
  const sd = Math.sqrt(variance);
  if (slow) return { mean, quantile: Math.max(mean, countQuantile(mean, sd * sd, serviceLevel)) };
  return { mean, quantile: Math.max(mean, mean + normalQuantile(serviceLevel) * sd) };
}

/**
 * The smallest whole count k with P(X ≤ k) ≥ p, X Poisson(mean) or, when `variance` is larger
 * than the mean, negative binomial with that mean and variance. Large means use the normal.
 */
export function countQuantile(mean: number, variance: number, p: number): number {
  if (mean <= 0) return 0;
  const v = Math.max(mean, variance);
  if (mean > 200) return Math.max(0, Math.ceil(mean + normalQuantile(p) * Math.sqrt(v)));
  let pmf: number;
  let next: (k: number, pk: number) => number;
  if (v <= mean * 1.000001) {
    pmf = Math.exp(-mean);
    next = (k, pk) => (pk * mean) / (k + 1);
  } else {
    // Negative binomial with r successes and success probability q: mean r(1−q)/q, variance r(1−q)/q².
    const q = mean / v;
    const r = (mean * q) / (1 - q);
    pmf = Math.pow(q, r);
    next = (k, pk) => (pk * (k + r) * (1 - q)) / (k + 1);
  }
  let cumulative = pmf;
  let k = 0;
  const limit = Math.ceil(mean + 40 * Math.sqrt(v) + 10);
  while (cumulative < p && k < limit) {
    pmf = next(k, pmf);
    k += 1;
    cumulative += pmf;
  }
  return k;
}

/** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269, -30.6647980661472, 2.50662827745924];
  const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857];
  const c = [-0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373, 4.37466414146497, 2.93816398269878];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
