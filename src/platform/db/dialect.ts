import type { DialectName } from './database.ts';

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
