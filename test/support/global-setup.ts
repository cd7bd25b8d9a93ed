import { randomBytes } from 'node:crypto';
import { selectedDialects } from './databases.ts';
import { dropRunSchemas, postgresReachable, testPostgresUrl } from './postgres.ts';

/**
 * Decides once whether the PostgreSQL half of the suite runs. In CI an unreachable PostgreSQL
 * fails the run; on a laptop without one the PostgreSQL half is skipped, and says so.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.CI && selectedDialects().length < 2) {
    throw new Error(`STOCKROOM_TEST_DIALECTS=${process.env.STOCKROOM_TEST_DIALECTS} narrows the suite; CI runs every service test on SQLite and PostgreSQL.`);
  }
  const reachable = await postgresReachable();
  if (!reachable) {
    if (process.env.CI) throw new Error(`PostgreSQL is not reachable at ${testPostgresUrl}; CI runs every service test on it.`);
    console.warn(`\n*** PostgreSQL is not reachable at ${testPostgresUrl}: the PostgreSQL half of the suite is SKIPPED. ***\n`);
  }
  process.env.STOCKROOM_TEST_POSTGRES = reachable ? '1' : '0';
  // Test files put their PostgreSQL schemas under this run's id and leave them for the end, when
  // they are dropped together (migrations look at their own schema only, so the others cost little).
  const runId = randomBytes(4).toString('hex');
  process.env.STOCKROOM_TEST_RUN = runId;
  return async () => {
    if (reachable) await dropRunSchemas(runId);
  };
}
