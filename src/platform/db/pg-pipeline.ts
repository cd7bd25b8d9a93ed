import type { Duplex } from 'node:stream';
import type pg from 'pg';
import { CompiledQuery, PostgresDialect, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';

const atCommit = new WeakSet<CompiledQuery>();
const ahead = new WeakMap<CompiledQuery, (answer: Promise<QueryResult<unknown>>) => void>();

/**
 * Marks a transaction's last statement, a blind write: on a pipelined connection it is sent at
 * once and answered with the commit, which follows it on the same trip. If it fails, PostgreSQL
 * has aborted the transaction, the commit rolls back, and the commit throws the statement's error.
 * Elsewhere (SQLite) the mark changes nothing.
 */
export function answeredAtCommit(query: CompiledQuery): CompiledQuery {
  atCommit.add(query);
  return query;
}

/** What a statement can be run on: the pool, or a transaction. */
interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/**
 * Sends a statement the transaction need not hear back from before its next one: a claim that,
 * refused, fails the whole transaction (an idempotency key taken). On a pipelined connection in a
 * transaction it goes out at once and the next statement follows on the same trip; that statement
 * (or the commit) waits for this answer too and throws its error first, and PostgreSQL, having
 * aborted the transaction, runs nothing after it. Elsewhere the statement simply runs, and its
 * error is thrown here. The answer is returned inside an object, so awaiting the send does not
 * await it.
 */
export async function sendAhead<R>(runner: QueryRunner, query: CompiledQuery<R>): Promise<{ answer: Promise<QueryResult<R>> }> {
  let sent: Promise<QueryResult<R>> | null = null;
  ahead.set(query, (answer) => void (sent = answer as Promise<QueryResult<R>>));
  const result = await runner.executeQuery(query);
  return { answer: sent ?? Promise.resolve(result) };
}

/**
 * A transaction's `BEGIN` sent on the same trip as its first statement, and its last blind write
 * on the same trip as its `COMMIT`.
 *
 * The pool's connections run in node-postgres's pipeline mode: each query is written to the socket
 * when it is made, not after the previous one's answer. Kysely awaits `BEGIN` before the work's
 * first statement, a whole round trip that tells nothing, since `BEGIN` cannot fail on a working
 * connection. Here `BEGIN` is only sent, and the connection's next statement (or the commit or
 * rollback) waits for both answers: PostgreSQL runs them in order, so that statement is inside the
 * transaction, and a `BEGIN` that did fail (a broken connection) still fails the work before it
 * commits. A counter sale made 12 round trips; this makes it 10. A statement sent ahead
 * (`sendAhead`) is held the same way as the begin.
 */
export class PipelinedPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    return new PipelinedDriver(super.createDriver());
  }
}

type Compile = Parameters<NonNullable<Driver['savepoint']>>[2];

class PipelinedDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PipelinedConnection(await this.inner.acquireConnection());
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const pending = connection as PipelinedConnection;
    // Isolation and access modes are rare (snapshots for exports); they keep Kysely's own begin.
    pending.inTransaction = true;
    if (settings.isolationLevel || settings.accessMode) return this.inner.beginTransaction(pending.inner, settings);
    pending.sendBegin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const pending = connection as PipelinedConnection;
    pending.inTransaction = false;
    const trailing = pending.takeTrailing();
    const commit = this.inner.commitTransaction(pending.inner);
    try {
      await pending.settleLeading();
      await Promise.all(trailing);
    } catch (error) {
      // The commit answers ROLLBACK behind the failed statement; the statement's error is the one to tell.
      await commit.catch(() => undefined);
      throw error;
    }
    await commit;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const pending = connection as PipelinedConnection;
    pending.inTransaction = false;
    // Rolled back whether or not the begin got through: a rollback outside a transaction only warns.
    await Promise.allSettled(pending.takeLeading());
    await Promise.allSettled(pending.takeTrailing());
    return this.inner.rollbackTransaction(pending.inner);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection((connection as PipelinedConnection).inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  // Kysely's PostgreSQL driver has all three.
  savepoint(connection: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    return this.withBegun(connection, (inner) => this.inner.savepoint!(inner, name, compile));
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    return this.withBegun(connection, (inner) => this.inner.rollbackToSavepoint!(inner, name, compile));
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    return this.withBegun(connection, (inner) => this.inner.releaseSavepoint!(inner, name, compile));
  }

  private async withBegun(connection: DatabaseConnection, run: (inner: DatabaseConnection) => Promise<void>): Promise<void> {
    const pending = connection as PipelinedConnection;
    await pending.settleLeading();
    return run(pending.inner);
  }
}

/**
 * A connection whose `BEGIN` (and statements sent ahead) may still be on their way: the next
 * statement goes out behind them and answers only once they have. It holds the writes to be
 * answered with the commit.
 */
class PipelinedConnection implements DatabaseConnection {
  private leading: Array<Promise<unknown>> = [];
  private trailing: Array<Promise<unknown>> = [];
  /** Only a transaction's statement can wait for a commit; outside one, a marked statement runs as any other. */
  inTransaction = false;

  constructor(readonly inner: DatabaseConnection) {}

  sendBegin(): void {
    this.lead(this.inner.executeQuery(CompiledQuery.raw('begin')));
  }

  private lead(sent: Promise<unknown>): void {
    // Awaited by whoever comes next; never left unhandled in the meantime.
    sent.catch(() => undefined);
    this.leading.push(sent);
  }

  /** The statements still on their way ahead, now owned by the caller. */
  takeLeading(): Array<Promise<unknown>> {
    const leading = this.leading;
    this.leading = [];
    return leading;
  }

  /** Waits for the statements still on their way ahead, and throws the first one's error. */
  async settleLeading(): Promise<void> {
    for (const sent of this.takeLeading()) await sent;
  }

  /** The statements sent to be answered with the commit, now owned by whoever commits or rolls back. */
  takeTrailing(): Array<Promise<unknown>> {
    const trailing = this.trailing;
    this.trailing = [];
    return trailing;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction && atCommit.has(query)) {
      const sent = this.inner.executeQuery(query);
      sent.catch(() => undefined);
      this.trailing.push(sent);
      return { rows: [] };
    }
    const answerTo = this.inTransaction ? ahead.get(query) : undefined;
    if (answerTo) {
      const sent = this.inner.executeQuery(query);
      this.lead(sent);
      answerTo(sent);
      return { rows: [] };
    }
    if (this.leading.length === 0) return this.inner.executeQuery<R>(query);
    const leading = this.takeLeading();
    const result = this.inner.executeQuery<R>(query);
    // The statement is already written behind them; its answer counts only if theirs did.
    try {
      for (const sent of leading) await sent;
    } catch (error) {
      result.catch(() => undefined);
      throw error;
    }
    return result;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/**
 * Queries a connection is given in one turn of the event loop leave in one write to its socket.
 * node-postgres writes each query (Parse, Bind, Execute, Sync) with a system call of its own, and
 * a pipelined transaction gives two or three at a time: the begin, a statement sent ahead and the
 * next one; the last writes and the commit. On loopback a write runs the whole TCP path and wakes
 * the backend, and a CPU profile of sixteen clients selling on PostgreSQL found a third of the
 * server's time in `writev`. The socket is corked at the turn's first query and uncorked once the
 * turn's promise callbacks have run (process.nextTick), so nothing waits past the current turn.
 */
export function coalesceWrites(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let corked: Duplex | null = null;
  client.query = ((...args: unknown[]) => {
    const stream = (client as unknown as { connection?: { stream?: Duplex } }).connection?.stream;
    if (corked === null && stream && typeof stream.cork === 'function') {
      corked = stream;
      stream.cork();
      process.nextTick(() => {
        const held = corked!;
        corked = null;
        held.uncork();
      });
    }
    return query(...args);
  }) as typeof client.query;
}
