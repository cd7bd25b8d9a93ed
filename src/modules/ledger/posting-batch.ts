import type { DeferredPostings } from '../../platform/context.ts';
import type { Insertable } from 'kysely';
import type { DB, NewMovementRow } from '../../platform/db/schema.ts';
import { insertRows } from '../../platform/db/insert-rows.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import { valueMovements, type CostingMovement } from '../costing/index.ts';
import { notifyStockObservers, type StockTouch } from './stock-observers.ts';
import { readValuedHistory, writeCostUpdates } from './valuation.ts';

/**
 * The batch posting path (docs/write-path.md, "Batch posting"): many documents — a day of a
 * store's sales, an import — post through the real services, which validate, stamp and move the
 * balances of each one as it comes (so the next document reads them, and a strict location still
 * refuses), while the ledger keeps back what no later document of the batch reads: the ledger
 * transactions' and movements' rows, the costing and the stock observers. `flush` writes them for
 * the whole batch at once: multi-row inserts, one cost pass per item, each observer called once.
 *
 * Costing in one pass gives what posting one by one gives: every movement keeps the instant and id
 * it was stamped with, and the engine draws an item's layers in that order. What differs is only
 * bookkeeping: the rows' `updated_at`, where cost checkpoints fall, and alerts and outbox rows
 * written once per batch rather than once per document.
 *
 * A posting that must be valued at once (back-dated, consuming a reservation) is not deferred;
 * the ledger flushes the batch before it, so costing still sees every item's movements in order.
 * Whoever puts a batch in the context flushes it before anything reads movements, costs, alerts
 * or the outbox, and before the transaction commits.
 */
export class PostingBatch implements DeferredPostings {
  #transactions: DeferredTransaction[] = [];
  #costing: CostingMovement[] = [];
  #movements: NewMovementRow[] = [];
  #touches = new Map<string, StockTouch>();
  #latest = 0;
  #inserts = new Map<InsertTable, unknown[]>();
  #memos = new Map<string, Promise<unknown>>();
  #byId = new Map<string, Map<string, unknown>>();

  /** How many documents wait for the flush. */
  get pending(): number {
    return this.#transactions.length;
  }

  /** Called by the ledger only: the posting's rows (costs filled in by the flush, in these same objects) and what it touched. */
  defer(posting: { transaction: DeferredTransaction; costing: readonly CostingMovement[]; movements: readonly NewMovementRow[]; touches: readonly StockTouch[]; now: number }): void {
    this.#transactions.push(posting.transaction);
    this.#costing.push(...posting.costing);
    this.#movements.push(...posting.movements);
    for (const t of posting.touches) this.#touches.set(`${t.itemId}\u0000${t.locationId}`, t);
    this.#latest = Math.max(this.#latest, posting.now);
  }

  /**
   * A document's own rows (a sale, its lines and payments), written by the flush before the
   * ledger's, in multi-row inserts; tables are written in the order first given, so a parent
   * table given first is written first. Nothing in the batch may read them back.
   */
  deferInsert<T extends InsertTable>(table: T, rows: ReadonlyArray<Insertable<DB[T]>>): void {
    if (rows.length === 0) return;
    const list = this.#inserts.get(table);
    if (list) list.push(...rows);
    else this.#inserts.set(table, [...rows]);
  }

  /**
   * A read the batch's documents cannot change (the shop's settings, a bin), made once per batch.
   * The flush forgets it: whatever runs between batches may change it.
   */
  memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    let value = this.#memos.get(key) as Promise<T> | undefined;
    if (!value) this.#memos.set(key, (value = load()));
    return value;
  }

  /** As memo, for rows looked up by id (locations' stock policies, items' rules): only ids not yet seen are read. */
  async byIds<T>(kind: string, ids: readonly string[], load: (ids: string[]) => Promise<Map<string, T>>): Promise<Map<string, T>> {
    let seen = this.#byId.get(kind) as Map<string, T | undefined> | undefined;
    if (!seen) this.#byId.set(kind, (seen = new Map()));
    const missing = [...new Set(ids)].filter((id) => !seen.has(id));
    if (missing.length) {
      const loaded = await load(missing);
      for (const id of missing) seen.set(id, loaded.get(id));
    }
    const result = new Map<string, T>();
    for (const id of ids) {
      const value = seen.get(id);
      if (value !== undefined) result.set(id, value);
    }
    return result;
  }

  async flush(trx: Trx): Promise<void> {
    this.#memos.clear();
    this.#byId.clear();
    const inserts = this.#inserts;
    this.#inserts = new Map();
    for (const [table, rows] of inserts) for (let i = 0; i < rows.length; i += 200) await insertRows(trx, table, rows.slice(i, i + 200) as never);
    if (this.#transactions.length === 0) return;
    const transactions = this.#transactions;
    const costing = this.#costing;
    const movements = this.#movements;
    const touches = [...this.#touches.values()];
    const now = this.#latest;
    this.#transactions = [];
    this.#costing = [];
    this.#movements = [];
    this.#touches = new Map();

    // Bounded chunks keep every statement under SQLite's and PostgreSQL's parameter limits.
    for (let i = 0; i < transactions.length; i += 500) await insertRows(trx, 'ledger_transactions', transactions.slice(i, i + 500));
    const valuation = await valueMovements(trx, costing, readValuedHistory, now);
    for (const row of movements) {
      const cost = valuation.costs.get(row.id);
      if (!cost) continue;
      row.unit_cost_micros = cost.unitCostMicros;
      row.value_micros = cost.valueMicros;
    }
    for (let i = 0; i < movements.length; i += 500) await insertRows(trx, 'movements', movements.slice(i, i + 500));
    await writeCostUpdates(trx, valuation.updates, now);
    await notifyStockObservers(trx, touches, now);
  }
}

/** A ledger transaction's row, written by the flush. */
export type DeferredTransaction = Insertable<DB['ledger_transactions']>;

/** Tables whose rows a batch may write for its documents. */
export type InsertTable = keyof DB & string;
