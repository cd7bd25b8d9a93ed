/**
 * The offline queue: writes a till or a scanner made while the server was out of reach, kept in
 * the order they were made and sent in that order once it is back. Each carries the
 * Idempotency-Key it was given when it was made and the moment it was made (`occurred_at`), so a
 * replay interrupted after the server answered posts nothing twice, and the server dates and
 * values each at the moment it happened.
 *
 * Storage is injected (IndexedDB in the app, memory in tests): the queue's rules do not depend on
 * where entries live.
 */

export const QUEUE_KINDS = ['sale', 'receipt', 'adjustment', 'count'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

export interface QueuedWrite {
  /** Assigned by the store, increasing: the order the writes were made in. */
  seq: number;
  kind: QueueKind;
  method: 'POST';
  path: string;
  body: Record<string, unknown>;
  idempotencyKey: string;
  /** ISO 8601; also in `body.occurred_at` (or the document's own time field). */
  occurredAt: string;
  /** What a person reads in the list: "Sale at T1: 2 × Tea". */
  summary: string;
  /** `held`: the server refused it; it waits for a person (retry or discard) and blocks nothing else. */
  state: 'waiting' | 'held';
  problem: { code: string; detail: string } | null;
  attempts: number;
}

export type NewQueuedWrite = Omit<QueuedWrite, 'seq' | 'state' | 'problem' | 'attempts'>;

export interface QueueStore {
  /** Stores the entry under the next sequence number and returns it. */
  add(entry: Omit<QueuedWrite, 'seq'>): Promise<QueuedWrite>;
  /** Every entry, oldest first. */
  list(): Promise<QueuedWrite[]>;
  put(entry: QueuedWrite): Promise<void>;
  remove(seq: number): Promise<void>;
}

/** What sending one entry came to. Only `posted` and `rejected` settle an entry; the rest stop the replay. */
export type SendOutcome =
  | { kind: 'posted'; response: unknown }
  | { kind: 'rejected'; code: string; detail: string }
  | { kind: 'offline' }
  | { kind: 'signed_out' }
  | { kind: 'busy' };

export type Sender = (entry: QueuedWrite) => Promise<SendOutcome>;

export interface ReplayReport {
  posted: Array<{ entry: QueuedWrite; response: unknown }>;
  held: QueuedWrite[];
  /** Why the replay stopped before the end, if it did. */
  stoppedBy: 'offline' | 'signed_out' | 'busy' | null;
  /** Entries still waiting after this replay. */
  waiting: number;
}

/** Bounds a queue on a phone: past this, the till says so instead of growing without end. */
export const QUEUE_MAX = 5000;

export class QueueFullError extends Error {
  constructor() {
    super(`The offline queue holds ${QUEUE_MAX} writes already; reconnect to send them before recording more.`);
    this.name = 'QueueFullError';
  }
}

export class OfflineQueue {
  readonly #store: QueueStore;
  #replaying: Promise<ReplayReport> | null = null;

  constructor(store: QueueStore) {
    this.#store = store;
  }

  async enqueue(write: NewQueuedWrite): Promise<QueuedWrite> {
    if ((await this.#store.list()).length >= QUEUE_MAX) throw new QueueFullError();
    return this.#store.add({ ...write, state: 'waiting', problem: null, attempts: 0 });
  }

  list(): Promise<QueuedWrite[]> {
    return this.#store.list();
  }

  /**
   * Sends waiting entries oldest first, one at a time. A posted entry leaves the queue; a refused
   * one is held for a person and the rest go on; no connection, a lost session or a busy server
   * stops the replay with everything after it still queued, in order. Only one replay runs at a
   * time: a second call while one runs gets the same report.
   */
  replay(send: Sender): Promise<ReplayReport> {
    if (!this.#replaying) {
      this.#replaying = this.#replayOnce(send).finally(() => {
        this.#replaying = null;
      });
    }
    return this.#replaying;
  }

  async #replayOnce(send: Sender): Promise<ReplayReport> {
    const report: ReplayReport = { posted: [], held: [], stoppedBy: null, waiting: 0 };
    const entries = (await this.#store.list()).filter((e) => e.state === 'waiting');
    for (const [i, entry] of entries.entries()) {
      const attempt = { ...entry, attempts: entry.attempts + 1 };
      const outcome = await send(attempt);
      if (outcome.kind === 'posted') {
        await this.#store.remove(entry.seq);
        report.posted.push({ entry: attempt, response: outcome.response });
      } else if (outcome.kind === 'rejected') {
        const held: QueuedWrite = { ...attempt, state: 'held', problem: { code: outcome.code, detail: outcome.detail } };
        await this.#store.put(held);
        report.held.push(held);
      } else {
        await this.#store.put(attempt);
        report.stoppedBy = outcome.kind;
        report.waiting = entries.length - i;
        return report;
      }
    }
    return report;
  }

  /** A held entry goes back to waiting in its place, keeping its key: sending it again cannot post it twice. */
  async retry(seq: number): Promise<void> {
    const entry = (await this.#store.list()).find((e) => e.seq === seq);
    if (entry) await this.#store.put({ ...entry, state: 'waiting', problem: null });
  }

  /** A person decided a held entry should not post (they recorded it another way). */
  async discard(seq: number): Promise<void> {
    await this.#store.remove(seq);
  }
}

/** Entries in memory: for tests, and for a browser without IndexedDB (a private window), where nothing survives a reload. */
export class MemoryQueueStore implements QueueStore {
  #entries = new Map<number, QueuedWrite>();
  #next = 1;

  async add(entry: Omit<QueuedWrite, 'seq'>): Promise<QueuedWrite> {
    const stored = { ...entry, seq: this.#next++ };
    this.#entries.set(stored.seq, structuredClone(stored));
    return stored;
  }

  async list(): Promise<QueuedWrite[]> {
    return [...this.#entries.values()].sort((a, b) => a.seq - b.seq).map((e) => structuredClone(e));
  }

  async put(entry: QueuedWrite): Promise<void> {
    if (this.#entries.has(entry.seq)) this.#entries.set(entry.seq, structuredClone(entry));
  }

  async remove(seq: number): Promise<void> {
    this.#entries.delete(seq);
  }
}
