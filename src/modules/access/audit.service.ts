import { reader, type Actor, type ServiceContext } from '../../platform/context.ts';
import type { AuditEventRow } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import type { CommandTarget } from '../../platform/http/command.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { insertRowSets, type RowSet } from '../../platform/db/insert-rows.ts';

/**
 * The audit log: one row per mutating request (and per sign-in attempt), saying who, what,
 * when, from where and how it ended. A successful change is written in the transaction of the
 * change itself, so there is never a change without its record nor a record of a change that
 * rolled back; a refused or failed request is written on its own. Rows are never updated or
 * deleted: the database refuses both.
 */

/** Documents, and the items and locations their movements touched; a count of a whole warehouse touches thousands. */
export const AUDIT_TARGETS_MAX = 10_000;
/** How many targets the event's own row repeats in `targets` (all of them are in audit_targets, which the target filter reads). */
const targetsListedMax = 200;
const userAgentMax = 300;

export interface AuditEventInput {
  at: number;
  actor: Actor | null;
  credentialId: string | null;
  method: string;
  route: string;
  path: string;
  status: number;
  problemCode: string | null;
  targets: CommandTarget[];
  siteId: string | null;
  ip: string | null;
  userAgent: string | null;
  idempotencyKey: string | null;
  requestId: string | null;
  note: string | null;
}

export interface AuditEventRecord extends Omit<AuditEventRow, 'targets_json'> {
  targets: CommandTarget[];
}

/** Appends one event; the caller's executor decides which transaction it belongs to. */
export async function recordAuditEvent(db: Executor, input: AuditEventInput): Promise<string> {
  const { id, sets } = auditEventRows(input);
  await insertRowSets(db, sets);
  return id;
}

/**
 * The rows of one event and its targets, for a caller that writes them with its own (a command
 * writes them with its idempotency record: one statement on PostgreSQL, see insertRowSets).
 */
export function auditEventRows(input: AuditEventInput): { id: string; sets: RowSet[] } {
  const seen = new Set<string>();
  const targets = input.targets
    .filter((t) => {
      const key = `${t.type}\u0000${t.id}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, AUDIT_TARGETS_MAX);
  const id = newId('aud', input.at);
  const event = {
    id,
    at: input.at,
    actor_kind: input.actor?.kind ?? null,
    actor_id: input.actor?.id ?? null,
    actor_label: input.actor?.label ?? null,
    credential_id: input.credentialId,
    method: input.method,
    route: input.route,
    path: input.path.slice(0, 1000),
    status: input.status,
    problem_code: input.problemCode,
    targets_json: JSON.stringify(targets.slice(0, targetsListedMax)),
    site_id: input.siteId,
    ip: input.ip,
    user_agent: input.userAgent === null ? null : input.userAgent.slice(0, userAgentMax),
    idempotency_key: input.idempotencyKey,
    request_id: input.requestId,
    note: input.note,
  };
  const sets: RowSet[] = [{ table: 'audit_events', rows: [event] }];
  if (targets.length) sets.push({ table: 'audit_targets', rows: targets.map((t) => ({ event_id: id, target_type: t.type, target_id: t.id })) });
  return { id, sets };
}

export interface AuditQuery {
  actorId?: string | undefined;
  targetId?: string | undefined;
  route?: string | undefined;
  method?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  outcome?: 'success' | 'failure' | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * Events newest first. An actor limited to some sites sees the events at those sites and the
 * events tied to no site (catalogue changes, sign-ins, user and token management).
 */
export async function listAuditEvents(ctx: ServiceContext, query: AuditQuery): Promise<{ records: AuditEventRecord[]; nextCursor: string | null }> {
  const db = reader(ctx);
  const after = decodeCursor(query.cursor, ['number', 'string']);
  let q = db.selectFrom('audit_events').selectAll();
  const sites = ctx.actor.sites;
  if (sites !== 'all') {
    const granted = [...sites];
    q = q.where((eb) => eb.or([eb('site_id', 'is', null), ...(granted.length ? [eb('site_id', 'in', granted)] : [])]));
  }
  if (query.actorId) q = q.where('actor_id', '=', query.actorId);
  if (query.targetId) {
    const targetId = query.targetId;
    q = q.where('id', 'in', (eb) => eb.selectFrom('audit_targets').select('event_id').where('target_id', '=', targetId));
  }
  if (query.route) q = q.where('route', '=', query.route);
  if (query.method) q = q.where('method', '=', query.method);
  if (query.from !== undefined) q = q.where('at', '>=', query.from);
  if (query.to !== undefined) q = q.where('at', '<', query.to);
  if (query.outcome === 'success') q = q.where('status', '<', 400);
  if (query.outcome === 'failure') q = q.where('status', '>=', 400);
  if (after) {
    const [at, id] = after as [number, string];
    q = q.where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1];
  return {
    records: page.map(({ targets_json, ...row }) => ({ ...row, targets: JSON.parse(targets_json) as CommandTarget[] })),
    nextCursor: more && last ? encodeCursor([last.at, last.id]) : null,
  };
}
