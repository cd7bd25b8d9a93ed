import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { insertRowSets, statementSize, upsertRows } from './insert-rows.ts';

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

describeEachDatabase('rows for several tables at once', (get) => {
  it('writes parents and children together (one statement on PostgreSQL), and a child naming no parent is still refused', async () => {
    const db = get().db.kysely;
    const tag = `${process.pid}${Date.now() % 1_000_000}`;
    const event = (id: string) => ({
      id,
      at: 1,
      actor_kind: null,
      actor_id: null,
      actor_label: null,
      credential_id: null,
      method: 'POST',
      route: '/r',
      path: '/r',
      status: 201,
      problem_code: null,
      targets_json: '[]',
      site_id: null,
      ip: null,
      user_agent: null,
      idempotency_key: null,
      request_id: 'req',
      note: null,
    });
    const id = `aud_SETS${tag}`;
    await insertRowSets(db, [
      { table: 'audit_events', rows: [event(id)] },
      { table: 'audit_targets', rows: [{ event_id: id, target_type: 'item', target_id: 'itm_1' }, { event_id: id, target_type: 'item', target_id: 'itm_2' }] },
      { table: 'outbox_sequences', rows: [] },
    ]);
    expect((await db.selectFrom('audit_targets').select('target_id').where('event_id', '=', id).orderBy('target_id').execute()).map((r) => r.target_id)).toEqual(['itm_1', 'itm_2']);
    // In the caller's transaction, as every write is: nothing of it stays.
    await expect(
      db.transaction().execute((trx) =>
        insertRowSets(trx, [
          { table: 'audit_events', rows: [event(`aud_SETS${tag}b`)] },
          { table: 'audit_targets', rows: [{ event_id: `aud_NONE${tag}`, target_type: 'item', target_id: 'itm_1' }] },
        ]),
      ),
    ).rejects.toThrow();
    expect(await db.selectFrom('audit_events').select('id').where('id', '=', `aud_SETS${tag}b`).executeTakeFirst()).toBeUndefined();
  });

  it('writes sets past PostgreSQL’s 65,535 parameters a statement one by one', async () => {
    const db = get().db.kysely;
    const rows = (prefix: string) => Array.from({ length: 20_000 }, (_, i) => ({ item_id: `itm_${prefix}${String(i).padStart(6, '0')}`, last_seq: 1 }));
    await insertRowSets(db, [
      { table: 'outbox_sequences', rows: rows(`LIMA${process.pid}`) },
      { table: 'outbox_sequences', rows: rows(`LIMB${process.pid}`) },
    ]);
    const stored = await db.selectFrom('outbox_sequences').select((eb) => eb.fn.countAll<number>().as('n')).where('item_id', 'like', `itm_LIM_${process.pid}%`).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(40_000);
  });
});
