import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/**
 * Counts the statements either database runs whose SQL text matches, from the drivers
 * themselves: better-sqlite3's statements and node-postgres' queries, however they were built
 * (Kysely's builder, a cached template or plain SQL text, which Kysely plugins never see).
 */
export function countStatements(matches: (sql: string) => boolean): { count: () => number; restore: () => void } {
  let n = 0;
  const probe = new BetterSqlite3(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  const query = (pg as unknown as { Query: { prototype: Record<string, (...args: unknown[]) => unknown> } }).Query.prototype;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  for (const method of ['run', 'all', 'get', 'iterate']) {
    const original = statement[method]!;
    originals.set(method, original);
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      if (matches(this.source)) n += 1;
      return original.apply(this, args);
    };
  }
  const submit = query.submit!;
  query.submit = function (this: { text?: string }, ...args: unknown[]) {
    if (this.text !== undefined && matches(this.text)) n += 1;
    return submit.apply(this, args);
  };
  return {
    count: () => n,
    restore: () => {
      for (const [method, original] of originals) statement[method] = original;
      query.submit = submit;
    },
  };
}
