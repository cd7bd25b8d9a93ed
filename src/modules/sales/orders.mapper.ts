import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import { formatMoney } from '../../platform/money.ts';
import { formatPercent } from '../../platform/rate.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { lotOrNull } from '../ledger/index.ts';
import type { ChannelRecord } from './channels.service.ts';
import { openQty, type OrderRecord } from './orders.service.ts';
import type { OrderJson } from './orders.schema.ts';

export function toOrderJson(record: OrderRecord): OrderJson {
  const { order } = record;
  return {
    id: order.id,
    channel_id: order.channel_id,
    channel_order_id: order.channel_order_id,
    status: order.status,
    currency: order.currency,
    customer_name: order.customer_name,
    customer_email: order.customer_email,
    ship_to: order.ship_to,
    total: formatMoney(order.total_micros),
    tax_included: Number(order.tax_included) === 1,
    expires_at: toIsoOrNull(order.expires_at),
    confirmed_at: toIsoOrNull(order.confirmed_at),
    cancel_reason: order.cancel_reason,
    created_at: toIso(order.created_at),
    updated_at: toIso(order.updated_at),
    lines: record.lines.map((l) => ({
      id: l.id,
      line_no: l.line_no,
      item_id: l.item_id,
      qty: quantityToNumber(l.qty),
      unit_price: formatMoney(l.unit_price_micros),
      tax_rate: formatPercent(Number(l.tax_rate_ppm)),
      tax: formatMoney(Number(l.tax_micros)),
      total: formatMoney(l.total_micros),
      allocation: l.allocation,
      qty_open: quantityToNumber(openQty(l)),
      qty_packed: quantityToNumber(l.qty_packed),
      qty_shipped: quantityToNumber(l.qty_shipped),
      qty_delivered: quantityToNumber(l.qty_delivered),
      qty_cancelled: quantityToNumber(l.qty_cancelled),
      qty_returned: quantityToNumber(l.qty_returned),
      reservations: l.reservations.map((r) => ({
        id: r.id,
        item_id: r.item_id,
        location_id: r.location_id,
        lot_id: lotOrNull(r.lot_id),
        qty: quantityToNumber(r.qty),
        expires_at: toIsoOrNull(r.expires_at),
      })),
    })),
  };
}

export function toChannelJson(channel: ChannelRecord) {
  return {
    id: channel.id,
    name: channel.name,
    kind: channel.kind,
    site_ids: channel.siteIds,
    backorder_policy: channel.backorder_policy,
    reservation_ttl_minutes: channel.reservation_ttl_ms === null ? null : Math.floor(channel.reservation_ttl_ms / 60_000),
    categories: channel.categories,
    status: channel.status,
    created_at: toIso(channel.created_at),
    updated_at: toIso(channel.updated_at),
  };
}
