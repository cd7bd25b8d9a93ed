import { canSeeSite, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { LotRow, PickListLineRow, PickListRow } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { findLots } from '../ledger/index.ts';
import { findLocations } from '../locations/index.ts';
import { getOrder } from '../sales/index.ts';
import { FulfillmentError } from './fulfillment.errors.ts';

/**
 * A pick list tells a picker what to take from where for an order, at one site: the order's
 * reservations there, in the bins' walking order and, within a bin, soonest expiry first. Each
 * reservation goes onto one pick list; stock reserved later (a back-order filled) makes a new one.
 * Picking moves nothing in the ledger: the stock stays reserved in its bin until it ships.
 */

export interface PickListLineRecord extends PickListLineRow {
  bin: string;
  expiresOn: string | null;
}

export interface PickListRecord {
  list: PickListRow;
  lines: PickListLineRecord[];
}

export async function createPickLists(ctx: ServiceContext, orderId: string): Promise<PickListRecord[]> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const order = await getOrder(tctx, orderId);
    if (!['allocated', 'partially_shipped', 'back_ordered'].includes(order.order.status)) {
      throw new FulfillmentError('nothing_to_pick', `Order ${orderId} is ${order.order.status}.`);
    }
    const listed = await trx
      .selectFrom('pick_list_lines as l')
      .innerJoin('pick_lists as p', 'p.id', 'l.pick_list_id')
      .select('l.reservation_id')
      .where('p.order_id', '=', orderId)
      .where('p.status', '<>', 'cancelled')
      .execute();
    const onAList = new Set(listed.map((r) => r.reservation_id));
    const reservations = order.lines.flatMap((l) => l.reservations.filter((r) => !onAList.has(r.id)).map((r) => ({ r, orderLineId: l.id })));
    if (reservations.length === 0) throw new FulfillmentError('nothing_to_pick', `Everything reserved for order ${orderId} is on a pick list already.`);
    const [bins, lots] = await Promise.all([findLocations(trx, reservations.map((x) => x.r.location_id)), findLots(trx, reservations.map((x) => x.r.lot_id))]);
    const now = ctx.clock.now();
    // Each list is for one site's pickers; a caller makes lists only at the sites they are granted.
    const bySite = new Map<string, typeof reservations>();
    for (const x of reservations) {
      const site = bins.get(x.r.location_id)!.site_id!;
      if (canSeeSite(ctx.actor, site)) bySite.set(site, [...(bySite.get(site) ?? []), x]);
    }
    if (bySite.size === 0) throw new FulfillmentError('nothing_to_pick', `What is left to pick for order ${orderId} is at sites you are not granted.`);
    const created: PickListRecord[] = [];
    for (const [siteId, entries] of bySite) {
      const list: PickListRow = { id: newId('pck', now), order_id: orderId, site_id: siteId, status: 'open', created_at: now, picked_at: null };
      const sorted = [...entries].sort((a, b) => walkingOrder(bins, lots, a.r, b.r));
      const lines: PickListLineRecord[] = sorted.map((x, i) => ({
        id: newId('pkl', now),
        pick_list_id: list.id,
        line_no: i + 1,
        order_line_id: x.orderLineId,
        item_id: x.r.item_id,
        location_id: x.r.location_id,
        lot_id: x.r.lot_id,
        reservation_id: x.r.id,
        qty: x.r.qty,
        qty_packed: 0,
        bin: bins.get(x.r.location_id)!.full_code,
        expiresOn: lots.get(x.r.lot_id)?.expires_on ?? null,
      }));
      await trx.insertInto('pick_lists').values(list).execute();
      await trx.insertInto('pick_list_lines').values(lines.map(({ bin: _bin, expiresOn: _e, ...row }) => row)).execute();
      created.push({ list, lines });
    }
    return created;
  });
}

type Located = { location_id: string; lot_id: string; item_id: string };

function walkingOrder(bins: Map<string, { pick_order: number; full_code: string }>, lots: Map<string, LotRow>, a: Located, b: Located): number {
  const binA = bins.get(a.location_id)!;
  const binB = bins.get(b.location_id)!;
  if (binA.pick_order !== binB.pick_order) return binA.pick_order - binB.pick_order;
  if (binA.full_code !== binB.full_code) return binA.full_code < binB.full_code ? -1 : 1;
  const expA = lots.get(a.lot_id)?.expires_on ?? '9999-12-31';
  const expB = lots.get(b.lot_id)?.expires_on ?? '9999-12-31';
  if (expA !== expB) return expA < expB ? -1 : 1;
  return a.item_id < b.item_id ? -1 : a.item_id > b.item_id ? 1 : 0;
}

/** The picker has taken everything on the list to the packing bench. */
export async function markPicked(ctx: ServiceContext, pickListId: string): Promise<PickListRecord> {
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    const open = await getPickList({ ...ctx, trx }, pickListId);
    const result = await trx.updateTable('pick_lists').set({ status: 'picked', picked_at: now }).where('id', '=', pickListId).where('status', '=', 'open').executeTakeFirst();
    if (result.numUpdatedRows === 0n) {
      const current = await getPickList({ ...ctx, trx }, pickListId);
      throw new FulfillmentError('pick_list_state', `Pick list ${pickListId} is ${current.list.status}.`);
    }
    // Nothing changes an open list's lines (packing and unpacking need it picked), and nothing
    // makes a list open again, so the read above is the list but for what the update set.
    return { ...open, list: { ...open.list, status: 'picked', picked_at: now } };
  });
}

export async function getPickList(ctx: ServiceContext, id: string): Promise<PickListRecord> {
  const db = reader(ctx);
  const list = await db.selectFrom('pick_lists').selectAll().where('id', '=', id).executeTakeFirst();
  // Picking happens at one site: someone not granted it finds no such list.
  if (!list || !canSeeSite(ctx.actor, list.site_id)) throw new FulfillmentError('pick_list_not_found', `No pick list ${id}.`);
  return { list, lines: await loadPickLines(db, id) };
}

export async function listPickListsOfOrder(ctx: ServiceContext, orderId: string): Promise<PickListRecord[]> {
  await getOrder(ctx, orderId);
  const db = reader(ctx);
  const lists = (await db.selectFrom('pick_lists').selectAll().where('order_id', '=', orderId).orderBy('id').execute()).filter((list) => canSeeSite(ctx.actor, list.site_id));
  return Promise.all(lists.map(async (list) => ({ list, lines: await loadPickLines(db, list.id) })));
}

async function loadPickLines(db: Executor, pickListId: string): Promise<PickListLineRecord[]> {
  const lines = await db.selectFrom('pick_list_lines').selectAll().where('pick_list_id', '=', pickListId).orderBy('line_no').execute();
  const [bins, lots] = await Promise.all([findLocations(db, lines.map((l) => l.location_id)), findLots(db, lines.map((l) => l.lot_id))]);
  return lines.map((l) => ({ ...l, bin: bins.get(l.location_id)?.full_code ?? '', expiresOn: lots.get(l.lot_id)?.expires_on ?? null }));
}
