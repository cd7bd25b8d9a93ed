import { CompiledQuery, sql, type Insertable, type Selectable } from 'kysely';
import type { DB } from './schema.ts';
import { answeredAtCommit } from './pg-pipeline.ts';
import type { Executor } from './transaction.ts';

/**
 * Many rows into one table in one plain INSERT, written as SQL text with placeholders instead of
 * through Kysely's builder, which makes and freezes a node for every value: for a batch of 500
 * rows of twenty columns that cost more than SQLite took to store them (a catalogue import writes
 * a hundred such batches per 50,000 rows). Every row must give the same columns, none undefined;
 * the caller keeps a call under both databases' parameter limits (SQLite 32,766, PostgreSQL 65,535).
 */
export async function insertRows<T extends keyof DB & string>(db: Executor, table: T, rows: ReadonlyArray<Insertable<DB[T]>>): Promise<void> {
  await upsertRows(db, table, rows, null, []);
}

/**
 * As insertRows, with a conflict clause in the syntax both databases share (`on conflict (…) do
 * update set c = excluded.c`, no parameters) and the columns to return, for the ledger's and
 * costing's batch upserts.
 */
export async function upsertRows<T extends keyof DB & string, C extends keyof DB[T] & string>(
  db: Executor,
  table: T,
  rows: ReadonlyArray<Insertable<DB[T]>>,
  onConflict: string | null,
  returning: readonly C[],
): Promise<Array<Pick<Selectable<DB[T]>, C & keyof Selectable<DB[T]>>>> {
  if (rows.length === 0) return [];
  const numbered = numberedPlaceholders(db);
  if (!numbered) {
    const size = statementSize(rows.length);
    if (size < rows.length) {
      const head = await upsertRows(db, table, rows.slice(0, size), onConflict, returning);
      return [...head, ...(await upsertRows(db, table, rows.slice(size), onConflict, returning))];
    }
  }
  const columns = Object.keys(rows[0]!);
  const params: unknown[] = [];
  for (const row of rows as ReadonlyArray<Record<string, unknown>>) {
    for (const column of columns) {
      const value = row[column];
      // A row without one of the first row's columns; the reverse is not checked (rows are built by code, alike).
      if (value === undefined) throw new Error(`insertRows: ${table}.${column} is undefined`);
      params.push(value);
    }
  }
  const tuples = numbered ? numberedTuples(rows.length, columns.length) : questionTuples(rows.length, columns.length);
  let text = `${insertHead(table, columns)} values ${tuples}`;
  if (onConflict) text += ` ${onConflict}`;
  if (returning.length) text += ` returning ${returning.map(quote).join(', ')}`;
  const result = await db.executeQuery(CompiledQuery.raw(text, params));
  return result.rows as never;
}

/** Rows for one table, with an optional conflict clause as upsertRows takes it. */
export type RowSet = { [T in keyof DB & string]: { table: T; rows: ReadonlyArray<Insertable<DB[T]>>; onConflict?: string | null } }[keyof DB & string];

/** PostgreSQL takes at most 65,535 parameters a statement; past this the sets go one by one. */
const maxJoinedParameters = 60_000;
/** Rows per statement when the sets go one by one (both databases' limits, as the callers chunked before). */
const rowsPerStatement = 500;

/**
 * Blind writes to several tables, in the order given (parents first), returning nothing. On
 * PostgreSQL, where every statement is a round trip, they are one statement: each set but the
 * last is a data-modifying WITH query of the last. PostgreSQL checks foreign keys at the end of
 * the statement, so a row may name a parent written in the same one; the sets must not write the
 * same row twice (one statement cannot change a row twice) and nothing in them may read what
 * another writes (all see the statement's snapshot). On SQLite, and past PostgreSQL's parameter
 * limit, one upsertRows per set and per 500 rows, as before.
 *
 * `lastBeforeCommit`: the transaction's last statement, whose answer nobody reads; on PostgreSQL
 * it is answered with the commit, on the same trip (see answeredAtCommit).
 */
export async function insertRowSets(db: Executor, sets: readonly RowSet[], options: { lastBeforeCommit?: boolean } = {}): Promise<void> {
  const present = sets.filter((set) => set.rows.length > 0);
  const parameters = present.reduce((sum, set) => sum + set.rows.length * Object.keys(set.rows[0]!).length, 0);
  if (present.length > 0 && numberedPlaceholders(db) && parameters <= maxJoinedParameters) {
    const params: unknown[] = [];
    const parts = present.map((set) => {
      const columns = Object.keys(set.rows[0]!);
      for (const row of set.rows as ReadonlyArray<Record<string, unknown>>) {
        for (const column of columns) {
          const value = row[column];
          if (value === undefined) throw new Error(`insertRowSets: ${set.table}.${column} is undefined`);
          params.push(value);
        }
      }
      const tuples = numberedTuples(set.rows.length, columns.length, params.length - set.rows.length * columns.length);
      return `${insertHead(set.table, columns)} values ${tuples}${set.onConflict ? ` ${set.onConflict}` : ''}`;
    });
    const last = parts.pop()!;
    const text = parts.length ? `with ${parts.map((part, i) => `"w${i}" as (${part})`).join(', ')} ${last}` : last;
    const query = CompiledQuery.raw(text, params);
    await db.executeQuery(options.lastBeforeCommit ? answeredAtCommit(query) : query);
    return;
  }
  for (const set of present) {
    for (let i = 0; i < set.rows.length; i += rowsPerStatement) await upsertRows(db, set.table, set.rows.slice(i, i + rowsPerStatement) as never, set.onConflict ?? null, []);
  }
}

/**
 * On SQLite, how many of `count` rows one statement writes: all of a few (a sale's lines stay one
 * statement), else the largest power of two, so bulk work's batches of any length are written by
 * statements of a few lengths only, each prepared once and then found in the connection's
 * statement cache (a flush of 37 rows is 32 + 5). Preparing a multi-row insert of a new length
 * cost more than running it. PostgreSQL prepares nothing here, and each statement there is a
 * round trip: it gets one statement.
 */
export function statementSize(count: number): number {
  return count <= maxUnsplitRows ? count : 2 ** Math.floor(Math.log2(count));
}

const maxUnsplitRows = 8;

// Every sale writes the same tables with the same columns: their quoted list is made once.
const insertHeads = new Map<string, string>();
const maxInsertHeads = 512;

/** `insert into "table" ("a", "b")` for these columns. */
function insertHead(table: string, columns: readonly string[]): string {
  const key = `${table}\u0000${columns.join('\u0000')}`;
  let head = insertHeads.get(key);
  if (head === undefined) {
    head = `insert into ${quote(table)} (${columns.map(quote).join(', ')})`;
    if (insertHeads.size < maxInsertHeads) insertHeads.set(key, head);
  }
  return head;
}

/** A table or column name as an SQL identifier, in the double quotes both databases take. */
export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** PostgreSQL numbers its placeholders ($1, $2…), SQLite takes `?`: asked of the dialect's own compiler. */
export function numberedPlaceholders(db: Executor): boolean {
  const adapter = db.getExecutor().adapter;
  let numbered = numberedByAdapter.get(adapter);
  if (numbered === undefined) numberedByAdapter.set(adapter, (numbered = sql`${0}`.compile(db).sql !== '?'));
  return numbered;
}

// Compiling a probe on every batch was a tenth of Kysely's time on the checkout path.
const numberedByAdapter = new WeakMap<object, boolean>();

// Batches come in a few sizes, so the placeholder text is made once per size: on PostgreSQL,
// writing a sale's "($1, $2, …)" afresh each time was 2 % of the server's CPU under load. (The
// same text also lets SQLite reuse its prepared statement.)
const tupleCache = new Map<string, string>();
const maxCachedTuples = 512;
/** Parameters of a statement whose numbered placeholders are kept: a document's rows, not a bulk load's. */
const maxCachedNumbered = 512;

function cachedTuples(key: string, make: () => string): string {
  let text = tupleCache.get(key);
  if (text === undefined) {
    text = make();
    if (tupleCache.size < maxCachedTuples) tupleCache.set(key, text);
  }
  return text;
}

function questionTuples(rowCount: number, columnCount: number): string {
  return cachedTuples(`?${rowCount}x${columnCount}`, () => {
    const tuple = `(${new Array<string>(columnCount).fill('?').join(', ')})`;
    return new Array<string>(rowCount).fill(tuple).join(', ');
  });
}

function numberedTuples(rowCount: number, columnCount: number, offset = 0): string {
  const make = () => {
    const tuples: string[] = [];
    for (let r = 0; r < rowCount; r += 1) {
      const first = offset + r * columnCount;
      tuples.push(`(${Array.from({ length: columnCount }, (_, c) => `$${first + c + 1}`).join(', ')})`);
    }
    return tuples.join(', ');
  };
  // A bulk insert's text is long and its offsets vary; it is written once per many rows anyway.
  return rowCount * columnCount <= maxCachedNumbered ? cachedTuples(`$${rowCount}x${columnCount}+${offset}`, make) : make();
}
