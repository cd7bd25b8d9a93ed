import { describe, expect, it } from 'vitest';
import { classifyDemand, cleanSeries, countQuantile, demandOverWindow, forecastDemand, normalQuantile, selectCandidate, seriesShape, type DemandForecast } from './engine.ts';

const base: DemandForecast = { method: 'x', demandClass: 'smooth', start: '2026-01-01', mean: [2, 2, 2, 2], errorSd: 1, rmsse: null };

describe('forecasting engine', () => {
  it('selects weekly seasonal naive for an exact weekly pattern and repeats it in phase', () => {
    // Twenty weeks of 1..7 from a Monday: every weekly method is exact, the first exact one wins.
    const values = Array.from({ length: 140 }, (_, d) => (d % 7) + 1);
    const f = forecastDemand({ start: '2026-01-05', values }, 8);
    expect(f.start).toBe('2026-05-25');
    expect(f.demandClass).toBe('smooth');
    expect(f.method).toBe('seasonal_naive_weekly');
    expect(f.rmsse).toBe(0);
    expect(f.mean).toEqual([1, 2, 3, 4, 5, 6, 7, 1]);
  });

  it('fills a day out of stock from the same weekday, so the lost sale is not read as no demand', () => {
    const values = Array.from({ length: 140 }, (_, d) => (d % 7) + 1);
    const censored = values.map((_, d) => d === 132);
    values[132] = 0;
    // Day 132 is the 7th weekday (value 7); its neighbours on that weekday are all 7.
    expect(cleanSeries(values, censored.map((c) => !c))[132]).toBe(7);
    const f = forecastDemand({ start: '2026-01-05', values, censored }, 7);
    expect(f.mean).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('keeps the sales of a day that sold out when they beat the same weekday: they are a lower bound', () => {
    // Four weeks of 3 a day; day 14 sold 8 before running out, day 15 sold 1 before running out.
    const values = Array.from({ length: 28 }, () => 3);
    values[14] = 8;
    values[15] = 1;
    const censored = values.map((_, d) => d === 14 || d === 15);
    const usable = censored.map((c) => !c);
    // Without the bound both take their weekday's 3; with it day 14 keeps its 8, day 15 still takes 3.
    expect(cleanSeries(values, usable).slice(14, 16)).toEqual([3, 3]);
    expect(cleanSeries(values, usable, censored).slice(14, 16)).toEqual([8, 3]);
    // A new item's level is the mean of its last 28 days, sold-out days counted at that bound:
    // (26 × 3 + 8 + 3) / 28 = 89 / 28.
    const f = forecastDemand({ start: '2026-01-05', values, censored }, 1);
    expect(f.demandClass).toBe('new');
    expect(f.mean[0]).toBeCloseTo(89 / 28, 10);
  });

  it('keeps flagged promotion days out of the baseline', () => {
    const values = Array.from({ length: 140 }, () => 5);
    const flagged = values.map((_, d) => d >= 130 && d < 133);
    for (let d = 130; d < 133; d += 1) values[d] = 50;
    const f = forecastDemand({ start: '2026-01-05', values, flagged }, 3);
    expect(f.mean).toEqual([5, 5, 5]);
  });

  it('classifies by average demand interval and CV² (Syntetos–Boylan)', () => {
    // 56 usable days, demand every other day alternating 2 and 4: ADI 2, sizes mean 3, variance 1, CV² 1/9.
    const values = Array.from({ length: 56 }, (_, d) => (d % 2 ? (d % 4 === 1 ? 2 : 4) : 0));
    const all = values.map(() => true);
    expect(classifyDemand(values, all)).toEqual({ demandClass: 'intermittent', adi: 2, cv2: 1 / 9 });
    // Every day 1 or 9: ADI 1, mean 5, variance 16, CV² 0.64 → erratic.
    expect(classifyDemand(values.map((_, d) => (d % 2 ? 9 : 1)), all).demandClass).toBe('erratic');
    expect(classifyDemand(values.slice(0, 55), all).demandClass).toBe('new');
  });

  it('selects the lowest RMSSE within the bias limit', () => {
    const chosen = selectCandidate([
      { method: 'a', rmsse: 0.5, bias: 0.4 },
      { method: 'b', rmsse: 0.7, bias: 0.1 },
      { method: 'c', rmsse: 0.8, bias: 0 },
    ]);
    expect(chosen?.method).toBe('b');
  });

  it('gives a new item its category shape', () => {
    // The category sells twice as much on Saturdays (weekday 6) as on other days: indices 7/8 and 14/8.
    const category = { start: '2026-01-05', values: Array.from({ length: 28 }, (_, d) => (d % 7 === 5 ? 2 : 1)) };
    const shape = seriesShape(category)!;
    expect(shape.weekday[6]).toBeCloseTo(14 / 8, 12);
    expect(shape.weekday[1]).toBeCloseTo(7 / 8, 12);
    // A new item sold 7/8 a day on its first two days, a Monday and Tuesday (deseasonalised level 1).
    const f = forecastDemand({ start: '2026-01-05', values: [0.875, 0.875] }, 5, { shape: { weekday: shape.weekday, month: Array(12).fill(1) } });
    expect(f.demandClass).toBe('new');
    expect(f.method).toBe('category_shape');
    // Forecast days: 2026-01-07 Wednesday … 2026-01-10 Saturday, 2026-01-11 Sunday.
    expect(f.mean.map((v) => Math.round(v * 1000) / 1000)).toEqual([0.875, 0.875, 0.875, 1.75, 0.875]);
  });

  it('carries a young category’s latest month into the months it has not sold through yet', () => {
    // October (31 days) sells 1 a day, November (30 days) 3 a day: indices 0.5 and 1.5 over the months seen.
    const category = { start: '2026-10-01', values: Array.from({ length: 61 }, (_, d) => (d < 31 ? 1 : 3)) };
    const shape = seriesShape(category)!;
    expect(shape.month[9]).toBeCloseTo(0.5, 12);
    expect(shape.month[10]).toBeCloseTo(1.5, 12);
    // December and January are not seen: the level goes on as November's, not back to the average of the two (1).
    expect(shape.month[11]).toBeCloseTo(1.5, 12);
    expect(shape.month[0]).toBeCloseTo(1.5, 12);
    // September is nearer October: its index.
    expect(shape.month[8]).toBeCloseTo(0.5, 12);
  });

  it('sizes a steady window from the summed backtest errors', () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.6449, 4);
    // 4 days × 2 = 8; sums over 4 days erred by 2 (RMS): 8 + 1.6449 × 2 = 11.29.
    const w = demandOverWindow({ ...base, windowErrorSd: [1, 1.5, 1.8, 2] }, 0, 4, 0.95);
    expect(w.mean).toBe(8);
    expect(w.quantile).toBeCloseTo(11.29, 2);
    // Without summed errors the daily error grows with √days, as the contract's first version did.
    expect(demandOverWindow(base, 0, 4, 0.95).quantile).toBeCloseTo(11.29, 2);
  });

  it('sizes an intermittent window with a count quantile', () => {
    // Poisson(1): P(0)=0.3679, P(≤1)=0.7358, P(≤2)=0.9197 → 2 at 90 %.
    expect(countQuantile(1, 1, 0.9)).toBe(2);
    // Negative binomial mean 2, variance 4 (q=0.5, r=2): cumulative 0.25, 0.5, 0.6875, 0.8125, 0.890625, 0.9375 → 5.
    expect(countQuantile(2, 4, 0.9)).toBe(5);
    const w = demandOverWindow({ ...base, demandClass: 'intermittent', mean: [0.25, 0.25, 0.25, 0.25], windowErrorSd: [0.5, 0.7, 0.9, 1] }, 0, 4, 0.9);
    expect(w).toEqual({ mean: 1, quantile: 2 });
  });

  it('beats weekly seasonal naive out of sample on a noisy seasonal series', () => {
    // A fixed pseudo-random Poisson series with a weekly and a yearly cycle, three years long.
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const poisson = (l: number) => { let k = 0; let p = 1; const limit = Math.exp(-l); do { k += 1; p *= rnd(); } while (p > limit); return k - 1; };
    const values = Array.from({ length: 1095 }, (_, d) => poisson(6 * (1 + 0.5 * Math.cos((2 * Math.PI * d) / 365)) * [1, 1, 1, 1, 1.2, 1.5, 0.7][d % 7]!));
    const f = forecastDemand({ start: '2024-01-01', values }, 28);
    expect(f.accuracy).not.toBeNull();
    expect(f.accuracy!.rmsse).toBeLessThan(f.accuracy!.benchmarkRmsse);
    expect(f.intervals![1]!.upper[0]).toBeGreaterThan(f.mean[0]!);
  });
});
