import pg from 'pg';

type ClientState = { pipeline?: boolean; _activeQuery?: unknown; _sentQueryQueue?: unknown[] };

/**
 * Calls `onQuery` for every query a node-postgres client is given, with its text and whether it
 * starts a round trip: a query sent while none of its client's is unanswered waits a trip of its
 * own (any query does, without pipeline mode); one sent behind another shares that one's
 * (pg-pipeline.ts). Install it before the pools connect: each connection keeps the query function
 * it had when it connected (pg-named-statements.ts). Returns the uninstaller.
 */
export function watchPostgresQueries(onQuery: (text: string, startsTrip: boolean) => void): () => void {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: ClientState, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
    if (text) onQuery(text, !this.pipeline || (!this._activeQuery && !this._sentQueryQueue?.length));
    return original.apply(this, args);
  };
  return () => void (proto.query = original);
}
