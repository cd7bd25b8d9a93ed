import pg from 'pg';

export const testPostgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresReachable(url = testPostgresUrl): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function dropSchema(schema: string, url = testPostgresUrl): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

/** Drops every schema a test run made (named `t_<run>_…`). */
export async function dropRunSchemas(runId: string, url = testPostgresUrl): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query<{ name: string }>(`select nspname as name from pg_namespace where nspname like $1`, [`t\\_${runId}\\_%`]);
    for (const { name } of found.rows) await client.query(`drop schema if exists ${name} cascade`);
    return found.rows.length;
  } finally {
    await client.end();
  }
}
