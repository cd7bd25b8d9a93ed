import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock.ts';
import { TouchedRecords, type ServiceContext, type Actor } from '../context.ts';
import type { Database } from '../db/database.ts';
import { cachedQuery } from '../db/compiled-queries.ts';
import { insertRowSets, type RowSet } from '../db/insert-rows.ts';
import { transact, type Executor, type Trx } from '../db/transaction.ts';
import { PlatformError } from '../errors.ts';
import { faultPoint } from '../fault.ts';
import { isUniqueViolation } from '../db/dialect.ts';
import { sendAhead } from '../db/pg-pipeline.ts';

/**
 * Every mutating request runs through `runCommand`: one transaction holds the work, the
 * idempotency record of its response, and whatever observers (the audit log) write about it.
 * A replay of a key returns the stored response and posts nothing; the same key with another
 * body is refused; a request that fails leaves no key behind, so it can be retried.
 */

export const IDEMPOTENCY_KEY_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const keyPattern = /^[\x21-\x7e]{1,255}$/;

export interface CommandDeps {
  db: Database;
  clock: Clock;
  observers: CommandObserver[];
}

export interface CommandTarget {
  type: string;
  id: string;
}

export interface CommittingCommand {
  request: FastifyRequest;
  actor: Actor;
  status: number;
  targets: CommandTarget[];
  idempotencyKey: string | null;
}

/**
 * Writes alongside a command, in its transaction (the audit log is one): the rows it returns are
 * written with the command's idempotency record, in one statement on PostgreSQL (insertRowSets).
 */
export interface CommandObserver {
  committing(trx: Trx, command: CommittingCommand): Promise<RowSet[]>;
}

export interface CommandOptions<T> {
  /** Status of a successful response (200 unless said); a function when it depends on the result (201 created, 200 found). */
  status?: number | ((result: T) => number);
  /** Refuse the request without an Idempotency-Key (checkout requires one). */
  requireKey?: boolean;
  /** The documents the command created or changed, for the audit log (the items and locations it moved are added by the ledger). */
  targets?: (result: T) => CommandTarget[];
}

export function actorOf(request: FastifyRequest): Actor {
  const actor = request.actor;
  if (!actor) throw new PlatformError('unauthenticated', 'Sign in or send a bearer token.');
  return actor;
}

export function readIdempotencyKey(request: FastifyRequest, required: boolean): string | null {
  const header = request.headers['idempotency-key'];
  if (header === undefined) {
    if (required) throw new PlatformError('idempotency_key_invalid', 'This request needs an Idempotency-Key header.');
    return null;
  }
  if (typeof header !== 'string' || !keyPattern.test(header)) {
    throw new PlatformError('idempotency_key_invalid', 'An Idempotency-Key is 1 to 255 visible ASCII characters.');
  }
  return header;
}

function fingerprintOf(request: FastifyRequest): string {
  return createHash('sha256')
    .update(JSON.stringify({ body: request.body ?? null, query: request.query ?? null }))
    .digest('base64url');
}

type Outcome = { replayed: false; status: number; body: string } | { replayed: true; status: number; body: string };

/** A command's key was claimed before it: its response is stored, or its body was another. */
class KeyTaken extends Error {}

interface Command<T> {
  deps: CommandDeps;
  request: FastifyRequest;
  reply: FastifyReply;
  work: (ctx: ServiceContext) => Promise<T>;
  options: CommandOptions<T>;
  actor: Actor;
  key: string | null;
  claim: Omit<KeyClaim, 'now'>;
}

export async function runCommand<T>(
  deps: CommandDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (ctx: ServiceContext) => Promise<T>,
  options: CommandOptions<T> = {},
): Promise<void> {
  const actor = actorOf(request);
  const key = readIdempotencyKey(request, options.requireKey ?? false);
  const route = request.url.split('?')[0] ?? request.url;
  const scope = `${actor.kind}:${actor.id}`;
  const fingerprint = key === null ? '' : fingerprintOf(request);
  const command: Command<T> = { deps, request, reply, work, options, actor, key, claim: { scope, key: key ?? '', method: request.method, route, fingerprint } };

  // A new key is claimed without waiting for the answer (on PostgreSQL, on the work's first
  // trip); one taken already fails that attempt, and a second looks at the stored request.
  let outcome: Outcome;
  try {
    outcome = await attempt(command, 'ahead');
  } catch (error) {
    if (!(error instanceof KeyTaken)) throw error;
    outcome = await attempt(command, 'looking');
  }
  faultPoint('after_commit_before_reply');

  reply.code(outcome.status).type('application/json; charset=utf-8');
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  reply.send(outcome.body);
  // Wait until the answer is written: an async handler that resolves while onSend hooks (the
  // audit log's) are still running makes Fastify send the reply a second time.
  await reply;
}

/**
 * One transaction of a command. `ahead`: the key's claim is sent and the work goes on; if the key
 * was taken, the attempt throws KeyTaken and commits nothing. `looking`: the claim is answered
 * first, and a stored response is replayed (or a different body refused) without the work.
 */
function attempt<T>(command: Command<T>, claiming: 'ahead' | 'looking'): Promise<Outcome> {
  const { deps, request, reply, options, actor, key } = command;
  return transact(deps.db, async (trx) => {
    const now = deps.clock.now();
    const claim = { ...command.claim, now };
    let claimed: Promise<unknown> | null = null;
    if (key !== null && claiming === 'ahead') claimed = (await claimAhead(trx, claim)).answer;
    if (key !== null && claiming === 'looking') {
      const replay = await claimKey(trx, claim);
      if (replay) return replay;
    }
    // Made afresh inside the transaction: a retried attempt must not report what the failed one touched.
    const touched = new TouchedRecords();
    let result: T;
    try {
      result = await command.work({ db: deps.db, clock: deps.clock, actor, trx, touched });
      // Heard long since on any work that queried; it must be before anything commits.
      if (claimed) await keyClaimed(claimed);
    } catch (error) {
      if (claimed) await keyClaimed(claimed);
      throw error;
    }
    const status = typeof options.status === 'function' ? options.status(result) : (options.status ?? 200);
    reply.code(status);
    const body = reply.serialize(result) as string;
    // The documents first, then the items and locations their movements touched.
    const targets = [...(options.targets ? options.targets(result) : []), ...touched.records];
    const writes: RowSet[] = [];
    for (const observer of deps.observers) {
      writes.push(...(await observer.committing(trx, { request, actor, status, targets, idempotencyKey: key })));
    }
    if (key !== null) {
      const response = { ...command.claim, status_code: status, response_body: body, created_at: now, expires_at: now + IDEMPOTENCY_KEY_TTL_MS };
      writes.push({ table: 'idempotency_keys', rows: [response], onConflict: recordResponseOnConflict });
    }
    await insertRowSets(trx, writes, { lastBeforeCommit: true });
    faultPoint('before_commit');
    return { replayed: false, status, body };
  });
}

interface KeyClaim {
  scope: string;
  key: string;
  method: string;
  route: string;
  fingerprint: string;
  now: number;
}

/**
 * Claims the key for this transaction, or returns the stored response of the request that
 * claimed it first. The insert waits on a concurrent claimant's commit, so two copies of one
 * request sent at once run the work once.
 */
// Every command with a key runs both: built once (see cachedQuery).
const claimQuery = cachedQuery((db: Executor, args: UnansweredRow) =>
  db.insertInto('idempotency_keys').values(args).onConflict((oc) => oc.doNothing()).returning('key'),
);
// The claim sent ahead: a key already in the table fails the insert, and with it the transaction.
const claimAheadQuery = cachedQuery((db: Executor, args: UnansweredRow) =>
  db.insertInto('idempotency_keys').values(args),
);
// The response goes into the row the claim wrote, as an upsert, so that it is one more row set
// of the command's last statement rather than an UPDATE of its own.
const recordResponseOnConflict =
  'on conflict ("scope", "key", "method", "route") do update set "status_code" = "excluded"."status_code", "response_body" = "excluded"."response_body"';

/** The key's row as its claim writes it: no response yet. */
type UnansweredRow = ReturnType<typeof unansweredRow>;

function unansweredRow(claim: KeyClaim) {
  const { now, ...values } = claim;
  return { ...values, status_code: 0, response_body: '', created_at: now, expires_at: now + IDEMPOTENCY_KEY_TTL_MS };
}

/** Sends the key's claim (sendAhead) and returns its answer, to be heard with keyClaimed. */
async function claimAhead(trx: Trx, claim: KeyClaim): Promise<{ answer: Promise<unknown> }> {
  try {
    const sent = await sendAhead(trx, claimAheadQuery.compile(trx, unansweredRow(claim)));
    sent.answer.catch(() => undefined);
    return sent;
  } catch (error) {
    throw isUniqueViolation(error) ? new KeyTaken() : error;
  }
}

/** Throws KeyTaken if the claim found the key in the table, or the claim's own error. */
async function keyClaimed(answer: Promise<unknown>): Promise<void> {
  try {
    await answer;
  } catch (error) {
    throw isUniqueViolation(error) ? new KeyTaken() : error;
  }
}

async function claimKey(trx: Trx, claim: KeyClaim): Promise<Outcome | null> {
  const row = unansweredRow(claim);
  const [inserted] = await claimQuery.execute(trx, row);
  if (inserted) return null;

  const existing = await trx
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('scope', '=', claim.scope)
    .where('key', '=', claim.key)
    .where('method', '=', claim.method)
    .where('route', '=', claim.route)
    .executeTakeFirstOrThrow();
  if (existing.expires_at <= claim.now) {
    await trx
      .updateTable('idempotency_keys')
      .set({ fingerprint: claim.fingerprint, status_code: 0, response_body: '', created_at: claim.now, expires_at: row.expires_at })
      .where('scope', '=', claim.scope)
      .where('key', '=', claim.key)
      .where('method', '=', claim.method)
      .where('route', '=', claim.route)
      .execute();
    return null;
  }
  if (existing.fingerprint !== claim.fingerprint) {
    throw new PlatformError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.');
  }
  return { replayed: true, status: existing.status_code, body: existing.response_body };
}

/** Deletes expired keys in bounded batches; returns how many went. */
export async function purgeExpiredIdempotencyKeys(db: Database, now: number, batch = 1000): Promise<number> {
  let total = 0;
  for (let round = 0; round < 100; round += 1) {
    const doomed = await db.kysely
      .selectFrom('idempotency_keys')
      .select(['scope', 'key', 'method', 'route'])
      .where('expires_at', '<=', now)
      .limit(batch)
      .execute();
    if (doomed.length === 0) break;
    await transact(db, async (trx) => {
      for (const d of doomed) {
        await trx
          .deleteFrom('idempotency_keys')
          .where('scope', '=', d.scope)
          .where('key', '=', d.key)
          .where('method', '=', d.method)
          .where('route', '=', d.route)
          .where('expires_at', '<=', now)
          .execute();
      }
    });
    total += doomed.length;
    if (doomed.length < batch) break;
  }
  return total;
}

/** The service context of a read-only request: no transaction, the request's actor. */
export function contextOf(deps: CommandDeps, request: FastifyRequest): ServiceContext {
  return { db: deps.db, clock: deps.clock, actor: actorOf(request) };
}
