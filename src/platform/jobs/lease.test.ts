import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { ManualClock, systemClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { JobLeaseMode } from '../test-controls.ts';
import { claimJobLease, purgeJobRuns, releaseJobLease, renewJobLease, tickStart } from './lease.ts';
import { runJobs, type JobLog, type JobRunner } from './runner.ts';

const quiet: JobLog = { info: () => {}, error: () => {}, debug: () => {}, warn: () => {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the tick a moment falls in', () => {
  it('is a window of the wall clock aligned to the epoch', () => {
    expect(tickStart(Date.UTC(2026, 11, 3, 14, 7, 31, 250), 60_000)).toBe(Date.UTC(2026, 11, 3, 14, 7));
    expect(tickStart(Date.UTC(2026, 11, 3, 14, 59, 59, 999), 3_600_000)).toBe(Date.UTC(2026, 11, 3, 14));
    expect(tickStart(1000, 300)).toBe(900);
  });
});

/**
 * Two job runners on one database, each with its own connection (SQLite: its own handle on the
 * file; PostgreSQL: its own pool), as two server instances would be. The job counts how many of
 * its runs are going at once; it is slow on purpose, so that without the lease the runs of the two
 * instances would overlap.
 */
async function twoInstances(a: Database, b: Database, options: { everyMs: number; runMs: number; forMs: number; mode: JobLeaseMode; name: string }) {
  let active = 0;
  let activeMax = 0;
  let runs = 0;
  const job = {
    name: options.name,
    everyMs: options.everyMs,
    run: async () => {
      active += 1;
      runs += 1;
      activeMax = Math.max(activeMax, active);
      await sleep(options.runMs);
      active -= 1;
      return 0;
    },
  };
  const runners: JobRunner[] = [
    runJobs([job], quiet, { db: a, clock: systemClock, holder: 'instance-a', leaseMs: 5_000, mode: options.mode }),
    runJobs([job], quiet, { db: b, clock: systemClock, holder: 'instance-b', leaseMs: 5_000, mode: options.mode }),
  ];
  const until = Date.now() + options.forMs;
  // The control stops at the first overlap; the product runs the whole time.
  while (Date.now() < until && !(options.mode === 'unchecked' && activeMax > 1)) await sleep(20);
  await Promise.all(runners.map((r) => r.stop()));
  return { activeMax, runs };
}

describeEachDatabase('job leases', (get, dialect) => {
  // PostgreSQL: a second pool, as a second server process would have. SQLite: the same handle,
  // because a second better-sqlite3 handle in the same process waits for the write lock
  // synchronously and so blocks the very event loop the first one needs to commit; SQLite runs
  // one process, and two runners in it share its handle.
  let others: Database | undefined;
  const another = async () => (dialect === 'sqlite' ? get().db : (others ??= await get().openAnother()));

  it('gives a job to one claimant at a time, and once per tick', async () => {
    const { db } = get();
    const clock = new ManualClock(Date.UTC(2026, 11, 3, 14, 0, 5));
    const claim = (holder: string) => claimJobLease(db, { name: 'purge', holder, now: clock.now(), leaseMs: 30_000, everyMs: 60_000 });
    const first = await claim('a');
    expect(first).toMatchObject({ name: 'purge', holder: 'a', startedAt: Date.UTC(2026, 11, 3, 14, 0, 5), leaseUntil: Date.UTC(2026, 11, 3, 14, 0, 35) });
    expect(await claim('b')).toBeNull();
    clock.advance(1_000);
    expect(await releaseJobLease(db, first!, clock.now(), { outcome: 'done', handled: 4 })).toBe('released');
    // Free again, but it already ran in this minute.
    expect(await claim('b')).toBeNull();
    clock.set(Date.UTC(2026, 11, 3, 14, 1, 0));
    const second = await claim('b');
    expect(second?.holder).toBe('b');
    const runs = await db.kysely.selectFrom('job_runs').select(['holder', 'started_at', 'finished_at', 'outcome', 'handled']).where('name', '=', 'purge').orderBy('started_at').execute();
    expect(runs).toEqual([
      { holder: 'a', started_at: Date.UTC(2026, 11, 3, 14, 0, 5), finished_at: Date.UTC(2026, 11, 3, 14, 0, 6), outcome: 'done', handled: 4 },
      { holder: 'b', started_at: Date.UTC(2026, 11, 3, 14, 1, 0), finished_at: null, outcome: null, handled: null },
    ]);
  });

  it('lets another instance take over a holder that died, once its lease has run out, even within the tick', async () => {
    const { db } = get();
    const clock = new ManualClock(Date.UTC(2026, 11, 3, 15, 0, 0));
    const claim = (holder: string) => claimJobLease(db, { name: 'expire', holder, now: clock.now(), leaseMs: 20_000, everyMs: 60_000 });
    const dead = await claim('killed');
    expect(dead).not.toBeNull();
    // Killed with SIGKILL: it renews nothing and releases nothing.
    clock.advance(19_999);
    expect(await claim('survivor')).toBeNull();
    clock.advance(1);
    const taken = await claim('survivor');
    expect(taken?.holder).toBe('survivor');
    // A holder that was only paused comes back: it can neither extend nor free the lease it lost.
    expect(await renewJobLease(db, dead!, clock.now(), 20_000)).toBe('lost');
    expect(await releaseJobLease(db, dead!, clock.now(), { outcome: 'done', handled: 1 })).toBe('lost');
    expect(await claim('third')).toBeNull();
    expect(await renewJobLease(db, taken!, clock.now() + 5_000, 20_000)).toBe('renewed');
    expect(await releaseJobLease(db, taken!, clock.now() + 6_000, { outcome: 'failed', error: 'boom' })).toBe('released');
    const runs = await db.kysely.selectFrom('job_runs').select(['holder', 'lease_until', 'outcome']).where('name', '=', 'expire').orderBy('started_at').execute();
    expect(runs).toEqual([
      { holder: 'killed', lease_until: Date.UTC(2026, 11, 3, 15, 0, 20), outcome: 'lease_lost' },
      { holder: 'survivor', lease_until: Date.UTC(2026, 11, 3, 15, 0, 45), outcome: 'failed' },
    ]);
  });

  it('refuses a claim whose clock reading is older than the end of the run it follows', async () => {
    const { db } = get();
    const claim = (holder: string, now: number) => claimJobLease(db, { name: 'stale', holder, now, leaseMs: 120_000, everyMs: 60_000 });
    // A run from 17:00:00 to 17:01:05, past the end of its tick.
    const long = await claim('a', Date.UTC(2026, 11, 3, 17, 0, 0));
    expect(await releaseJobLease(db, long!, Date.UTC(2026, 11, 3, 17, 1, 5), { outcome: 'done' })).toBe('released');
    // B read its clock at 17:01:02, then waited on the release's row lock: its reading is stale.
    expect(await claim('b', Date.UTC(2026, 11, 3, 17, 1, 2))).toBeNull();
    expect((await claim('b', Date.UTC(2026, 11, 3, 17, 1, 6)))?.holder).toBe('b');
  });

  it('gives the lease to exactly one of many claims sent at once from two instances', async () => {
    const { db } = get();
    const other = await another();
    const now = Date.UTC(2026, 11, 3, 16);
    const claims = await Promise.all(Array.from({ length: 12 }, (_, n) => claimJobLease(n % 2 ? other : db, { name: 'race', holder: `h${n}`, now, leaseMs: 10_000, everyMs: 60_000 })));
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
    // The negative control: unchecked, every claim wins.
    const unchecked = await Promise.all(Array.from({ length: 4 }, (_, n) => claimJobLease(n % 2 ? other : db, { name: 'race-unchecked', holder: `h${n}`, now, leaseMs: 10_000, everyMs: 60_000 }, 'unchecked')));
    expect(unchecked.filter((c) => c !== null)).toHaveLength(4);
  });

  it('never runs a slow job on two instances at once, and runs it once per tick', async () => {
    const { db } = get();
    const started = Date.now();
    const { activeMax, runs } = await twoInstances(db, await another(), { name: 'slow', everyMs: 100, runMs: 70, forMs: 1_500, mode: 'guarded' });
    expect(activeMax).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(3);
    const recorded = await db.kysely.selectFrom('job_runs').select(['started_at', 'finished_at', 'outcome']).where('name', '=', 'slow').orderBy('started_at').execute();
    expect(recorded).toHaveLength(runs);
    expect(recorded.every((r) => r.outcome === 'done' && r.started_at >= started)).toBe(true);
    const ticks = recorded.map((r) => tickStart(r.started_at, 100));
    expect(new Set(ticks).size).toBe(ticks.length);
    // Each run finished before the next one started, by the database's record too.
    for (let i = 1; i < recorded.length; i += 1) expect(recorded[i]!.started_at).toBeGreaterThanOrEqual(recorded[i - 1]!.finished_at!);
  });

  it('negative control: with the lease unchecked, the same two instances run the slow job at once', async () => {
    const { db } = get();
    const { activeMax } = await twoInstances(db, await another(), { name: 'slow-unchecked', everyMs: 100, runMs: 150, forMs: 5_000, mode: 'unchecked' });
    expect(activeMax).toBeGreaterThan(1);
  });

  it('takes over, through the runner, a job whose holder died holding it, once the lease runs out', async () => {
    const { db } = get();
    const dead = await claimJobLease(db, { name: 'orphaned', holder: 'killed', now: Date.now(), leaseMs: 600, everyMs: 50 });
    expect(dead).not.toBeNull();
    const starts: number[] = [];
    const runner = runJobs([{ name: 'orphaned', everyMs: 50, run: async () => (starts.push(Date.now()), 1) }], quiet, { db: await another(), clock: systemClock, holder: 'survivor', leaseMs: 2_000 });
    const until = Date.now() + 5_000;
    while (Date.now() < until && starts.length === 0) await sleep(20);
    await runner.stop();
    expect(starts.length).toBeGreaterThan(0);
    expect(starts[0]!).toBeGreaterThanOrEqual(dead!.leaseUntil);
    const runs = await db.kysely.selectFrom('job_runs').select(['holder', 'finished_at', 'outcome']).where('name', '=', 'orphaned').orderBy('started_at').execute();
    expect(runs[0]).toEqual({ holder: 'killed', finished_at: null, outcome: null });
    expect(runs.slice(1).every((r) => r.holder === 'survivor' && r.outcome === 'done')).toBe(true);
  });

  it('renews the lease of a run that outlasts it, so no other instance takes the job meanwhile', async () => {
    const { db } = get();
    let active = 0;
    let activeMax = 0;
    const job = {
      name: 'long',
      everyMs: 50,
      leaseMs: 300,
      run: async () => {
        active += 1;
        activeMax = Math.max(activeMax, active);
        await sleep(1_000);
        active -= 1;
        return 0;
      },
    };
    const runners = [
      runJobs([job], quiet, { db, clock: systemClock, holder: 'a' }),
      runJobs([job], quiet, { db: await another(), clock: systemClock, holder: 'b' }),
    ];
    await sleep(1_500);
    await Promise.all(runners.map((r) => r.stop()));
    expect(activeMax).toBe(1);
    const runs = await db.kysely.selectFrom('job_runs').select(['started_at', 'lease_until', 'outcome']).where('name', '=', 'long').execute();
    expect(runs.length).toBeGreaterThan(0);
    // The first run was renewed well past its first 300 ms.
    expect(runs.every((r) => r.outcome === 'done')).toBe(true);
    expect(Math.max(...runs.map((r) => r.lease_until - r.started_at))).toBeGreaterThan(600);
  });

  it('runs an every-instance job on each instance at once, without a lease (a worker that claims its own rows)', async () => {
    const { db } = get();
    const holders = new Set<string>();
    let active = 0;
    let activeMax = 0;
    const job = {
      name: 'deliver',
      everyMs: 50,
      placement: 'every-instance' as const,
      run: async ({ holder }: { holder: string }) => {
        holders.add(holder);
        active += 1;
        activeMax = Math.max(activeMax, active);
        await sleep(120);
        active -= 1;
        return 0;
      },
    };
    const runners = [runJobs([job], quiet, { db, clock: systemClock, holder: 'a' }), runJobs([job], quiet, { db: await another(), clock: systemClock, holder: 'b' })];
    const until = Date.now() + 5_000;
    while (Date.now() < until && activeMax < 2) await sleep(20);
    await Promise.all(runners.map((r) => r.stop()));
    expect(activeMax).toBe(2);
    expect([...holders].sort()).toEqual(['a', 'b']);
    expect(await db.kysely.selectFrom('job_runs').select('id').where('name', '=', 'deliver').execute()).toEqual([]);
  });

  it('purges runs that were over before the cut-off, a dead holder\'s among them, and keeps the rest', async () => {
    const { db } = get();
    const day = 24 * 60 * 60_000;
    const t0 = Date.UTC(2026, 10, 1);
    const claim = (name: string, now: number) => claimJobLease(db, { name, holder: 'p', now, leaseMs: 60_000, everyMs: day });
    const finished = await claim('purge-a', t0);
    await releaseJobLease(db, finished!, t0 + 10, { outcome: 'done' });
    await claim('purge-b', t0); // its holder died: never released
    const recent = await claim('purge-c', t0 + 9 * day);
    await releaseJobLease(db, recent!, t0 + 9 * day + 10, { outcome: 'done' });
    const running = await claim('purge-d', t0 + 9 * day);
    expect(await purgeJobRuns(db, t0 + 7 * day)).toBe(2);
    const left = await db.kysely.selectFrom('job_runs').select('name').where('name', 'like', 'purge-%').orderBy('name').execute();
    expect(left.map((r) => r.name)).toEqual(['purge-c', 'purge-d']);
    expect(running).not.toBeNull();
  });
});
