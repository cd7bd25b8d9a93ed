import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem } from '../../../test/support/fixtures.ts';
import { cachedQuery } from './compiled-queries.ts';
import type { Executor } from './transaction.ts';

const itemsBySku = (db: Executor, args: { skus: readonly string[]; prefix: string; limit: number }) =>
  db
    .selectFrom('items')
    .select(['id', 'sku'])
    .where('sku', 'in', [...args.skus])
    .where('sku', 'like', sql<string>`${args.prefix} || '%'`)
    .where('stocked', '=', 1)
    .orderBy('sku')
    .limit(args.limit);

describeEachDatabase('cached queries', (get) => {
  it('answers as the builder does, for each list length and argument, once built', async () => {
    const ctx = serviceContext(get().db);
    const skus = ['CQ-A', 'CQ-B', 'CQ-C', 'CQX-D'];
    for (const sku of skus) await makeItem(ctx, { sku });
    const db = get().db.kysely;
    const cached = cachedQuery(itemsBySku);
    const cases = [
      { skus: ['CQ-A', 'CQ-B'], prefix: 'CQ', limit: 10 },
      { skus: ['CQ-C', 'CQX-D'], prefix: 'CQ', limit: 10 },
      { skus: ['CQ-C', 'CQX-D'], prefix: 'CQX', limit: 10 },
      { skus: ['CQ-A', 'CQ-B', 'CQ-C'], prefix: 'CQ', limit: 2 },
      { skus: ['CQ-A', 'CQ-B', 'CQ-C'], prefix: 'CQ', limit: 3 },
      { skus: ['CQX-D'], prefix: 'CQ', limit: 1 },
    ];
    for (const args of cases) {
      const expected = await itemsBySku(db, args).execute();
      expect(await cached.execute(db, args)).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
    }
    // The same shape with other values inside a transaction reuses the text and still answers right.
    await db.transaction().execute(async (trx) => {
      expect((await cached.execute(trx, { skus: ['CQ-B', 'CQ-A'], prefix: 'CQ', limit: 1 })).map((r) => r.sku)).toEqual(['CQ-A']);
    });
  });

  it('refuses an argument written into the SQL text, which a cache would freeze', async () => {
    const db = get().db.kysely;
    const frozen = cachedQuery((d: Executor, args: { column: string }) => d.selectFrom('items').select(sql.raw(args.column).as('x')));
    await expect(frozen.execute(db, { column: 'sku' })).rejects.toThrow(/SQL text/);
  });

  it('keeps a shape named by the caller apart', async () => {
    const ctx = serviceContext(get().db);
    const item = await makeItem(ctx, { sku: 'CQ-SHAPE' });
    const db = get().db.kysely;
    const byIdOrSku = cachedQuery((d: Executor, args: { value: string }, bySku: boolean) => d.selectFrom('items').select('id').where(bySku ? 'sku' : 'id', '=', args.value));
    expect(await byIdOrSku.execute(db, { value: item.id }, false)).toEqual([{ id: item.id }]);
    expect(await byIdOrSku.execute(db, { value: 'CQ-SHAPE' }, true)).toEqual([{ id: item.id }]);
    expect(await byIdOrSku.execute(db, { value: item.id }, true)).toEqual([]);
  });
});
