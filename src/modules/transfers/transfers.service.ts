import { canSeeSite, inTransaction, reader, type Actor, type ServiceContext } from '../../platform/context.ts';
import { formatDocumentNumber, nextNumber } from '../../platform/db/counters.ts';
import type {
  ItemRow,
  LocationRow,
  TransferAllocationRow,
  TransferDiscrepancyRow,
  TransferLineRow,
  TransferPostingRow,
  TransferRow,
  TransferStatus,
} from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { PlatformError, type FieldError } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { findItems } from '../catalog/index.ts';
import { findLots, insufficientStock, listPickableStock, NO_LOT, releaseReservation, reserveStock } from '../ledger/index.ts';
import { findLocation, findLocations } from '../locations/index.ts';
import { TransferError } from './transfers.errors.ts';
import { toBaseQuantity, type CreateTransferInput } from './transfers.schema.ts';
import { transitByLine, type TransitLot } from './transit.ts';

/**
 * Transfers move stock from one site to another through the `transit` virtual location:
 *
 *   requested ──accept──▶ draft ──pick scans──▶ picked ──ship──▶ in_transit ──receive──▶ received ──close──▶ closed
 *        └──────────────────┴──────────────cancel (nothing shipped yet)──────────────▶ cancelled
 *
 * A store asks for stock (`requested`, no stock held); the warehouse accepts, which allocates
 * each line to source bins and lots (soonest expiry first, then walking order) and reserves
 * them, so what is promised to the store cannot be sold or shipped to anyone else. Shipping
 * consumes those reservations through the ledger's guarded write; receiving takes stock out of
 * transit into the destination. Shipments and receipts may be partial; `in_transit` covers
 * everything between the first shipment and the last receipt.
 *
 * Who may act is decided by site grants: the source side accepts, picks and ships; the
 * destination side receives and closes; either side may read, and cancel before anything ships.
 * Someone granted neither side finds no such transfer.
 */

export interface TransferAllocationRecord extends TransferAllocationRow {
  bin: string;
  lotCode: string | null;
  expiresOn: string | null;
}

export interface TransferLineRecord extends TransferLineRow {
  sku: string;
  name: string;
  tracking: ItemRow['tracking'];
  /** Per lot, what is in transit for this line now (shipped less received, damaged and lost). */
  inTransit: TransitLot[];
}

export interface TransferRecord {
  transfer: TransferRow;
  sourceSite: Pick<LocationRow, 'id' | 'code' | 'name'>;
  destinationSite: Pick<LocationRow, 'id' | 'code' | 'name'>;
  destinationBin: Pick<LocationRow, 'id' | 'full_code'>;
  lines: TransferLineRecord[];
  allocations: TransferAllocationRecord[];
  postings: TransferPostingRow[];
  discrepancies: TransferDiscrepancyRow[];
}

/** Parts per million. */
export const PPM = 1_000_000;
/** A receipt may bring this much more than was shipped before it needs a new transfer: a picker's extra unit. */
export const DEFAULT_OVER_TOLERANCE_PPM = 50_000;
export const MAX_TRANSFER_LINES = 500;

export type Side = 'source' | 'destination';

/** Whether the actor may act on one side of the transfer; 403 when they see it but are granted only the other side. */
export function assertSide(actor: Actor, transfer: TransferRow, side: Side, action: string): void {
  const siteId = side === 'source' ? transfer.source_site_id : transfer.destination_site_id;
  if (canSeeSite(actor, siteId)) return;
  throw new TransferError('transfer_side_forbidden', `Only someone granted the ${side} site may ${action} transfer ${transfer.number}.`, {
    extra: { site_id: siteId },
  });
}

export function assertStatus(transfer: TransferRow, allowed: readonly TransferStatus[], action: string): void {
  if (allowed.includes(transfer.status)) return;
  throw new TransferError('transfer_state', `Transfer ${transfer.number} is ${transfer.status}; it cannot ${action}.`, {
    extra: { transfer_status: transfer.status },
  });
}

export async function createTransfer(ctx: ServiceContext, input: CreateTransferInput): Promise<TransferRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const [source, destination] = await Promise.all([findLocation(trx, input.source_site_id), findLocation(trx, input.destination_site_id)]);
    const seesSource = source ? canSeeSite(ctx.actor, source.id) : false;
    const seesDestination = destination ? canSeeSite(ctx.actor, destination.id) : false;
    if (!seesSource && !seesDestination) {
      throw new PlatformError('forbidden', 'A transfer is made by someone granted its source site (to send) or its destination site (to ask for stock).');
    }
    if (!source || source.kind !== 'site' || !destination || destination.kind !== 'site') {
      throw new TransferError('transfer_sites_invalid', 'A transfer goes from one site to another; give two site ids.');
    }
    if (source.id === destination.id) {
      throw new TransferError('transfer_sites_invalid', 'Source and destination are the same site; move stock between its bins with POST /api/v1/bin-moves.');
    }
    const destinationBin = await resolveDestinationBin(trx, destination, input.destination_bin_id);
    const lines = await prepareLines(trx, input);
    const now = ctx.clock.now();
    const id = newId('trf', now);
    // Someone granted only the destination asks; the source side decides whether and from where.
    const requested = input.request === true || !seesSource;
    const transfer: TransferRow = {
      id,
      number: formatDocumentNumber('TRF', await nextNumber(trx, 'transfer')),
      status: requested ? 'requested' : 'draft',
      source_site_id: source.id,
      destination_site_id: destination.id,
      destination_bin_id: destinationBin.id,
      over_tolerance_ppm: input.over_tolerance ?? DEFAULT_OVER_TOLERANCE_PPM,
      note: input.note ?? null,
      requested_by: requested ? ctx.actor.id : null,
      created_by: ctx.actor.id,
      created_at: now,
      updated_at: now,
      accepted_at: requested ? null : now,
      picked_at: null,
      first_shipped_at: null,
      last_received_at: null,
      closed_at: null,
      cancelled_at: null,
    };
    await trx.insertInto('transfers').values(transfer).execute();
    const lineRows: TransferLineRow[] = lines.map((l, i) => ({
      id: newId('trl', now),
      transfer_id: id,
      line_no: i + 1,
      item_id: l.itemId,
      qty_requested: l.qty,
      qty_shipped: 0,
      qty_received: 0,
      qty_over: 0,
      qty_damaged: 0,
      qty_lost: 0,
      value_shipped_micros: 0,
      value_received_micros: 0,
      value_damaged_micros: 0,
      value_lost_micros: 0,
    }));
    await trx.insertInto('transfer_lines').values(lineRows).execute();
    if (!requested) await allocate(tctx, transfer, lineRows, lines.map((l) => l.lotId));
    return getTransfer(tctx, id);
  });
}

/** The source side takes on a store's request: its lines are allocated and the stock reserved. */
export async function acceptTransfer(ctx: ServiceContext, id: string): Promise<TransferRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const transfer = await lockTransfer(tctx, id);
    assertSide(ctx.actor, transfer, 'source', 'accept');
    assertStatus(transfer, ['requested'], 'be accepted');
    const lines = await trx.selectFrom('transfer_lines').selectAll().where('transfer_id', '=', id).orderBy('line_no').execute();
    await allocate(tctx, transfer, lines, lines.map(() => null));
    const now = ctx.clock.now();
    await trx.updateTable('transfers').set({ status: 'draft', accepted_at: now, updated_at: now }).where('id', '=', id).execute();
    return getTransfer(tctx, id);
  });
}

/** Withdraws a transfer nothing of which has shipped; its reservations are released. */
export async function cancelTransfer(ctx: ServiceContext, id: string, note?: string): Promise<TransferRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const transfer = await lockTransfer(tctx, id);
    assertStatus(transfer, ['requested', 'draft', 'picked'], 'be cancelled (close it instead once something has shipped)');
    await releaseUnshipped(tctx, id);
    const now = ctx.clock.now();
    await trx
      .updateTable('transfers')
      .set({ status: 'cancelled', cancelled_at: now, updated_at: now, note: note ? note : transfer.note })
      .where('id', '=', id)
      .execute();
    return getTransfer(tctx, id);
  });
}

/** Releases what is still reserved for allocations that will not ship. */
export async function releaseUnshipped(ctx: ServiceContext & { trx: Trx }, transferId: string): Promise<void> {
  const allocations = await ctx.trx.selectFrom('transfer_allocations').selectAll().where('transfer_id', '=', transferId).orderBy('seq').execute();
  for (const a of allocations) {
    if (!a.reservation_id) continue;
    const still = await ctx.trx.selectFrom('reservations').select('qty').where('id', '=', a.reservation_id).executeTakeFirst();
    if (still) await releaseReservation(ctx, a.reservation_id);
    await ctx.trx.updateTable('transfer_allocations').set({ reservation_id: null }).where('id', '=', a.id).execute();
  }
}

interface PreparedLine {
  itemId: string;
  qty: number;
  lotId: string | null;
}

async function prepareLines(trx: Trx, input: CreateTransferInput): Promise<PreparedLine[]> {
  const items = await findItems(trx, input.lines.map((l) => l.item_id));
  const errors: FieldError[] = [];
  const prepared: PreparedLine[] = [];
  const seen = new Set<string>();
  for (const [i, line] of input.lines.entries()) {
    const fail = (field: string, code: string, message: string) => errors.push({ field: `body.lines.${i}.${field}`, code, message });
    const item = items.get(line.item_id);
    if (!item) {
      fail('item_id', 'not_found', `no item ${line.item_id}`);
      continue;
    }
    if (item.stocked !== 1 || item.status !== 'active') {
      fail('item_id', 'not_stockable', `${item.sku} is not an active stocked item`);
      continue;
    }
    const qty = toBaseQuantity(item, line.qty, line.unit);
    if (qty === null) {
      fail('unit', 'unknown_unit', `${item.sku} has no unit ${line.unit}, or the quantity does not convert exactly`);
      continue;
    }
    let lotId: string | null = null;
    if (line.lot_code !== undefined) {
      if (item.tracking === 'none') {
        fail('lot_code', 'not_tracked', `${item.sku} is not tracked by lot`);
        continue;
      }
      const lot = await trx.selectFrom('lots').select('id').where('item_id', '=', item.id).where('code', '=', line.lot_code).executeTakeFirst();
      if (!lot) {
        fail('lot_code', 'not_found', `${item.sku} has no ${item.tracking} ${line.lot_code}`);
        continue;
      }
      lotId = lot.id;
    }
    const key = `${item.id}\u0000${lotId ?? ''}`;
    if (seen.has(key)) fail('item_id', 'duplicate', `${item.sku} is on the transfer twice; give one line per item (and lot)`);
    seen.add(key);
    prepared.push({ itemId: item.id, qty, lotId });
  }
  if (errors.length) throw new TransferError('transfer_line_invalid', errors[0]!.message, { errors });
  return prepared;
}

async function resolveDestinationBin(trx: Trx, destination: LocationRow, binId: string | undefined): Promise<LocationRow> {
  const bin = await findLocation(trx, binId ?? destination.default_bin_id ?? '');
  if (!bin || bin.kind !== 'bin' || bin.site_id !== destination.id || bin.status !== 'active') {
    throw new TransferError('transfer_sites_invalid', `Stock arrives in an active bin of the destination site; ${binId ?? 'its default bin'} is not one.`);
  }
  return bin;
}

/**
 * Allocates every line to pickable stock at the source, soonest expiry first and then in the
 * bins' walking order, and reserves it. Reserving is the ledger's guarded update: if another
 * order or transfer took the stock meanwhile, this fails with 409 rather than over-promising.
 */
async function allocate(ctx: ServiceContext & { trx: Trx }, transfer: TransferRow, lines: TransferLineRow[], lots: Array<string | null>): Promise<void> {
  const today = new Date(ctx.clock.now()).toISOString().slice(0, 10);
  const pickable = await listPickableStock(ctx.trx, { itemIds: lines.map((l) => l.item_id), siteIds: [transfer.source_site_id], today });
  const now = ctx.clock.now();
  let seq = 0;
  for (const [i, line] of lines.entries()) {
    const lotId = lots[i] ?? null;
    const candidates = pickable.filter((p) => p.itemId === line.item_id && (lotId === null || p.lotId === lotId));
    const available = candidates.reduce((sum, p) => sum + p.available, 0);
    if (available < line.qty_requested) {
      throw insufficientStock({
        item_id: line.item_id,
        location_id: transfer.source_site_id,
        lot_id: lotId,
        requested: line.qty_requested / 1000,
        available: available / 1000,
      });
    }
    let left = line.qty_requested;
    for (const p of candidates) {
      if (left === 0) break;
      const take = Math.min(left, p.available);
      const reservation = await reserveStock(ctx, {
        itemId: line.item_id,
        locationId: p.locationId,
        lotId: p.lotId,
        qty: take,
        documentType: 'transfer',
        documentId: transfer.id,
        documentLineId: line.id,
      });
      seq += 1;
      await ctx.trx
        .insertInto('transfer_allocations')
        .values({
          id: newId('tra', now),
          transfer_id: transfer.id,
          line_id: line.id,
          seq,
          location_id: p.locationId,
          lot_id: p.lotId,
          reservation_id: reservation.id,
          qty: take,
          qty_picked: 0,
          qty_shipped: 0,
        })
        .execute();
      left -= take;
    }
  }
}

/** The transfer row, locked for the rest of the transaction, if the actor may see it. */
export async function lockTransfer(ctx: ServiceContext & { trx: Trx }, id: string): Promise<TransferRow> {
  const now = ctx.clock.now();
  // An update takes the row lock on PostgreSQL (SQLite writes one at a time anyway), so two
  // shipments or receipts of one transfer run one after the other and each sees the other's result.
  const row = await ctx.trx.updateTable('transfers').set({ updated_at: now }).where('id', '=', id).returningAll().executeTakeFirst();
  if (!row || !visible(ctx.actor, row)) throw new TransferError('transfer_not_found', `No transfer ${id}.`);
  return row;
}

function visible(actor: Actor, row: Pick<TransferRow, 'source_site_id' | 'destination_site_id'>): boolean {
  return canSeeSite(actor, row.source_site_id) || canSeeSite(actor, row.destination_site_id);
}

export async function getTransfer(ctx: ServiceContext, id: string): Promise<TransferRecord> {
  const db = reader(ctx);
  const transfer = await db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!transfer || !visible(ctx.actor, transfer)) throw new TransferError('transfer_not_found', `No transfer ${id}.`);
  return (await loadRecords(db, [transfer]))[0]!;
}

async function loadRecords(db: Executor, transfers: TransferRow[]): Promise<TransferRecord[]> {
  if (transfers.length === 0) return [];
  const ids = transfers.map((t) => t.id);
  const [lines, allocations, postings, discrepancies, transit] = await Promise.all([
    db.selectFrom('transfer_lines').selectAll().where('transfer_id', 'in', ids).orderBy('line_no').execute(),
    db.selectFrom('transfer_allocations').selectAll().where('transfer_id', 'in', ids).orderBy('seq').execute(),
    db.selectFrom('transfer_postings').selectAll().where('transfer_id', 'in', ids).orderBy('id').execute(),
    db.selectFrom('transfer_discrepancies').selectAll().where('transfer_id', 'in', ids).orderBy('id').execute(),
    transitByLine(db, ids),
  ]);
  const [items, locations, lots] = await Promise.all([
    findItems(db, lines.map((l) => l.item_id)),
    findLocations(db, [...transfers.flatMap((t) => [t.source_site_id, t.destination_site_id, t.destination_bin_id]), ...allocations.map((a) => a.location_id)]),
    findLots(db, [...allocations.map((a) => a.lot_id), ...[...transit.values()].flat().map((t) => t.lotId)]),
  ]);
  const site = (id: string) => {
    const l = locations.get(id)!;
    return { id: l.id, code: l.code, name: l.name };
  };
  return transfers.map((transfer) => ({
    transfer,
    sourceSite: site(transfer.source_site_id),
    destinationSite: site(transfer.destination_site_id),
    destinationBin: { id: transfer.destination_bin_id, full_code: locations.get(transfer.destination_bin_id)!.full_code },
    lines: lines
      .filter((l) => l.transfer_id === transfer.id)
      .map((l) => {
        const item = items.get(l.item_id)!;
        const inTransit = (transit.get(l.id) ?? []).map((t) => ({ ...t, lotCode: t.lotId === NO_LOT ? null : (lots.get(t.lotId)?.code ?? null) }));
        return { ...l, sku: item.sku, name: item.name, tracking: item.tracking, inTransit };
      }),
    allocations: allocations
      .filter((a) => a.transfer_id === transfer.id)
      .map((a) => ({
        ...a,
        bin: locations.get(a.location_id)!.full_code,
        lotCode: a.lot_id === NO_LOT ? null : (lots.get(a.lot_id)?.code ?? null),
        expiresOn: lots.get(a.lot_id)?.expires_on ?? null,
      })),
    postings: postings.filter((p) => p.transfer_id === transfer.id),
    discrepancies: discrepancies.filter((d) => d.transfer_id === transfer.id),
  }));
}

export interface TransferQuery {
  status?: TransferStatus;
  /** Transfers from or to this site. */
  siteId?: string;
  direction?: 'outbound' | 'inbound';
  limit: number;
  cursor?: string;
}

/** Transfers the actor may see (granted either side), newest first. */
export async function listTransfers(ctx: ServiceContext, query: TransferQuery): Promise<{ records: TransferRecord[]; nextCursor: string | null }> {
  const db = reader(ctx);
  let q = db.selectFrom('transfers').selectAll();
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    q = sites.length ? q.where((eb) => eb.or([eb('source_site_id', 'in', sites), eb('destination_site_id', 'in', sites)])) : q.where('id', '=', '');
  }
  if (query.status) q = q.where('status', '=', query.status);
  if (query.siteId) {
    const siteId = query.siteId;
    if (query.direction === 'outbound') q = q.where('source_site_id', '=', siteId);
    else if (query.direction === 'inbound') q = q.where('destination_site_id', '=', siteId);
    else q = q.where((eb) => eb.or([eb('source_site_id', '=', siteId), eb('destination_site_id', '=', siteId)]));
  }
  const after = decodeCursor(query.cursor, ['string']);
  if (after) q = q.where('id', '<', after[0] as string);
  const rows = await q.orderBy('id', 'desc').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  return { records: await loadRecords(db, page), nextCursor: more ? encodeCursor([page[page.length - 1]!.id]) : null };
}
