import type { ServiceContext } from '../platform/context.ts';

/** One thing that happens on a simulated day, at a given instant; the day runs them in time order. */
export interface DayEvent {
  at: number;
  run: (ctx: ServiceContext) => Promise<void>;
  /** A counter sale: it may post in the day's batch (ledger/posting-batch.ts), which other events flush first unless they pass it. */
  batchable?: boolean;
  /**
   * Posts no stock, reads nothing the batch holds back (movements, costs, sales' rows, alerts, the
   * outbox) and changes nothing the batch reads once (settings, items' rules, lots, tax rates,
   * prices): a web order reserving stock, a purchase order. It runs inside the open batch instead
   * of flushing it first, so a day's counter sales stay in one batch across it.
   */
  passesBatch?: boolean;
}

/** What the simulation did, for its summary. */
export interface Tally {
  sales: number;
  returns: number;
  orders: number;
  shipments: number;
  purchaseOrders: number;
  receipts: number;
  adjustments: number;
  productionOrders: number;
}

export function emptyTally(): Tally {
  return { sales: 0, returns: 0, orders: 0, shipments: 0, purchaseOrders: 0, receipts: 0, adjustments: 0, productionOrders: 0 };
}

/** The instant `hours` (fractional) after the day's midnight, to the second. */
export function at(dayStart: number, hours: number): number {
  return dayStart + Math.floor(hours * 3600) * 1000;
}
