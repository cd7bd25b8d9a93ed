import { postgresReachable, testPostgresUrl } from './postgres.ts';

/**
 * Decides once whether the PostgreSQL half of the suite runs. In CI an unreachable PostgreSQL
 * fails the run; on a laptop without one the PostgreSQL half is skipped, and says so.
 */
export default async function setup(): Promise<void> {
  const reachable = await postgresReachable();
  if (!reachable) {
    if (process.env.CI) throw new Error(`PostgreSQL is not reachable at ${testPostgresUrl}; CI runs every service test on it.`);
    console.warn(`\n*** PostgreSQL is not reachable at ${testPostgresUrl}: the PostgreSQL half of the suite is SKIPPED. ***\n`);
  }
  process.env.STOCKROOM_TEST_POSTGRES = reachable ? '1' : '0';
}
