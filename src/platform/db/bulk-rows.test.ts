import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { insertManyRows, JSON_ROWS_FROM, updateRowsByKey } from './bulk-rows.ts';

const BIG = Number.MAX_SAFE_INTEGER;

describeEachDatabase('bulk rows', (get) => {
  const rowsOf = (tag: string, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      movement_id: `mov_${tag}_${String(i).padStart(5, '0')}`,
      item_id: `itm_${tag}`,
      // Nulls, the largest safe integer and negatives come back exactly, whichever form wrote them.
      unit_cost_micros: i % 3 === 0 ? null : i % 3 === 1 ? BIG - i : -i,
      landed_micros: i,
    }));
  const stored = (tag: string) =>
    get()
      .db.kysely.selectFrom('inbound_costs')
      .select(['movement_id', 'item_id', 'unit_cost_micros', 'landed_micros'])
      .where('item_id', '=', `itm_${tag}`)
      .orderBy('movement_id')
      .execute();

  it('inserts any number of rows exactly, in the short form and the long one', async () => {
    for (const count of [1, JSON_ROWS_FROM - 1, JSON_ROWS_FROM, 1_234]) {
      const rows = rowsOf(`i${count}`, count);
      await insertManyRows(get().db.kysely, 'inbound_costs', rows);
      expect(await stored(`i${count}`), `${count} rows`).toEqual(rows);
    }
  });

  it('updates the rows its keys name and no other', async () => {
    const rows = rowsOf('u', 700);
    await insertManyRows(get().db.kysely, 'inbound_costs', rows);
    const changed = rows.filter((_, i) => i % 2 === 0).map((r, i) => ({ ...r, unit_cost_micros: i % 5 === 0 ? null : BIG - 2 * i, landed_micros: r.landed_micros + 7 }));
    await updateRowsByKey(get().db.kysely, 'inbound_costs', 'movement_id', ['unit_cost_micros', 'landed_micros'], [...changed, { movement_id: 'mov_none', unit_cost_micros: 1, landed_micros: 1 }]);
    const expected = rows.map((r, i) => (i % 2 === 0 ? changed[i / 2]! : r));
    expect(await stored('u')).toEqual(expected);
    // One row takes the same path.
    await updateRowsByKey(get().db.kysely, 'inbound_costs', 'movement_id', ['landed_micros'], [{ movement_id: rows[1]!.movement_id, landed_micros: 99 }]);
    expect((await stored('u'))[1]!.landed_micros).toBe(99);
  });

  it('refuses a number it could not store exactly, before writing anything', async () => {
    const rows = rowsOf('x', 40);
    for (const bad of [BIG + 2, 1.5]) {
      const withBad = rows.map((r, i) => (i === 30 ? { ...r, landed_micros: bad } : r));
      await expect(insertManyRows(get().db.kysely, 'inbound_costs', withBad)).rejects.toThrow(/inbound_costs\.landed_micros .*safe integer/);
      await expect(updateRowsByKey(get().db.kysely, 'inbound_costs', 'movement_id', ['landed_micros'], withBad)).rejects.toThrow(/safe integer/);
    }
    expect(await stored('x')).toEqual([]);
  });
});
