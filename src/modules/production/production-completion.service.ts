import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { ItemRow, ProductionOrderLineRow, ProductionOrderRow, ReservationRow } from '../../platform/db/schema.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import type { FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { findItem, findItems } from '../catalog/index.ts';
import {
  findLots,
  findOrCreateLot,
  inboundCostOf,
  insufficientStock,
  listPickableStock,
  listReservationsOfDocuments,
  NO_LOT,
  postMovements,
  recordCostDerivation,
  type MovementInput,
} from '../ledger/index.ts';
import { loadStockPolicies, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { conversionCost } from './boms.service.ts';
import { ProductionError } from './production.errors.ts';
import { getProductionOrder, lockOrder, PRODUCTION_DOCUMENT, releaseOrderReservations, assertStatus, type ProductionOrderRecord } from './production-orders.service.ts';
import { toBaseQuantity, type CompleteInput } from './production.schema.ts';

/**
 * Completing a production order, wholly or in part, with what actually happened at the oven:
 * each component's consumption (bin → production; from the order's reservations first, then
 * whatever else the site has, soonest expiry first) and the good units made (production → the
 * order's bin, in a lot whose expiry is the day made plus the recipe's shelf life). Units made
 * and thrown away are recorded, never stocked: their cost stays with the good ones. The good
 * units' cost is the consumed movements' value plus labour and overhead, recorded as a derived
 * cost so a later re-costing of a component flows on to them.
 */

const DAY_MS = 86_400_000;

export async function completeProductionOrder(ctx: ServiceContext, id: string, input: CompleteInput): Promise<ProductionOrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    let order = await lockOrder(tctx, id);
    assertStatus(order, ['planned', 'started'], 'be completed');
    const final = input.final ?? true;
    const made = input.qty_produced;
    const scrapped = input.qty_scrapped ?? 0;
    const lines = await trx.selectFrom('production_order_lines').selectAll().where('order_id', '=', id).orderBy('line_no').execute();
    const consumption = await consumptionOf(trx, order, lines, input, final, made + scrapped);
    if (made === 0 && consumption.every((c) => c.qty === 0)) {
      throw new ProductionError('production_completion_invalid', 'Nothing was made and nothing used; there is nothing to post.', {
        errors: [{ field: 'body.qty_produced', code: 'nothing', message: 'give what was made or used' }],
      });
    }
    const effectiveAt = input.effective_at ?? ctx.clock.now();
    const consumed = await postConsumption(tctx, order, consumption, effectiveAt);
    const [labour, overhead] = await conversionFor(trx, order, final, made, scrapped);
    const bom = (await trx.selectFrom('boms').selectAll().where('id', '=', order.bom_id).executeTakeFirstOrThrow());
    const now = ctx.clock.now();
    const postingId = newId('prp', now);
    let productionTxn: string | null = null;
    let lotId = NO_LOT;
    let derivationId: string | null = null;
    if (made > 0) {
      const item = (await findItem(trx, order.item_id))!;
      lotId = await lotFor(trx, order, item, bom.shelf_life_days, input, effectiveAt, now);
      const total = consumed.value + labour + overhead;
      const cost = inboundCostOf(total, made);
      const posted = await postMovements(tctx, {
        kind: 'production',
        documentType: PRODUCTION_DOCUMENT,
        documentId: order.id,
        effectiveAt,
        movements: [
          { itemId: order.item_id, lotId, fromLocationId: VIRTUAL_LOCATION_IDS.production, toLocationId: order.bin_id, qty: made, unitCostMicros: cost.unitCostMicros, landedMicros: cost.landedMicros },
        ],
      });
      productionTxn = posted.txnId;
      derivationId = await recordCostDerivation(
        trx,
        {
          documentType: PRODUCTION_DOCUMENT,
          documentId: order.id,
          extraMicros: labour + overhead,
          sourceMovementIds: consumed.movementIds,
          outputs: [{ movementId: posted.movements[0]!.id, itemId: order.item_id, qty: made, weight: 1 }],
        },
        now,
      );
    }
    await trx
      .insertInto('production_postings')
      .values({
        id: postingId,
        order_id: order.id,
        kind: 'completion',
        consumption_txn_id: consumed.txnId,
        production_txn_id: productionTxn,
        output_item_id: made > 0 ? order.item_id : null,
        qty_produced: made,
        qty_scrapped: scrapped,
        labour_micros: labour,
        overhead_micros: overhead,
        lot_id: lotId,
        derivation_id: derivationId,
        actor_id: ctx.actor.id,
        note: input.note ?? null,
        effective_at: effectiveAt,
        created_at: now,
      })
      .execute();
    for (const c of consumption) {
      if (c.qty > 0) await trx.updateTable('production_order_lines').set({ qty_consumed: c.line.qty_consumed + c.qty }).where('id', '=', c.line.id).execute();
    }
    if (final) await releaseOrderReservations(tctx, order.id);
    order = { ...order, qty_produced: order.qty_produced + made, qty_scrapped: order.qty_scrapped + scrapped };
    await trx
      .updateTable('production_orders')
      .set({
        qty_produced: order.qty_produced,
        qty_scrapped: order.qty_scrapped,
        status: final ? 'completed' : 'started',
        started_at: order.started_at ?? now,
        completed_at: final ? now : null,
        updated_at: now,
      })
      .where('id', '=', order.id)
      .execute();
    return getProductionOrder(tctx, order.id);
  });
}

interface LineConsumption {
  line: ProductionOrderLineRow;
  qty: number;
}

/** What each line used now: as reported, else the plan's share of what was made (the plan's remainder when final). */
async function consumptionOf(
  trx: Trx,
  order: ProductionOrderRow,
  lines: ProductionOrderLineRow[],
  input: CompleteInput,
  final: boolean,
  madeIncludingScrap: number,
): Promise<LineConsumption[]> {
  const reported = new Map<string, number>();
  const errors: FieldError[] = [];
  if (input.lines?.length) {
    const items = await findItems(trx, input.lines.map((l) => l.item_id));
    for (const [i, l] of input.lines.entries()) {
      const item = items.get(l.item_id);
      const line = lines.find((x) => x.item_id === l.item_id);
      if (!item || !line) {
        errors.push({ field: `body.lines.${i}.item_id`, code: 'not_on_order', message: `${item?.sku ?? l.item_id} is not a component of ${order.number}` });
        continue;
      }
      const qty = toBaseQuantity(item as ItemRow, l.qty_consumed, l.unit);
      if (qty === null) {
        errors.push({ field: `body.lines.${i}.unit`, code: 'unknown_unit', message: `${item.sku} has no unit ${l.unit}, or the quantity does not convert exactly` });
        continue;
      }
      if (reported.has(line.id)) errors.push({ field: `body.lines.${i}.item_id`, code: 'duplicate', message: `${item.sku} is reported twice` });
      reported.set(line.id, qty);
    }
  }
  if (errors.length) throw new ProductionError('production_completion_invalid', errors[0]!.message, { errors });
  return lines.map((line) => {
    const given = reported.get(line.id);
    if (given !== undefined) return { line, qty: given };
    const remaining = Math.max(0, line.qty_planned - line.qty_consumed);
    if (final) return { line, qty: remaining };
    return { line, qty: Math.min(remaining, mulDiv(line.qty_planned, madeIncludingScrap, order.qty_planned)) };
  });
}

/**
 * Posts the consumption: from the order's own reservations (soonest expiry first), then from
 * any other pickable stock at the site, and at a site that allows negative stock the rest from
 * the order's bin. A strict site never goes below zero: the ledger refuses with 409.
 */
async function postConsumption(
  ctx: ServiceContext & { trx: Trx },
  order: ProductionOrderRow,
  consumption: LineConsumption[],
  effectiveAt: number,
): Promise<{ txnId: string | null; movementIds: string[]; value: number }> {
  const wanted = consumption.filter((c) => c.qty > 0);
  if (wanted.length === 0) return { txnId: null, movementIds: [], value: 0 };
  const trx = ctx.trx;
  const reservations = await listReservationsOfDocuments(trx, [order.id]);
  const lots = await findLots(trx, reservations.map((r) => r.lot_id));
  const expiry = (r: ReservationRow) => lots.get(r.lot_id)?.expires_on ?? '9999-12-31';
  const strict = (await loadStockPolicies(trx, [order.bin_id])).get(order.bin_id)?.strict ?? true;
  const today = new Date(effectiveAt).toISOString().slice(0, 10);
  const pickable = await listPickableStock(trx, { itemIds: wanted.map((c) => c.line.item_id), siteIds: [order.site_id], today });
  const items = await findItems(trx, wanted.map((c) => c.line.item_id));
  const movements: MovementInput[] = [];
  for (const { line, qty } of wanted) {
    let left = qty;
    const own = reservations.filter((r) => r.document_line_id === line.id).sort((a, b) => (expiry(a) < expiry(b) ? -1 : expiry(a) > expiry(b) ? 1 : a.id < b.id ? -1 : 1));
    for (const r of own) {
      if (left === 0) break;
      const take = Math.min(left, r.qty);
      movements.push({ itemId: line.item_id, lotId: r.lot_id, fromLocationId: r.location_id, toLocationId: VIRTUAL_LOCATION_IDS.production, qty: take, documentLineId: line.id, reservationId: r.id });
      left -= take;
    }
    for (const p of pickable.filter((x) => x.itemId === line.item_id)) {
      if (left === 0) break;
      const take = Math.min(left, p.available);
      movements.push({ itemId: line.item_id, lotId: p.lotId, fromLocationId: p.locationId, toLocationId: VIRTUAL_LOCATION_IDS.production, qty: take, documentLineId: line.id });
      p.available -= take;
      left -= take;
    }
    if (left > 0) {
      const item = items.get(line.item_id)!;
      if (strict || item.tracking !== 'none') {
        throw insufficientStock({ item_id: line.item_id, location_id: order.site_id, lot_id: null, requested: qty / QTY_SCALE, available: (qty - left) / QTY_SCALE });
      }
      movements.push({ itemId: line.item_id, fromLocationId: order.bin_id, toLocationId: VIRTUAL_LOCATION_IDS.production, qty: left, documentLineId: line.id });
    }
  }
  const posted = await postMovements(ctx, { kind: 'consumption', documentType: PRODUCTION_DOCUMENT, documentId: order.id, effectiveAt, movements });
  return { txnId: posted.txnId, movementIds: posted.movements.map((m) => m.id), value: posted.movements.reduce((sum, m) => sum + (m.value_micros ?? 0), 0) };
}

/**
 * Labour and overhead charged by this completion. Per unit: the rate × good units made. Per
 * batch: the order's planned amount shared by what was made (good and scrapped) over the plan,
 * and whatever is left of it on the final completion, so an order charges its batches once.
 */
async function conversionFor(trx: Trx, order: ProductionOrderRow, final: boolean, made: number, scrapped: number): Promise<[number, number]> {
  const bom = await trx.selectFrom('boms').selectAll().where('id', '=', order.bom_id).executeTakeFirstOrThrow();
  const charged = await trx
    .selectFrom('production_postings')
    .select((eb) => [eb.fn.sum<number | string>('labour_micros').as('labour'), eb.fn.sum<number | string>('overhead_micros').as('overhead')])
    .where('order_id', '=', order.id)
    .executeTakeFirst();
  const share = (planned: number, already: number) => {
    const left = Math.max(0, planned - already);
    return final ? left : Math.min(left, mulDiv(planned, made + scrapped, order.qty_planned));
  };
  const labour =
    bom.labour_basis === 'unit' ? conversionCost(bom.labour_micros, 'unit', bom, order.qty_planned, made) : share(order.labour_planned_micros, Number(charged?.labour ?? 0));
  const overhead =
    bom.overhead_basis === 'unit' ? conversionCost(bom.overhead_micros, 'unit', bom, order.qty_planned, made) : share(order.overhead_planned_micros, Number(charged?.overhead ?? 0));
  return [labour, overhead];
}

/** The lot the good units go into: the given code or the order's number (and the completion's count after the first). */
async function lotFor(trx: Trx, order: ProductionOrderRow, item: ItemRow, shelfLifeDays: number | null, input: CompleteInput, effectiveAt: number, now: number): Promise<string> {
  if (item.tracking !== 'lot') return NO_LOT;
  const previous = await trx.selectFrom('production_postings').select('id').where('order_id', '=', order.id).where('qty_produced', '>', 0).execute();
  const code = input.lot_code ?? (previous.length === 0 ? order.number : `${order.number}-${previous.length + 1}`);
  const expiresOn = input.expires_on ?? (shelfLifeDays !== null ? new Date(effectiveAt + shelfLifeDays * DAY_MS).toISOString().slice(0, 10) : null);
  const lot = await findOrCreateLot(trx, item.id, 'lot', { code, expiresOn }, now);
  return lot.id;
}
