import { sql } from 'kysely';
import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { MovementRow, NewMovementRow, ReservationRow } from '../../platform/db/schema.ts';
import { insertRowSets, upsertRows, type RowSet } from '../../platform/db/insert-rows.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import type { FieldError } from '../../platform/errors.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { faultPoint } from '../../platform/fault.ts';
import { newId } from '../../platform/ids.ts';
import { testControls } from '../../platform/test-controls.ts';
import { QTY_MAX, QTY_SCALE } from '../../platform/quantity.ts';
import { lockItemCosts, valueMovements, type CostingMovement, type MovementCost } from '../costing/index.ts';
import { loadStockPolicies, type StockPolicy } from '../locations/index.ts';
import { applyWithBrokenGuard } from './broken-guard.ts';
import { loadItemRules, type ItemRules } from './item-rules.ts';
import { insufficientStock, LedgerError } from './ledger.errors.ts';
import { findLots, NO_LOT } from './lots.service.ts';
import { PostingBatch } from './posting-batch.ts';
import { notifyStockObservers, sendFirstReads } from './stock-observers.ts';
import { readValuedHistory, writeCostUpdates } from './valuation.ts';

/**
 * The only writer of movements and balances. A document hands `postMovements` every movement
 * of one transition; all of it is validated before anything is written, balances change in the
 * same transaction, and a strict location is guarded by a conditional UPDATE rather than a read
 * followed by a write, which would oversell under concurrency.
 */

/** One named kind per business event. */
export const MOVEMENT_KINDS = [
  'adjustment',
  'receipt',
  'sale',
  'sale_void',
  'shipment',
  'return',
  'transfer',
  'count',
  'scrap',
  'production',
  'consumption',
  'vendor_return',
] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

export interface MovementInput {
  itemId: string;
  /** '' or absent for stock without a lot. */
  lotId?: string;
  fromLocationId: string;
  toLocationId: string;
  /** Thousandths of the item's base unit, > 0. */
  qty: number;
  /** Cost per base unit in micros of stock coming in, when the document knows it (a receipt, an opening balance, a return). */
  unitCostMicros?: number | null;
  /** Micros added to the value of stock coming in beyond qty × unit cost (a derived cost's exact remainder). */
  landedMicros?: number;
  documentLineId?: string | null;
  /** The movement fulfils this reservation (or part of it) at its source. */
  reservationId?: string;
}

export interface PostInput {
  kind: MovementKind;
  reason?: string | null;
  documentType: string;
  documentId: string;
  /** When it happened in the shop; defaults to now. May lie in the past (a back-dated entry). */
  effectiveAt?: number;
  /** A sale replayed from an offline till already happened: an item archived since it was rung up still moves. */
  allowArchived?: boolean;
  movements: MovementInput[];
  /**
   * Location and item rows the caller read earlier in the same transaction (a sale's bin and
   * lines). The ledger takes their policies and rules from them instead of reading them again;
   * rows read outside the transaction must not be passed.
   */
  known?: { locations?: Parameters<typeof loadStockPolicies>[2]; items?: Parameters<typeof loadItemRules>[2] };
  /**
   * The document's own rows (a sale, its lines and payments), blind inserts nothing in the posting
   * reads, parents first: written with the posting's rows, in one statement on PostgreSQL, where
   * each is a round trip (insertRowSets). A promise when they wait on a statement still on its way
   * (a sale's receipt number, sent ahead of the posting): awaited when they are written.
   */
  documentRows?: RowSet[] | Promise<RowSet[]>;
}

export interface NegativeBalance {
  itemId: string;
  locationId: string;
  lotId: string;
  onHand: number;
}

export interface PostedTransaction {
  txnId: string;
  effectiveAt: number;
  movements: MovementRow[];
  /** Physical balances this posting left below zero (only possible where the policy allows it). */
  negativeBalances: NegativeBalance[];
}

export const MAX_MOVEMENTS_PER_TRANSACTION = 5000;
/** A movement may be dated a little ahead to absorb clock skew between tills, not more. */
const futureSkewMs = 5 * 60 * 1000;

interface BalanceDelta {
  itemId: string;
  locationId: string;
  lotId: string;
  onHand: number;
  reserved: number;
  strict: boolean;
  physical: boolean;
}

/** Posts all movements of one document atomically; throws `insufficient_stock` if a strict location would go below zero. */
export async function postMovements(ctx: ServiceContext, input: PostInput): Promise<PostedTransaction> {
  return inTransaction(ctx, async (trx) => {
    const batch = ctx.postingBatch instanceof PostingBatch ? ctx.postingBatch : undefined;
    const deferred = batch !== undefined && deferrable(input);
    // What is valued at once must come after what the batch holds back: costing goes in order.
    if (batch && !deferred) await batch.flush(trx);
    const startedAt = ctx.clock.now();
    const checked = await validate(trx, input, input.effectiveAt ?? startedAt, startedAt, deferred ? batch : undefined);
    // Lock the valued items' cost rows first, then stamp the posting: postings of one item then
    // carry times and ids in the order they commit. Stamped before waiting, a sale that waited for
    // another till's would come "before" it, and costing would replay the item's whole history.
    const valuedItems = input.movements.filter((m) => checked.policies.get(m.fromLocationId)!.valued !== checked.policies.get(m.toLocationId)!.valued).map((m) => m.itemId);
    // A deferred posting's cost rows are locked by its batch's flush: the batch is bulk work in one
    // transaction, and a till's sale stamped between its postings and its flush is still valued in
    // order (the flush then replays the item from its checkpoint).
    const costRows = valuedItems.length && !deferred ? await lockItemCosts(trx, [...new Set(valuedItems)].sort(), startedAt) : undefined;
    const now = Math.max(startedAt, ctx.clock.now());
    const effectiveAt = input.effectiveAt ?? now;
    const txnId = newId('txn', now);
    const transaction = {
      id: txnId,
      kind: input.kind,
      document_type: input.documentType,
      document_id: input.documentId,
      effective_at: effectiveAt,
      recorded_at: now,
      actor_id: ctx.actor.id,
    };
    // Not deferred, the transaction's row is written with its movements, below.

    // Reservations before balances: of postings racing for one reservation, the guarded UPDATE
    // refuses the late ones here; after the balance update their `reserved` would go below zero
    // and the database would refuse the row instead, an internal error rather than a refusal.
    // A release takes the reservation before the balance too, so the two lock in one order.
    await consumeReservations(trx, input.movements, now);
    const deltas = balanceDeltas(input.movements, checked.policies);
    const negativeBalances = await applyBalanceDeltas(trx, deltas, now);
    await refuseSecondUnitOfSerial(trx, deltas, checked.items);
    faultPoint('after_balance_update');
    const touches = deltas.filter((d) => d.physical).map((d) => ({ itemId: d.itemId, locationId: d.locationId }));
    // What the observers read first (balances, levels, channels) nothing below changes: sent now,
    // it shares a round trip with the costing's first read on PostgreSQL.
    const observersRead = deferred ? undefined : await sendFirstReads(trx, touches);

    const ids = input.movements.map(() => newId('mov', now));
    const costing: CostingMovement[] = input.movements.map((m, i) => ({
      id: ids[i]!,
      itemId: m.itemId,
      lotId: m.lotId ?? NO_LOT,
      effectiveAt,
      qty: m.qty,
      fromValued: checked.policies.get(m.fromLocationId)!.valued,
      toValued: checked.policies.get(m.toLocationId)!.valued,
      unitCostMicros: m.unitCostMicros ?? null,
      landedMicros: m.landedMicros ?? 0,
      method: checked.items.get(m.itemId)!.costingMethod,
    }));
    // Stock crossing into or out of owned locations is valued: layers opened or drawn, cost
    // recorded. A deferred posting is valued by its batch's flush, with the batch's others.
    // The cost rows it writes come back in `costWrites`, to go with the movements in one statement.
    const costWrites: RowSet[] = [];
    const valuation = deferred ? { costs: new Map<string, MovementCost>(), updates: [] } : await valueMovements(trx, costing, readValuedHistory, now, costRows, costWrites);
    const neverOwned = (m: MovementInput) => !checked.policies.get(m.fromLocationId)!.valued && !checked.policies.get(m.toLocationId)!.valued;
    const rows: NewMovementRow[] = input.movements.map((m, i) => ({
      id: ids[i]!,
      txn_id: txnId,
      item_id: m.itemId,
      lot_id: m.lotId ?? NO_LOT,
      from_location_id: m.fromLocationId,
      to_location_id: m.toLocationId,
      qty: m.qty,
      // Stock that never enters owned stock (written off on arrival) keeps its document's cost as a record of the loss.
      unit_cost_micros: valuation.costs.get(ids[i]!)?.unitCostMicros ?? (neverOwned(m) ? (m.unitCostMicros ?? null) : null),
      value_micros: valuation.costs.get(ids[i]!)?.valueMicros ?? (neverOwned(m) && m.unitCostMicros != null ? mulDiv(m.qty, m.unitCostMicros, QTY_SCALE) : null),
      kind: input.kind,
      reason: input.reason ?? null,
      effective_at: effectiveAt,
      recorded_at: now,
      document_type: input.documentType,
      document_id: input.documentId,
      document_line_id: m.documentLineId ?? null,
      actor_id: ctx.actor.id,
    }));
    noteTouched(ctx, input.movements, checked.policies);
    if (deferred) {
      if (input.documentRows) await insertRowSets(trx, await input.documentRows);
      // The rows returned are the batch's own: the flush fills in their costs.
      batch.defer({ transaction, costing, movements: rows, touches, now });
      return { txnId, effectiveAt, movements: rows as MovementRow[], negativeBalances };
    }
    // The document's rows, the transaction, its cost rows and its movements: one statement on PostgreSQL, where each
    // is a round trip; in bounded chunks past the parameter limits and on SQLite (insertRowSets).
    await insertRowSets(trx, [...((await input.documentRows) ?? []), { table: 'ledger_transactions', rows: [transaction] }, ...costWrites, { table: 'movements', rows }]);
    faultPoint('after_movement_insert');
    await writeCostUpdates(trx, valuation.updates, now);
    await notifyStockObservers(trx, touches, now, observersRead);
    return { txnId, effectiveAt, movements: rows as MovementRow[], negativeBalances };
  });
}

/**
 * A posting a batch may hold back: one dated now, consuming no reservation. A back-dated one
 * re-costs history and a reservation's consumption is refused or not at once, so those post whole.
 */
function deferrable(input: PostInput): boolean {
  return input.effectiveAt === undefined && input.movements.every((m) => m.reservationId === undefined);
}

/** Tells the command's audit log which items, bins and sites this posting touched (virtual locations are the other side of everything, so left out). */
function noteTouched(ctx: ServiceContext, movements: readonly MovementInput[], policies: Map<string, StockPolicy>): void {
  const touched = ctx.touched;
  if (!touched) return;
  for (const m of movements) touched.add('item', m.itemId);
  for (const m of movements) {
    for (const id of [m.fromLocationId, m.toLocationId]) {
      const policy = policies.get(id)!;
      if (policy.kind === 'virtual') continue;
      if (policy.kind === 'site') {
        touched.add('site', id);
        continue;
      }
      touched.add('location', id);
      if (policy.siteId !== null) touched.add('site', policy.siteId);
    }
  }
}

interface Checked {
  policies: Map<string, StockPolicy>;
  items: Map<string, ItemRules>;
  reservations: Map<string, ReservationRow>;
}

async function validate(trx: Trx, input: PostInput, effectiveAt: number, now: number, batch?: PostingBatch): Promise<Checked> {
  const count = input.movements.length;
  if (count === 0 || count > MAX_MOVEMENTS_PER_TRANSACTION) {
    throw new LedgerError('movement_invalid', `A ledger transaction holds 1 to ${MAX_MOVEMENTS_PER_TRANSACTION} movements, not ${count}.`);
  }
  if (!Number.isSafeInteger(effectiveAt) || effectiveAt <= 0 || effectiveAt > now + futureSkewMs) {
    throw new LedgerError('movement_invalid', 'A movement cannot be dated in the future.');
  }
  const movements = input.movements;
  // In a batch, what the batch's documents cannot change is read once for all of them.
  const byIds = <T>(kind: string, ids: string[], load: (ids: string[]) => Promise<Map<string, T>>) => (batch ? batch.byIds(kind, ids, load) : load(ids));
  const [policies, items, lots, reservations] = await Promise.all([
    byIds('stock-policies', movements.flatMap((m) => [m.fromLocationId, m.toLocationId]), (ids) => loadStockPolicies(trx, ids, input.known?.locations)),
    byIds('item-rules', movements.map((m) => m.itemId), (ids) => loadItemRules(trx, ids, input.known?.items)),
    byIds('lots', movements.map((m) => m.lotId ?? NO_LOT), (ids) => findLots(trx, ids)),
    loadReservations(trx, movements.flatMap((m) => (m.reservationId ? [m.reservationId] : []))),
  ]);
  const errors: FieldError[] = [];
  const fail = (i: number, field: string, code: string, message: string) => errors.push({ field: `movements.${i}.${field}`, code, message });
  const reservedTaken = new Map<string, number>();

  movements.forEach((m, i) => {
    if (!Number.isSafeInteger(m.qty) || m.qty <= 0 || m.qty > QTY_MAX) fail(i, 'qty', 'out_of_range', 'quantity must be positive and within range');
    if (m.fromLocationId === m.toLocationId) fail(i, 'to_location_id', 'same_location', 'a movement goes from one location to another');
    const from = policies.get(m.fromLocationId);
    const to = policies.get(m.toLocationId);
    if (!from?.holdsStock) fail(i, 'from_location_id', 'not_stockable', `${m.fromLocationId} is not a bin or virtual location`);
    if (!to?.holdsStock) fail(i, 'to_location_id', 'not_stockable', `${m.toLocationId} is not a bin or virtual location`);
    // Goods that arrive damaged (from a vendor, back from a customer, or out of a transfer's
    // transit) may go straight to scrap, and goods lost in transit to the adjustment location;
    // every other movement has a bin on one side.
    const writtenOffOnArrival =
      ((from?.virtualType === 'vendor' || from?.virtualType === 'customer') && to?.virtualType === 'scrap') ||
      (from?.virtualType === 'transit' && (to?.virtualType === 'scrap' || to?.virtualType === 'adjustment'));
    if (from && to && from.kind === 'virtual' && to.kind === 'virtual' && !writtenOffOnArrival) fail(i, 'to_location_id', 'virtual_only', 'one side must be a physical bin');
    if (m.unitCostMicros != null && (!Number.isSafeInteger(m.unitCostMicros) || m.unitCostMicros < 0)) {
      fail(i, 'unit_cost', 'out_of_range', 'unit cost must be a non-negative amount');
    }

    const item = items.get(m.itemId);
    if (!item) return fail(i, 'item_id', 'not_found', `no item ${m.itemId}`);
    if (!item.stocked) fail(i, 'item_id', 'not_stocked', `${item.sku} is not a stocked item`);
    if (!item.active && !input.allowArchived) fail(i, 'item_id', 'archived', `${item.sku} is archived`);
    const lotId = m.lotId ?? NO_LOT;
    if (item.tracking === 'none') {
      if (lotId !== NO_LOT) fail(i, 'lot_id', 'not_tracked', `${item.sku} is not tracked by lot`);
    } else if (lotId === NO_LOT) {
      fail(i, 'lot_id', 'required', `${item.sku} is tracked by ${item.tracking}; give the ${item.tracking}`);
    } else {
      const lot = lots.get(lotId);
      if (!lot || lot.item_id !== m.itemId) fail(i, 'lot_id', 'not_found', `no ${item.tracking} ${lotId} of ${item.sku}`);
      if (item.tracking === 'serial' && m.qty !== QTY_SCALE) fail(i, 'qty', 'serial_qty', 'a serial number moves one unit at a time');
    }

    if (m.reservationId) {
      const reservation = reservations.get(m.reservationId);
      if (!reservation) return fail(i, 'reservation_id', 'not_found', `no reservation ${m.reservationId}`);
      const matches = reservation.item_id === m.itemId && reservation.location_id === m.fromLocationId && reservation.lot_id === lotId;
      if (!matches) fail(i, 'reservation_id', 'mismatch', 'the reservation is for another item, location or lot');
      const taken = (reservedTaken.get(reservation.id) ?? 0) + m.qty;
      reservedTaken.set(reservation.id, taken);
      if (taken > reservation.qty) fail(i, 'qty', 'exceeds_reservation', 'more than the reservation holds');
    }
  });

  if (errors.length) {
    const first = errors[0]!;
    const code =
      first.code === 'not_stocked' || first.code === 'archived'
        ? 'item_not_stockable'
        : first.field.endsWith('lot_id')
          ? first.code === 'required' ? 'lot_required' : 'lot_invalid'
          : first.field.endsWith('reservation_id') || first.code === 'exceeds_reservation'
            ? 'reservation_invalid'
            : 'movement_invalid';
    throw new LedgerError(code, first.message, { errors });
  }
  return { policies, items, reservations };
}

async function loadReservations(db: Executor, ids: string[]): Promise<Map<string, ReservationRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('reservations').selectAll().where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

function deltaKey(itemId: string, locationId: string, lotId: string): string {
  return `${itemId}\u0000${locationId}\u0000${lotId}`;
}

/** Nets the movements into one change per balance, in a fixed order (item, location, lot) so concurrent postings lock rows in the same order. */
export function balanceDeltas(movements: readonly MovementInput[], policies: Map<string, StockPolicy>): BalanceDelta[] {
  const deltas = new Map<string, BalanceDelta>();
  const add = (itemId: string, locationId: string, lotId: string, onHand: number, reserved: number) => {
    const key = deltaKey(itemId, locationId, lotId);
    let delta = deltas.get(key);
    if (!delta) {
      const policy = policies.get(locationId);
      delta = { itemId, locationId, lotId, onHand: 0, reserved: 0, strict: policy?.strict ?? true, physical: policy?.kind !== 'virtual' };
      deltas.set(key, delta);
    }
    delta.onHand += onHand;
    delta.reserved += reserved;
  };
  for (const m of movements) {
    const lotId = m.lotId ?? NO_LOT;
    add(m.itemId, m.fromLocationId, lotId, -m.qty, m.reservationId ? -m.qty : 0);
    add(m.itemId, m.toLocationId, lotId, m.qty, 0);
  }
  return [...deltas.values()]
    .filter((d) => d.onHand !== 0 || d.reserved !== 0)
    .sort((a, b) => compare(a.itemId, b.itemId) || compare(a.locationId, b.locationId) || compare(a.lotId, b.lotId));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function applyBalanceDeltas(trx: Trx, deltas: BalanceDelta[], now: number): Promise<NegativeBalance[]> {
  const onHand = new Map<BalanceDelta, number>();
  // Deltas go in their fixed order; a run of plain upserts between guarded updates is one
  // statement, so concurrent postings still take row locks in the same order.
  let run: BalanceDelta[] = [];
  const flush = async () => {
    for (let i = 0; i < run.length; i += 500) for (const [d, value] of await upsertBalances(trx, run.slice(i, i + 500), now)) onHand.set(d, value);
    run = [];
  };
  for (const d of deltas) {
    const guarded = d.strict && d.onHand - d.reserved < 0;
    // A balance that holds a reservation exists already; only new stock may need a new row.
    if (!guarded && d.reserved === 0) {
      run.push(d);
      continue;
    }
    await flush();
    onHand.set(d, await updateBalance(trx, d, guarded, now));
  }
  await flush();
  return deltas
    .filter((d) => d.physical && onHand.get(d)! < 0)
    .map((d) => ({ itemId: d.itemId, locationId: d.locationId, lotId: d.lotId, onHand: onHand.get(d)! }));
}

/**
 * A serial number names one physical unit, so it can be on hand in one place at most. Stock that
 * enters owned locations locks the item's cost row first (see `lockItemCosts`), so two postings
 * bringing in the same serial at once are serialized and the second sees the first's balance.
 */
async function refuseSecondUnitOfSerial(trx: Trx, deltas: BalanceDelta[], items: Map<string, ItemRules>): Promise<void> {
  const arriving = new Map<string, number>();
  for (const d of deltas) {
    if (!d.physical || d.lotId === NO_LOT || items.get(d.itemId)?.tracking !== 'serial') continue;
    arriving.set(d.lotId, (arriving.get(d.lotId) ?? 0) + d.onHand);
  }
  const lotIds = [...arriving].filter(([, qty]) => qty > 0).map(([lotId]) => lotId);
  if (lotIds.length === 0) return;
  const doubled = await trx
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .innerJoin('lots as lt', 'lt.id', 'b.lot_id')
    .select(['b.lot_id', 'b.item_id', 'lt.code'])
    .where('b.lot_id', 'in', lotIds)
    .where('l.kind', '!=', 'virtual')
    .groupBy(['b.lot_id', 'b.item_id', 'lt.code'])
    .having((eb) => eb.fn.sum('b.on_hand'), '>', QTY_SCALE)
    .executeTakeFirst();
  if (doubled) {
    const sku = items.get(doubled.item_id)?.sku ?? doubled.item_id;
    throw new LedgerError('serial_in_stock', `Serial number ${doubled.code} of ${sku} is already in stock; one serial number is one unit.`, {
      extra: { item_id: doubled.item_id, lot_id: doubled.lot_id, serial: doubled.code },
    });
  }
}

/**
 * Changes an existing balance. When `guarded`, the update only happens while what is left stays
 * at or above what is promised; zero rows updated means the stock is not there.
 */
async function updateBalance(trx: Trx, d: BalanceDelta, guarded: boolean, now: number): Promise<number> {
  // The oversell suite's negative control; testControls keeps it off everywhere but there.
  if (guarded && testControls.stockGuard !== 'guarded') return applyWithBrokenGuard(trx, testControls.stockGuard, d, now);
  let update = trx
    .updateTable('balances')
    .set({ on_hand: sql`on_hand + ${d.onHand}`, reserved: sql`reserved + ${d.reserved}`, updated_at: now })
    .where('item_id', '=', d.itemId)
    .where('location_id', '=', d.locationId)
    .where('lot_id', '=', d.lotId);
  if (guarded) {
    update = update.where(sql<boolean>`on_hand + ${d.onHand} >= reserved + ${d.reserved}`).where(sql<boolean>`on_hand + ${d.onHand} >= 0`);
  }
  const row = await update.returning('on_hand').executeTakeFirst();
  if (row) return row.on_hand;
  const current = await trx
    .selectFrom('balances')
    .select(['on_hand', 'reserved'])
    .where('item_id', '=', d.itemId)
    .where('location_id', '=', d.locationId)
    .where('lot_id', '=', d.lotId)
    .executeTakeFirst();
  throw insufficientStock({
    item_id: d.itemId,
    location_id: d.locationId,
    lot_id: d.lotId || null,
    requested: -d.onHand / QTY_SCALE,
    available: current ? Math.max(0, current.on_hand - current.reserved) / QTY_SCALE : 0,
  });
}

/** Adds to balances that no guard protects (stock coming in, a location that may go negative), in one statement. */
async function upsertBalances(trx: Trx, deltas: BalanceDelta[], now: number): Promise<Map<BalanceDelta, number>> {
  const rows = await upsertRows(
    trx,
    'balances',
    deltas.map((d) => ({ item_id: d.itemId, location_id: d.locationId, lot_id: d.lotId, on_hand: d.onHand, reserved: 0, updated_at: now })),
    'on conflict ("item_id", "location_id", "lot_id") do update set "on_hand" = "balances"."on_hand" + "excluded"."on_hand", "updated_at" = "excluded"."updated_at"',
    ['item_id', 'location_id', 'lot_id', 'on_hand'],
  );
  const byKey = new Map(rows.map((r) => [deltaKey(r.item_id, r.location_id, r.lot_id), r.on_hand]));
  return new Map(
    deltas.map((d) => {
      const value = byKey.get(deltaKey(d.itemId, d.locationId, d.lotId));
      if (value === undefined) throw new Error(`ledger: the balance upsert returned no row for ${d.itemId} at ${d.locationId}`);
      return [d, value];
    }),
  );
}

/**
 * Takes what the movements consumed off their reservations. The update is guarded, so two
 * postings that both read the same reservation cannot both consume it.
 */
async function consumeReservations(trx: Trx, movements: readonly MovementInput[], now: number): Promise<void> {
  const consumed = new Map<string, number>();
  for (const m of movements) if (m.reservationId) consumed.set(m.reservationId, (consumed.get(m.reservationId) ?? 0) + m.qty);
  for (const [id, qty] of [...consumed].sort(([a], [b]) => compare(a, b))) {
    const row = await trx
      .updateTable('reservations')
      .set({ qty: sql`qty - ${qty}`, updated_at: now })
      .where('id', '=', id)
      .where('qty', '>=', qty)
      .returning('qty')
      .executeTakeFirst();
    if (!row) throw new LedgerError('reservation_invalid', `Reservation ${id} was consumed or released meanwhile.`);
    if (row.qty === 0) await trx.deleteFrom('reservations').where('id', '=', id).execute();
  }
}

/** Every movement posted for these documents (a sale, an order's shipments, its returns), in posting order. */
export async function listMovementsOfDocuments(db: Executor, documentIds: readonly string[]): Promise<MovementRow[]> {
  const unique = [...new Set(documentIds)];
  if (unique.length === 0) return [];
  return db.selectFrom('movements').selectAll().where('document_id', 'in', unique).orderBy('recorded_at').orderBy('id').execute();
}

/** Whether the item has ever moved; the catalog freezes some fields once it has. */
export async function hasMovements(db: Executor, itemId: string): Promise<boolean> {
  const row = await db.selectFrom('movements').select('id').where('item_id', '=', itemId).limit(1).executeTakeFirst();
  return row !== undefined;
}
