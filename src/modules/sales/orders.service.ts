import { NoResultError, sql } from 'kysely';
import { emitWebhookEvent } from '../notifications/index.ts';
import { inTransaction, reader, type Actor, type ServiceContext } from '../../platform/context.ts';
import type { ItemRow, OrderLineRow, OrderRow, OrderStatus, ReservationRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { invariant, type FieldError } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { assertPricePrecision, minorUnitMicros } from '../../platform/money.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { resolveItemRefs } from '../catalog/index.ts';
import {
  insufficientStock,
  LedgerError,
  listPickableStock,
  listReservationsOfDocument,
  listReservationsOfDocuments,
  releaseReservation,
  reserveStock,
  setReservationExpiry,
} from '../ledger/index.ts';
import { loadStockPolicies } from '../locations/index.ts';
import { readSettings } from '../settings/index.ts';
import { resolveTaxRates } from '../tax/index.ts';
import { nearestSiteFirst, type AllocationStrategy, type LineNeed } from './allocation.ts';
import { todayOf } from './availability.service.ts';
import { channelSells, getChannel, type ChannelRecord } from './channels.service.ts';
import { expandLine, loadConsumables, partsOfShare, type Part } from './consumption.ts';
import type { CancelOrderInput, CreateOrderInput } from './orders.schema.ts';
import { taxOfAmount } from './pricing.ts';
import { SalesError } from './sales.errors.ts';

/**
 * Online orders. Taking one reserves its stock at once, strictly: a guarded reservation per bin
 * and lot, chosen by the allocation strategy. An order that cannot be covered is refused with
 * 409 insufficient_stock, or, where the channel allows back-orders, accepted with the lines that
 * cannot be covered reserving nothing until `allocateOrder` is tried again. The channel's own
 * order id de-duplicates: the same one again returns the order already taken.
 *
 * An order from a channel with a reservation time limit lapses if it is not confirmed in time:
 * its reservations carry the expiry and `expireOrders` releases them and closes it.
 *
 * Tax: a line's `tax_rate` when the channel sends one, else the shop's tax rules for the item at
 * the channel's first site (where its stock is looked for first). A line's total is what the
 * customer pays, tax included; with prices that include tax it is the price times the quantity.
 *
 * Order lines count their units through their life: packed (into a shipment not yet sent),
 * shipped, delivered, cancelled, returned. The fulfillment module reports packing, shipping and
 * delivery through this module's functions; the status is worked out from the counts.
 */

export interface OrderLineRecord extends OrderLineRow {
  reservations: ReservationRow[];
}

export interface OrderRecord {
  order: OrderRow;
  lines: OrderLineRecord[];
}

/** Shops may plug in another allocation strategy; this one is the default. */
let strategy: AllocationStrategy = nearestSiteFirst;
export function setAllocationStrategy(next: AllocationStrategy): void {
  strategy = next;
}

const openStatuses: OrderStatus[] = ['back_ordered', 'allocated', 'partially_shipped'];

/**
 * How much of each of an order's reservations is packed into a shipment not yet sent. Fulfillment
 * knows and registers this when it loads (it depends on sales, not the other way round);
 * cancelling leaves packed stock alone, so a packed shipment can still go.
 */
export type PackedReservations = (trx: Trx, orderId: string) => Promise<Map<string, number>>;
let packedReservationsOf: PackedReservations = async () => new Map();
/** What of an order is packed, for the amend path beside this file. */
export function packedOf(trx: Trx, orderId: string): Promise<Map<string, number>> {
  return packedReservationsOf(trx, orderId);
}
export function registerPackedReservations(provider: PackedReservations): void {
  packedReservationsOf = provider;
}

export function partsOf(line: Pick<OrderLineRow, 'parts_json'>): Part[] {
  return JSON.parse(line.parts_json) as Part[];
}

export function openQty(line: Pick<OrderLineRow, 'qty' | 'qty_shipped' | 'qty_cancelled'>): number {
  return line.qty - line.qty_shipped - line.qty_cancelled;
}

export async function createOrder(ctx: ServiceContext, input: CreateOrderInput): Promise<{ record: OrderRecord; created: boolean }> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const channel = await getChannel(tctx, input.channel_id);
    if (channel.status !== 'active') throw new SalesError('channel_invalid', `Channel ${channel.name} is archived.`);
    const now = ctx.clock.now();
    const orderId = newId('ord', now);
    // Claim the channel's order id first: a concurrent copy of this order waits here, then finds ours.
    const claimed = await trx
      .insertInto('orders')
      .values({
        id: orderId,
        channel_id: channel.id,
        channel_order_id: input.channel_order_id,
        status: 'allocated',
        currency: '',
        customer_name: input.customer?.name ?? null,
        customer_email: input.customer?.email ?? null,
        ship_to: input.ship_to ?? null,
        total_micros: 0,
        tax_included: 0,
        expires_at: null,
        confirmed_at: null,
        cancel_reason: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['channel_id', 'channel_order_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!claimed) {
      const existing = await trx
        .selectFrom('orders')
        .select('id')
        .where('channel_id', '=', channel.id)
        .where('channel_order_id', '=', input.channel_order_id)
        .executeTakeFirstOrThrow();
      return { record: await getOrder(tctx, existing.id), created: false };
    }

    const [resolved, settings] = await Promise.all([
      resolveItemRefs(trx, { ids: input.lines.flatMap((l) => (l.item_id ? [l.item_id] : [])), skus: input.lines.flatMap((l) => (l.sku ? [l.sku] : [])), barcodes: [] }),
      readSettings(trx),
    ]);
    const currency = settings.base_currency;
    if (input.currency !== undefined && input.currency !== currency) throw new SalesError('currency_mismatch', `This shop sells in ${currency}, not ${input.currency}.`);
    assertPricePrecision(input.lines.map((line, i) => ({ field: `body.lines.${i}.unit_price`, micros: line.unit_price })), currency);
    const unit = minorUnitMicros(currency);
    const errors: FieldError[] = [];
    const items = input.lines.map((line, i) => {
      const item = line.item_id ? resolved.byId.get(line.item_id) : resolved.bySku.get(line.sku!.trim().toUpperCase());
      if (!item || item.status !== 'active') errors.push({ field: `body.lines.${i}`, code: 'not_found', message: `no active item ${line.item_id ?? line.sku}` });
      else if (!channelSells(channel.categories, item)) errors.push({ field: `body.lines.${i}`, code: 'not_in_assortment', message: `${channel.name} does not sell ${item.sku} (category ${item.category ?? 'none'})` });
      else if ((line.unit_price ?? item.price_micros) === null) errors.push({ field: `body.lines.${i}.unit_price`, code: 'required', message: `${item.sku} has no price` });
      return item!;
    });
    if (errors.length) throw new SalesError('order_invalid', errors[0]!.message, { errors });
    const catalog = await loadConsumables(trx, resolved.byId, []);
    const needRates = items.filter((_, i) => input.lines[i]!.tax_rate === undefined);
    const ruled = needRates.length ? await resolveTaxRates(trx, channel.siteIds[0]!, needRates) : [];
    let nextRuled = 0;
    const taxIncluded = settings.prices_include_tax;
    const lines: OrderLineRow[] = input.lines.map((line, i) => {
      const price = line.unit_price ?? items[i]!.price_micros!;
      const parts = expandLine(items[i]!.id, line.qty, [], catalog);
      const ratePpm = line.tax_rate ?? ruled[nextRuled++]!;
      const amounts = orderLineAmounts(line.qty, price, ratePpm, unit, taxIncluded);
      return {
        id: newId('orl', now),
        order_id: orderId,
        line_no: i + 1,
        item_id: items[i]!.id,
        qty: line.qty,
        unit_price_micros: price,
        total_micros: amounts.total,
        tax_rate_ppm: ratePpm,
        tax_micros: amounts.tax,
        allocation: 'allocated',
        qty_packed: 0,
        qty_shipped: 0,
        qty_delivered: 0,
        qty_cancelled: 0,
        qty_returned: 0,
        refunded_micros: 0,
        parts_json: JSON.stringify(parts),
      };
    });
    const expiresAt = channel.reservation_ttl_ms === null ? null : now + channel.reservation_ttl_ms;
    const uncovered = await allocateLines(tctx, channel, orderId, lines.map((l) => ({ lineId: l.id, parts: partsOf(l) })), expiresAt, [...resolved.byId.values()]);
    if (uncovered.size > 0 && channel.backorder_policy === 'refuse') {
      throw await shortfallOf(trx, channel, lines.find((l) => uncovered.has(l.id))!, now);
    }
    for (const line of lines) if (uncovered.has(line.id)) line.allocation = 'back_ordered';
    await trx.insertInto('order_lines').values(lines).execute();
    const order = await trx
      .updateTable('orders')
      .set({ currency, total_micros: lines.reduce((s, l) => s + l.total_micros, 0), tax_included: taxIncluded ? 1 : 0, expires_at: expiresAt, status: orderStatus(lines, 'allocated') })
      .where('id', '=', orderId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await emitWebhookEvent(trx, { type: 'order.created', data: { order_id: orderId, channel_id: channel.id, channel_order_id: input.channel_order_id } }, now);
    // The order and its lines are what we just wrote; only the reservations are read back.
    return { record: orderRecordOf(order, lines, await listReservationsOfDocuments(trx, [orderId])), created: true };
  });
}

/** What a quantity of an order line comes to: its amount rounded to the minor unit, with the tax on top of it or within it. */
export function orderLineAmounts(qty: number, priceMicros: number, ratePpm: number, unit: number, taxIncluded: boolean): { net: number; tax: number; total: number } {
  return taxOfAmount(mulDiv(qty, priceMicros, QTY_SCALE * unit) * unit, ratePpm, unit, taxIncluded);
}

/** The 409 for an order the channel's sites cannot cover: which item, how much was asked, how much there is. */
export async function shortfallOf(trx: Trx, channel: ChannelRecord, line: OrderLineRow, now: number): Promise<LedgerError> {
  const part = partsOf(line)[0];
  const stock = part ? await listPickableStock(trx, { itemIds: [part.itemId], siteIds: channel.siteIds, today: todayOf(now) }) : [];
  const available = stock.reduce((s, p) => s + p.available, 0);
  return insufficientStock({
    item_id: part?.itemId ?? line.item_id,
    location_id: channel.siteIds[0]!,
    lot_id: null,
    requested: (part?.qty ?? line.qty) / QTY_SCALE,
    available: available / QTY_SCALE,
  });
}

/**
 * Reserves what the lines need, as the strategy plans it. Reserving is guarded, so another order
 * may take stock between our read and our reservation; then we read again and plan what is left,
 * a few times. Lines that end up not covered whole give back what they got. Returns them.
 * `knownItems` are item rows the caller read in this transaction (the ledger need not read them).
 */
export async function allocateLines(
  ctx: ServiceContext,
  channel: ChannelRecord,
  orderId: string,
  lines: LineNeed[],
  expiresAt: number | null,
  knownItems: readonly ItemRow[] = [],
): Promise<Set<string>> {
  const trx = ctx.trx!;
  const remaining = new Map(lines.map((l) => [l.lineId, new Map(l.parts.map((p) => [p.itemId, p.qty]))]));
  const reserved = new Map<string, string[]>();
  let uncovered = new Set<string>();
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const needs: LineNeed[] = [...remaining]
      .filter(([lineId, parts]) => !uncovered.has(lineId) && [...parts.values()].some((q) => q > 0))
      .map(([lineId, parts]) => ({ lineId, parts: [...parts].filter(([, q]) => q > 0).map(([itemId, qty]) => ({ itemId, qty })) }));
    if (needs.length === 0) break;
    const stock = await listPickableStock(trx, { itemIds: needs.flatMap((n) => n.parts.map((p) => p.itemId)), siteIds: channel.siteIds, today: todayOf(ctx.clock.now()) });
    const plan = strategy.plan(needs, stock, channel.siteIds);
    uncovered = new Set([...uncovered, ...plan.uncovered]);
    let raced = false;
    // The plan's bins' policies once, rather than once per reservation.
    const known = { items: knownItems, policies: plan.allocations.length > 1 ? await loadStockPolicies(trx, plan.allocations.map((a) => a.locationId)) : undefined };
    for (const a of plan.allocations) {
      try {
        const r = await reserveStock(ctx, { itemId: a.itemId, locationId: a.locationId, lotId: a.lotId, qty: a.qty, documentType: 'order', documentId: orderId, documentLineId: a.lineId, expiresAt, known });
        reserved.set(a.lineId, [...(reserved.get(a.lineId) ?? []), r.id]);
        const parts = remaining.get(a.lineId)!;
        parts.set(a.itemId, parts.get(a.itemId)! - a.qty);
      } catch (error) {
        if (!(error instanceof LedgerError && error.code === 'insufficient_stock')) throw error;
        raced = true;
        break;
      }
    }
    if (!raced) break;
  }
  for (const [lineId, parts] of remaining) if ([...parts.values()].some((q) => q > 0)) uncovered.add(lineId);
  for (const lineId of uncovered) for (const id of reserved.get(lineId) ?? []) await releaseReservation(ctx, id);
  return uncovered;
}

/** Tries again to reserve stock for the back-ordered lines of an order; those now covered become allocated. */
export async function allocateOrder(ctx: ServiceContext, orderId: string): Promise<OrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const { order, lines } = await lockOpenOrder(tctx, trx, orderId);
    const waiting = lines.filter((l) => l.allocation === 'back_ordered' && openQty(l) > 0);
    if (waiting.length) {
      const channel = await getChannel(tctx, order.channel_id);
      const needs = waiting.map((l) => ({ lineId: l.id, parts: partsOfShare(partsOf(l), l.qty, l.qty - openQty(l), openQty(l)) }));
      const expiresAt = order.confirmed_at === null ? order.expires_at : null;
      const uncovered = await allocateLines(tctx, channel, orderId, needs, expiresAt);
      const covered = waiting.filter((l) => !uncovered.has(l.id)).map((l) => l.id);
      if (covered.length) await trx.updateTable('order_lines').set({ allocation: 'allocated' }).where('id', 'in', covered).execute();
      await refreshOrderStatus(trx, orderId, ctx.clock.now());
    }
    return getOrder(tctx, orderId);
  });
}

/** The order is paid or otherwise confirmed: its reservations no longer lapse. */
export async function confirmOrder(ctx: ServiceContext, orderId: string): Promise<OrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const locked = await lockOpenOrder(tctx, trx, orderId);
    const now = ctx.clock.now();
    const confirmed = await trx
      .updateTable('orders')
      .set({ confirmed_at: now, expires_at: null, updated_at: now })
      .where('id', '=', orderId)
      .where('confirmed_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    const reservations = await setReservationExpiry(tctx, orderId, null);
    // We hold the order's row, and whatever changes its lines changes that row too: the lines read
    // under the lock stand. The reservations are as the update returned them.
    return orderRecordOf(confirmed ?? locked.order, locked.lines, reservations);
  });
}

/**
 * Cancels what is not yet shipped (or the quantities given) and releases its reservations.
 * Units packed into a shipment not yet sent are not free to cancel: cancel the shipment first.
 */
export async function cancelOrder(ctx: ServiceContext, orderId: string, input: CancelOrderInput): Promise<OrderRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const { lines } = await lockOpenOrder(tctx, trx, orderId);
    const wanted = input.lines ?? lines.map((l) => ({ line_id: l.id, qty: openQty(l) - l.qty_packed })).filter((w) => w.qty > 0);
    if (wanted.length === 0) throw new SalesError('order_not_open', `Nothing of order ${orderId} is left to cancel.`);
    const [reservations, packed] = await Promise.all([listReservationsOfDocument(tctx, orderId), packedReservationsOf(trx, orderId)]);
    for (const [i, want] of wanted.entries()) {
      const line = lines.find((l) => l.id === want.line_id);
      if (!line) throw new SalesError('order_invalid', `${want.line_id} is not a line of order ${orderId}.`, { errors: [{ field: `body.lines.${i}.line_id`, code: 'not_found', message: 'not a line of this order' }] });
      const free = openQty(line) - line.qty_packed;
      if (want.qty > free) {
        throw new SalesError('order_invalid', `Only ${free / QTY_SCALE} of line ${line.line_no} can be cancelled.`, { errors: [{ field: `body.lines.${i}.qty`, code: 'exceeds_open', message: 'more than is open and unpacked' }] });
      }
      const done = line.qty_shipped + line.qty_cancelled + line.qty_packed;
      const updated = await trx
        .updateTable('order_lines')
        .set((eb) => ({ qty_cancelled: eb('qty_cancelled', '+', want.qty) }))
        .where('id', '=', line.id)
        .where(sql<boolean>`qty_shipped + qty_cancelled + qty_packed + ${want.qty} <= qty`)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new SalesError('order_conflict', `Line ${line.line_no} changed meanwhile; look at the order again.`);
      line.qty_cancelled += want.qty;
      if (line.allocation === 'allocated') {
        const mine = reservations.filter((r) => r.document_line_id === line.id);
        await releaseParts(tctx, mine, partsOfShare(partsOf(line), line.qty, done, want.qty), packed);
      }
    }
    await trx.updateTable('orders').set({ cancel_reason: input.reason }).where('id', '=', orderId).execute();
    await refreshOrderStatus(trx, orderId, ctx.clock.now());
    return getOrder(tctx, orderId);
  });
}

/** Releases these quantities from a line's reservations, latest first (the first picked stay), never what is packed. */
export async function releaseParts(ctx: ServiceContext, reservations: ReservationRow[], parts: readonly Part[], packed: Map<string, number>): Promise<void> {
  for (const part of parts) {
    let left = part.qty;
    const mine = reservations.filter((r) => r.item_id === part.itemId && r.qty > 0).reverse();
    for (const r of mine) {
      if (left === 0) break;
      const take = Math.min(left, r.qty - (packed.get(r.id) ?? 0));
      if (take <= 0) continue;
      await releaseReservation(ctx, r.id, take);
      r.qty -= take;
      left -= take;
    }
    invariant(left === 0, `order reservations of ${part.itemId} fall short by ${left}`);
  }
}

/**
 * Closes orders whose reservations lapsed unconfirmed: releases what they still hold and cancels
 * what was not shipped. Each order in its own short transaction; bounded per run.
 */
export async function expireOrders(ctx: ServiceContext, limit = 100): Promise<number> {
  const now = ctx.clock.now();
  const due = await reader(ctx)
    .selectFrom('orders')
    .select('id')
    .where('expires_at', '<=', now)
    .where('confirmed_at', 'is', null)
    .where('status', 'in', openStatuses)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
  let expired = 0;
  for (const { id } of due) {
    await inTransaction({ ...ctx, trx: undefined }, async (trx) => {
      const tctx = { ...ctx, trx };
      const taken = await trx
        .updateTable('orders')
        .set({ status: 'expired', cancel_reason: 'not confirmed in time', updated_at: now })
        .where('id', '=', id)
        .where('status', 'in', openStatuses)
        .where('confirmed_at', 'is', null)
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      if (taken.numUpdatedRows === 0n) return;
      for (const r of await listReservationsOfDocument(tctx, id)) {
        try {
          await releaseReservation(tctx, r.id);
        } catch (error) {
          // The ledger's own expiry job may have released it first.
          if (!(error instanceof LedgerError && error.code === 'reservation_not_found')) throw error;
        }
      }
      await trx
        .updateTable('order_lines')
        .set((eb) => ({ qty_cancelled: eb('qty', '-', eb.ref('qty_shipped')), qty_packed: 0 }))
        .where('order_id', '=', id)
        .execute();
      expired += 1;
    });
  }
  return expired;
}

export async function lockOpenOrder(ctx: ServiceContext, trx: Trx, orderId: string): Promise<{ order: OrderRow; lines: OrderLineRow[] }> {
  const order = await lockOpenOrderRow(ctx, trx, orderId);
  const lines = await trx.selectFrom('order_lines').selectAll().where('order_id', '=', orderId).orderBy('line_no').execute();
  return { order, lines };
}

/** Takes the order's lock and checks it is open and visible, without reading its lines. */
async function lockOpenOrderRow(ctx: ServiceContext, trx: Trx, orderId: string): Promise<OrderRow> {
  // Touching the row takes its lock on PostgreSQL, so two changes of one order run one after the other.
  const order = await trx.updateTable('orders').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', orderId).returningAll().executeTakeFirst();
  if (!order || !(await orderVisible(trx, ctx.actor, order.channel_id))) throw new SalesError('order_not_found', `No order ${orderId}.`);
  if (!openStatuses.includes(order.status)) throw new SalesError('order_not_open', `Order ${orderId} is ${order.status}.`, { extra: { order_status: order.status } });
  return order;
}

/** Works the status out from the lines' counts: what waits for stock, what is open, what went, what arrived. */
export function orderStatus(lines: ReadonlyArray<Pick<OrderLineRow, 'qty' | 'qty_shipped' | 'qty_cancelled' | 'qty_delivered' | 'allocation'>>, current: OrderStatus): OrderStatus {
  if (current === 'expired') return current;
  if (lines.every((l) => l.qty_cancelled === l.qty)) return 'cancelled';
  const open = lines.filter((l) => openQty(l) > 0);
  const shipped = lines.reduce((s, l) => s + l.qty_shipped, 0);
  if (open.length) {
    if (open.some((l) => l.allocation === 'back_ordered')) return 'back_ordered';
    return shipped > 0 ? 'partially_shipped' : 'allocated';
  }
  return lines.every((l) => l.qty_delivered === l.qty_shipped) ? 'delivered' : 'shipped';
}

export async function refreshOrderStatus(trx: Trx, orderId: string, now: number): Promise<OrderStatus> {
  // The order's status and its lines' counts in one statement (an order without lines gives one row of nulls).
  const rows = await trx
    .selectFrom('orders as o')
    .leftJoin('order_lines as l', 'l.order_id', 'o.id')
    .select(['o.status', 'l.id as line_id', 'l.qty', 'l.qty_shipped', 'l.qty_cancelled', 'l.qty_delivered', 'l.allocation'])
    .where('o.id', '=', orderId)
    .execute();
  if (rows.length === 0) throw new NoResultError(trx.selectFrom('orders').where('id', '=', orderId).toOperationNode());
  const lines = rows.flatMap(({ line_id, qty, qty_shipped, qty_cancelled, qty_delivered, allocation }) =>
    line_id === null ? [] : [{ qty: qty!, qty_shipped: qty_shipped!, qty_cancelled: qty_cancelled!, qty_delivered: qty_delivered!, allocation: allocation! }],
  );
  const status = orderStatus(lines, rows[0]!.status);
  await trx.updateTable('orders').set({ status, updated_at: now }).where('id', '=', orderId).execute();
  return status;
}

export type OrderLineProgress = 'packed' | 'unpacked' | 'shipped' | 'delivered';

/**
 * Fulfillment reports what happened to an order's units: packed into a shipment (or unpacked when
 * it is cancelled), shipped, delivered. Each count moves under a guard, so a report that does not
 * fit the line (more shipped than packed) is refused rather than clamped. One entry per line.
 */
export async function recordOrderProgress(ctx: ServiceContext, orderId: string, progress: OrderLineProgress, lines: ReadonlyArray<{ lineId: string; qty: number }>): Promise<OrderStatus> {
  return inTransaction(ctx, async (trx) => {
    if (progress === 'packed' || progress === 'unpacked') await lockOpenOrderRow(ctx, trx, orderId);
    if (lines.length) {
      // All the lines in one statement, each with its own quantity (a CASE on its id) under its own
      // guard; a line its guard holds back is not returned, and is the one the refusal names.
      const qty = sql<number>`case id ${sql.join(lines.map((l) => sql`when ${l.lineId} then cast(${l.qty} as bigint)`), sql` `)} end`;
      let update = trx.updateTable('order_lines').where('id', 'in', lines.map((l) => l.lineId)).where('order_id', '=', orderId);
      if (progress === 'packed') {
        update = update.set({ qty_packed: sql`qty_packed + ${qty}` }).where(sql<boolean>`qty_shipped + qty_cancelled + qty_packed + ${qty} <= qty`).where('allocation', '=', 'allocated');
      } else if (progress === 'unpacked') {
        update = update.set({ qty_packed: sql`qty_packed - ${qty}` }).where(sql<boolean>`qty_packed >= ${qty}`);
      } else if (progress === 'shipped') {
        update = update.set({ qty_packed: sql`qty_packed - ${qty}`, qty_shipped: sql`qty_shipped + ${qty}` }).where(sql<boolean>`qty_packed >= ${qty}`);
      } else {
        update = update.set({ qty_delivered: sql`qty_delivered + ${qty}` }).where(sql<boolean>`qty_delivered + ${qty} <= qty_shipped`);
      }
      const moved = new Set((await update.returning('id').execute()).map((r) => r.id));
      const refused = lines.find((l) => !moved.has(l.lineId));
      if (refused) throw new SalesError('order_conflict', `Line ${refused.lineId} of order ${orderId} cannot be ${progress} by ${refused.qty / QTY_SCALE}.`);
    }
    return refreshOrderStatus(trx, orderId, ctx.clock.now());
  });
}

export async function getOrder(ctx: ServiceContext, id: string): Promise<OrderRecord> {
  const db = reader(ctx);
  const order = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  if (!order || !(await orderVisible(db, ctx.actor, order.channel_id))) throw new SalesError('order_not_found', `No order ${id}.`);
  return (await loadOrderRecords(db, [order]))[0]!;
}

/** An order is seen by whoever sees its channel: anyone granted one of the sites it sells from. */
export async function orderVisible(db: Executor, actor: Actor, channelId: string): Promise<boolean> {
  if (actor.sites === 'all') return true;
  const sites = [...actor.sites];
  if (sites.length === 0) return false;
  return (await db.selectFrom('channel_sites').select('site_id').where('channel_id', '=', channelId).where('site_id', 'in', sites).limit(1).executeTakeFirst()) !== undefined;
}

export async function listOrders(
  ctx: ServiceContext,
  query: { channelId?: string; status?: OrderStatus; limit: number; cursor?: string },
): Promise<{ records: OrderRecord[]; nextCursor: string | null }> {
  const db = reader(ctx);
  const after = decodeCursor(query.cursor, ['number', 'string']);
  let q = db.selectFrom('orders').selectAll();
  if (query.channelId) q = q.where('channel_id', '=', query.channelId);
  if (query.status) q = q.where('status', '=', query.status);
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    q = q.where('channel_id', 'in', db.selectFrom('channel_sites').select('channel_id').where('site_id', 'in', sites.length ? sites : ['']));
  }
  if (after) {
    const [at, oid] = after as [number, string];
    q = q.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', oid)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1];
  return { records: await loadOrderRecords(db, page), nextCursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
}

async function loadOrderRecords(db: Executor, orders: readonly OrderRow[]): Promise<OrderRecord[]> {
  if (orders.length === 0) return [];
  const ids = orders.map((o) => o.id);
  const [lines, reservations] = await Promise.all([
    db.selectFrom('order_lines').selectAll().where('order_id', 'in', ids).orderBy('order_id').orderBy('line_no').execute(),
    listReservationsOfDocuments(db, ids),
  ]);
  return orders.map((order) => orderRecordOf(order, lines, reservations));
}

/** An order with its lines (in line order) and each line's reservations (in id order), from rows that may include other orders'. */
function orderRecordOf(order: OrderRow, lines: readonly OrderLineRow[], reservations: readonly ReservationRow[]): OrderRecord {
  return {
    order,
    lines: lines.filter((l) => l.order_id === order.id).map((l) => ({ ...l, reservations: reservations.filter((r) => r.document_line_id === l.id) })),
  };
}
