import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { ChannelConnectionRow } from '../../platform/db/schema.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import { parseMoney } from '../../platform/money.ts';
import { resolveItemRefs } from '../catalog/index.ts';
import { createPickLists, markPicked, packShipment, shipShipment } from '../fulfillment/index.ts';
import { amendOrder, cancelOrder, createOrder, createReturn, getOrder, openQty, SalesError } from '../sales/index.ts';
import type { UpstreamOrder } from './adapter.ts';
import { IntegrationError } from './integrations.errors.ts';

export type ApplyOutcome = 'created' | 'updated' | 'cancelled' | 'unchanged' | 'stale';

/**
 * Brings the Stockroom order of an upstream order to the upstream state given, if that state is
 * newer than the last one applied (by `version`); an older or equal one changes nothing, so
 * duplicates and late retries are harmless and an update that arrives before its create simply
 * creates the order in its newer state. The state row is locked first, so two deliveries of one
 * order apply one after the other.
 */
export async function applyUpstreamOrder(ctx: ServiceContext, connection: ChannelConnectionRow, order: UpstreamOrder): Promise<ApplyOutcome> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const now = ctx.clock.now();
    const state = await lockState(trx, connection.id, order.orderRef, now);
    if (state.version >= order.version) return 'stale';
    const wanted = await wantedLines(trx, connection.id, order);
    let orderId = state.order_id;
    let outcome: ApplyOutcome = 'unchanged';
    if (order.status === 'cancelled') {
      if (orderId && (await cancelRest(tctx, orderId, `cancelled on ${connection.platform}`))) outcome = 'cancelled';
    } else if (!orderId) {
      if (wanted.some((w) => w.qty > 0)) {
        const taken = await createOrder(tctx, {
          channel_id: connection.channel_id,
          channel_order_id: order.orderRef,
          currency: order.currency,
          lines: wanted.filter((w) => w.qty > 0).map((w) => ({ item_id: w.item_id, qty: w.qty, unit_price: w.unit_price })),
        });
        orderId = taken.record.order.id;
        outcome = 'created';
        if (!taken.created && (await amendIfOpen(tctx, orderId, wanted))) outcome = 'updated';
      }
    } else if (order.status !== 'fulfilled' && (await amendIfOpen(tctx, orderId, wanted))) {
      // A fulfilled state does not amend: what it still lists may include units already taken off
      // by an earlier refund; it ships what is open and returns what was restocked.
      outcome = 'updated';
    }
    if (orderId && order.status === 'fulfilled' && (await shipOpen(tctx, orderId, connection.platform))) outcome = 'updated';
    if (orderId && (await returnRestocked(tctx, orderId, order, wanted, connection.platform))) outcome = 'updated';
    await trx
      .updateTable('channel_order_states')
      .set({ order_id: orderId, version: order.version, status: order.status, state_json: JSON.stringify(order), updated_at: now })
      .where('connection_id', '=', connection.id)
      .where('order_ref', '=', order.orderRef)
      .execute();
    return outcome;
  });
}

async function lockState(trx: Trx, connectionId: string, orderRef: string, now: number) {
  await trx
    .insertInto('channel_order_states')
    .values({ connection_id: connectionId, order_ref: orderRef, order_id: null, version: -1, status: 'new', state_json: '{}', updated_at: now })
    .onConflict((oc) => oc.columns(['connection_id', 'order_ref']).doNothing())
    .execute();
  // Touching the row takes its lock on PostgreSQL (SQLite has one writer anyway).
  return trx
    .updateTable('channel_order_states')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('connection_id', '=', connectionId)
    .where('order_ref', '=', orderRef)
    .returningAll()
    .executeTakeFirstOrThrow();
}

interface WantedLine {
  item_id: string;
  /** Units refunded with restock upstream, for returns once shipped. */
  restocked: number;
  qty: number;
  unit_price: number;
}

/**
 * The quantities the upstream order still sells, per Stockroom item: each line less what was
 * refunded of it (a refund before shipping takes the units off the order). Lines are matched by
 * the catalogue map, else by SKU; a line that matches nothing stops the order (fix the map, retry).
 */
async function wantedLines(trx: Trx, connectionId: string, order: UpstreamOrder): Promise<WantedLine[]> {
  const refs = order.lines.flatMap((l) => (l.variantRef ? [l.variantRef] : []));
  const maps = refs.length
    ? await trx
        .selectFrom('channel_variant_maps')
        .select(['variant_ref', 'parent_ref', 'item_id'])
        .where('connection_id', '=', connectionId)
        .where((eb) => eb.or([eb('variant_ref', 'in', refs), eb('parent_ref', 'in', refs)]))
        .execute()
    : [];
  // A line names the variant by its ref or, where the platform stocks a second id (Shopify's inventory item), by its parent ref.
  const byRef = new Map(maps.filter((m) => m.item_id).flatMap((m) => [[m.variant_ref, m.item_id!] as const, ...(m.parent_ref ? [[m.parent_ref, m.item_id!] as const] : [])]));
  const bySku = await resolveItemRefs(trx, { ids: [], skus: order.lines.flatMap((l) => (l.sku?.trim() ? [l.sku] : [])), barcodes: [] });
  const refunded = new Map<string, number>();
  const restocked = new Map<string, number>();
  for (const refund of order.refunds) {
    for (const l of refund.lines) {
      refunded.set(l.lineRef, (refunded.get(l.lineRef) ?? 0) + l.qty);
      if (l.restock) restocked.set(l.lineRef, (restocked.get(l.lineRef) ?? 0) + l.qty);
    }
  }
  const wanted = new Map<string, WantedLine>();
  for (const line of order.lines) {
    const itemId = (line.variantRef ? byRef.get(line.variantRef) : undefined) ?? (line.sku?.trim() ? bySku.bySku.get(line.sku.trim().toUpperCase())?.id : undefined);
    if (!itemId) throw new IntegrationError('upstream_line_unmapped', `Line ${line.title} (${line.sku ?? line.variantRef ?? 'no sku'}) of ${order.name} sells nothing mapped in Stockroom.`);
    // While the order is open upstream a refund takes its units off the order. Once it is fulfilled
    // the order holds what shipped, and a restocking refund is a return (below).
    const qty = line.qty - (order.status === 'fulfilled' ? 0 : (refunded.get(line.lineRef) ?? 0));
    const price = parseMoney(line.unitPrice);
    const current = wanted.get(itemId);
    wanted.set(itemId, {
      item_id: itemId,
      qty: (current?.qty ?? 0) + Math.max(0, qty),
      restocked: (current?.restocked ?? 0) + (restocked.get(line.lineRef) ?? 0),
      unit_price: current?.unit_price ?? (price.ok && price.value >= 0 ? price.value : 0),
    });
  }
  return [...wanted.values()];
}

/** Amends an order still open; one already closed (shipped, cancelled here) is left as it is. */
async function amendIfOpen(ctx: ServiceContext, orderId: string, wanted: WantedLine[]): Promise<boolean> {
  const record = await getOrder(ctx, orderId);
  if (!['back_ordered', 'allocated', 'partially_shipped'].includes(record.order.status)) return false;
  const keep = wanted.filter((w) => w.qty > 0);
  if (keep.length === 0) return cancelRest(ctx, orderId, 'every line removed upstream');
  return (await amendOrder(ctx, orderId, keep.map((w) => ({ item_id: w.item_id, qty: w.qty, unit_price: w.unit_price })))).changed;
}

async function cancelRest(ctx: ServiceContext, orderId: string, reason: string): Promise<boolean> {
  try {
    await cancelOrder(ctx, orderId, { reason });
    return true;
  } catch (error) {
    if (error instanceof SalesError && error.code === 'order_not_open') return false;
    throw error;
  }
}

/**
 * The platform says the order went out: ship what is still open here, through the usual pick,
 * pack and ship documents, so the stock leaves the ledger as any shipment's does.
 */
async function shipOpen(ctx: ServiceContext, orderId: string, platform: string): Promise<boolean> {
  const record = await getOrder(ctx, orderId);
  if (!['allocated', 'partially_shipped'].includes(record.order.status)) return false;
  const open = new Map(record.lines.filter((l) => l.allocation === 'allocated' && openQty(l) - l.qty_packed > 0).map((l) => [l.id, openQty(l) - l.qty_packed]));
  if (open.size === 0) return false;
  for (const list of await createPickLists(ctx, orderId)) {
    await markPicked(ctx, list.list.id);
    const lineIds = [...new Set(list.lines.map((l) => l.order_line_id))].filter((id) => open.has(id));
    if (lineIds.length === 0) continue;
    const shipment = await packShipment(ctx, list.list.id, { packages: [{ weight_g: 1000, lines: lineIds.map((id) => ({ order_line_id: id, qty: open.get(id)! })) }] });
    await shipShipment(ctx, shipment.shipment.id, { carrier: platform, service: 'fulfilled upstream', packages: shipment.packages.map((p) => ({ package_id: p.id, tracking_number: orderId })) });
  }
  return true;
}

/**
 * Refunds upstream that put units back on the shelf become a return here, once those units have
 * shipped: per item, what was refunded with restock less what came back already and less what was
 * cancelled before shipping (a refund then takes units off the order instead).
 */
async function returnRestocked(ctx: ServiceContext, orderId: string, order: UpstreamOrder, wanted: readonly WantedLine[], platform: string): Promise<boolean> {
  if (!wanted.some((w) => w.restocked > 0)) return false;
  const record = await getOrder(ctx, orderId);
  const lines: Array<{ line_id: string; qty: number; condition: 'restockable' }> = [];
  for (const w of wanted) {
    const mine = record.lines.filter((l) => l.item_id === w.item_id);
    let owed = w.restocked - mine.reduce((s, l) => s + l.qty_returned + l.qty_cancelled, 0);
    for (const l of mine) {
      const take = Math.min(owed, l.qty_shipped - l.qty_returned);
      if (take <= 0) continue;
      lines.push({ line_id: l.id, qty: take, condition: 'restockable' });
      owed -= take;
    }
  }
  if (lines.length === 0) return false;
  await createReturn(ctx, { order_id: orderId, reason: `refunded with restock on ${platform} (${order.name})`, lines } as Parameters<typeof createReturn>[1]);
  return true;
}
