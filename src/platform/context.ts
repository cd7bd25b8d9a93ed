import type { Clock } from './clock.ts';
import type { Database } from './db/database.ts';
import { transact, type Executor, type Trx } from './db/transaction.ts';

export type Role = 'owner' | 'manager' | 'staff' | 'viewer';

/**
 * Who is acting: a signed-in user, an API token, or the system itself (CLI, demo, jobs).
 * `sites` are the sites whose stock and documents the actor may see; services filter by it.
 */
export interface Actor {
  kind: 'user' | 'token' | 'system';
  id: string;
  label: string;
  role: Role;
  sites: 'all' | ReadonlySet<string>;
}

export const systemActor: Actor = { kind: 'system', id: 'system', label: 'system', role: 'owner', sites: 'all' };

export function canSeeSite(actor: Actor, siteId: string | null): boolean {
  if (actor.sites === 'all') return true;
  return siteId !== null && actor.sites.has(siteId);
}

/**
 * What every service function takes first. `trx` is set when the caller already holds a
 * transaction (the HTTP layer opens one so an idempotency record commits with the work).
 */
export interface ServiceContext {
  db: Database;
  clock: Clock;
  actor: Actor;
  trx?: Trx;
  /** Collects the records a command touched beyond its documents, for the audit log; absent outside a command. */
  touched?: TouchedRecords;
  /**
   * Set while many documents post as one batch (the demo's day of sales, an import): the ledger
   * defers their costing, movement rows and stock observers to the batch's flush
   * (ledger/posting-batch.ts). Whoever sets it flushes it before anything reads those.
   */
  postingBatch?: DeferredPostings;
}

/** What the platform knows of a posting batch: it can be flushed inside the transaction it belongs to. */
export interface DeferredPostings {
  flush(trx: Trx): Promise<void>;
}

/**
 * The items and locations a command's movements touched, each once, in the order first touched:
 * the audit log lists them as targets, so "everything that touched this item" is one query.
 * Kept in memory and written with the audit event in one insert, never a query per movement.
 */
export class TouchedRecords {
  private readonly seen = new Set<string>();
  readonly records: Array<{ type: string; id: string }> = [];

  add(type: string, id: string): void {
    const key = `${type}\u0000${id}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.records.push({ type, id });
  }
}

/** The executor for reads: the caller's transaction if there is one, else the pool. */
export function reader(ctx: ServiceContext): Executor {
  return ctx.trx ?? ctx.db.kysely;
}

/** Runs `work` in the caller's transaction, or in a new one (with retries) when there is none. */
export function inTransaction<T>(ctx: ServiceContext, work: (trx: Trx) => Promise<T>): Promise<T> {
  if (ctx.trx) return work(ctx.trx);
  return transact(ctx.db, work);
}

/** Staff sell and count but never see what things cost or what margin they make. */
export function canSeeCosts(actor: Actor): boolean {
  return actor.role !== 'staff';
}
