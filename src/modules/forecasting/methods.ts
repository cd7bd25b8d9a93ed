/**
 * The forecasting methods, each a pure function from a clean daily history (oldest first, no
 * gaps: censored and flagged days are filled in before a method sees them) to `h` daily point
 * forecasts. Written from their textbook definitions; smoothing constants are the usual defaults
 * (chosen for the method, not for one shop's data) and SES picks its α from a short grid.
 * Seasonal methods keep in phase by position (day t and day t + 7 share a weekday), so they need
 * no calendar.
 */

/** Days as a plain array or a typed-array view (the backtest passes views, so no history is copied). */
export type Days = ArrayLike<number>;

export type PointMethod = (y: Days, h: number) => number[];

const WEEK = 7;
const YEAR = 365;
/** Days of history the yearly component of ETS needs. */
export const YEARLY_HISTORY_MIN = YEAR + 28;

function repeat(value: number, h: number): number[] {
  return new Array<number>(h).fill(value);
}

function mean(y: Days, from = 0, to = y.length): number {
  if (to <= from) return 0;
  let s = 0;
  for (let i = from; i < to; i += 1) s += y[i]!;
  return s / (to - from);
}

/** Naive: tomorrow is like today. */
export const naive: PointMethod = (y, h) => repeat(y.length ? y[y.length - 1]! : 0, h);

/** Seasonal naive: each day repeats the same day one season (`m` days) earlier. */
export function seasonalNaive(m: number): PointMethod {
  return (y, h) => {
    const n = y.length;
    if (n < m) return naive(y, h);
    return Array.from({ length: h }, (_, k) => y[n - m + (k % m)]!);
  };
}

export const seasonalNaiveWeekly = seasonalNaive(WEEK);
export const seasonalNaiveYearly = seasonalNaive(YEAR);

/** Moving average of the last `k` days, flat ahead. */
export function movingAverage(k: number): PointMethod {
  return (y, h) => repeat(mean(y, Math.max(0, y.length - k)), h);
}

/** The SES level after the whole series, started at the first value; also its one-step squared error sum. */
export function sesLevel(y: Days, alpha: number): { level: number; sse: number } {
  if (y.length === 0) return { level: 0, sse: 0 };
  let level = y[0]!;
  let sse = 0;
  for (let t = 1; t < y.length; t += 1) {
    const e = y[t]! - level;
    sse += e * e;
    level += alpha * e;
  }
  return { level, sse };
}

const sesGrid = [0.05, 0.1, 0.2, 0.3, 0.5];

/** The α from `sesGrid` with the smallest in-sample one-step error. */
export function sesAlpha(y: Days): number {
  let best = sesGrid[0]!;
  let bestSse = Infinity;
  for (const alpha of sesGrid) {
    const { sse } = sesLevel(y, alpha);
    if (sse < bestSse) {
      bestSse = sse;
      best = alpha;
    }
  }
  return best;
}

/** Simple exponential smoothing with a fixed α: ℓ ← ℓ + α(y − ℓ), flat forecast ℓ. */
export function ses(alpha?: number): PointMethod {
  return (y, h) => repeat(sesLevel(y, alpha ?? sesAlpha(y)).level, h);
}

/**
 * Holt's linear method with a damped trend (Gardner & McKenzie): level ℓ and trend b,
 * ŷ(t+k) = ℓ + (φ + φ² + … + φᵏ) b. Started at ℓ = y₀, b = y₁ − y₀.
 */
export function holtDamped(alpha = 0.2, beta = 0.05, phi = 0.9): PointMethod {
  return (y, h) => {
    if (y.length < 2) return naive(y, h);
    let level = y[0]!;
    let trend = y[1]! - y[0]!;
    for (let t = 1; t < y.length; t += 1) {
      const previous = level;
      level = alpha * y[t]! + (1 - alpha) * (previous + phi * trend);
      trend = beta * (level - previous) + (1 - beta) * phi * trend;
    }
    const out: number[] = [];
    let damp = 0;
    let power = 1;
    for (let k = 1; k <= h; k += 1) {
      power *= phi;
      damp += power;
      out.push(level + damp * trend);
    }
    return out;
  };
}

/**
 * Additive Holt-Winters (ETS(A,N,A)) with season length `m`: level ℓ and seasonal s,
 * ℓ ← α(y − s) + (1 − α)ℓ, s ← γ(y − ℓ) + (1 − γ)s, ŷ(t+k) = ℓ + s(t+k−m).
 * Started from the first season's mean and deviations; needs two seasons of history.
 */
export function holtWinters(m: number, alpha = 0.1, gamma = 0.1): PointMethod {
  return (y, h) => {
    const n = y.length;
    if (n < 2 * m) return naive(y, h);
    let level = mean(y, 0, m);
    const season = Array.from({ length: m }, (_, i) => y[i]! - level);
    for (let t = m; t < n; t += 1) {
      const i = t % m;
      const previous = level;
      level = alpha * (y[t]! - season[i]!) + (1 - alpha) * previous;
      season[i] = gamma * (y[t]! - level) + (1 - gamma) * season[i]!;
    }
    return Array.from({ length: h }, (_, k) => level + season[(n + k) % m]!);
  };
}

export const holtWintersWeekly = holtWinters(WEEK);

/**
 * A yearly shape for day `t` (0 = the series' first day): the mean of the days within ±`half` of
 * the same day in earlier years, divided by the mean of the whole year before the series ends.
 * Daily data holds too few years to smooth 365 seasonal states one by one, so the yearly
 * component is this smoothed index; the weekly component is then smoothed on the adjusted series.
 */
export function yearlyIndex(y: Days, half = 14): (t: number) => number {
  const n = y.length;
  const yearMean = mean(y, Math.max(0, n - YEAR));
  // Prefix sums make each window two look-ups; the 365 indices are computed once.
  const prefix = new Float64Array(n + 1);
  for (let t = 0; t < n; t += 1) prefix[t + 1] = prefix[t]! + y[t]!;
  // Computed on first use: a fit asks for about 210 of the 365.
  const indices = new Float64Array(YEAR).fill(NaN);
  const compute = (key: number): number => {
    let sum = 0;
    let count = 0;
    // Every earlier year's window around the same day.
    for (let centre = key; centre < n + half; centre += YEAR) {
      const from = Math.max(0, centre - half);
      const to = Math.min(n, centre + half + 1);
      if (to <= from) continue;
      sum += prefix[to]! - prefix[from]!;
      count += to - from;
    }
    return yearMean > 0 && count > 0 ? Math.max(0.05, sum / count / yearMean) : 1;
  };
  return (t) => {
    const key = ((t % YEAR) + YEAR) % YEAR;
    let index = indices[key]!;
    if (Number.isNaN(index)) index = indices[key] = compute(key);
    return index;
  };
}

/**
 * ETS with weekly and yearly seasonality: the series divided by its yearly index, additive
 * Holt-Winters with weekly seasonality on what is left, and the forecast multiplied back.
 * Needs a year and four weeks of history (a year to compare with, four weeks of this year's level
 * to compare it against); with less, it is weekly Holt-Winters alone.
 */
export function etsWeeklyYearly(alpha = 0.1, gamma = 0.1): PointMethod {
  const weekly = holtWinters(WEEK, alpha, gamma);
  return (y, h) => {
    const n = y.length;
    if (n < YEARLY_HISTORY_MIN) return weekly(y, h);
    const index = yearlyIndex(y);
    // Weekly smoothing settles within a few months; fitting on the last half year keeps it cheap.
    const from = Math.max(0, n - 182);
    const adjusted: number[] = [];
    for (let t = from; t < n; t += 1) adjusted.push(y[t]! / index(t));
    const base = weekly(adjusted, h);
    return base.map((v, k) => Math.max(0, v * index(n + k)));
  };
}

/** Least-squares slope of y against t = 0..n−1. */
export function slope(y: Days): number {
  const n = y.length;
  if (n < 2) return 0;
  const tMean = (n - 1) / 2;
  const yMean = mean(y);
  let num = 0;
  let den = 0;
  for (let t = 0; t < n; t += 1) {
    num += (t - tMean) * (y[t]! - yMean);
    den += (t - tMean) * (t - tMean);
  }
  return num / den;
}

/** Weekday indices (mean of each position modulo 7 over the mean), or null when any is not positive. */
export function weeklyIndices(y: Days): number[] | null {
  const n = y.length;
  if (n < 4 * WEEK) return null;
  const overall = mean(y);
  if (overall <= 0) return null;
  const sums = Array.from({ length: WEEK }, () => 0);
  const counts = Array.from({ length: WEEK }, () => 0);
  for (let t = 0; t < n; t += 1) {
    sums[t % WEEK] = sums[t % WEEK]! + y[t]!;
    counts[t % WEEK] = counts[t % WEEK]! + 1;
  }
  const indices = sums.map((s, i) => s / counts[i]! / overall);
  return indices.every((v) => v > 0) ? indices : null;
}

/**
 * The Theta method (Assimakopoulos & Nikolopoulos, in Hyndman & Billah's form): SES on the
 * weekly-adjusted series plus half the linear trend's slope,
 * ŷ(n+k) = ℓ + (b/2)((k − 1) + 1/α − (1 − α)ⁿ/α), then the weekly pattern put back.
 */
export function theta(alpha?: number): PointMethod {
  return (y, h) => {
    const n = y.length;
    if (n < 2) return naive(y, h);
    const indices = weeklyIndices(y);
    const adjusted: number[] = [];
    for (let t = 0; t < n; t += 1) adjusted.push(indices ? y[t]! / indices[t % WEEK]! : y[t]!);
    const a = alpha ?? sesAlpha(adjusted);
    const { level } = sesLevel(adjusted, a);
    const b = slope(adjusted);
    const tail = 1 / a - Math.pow(1 - a, n) / a;
    return Array.from({ length: h }, (_, k) => Math.max(0, (level + (b / 2) * (k + tail)) * (indices ? indices[(n + k) % WEEK]! : 1)));
  };
}

/**
 * Croston's method: smooth the non-zero demand sizes z and the intervals p between them
 * (both with α, updated only on demand days, started at the first demand and its position);
 * forecast z/p per day. `debias` multiplies by (1 − α/2) (Syntetos–Boylan approximation).
 */
export function croston(alpha = 0.1, debias = 1): PointMethod {
  return (y, h) => {
    let z = 0;
    let p = 0;
    let since = 0;
    let started = false;
    for (let t = 0; t < y.length; t += 1) {
      since += 1;
      if (y[t]! <= 0) continue;
      if (!started) {
        z = y[t]!;
        p = since;
        started = true;
      } else {
        z += alpha * (y[t]! - z);
        p += alpha * (since - p);
      }
      since = 0;
    }
    return repeat(started ? (debias * z) / p : 0, h);
  };
}

export const sba = (alpha = 0.1): PointMethod => croston(alpha, 1 - alpha / 2);

/**
 * Teunter–Syntetos–Babai: the probability of demand π is smoothed every day (β), the size z only on
 * demand days (α); forecast π·z. Started at the share of demand days and the mean non-zero size.
 */
export function tsb(alpha = 0.1, beta = 0.05): PointMethod {
  return (y, h) => {
    let hits = 0;
    let total = 0;
    for (let t = 0; t < y.length; t += 1) {
      if (y[t]! > 0) {
        hits += 1;
        total += y[t]!;
      }
    }
    if (hits === 0) return repeat(0, h);
    let prob = hits / y.length;
    let z = total / hits;
    for (let t = 0; t < y.length; t += 1) {
      const hit = y[t]! > 0 ? 1 : 0;
      prob += beta * (hit - prob);
      if (hit) z += alpha * (y[t]! - z);
    }
    return repeat(prob * z, h);
  };
}

/**
 * ADIDA (aggregate–disaggregate intermittent demand approach): sum the days into buckets of `k`
 * (ending at the last day), forecast the bucket totals with SES, and spread a bucket's forecast
 * evenly over its days.
 */
export function adida(k = 7, alpha = 0.1): PointMethod {
  return (y, h) => {
    const buckets: number[] = [];
    for (let end = y.length; end - k >= 0; end -= k) {
      let s = 0;
      for (let t = end - k; t < end; t += 1) s += y[t]!;
      buckets.push(s);
    }
    buckets.reverse();
    if (buckets.length === 0) return repeat(mean(y), h);
    return repeat(sesLevel(buckets, alpha).level / k, h);
  };
}
