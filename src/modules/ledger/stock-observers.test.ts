import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { ITEMS_PER_ROUND, notifyStockObservers, registerStockObserver, type StockTouch, type TouchedIds } from './stock-observers.ts';

/** The observer hook alone: who is told, with what, and that no touches tell nobody. */
describe('stock observers', () => {
  const trx = {} as Trx;
  const touch: StockTouch = { itemId: 'itm_1', locationId: 'loc_1' };

  it('tells each registered observer, in order, with the transaction, the touches and the time; once per name', async () => {
    const heard: string[] = [];
    const seen: unknown[] = [];
    registerStockObserver({ name: 'first', stockChanged: async () => void heard.push('first (replaced)') });
    registerStockObserver({ name: 'first', stockChanged: async (t, touches, now) => void (heard.push('first'), seen.push([t, touches, now])) });
    registerStockObserver({ name: 'second', stockChanged: async () => void heard.push('second') });
    await notifyStockObservers(trx, [touch], 42);
    expect(heard).toEqual(['first', 'second']);
    expect(seen).toEqual([[trx, [touch], 42]]);
    await notifyStockObservers(trx, [], 43);
    expect(heard).toEqual(['first', 'second']);
  });

  it('tells them in rounds of at most ITEMS_PER_ROUND items, every touch once and an item’s touches together', async () => {
    const rounds: StockTouch[][] = [];
    registerStockObserver({ name: 'first', stockChanged: async (_t, touches) => void rounds.push([...touches]) });
    const touches = Array.from({ length: ITEMS_PER_ROUND * 2 + 1 }, (_, i) => [
      { itemId: `itm_${i}`, locationId: 'loc_a' },
      { itemId: `itm_${i}`, locationId: 'loc_b' },
    ]).flat();
    await notifyStockObservers(trx, touches.slice(0, 4), 42);
    expect(rounds).toEqual([touches.slice(0, 4)]);
    rounds.length = 0;
    await notifyStockObservers(trx, touches, 42);
    expect(rounds.map((r) => new Set(r.map((t) => t.itemId)).size)).toEqual([ITEMS_PER_ROUND, ITEMS_PER_ROUND, 1]);
    expect(rounds.flat()).toEqual(touches);
  });
});

describeEachDatabase('stock observers’ first reads', (get) => {
  it('reads every observer’s first read before any observer writes, and hands each its own rows', async () => {
    const db = get().db.kysely;
    await db.insertInto('outbox_sequences').values({ item_id: 'itm_touched', last_seq: 1 }).execute();
    const seenBy = new Map<string, unknown[]>();
    const read = (trx: Executor, ids: TouchedIds) => trx.selectFrom('outbox_sequences').select(['item_id', 'last_seq']).where('item_id', 'in', [...ids.itemIds]);
    registerStockObserver({
      name: 'writes-first',
      firstRead: read,
      stockChanged: async (trx, touches, _now, rows) => {
        seenBy.set('writes-first', [...rows]);
        await trx.updateTable('outbox_sequences').set({ last_seq: 2 }).where('item_id', '=', touches[0]!.itemId).execute();
      },
    });
    registerStockObserver({ name: 'reads-after', firstRead: (trx, ids) => read(trx, ids).where('last_seq', '<', 2), stockChanged: async (_trx, _t, _n, rows) => void seenBy.set('reads-after', [...rows]) });
    registerStockObserver({ name: 'reads-nothing', stockChanged: async (_trx, _t, _n, rows) => void seenBy.set('reads-nothing', [...rows]) });
    await db.transaction().execute((trx) => notifyStockObservers(trx, [{ itemId: 'itm_touched', locationId: 'loc_1' }], 42));
    const before = [{ item_id: 'itm_touched', last_seq: 1 }];
    expect(seenBy.get('writes-first')!.map((r) => ({ ...(r as object), last_seq: Number((r as { last_seq: number }).last_seq) }))).toEqual(before);
    // Read with the first, before its write: it still finds the row at 1.
    expect(seenBy.get('reads-after')!.map((r) => (r as { item_id: string }).item_id)).toEqual(['itm_touched']);
    expect(seenBy.get('reads-nothing')).toEqual([]);
  });
});
