import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { benchPostgresUrl } from './databases.ts';

/**
 * The write ceiling: the same rows a service writes for one operation, as plain statements in
 * one transaction — no reads, no validation, no costing decisions. Statements use `?`; for
 * PostgreSQL they are renumbered to `$n`.
 */
export type RawStatement = [sql: string, params: unknown[]];

export interface RawWriter {
  write(statements: RawStatement[]): Promise<void>;
  close(): Promise<void>;
}

export function sqliteRawWriter(file: string): RawWriter {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 10000');
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepared = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const begin = db.prepare('begin immediate');
  const commit = db.prepare('commit');
  return {
    async write(statements) {
      begin.run();
      for (const [sql, params] of statements) prepared(sql).run(params);
      commit.run();
    },
    async close() {
      db.close();
    },
  };
}

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export async function postgresRawWriter(schema: string, connections = 1): Promise<RawWriter> {
  const pool = new pg.Pool({ connectionString: benchPostgresUrl, options: `-c search_path=${schema}`, max: connections });
  return {
    async write(statements) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        for (const [sql, params] of statements) await client.query(numbered(sql), params);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Runs `op` from `concurrency` loops for `durationMs`; ops per second. */
export async function timeConcurrent(durationMs: number, concurrency: number, op: (n: number) => Promise<unknown>): Promise<{ opsPerSec: number }> {
  let n = 0;
  let done = 0;
  const until = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await op(n++);
        done += 1;
      }
    }),
  );
  return { opsPerSec: (done / (performance.now() - started)) * 1000 };
}
