import { sql } from 'kysely';
import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { OrderLineRow } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { minorUnitMicros } from '../../platform/money.ts';
import { resolveItemRefs } from '../catalog/index.ts';
import { listReservationsOfDocument } from '../ledger/index.ts';
import { readSettings } from '../settings/index.ts';
import { resolveTaxRates } from '../tax/index.ts';
import { getChannel } from './channels.service.ts';
import { expandLine, loadConsumables, partsOfShare } from './consumption.ts';
import {
  orderLineAmounts,
  allocateLines,
  getOrder,
  lockOpenOrder,
  openQty,
  packedOf,
  partsOf,
  refreshOrderStatus,
  releaseParts,
  shortfallOf,
  type OrderRecord,
} from './orders.service.ts';
import { SalesError } from './sales.errors.ts';

export interface AmendOrderLine {
  item_id: string;
  /** The whole quantity the order should now hold of the item (thousandths). */
  qty: number;
  /** Micros per base unit for a quantity added; the item's price when left out. */
  unit_price?: number;
}

/**
 * Brings an open order to the quantities given per item: the channel changed it (a line added,
 * removed or its quantity edited). Units taken away are cancelled on the order's lines, latest
 * first, and their reservations released; units added go on a new line that reserves as a new
 * order would (refused with 409 insufficient_stock where the channel refuses back-orders). What is
 * packed or shipped cannot be taken away: asking for less than that is a conflict. Lines keep
 * their history (cancelled counts), so the order's document trail stays whole.
 */
export async function amendOrder(ctx: ServiceContext, orderId: string, wanted: readonly AmendOrderLine[]): Promise<{ record: OrderRecord; changed: boolean }> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const { order, lines } = await lockOpenOrder(tctx, trx, orderId);
    const now = ctx.clock.now();
    const want = new Map<string, AmendOrderLine>();
    for (const line of wanted) want.set(line.item_id, { ...line, qty: (want.get(line.item_id)?.qty ?? 0) + line.qty });
    const held = new Map<string, number>();
    for (const l of lines) held.set(l.item_id, (held.get(l.item_id) ?? 0) + l.qty - l.qty_cancelled);
    let changed = false;

    const [reservations, packed] = await Promise.all([listReservationsOfDocument(tctx, orderId), packedOf(trx, orderId)]);
    for (const [itemId, have] of held) {
      let excess = have - (want.get(itemId)?.qty ?? 0);
      for (const line of [...lines].reverse()) {
        if (excess <= 0) break;
        if (line.item_id !== itemId) continue;
        const take = Math.min(excess, openQty(line) - line.qty_packed);
        if (take <= 0) continue;
        await cancelUnits(tctx, line, take, reservations.filter((r) => r.document_line_id === line.id), packed);
        excess -= take;
        changed = true;
      }
      if (excess > 0) throw new SalesError('order_conflict', `Order ${orderId} has more of ${itemId} packed or shipped than the change leaves.`);
    }

    const added = [...want.values()].filter((w) => w.qty > (held.get(w.item_id) ?? 0));
    if (added.length) {
      await addLines(tctx, order.channel_id, orderId, lines, added.map((w) => ({ ...w, qty: w.qty - (held.get(w.item_id) ?? 0) })), now);
      changed = true;
    }
    if (changed) await refreshTotal(tctx, orderId, now);
    return { record: await getOrder(tctx, orderId), changed };
  });
}

async function cancelUnits(ctx: ServiceContext, line: OrderLineRow, qty: number, reservations: Parameters<typeof releaseParts>[1], packed: Map<string, number>): Promise<void> {
  const trx = ctx.trx!;
  const done = line.qty_shipped + line.qty_cancelled + line.qty_packed;
  const updated = await trx
    .updateTable('order_lines')
    .set((eb) => ({ qty_cancelled: eb('qty_cancelled', '+', qty) }))
    .where('id', '=', line.id)
    .where(sql<boolean>`qty_shipped + qty_cancelled + qty_packed + ${qty} <= qty`)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) throw new SalesError('order_conflict', `Line ${line.line_no} changed meanwhile; look at the order again.`);
  if (line.allocation === 'allocated') await releaseParts(ctx, reservations, partsOfShare(partsOf(line), line.qty, done, qty), packed);
  line.qty_cancelled += qty;
}

async function addLines(ctx: ServiceContext, channelId: string, orderId: string, existing: readonly OrderLineRow[], added: readonly AmendOrderLine[], now: number): Promise<void> {
  const trx = ctx.trx!;
  const channel = await getChannel(ctx, channelId);
  const [resolved, settings] = await Promise.all([resolveItemRefs(trx, { ids: added.map((a) => a.item_id), skus: [], barcodes: [] }), readSettings(trx)]);
  const unit = minorUnitMicros(settings.base_currency);
  const catalog = await loadConsumables(trx, resolved.byId, []);
  const order = await trx.selectFrom('orders').select(['expires_at', 'confirmed_at', 'tax_included']).where('id', '=', orderId).executeTakeFirstOrThrow();
  const addedItems = added.map((a) => resolved.byId.get(a.item_id) ?? { id: a.item_id, category: null });
  const rates = await resolveTaxRates(trx, channel.siteIds[0]!, addedItems);
  let lineNo = existing.reduce((max, l) => Math.max(max, l.line_no), 0);
  const rows: OrderLineRow[] = added.map((a, i) => {
    const item = resolved.byId.get(a.item_id);
    if (!item || item.status !== 'active') throw new SalesError('order_invalid', `No active item ${a.item_id}.`);
    const price = a.unit_price ?? item.price_micros;
    if (price === null) throw new SalesError('order_invalid', `${item.sku} has no price.`);
    lineNo += 1;
    const amounts = orderLineAmounts(a.qty, price, rates[i]!, unit, Number(order.tax_included) === 1);
    return {
      id: newId('orl', now),
      order_id: orderId,
      line_no: lineNo,
      item_id: item.id,
      qty: a.qty,
      unit_price_micros: price,
      total_micros: amounts.total,
      tax_rate_ppm: rates[i]!,
      tax_micros: amounts.tax,
      allocation: 'allocated',
      qty_packed: 0,
      qty_shipped: 0,
      qty_delivered: 0,
      qty_cancelled: 0,
      qty_returned: 0,
      refunded_micros: 0,
      parts_json: JSON.stringify(expandLine(item.id, a.qty, [], catalog)),
    };
  });
  const expiresAt = order.confirmed_at === null ? order.expires_at : null;
  const uncovered = await allocateLines(ctx, channel, orderId, rows.map((l) => ({ lineId: l.id, parts: partsOf(l) })), expiresAt);
  if (uncovered.size > 0 && channel.backorder_policy === 'refuse') throw await shortfallOf(trx, channel, rows.find((l) => uncovered.has(l.id))!, now);
  for (const row of rows) if (uncovered.has(row.id)) row.allocation = 'back_ordered';
  await trx.insertInto('order_lines').values(rows).execute();
}

/** The order's total is what it still sells: each line's price times its quantity not cancelled, with its tax. */
async function refreshTotal(ctx: ServiceContext, orderId: string, now: number): Promise<void> {
  const trx = ctx.trx!;
  const settings = await readSettings(trx);
  const unit = minorUnitMicros(settings.base_currency);
  const order = await trx.selectFrom('orders').select('tax_included').where('id', '=', orderId).executeTakeFirstOrThrow();
  const lines = await trx.selectFrom('order_lines').select(['qty', 'qty_cancelled', 'unit_price_micros', 'tax_rate_ppm']).where('order_id', '=', orderId).execute();
  const total = lines.reduce((s, l) => s + orderLineAmounts(l.qty - l.qty_cancelled, l.unit_price_micros, Number(l.tax_rate_ppm), unit, Number(order.tax_included) === 1).total, 0);
  await trx.updateTable('orders').set({ total_micros: total }).where('id', '=', orderId).execute();
  await refreshOrderStatus(trx, orderId, now);
}
