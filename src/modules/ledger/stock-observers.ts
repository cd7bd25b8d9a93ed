import type { SelectQueryBuilder, UpdateQueryBuilder } from 'kysely';
import { inList } from '../../platform/db/id-lists.ts';
import { cachedWritesAndReads, type cachedReads } from '../../platform/db/read-together.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';

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

/** The touched items and locations, each once, as a first read takes them (IN lists, padded on SQLite). */
export type TouchedIds = { itemIds: readonly string[]; locationIds: readonly string[] };

export interface StockObserver {
  /** Names the observer so that registering it twice (a module loaded twice) keeps one. */
  name: string;
  /**
   * What the observer reads before anything else, from the touched ids alone. The observers'
   * first reads are taken together, before any of them writes: one statement on PostgreSQL, where
   * each is a round trip (cachedReads). Its rows are handed to `stockChanged`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  firstRead?: (db: Executor, ids: TouchedIds) => SelectQueryBuilder<DB, any, any>;
  /**
   * An UPDATE from the touched ids alone that returns nothing and changes nothing any first read
   * reads (a generation bumped): made in the first reads' statement, before them on SQLite.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  blindWrite?: (db: Executor, ids: TouchedIds) => UpdateQueryBuilder<DB, any, any, any>;
  /** `firstRows`: what `firstRead` found (empty without one); the observer knows their shape. */
  stockChanged?(trx: Trx, touches: readonly StockTouch[], now: number, firstRows: readonly unknown[]): Promise<void>;
}

const observers = new Map<string, StockObserver>();
/** The registered observers' blind writes and first reads as one statement, made when first needed. */
let firstReads: { readers: StockObserver[]; writes: number; reads: ReturnType<typeof cachedReads> } | undefined;

export function registerStockObserver(observer: StockObserver): void {
  observers.set(observer.name, observer);
  firstReads = undefined;
}

/**
 * Tells every observer of `touches`. `sent`: their first reads, already sent for these touches
 * (sendFirstReads); otherwise they are read here.
 */
export async function notifyStockObservers(trx: Trx, touches: readonly StockTouch[], now: number, sent?: FirstReadsSent): Promise<void> {
  if (observers.size === 0 || touches.length === 0) return;
  if (sent && sent.touches === touches) return tell(trx, touches, now, await sent.rows);
  for (const round of roundsOf(touches)) await tell(trx, round, now, await (await sendFirst(trx, round, false)).answer);
}

/** First reads on their way, for notifyStockObservers. */
export interface FirstReadsSent {
  touches: readonly StockTouch[];
  rows: Promise<Map<StockObserver, readonly unknown[]>>;
}

/**
 * Sends the observers' first reads (and blind writes) of a posting's touches ahead of the
 * posting's next statement, which on PostgreSQL then shares their round trip (sendAhead). For a
 * caller whose statements until it notifies change nothing those reads read: the ledger sends them
 * once the balances have moved, before it values and writes the movements. Touches too many for
 * one round are read when notified.
 */
export async function sendFirstReads(trx: Trx, touches: readonly StockTouch[]): Promise<FirstReadsSent | undefined> {
  if (observers.size === 0 || touches.length === 0 || roundsOf(touches).length > 1) return undefined;
  return { touches, rows: (await sendFirst(trx, touches, true)).answer };
}

async function tell(trx: Trx, touches: readonly StockTouch[], now: number, rows: Map<StockObserver, readonly unknown[]>): Promise<void> {
  for (const observer of observers.values()) await observer.stockChanged?.(trx, touches, now, rows.get(observer) ?? []);
}

/**
 * Items a round of observers hears about at most. The first reads name each item four times and
 * each location four times in one statement: a count or an import touching 30,000 items would pass
 * both databases' parameter limits (SQLite 32,766, PostgreSQL 65,535) in one round.
 */
export const ITEMS_PER_ROUND = 400;

/** The touches in rounds of at most ITEMS_PER_ROUND items, each item's touches in one round. */
function roundsOf(touches: readonly StockTouch[]): StockTouch[][] {
  const byItem = new Map<string, StockTouch[]>();
  for (const t of touches) {
    const list = byItem.get(t.itemId);
    if (list) list.push(t);
    else byItem.set(t.itemId, [t]);
  }
  if (byItem.size <= ITEMS_PER_ROUND) return [[...touches]];
  const lists = [...byItem.values()];
  const rounds: StockTouch[][] = [];
  for (let i = 0; i < lists.length; i += ITEMS_PER_ROUND) rounds.push(lists.slice(i, i + ITEMS_PER_ROUND).flat());
  return rounds;
}

async function sendFirst(trx: Trx, touches: readonly StockTouch[], ahead: boolean): Promise<{ answer: Promise<Map<StockObserver, readonly unknown[]>> }> {
  if (!firstReads) {
    const readers = [...observers.values()].filter((o) => o.firstRead);
    const writes = [...observers.values()].flatMap((o) => (o.blindWrite ? [o.blindWrite] : []));
    firstReads = { readers, writes: writes.length, reads: cachedWritesAndReads(writes as never, readers.map((o) => o.firstRead!)) };
  }
  const { readers, writes, reads } = firstReads;
  if (readers.length + writes === 0) return { answer: Promise.resolve(new Map()) };
  const ids: TouchedIds = {
    itemIds: inList(trx, [...new Set(touches.map((t) => t.itemId))]),
    locationIds: inList(trx, [...new Set(touches.map((t) => t.locationId))]),
  };
  const { answer } = ahead ? await reads.sendAhead(trx, ids as never) : { answer: reads.execute(trx, ids as never) };
  const found = answer.then((rows) => new Map(readers.map((o, i) => [o, (rows as unknown as ReadonlyArray<readonly unknown[]>)[i]!])));
  found.catch(() => undefined);
  return { answer: found };
}
