import { sql } from 'kysely';
import type { Database } from '../../src/platform/db/database.ts';

/**
 * A counter that every committed insert, update or delete in the watched tables moves, kept by
 * triggers in a test database: one tiny read tells whether anything changed since the last look,
 * where hashing every table costs tens of milliseconds. A rolled-back write moves it not at all,
 * which is what a test of "a rejected request changes nothing" wants to hear. An update that only
 * touches an `ignored` column (a token's last use) does not move it.
 */
export class ChangeCounter {
  private constructor(private readonly db: Database) {}

  static async install(db: Database, tables: readonly string[], ignored: Record<string, string[]>): Promise<ChangeCounter> {
    await sql`create table fuzz_change_counter (n bigint not null)`.execute(db.kysely);
    await sql`insert into fuzz_change_counter (n) values (0)`.execute(db.kysely);
    if (db.dialect === 'postgres') {
      await sql`create function fuzz_count_change() returns trigger language plpgsql as $$ begin update fuzz_change_counter set n = n + 1; return null; end $$`.execute(db.kysely);
    }
    for (const table of tables) {
      const skip = ignored[table] ?? [];
      const columns = skip.length ? (await db.kysely.introspection.getTables()).find((t) => t.name === table && (db.dialect !== 'postgres' || t.schema === db.schema))!.columns.map((c) => c.name).filter((c) => !skip.includes(c)) : [];
      const update = skip.length ? `update of ${columns.map((c) => `"${c}"`).join(', ')}` : 'update';
      for (const event of ['insert', 'delete', update]) await createTrigger(db, table, event);
    }
    return new ChangeCounter(db);
  }

  async read(): Promise<number> {
    const row = await sql<{ n: number | string }>`select n from fuzz_change_counter`.execute(this.db.kysely);
    return Number(row.rows[0]!.n);
  }
}

let triggers = 0;

async function createTrigger(db: Database, table: string, event: string): Promise<void> {
  const name = `fuzz_counts_${(triggers += 1)}`;
  const statement = db.dialect === 'postgres'
    ? `create trigger ${name} after ${event} on "${table}" for each row execute function fuzz_count_change()`
    : `create trigger ${name} after ${event} on "${table}" begin update fuzz_change_counter set n = n + 1; end`;
  await sql.raw(statement).execute(db.kysely);
}
