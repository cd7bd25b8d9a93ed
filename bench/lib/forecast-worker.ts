import { parentPort, workerData } from 'node:worker_threads';
import { forecastDemand, type DemandSeries } from '../../src/modules/forecasting/engine.ts';
import { seasonalNaiveWeekly } from '../../src/modules/forecasting/methods.ts';

/**
 * One bench worker: makes its share of the synthetic shop's daily sales (seeded, so every run
 * forecasts the same data), then on request either forecasts them (classify, backtest, select,
 * intervals) or runs the ceiling (one weekly seasonal naive pass per item over the same data).
 */

const { first, count, days, seed } = workerData as { first: number; count: number; days: number; seed: number };

function random(s: number) {
  let state = s % 2147483647 || 1;
  return () => (state = (state * 16807) % 2147483647) / 2147483647;
}

function poisson(rnd: () => number, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd())));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k += 1;
    p *= rnd();
  } while (p > limit);
  return k - 1;
}

/** Item `i`: a base rate from 0.05 to 40 a day, a weekly and a yearly cycle of its own, sometimes lumpy, sometimes out of stock for a spell. */
function makeSeries(i: number): DemandSeries {
  const rnd = random(seed + i * 7919);
  const rate = Math.exp(Math.log(0.05) + rnd() * (Math.log(40) - Math.log(0.05)));
  const yearly = rnd() * 0.8;
  const peak = rnd() * 365;
  const weekly = Array.from({ length: 7 }, () => 0.7 + rnd() * 0.6);
  const lumpy = rnd() < 0.2 ? 1 + Math.floor(rnd() * 6) : 1;
  const values: number[] = [];
  const censored: boolean[] = [];
  let outUntil = -1;
  for (let d = 0; d < days; d += 1) {
    if (d > outUntil && rnd() < 0.004) outUntil = d + 2 + Math.floor(rnd() * 10);
    const mean = (rate / lumpy) * weekly[d % 7]! * (1 + yearly * Math.cos((2 * Math.PI * (d - peak)) / 365));
    const out = d <= outUntil;
    values.push(out ? 0 : poisson(rnd, mean) * lumpy);
    censored.push(out);
  }
  return { start: '2023-01-01', values, censored };
}

const series = Array.from({ length: count }, (_, k) => makeSeries(first + k));

parentPort!.on('message', (task: 'forecast' | 'ceiling') => {
  const started = performance.now();
  let checksum = 0;
  const classes: Record<string, number> = {};
  let rmsse = 0;
  let benchmark = 0;
  let scored = 0;
  for (const s of series) {
    if (task === 'ceiling') {
      checksum += seasonalNaiveWeekly(s.values, 28)[0]!;
      continue;
    }
    const f = forecastDemand(s, 91);
    checksum += f.mean[0]!;
    classes[f.demandClass] = (classes[f.demandClass] ?? 0) + 1;
    if (f.accuracy) {
      rmsse += f.accuracy.rmsse;
      benchmark += f.accuracy.benchmarkRmsse;
      scored += 1;
    }
  }
  parentPort!.postMessage({ ms: performance.now() - started, checksum, classes, rmsse, benchmark, scored });
});
parentPort!.postMessage('ready');
