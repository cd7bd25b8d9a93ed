import type { Command, Option } from 'commander';
import { toIso } from '../platform/clock.ts';
import { openDatabase } from '../platform/db/database.ts';
import { listJobLeases, listJobRuns } from '../platform/jobs/lease.ts';

/**
 * `stockroom jobs`: the housekeeping jobs as the instances sharing this database see them, which
 * instance holds each one now, and the latest runs; for an operator running several servers.
 */
export function addJobCommands(program: Command, dbOption: () => Option): void {
  program
    .command('jobs')
    .description('Show the housekeeping jobs: which server instance holds each now, and the latest runs (instance, start, length, outcome).')
    .addOption(dbOption())
    .option('--runs <n>', 'how many of the latest runs to show (up to 1000)', (v) => Number(v), 20)
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { db: string; runs: number; json?: boolean }) => {
      if (!Number.isInteger(options.runs) || options.runs < 0 || options.runs > 1000) throw new Error('--runs is a whole number from 0 to 1000');
      const db = await openDatabase({ url: options.db });
      try {
        const now = Date.now();
        const leases = await listJobLeases(db);
        const runs = options.runs > 0 ? await listJobRuns(db, options.runs) : [];
        if (options.json) {
          console.log(JSON.stringify({ leases, runs }, null, 2));
          return;
        }
        if (leases.length === 0) console.log('No job has run on this database yet.');
        for (const lease of leases) {
          const held = lease.holder !== null && lease.leaseUntil > now ? `held by ${lease.holder} until ${toIso(lease.leaseUntil)}` : 'free';
          const last = lease.lastStartedAt === null ? 'never started' : `last started ${toIso(lease.lastStartedAt)}`;
          console.log(`${lease.name.padEnd(30)} ${held}; ${last}`);
        }
        if (runs.length > 0) console.log('');
        for (const run of runs) {
          const length = run.finished_at === null ? 'not finished' : `${run.finished_at - run.started_at} ms`;
          const outcome = run.outcome ?? (run.lease_until > now ? 'running' : 'holder died');
          console.log(`${toIso(run.started_at)}  ${run.name.padEnd(30)} ${run.holder.padEnd(24)} ${length.padStart(12)}  ${outcome}${run.handled ? ` (${run.handled})` : ''}${run.error ? `: ${run.error}` : ''}`);
        }
      } finally {
        await db.close();
      }
    });
}
