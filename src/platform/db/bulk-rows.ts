import { CompiledQuery, sql, type Insertable } from 'kysely';
import { insertRows, numberedPlaceholders, quote } from './insert-rows.ts';
import type { DB } from './schema.ts';
import type { Executor } from './transaction.ts';

/**
 * Writes of hundreds or thousands of rows of one table (a replay's consumptions and rewritten
 * costs), in the form each database takes best.
 *
 * PostgreSQL gets the rows as one JSON parameter, expanded by the table's own row type
 * (`json_populate_recordset(null::table, $1)`): one statement, one short text whatever the
 * number of rows, prepared once per connection (pg-named-statements.ts), with the column types
 * the table's. A multi-row VALUES list of 500 rows of seven columns was 3,500 parameters to bind
 * and a 500-row list to parse, plan and evaluate, and its last, shorter chunk a new text on every
 * replay: the thousand sales' consumptions of a replay took 22–32 ms to insert that way, of which
 * the database's own writing was about 8 ms.
 *
 * SQLite keeps the multi-row statements of a few lengths it prepares once (insert-rows.ts).
 */

/** From this many rows PostgreSQL gets the JSON form; fewer (a sale's few consumptions) keep insertRows' statement. */
export const JSON_ROWS_FROM = 16;

/** Rows per statement on SQLite, under its parameter limit. */
const SQLITE_INSERT_ROWS = 500;
const SQLITE_UPDATE_ROWS = 300;

type Row = Record<string, unknown>;

/** Every row gives the same columns, as insertRows asks; any number of rows. */
export async function insertManyRows<T extends keyof DB & string>(db: Executor, table: T, rows: ReadonlyArray<Insertable<DB[T]>>): Promise<void> {
  if (rows.length === 0) return;
  const columns = checkedColumns(table, Object.keys(rows[0]!), rows as ReadonlyArray<Row>);
  if (!numberedPlaceholders(db) || rows.length < JSON_ROWS_FROM) {
    const step = numberedPlaceholders(db) ? rows.length : SQLITE_INSERT_ROWS;
    for (let i = 0; i < rows.length; i += step) await insertRows(db, table, rows.slice(i, i + step));
    return;
  }
  const list = columns.map(quote).join(', ');
  await db.executeQuery(
    CompiledQuery.raw(`insert into ${quote(table)} (${list}) select ${list} from json_populate_recordset(null::${quote(table)}, $1)`, [toJson(columns, rows as ReadonlyArray<Row>)]),
  );
}

/**
 * Sets `columns` of the rows named by `key` (one statement per table row, matched by the key; a
 * key that names no row changes nothing). Every row gives the key and the columns.
 */
export async function updateRowsByKey<T extends keyof DB & string>(
  db: Executor,
  table: T,
  key: keyof DB[T] & string,
  columns: ReadonlyArray<keyof DB[T] & string>,
  rows: ReadonlyArray<Row>,
): Promise<void> {
  if (rows.length === 0) return;
  const all = checkedColumns(table, [key, ...columns], rows);
  if (numberedPlaceholders(db)) {
    const set = columns.map((c) => `${quote(c)} = v.${quote(c)}`).join(', ');
    await db.executeQuery(
      CompiledQuery.raw(`update ${quote(table)} as t set ${set} from json_populate_recordset(null::${quote(table)}, $1) as v where t.${quote(key)} = v.${quote(key)}`, [
        toJson(all, rows),
      ]),
    );
    return;
  }
  // A bare VALUES list names its columns column1, column2, …
  const set = columns.map((c, i) => `${quote(c)} = v.column${i + 2}`).join(', ');
  for (let i = 0; i < rows.length; i += SQLITE_UPDATE_ROWS) {
    const chunk = rows.slice(i, i + SQLITE_UPDATE_ROWS).map((row) => sql`(${sql.join(all.map((c) => row[c]))})`);
    await sql`update ${sql.table(table)} set ${sql.raw(set)} from (values ${sql.join(chunk)}) as v where ${sql.ref(`${table}.${key}`)} = v.column1`.execute(db);
  }
}

/**
 * The columns, once every row was found to give each of them as a string, a safe integer or null:
 * what both databases store exactly and JSON carries exactly (a number past 2^53 would reach
 * PostgreSQL already rounded, as its nearest double; a fraction is no integer column's value).
 */
function checkedColumns(table: string, columns: string[], rows: ReadonlyArray<Row>): string[] {
  for (const row of rows) {
    for (const column of columns) {
      const value = row[column];
      if (value === null || typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value))) continue;
      throw new Error(`bulk rows: ${table}.${column} is ${value === undefined ? 'undefined' : String(value)}; a string, a safe integer or null is stored`);
    }
  }
  return columns;
}

/** The rows as a JSON array of objects with only `columns`. */
function toJson(columns: readonly string[], rows: ReadonlyArray<Row>): string {
  return JSON.stringify(
    rows.map((row) => {
      const out: Row = {};
      for (const column of columns) out[column] = row[column];
      return out;
    }),
  );
}
