import type { Trx } from '../../platform/db/transaction.ts';

/**
 * A hook for modules that must react, in the same transaction, to stock changing at a physical
 * location: sales channels recompute availability and write it to their outbox. The ledger
 * knows nothing about them; it calls every registered observer after a posting, a reservation or
 * a release, with the (item, location) pairs whose on-hand or reserved quantity changed.
 *
 * Observers run inside the writer's transaction, after the balances changed, so what they read
 * includes the change; they must only touch the database and must be quick: the checkout path
 * runs them. A module registers its observer once, when its index is loaded.
 */
export interface StockTouch {
  itemId: string;
  locationId: string;
}

export interface StockObserver {
  /** Names the observer so that registering it twice (a module loaded twice) keeps one. */
  name: string;
  stockChanged(trx: Trx, touches: readonly StockTouch[], now: number): Promise<void>;
}

const observers = new Map<string, StockObserver>();

export function registerStockObserver(observer: StockObserver): void {
  observers.set(observer.name, observer);
}

export async function notifyStockObservers(trx: Trx, touches: readonly StockTouch[], now: number): Promise<void> {
  if (observers.size === 0 || touches.length === 0) return;
  for (const observer of observers.values()) await observer.stockChanged(trx, touches, now);
}
