import { sql, type QueryCreator, type SelectQueryBuilder, type UpdateQueryBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { cachedQuery, type Args } from './compiled-queries.ts';
import { numberedPlaceholders } from './insert-rows.ts';
import { sendAhead } from './pg-pipeline.ts';
import type { DB } from './schema.ts';
import type { Executor } from './transaction.ts';

/**
 * Several independent reads, taken at one point of a command, as one statement on PostgreSQL,
 * where every statement is a round trip: each read becomes a JSON array column of one
 * `select (…), (…)`, and they see one snapshot. SQLite, where a statement costs microseconds,
 * runs them one after the other. Each is built once per shape (see cachedQuery), so `build`
 * passes its arguments as values only.
 *
 * The rows come back as the driver would give them: Stockroom's columns are text and integers
 * (times in epoch milliseconds, money in micros, all within a double's exact range), and JSON
 * carries both unchanged.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Read<A> = (db: Executor, args: A) => SelectQueryBuilder<DB, any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RowsOf<R extends readonly Read<never>[]> = { [K in keyof R]: R[K] extends (...a: never[]) => SelectQueryBuilder<DB, any, infer O> ? O[] : never };
/** Every read takes the same arguments: the first one's. */
type ArgsOf<R extends readonly Read<never>[]> = R[0] extends (db: Executor, args: infer A) => unknown ? (A extends Args ? A : never) : never;

export interface CachedReads<R extends readonly Read<never>[]> {
  execute(db: Executor, args: ArgsOf<R>): Promise<RowsOf<R>>;
  /**
   * As `execute`, but on a pipelined PostgreSQL transaction the statement is only sent: the
   * transaction's next statement goes out on the same trip (see sendAhead). Elsewhere it runs
   * here. The rows come back inside an object, so awaiting the send does not await them.
   */
  sendAhead(db: Executor, args: ArgsOf<R>): Promise<{ answer: Promise<RowsOf<R>> }>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Write<A> = (db: Executor, args: A) => UpdateQueryBuilder<DB, any, any, any>;

export function cachedReads<const R extends readonly Read<never>[]>(...reads: R): CachedReads<R> {
  return cachedWritesAndReads([], reads);
}

/**
 * As cachedReads, after blind updates: writes that return nothing and change nothing the reads
 * read. On PostgreSQL they are data-modifying WITH queries of the reads' statement.
 */
export function cachedWritesAndReads<const R extends readonly Read<never>[]>(writes: ReadonlyArray<Write<ArgsOf<R>>>, reads: R): CachedReads<R> {
  type A = ArgsOf<R>;
  const all = reads as unknown as ReadonlyArray<Read<A>>;
  const separately = [...writes, ...all].map((query) => cachedQuery(query));
  const together = cachedQuery((db: Executor, args: A) =>
    writes
      .reduce((q, write, i) => q.with(`w${i}`, () => write(db, args).returning(sql.lit(1).as('one'))), db as unknown as QueryCreator<DB>)
      .selectNoFrom(all.map((read, i) => jsonArrayFrom(read(db, args)).as(`r${i}`))),
  );
  const columns = (rows: unknown[]) => {
    const row = rows[0] as Record<string, unknown[]>;
    return all.map((_, i) => row[`r${i}`]) as RowsOf<R>;
  };
  const execute = async (db: Executor, args: A): Promise<RowsOf<R>> => {
    if (!numberedPlaceholders(db)) {
      const results: unknown[][] = [];
      for (const query of separately) results.push(await query.execute(db, args));
      return results.slice(writes.length) as RowsOf<R>;
    }
    return columns(await together.execute(db, args));
  };
  return {
    execute,
    async sendAhead(db, args) {
      if (!numberedPlaceholders(db)) return { answer: Promise.resolve(await execute(db, args)) };
      const { answer } = await sendAhead(db, together.compile(db, args));
      const rows = answer.then((result) => columns(result.rows as unknown[]));
      rows.catch(() => undefined);
      return { answer: rows };
    },
  };
}
