import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem } from '../../../test/support/fixtures.ts';
import { loadItemRules } from './item-rules.ts';

describeEachDatabase('item rules', (get) => {
  it('reads the items it is not handed, and takes the rows it is handed as read', async () => {
    const ctx = serviceContext(get().db);
    const a = await makeItem(ctx, { sku: 'RULE-A' });
    const b = await makeItem(ctx, { sku: 'RULE-B' });
    const db = get().db.kysely;
    const read = await loadItemRules(db, [a.id, b.id, a.id]);
    expect([...read.keys()].sort()).toEqual([a.id, b.id].sort());
    expect(read.get(a.id)).toMatchObject({ sku: 'RULE-A', active: true, stocked: true });
    // A row read earlier in the caller's transaction stands: here it says archived, the table does not.
    const handed = await loadItemRules(db, [a.id, b.id], [{ ...a, status: 'archived' }]);
    expect(handed.get(a.id)?.active).toBe(false);
    expect(handed.get(b.id)?.active).toBe(true);
    // A handed row not asked for is left out.
    expect([...(await loadItemRules(db, [b.id], [a])).keys()]).toEqual([b.id]);
    expect((await loadItemRules(db, [])).size).toBe(0);
  });
});
