import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { JobLeaseMode } from '../test-controls.ts';
import { claimJobLease, releaseJobLease, renewJobLease, type JobLease, type JobOutcome } from './lease.ts';

/**
 * Work that runs inside every server process on timers; each run is bounded.
 *
 * A job never overlaps itself: in one process a tick that finds the previous run still going is
 * skipped (a slow database must not pile up runs that fight over the same rows). With leasing
 * (every server runs with it, on both databases), a `one-instance` job also never overlaps itself
 * across processes and runs once per tick across all of them: each tick first claims the job's
 * lease (lease.ts), renews it while the run goes on and releases it at the end; an instance that
 * finds the lease held, or the job already run in this tick, skips. An `every-instance` job (a
 * worker that claims its own rows, like the delivery worker with FOR UPDATE SKIP LOCKED) runs on
 * every instance at each tick and takes no lease.
 *
 * A run that fails is logged and tried again at the next tick. Stopping clears the timers and
 * waits for runs in flight (which then release their leases), so the server closes the database
 * only once no job is using it.
 */
export interface Job {
  name: string;
  everyMs: number;
  /** `one-instance` (the default): once per tick across every instance sharing the database. */
  placement?: JobPlacement;
  /** How long a claim holds the job before another instance may take it over (default: the runner's). */
  leaseMs?: number;
  /** Returns how many records it handled, for the log. A long run should stop between batches once `signal` aborts: its lease was lost. */
  run: (run: JobRun) => Promise<number>;
}

export type JobPlacement = 'one-instance' | 'every-instance';

export interface JobRun {
  /**
   * Aborts when the run should stop at its next batch: the server is stopping, or the run can no
   * longer be sure it holds its lease (a renewal found it taken, or none succeeded in time).
   */
  signal: AbortSignal;
  /** The instance running it. */
  holder: string;
}

export interface JobLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  warn?(obj: object, msg: string): void;
}

export interface JobLeasing {
  db: Database;
  clock: Clock;
  /** This instance's id (platform/instance.ts). */
  holder: string;
  /** Default lease of a job that names none. */
  leaseMs?: number;
  /** Test-only: each run holds its lease this much longer, a deliberately slow job. */
  holdMs?: number;
  /** The negative control's switch; the product leaves it `guarded`. */
  mode?: JobLeaseMode;
}

export interface JobRunner {
  /** Stops the timers and resolves once every run in flight has finished (and released its lease). */
  stop(): Promise<void>;
}

export const DEFAULT_JOB_LEASE_MS = 60_000;

/** Without `leasing` the runner only keeps a job from overlapping itself in this process (the unit tests of the timers). */
export function runJobs(jobs: readonly Job[], log: JobLog, leasing?: JobLeasing): JobRunner {
  const running = new Map<string, Promise<void>>();
  // Each run's controller, so stopping can ask runs in flight to end at their next batch.
  const inFlight = new Set<AbortController>();
  let stopped = false;
  const tick = (job: Job) => {
    if (stopped) return;
    if (running.has(job.name)) {
      log.debug({ job: job.name }, 'housekeeping still running; skipped a tick');
      return;
    }
    const exclusive = leasing !== undefined && (job.placement ?? 'one-instance') === 'one-instance';
    const controller = new AbortController();
    inFlight.add(controller);
    const run = (exclusive ? runLeased(job, log, leasing, controller) : runLocal(job, log, leasing?.holder ?? 'local', controller)).finally(() => {
      inFlight.delete(controller);
      running.delete(job.name);
    });
    running.set(job.name, run);
  };
  const timers = jobs.map((job) => {
    const timer = setInterval(() => tick(job), job.everyMs);
    timer.unref();
    return timer;
  });
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      for (const controller of inFlight) controller.abort(new Error('the server is stopping'));
      await Promise.all(running.values());
    },
  };
}

async function runLocal(job: Job, log: JobLog, holder: string, controller: AbortController): Promise<void> {
  try {
    const count = await job.run({ signal: controller.signal, holder });
    if (count > 0) log.info({ job: job.name, count }, 'housekeeping');
  } catch (err) {
    log.error({ err, job: job.name }, 'housekeeping failed; it runs again at the next tick');
  }
}

async function runLeased(job: Job, log: JobLog, leasing: JobLeasing, controller: AbortController): Promise<void> {
  const leaseMs = job.leaseMs ?? leasing.leaseMs ?? DEFAULT_JOB_LEASE_MS;
  let lease: JobLease | null;
  try {
    lease = await claimJobLease(leasing.db, { name: job.name, holder: leasing.holder, now: leasing.clock.now(), leaseMs, everyMs: job.everyMs }, leasing.mode);
  } catch (err) {
    log.error({ err, job: job.name }, 'housekeeping could not claim its lease; it tries again at the next tick');
    return;
  }
  if (!lease) {
    log.debug({ job: job.name }, 'housekeeping already ran in this tick or runs on another instance; skipped');
    return;
  }
  const held = lease;
  const keeper = keepLease(held, leaseMs, log, leasing, controller);
  let ended: { outcome: JobOutcome; handled?: number; error?: string };
  try {
    const count = await job.run({ signal: keeper.signal, holder: leasing.holder });
    if (leasing.holdMs) await new Promise((resolve) => setTimeout(resolve, leasing.holdMs));
    if (count > 0) log.info({ job: job.name, count }, 'housekeeping');
    ended = { outcome: 'done', handled: count };
  } catch (err) {
    log.error({ err, job: job.name }, 'housekeeping failed; it runs again at the next tick');
    ended = { outcome: 'failed', error: err instanceof Error ? err.message : String(err) };
  }
  await keeper.stop();
  try {
    const released = await releaseJobLease(leasing.db, held, leasing.clock.now(), ended);
    if (released === 'lost') warn(log, { job: job.name, run: held.runId }, 'housekeeping lost its lease during the run; another instance may have run the job at the same time');
  } catch (err) {
    // The lease runs out by itself; another instance takes the job over then.
    log.error({ err, job: job.name }, 'housekeeping could not release its lease; it expires by itself');
  }
}

/**
 * Renews the lease every third of its length while the run goes on. The run's signal aborts when
 * a renewal finds the lease taken, or when the lease as last renewed has run out (the database
 * did not answer in time): from then on another instance may be running the job.
 */
function keepLease(lease: JobLease, leaseMs: number, log: JobLog, leasing: JobLeasing, controller: AbortController): { signal: AbortSignal; stop(): Promise<void> } {
  let leaseUntil = lease.leaseUntil;
  // Only a renewal that finds the lease taken stops the renewals: a run asked to stop because the
  // server is stopping keeps its lease until it has finished.
  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  const abort = (why: string) => {
    if (controller.signal.aborted) return;
    warn(log, { job: lease.name, run: lease.runId }, why);
    controller.abort(new Error(why));
  };
  const timer = setInterval(() => {
    if (leasing.clock.now() >= leaseUntil) abort('housekeeping lease ran out before it could be renewed; the run should stop');
    renewing = renewing.then(async () => {
      if (lost) return;
      const now = leasing.clock.now();
      try {
        if ((await renewJobLease(leasing.db, lease, now, leaseMs)) === 'renewed') leaseUntil = now + leaseMs;
        else {
          lost = true;
          abort('housekeeping lease was taken over by another instance; the run should stop');
        }
      } catch (err) {
        log.error({ err, job: lease.name }, 'housekeeping could not renew its lease; it tries again');
      }
    });
  }, Math.max(1, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    signal: controller.signal,
    async stop() {
      clearInterval(timer);
      await renewing;
    },
  };
}

function warn(log: JobLog, obj: object, msg: string): void {
  if (log.warn) log.warn(obj, msg);
  else log.error(obj, msg);
}
