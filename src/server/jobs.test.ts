import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runJobs, type JobLog } from './jobs.ts';

/** A promise the test settles by hand: a job run that takes as long as the test wants. */
function deferred() {
  let resolve!: (n: number) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<number>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function recordingLog() {
  const lines: Array<{ level: string; obj: any; msg: string }> = [];
  const log: JobLog = {
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
    debug: (obj, msg) => lines.push({ level: 'debug', obj, msg }),
  };
  return { log, lines };
}

describe('the housekeeping job runner', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never starts a slow job again while its previous run is still going', async () => {
    const runs: Array<ReturnType<typeof deferred>> = [];
    const { log, lines } = recordingLog();
    const runner = runJobs([{ name: 'slow', everyMs: 1000, run: () => (runs.push(deferred()), runs.at(-1)!.promise) }], log);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toHaveLength(1);
    expect(lines.filter((l) => l.msg.includes('skipped'))).toHaveLength(5);
    runs[0]!.resolve(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toHaveLength(2);
    expect(lines).toContainEqual({ level: 'info', obj: { job: 'slow', count: 3 }, msg: 'housekeeping' });
    runs[1]!.resolve(0);
    await runner.stop();
  });

  it('waits on shutdown for a run in flight, and starts none after', async () => {
    const run = deferred();
    let started = 0;
    const runner = runJobs([{ name: 'purge', everyMs: 1000, run: () => ((started += 1), run.promise) }], recordingLog().log);
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toBe(1);
    let stopped = false;
    const stopping = runner.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(3000);
    expect(stopped).toBe(false);
    expect(started).toBe(1);
    run.resolve(1);
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(3000);
    expect(started).toBe(1);
  });

  it('logs a failing run and tries again at the next tick', async () => {
    const { log, lines } = recordingLog();
    let attempts = 0;
    const runner = runJobs(
      [
        {
          name: 'flaky',
          everyMs: 1000,
          run: async () => {
            attempts += 1;
            if (attempts === 1) throw new Error('database is locked');
            return 2;
          },
        },
      ],
      log,
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ obj: expect.objectContaining({ job: 'flaky', err: expect.objectContaining({ message: 'database is locked' }) }) }),
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(attempts).toBe(2);
    expect(lines.at(-1)).toEqual({ level: 'info', obj: { job: 'flaky', count: 2 }, msg: 'housekeeping' });
    await runner.stop();
  });

  it('asks runs in flight to stop at their next batch when the runner stops', async () => {
    const run = deferred();
    let seen: AbortSignal | undefined;
    const runner = runJobs([{ name: 'batches', everyMs: 1000, run: ({ signal }) => ((seen = signal), run.promise) }], recordingLog().log);
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen?.aborted).toBe(false);
    const stopping = runner.stop();
    expect(seen?.aborted).toBe(true);
    run.resolve(0);
    await stopping;
  });
});
