import type { Kysely, Transaction } from 'kysely';
import { PlatformError } from '../errors.ts';
import type { Database } from './database.ts';
import { isRetryableTransactionError } from './dialect.ts';
import type { DB } from './schema.ts';

export type Trx = Transaction<DB>;
/** Anything queries can run on: the pool, or a transaction. */
export type Executor = Kysely<DB> | Trx;

const maxAttempts = 8;

/**
 * Runs `work` in one transaction, running it again when PostgreSQL reports a serialization
 * failure or deadlock, or SQLite stays busy past its timeout. `work` must touch nothing but the
 * database, since it may run more than once.
 */
export async function transact<T>(db: Database, work: (trx: Trx) => Promise<T>): Promise<T> {
  // SQLite with group commit: the group runs `work` in a savepoint and retries it itself.
  if (db.groupCommit) return db.groupCommit.run(db.kysely, work);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.kysely.transaction().execute(work);
    } catch (error) {
      if (!isRetryableTransactionError(db.dialect, error)) throw error;
      if (attempt >= maxAttempts) {
        throw new PlatformError('database_busy', 'The database stayed busy; try again shortly.', { extra: { retry_after_s: 1 } });
      }
      await sleep(backoffMs(attempt));
    }
  }
}

function backoffMs(attempt: number): number {
  const ceiling = Math.min(200, 2 ** attempt * 2);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `work` on one consistent snapshot that blocks no writer (an export, a report that must
 * add up). Not retried: a snapshot read does not conflict.
 */
export async function readSnapshot<T>(db: Database, work: (trx: Trx) => Promise<T>): Promise<T> {
  return db.kysely.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
}
