import { sql } from 'kysely';
import { canSeeSite, reader, type ServiceContext } from '../../platform/context.ts';
import type { SaleRow } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { findItems } from '../catalog/index.ts';
import { listMovementsOfDocuments } from '../ledger/index.ts';
import { getLocation } from '../locations/index.ts';
import type { SaleRecord } from './checkout.service.ts';
import { SalesError } from './sales.errors.ts';
import { OFFLINE_SHORTAGE_REASON } from './offline-shortage.ts';

/** Reading sales back: one sale, or a page of them, each with its lines, modifiers, discounts, payments and what it consumed. */

export async function getSale(ctx: ServiceContext, id: string): Promise<SaleRecord> {
  const db = reader(ctx);
  const row = await db.selectFrom('sales').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !canSeeSite(ctx.actor, row.site_id)) throw new SalesError('sale_not_found', `No sale ${id}.`);
  return (await loadSaleRecords(db, [row]))[0]!;
}

export async function listSales(
  ctx: ServiceContext,
  query: { locationId?: string; from?: number; to?: number; limit: number; cursor?: string },
): Promise<{ records: SaleRecord[]; nextCursor: string | null }> {
  const db = reader(ctx);
  const after = decodeCursor(query.cursor, ['number', 'string']);
  let q = db.selectFrom('sales').selectAll();
  if (query.locationId) {
    const location = await getLocation(ctx, query.locationId);
    q = location.kind === 'bin' ? q.where('location_id', '=', location.id) : q.where('site_id', '=', location.site_id ?? '');
  }
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    q = sites.length ? q.where('site_id', 'in', sites) : q.where(sql<boolean>`1 = 0`);
  }
  if (query.from !== undefined) q = q.where('created_at', '>=', query.from);
  if (query.to !== undefined) q = q.where('created_at', '<', query.to);
  if (after) {
    const [at, id] = after as [number, string];
    q = q.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1];
  return { records: await loadSaleRecords(db, page), nextCursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
}

export async function loadSaleRecords(db: Executor, sales: readonly SaleRow[]): Promise<SaleRecord[]> {
  if (sales.length === 0) return [];
  const ids = sales.map((s) => s.id);
  const [lines, modifiers, discounts, payments, movements] = await Promise.all([
    db.selectFrom('sale_lines').selectAll().where('sale_id', 'in', ids).orderBy('sale_id').orderBy('line_no').execute(),
    db.selectFrom('sale_line_modifiers').selectAll().where('sale_id', 'in', ids).orderBy('sale_line_id').orderBy('position').execute(),
    db.selectFrom('sale_discounts').selectAll().where('sale_id', 'in', ids).orderBy('id').execute(),
    db.selectFrom('payments').selectAll().where('document_id', 'in', ids).orderBy('id').execute(),
    listMovementsOfDocuments(db, ids),
  ]);
  const items = await findItems(db, lines.map((l) => l.item_id));
  return sales.map((sale) => ({
    sale,
    lines: lines
      .filter((l) => l.sale_id === sale.id)
      .map((l) => ({
        ...l,
        sku: items.get(l.item_id)?.sku ?? '',
        name: items.get(l.item_id)?.name ?? '',
        modifiers: modifiers.filter((m) => m.sale_line_id === l.id),
        movements: movements.filter((m) => m.document_line_id === l.id && m.kind === 'sale'),
      })),
    discounts: discounts.filter((d) => d.sale_id === sale.id),
    payments: payments.filter((p) => p.document_id === sale.id),
    negativeBalances: [],
    offlineShortages: movements
      .filter((m) => m.document_id === sale.id && m.reason === OFFLINE_SHORTAGE_REASON)
      .map((m) => ({ itemId: m.item_id, locationId: m.to_location_id, lotId: m.lot_id, qty: m.qty })),
  }));
}
