import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/platform/db/database.ts';
import { postgresEnabled } from './support/databases.ts';
import { testPostgresUrl } from './support/postgres.ts';

/** Repeated queries are prepared once per connection, and a schema change never leaves a stale one in use. */
(postgresEnabled() ? describe : describe.skip)('PostgreSQL prepared statements', () => {
  let db: Database;
  const schema = `named_statements_${process.pid}`;
  beforeAll(async () => {
    db = await openDatabase({ url: testPostgresUrl, schema, migrate: false, poolSize: 2 });
    await sql`create table shelf (id integer primary key, name text not null)`.execute(db.kysely);
    await sql`insert into shelf (id, name) values (1, 'oats'), (2, 'rye')`.execute(db.kysely);
  });
  afterAll(async () => {
    await sql.raw(`drop schema ${schema} cascade`).execute(db.kysely);
    await db.close();
  });

  const readShelf = (id: number) => db.kysely.selectFrom('shelf' as never).selectAll().where('id' as never, '=', id as never).execute();

  it('prepares a query with parameters once on its connection and plans each run for its values', async () => {
    const prepared = await db.kysely.connection().execute(async (connection) => {
      await connection.selectFrom('shelf' as never).selectAll().where('id' as never, '=', 1 as never).execute();
      await connection.selectFrom('shelf' as never).selectAll().where('id' as never, '=', 2 as never).execute();
      const plan = await sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(connection);
      const statements = await sql<{ statement: string }>`select statement from pg_prepared_statements where statement like '%"shelf"%'`.execute(connection);
      return { mode: plan.rows[0]!.plan_cache_mode, statements: statements.rows.map((r) => r.statement) };
    });
    expect(prepared.mode).toBe('force_custom_plan');
    expect(prepared.statements).toEqual(['select * from "shelf" where "id" = $1']);
  });

  it('answers with the new columns after a schema change, on every connection of the pool', async () => {
    // Prepare the same query on both connections first.
    await Promise.all([readShelf(1), readShelf(2), readShelf(1), readShelf(2)]);
    await sql`alter table shelf add column aisle text not null default 'A'`.execute(db.kysely);
    const rows = await Promise.all([readShelf(1), readShelf(2), readShelf(1), readShelf(2)]);
    expect(rows.map((r) => r[0])).toEqual([
      { id: 1, name: 'oats', aisle: 'A' },
      { id: 2, name: 'rye', aisle: 'A' },
      { id: 1, name: 'oats', aisle: 'A' },
      { id: 2, name: 'rye', aisle: 'A' },
    ]);
  });
});
