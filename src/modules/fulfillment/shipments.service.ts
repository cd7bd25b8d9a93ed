import { sql } from 'kysely';
import { canSeeSite, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { ShipmentLineRow, ShipmentPackageRow, ShipmentRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import type { FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { postMovements } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { getOrder, partsOf, partsOfShare, recordOrderProgress } from '../sales/index.ts';
import { FulfillmentError } from './fulfillment.errors.ts';
import type { PackInput, ShipInput } from './fulfillment.schema.ts';

/**
 * A shipment is what is packed from one pick list into parcels (with their weights), then sent
 * with a carrier, a service and a tracking number per parcel, then delivered. Packing resolves
 * each parcel's lines to the picked bins and lots (stock stays reserved where it is); shipping
 * posts it all from those bins to `customer` in one ledger transaction, consuming the order's
 * reservations, and tells the order. A packed shipment can be cancelled (unpacked) before it goes.
 * Shipments take part of a pick list when the rest is not ready: that is a partial shipment.
 */

export interface StockPart {
  pick_list_line_id: string;
  reservation_id: string;
  item_id: string;
  location_id: string;
  lot_id: string;
  qty: number;
}

export interface ShipmentRecord {
  shipment: ShipmentRow;
  packages: ShipmentPackageRow[];
  lines: Array<ShipmentLineRow & { parts: StockPart[] }>;
}

export async function packShipment(ctx: ServiceContext, pickListId: string, input: PackInput): Promise<ShipmentRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const list = await trx.selectFrom('pick_lists').selectAll().where('id', '=', pickListId).executeTakeFirst();
    if (!list || !canSeeSite(ctx.actor, list.site_id)) throw new FulfillmentError('pick_list_not_found', `No pick list ${pickListId}.`);
    if (list.status !== 'picked') throw new FulfillmentError('pick_list_state', `Pick list ${pickListId} is ${list.status}; mark it picked before packing.`);
    const [pickLines, order] = await Promise.all([
      trx.selectFrom('pick_list_lines').selectAll().where('pick_list_id', '=', pickListId).orderBy('line_no').execute(),
      getOrder(tctx, list.order_id),
    ]);
    const now = ctx.clock.now();
    const shipment: ShipmentRow = {
      id: newId('shp', now),
      order_id: list.order_id,
      pick_list_id: pickListId,
      site_id: list.site_id,
      status: 'packed',
      carrier: null,
      service: null,
      txn_id: null,
      created_at: now,
      shipped_at: null,
      delivered_at: null,
    };
    // What each picked line can still give: not more than its reservation still holds, less what is packed from it already.
    const [reserved, packed] = [new Map(order.lines.flatMap((l) => l.reservations.map((r) => [r.id, r.qty] as const))), await packedReservationsOf(trx, list.order_id)];
    const spare = new Map(pickLines.map((l) => [l.id, Math.min(l.qty - l.qty_packed, (reserved.get(l.reservation_id) ?? 0) - (packed.get(l.reservation_id) ?? 0))]));
    const handled = new Map(order.lines.map((l) => [l.id, l.qty_shipped + l.qty_cancelled + l.qty_packed]));
    const errors: FieldError[] = [];
    const packages: ShipmentPackageRow[] = [];
    const lines: ShipmentRecord['lines'] = [];
    input.packages.forEach((pkg, p) => {
      const packageId = newId('pkg', now);
      packages.push({ id: packageId, shipment_id: shipment.id, number: p + 1, weight_mg: pkg.weight_g, tracking_number: null });
      pkg.lines.forEach((content, c) => {
        const field = `body.packages.${p}.lines.${c}`;
        const line = order.lines.find((l) => l.id === content.order_line_id);
        if (!line || !pickLines.some((pl) => pl.order_line_id === line.id)) {
          return errors.push({ field: `${field}.order_line_id`, code: 'not_picked', message: `${content.order_line_id} is not on this pick list` });
        }
        const done = handled.get(line.id)!;
        if (done + content.qty > line.qty) return errors.push({ field: `${field}.qty`, code: 'exceeds_open', message: `more of line ${line.line_no} than is open` });
        handled.set(line.id, done + content.qty);
        const parts: StockPart[] = [];
        for (const part of partsOfShare(partsOf(line), line.qty, done, content.qty)) {
          let left = part.qty;
          for (const pl of pickLines) {
            if (left === 0 || pl.order_line_id !== line.id || pl.item_id !== part.itemId) continue;
            const take = Math.min(left, spare.get(pl.id)!);
            if (take <= 0) continue;
            spare.set(pl.id, spare.get(pl.id)! - take);
            parts.push({ pick_list_line_id: pl.id, reservation_id: pl.reservation_id, item_id: pl.item_id, location_id: pl.location_id, lot_id: pl.lot_id, qty: take });
            left -= take;
          }
          if (left > 0) errors.push({ field: `${field}.qty`, code: 'not_picked', message: `more of line ${line.line_no} than was picked` });
        }
        lines.push({ id: newId('shl', now), shipment_id: shipment.id, package_id: packageId, order_line_id: line.id, qty: content.qty, parts_json: JSON.stringify(parts), parts });
      });
    });
    if (errors.length) throw new FulfillmentError('shipment_invalid', errors[0]!.message, { errors });

    await trx.insertInto('shipments').values(shipment).execute();
    await trx.insertInto('shipment_packages').values(packages).execute();
    await trx.insertInto('shipment_lines').values(lines.map(({ parts: _parts, ...row }) => row)).execute();
    await movePacked(trx, lines, +1);
    await recordOrderProgress(tctx, shipment.order_id, 'packed', perOrderLine(lines));
    return { shipment, packages, lines };
  });
}

/** How much of each of the order's reservations is packed into shipments not yet sent. */
export async function packedReservationsOf(trx: Executor, orderId: string): Promise<Map<string, number>> {
  const rows = await trx
    .selectFrom('shipment_lines as l')
    .innerJoin('shipments as s', 's.id', 'l.shipment_id')
    .select('l.parts_json')
    .where('s.order_id', '=', orderId)
    .where('s.status', '=', 'packed')
    .execute();
  const packed = new Map<string, number>();
  for (const part of rows.flatMap((r) => JSON.parse(r.parts_json) as StockPart[])) packed.set(part.reservation_id, (packed.get(part.reservation_id) ?? 0) + part.qty);
  return packed;
}

/** Counts what was packed from each pick list line; guarded, so two shipments cannot pack the same picked units. */
async function movePacked(trx: Trx, lines: ShipmentRecord['lines'], sign: 1 | -1): Promise<void> {
  const byPickLine = new Map<string, number>();
  for (const part of lines.flatMap((l) => l.parts)) byPickLine.set(part.pick_list_line_id, (byPickLine.get(part.pick_list_line_id) ?? 0) + part.qty);
  for (const [id, qty] of [...byPickLine].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const delta = sign * qty;
    const result = await trx
      .updateTable('pick_list_lines')
      .set({ qty_packed: sql`qty_packed + ${delta}` })
      .where('id', '=', id)
      .where(sql<boolean>`qty_packed + ${delta} between 0 and qty`)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new FulfillmentError('shipment_invalid', 'Those picked units were packed by someone else meanwhile.');
  }
}

function perOrderLine(lines: ReadonlyArray<{ order_line_id: string; qty: number }>): Array<{ lineId: string; qty: number }> {
  const sums = new Map<string, number>();
  for (const l of lines) sums.set(l.order_line_id, (sums.get(l.order_line_id) ?? 0) + l.qty);
  return [...sums].map(([lineId, qty]) => ({ lineId, qty }));
}

/** Hands the parcels to the carrier: stock leaves its bins for the customer, consuming the reservations. */
export async function shipShipment(ctx: ServiceContext, shipmentId: string, input: ShipInput): Promise<ShipmentRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const now = ctx.clock.now();
    const packed = await getShipment(tctx, shipmentId);
    const taken = await trx
      .updateTable('shipments')
      .set({ status: 'shipped', carrier: input.carrier, service: input.service, shipped_at: now })
      .where('id', '=', shipmentId)
      .where('status', '=', 'packed')
      .executeTakeFirst();
    if (taken.numUpdatedRows === 0n) await refuseState(trx, shipmentId, 'packed');
    const record = await currentOf(trx, packed, 'packed');
    const given = new Map(input.packages.map((p) => [p.package_id, p.tracking_number]));
    const missing = record.packages.filter((p) => !given.has(p.id));
    const unknown = input.packages.filter((p) => !record.packages.some((k) => k.id === p.package_id));
    if (missing.length || unknown.length || given.size !== input.packages.length) {
      throw new FulfillmentError('shipment_invalid', 'Give one tracking number for every parcel of the shipment, and no others.', {
        extra: { package_ids: record.packages.map((p) => p.id) },
      });
    }
    // Every parcel's tracking number in one statement, picked by a CASE on its id.
    const tracking = sql<string>`case id ${sql.join(record.packages.map((p) => sql`when ${p.id} then ${given.get(p.id)!}`), sql` `)} end`;
    await trx.updateTable('shipment_packages').set({ tracking_number: tracking }).where('id', 'in', record.packages.map((p) => p.id)).execute();
    const posted = await postMovements(tctx, {
      kind: 'shipment',
      documentType: 'order',
      documentId: record.shipment.order_id,
      movements: record.lines.flatMap((line) =>
        line.parts.map((part) => ({
          itemId: part.item_id,
          lotId: part.lot_id,
          fromLocationId: part.location_id,
          toLocationId: VIRTUAL_LOCATION_IDS.customer,
          qty: part.qty,
          reservationId: part.reservation_id,
          documentLineId: line.order_line_id,
        })),
      ),
    });
    await trx.updateTable('shipments').set({ txn_id: posted.txnId }).where('id', '=', shipmentId).execute();
    await recordOrderProgress(tctx, record.shipment.order_id, 'shipped', perOrderLine(record.lines));
    const shipped = afterTransition(record, { status: 'shipped', carrier: input.carrier, service: input.service, shipped_at: now, txn_id: posted.txnId });
    return { ...shipped, packages: shipped.packages.map((p) => ({ ...p, tracking_number: given.get(p.id)! })) };
  });
}

export async function deliverShipment(ctx: ServiceContext, shipmentId: string): Promise<ShipmentRecord> {
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    const shipped = await getShipment({ ...ctx, trx }, shipmentId);
    const taken = await trx
      .updateTable('shipments')
      .set({ status: 'delivered', delivered_at: now })
      .where('id', '=', shipmentId)
      .where('status', '=', 'shipped')
      .executeTakeFirst();
    if (taken.numUpdatedRows === 0n) await refuseState(trx, shipmentId, 'shipped');
    const record = afterTransition(await currentOf(trx, shipped, 'shipped'), { status: 'delivered', delivered_at: now });
    await recordOrderProgress({ ...ctx, trx }, record.shipment.order_id, 'delivered', perOrderLine(record.lines));
    return record;
  });
}

/** Unpacks a shipment that has not gone: its units are open again, still reserved and on the pick list. */
export async function cancelShipment(ctx: ServiceContext, shipmentId: string): Promise<ShipmentRecord> {
  return inTransaction(ctx, async (trx) => {
    const packed = await getShipment({ ...ctx, trx }, shipmentId);
    const taken = await trx.updateTable('shipments').set({ status: 'cancelled' }).where('id', '=', shipmentId).where('status', '=', 'packed').executeTakeFirst();
    if (taken.numUpdatedRows === 0n) await refuseState(trx, shipmentId, 'packed');
    const record = afterTransition(await currentOf(trx, packed, 'packed'), { status: 'cancelled' });
    await movePacked(trx, record.lines, -1);
    await recordOrderProgress({ ...ctx, trx }, record.shipment.order_id, 'unpacked', perOrderLine(record.lines));
    return record;
  });
}

/**
 * What a guarded transition from `from` changed, read before it: once packed, a shipment changes
 * only by the transitions here (its parcels and lines never; shipping adds the carrier and the
 * tracking numbers), so a read that saw `from` is still true but for what the transition sets.
 * A read that saw another status came before a transition committed elsewhere (PostgreSQL reads
 * each statement afresh): that one is read again.
 */
async function currentOf(trx: Trx, read: ShipmentRecord, from: ShipmentRow['status']): Promise<ShipmentRecord> {
  return read.shipment.status === from ? read : loadShipment(trx, read.shipment.id);
}

function afterTransition(record: ShipmentRecord, changes: Partial<ShipmentRow>): ShipmentRecord {
  return { ...record, shipment: { ...record.shipment, ...changes } };
}

async function refuseState(db: Executor, shipmentId: string, expected: ShipmentRow['status']): Promise<never> {
  const row = await db.selectFrom('shipments').select('status').where('id', '=', shipmentId).executeTakeFirst();
  if (!row) throw new FulfillmentError('shipment_not_found', `No shipment ${shipmentId}.`);
  throw new FulfillmentError('shipment_state', `Shipment ${shipmentId} is ${row.status}, not ${expected}.`, { extra: { shipment_status: row.status } });
}

/** A shipment leaves from one site: someone not granted it finds no such shipment. */
export async function getShipment(ctx: ServiceContext, id: string): Promise<ShipmentRecord> {
  const record = await loadShipment(reader(ctx), id);
  if (!canSeeSite(ctx.actor, record.shipment.site_id)) throw new FulfillmentError('shipment_not_found', `No shipment ${id}.`);
  return record;
}

export async function listShipmentsOfOrder(ctx: ServiceContext, orderId: string): Promise<ShipmentRecord[]> {
  await getOrder(ctx, orderId);
  const db = reader(ctx);
  const ids = await db.selectFrom('shipments').select('id').where('order_id', '=', orderId).orderBy('id').execute();
  return (await Promise.all(ids.map((r) => loadShipment(db, r.id)))).filter((record) => canSeeSite(ctx.actor, record.shipment.site_id));
}

async function loadShipment(db: Executor, id: string): Promise<ShipmentRecord> {
  const shipment = await db.selectFrom('shipments').selectAll().where('id', '=', id).executeTakeFirst();
  if (!shipment) throw new FulfillmentError('shipment_not_found', `No shipment ${id}.`);
  const [packages, lines] = await Promise.all([
    db.selectFrom('shipment_packages').selectAll().where('shipment_id', '=', id).orderBy('number').execute(),
    db.selectFrom('shipment_lines').selectAll().where('shipment_id', '=', id).orderBy('id').execute(),
  ]);
  return { shipment, packages, lines: lines.map((l) => ({ ...l, parts: JSON.parse(l.parts_json) as StockPart[] })) };
}
