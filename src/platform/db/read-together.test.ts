import type { CompiledQuery } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { cachedReads, cachedWritesAndReads } from './read-together.ts';
import type { Executor } from './transaction.ts';

/** The executor, counting the statements sent through it. */
function counting(db: Executor): { db: Executor; statements: () => number } {
  let n = 0;
  const wrapped = new Proxy(db, {
    get(target, property) {
      if (property === 'executeQuery') return (query: CompiledQuery) => (n++, target.executeQuery(query));
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: wrapped, statements: () => n };
}

describeEachDatabase('reads taken together', (get, dialect) => {
  const reads = cachedReads(
    (db: Executor, args: { keys: readonly string[]; limit: number }) => db.selectFrom('outbox_sequences').selectAll().where('item_id', 'in', [...args.keys]).orderBy('item_id'),
    (db: Executor, args: { keys: readonly string[]; limit: number }) =>
      db.selectFrom('outbox_sequences').select(['item_id', (eb) => eb.val<string | null>(null).as('nothing')]).orderBy('last_seq', 'desc').limit(args.limit),
    (db: Executor) => db.selectFrom('outbox_sequences').selectAll().where('item_id', '=', 'nobody'),
  );

  it('finds what each read finds on its own, with numbers, text and nulls as the driver gives them', async () => {
    const db = get().db.kysely;
    await db
      .insertInto('outbox_sequences')
      .values([
        { item_id: 'itm_a', last_seq: 9_007_199_254_740_000 },
        { item_id: 'itm_b', last_seq: 2 },
        { item_id: 'itm_c', last_seq: 3 },
      ])
      .execute();
    const { db: counted, statements } = counting(db);
    const [listed, top, none] = await reads.execute(counted, { keys: ['itm_a', 'itm_c'], limit: 2 });
    expect(listed).toEqual(await db.selectFrom('outbox_sequences').selectAll().where('item_id', 'in', ['itm_a', 'itm_c']).orderBy('item_id').execute());
    expect(listed.map((r) => Number(r.last_seq))).toEqual([9_007_199_254_740_000, 3]);
    expect(top).toEqual([
      { item_id: 'itm_a', nothing: null },
      { item_id: 'itm_c', nothing: null },
    ]);
    expect(none).toEqual([]);
    // One round trip on PostgreSQL; SQLite, where a statement costs microseconds, runs each.
    expect(statements()).toBe(dialect === 'postgres' ? 1 : 3);
    // A list of another length is another shape, built and kept the same way.
    const [again] = await reads.execute(db, { keys: ['itm_b'], limit: 1 });
    expect(again.map((r) => r.item_id)).toEqual(['itm_b']);
  });

  it('makes blind writes first, in the same statement on PostgreSQL', async () => {
    const db = get().db.kysely;
    await db.insertInto('outbox_sequences').values({ item_id: 'itm_w', last_seq: 1 }).execute();
    const bump = cachedWritesAndReads(
      [(d: Executor, args: { key: string }) => d.updateTable('outbox_sequences').set((eb) => ({ last_seq: eb('last_seq', '+', 1) })).where('item_id', '=', args.key)],
      [(d: Executor, args: { key: string }) => d.selectFrom('outbox_sequences').select('item_id').where('item_id', '=', args.key)],
    );
    const { db: counted, statements } = counting(db);
    const [found] = await bump.execute(counted, { key: 'itm_w' });
    expect(found).toEqual([{ item_id: 'itm_w' }]);
    const stored = await db.selectFrom('outbox_sequences').select('last_seq').where('item_id', '=', 'itm_w').executeTakeFirstOrThrow();
    expect(Number(stored.last_seq)).toBe(2);
    expect(statements()).toBe(dialect === 'postgres' ? 1 : 2);
  });
});
