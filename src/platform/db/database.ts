import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import pg from 'pg';
import { GroupCommit } from './group-commit.ts';
import { SqliteDialectImmediate } from './sqlite-driver.ts';
import type { DB } from './schema.ts';
import { migrateToLatest } from './migrations/index.ts';
import { namedStatementsForPool } from './pg-named-statements.ts';
import { coalesceWrites, PipelinedPostgresDialect } from './pg-pipeline.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  readonly dialect: DialectName;
  readonly kysely: Kysely<DB>;
  /** Where the data lives, without credentials, for logs and `stockroom` output. */
  readonly description: string;
  /** PostgreSQL: the schema the tables live in. */
  readonly schema?: string;
  /** SQLite: write transactions that queue share one commit (see group-commit.ts); absent when off. */
  readonly groupCommit?: GroupCommit;
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
  /** SQLite: group commit (default on; STOCKROOM_GROUP_COMMIT=off turns it off), or its caps. */
  groupCommit?: boolean | { maxCommands?: number; maxMs?: number };
  /** Run migrations after opening (default true). */
  migrate?: boolean;
  /** PostgreSQL: limits on waiting (defaults in DEFAULT_POSTGRES_TIMEOUTS; 0 turns one off). */
  postgresTimeouts?: Partial<PostgresTimeouts>;
  /** PostgreSQL: told of an error on an idle pooled connection (the server restarted, a proxy cut it); default: a line on stderr. */
  onPoolError?: (error: Error) => void;
}

/**
 * How long PostgreSQL work may wait before it fails rather than hangs: getting a connection from
 * the pool (a database that does not answer), one statement (a runaway query holding locks),
 * and a transaction left open and idle (a bug that would otherwise hold row locks for ever).
 */
export interface PostgresTimeouts {
  connectMs: number;
  statementMs: number;
  idleInTransactionMs: number;
}

export const DEFAULT_POSTGRES_TIMEOUTS: PostgresTimeouts = { connectMs: 10_000, statementMs: 120_000, idleInTransactionMs: 60_000 };

/** PG_CONNECT_TIMEOUT_MS, PG_STATEMENT_TIMEOUT_MS and PG_IDLE_IN_TRANSACTION_TIMEOUT_MS override the defaults. */
export function postgresTimeoutsFromEnv(env: NodeJS.ProcessEnv = process.env, given: Partial<PostgresTimeouts> = {}): PostgresTimeouts {
  const read = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw)) throw new Error(`${name} is a whole number of milliseconds (0 turns the limit off)`);
    return Number(raw);
  };
  return {
    connectMs: given.connectMs ?? read('PG_CONNECT_TIMEOUT_MS', DEFAULT_POSTGRES_TIMEOUTS.connectMs),
    statementMs: given.statementMs ?? read('PG_STATEMENT_TIMEOUT_MS', DEFAULT_POSTGRES_TIMEOUTS.statementMs),
    idleInTransactionMs: given.idleInTransactionMs ?? read('PG_IDLE_IN_TRANSACTION_TIMEOUT_MS', DEFAULT_POSTGRES_TIMEOUTS.idleInTransactionMs),
  };
}

/**
 * PG_POOL_SIZE: connections one server process may open (default 16). Several instances on one
 * database share its max_connections (100 by default): instances × pool size must stay below it.
 */
export function postgresPoolSizeFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PG_POOL_SIZE;
  if (raw === undefined || raw === '') return 16;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) throw new Error('PG_POOL_SIZE is a whole number of connections from 1 to 1000');
  return Number(raw);
}

/**
 * PG_PIPELINE: `on` (default) sends a query without waiting for the last one's answer
 * (pg-pipeline.ts); `off`, for a pooler in front of PostgreSQL that cannot take several messages
 * in flight, waits for each answer: the same statements, two more round trips a command.
 */
export function postgresPipelineFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env.PG_PIPELINE;
  if (raw === undefined || raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new Error('PG_PIPELINE is on or off');
}

function logPoolError(error: Error): void {
  console.error(`stockroom: a pooled PostgreSQL connection failed (${error.message}); the next query opens a fresh one.`);
}

/** STOCKROOM_GROUP_COMMIT: `on` (default) or `off`, which gives every write transaction its own commit. */
export function groupCommitFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = (env.STOCKROOM_GROUP_COMMIT ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new Error('STOCKROOM_GROUP_COMMIT is on or off');
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
  // A sale dirties some 70 pages (a dozen tables and their indexes); with SQLite's default of a
  // checkpoint every 1,000 WAL pages, every fourteenth sale copied the WAL into the database, the
  // same hot pages (balances, cost states, index roots) again each time. Every 10,000 pages (a
  // WAL of about 40 MB) a till's sales ran 15-25 % faster at one client and 2-6 % at sixteen;
  // durability is unchanged (each commit still syncs the WAL), and 30,000 was slower again.
  native.pragma('wal_autocheckpoint = 10000');
  const kysely = new Kysely<DB>({ dialect: new SqliteDialectImmediate(native) });
  const grouped = options.groupCommit ?? groupCommitFromEnv();
  const caps = typeof grouped === 'object' ? grouped : {};
  return {
    dialect: 'sqlite',
    kysely,
    ...(grouped ? { groupCommit: new GroupCommit({ maxCommands: caps.maxCommands ?? 32, maxMs: caps.maxMs ?? 25, maxAttempts: 8, inTransaction: () => native.inTransaction }) } : {}),
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
  const timeouts = postgresTimeoutsFromEnv(process.env, options.postgresTimeouts);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? postgresPoolSizeFromEnv(),
    types: pgTypes,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    // Queries go out when made, not after the last one's answer (pg-pipeline.ts).
    pipeline: postgresPipelineFromEnv(),
    // Prepared statements (pg-named-statements.ts) are still planned for each run's own values.
    // Options the URL gives (?options=…) are kept.
    options: [new URL(options.url).searchParams.get('options'), '-c plan_cache_mode=force_custom_plan', schema ? `-c search_path=${schema}` : null].filter(Boolean).join(' '),
  });
  // A dropped idle connection must not crash the process (the next query gets a fresh one), but
  // it is said, so a database that keeps dropping connections is noticed.
  const onPoolError = options.onPoolError ?? logPoolError;
  pool.on('error', onPoolError);
  const nameStatements = namedStatementsForPool();
  // pg-pool listens for errors only on idle connections. One that fails while checked out but
  // between queries (the server ended a transaction left idle) would otherwise be an uncaught
  // 'error' event and take the process down; its next query fails and the pool discards it.
  pool.on('connect', (client) => {
    nameStatements(client);
    coalesceWrites(client);
    client.on('error', (error: Error) => {
      if (client.listenerCount('error') === 1) onPoolError(error);
    });
  });
  const kysely = new Kysely<DB>({ dialect: new PipelinedPostgresDialect({ pool }) });
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
