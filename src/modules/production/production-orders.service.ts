import { canSeeSite, inTransaction, reader, type Actor, type ServiceContext } from '../../platform/context.ts';
import { formatDocumentNumber, nextNumber } from '../../platform/db/counters.ts';
import type { BomRow, ItemRow, LocationRow, ProductionOrderLineRow, ProductionOrderRow, ProductionOrderStatus, ProductionPostingRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { findItem, findItems } from '../catalog/index.ts';
import { findLots, insufficientStock, listPickableStock, listReservationsOfDocuments, NO_LOT, releaseReservation, reserveStock } from '../ledger/index.ts';
import { findLocation, findLocations, loadStockPolicies } from '../locations/index.ts';
import { componentQtyFor, conversionCost, findActiveBom, getBom, PPM, type BomRecord } from './boms.service.ts';
import { ProductionError } from './production.errors.ts';
import type { CreateOrderInput } from './production.schema.ts';

/**
 * Production orders make a stocked item from its bill of materials at one site:
 *
 *   planned ──start──▶ started ──complete (final)──▶ completed ──close──▶ closed
 *      └──────────────────┴──cancel (nothing posted yet)──▶ cancelled
 *
 * Starting reserves every component at the site, soonest expiry first (the ledger's guarded
 * reservation: a strict site refuses with 409 rather than promise stock it has not got; a site
 * that allows negative stock reserves what it has and lets the rest go below zero when the
 * bake is done). Completing posts what was ACTUALLY used (consumption: bin → production) and
 * what was actually made (production: production → bin, into a lot with an expiry from the
 * recipe's shelf life), and may be partial. The finished goods' cost is derived from the
 * consumed movements' cost plus labour and overhead (see the ledger's derived costs), so a
 * later correction of a component's cost reaches the loaves and what was sold of them.
 * An order belongs to its site: anyone not granted the site finds no such order.
 */

export const PRODUCTION_DOCUMENT = 'production_order';
export const MAX_ORDER_LINES = 200;

export interface OrderLineRecord extends ProductionOrderLineRow {
  sku: string;
  name: string;
  baseUnit: string;
  qtyReserved: number;
  valueConsumedMicros: number;
}

export interface PostingRecord extends ProductionPostingRow {
  lotCode: string | null;
  expiresOn: string | null;
  valueConsumedMicros: number;
  valueProducedMicros: number;
}

export interface ProductionOrderRecord {
  order: ProductionOrderRow;
  bom: BomRow;
  site: Pick<LocationRow, 'id' | 'code' | 'name'>;
  item: Pick<ItemRow, 'id' | 'sku' | 'name' | 'base_unit'>;
  lines: OrderLineRecord[];
  postings: PostingRecord[];
}

export function expectedGood(bom: BomRow, qtyPlanned: number): number {
  return mulDiv(qtyPlanned, bom.yield_ppm, PPM);
}

export function assertStatus(order: ProductionOrderRow, allowed: readonly ProductionOrderStatus[], action: string): void {
  if (allowed.includes(order.status)) return;
  throw new ProductionError('production_order_state', `Production order ${order.number} is ${order.status}; it cannot ${action}.`, { extra: { order_status: order.status } });
}

export async function createProductionOrder(ctx: ServiceContext, input: CreateOrderInput): Promise<ProductionOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const site = await findLocation(trx, input.site_id);
    if (!site || site.kind !== 'site' || !canSeeSite(ctx.actor, site.id)) {
      throw new ProductionError('production_order_invalid', `${input.site_id} is not a site you may produce at.`, { errors: [{ field: 'body.site_id', code: 'not_found', message: 'no such site' }] });
    }
    const bin = await findLocation(trx, input.bin_id ?? site.default_bin_id ?? '');
    if (!bin || bin.kind !== 'bin' || bin.site_id !== site.id || bin.status !== 'active') {
      throw new ProductionError('production_order_invalid', `Production happens at an active bin of ${site.code}; ${input.bin_id ?? 'its default bin'} is not one.`, {
        errors: [{ field: 'body.bin_id', code: 'not_found', message: 'not an active bin of the site' }],
      });
    }
    const item = await findItem(trx, input.item_id);
    if (!item || item.stocked !== 1 || item.status !== 'active') {
      throw new ProductionError('production_order_invalid', `${input.item_id} is not an active stocked item.`, { errors: [{ field: 'body.item_id', code: 'not_stockable', message: 'not an active stocked item' }] });
    }
    if (item.tracking === 'serial') throw new ProductionError('production_order_invalid', `${item.sku} is tracked by serial number; production makes lots or untracked stock.`);
    const record = input.bom_id ? await getBom(trx, input.bom_id) : await findActiveBom(trx, item.id);
    if (!record || record.bom.item_id !== item.id) {
      throw new ProductionError('production_order_invalid', `${item.sku} has no bill of materials${input.bom_id ? ` ${input.bom_id}` : ''}; add one first.`, {
        errors: [{ field: input.bom_id ? 'body.bom_id' : 'body.item_id', code: 'no_bom', message: 'no bill of materials' }],
      });
    }
    const order = await insertOrder(trx, ctx, { site, bin, item, record, qty: input.qty, plannedFor: input.planned_for ?? null, note: input.note ?? null });
    if (input.start) await reserveComponents(tctx, order);
    return getProductionOrder(tctx, order.id);
  });
}

async function insertOrder(
  trx: Trx,
  ctx: ServiceContext,
  o: { site: LocationRow; bin: LocationRow; item: ItemRow; record: BomRecord; qty: number; plannedFor: string | null; note: string | null },
): Promise<ProductionOrderRow> {
  const now = ctx.clock.now();
  const bom = o.record.bom;
  const good = expectedGood(bom, o.qty);
  const order: ProductionOrderRow = {
    id: newId('prd', now),
    number: formatDocumentNumber('PRD', await nextNumber(trx, 'production_order')),
    status: 'planned',
    site_id: o.site.id,
    bin_id: o.bin.id,
    item_id: o.item.id,
    bom_id: bom.id,
    qty_planned: o.qty,
    qty_produced: 0,
    qty_scrapped: 0,
    labour_planned_micros: conversionCost(bom.labour_micros, bom.labour_basis, bom, o.qty, good),
    overhead_planned_micros: conversionCost(bom.overhead_micros, bom.overhead_basis, bom, o.qty, good),
    planned_for: o.plannedFor,
    note: o.note,
    created_by: ctx.actor.id,
    created_at: now,
    started_at: null,
    completed_at: null,
    closed_at: null,
    updated_at: now,
  };
  await trx.insertInto('production_orders').values(order).execute();
  await trx
    .insertInto('production_order_lines')
    .values(
      o.record.lines.map((l, i) => ({
        id: newId('prl', now),
        order_id: order.id,
        line_no: i + 1,
        item_id: l.component_item_id,
        qty_planned: componentQtyFor(bom, l.qty, o.qty),
        qty_consumed: 0,
      })),
    )
    .execute();
  return order;
}

/** planned → started: every component reserved at the site, soonest expiry first. */
export async function startProductionOrder(ctx: ServiceContext, id: string): Promise<ProductionOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const order = await lockOrder(tctx, id);
    assertStatus(order, ['planned'], 'be started');
    await reserveComponents(tctx, order);
    return getProductionOrder(tctx, id);
  });
}

async function reserveComponents(ctx: ServiceContext & { trx: Trx }, order: ProductionOrderRow): Promise<void> {
  const lines = await ctx.trx.selectFrom('production_order_lines').selectAll().where('order_id', '=', order.id).orderBy('line_no').execute();
  const strict = (await loadStockPolicies(ctx.trx, [order.bin_id])).get(order.bin_id)?.strict ?? true;
  const today = new Date(ctx.clock.now()).toISOString().slice(0, 10);
  const pickable = await listPickableStock(ctx.trx, { itemIds: lines.map((l) => l.item_id), siteIds: [order.site_id], today });
  for (const line of lines) {
    const candidates = pickable.filter((p) => p.itemId === line.item_id);
    const available = candidates.reduce((sum, p) => sum + p.available, 0);
    if (strict && available < line.qty_planned) {
      throw insufficientStock({ item_id: line.item_id, location_id: order.site_id, lot_id: null, requested: line.qty_planned / QTY_SCALE, available: available / QTY_SCALE });
    }
    let left = line.qty_planned;
    for (const p of candidates) {
      if (left === 0) break;
      const take = Math.min(left, p.available);
      await reserveStock(ctx, { itemId: line.item_id, locationId: p.locationId, lotId: p.lotId, qty: take, documentType: PRODUCTION_DOCUMENT, documentId: order.id, documentLineId: line.id });
      left -= take;
    }
  }
  const now = ctx.clock.now();
  await ctx.trx.updateTable('production_orders').set({ status: 'started', started_at: now, updated_at: now }).where('id', '=', order.id).execute();
}

/** Releases whatever the order still holds reserved. */
export async function releaseOrderReservations(ctx: ServiceContext & { trx: Trx }, orderId: string): Promise<void> {
  const reservations = await listReservationsOfDocuments(ctx.trx, [orderId]);
  for (const r of reservations.sort((a, b) => (a.id < b.id ? -1 : 1))) await releaseReservation(ctx, r.id);
}

/** completed (or started with something made) → closed; a started order's unused reservations are released. */
export async function closeProductionOrder(ctx: ServiceContext, id: string, note?: string): Promise<ProductionOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const order = await lockOrder(tctx, id);
    assertStatus(order, ['started', 'completed'], 'be closed');
    await releaseOrderReservations(tctx, id);
    const now = ctx.clock.now();
    await trx
      .updateTable('production_orders')
      .set({ status: 'closed', closed_at: now, completed_at: order.completed_at ?? now, updated_at: now, note: note ? note : order.note })
      .where('id', '=', id)
      .execute();
    return getProductionOrder(tctx, id);
  });
}

/** Withdraws an order nothing of which was posted; its reservations are released. */
export async function cancelProductionOrder(ctx: ServiceContext, id: string, note?: string): Promise<ProductionOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const order = await lockOrder(tctx, id);
    assertStatus(order, ['planned', 'started'], 'be cancelled');
    const posted = await trx.selectFrom('production_postings').select('id').where('order_id', '=', id).limit(1).executeTakeFirst();
    if (posted) throw new ProductionError('production_order_state', `Production order ${order.number} has completions posted; close it instead.`, { extra: { order_status: order.status } });
    await releaseOrderReservations(tctx, id);
    const now = ctx.clock.now();
    await trx.updateTable('production_orders').set({ status: 'cancelled', closed_at: now, updated_at: now, note: note ? note : order.note }).where('id', '=', id).execute();
    return getProductionOrder(tctx, id);
  });
}

/** The order row, locked for the rest of the transaction, if the actor may see its site. */
export async function lockOrder(ctx: ServiceContext & { trx: Trx }, id: string): Promise<ProductionOrderRow> {
  const now = ctx.clock.now();
  // The update takes the row lock on PostgreSQL, so two completions of one order run one after the other.
  const row = await ctx.trx.updateTable('production_orders').set({ updated_at: now }).where('id', '=', id).returningAll().executeTakeFirst();
  if (!row || !canSeeSite(ctx.actor, row.site_id)) throw new ProductionError('production_order_not_found', `No production order ${id}.`);
  return row;
}

export async function getProductionOrder(ctx: ServiceContext, id: string): Promise<ProductionOrderRecord> {
  const db = reader(ctx);
  const order = await db.selectFrom('production_orders').selectAll().where('id', '=', id).executeTakeFirst();
  if (!order || !canSeeSite(ctx.actor, order.site_id)) throw new ProductionError('production_order_not_found', `No production order ${id}.`);
  return (await loadRecords(db, [order]))[0]!;
}

async function loadRecords(db: Executor, orders: ProductionOrderRow[]): Promise<ProductionOrderRecord[]> {
  if (orders.length === 0) return [];
  const ids = orders.map((o) => o.id);
  const [lines, postings, reservations, boms, consumed, produced] = await Promise.all([
    db.selectFrom('production_order_lines').selectAll().where('order_id', 'in', ids).orderBy('line_no').execute(),
    db.selectFrom('production_postings').selectAll().where('order_id', 'in', ids).orderBy('id').execute(),
    listReservationsOfDocuments(db, ids),
    db.selectFrom('boms').selectAll().where('id', 'in', [...new Set(orders.map((o) => o.bom_id))]).execute(),
    // Costs are read from the ledger every time, so a re-costing shows here at once.
    db
      .selectFrom('movements')
      .select(['txn_id', 'document_line_id', (eb) => eb.fn.sum<number | string>('value_micros').as('value')])
      .where('document_id', 'in', ids)
      .where('kind', '=', 'consumption')
      .groupBy(['txn_id', 'document_line_id'])
      .execute(),
    db
      .selectFrom('movements')
      .select(['txn_id', (eb) => eb.fn.sum<number | string>('value_micros').as('value')])
      .where('document_id', 'in', ids)
      .where('kind', '=', 'production')
      .groupBy('txn_id')
      .execute(),
  ]);
  const [items, sites, lots] = await Promise.all([
    findItems(db, [...orders.map((o) => o.item_id), ...lines.map((l) => l.item_id)]),
    findLocations(db, orders.map((o) => o.site_id)),
    findLots(db, postings.map((p) => p.lot_id)),
  ]);
  const bomById = new Map(boms.map((b) => [b.id, b]));
  const reservedByLine = new Map<string, number>();
  for (const r of reservations) if (r.document_line_id) reservedByLine.set(r.document_line_id, (reservedByLine.get(r.document_line_id) ?? 0) + r.qty);
  const consumedByLine = new Map<string, number>();
  const consumedByTxn = new Map<string, number>();
  for (const c of consumed) {
    const value = Number(c.value ?? 0);
    if (c.document_line_id) consumedByLine.set(c.document_line_id, (consumedByLine.get(c.document_line_id) ?? 0) + value);
    consumedByTxn.set(c.txn_id, (consumedByTxn.get(c.txn_id) ?? 0) + value);
  }
  const producedByTxn = new Map(produced.map((p) => [p.txn_id, Number(p.value ?? 0)]));
  return orders.map((order) => {
    const item = items.get(order.item_id)!;
    const site = sites.get(order.site_id)!;
    return {
      order,
      bom: bomById.get(order.bom_id)!,
      site: { id: site.id, code: site.code, name: site.name },
      item: { id: item.id, sku: item.sku, name: item.name, base_unit: item.base_unit },
      lines: lines
        .filter((l) => l.order_id === order.id)
        .map((l) => {
          const c = items.get(l.item_id)!;
          return { ...l, sku: c.sku, name: c.name, baseUnit: c.base_unit, qtyReserved: reservedByLine.get(l.id) ?? 0, valueConsumedMicros: consumedByLine.get(l.id) ?? 0 };
        }),
      postings: postings
        .filter((p) => p.order_id === order.id)
        .map((p) => {
          const lot = p.lot_id === NO_LOT ? undefined : lots.get(p.lot_id);
          return {
            ...p,
            lotCode: lot?.code ?? null,
            expiresOn: lot?.expires_on ?? null,
            valueConsumedMicros: p.consumption_txn_id ? (consumedByTxn.get(p.consumption_txn_id) ?? 0) : 0,
            valueProducedMicros: p.production_txn_id ? (producedByTxn.get(p.production_txn_id) ?? 0) : 0,
          };
        }),
    };
  });
}

export interface ProductionOrderQuery {
  siteId?: string;
  status?: ProductionOrderStatus;
  plannedFor?: string;
  limit: number;
  cursor?: string;
}

function scopeToSites<Q extends { where: (...args: any[]) => Q }>(q: Q, actor: Actor): Q {
  if (actor.sites === 'all') return q;
  const sites = [...actor.sites];
  return sites.length ? q.where('site_id', 'in', sites) : q.where('id', '=', '');
}

/** Orders at the granted sites, newest first. */
export async function listProductionOrders(ctx: ServiceContext, query: ProductionOrderQuery): Promise<{ records: ProductionOrderRecord[]; nextCursor: string | null }> {
  const db = reader(ctx);
  let q = scopeToSites(db.selectFrom('production_orders').selectAll(), ctx.actor);
  if (query.siteId) q = q.where('site_id', '=', query.siteId);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.plannedFor) q = q.where('planned_for', '=', query.plannedFor);
  const after = decodeCursor(query.cursor, ['string']);
  if (after) q = q.where('id', '<', after[0] as string);
  const rows = await q.orderBy('id', 'desc').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  return { records: await loadRecords(db, page), nextCursor: more ? encodeCursor([page[page.length - 1]!.id]) : null };
}

export { insertOrder };
