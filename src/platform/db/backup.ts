import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { isPostgresUrl } from './database.ts';

/**
 * Consistent copies of a live database. SQLite: the online backup API, which copies pages while
 * other processes keep writing and restarts from a fresh snapshot if they write under it.
 * PostgreSQL: pg_dump (a consistent snapshot by design) in its custom format.
 */

export type Progress = (done: number, total: number) => void;

function sqliteFile(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/i, '');
}

export async function backupDatabase(url: string, target: string, onProgress?: Progress): Promise<{ kind: 'sqlite' | 'postgres'; bytes: number }> {
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  if (fs.existsSync(target)) throw new Error(`${target} already exists; choose a new file`);
  if (isPostgresUrl(url)) {
    await run('pg_dump', ['--format=custom', '--no-owner', `--file=${target}`, ...schemaArgs(url), `--dbname=${connectionArg(url)}`], pgEnv(url));
    return { kind: 'postgres', bytes: fs.statSync(target).size };
  }
  const source = new BetterSqlite3(sqliteFile(url), { fileMustExist: true });
  source.pragma('busy_timeout = 10000');
  try {
    let restarts = 0;
    let lastRemaining = Number.POSITIVE_INFINITY;
    await source.backup(target, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(totalPages - remainingPages, totalPages);
        // A writer restarted the copy: after a few restarts take the rest in one step.
        if (remainingPages > lastRemaining) restarts += 1;
        lastRemaining = remainingPages;
        return restarts > 3 ? 1 << 30 : 1000;
      },
    });
  } finally {
    source.close();
  }
  const check = new BetterSqlite3(target, { readonly: true });
  try {
    const result = check.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(`the backup failed its integrity check: ${String(result)}`);
  } finally {
    check.close();
  }
  return { kind: 'sqlite', bytes: fs.statSync(target).size };
}

/**
 * Puts a backup back. PostgreSQL: pg_restore in one transaction. SQLite: the database must not be
 * in use — an exclusive lock is taken to prove no server (or any other connection) has it open,
 * and restore refuses while one does. Committed data may still sit in the write-ahead log (after a
 * crash, or while it has not been checkpointed): the log is folded into the file before the file
 * is set aside, and whatever -wal/-shm remains moves aside with it, so the kept copy holds every
 * committed sale.
 */
export async function restoreDatabase(url: string, source: string): Promise<{ kind: 'sqlite' | 'postgres'; keptAside?: string }> {
  if (!fs.existsSync(source)) throw new Error(`no backup at ${source}`);
  if (isPostgresUrl(url)) {
    await run('pg_restore', ['--clean', '--if-exists', '--no-owner', '--single-transaction', `--dbname=${connectionArg(url)}`, source], pgEnv(url));
    return { kind: 'postgres' };
  }
  const check = new BetterSqlite3(source, { readonly: true });
  try {
    if (check.pragma('integrity_check', { simple: true }) !== 'ok') throw new Error(`${source} is not a sound SQLite database`);
  } finally {
    check.close();
  }
  const file = path.resolve(sqliteFile(url));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let keptAside: string | undefined;
  if (fs.existsSync(file)) {
    checkpointUnused(file);
    keptAside = `${file}.before-restore-${Date.now()}`;
    // The main file last: a reader that finds a -wal without its file sees no database, never a mix.
    for (const suffix of ['-wal', '-shm', '']) {
      if (fs.existsSync(`${file}${suffix}`)) fs.renameSync(`${file}${suffix}`, `${keptAside}${suffix}`);
    }
  }
  const staging = `${file}.restoring`;
  fs.copyFileSync(source, staging);
  fs.renameSync(staging, file);
  return { kind: 'sqlite', keptAside };
}

export class DatabaseInUseError extends Error {
  constructor(file: string) {
    super(`${file} is in use: a Stockroom server (or another program) has it open. Stop it, then restore.`);
    this.name = 'DatabaseInUseError';
  }
}

/**
 * Proves no other connection has the SQLite file open, and folds its write-ahead log into it.
 * In WAL mode every open connection holds a shared lock, so an exclusive lock without waiting
 * succeeds only when nobody else is connected. Closing as the last connection checkpoints again.
 */
function checkpointUnused(file: string): void {
  const db = new BetterSqlite3(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    try {
      db.exec('BEGIN EXCLUSIVE');
      db.exec('COMMIT');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_BUSY' || (error as { code?: unknown }).code === 'SQLITE_LOCKED') throw new DatabaseInUseError(file);
      throw error;
    }
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    if (result && result.busy !== 0) throw new DatabaseInUseError(file);
  } finally {
    db.close();
  }
}

/**
 * The connection URL for pg_dump/pg_restore, without its password: arguments are visible to every
 * user of the machine (ps, /proc/<pid>/cmdline). The password travels in the child's environment.
 */
export function connectionArg(url: string): string {
  const u = new URL(url);
  u.searchParams.delete('options');
  u.password = '';
  return u.toString();
}

/** The child's environment: ours, plus PGPASSWORD when the URL carries a password. */
export function pgEnv(url: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const password = new URL(url).password;
  return password ? { ...env, PGPASSWORD: decodeURIComponent(password) } : { ...env };
}

/** A URL that selects a schema (`?options=-c search_path=…`) dumps that schema only. */
function schemaArgs(url: string): string[] {
  const options = new URL(url).searchParams.get('options') ?? '';
  const match = /search_path=([a-z_][a-z0-9_]*)/i.exec(options);
  return match ? [`--schema=${match[1]}`] : [];
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(new Error(`${command} could not start: ${error.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed (${code}): ${stderr.trim()}`))));
  });
}
