import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { inList, isOneOf, listGroups, paddedLength } from './id-lists.ts';
import { insertRows } from './insert-rows.ts';

describeEachDatabase('a statement naming rows by a list of ids', (get, dialect) => {
  const ids = Array.from({ length: 1234 }, (_, i) => `itm_${String(i).padStart(4, '0')}`);

  it('takes the whole list in one statement on PostgreSQL and lists of 500 on SQLite', () => {
    const groups = listGroups(get().db.kysely, ids);
    expect(groups.map((g) => g.length)).toEqual(dialect === 'postgres' ? [1234] : [500, 500, 234]);
    expect(groups.flat()).toEqual(ids);
    expect(listGroups(get().db.kysely, [])).toEqual([]);
  });

  it('finds exactly the rows listed, ids with quotes and commas included', async () => {
    const db = get().db.kysely;
    const odd = [`itm_"quoted"`, 'itm_a,b', "itm_it's", 'itm_{braces}'];
    await insertRows(db, 'outbox_sequences', [...ids, ...odd].map((item_id) => ({ item_id, last_seq: 1 })));
    const wanted = [...ids.filter((_, i) => i % 3 === 0), ...odd];
    const found: string[] = [];
    for (const group of listGroups(db, wanted)) {
      const rows = await db.selectFrom('outbox_sequences').select('item_id').where(isOneOf(db, 'item_id', group)).execute();
      found.push(...rows.map((r) => r.item_id));
    }
    expect(found.sort()).toEqual([...wanted].sort());
    const none = await db.selectFrom('outbox_sequences').select('item_id').where(isOneOf(db, 'item_id', [])).execute();
    expect(none).toEqual([]);
  });

  it('pads an IN list on SQLite to a few lengths, so lists of every length share a few statements, and finds the same rows', async () => {
    const db = get().db.kysely;
    const padIds = ids.map((id) => `${id}_pad`);
    await insertRows(db, 'outbox_sequences', padIds.map((item_id) => ({ item_id, last_seq: 1 })));
    const texts = new Set<string>();
    for (let n = 1; n <= 100; n += 1) {
      const wanted = padIds.slice(n, 2 * n);
      const query = db.selectFrom('outbox_sequences').select('item_id').where('item_id', 'in', inList(db, wanted));
      texts.add(query.compile().sql);
      expect((await query.execute()).map((r) => r.item_id).sort()).toEqual(wanted);
    }
    // Lengths 1, 2, 4, …, 128 on SQLite; PostgreSQL gets the lists as they are.
    expect(texts.size).toBe(dialect === 'postgres' ? 100 : 8);
    expect(inList(db, [])).toEqual([]);
    expect(inList(db, ['a', 'b', 'c'])).toEqual(dialect === 'postgres' ? ['a', 'b', 'c'] : ['a', 'b', 'c', 'c']);
    expect([1, 2, 3, 5, 500, 512, 513, 1024, 1025, 5000].map(paddedLength)).toEqual([1, 2, 4, 8, 512, 512, 1024, 1024, 2048, 5120]);
  });
});
