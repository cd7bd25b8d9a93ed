import { sql, type Kysely } from 'kysely';
import { PlatformError } from '../errors.ts';
import { isRetryableTransactionError } from './dialect.ts';
import type { DB } from './schema.ts';
import type { Trx } from './transaction.ts';

/**
 * Group commit for SQLite: write transactions that queue while the database is busy share one
 * BEGIN IMMEDIATE … COMMIT, and so one fsync, instead of paying one each.
 *
 * better-sqlite3 runs every statement synchronously, so a whole group — begin, every command,
 * commit — runs on the event loop without yielding to it. Requests that arrive meanwhile wait
 * in the socket; the next turn of the loop reads them, their handlers queue their commands
 * here, and the group that starts on `setImmediate` takes all of them. No timer holds a
 * command back: under no load a group is one command, committed at once.
 *
 * The first command of a group runs in the transaction itself; if it throws, the transaction is
 * rolled back (nothing else is in it) and the rest of the queue forms the next group. Every later
 * command runs in its own SAVEPOINT; one that throws is rolled back to its savepoint alone, so its
 * neighbours commit without it. (SQLite makes each statement slower as an open savepoint grows,
 * so a big command — a day of the demo shop, an import batch — runs best first, with none.) Nobody hears back — success or error — until
 * the COMMIT has returned: an error may rest on a neighbour's writes, and a success is only a
 * success once it is on disk. If the group itself cannot commit, no command in it has been
 * answered, and all of them run again in a fresh group (a command's work may run more than
 * once: see `transact`).
 */

export interface GroupCommitOptions {
  /** Commands one group takes at most, so one group cannot hold the event loop for long. */
  maxCommands: number;
  /** A group takes no further command once it has run this long; it commits, and the loop turns. */
  maxMs: number;
  /** How many times a command (or a group) is tried before it fails with `database_busy`. */
  maxAttempts: number;
  /** Whether the connection is inside a transaction (SQLite ends one by itself on some errors). */
  inTransaction: () => boolean;
}

interface Command {
  /** The Kysely it was given through: a copy with plugins (a test's statement counter) keeps them. */
  kysely: Kysely<DB>;
  work: (trx: Trx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  attempts: number;
  /** Runs in a group of its own: its last group failed at COMMIT, and this finds out which member's fault that was. */
  alone: boolean;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  readonly #options: GroupCommitOptions;
  #queue: Command[] = [];
  #scheduled = false;
  #running = false;
  /** Groups committed and commands in them, for tests and the benchmark. */
  readonly stats = { groups: 0, commands: 0, largest: 0 };

  constructor(options: GroupCommitOptions) {
    this.#options = options;
  }

  /** Runs `work` in the next group; `kysely` is the database's (or a copy of it with plugins, on the same connection). */
  run<T>(kysely: Kysely<DB>, work: (trx: Trx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ kysely, work, resolve: resolve as (value: unknown) => void, reject, attempts: 0, alone: false });
      this.#schedule();
    });
  }

  #schedule(delayMs = 0): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    const start = () => {
      this.#scheduled = false;
      void this.#drain();
    };
    // setImmediate lets every request already read on this turn of the loop join the group.
    if (delayMs > 0) setTimeout(start, delayMs);
    else setImmediate(start);
  }

  async #drain(): Promise<void> {
    this.#running = true;
    let retryInMs = 0;
    try {
      retryInMs = await this.#runGroup();
    } finally {
      this.#running = false;
    }
    if (this.#queue.length > 0) this.#schedule(retryInMs);
  }

  /** Runs one group; returns a delay before the next when the database was busy, else 0. */
  async #runGroup(): Promise<number> {
    // A group runs on one Kysely: commands given through another wait for the next group.
    const kysely = this.#queue[0]?.kysely;
    if (!kysely) return 0;
    let trx: Awaited<ReturnType<ReturnType<Kysely<DB>['startTransaction']>['execute']>>;
    try {
      trx = await kysely.startTransaction().execute();
    } catch (error) {
      return this.#beginFailed(error);
    }
    const members: Command[] = [];
    const outcomes: Outcome[] = [];
    // Kysely releases the connection on rollback even when it fails; a second would unlock twice.
    let open = true;
    const rollback = async () => {
      if (!open) return;
      open = false;
      await trx.rollback().execute();
    };
    const started = performance.now();
    try {
      while (members.length < this.#options.maxCommands && performance.now() - started < this.#options.maxMs) {
        const command = this.#queue.shift();
        if (!command) break;
        if ((command.alone || command.kysely !== kysely) && members.length > 0) {
          this.#queue.unshift(command);
          break;
        }
        command.attempts += 1;
        members.push(command);
        // The first command has the transaction to itself, so it needs no savepoint: a failure
        // undoes the whole transaction. SQLite slows every statement inside an open savepoint as
        // the savepoint grows, which a big command (a day of the demo, an import batch) feels.
        const first = members.length === 1;
        const outcome = first ? await this.#runBare(trx, command) : await this.#runInSavepoint(trx, command);
        if (!this.#options.inTransaction()) {
          // SQLite rolled the whole transaction back (disk full, I/O error): this command's
          // error is its own; the others lost their writes and run again.
          members.pop();
          this.#requeue(members);
          this.#settle(command, outcome);
          await rollback().catch(() => {});
          return 0;
        }
        if (!outcome.ok && first) {
          // Nothing else is in the transaction: roll it back, answer (or retry) the command, and
          // let the next group take the rest of the queue.
          members.pop();
          await rollback().catch(() => {});
          if (isRetryableTransactionError('sqlite', outcome.error) && command.attempts < this.#options.maxAttempts) this.#queue.push(command);
          else this.#settle(command, outcome);
          return 0;
        }
        if (!outcome.ok && isRetryableTransactionError('sqlite', outcome.error) && command.attempts < this.#options.maxAttempts) {
          members.pop();
          this.#queue.push(command);
          continue;
        }
        outcomes.push(outcome);
        if (command.alone) break;
      }
      await trx.commit().execute();
      open = false;
    } catch (error) {
      // A savepoint or the COMMIT failed: nothing of the group is on disk and nobody was answered.
      await rollback().catch(() => {});
      this.#requeueOrFail(members, error);
      return 10;
    }
    this.stats.groups += 1;
    this.stats.commands += members.length;
    this.stats.largest = Math.max(this.stats.largest, members.length);
    members.forEach((command, i) => this.#settle(command, outcomes[i]!));
    return 0;
  }

  async #runBare(trx: Trx, command: Command): Promise<Outcome> {
    try {
      return { ok: true, value: await command.work(trx) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  async #runInSavepoint(trx: Trx, command: Command): Promise<Outcome> {
    await sql.raw('savepoint command').execute(trx);
    try {
      const value = await command.work(trx);
      await sql.raw('release command').execute(trx);
      return { ok: true, value };
    } catch (error) {
      if (this.#options.inTransaction()) {
        // ROLLBACK TO keeps the savepoint open; RELEASE then drops it with nothing in it.
        await sql.raw('rollback to command').execute(trx);
        await sql.raw('release command').execute(trx);
      }
      return { ok: false, error };
    }
  }

  #beginFailed(error: unknown): number {
    const waiting = this.#queue;
    this.#queue = [];
    for (const command of waiting) command.attempts += 1;
    this.#requeueOrFail(waiting, error);
    return backoffMs(Math.max(1, ...waiting.map((c) => c.attempts)));
  }

  /** Puts commands back at the head of the queue, in their order, to run in the next group. */
  #requeue(commands: Command[]): void {
    this.#queue.unshift(...commands);
  }

  /**
   * After a group failed as a whole. Busy: everyone tries again. Anything else (a deferred
   * constraint at COMMIT, say) may be one member's doing: each runs again in a group of its own,
   * so the error reaches only the command that causes it. A command alone gets its error.
   */
  #requeueOrFail(commands: Command[], error: unknown): void {
    const retryable = isRetryableTransactionError('sqlite', error);
    const again: Command[] = [];
    for (const command of commands) {
      const canRetry = command.attempts < this.#options.maxAttempts && (retryable || (!command.alone && commands.length > 1));
      if (canRetry) {
        command.alone ||= !retryable;
        again.push(command);
      } else command.reject(retryable ? busy() : error);
    }
    this.#requeue(again);
  }

  #settle(command: Command, outcome: Outcome): void {
    if (outcome.ok) command.resolve(outcome.value);
    else if (isRetryableTransactionError('sqlite', outcome.error)) command.reject(busy());
    else command.reject(outcome.error);
  }
}

function busy(): PlatformError {
  return new PlatformError('database_busy', 'The database stayed busy; try again shortly.', { extra: { retry_after_s: 1 } });
}

function backoffMs(attempt: number): number {
  const ceiling = Math.min(200, 2 ** attempt * 2);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
