import type { Kysely } from 'kysely';

/**
 * Housekeeping shared by several server instances on one database. `job_leases` holds one row per
 * job: who runs it now and until when (a lease, so a holder killed with SIGKILL is taken over once
 * it expires), and when it last started and finished (so a job runs once per tick across every
 * instance). `job_runs` keeps each run, for the operator and for the tests that prove no job ever
 * overlapped itself; old runs are purged by a job of their own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    // The instance that holds the lease, and the run it holds it for (the fencing token: renewing
    // and releasing match the run, so a holder that lost its lease cannot release another's).
    .addColumn('holder', 'text')
    .addColumn('run_id', 'text')
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .addColumn('last_started_at', 'bigint')
    .addColumn('last_finished_at', 'bigint')
    .execute();
  await db.schema
    .createTable('job_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    // The lease as last renewed: a run that never finished (its holder died) held the job until then.
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    // done | failed | lease_lost (finished, but another instance may have taken the job meanwhile)
    .addColumn('outcome', 'text')
    .addColumn('handled', 'integer')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('job_runs_by_name').on('job_runs').columns(['name', 'started_at']).execute();
  await db.schema.createIndex('job_runs_by_start').on('job_runs').columns(['started_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
