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
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(inList(db, ids))})`;
}

/**
 * `values` for an IN list (`where('item_id', 'in', inList(db, ids))`), the same set of values in
 * a list of one of a few lengths on SQLite: the next power of two up to 1,024, then the next
 * multiple of 1,024, the last value repeated to fill it (a value listed twice matches the same
 * rows). SQLite prepares a statement for every distinct SQL text and an IN list's length is part of
 * the text, so lists of every length from 1 to 80 made 80 statements where these make 8, and the
 * connection's statement cache (sqlite-driver.ts) keeps them instead of preparing them again. A
 * 60-day demo build prepared 5,104 statements, a few hundred of each of the observers' shapes.
 * PostgreSQL gets `values` as they are.
 */
export function inList<T>(db: Executor, values: readonly T[]): T[] {
  const list = [...values];
  if (list.length < 2 || numberedPlaceholders(db)) return list;
  const last = list[list.length - 1]!;
  for (let n = paddedLength(list.length); list.length < n; ) list.push(last);
  return list;
}

/** The length inList gives a list of `n` values on SQLite. */
export function paddedLength(n: number): number {
  if (n <= 2) return n;
  if (n <= 1024) return 2 ** Math.ceil(Math.log2(n));
  return Math.ceil(n / 1024) * 1024;
}
