import { summarize, type LatencySummary } from './stats.ts';

/** Runs `op` back to back for `durationMs` after a warm-up; ops per second and latencies. */
export async function timeLoop(durationMs: number, op: (n: number) => Promise<unknown> | unknown, warmupMs = 300): Promise<LatencySummary & { opsPerSec: number }> {
  let n = 0;
  const warmUntil = performance.now() + warmupMs;
  while (performance.now() < warmUntil) await op(n++);
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + durationMs;
  while (performance.now() < until) {
    const t = performance.now();
    await op(n++);
    latencies.push(performance.now() - t);
  }
  const elapsed = performance.now() - started;
  return { ...summarize(latencies), opsPerSec: (latencies.length / elapsed) * 1000 };
}
