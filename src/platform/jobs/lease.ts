import type { Database } from '../db/database.ts';
import { transact } from '../db/transaction.ts';
import { newId } from '../ids.ts';
import { testControls, type JobLeaseMode } from '../test-controls.ts';

/**
 * Job leases: how several server instances on one database agree that a job runs on one of them
 * at a time, and once per tick. The only writer of `job_leases` and `job_runs`.
 *
 * A claim is one conditional UPDATE of the job's row: it takes the lease only if the lease is free
 * or expired and, for a scheduled job, the job has not started yet in the current tick (or its last
 * run never finished, because its holder died). Zero rows updated means another instance holds it
 * or it already ran; like the stock guard, it never reads and then writes, so two claimants cannot
 * both win: on PostgreSQL the second UPDATE waits on the first one's row lock and re-checks the
 * condition after it commits; on SQLite BEGIN IMMEDIATE serialises them.
 *
 * A lease is held for `leaseMs` and renewed while the run goes on. A holder killed with SIGKILL
 * renews nothing, so its lease runs out and the next claim after that takes the job over. Every
 * claim gets a fresh run id, the fencing token: renewing and releasing match it, so a holder that
 * was paused past its lease (and taken over) finds out, instead of extending or freeing the lease
 * of the run that replaced it.
 *
 * Ticks are windows of the wall clock, `everyMs` long, aligned to the epoch: an hourly purge runs
 * once per clock hour, whichever instance's timer fires first in that hour. Leases and ticks read
 * each instance's own clock, so instances on several machines need their clocks in step (NTP):
 * a clock that runs ahead by more than a lease could take over a live holder's job early.
 */

export interface JobClaim {
  name: string;
  /** The instance claiming (see platform/instance.ts). */
  holder: string;
  now: number;
  leaseMs: number;
  /** A scheduled job: claim only if it has not started in the current tick of this length. Without it, claim whenever the lease is free. */
  everyMs?: number;
}

export interface JobLease {
  name: string;
  holder: string;
  /** The fencing token of this run. */
  runId: string;
  startedAt: number;
  leaseUntil: number;
}

export type LeaseRenewal = 'renewed' | 'lost';
export type LeaseRelease = 'released' | 'lost';
export type JobOutcome = 'done' | 'failed';

/** The start of the tick `now` falls in. */
export function tickStart(now: number, everyMs: number): number {
  return now - (now % everyMs);
}

/**
 * Takes the job's lease for a new run, or returns null when another instance holds it or (with
 * `everyMs`) the job has already started in this tick. Records the run in `job_runs`.
 * `mode` is the negative control's switch (test-controls.ts); the product always claims `guarded`.
 */
export async function claimJobLease(db: Database, claim: JobClaim, mode: JobLeaseMode = testControls.jobLeases): Promise<JobLease | null> {
  if (!(claim.leaseMs > 0)) throw new RangeError(`a job lease lasts a positive number of milliseconds, not ${claim.leaseMs}`);
  const runId = newId('jrn', claim.now);
  const leaseUntil = claim.now + claim.leaseMs;
  return transact(db, async (trx) => {
    await trx.insertInto('job_leases').values({ name: claim.name, holder: null, run_id: null, lease_until: 0, last_started_at: null, last_finished_at: null }).onConflict((oc) => oc.doNothing()).execute();
    let update = trx
      .updateTable('job_leases')
      .set({ holder: claim.holder, run_id: runId, lease_until: leaseUntil, last_started_at: claim.now })
      .where('name', '=', claim.name);
    if (mode === 'guarded') {
      update = update.where('lease_until', '<=', claim.now);
      // A claim whose clock reading is older than the last run's start or end (it waited on the row
      // lock of the release it follows) is stale: it skips, so runs never look overlapped in
      // `job_runs`, and a clock behind the others' by more than a run cannot start one at once.
      update = update.where((eb) => eb.or([eb('last_finished_at', 'is', null), eb('last_finished_at', '<=', claim.now)]));
      update = update.where((eb) => eb.or([eb('last_started_at', 'is', null), eb('last_started_at', '<=', claim.now)]));
      const everyMs = claim.everyMs;
      if (everyMs !== undefined) {
        update = update.where((eb) =>
          eb.or([
            eb('last_started_at', 'is', null),
            eb('last_started_at', '<', tickStart(claim.now, everyMs)),
            // The last run never finished: its holder died, and its lease (checked above) ran out.
            eb('last_finished_at', 'is', null),
            eb('last_finished_at', '<', eb.ref('last_started_at')),
          ]),
        );
      }
    }
    const result = await update.executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return null;
    await trx
      .insertInto('job_runs')
      .values({ id: runId, name: claim.name, holder: claim.holder, started_at: claim.now, lease_until: leaseUntil, finished_at: null, outcome: null, handled: null, error: null })
      .execute();
    return { name: claim.name, holder: claim.holder, runId, startedAt: claim.now, leaseUntil };
  });
}

/** Extends a held lease to `now + leaseMs`; `lost` when another run has taken the job since. */
export async function renewJobLease(db: Database, lease: JobLease, now: number, leaseMs: number): Promise<LeaseRenewal> {
  const leaseUntil = now + leaseMs;
  return transact(db, async (trx) => {
    const result = await trx.updateTable('job_leases').set({ lease_until: leaseUntil }).where('name', '=', lease.name).where('run_id', '=', lease.runId).executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return 'lost';
    await trx.updateTable('job_runs').set({ lease_until: leaseUntil }).where('id', '=', lease.runId).execute();
    return 'renewed';
  });
}

/**
 * Frees the lease and records how the run ended. `lost` when another run had taken the job
 * meanwhile (the run is then recorded as `lease_lost`, for the operator to see).
 */
export async function releaseJobLease(db: Database, lease: JobLease, now: number, ended: { outcome: JobOutcome; handled?: number; error?: string }): Promise<LeaseRelease> {
  return transact(db, async (trx) => {
    const result = await trx
      .updateTable('job_leases')
      .set({ holder: null, run_id: null, lease_until: 0, last_finished_at: now })
      .where('name', '=', lease.name)
      .where('run_id', '=', lease.runId)
      .executeTakeFirst();
    const released = Number(result.numUpdatedRows) === 1;
    await trx
      .updateTable('job_runs')
      .set({ finished_at: now, outcome: released ? ended.outcome : 'lease_lost', handled: ended.handled ?? null, error: ended.error?.slice(0, 500) ?? null })
      .where('id', '=', lease.runId)
      .execute();
    return released ? 'released' : 'lost';
  });
}

/** Deletes runs that were over before `before` (finished, or their dead holder's lease ran out), in bounded batches; returns how many went. */
export async function purgeJobRuns(db: Database, before: number, batch = 1000): Promise<number> {
  let total = 0;
  for (let round = 0; round < 100; round += 1) {
    const doomed = await db.kysely.selectFrom('job_runs').select('id').where('started_at', '<', before).where('lease_until', '<', before).limit(batch).execute();
    if (doomed.length === 0) break;
    await transact(db, (trx) => trx.deleteFrom('job_runs').where('id', 'in', doomed.map((d) => d.id)).execute());
    total += doomed.length;
    if (doomed.length < batch) break;
  }
  return total;
}

export interface JobLeaseState {
  name: string;
  holder: string | null;
  leaseUntil: number;
  lastStartedAt: number | null;
  lastFinishedAt: number | null;
}

/** Every job's lease as it stands: who holds what, and when each job last started and finished. */
export async function listJobLeases(db: Database): Promise<JobLeaseState[]> {
  const rows = await db.kysely.selectFrom('job_leases').selectAll().orderBy('name').execute();
  return rows.map((r) => ({ name: r.name, holder: r.holder, leaseUntil: r.lease_until, lastStartedAt: r.last_started_at, lastFinishedAt: r.last_finished_at }));
}

/** The latest runs, newest first (at most 1000). */
export async function listJobRuns(db: Database, limit: number) {
  return db.kysely.selectFrom('job_runs').selectAll().orderBy('started_at', 'desc').orderBy('id', 'desc').limit(Math.min(Math.max(1, limit), 1000)).execute();
}
