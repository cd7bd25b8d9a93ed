import { describe, expect, it } from 'vitest';
import type { Trx } from '../../platform/db/transaction.ts';
import { notifyStockObservers, registerStockObserver, type StockTouch } from './stock-observers.ts';

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
});
