import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BenchRow } from '../lib/report.ts';
import type { BenchContext } from './context.ts';

/**
 * Forecasting every item: 10,000 items × 3 years of daily sales (1,000 with --quick), each
 * classified, backtested over its candidates and given the selected method's forecast with
 * intervals, on two worker threads (the machine the target names has two cores). The ceiling is
 * one weekly seasonal naive pass over the same data on the same workers: the cost of touching
 * the data at all. Target: under 30 s for the full run.
 */

interface WorkerResult {
  ms: number;
  checksum: number;
  classes: Record<string, number>;
  rmsse: number;
  benchmark: number;
  scored: number;
}

const WORKERS = 2;

function startWorker(first: number, count: number, days: number): Promise<Worker> {
  // The worker is TypeScript: it is loaded through tsx's loader, as the bench itself is.
  const entry = new URL('../lib/forecast-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
  const worker = new Worker(boot, { eval: true, workerData: { first, count, days, seed: 20_240_601 } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => (m === 'ready' ? resolve(worker) : reject(new Error(`unexpected ${String(m)}`))));
    worker.once('error', reject);
  });
}

/** Wall time, and CPU time of the whole process (both workers; the main thread only waits): on a shared machine the wall time includes other people's work, the CPU time does not. */
async function timed(workers: Worker[], task: 'forecast' | 'ceiling'): Promise<{ ms: number; cpuMs: number; results: WorkerResult[] }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const results = await Promise.all(workers.map((w) => new Promise<WorkerResult>((resolve) => { w.once('message', resolve); w.postMessage(task); })));
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, results };
}

export async function benchForecast(ctx: BenchContext): Promise<BenchRow[]> {
  const items = ctx.quick ? 1000 : 10_000;
  const days = 3 * 365;
  ctx.log(`making ${items} items × ${days} days of sales on ${WORKERS} workers`);
  const share = Math.ceil(items / WORKERS);
  const workers = await Promise.all(Array.from({ length: WORKERS }, (_, w) => startWorker(w * share, Math.min(share, items - w * share), days)));
  try {
    ctx.log('ceiling: weekly seasonal naive over the same data');
    const ceiling = await timed(workers, 'ceiling');
    ctx.log('classify, backtest, select and forecast every item');
    const run = await timed(workers, 'forecast');
    const classes: Record<string, number> = {};
    let rmsse = 0;
    let benchmark = 0;
    let scored = 0;
    for (const r of run.results) {
      for (const [k, v] of Object.entries(r.classes)) classes[k] = (classes[k] ?? 0) + v;
      rmsse += r.rmsse;
      benchmark += r.benchmark;
      scored += r.scored;
    }
    const mix = Object.entries(classes).map(([k, v]) => `${k} ${v}`).join(', ');
    return [
      {
        scenario: `forecast ${items} items × 3 years, ${WORKERS} workers`,
        database: '-',
        value: run.ms,
        unit: 'ms',
        ceiling: { name: 'seasonal naive pass', value: ceiling.ms },
        note: `${ctx.quick ? 'quick: fewer items; the 30 s target is for the full run' : 'target < 30 s on 2 cores'} (${os.cpus().length} cores here, load ${os.loadavg()[0]!.toFixed(1)}; CPU ${(run.cpuMs / 1000).toFixed(1)} s, ceiling CPU ${(ceiling.cpuMs / 1000).toFixed(2)} s); ${mix}; RMSSE ${(rmsse / scored).toFixed(3)} vs seasonal naive ${(benchmark / scored).toFixed(3)}`,
      },
    ];
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
