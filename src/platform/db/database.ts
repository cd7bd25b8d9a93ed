import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { SqliteDialectImmediate } from './sqlite-driver.ts';
import type { DB } from './schema.ts';
import { migrateToLatest } from './migrations/index.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  readonly dialect: DialectName;
  readonly kysely: Kysely<DB>;
  /** Where the data lives, without credentials, for logs and `stockroom` output. */
  readonly description: string;
  /** PostgreSQL: the schema the tables live in. */
  readonly schema?: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A SQLite file path (or `:memory:`) or a `postgres://` URL. */
  url: string;
  /** PostgreSQL: the schema to use (created if missing); tests use one per file. */
  schema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** SQLite: FULL (default) survives a power cut; NORMAL only a process crash. */
  synchronous?: 'full' | 'normal';
  /** SQLite: how long a writer waits for another process's write lock. */
  busyTimeoutMs?: number;
  /** Run migrations after opening (default true). */
  migrate?: boolean;
}

export const defaultSqlitePath = './data/stockroom.db';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const database = isPostgresUrl(options.url) ? await openPostgres(options) : openSqlite(options);
  if (options.migrate ?? true) {
    try {
      await migrateToLatest(database.kysely, { dialect: database.dialect, schema: database.schema });
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

function openSqlite(options: OpenDatabaseOptions): Database {
  const file = options.url.replace(/^sqlite:(\/\/)?/i, '');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const native = new BetterSqlite3(file);
  const synchronous = options.synchronous ?? 'full';
  native.pragma('journal_mode = WAL');
  // better-sqlite3 leaves synchronous at NORMAL once WAL is on; set it after, then read it back.
  native.pragma(`synchronous = ${synchronous.toUpperCase()}`);
  const actual = native.pragma('synchronous', { simple: true });
  const expected = synchronous === 'full' ? 2 : 1;
  if (actual !== expected) {
    native.close();
    throw new Error(`SQLite refused synchronous=${synchronous} (it reports ${String(actual)})`);
  }
  native.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  native.pragma('foreign_keys = ON');
  native.pragma('temp_store = MEMORY');
  native.pragma('cache_size = -65536');
  const kysely = new Kysely<DB>({ dialect: new SqliteDialectImmediate(native) });
  return {
    dialect: 'sqlite',
    kysely,
    description: file === ':memory:' ? 'SQLite in memory' : `SQLite ${path.resolve(file)}`,
    close: () => kysely.destroy(),
  };
}

// int8 (COUNT, bigint columns) and numeric (SUM of bigint) arrive as text from pg; we read them
// as numbers, refusing any that would lose precision rather than rounding them.
function parseSafeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`database value ${text} is not a safe integer`);
  return value;
}

const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return parseSafeInteger;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

async function openPostgres(options: OpenDatabaseOptions): Promise<Database> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  if (schema) {
    const admin = new pg.Client({ connectionString: options.url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 16,
    types: pgTypes,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A dropped connection must not crash the process; the next query gets a fresh one.
  pool.on('error', () => {});
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const url = new URL(options.url);
  url.password = '';
  let current: string;
  try {
    current = schema ?? (await pool.query<{ schema: string }>('select current_schema() as schema')).rows[0]!.schema;
  } catch (error) {
    await kysely.destroy();
    throw error;
  }
  return {
    dialect: 'postgres',
    kysely,
    schema: current,
    description: `PostgreSQL ${url.host}${url.pathname}${schema ? ` (schema ${schema})` : ''}`,
    close: () => kysely.destroy(),
  };
}
