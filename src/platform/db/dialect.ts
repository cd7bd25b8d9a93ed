import { sql } from 'kysely';
import type { Database, DialectName } from './database.ts';
import type { Executor } from './transaction.ts';

/**
 * Everything that differs between SQLite and PostgreSQL, named. Code outside
 * `src/platform/db/` never asks which dialect it runs on.
 */

interface DriverError {
  code?: unknown;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as DriverError | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Errors that a whole transaction may simply be run again after. */
export function isRetryableTransactionError(dialect: DialectName, error: unknown): boolean {
  const code = errorCode(error);
  if (dialect === 'postgres') return code === '40001' || code === '40P01';
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isCheckViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23514' || code === 'SQLITE_CONSTRAINT_CHECK';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/**
 * Locks the rows a claim selects, skipping rows another transaction holds, on PostgreSQL (so
 * several server instances each take different rows). SQLite has no row locks and needs none:
 * one process writes at a time (BEGIN IMMEDIATE), so the same query claims safely as it is.
 */
export function lockSkippingLocked<QB extends { forUpdate(): QB; skipLocked(): QB }>(dialect: DialectName, query: QB): QB {
  return dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
}

/**
 * Runs a read with a time limit where the database can enforce one (PostgreSQL's
 * `statement_timeout`, local to a transaction of its own); SQLite has none, and its readers
 * bound their work by rows instead. Inside a caller's transaction the work runs as it is.
 */
export async function withStatementTimeout<T>(db: Database, trx: Executor | undefined, ms: number, work: (executor: Executor) => Promise<T>): Promise<T> {
  if (db.dialect !== 'postgres' || trx) return work(trx ?? db.kysely);
  return db.kysely.transaction().execute(async (t) => {
    await sql.raw(`set local statement_timeout = ${Math.floor(ms)}`).execute(t);
    return work(t);
  });
}

/** A statement cancelled by the time limit `withStatementTimeout` set. */
export function isStatementTimeout(error: unknown): boolean {
  return errorCode(error) === '57014';
}
