import { sql } from 'kysely';
import { reader, type ServiceContext } from '../../platform/context.ts';
import type { MovementRow } from '../../platform/db/schema.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { inScope, resolveStockScope } from './stock-scope.ts';

/** Movement history, newest first, with keyset pagination that stays fast on a deep page. */

export interface MovementQuery {
  itemId?: string;
  locationId?: string;
  documentId?: string;
  documentType?: string;
  kind?: string;
  from?: number;
  to?: number;
  limit: number;
  cursor?: string;
}

export interface MovementLine extends MovementRow {
  /** Relative to the location asked about: stock coming in or going out. Null without one. */
  direction: 'in' | 'out' | null;
}

export async function listMovements(ctx: ServiceContext, query: MovementQuery): Promise<{ lines: MovementLine[]; nextCursor: string | null }> {
  const db = reader(ctx);
  const scope = await resolveStockScope(ctx, query.locationId);
  const after = decodeCursor(query.cursor, ['number', 'string']);
  const located = query.locationId !== undefined;

  let q = db.selectFrom('movements as m').selectAll('m');
  if (located) {
    q = q
      .select(sql<'in' | 'out'>`case when ${inScope(scope, 'm.to_location_id')} then 'in' else 'out' end`.as('direction'))
      .where(sql<boolean>`(${inScope(scope, 'm.from_location_id')} or ${inScope(scope, 'm.to_location_id')})`);
  } else if (ctx.actor.sites !== 'all') {
    q = q.where(sql<boolean>`(${inScope(scope, 'm.from_location_id')} or ${inScope(scope, 'm.to_location_id')})`);
  }
  if (query.itemId) q = q.where('m.item_id', '=', query.itemId);
  if (query.documentId) q = q.where('m.document_id', '=', query.documentId);
  if (query.documentType) q = q.where('m.document_type', '=', query.documentType);
  if (query.kind) q = q.where('m.kind', '=', query.kind);
  if (query.from !== undefined) q = q.where('m.effective_at', '>=', query.from);
  if (query.to !== undefined) q = q.where('m.effective_at', '<', query.to);
  if (after) {
    const [at, id] = after as [number, string];
    q = q.where((eb) => eb.or([eb('m.effective_at', '<', at), eb.and([eb('m.effective_at', '=', at), eb('m.id', '<', id)])]));
  }
  const rows = (await q.orderBy('m.effective_at', 'desc').orderBy('m.id', 'desc').limit(query.limit + 1).execute()) as Array<
    MovementRow & { direction?: 'in' | 'out' }
  >;
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1];
  return {
    lines: page.map((r) => ({ ...r, direction: r.direction ?? null })),
    nextCursor: more && last ? encodeCursor([last.effective_at, last.id]) : null,
  };
}
