import { CompiledQuery, type Compilable } from 'kysely';
import type { Executor } from './transaction.ts';

/**
 * A query on the checkout path, built with Kysely's builder once per shape instead of once per
 * request. The builder makes and freezes a node for every column, join and value, then walks
 * them to write the SQL: for the stock-alert query that was a third of a millisecond a sale,
 * and Kysely was a fifth of a counter sale's CPU.
 *
 * `build` is called with stand-ins for the arguments, compiled, and kept; later calls of the same
 * shape reuse the SQL text and put the real arguments where the stand-ins were. So `build` must
 * pass its arguments only as values (`where('x', '=', a)`, `where('x', 'in', list)`, `limit(n)`),
 * never into the SQL's shape. A list's length is part of the shape (the cache key); anything else
 * that changes the SQL goes in `shape`, which `build` receives as it is.
 */
export interface CachedQuery<A extends Args, R, S extends string | number | boolean> {
  execute(db: Executor, args: A, ...shape: [S] extends [never] ? [] : [S]): Promise<R[]>;
  /** The statement `execute` would run, for a caller that sends it itself (sendAhead). */
  compile(db: Executor, args: A, ...shape: [S] extends [never] ? [] : [S]): CompiledQuery<R>;
}

export type Scalar = string | number;
export type Args = Record<string, Scalar | readonly Scalar[]>;

interface Template {
  sql: string;
  /** For each parameter: the argument it stands for (name and list index), or a constant. */
  slots: Array<{ arg: string; index: number } | { constant: unknown }>;
}

const standIn = (arg: string, index: number) => `\u0000arg:${arg}:${index}\u0000`;
const standInPattern = /^\u0000arg:([^:]+):(-?\d+)\u0000$/;
const maxShapes = 256;

export function cachedQuery<A extends Args, R, S extends string | number | boolean = never>(build: (db: Executor, args: A, shape: S) => Compilable<R>): CachedQuery<A, R, S> {
  // Keyed by dialect adapter first: PostgreSQL numbers its placeholders, SQLite does not.
  const templates = new WeakMap<object, Map<string, Template>>();
  const compile = (db: Executor, args: A, shape: S): CompiledQuery<R> => {
    const adapter = db.getExecutor().adapter;
    let byShape = templates.get(adapter);
    if (!byShape) templates.set(adapter, (byShape = new Map()));
    const key = `${listLengths(args)}|${String(shape)}`;
    let template = byShape.get(key);
    if (!template) {
      template = compileTemplate(db, (d, a) => build(d, a, shape), args);
      if (byShape.size >= maxShapes) byShape.clear();
      byShape.set(key, template);
    }
    const parameters = template.slots.map((slot) => ('constant' in slot ? slot.constant : valueAt(args, slot.arg, slot.index)));
    return CompiledQuery.raw(template.sql, parameters) as CompiledQuery<R>;
  };
  return {
    async execute(db, args, ...rest) {
      const result = await db.executeQuery<R>(compile(db, args, rest[0] as S));
      return result.rows;
    },
    compile: (db, args, ...rest) => compile(db, args, rest[0] as S),
  };
}

function listLengths(args: Args): string {
  return Object.keys(args)
    .map((name) => (Array.isArray(args[name]) ? `${name}:${(args[name] as readonly Scalar[]).length}` : name))
    .join(',');
}

function valueAt(args: Args, name: string, index: number): unknown {
  const value = args[name];
  return index < 0 ? value : (value as readonly Scalar[])[index];
}

function compileTemplate<A extends Args, R>(db: Executor, build: (db: Executor, args: A) => Compilable<R>, args: A): Template {
  const standIns = Object.fromEntries(
    Object.entries(args).map(([name, value]) => [name, Array.isArray(value) ? value.map((_, i) => standIn(name, i)) : standIn(name, -1)]),
  ) as unknown as A;
  const compiled = build(db, standIns).compile();
  const slots = compiled.parameters.map((parameter) => {
    const match = typeof parameter === 'string' ? standInPattern.exec(parameter) : null;
    return match ? { arg: match[1]!, index: Number(match[2]) } : { constant: parameter };
  });
  // An argument that reached the SQL text instead of a parameter would be frozen into the cache.
  if (compiled.sql.includes('\u0000arg:')) throw new Error('cachedQuery: an argument was written into the SQL text; pass it as a value');
  return { sql: compiled.sql, slots };
}
