import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, postgresTimeoutsFromEnv, DEFAULT_POSTGRES_TIMEOUTS, type Database } from '../src/platform/db/database.ts';
import { postgresEnabled } from './support/databases.ts';
import { testPostgresUrl } from './support/postgres.ts';

async function sessionAlive(pid: number): Promise<boolean> {
  const admin = new pg.Client({ connectionString: testPostgresUrl });
  await admin.connect();
  try {
    return (await admin.query('select 1 from pg_stat_activity where pid = $1', [pid])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The PostgreSQL pool fails slow work instead of hanging on it, and says when a connection drops. */
(postgresEnabled() ? describe : describe.skip)('PostgreSQL pool limits', () => {
  let db: Database;
  const poolErrors: Error[] = [];
  beforeAll(async () => {
    db = await openDatabase({
      url: testPostgresUrl,
      migrate: false,
      poolSize: 2,
      postgresTimeouts: { statementMs: 300, idleInTransactionMs: 300 },
      onPoolError: (error) => poolErrors.push(error),
    });
  });
  afterAll(async () => {
    await db.close();
  });

  it('cancels a statement that runs past the statement timeout', async () => {
    await expect(sql`select pg_sleep(5)`.execute(db.kysely)).rejects.toMatchObject({ code: '57014' });
    expect((await sql<{ one: number }>`select 1 as one`.execute(db.kysely)).rows[0]!.one).toBe(1);
  });

  it('ends a session left idle inside a transaction, releasing its locks', async () => {
    const outcome = db.kysely.transaction().execute(async (trx) => {
      const [{ pid }] = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows as [{ pid: number }];
      // Idle inside the transaction until the server has ended the session, then try to go on.
      await waitUntil(async () => !(await sessionAlive(pid)));
      await sql`select 1`.execute(trx);
    });
    await expect(outcome).rejects.toThrow();
    expect((await sql<{ one: number }>`select 1 as one`.execute(db.kysely)).rows[0]!.one).toBe(1);
  });

  it('reports an error on an idle pooled connection instead of swallowing it', async () => {
    // The session ended in the test before may already have reported its error: wait for a new one.
    const errorsBefore = poolErrors.length;
    const [{ pid }] = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely)).rows as [{ pid: number }];
    const admin = new pg.Client({ connectionString: testPostgresUrl });
    await admin.connect();
    try {
      await admin.query('select pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    await waitUntil(async () => poolErrors.length > errorsBefore);
    expect((await sql<{ one: number }>`select 1 as one`.execute(db.kysely)).rows[0]!.one).toBe(1);
  });

  it('reads its limits from the environment, with defaults', () => {
    expect(postgresTimeoutsFromEnv({})).toEqual(DEFAULT_POSTGRES_TIMEOUTS);
    expect(postgresTimeoutsFromEnv({ PG_STATEMENT_TIMEOUT_MS: '0', PG_CONNECT_TIMEOUT_MS: '2500' })).toMatchObject({ statementMs: 0, connectMs: 2500 });
    expect(() => postgresTimeoutsFromEnv({ PG_STATEMENT_TIMEOUT_MS: '1s' })).toThrow(/milliseconds/);
  });
});
