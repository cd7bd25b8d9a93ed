import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { numberedPlaceholders } from './insert-rows.ts';
import type { Executor } from './transaction.ts';

/**
 * A statement that names rows by a list of ids (`where movement_id in (…)`), written so each
 * database takes a long list well. PostgreSQL gets the whole list as one array parameter
 * (`= any($1)`): one statement and one text whatever the length, so one prepared statement
 * (pg-named-statements.ts), where IN lists of 500 placeholders were each parsed and bound (a
 * replay's delete of a thousand sales' consumptions: 3.3 ms in two statements, 1.7–2.3 ms in one).
 * SQLite gets IN lists of at most `sqliteListLength`, under its parameter limit with room for the
 * statement's other terms.
 */

const sqliteListLength = 500;

/** `values` split into the lists one statement each takes: all of them on PostgreSQL. */
export function listGroups<T>(db: Executor, values: readonly T[]): T[][] {
  if (values.length === 0) return [];
  if (numberedPlaceholders(db)) return [[...values]];
  const groups: T[][] = [];
  for (let i = 0; i < values.length; i += sqliteListLength) groups.push(values.slice(i, i + sqliteListLength));
  return groups;
}

/** `column` is one of `ids`, which is one of listGroups' lists. */
export function isOneOf(db: Executor, column: string, ids: readonly string[]): RawBuilder<SqlBool> {
  if (numberedPlaceholders(db)) return sql<SqlBool>`${sql.ref(column)} = any(cast(${[...ids]} as text[]))`;
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(ids)})`;
}
