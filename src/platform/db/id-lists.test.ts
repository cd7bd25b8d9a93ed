import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { isOneOf, listGroups } from './id-lists.ts';
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
});
