import { Pool } from 'undici';
import { setTimeout as sleep } from 'node:timers/promises';
import { summarize, type LatencySummary } from './stats.ts';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface LoadResult extends LatencySummary {
  opsPerSec: number;
  elapsedMs: number;
  statuses: Record<number, number>;
}

/**
 * A closed-loop load: `concurrency` clients on kept-alive connections, each sending its next
 * request as soon as the last one answered, for `durationMs` (after a short warm-up). With
 * `paceMs`, a client starts a request at most once every `paceMs`, as a monitor's probe does.
 */
export async function runLoad(options: {
  origin: string;
  concurrency: number;
  durationMs: number;
  warmupMs?: number;
  request: (n: number) => LoadRequest;
  paceMs?: number;
  expectStatus?: (status: number) => boolean;
}): Promise<LoadResult> {
  const pool = new Pool(options.origin, { connections: options.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  let counter = 0;
  const send = async (record: boolean, latencies: number[], statuses: Record<number, number>) => {
    const req = options.request(counter++);
    const started = performance.now();
    const response = await pool.request({
      method: req.method,
      path: req.path,
      body: req.body,
      headers: { ...(req.body ? { 'content-type': 'application/json' } : {}), ...req.headers },
    });
    await response.body.dump();
    if (record) {
      latencies.push(performance.now() - started);
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
    }
  };
  const phase = async (ms: number, record: boolean) => {
    const latencies: number[] = [];
    const statuses: Record<number, number> = {};
    const until = performance.now() + ms;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < until) {
          const next = performance.now() + (options.paceMs ?? 0);
          await send(record, latencies, statuses);
          const wait = Math.min(next, until) - performance.now();
          if (wait > 0) await sleep(wait);
        }
      }),
    );
    return { latencies, statuses, elapsedMs: performance.now() - started };
  };
  try {
    await phase(options.warmupMs ?? 500, false);
    const { latencies, statuses, elapsedMs } = await phase(options.durationMs, true);
    const unexpected = Object.entries(statuses).filter(([status]) => !(options.expectStatus ?? ((s: number) => s < 300))(Number(status)));
    if (unexpected.length) throw new Error(`unexpected statuses ${JSON.stringify(statuses)} from ${options.origin}`);
    return { ...summarize(latencies), opsPerSec: (latencies.length / elapsedMs) * 1000, elapsedMs, statuses };
  } finally {
    await pool.close();
  }
}
