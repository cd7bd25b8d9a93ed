import { canSeeSite, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { LocationRow, MovementRow, PaymentRow, ReturnCondition, ReturnLineRow, ReturnRow, SaleStatus, Tender } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import type { FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { formatMoney, minorUnitMicros } from '../../platform/money.ts';
import { formatQuantity } from '../../platform/quantity.ts';
import { listMovementsOfDocuments, postMovements, type MovementInput } from '../ledger/index.ts';
import { findLocations, isVisibleTo, resolveStockLocation, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { createSale, type SaleRecord } from './checkout.service.ts';
import { roundToUnit, type TenderInput } from './pricing.ts';
import { orderVisible } from './orders.service.ts';
import { getSale } from './sale-records.service.ts';
import { SalesError } from './sales.errors.ts';
import type { CreateExchangeInput, CreateReturnInput, PaymentInput, VoidSaleInput } from './sales.schema.ts';

/**
 * Returns, counter voids and exchanges. Each reverses what was posted with new movements, never by
 * editing the old ones: goods come back from `customer` at the cost they left with (the original
 * movement's unit cost), into the lot they left from.
 * - restockable: back into stock, where it was sold or shipped from unless told otherwise;
 * - damaged: to scrap (back into the bin, then written off to scrap, so the loss is recorded at
 *   cost) or into a quarantine bin, where it is never sold;
 * - not received: a refund only.
 * Which lots come back, and how much is refunded, is worked out cumulatively over the line: the
 * first n units returned are always the same units, and a line returned in pieces refunds exactly
 * its total in the end (each piece is rounded to the cent, the last takes what is left).
 * A void is a return at the counter of whole lines, all restocked where they were sold.
 */

export interface ReturnLineRecord extends ReturnLineRow {
  movements: MovementRow[];
}

export interface ReturnRecord {
  ret: ReturnRow;
  lines: ReturnLineRecord[];
  refunds: PaymentRow[];
}

/** A return posted whose refunds are still to be written; `defaultTender` pays them when the request names none. */
interface ProcessedReturn extends ReturnRecord {
  defaultTender: Tender;
}

export interface ReturnLineRequest {
  lineId: string;
  qty: number;
  condition: ReturnCondition;
  restockLocationId?: string;
  damagedTo?: string;
}

interface ReturnRequest {
  kind: 'return' | 'void';
  saleId?: string;
  orderId?: string;
  reason: string;
  note: string | null;
  lines: ReturnLineRequest[];
  exchangeId?: string;
}

/** A sale or order line as a return sees it. */
interface ReturnableLine {
  id: string;
  itemId: string;
  qty: number;
  /** What can come back at most: all of a sale line, what shipped of an order line. */
  returnable: number;
  returned: number;
  totalMicros: number;
  origin: MovementRow[];
}

interface Returnable {
  kind: 'sale' | 'order';
  id: string;
  currency: string;
  defaultTender: Tender;
  lines: Map<string, ReturnableLine>;
  saleStatus: SaleStatus | null;
}

export async function createReturn(ctx: ServiceContext, input: CreateReturnInput): Promise<ReturnRecord> {
  return inTransaction(ctx, async (trx) => {
    const processed = await processReturn({ ...ctx, trx }, trx, {
      kind: 'return',
      saleId: input.sale_id,
      orderId: input.order_id,
      reason: input.reason,
      note: input.note ?? null,
      lines: input.lines.map(toLineRequest),
    });
    return writeRefunds(trx, processed, refundTenders(processed, input.refunds));
  });
}

export async function voidSale(ctx: ServiceContext, saleId: string, input: VoidSaleInput): Promise<ReturnRecord> {
  return inTransaction(ctx, async (trx) => {
    const returnable = await loadSaleReturnable(ctx, trx, saleId);
    if (returnable.saleStatus === 'voided') throw new SalesError('sale_already_voided', `Sale ${saleId} was already voided.`);
    const wanted = input.line_ids ?? [...returnable.lines.keys()];
    const lines: ReturnLineRequest[] = [];
    for (const lineId of wanted) {
      const line = returnable.lines.get(lineId);
      if (!line) throw new SalesError('return_invalid', `Line ${lineId} is not a line of sale ${saleId}.`);
      if (line.returnable > line.returned) lines.push({ lineId, qty: line.returnable - line.returned, condition: 'restockable' });
    }
    if (lines.length === 0) throw new SalesError('sale_already_voided', `Nothing is left to void on sale ${saleId}.`);
    const processed = await processReturn({ ...ctx, trx }, trx, { kind: 'void', saleId, reason: input.reason, note: null, lines }, returnable);
    return writeRefunds(trx, processed, refundTenders(processed, input.refunds));
  });
}

export interface ExchangeRecord {
  id: string;
  differenceMicros: number;
  createdAt: number;
  ret: ReturnRecord;
  sale: SaleRecord;
}

/**
 * A return and a new sale in one document and one transaction. What comes back is credited to
 * the new sale (tender `exchange`); the customer pays any difference with the sale's payments, or
 * is paid the rest of the refund in `refund_tender`.
 */
export async function createExchange(ctx: ServiceContext, input: CreateExchangeInput): Promise<ExchangeRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const now = ctx.clock.now();
    const id = newId('exc', now);
    const processed = await processReturn(tctx, trx, {
      kind: 'return',
      saleId: input.return.sale_id,
      orderId: input.return.order_id,
      reason: input.return.reason,
      note: input.return.note ?? null,
      lines: input.return.lines.map(toLineRequest),
      exchangeId: id,
    });
    const credit = processed.ret.refund_micros;
    const sale = await createSale(tctx, input.sale, { credit, exchangeId: id });
    const creditUsed = sale.payments.filter((p) => p.tender === 'exchange').reduce((s, p) => s + p.amount_micros, 0);
    const tenders: TenderInput[] = [
      ...(creditUsed > 0 ? [{ tender: 'exchange' as const, amountMicros: creditUsed, reference: sale.sale.number }] : []),
      ...(credit > creditUsed ? [{ tender: input.refund_tender, amountMicros: credit - creditUsed, reference: null }] : []),
    ];
    const ret = await writeRefunds(trx, processed, tenders);
    const differenceMicros = sale.sale.total_micros - credit;
    await trx
      .insertInto('exchanges')
      .values({ id, return_id: ret.ret.id, sale_id: sale.sale.id, difference_micros: differenceMicros, actor_id: ctx.actor.id, created_at: now })
      .execute();
    return { id, differenceMicros, createdAt: now, ret, sale };
  });
}

function toLineRequest(line: CreateReturnInput['lines'][number]): ReturnLineRequest {
  return { lineId: line.line_id, qty: line.qty, condition: line.condition, restockLocationId: line.restock_location_id, damagedTo: line.damaged_to };
}

async function processReturn(ctx: ServiceContext, trx: Trx, request: ReturnRequest, loaded?: Returnable): Promise<ProcessedReturn> {
  const now = ctx.clock.now();
  const returnable =
    loaded ?? (request.saleId ? await loadSaleReturnable(ctx, trx, request.saleId) : await loadOrderReturnable(ctx, trx, request.orderId!));
  const unit = minorUnitMicros(returnable.currency);
  const returnId = newId('ret', now);
  const destinations = await resolveDestinations(ctx, request.lines);
  const origins = await findLocations(trx, [...returnable.lines.values()].flatMap((l) => l.origin.map((m) => m.from_location_id)));
  const errors: FieldError[] = [];
  const lines: ReturnLineRecord[] = [];
  const inbound: MovementInput[] = [];
  const scrapped: MovementInput[] = [];
  const progress = new Map<string, number>();

  request.lines.forEach((req, i) => {
    const line = returnable.lines.get(req.lineId);
    if (!line) return errors.push({ field: `body.lines.${i}.line_id`, code: 'not_found', message: `${req.lineId} is not a line of ${returnable.id}` });
    const before = progress.get(line.id) ?? line.returned;
    if (before + req.qty > line.returnable) {
      return errors.push({ field: `body.lines.${i}.qty`, code: 'exceeds', message: `only ${formatQuantity(line.returnable - before)} of line ${line.id} can still come back` });
    }
    progress.set(line.id, before + req.qty);
    const id = newId('rtl', now);
    const pieces = piecesOf(line, before, req.qty);
    const destination = destinationOf(req, destinations);
    for (const piece of req.condition === 'not_received' ? [] : pieces) {
      // Goods go back where they left from only when that is a site the caller may act at; an
      // order shipped from another site comes back to a bin the caller names.
      const origin = origins.get(piece.from_location_id);
      if (destination === null && req.condition === 'restockable' && origin && !isVisibleTo(ctx.actor, origin)) {
        errors.push({ field: `body.lines.${i}.restock_location_id`, code: 'required', message: 'these goods left from a site you are not granted; name a bin of yours to restock them to' });
        break;
      }
      const movement = { itemId: piece.item_id, lotId: piece.lot_id, fromLocationId: VIRTUAL_LOCATION_IDS.customer, qty: piece.qty, unitCostMicros: piece.unit_cost_micros, documentLineId: id };
      // Damaged goods for scrap go there straight from the customer at the cost they left with,
      // never through stock, where FIFO would scrap an older unit in their place.
      if (req.condition === 'damaged' && destination === null) scrapped.push({ ...movement, toLocationId: VIRTUAL_LOCATION_IDS.scrap });
      else inbound.push({ ...movement, toLocationId: destination ?? piece.from_location_id });
    }
    lines.push({
      id,
      return_id: returnId,
      line_no: i + 1,
      sale_line_id: returnable.kind === 'sale' ? line.id : null,
      order_line_id: returnable.kind === 'order' ? line.id : null,
      item_id: line.itemId,
      qty: req.qty,
      condition: req.condition,
      to_location_id: req.condition === 'not_received' ? null : req.condition === 'damaged' && destination === null ? VIRTUAL_LOCATION_IDS.scrap : destination,
      refund_micros: refundUpTo(line, before + req.qty, unit) - refundUpTo(line, before, unit),
      movements: [],
    });
  });
  if (errors.length) throw new SalesError('return_invalid', errors[0]!.message, { errors });

  await recordReturnedOnLines(trx, returnable, lines);
  const kind = request.kind === 'void' ? 'sale_void' : 'return';
  const posted = inbound.length ? await postMovements(ctx, { kind, documentType: 'return', documentId: returnId, movements: inbound }) : null;
  const scrappedPosting = scrapped.length ? await postMovements(ctx, { kind: 'scrap', reason: 'damaged', documentType: 'return', documentId: returnId, movements: scrapped }) : null;
  const all = [...(posted?.movements ?? []), ...(scrappedPosting?.movements ?? [])];
  for (const line of lines) line.movements = all.filter((m) => m.document_line_id === line.id);

  const ret: ReturnRow = {
    id: returnId,
    kind: request.kind,
    sale_id: returnable.kind === 'sale' ? returnable.id : null,
    order_id: returnable.kind === 'order' ? returnable.id : null,
    reason: request.reason,
    note: request.note,
    currency: returnable.currency,
    refund_micros: lines.reduce((s, l) => s + l.refund_micros, 0),
    txn_id: posted?.txnId ?? null,
    exchange_id: request.exchangeId ?? null,
    actor_id: ctx.actor.id,
    created_at: now,
  };
  await trx.insertInto('returns').values(ret).execute();
  await trx.insertInto('return_lines').values(lines.map(({ movements: _m, ...row }) => row)).execute();
  if (returnable.kind === 'sale') await updateSaleAfterReturn(trx, returnable.id, request.kind, ret.refund_micros);
  return { ret, lines, refunds: [], defaultTender: returnable.defaultTender };
}

/**
 * The original movements the units [done, done + qty) of a line correspond to: the line's parts
 * are walked in posting order, so the first units returned are always the same ones, and each
 * piece carries its lot, its bin and its unit cost.
 */
function piecesOf(line: ReturnableLine, done: number, qty: number): MovementRow[] {
  const byItem = new Map<string, MovementRow[]>();
  for (const m of line.origin) byItem.set(m.item_id, [...(byItem.get(m.item_id) ?? []), m]);
  const pieces: MovementRow[] = [];
  for (const movements of byItem.values()) {
    const partTotal = movements.reduce((s, m) => s + m.qty, 0);
    // The part's share of the units returned, relative to what left (all of a sale line, the shipped units of an order line).
    const upTo = (n: number) => mulDiv(partTotal, n, line.returnable);
    const from = upTo(done);
    const to = upTo(done + qty);
    let offset = 0;
    for (const m of movements) {
      const start = Math.max(from, offset);
      const end = Math.min(to, offset + m.qty);
      if (end > start) pieces.push({ ...m, qty: end - start });
      offset += m.qty;
    }
  }
  return pieces;
}

function refundUpTo(line: ReturnableLine, n: number, unit: number): number {
  if (n >= line.qty) return line.totalMicros;
  return roundToUnit(mulDiv(line.totalMicros, n, line.qty), unit);
}

async function resolveDestinations(ctx: ServiceContext, lines: readonly ReturnLineRequest[]): Promise<Map<string, LocationRow>> {
  const ids = new Set<string>();
  for (const l of lines) {
    if (l.condition === 'restockable' && l.restockLocationId) ids.add(l.restockLocationId);
    if (l.condition === 'damaged' && l.damagedTo && l.damagedTo !== 'scrap') ids.add(l.damagedTo);
  }
  const found = new Map<string, LocationRow>();
  for (const id of ids) found.set(id, await resolveStockLocation(ctx, id));
  lines.forEach((l, i) => {
    if (l.condition === 'restockable' && l.restockLocationId && found.get(l.restockLocationId)!.kind !== 'bin') {
      throw new SalesError('return_invalid', 'Restocked goods go to a store or a bin.', { errors: [{ field: `body.lines.${i}.restock_location_id`, code: 'not_a_bin', message: 'not a bin' }] });
    }
    if (l.condition === 'damaged' && l.damagedTo && l.damagedTo !== 'scrap' && found.get(l.damagedTo)!.purpose !== 'quarantine') {
      throw new SalesError('return_invalid', 'Damaged goods go to scrap or to a quarantine bin.', {
        errors: [{ field: `body.lines.${i}.damaged_to`, code: 'not_quarantine', message: 'not a quarantine bin' }],
      });
    }
  });
  return found;
}

/** Where the goods of a return line go; null for "where they left from" (or, damaged, to scrap through it). */
function destinationOf(req: ReturnLineRequest, found: Map<string, LocationRow>): string | null {
  if (req.condition === 'restockable' && req.restockLocationId) return found.get(req.restockLocationId)!.id;
  if (req.condition === 'damaged' && req.damagedTo && req.damagedTo !== 'scrap') return found.get(req.damagedTo)!.id;
  return null;
}

/**
 * Counts the units coming back on the sale or order lines. A compare-and-set on what had come back
 * before: two returns of the same line at once cannot both take the last unit.
 */
async function recordReturnedOnLines(trx: Trx, returnable: Returnable, lines: readonly ReturnLineRecord[]): Promise<void> {
  const byLine = new Map<string, { qty: number; refund: number }>();
  for (const l of lines) {
    const id = (l.sale_line_id ?? l.order_line_id)!;
    const sum = byLine.get(id) ?? { qty: 0, refund: 0 };
    byLine.set(id, { qty: sum.qty + l.qty, refund: sum.refund + l.refund_micros });
  }
  for (const [id, sum] of [...byLine].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const line = returnable.lines.get(id)!;
    const table = returnable.kind === 'sale' ? 'sale_lines' : 'order_lines';
    const result = await trx
      .updateTable(table)
      .set((eb) => ({ qty_returned: eb('qty_returned', '+', sum.qty), refunded_micros: eb('refunded_micros', '+', sum.refund) }))
      .where('id', '=', id)
      .where('qty_returned', '=', line.returned)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new SalesError('return_exceeds_sold', `Line ${id} was returned by someone else meanwhile; look at it again.`);
  }
}

async function updateSaleAfterReturn(trx: Trx, saleId: string, kind: 'return' | 'void', refund: number): Promise<void> {
  const lines = await trx.selectFrom('sale_lines').select(['qty', 'qty_returned']).where('sale_id', '=', saleId).execute();
  const all = lines.every((l) => l.qty_returned === l.qty);
  const current = await trx.selectFrom('sales').select('status').where('id', '=', saleId).executeTakeFirstOrThrow();
  const status: SaleStatus = all ? (kind === 'void' && current.status !== 'partially_returned' && current.status !== 'returned' ? 'voided' : 'returned') : 'partially_returned';
  await trx
    .updateTable('sales')
    .set((eb) => ({ status, refunded_micros: eb('refunded_micros', '+', refund) }))
    .where('id', '=', saleId)
    .execute();
}

function refundTenders(record: ProcessedReturn, given: readonly PaymentInput[] | undefined): TenderInput[] {
  const total = record.ret.refund_micros;
  if (given && given.length) {
    const sum = given.reduce((s, p) => s + p.amount, 0);
    if (sum !== total) throw new SalesError('payment_invalid', `The refunds add up to ${formatMoney(sum)}, not the ${formatMoney(total)} due.`);
    return given.map((p) => ({ tender: p.tender, amountMicros: p.amount, reference: p.reference ?? null }));
  }
  return total > 0 ? [{ tender: record.defaultTender, amountMicros: total, reference: null }] : [];
}

async function writeRefunds(trx: Trx, record: ReturnRecord, tenders: readonly TenderInput[]): Promise<ReturnRecord> {
  const now = record.ret.created_at;
  const refunds: PaymentRow[] = tenders
    .filter((t) => t.amountMicros > 0)
    .map((t) => ({
      id: newId('pay', now),
      document_type: 'return',
      document_id: record.ret.id,
      direction: 'out',
      tender: t.tender,
      amount_micros: t.amountMicros,
      reference: t.reference,
      created_at: now,
    }));
  if (refunds.length) await trx.insertInto('payments').values(refunds).execute();
  return { ret: record.ret, lines: record.lines, refunds };
}

/**
 * Loads a sale for a return, holding its row until commit. Every return or void of a sale takes
 * this lock first and the lines' after it (in line id order), so two returns of different lines
 * of one sale run one after the other and the second sees the first's lines when it works the
 * sale's status out; on READ COMMITTED each would otherwise see only its own.
 */
async function loadSaleReturnable(ctx: ServiceContext, trx: Trx, saleId: string): Promise<Returnable> {
  // Touching the row takes its lock on PostgreSQL; on SQLite the write transaction already holds the database.
  const sale = await trx.updateTable('sales').set((eb) => ({ status: eb.ref('status') })).where('id', '=', saleId).returningAll().executeTakeFirst();
  if (!sale || !canSeeSite(ctx.actor, sale.site_id)) throw new SalesError('sale_not_found', `No sale ${saleId}.`);
  const [lines, movements, payments] = await Promise.all([
    trx.selectFrom('sale_lines').selectAll().where('sale_id', '=', saleId).orderBy('line_no').execute(),
    listMovementsOfDocuments(trx, [saleId]),
    trx.selectFrom('payments').select('tender').where('document_id', '=', saleId).where('tender', '<>', 'exchange').orderBy('id').limit(1).execute(),
  ]);
  return {
    kind: 'sale',
    id: saleId,
    currency: sale.currency,
    defaultTender: payments[0]?.tender ?? 'cash',
    saleStatus: sale.status,
    lines: new Map(
      lines.map((l) => [
        l.id,
        { id: l.id, itemId: l.item_id, qty: l.qty, returnable: l.qty, returned: l.qty_returned, totalMicros: l.total_micros, origin: movements.filter((m) => m.document_line_id === l.id && m.kind === 'sale') },
      ]),
    ),
  };
}

/** Loads an order for a return, holding its row until commit (as a sale's, above); an order the caller may not see is one that does not exist. */
async function loadOrderReturnable(ctx: ServiceContext, trx: Trx, orderId: string): Promise<Returnable> {
  const order = await trx.updateTable('orders').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', orderId).returningAll().executeTakeFirst();
  if (!order || !(await orderVisible(trx, ctx.actor, order.channel_id))) throw new SalesError('order_not_found', `No order ${orderId}.`);
  const [lines, movements] = await Promise.all([
    trx.selectFrom('order_lines').selectAll().where('order_id', '=', orderId).orderBy('line_no').execute(),
    listMovementsOfDocuments(trx, [orderId]),
  ]);
  return {
    kind: 'order',
    id: orderId,
    currency: order.currency,
    defaultTender: 'other',
    saleStatus: null,
    lines: new Map(
      lines.map((l) => [
        l.id,
        {
          id: l.id,
          itemId: l.item_id,
          qty: l.qty,
          returnable: l.qty_shipped,
          returned: l.qty_returned,
          totalMicros: l.total_micros,
          origin: movements.filter((m) => m.document_line_id === l.id && m.kind === 'shipment'),
        },
      ]),
    ),
  };
}

export async function getReturn(ctx: ServiceContext, id: string): Promise<ReturnRecord> {
  const db = reader(ctx);
  const ret = await db.selectFrom('returns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!ret || !(await returnVisible(ctx, db, ret))) throw new SalesError('return_not_found', `No return ${id}.`);
  return loadReturnRecord(db, ret);
}

/** A return is seen by whoever sees what it took goods back from: the sale's site, or the order's channel. */
async function returnVisible(ctx: ServiceContext, db: Executor, ret: Pick<ReturnRow, 'sale_id' | 'order_id'>): Promise<boolean> {
  if (ctx.actor.sites === 'all') return true;
  if (ret.sale_id !== null) {
    const sale = await db.selectFrom('sales').select('site_id').where('id', '=', ret.sale_id).executeTakeFirst();
    return sale !== undefined && canSeeSite(ctx.actor, sale.site_id);
  }
  if (ret.order_id !== null) {
    const order = await db.selectFrom('orders').select('channel_id').where('id', '=', ret.order_id).executeTakeFirst();
    return order !== undefined && (await orderVisible(db, ctx.actor, order.channel_id));
  }
  return false;
}

export async function loadReturnRecord(db: Executor, ret: ReturnRow): Promise<ReturnRecord> {
  const [lines, refunds, movements] = await Promise.all([
    db.selectFrom('return_lines').selectAll().where('return_id', '=', ret.id).orderBy('line_no').execute(),
    db.selectFrom('payments').selectAll().where('document_id', '=', ret.id).orderBy('id').execute(),
    listMovementsOfDocuments(db, [ret.id]),
  ]);
  return {
    ret,
    lines: lines.map((l) => ({ ...l, movements: movements.filter((m) => m.document_line_id === l.id && m.from_location_id === VIRTUAL_LOCATION_IDS.customer) })),
    refunds,
  };
}

export async function getExchange(ctx: ServiceContext, id: string): Promise<ExchangeRecord> {
  const db = reader(ctx);
  const row = await db.selectFrom('exchanges').selectAll().where('id', '=', id).executeTakeFirst();
  const ret = row ? await db.selectFrom('returns').selectAll().where('id', '=', row.return_id).executeTakeFirst() : undefined;
  const newSale = row ? await db.selectFrom('sales').select('site_id').where('id', '=', row.sale_id).executeTakeFirst() : undefined;
  // Both halves must be in sight; a 404 about either would name an id the caller never asked about.
  if (!row || !ret || !newSale || !canSeeSite(ctx.actor, newSale.site_id) || !(await returnVisible(ctx, db, ret))) {
    throw new SalesError('exchange_not_found', `No exchange ${id}.`);
  }
  const [retRecord, sale] = await Promise.all([loadReturnRecord(db, ret), getSale(ctx, row.sale_id)]);
  return { id: row.id, differenceMicros: row.difference_micros, createdAt: row.created_at, ret: retRecord, sale };
}
