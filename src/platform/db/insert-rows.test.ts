import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { statementSize, upsertRows } from './insert-rows.ts';

it('writes a few rows in one statement, and bulk batches in statements of a few lengths', () => {
  expect([1, 3, 8].map(statementSize)).toEqual([1, 3, 8]);
  expect([9, 37, 500].map(statementSize)).toEqual([8, 32, 256]);
  // 37 rows: 32 + 5; 500 rows: 256 + 128 + 64 + 32 + 16 + 4.
  const pieces = (count: number) => {
    const sizes: number[] = [];
    for (let left = count; left > 0; left -= sizes[sizes.length - 1]!) sizes.push(statementSize(left));
    return sizes;
  };
  expect(pieces(37)).toEqual([32, 5]);
  expect(pieces(500)).toEqual([256, 128, 64, 32, 16, 4]);
});

describeEachDatabase('a multi-row upsert', (get) => {
  it('writes every row and returns every row in the order given, whatever the length', async () => {
    const db = get().db.kysely;
    const rows = Array.from({ length: 37 }, (_, i) => ({ item_id: `itm_${String(i).padStart(3, '0')}`, last_seq: i + 1 }));
    const returned = await upsertRows(db, 'outbox_sequences', rows, 'on conflict ("item_id") do update set "last_seq" = outbox_sequences.last_seq + excluded.last_seq', ['item_id', 'last_seq']);
    expect(returned.map((r) => [r.item_id, Number(r.last_seq)])).toEqual(rows.map((r) => [r.item_id, r.last_seq]));
    const again = await upsertRows(db, 'outbox_sequences', rows.slice(30), 'on conflict ("item_id") do update set "last_seq" = outbox_sequences.last_seq + excluded.last_seq', ['last_seq']);
    expect(again.map((r) => Number(r.last_seq))).toEqual(rows.slice(30).map((r) => 2 * r.last_seq));
    const stored = await db.selectFrom('outbox_sequences').select(['item_id', 'last_seq']).orderBy('item_id').execute();
    expect(stored).toHaveLength(37);
  });
});
