import { toIso } from '../../platform/clock.ts';
import type { MovementRow, PaymentRow } from '../../platform/db/schema.ts';
import { formatMoney } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { formatPercent } from '../../platform/rate.ts';
import { lotOrNull, type NegativeBalance, type View } from '../ledger/index.ts';
import type { SaleRecord } from './checkout.service.ts';
import type { ReturnRecord } from './returns.service.ts';
import type { ReturnJson, SaleJson } from './sales.schema.ts';
import type { OfflineShortage } from './offline-shortage.ts';

/** Staff see what was sold and for how much, never what it cost or the margin (View.costs). */

export function toConsumedJson(m: MovementRow, view: View, locationOf: (m: MovementRow) => string) {
  return {
    item_id: m.item_id,
    lot_id: lotOrNull(m.lot_id),
    location_id: locationOf(m),
    qty: quantityToNumber(m.qty),
    ...(view.costs ? { cost: m.value_micros === null ? null : formatMoney(m.value_micros) } : {}),
  };
}

export function toWarningsJson(balances: readonly NegativeBalance[]) {
  return balances.map((b) => ({
    code: 'negative_balance' as const,
    item_id: b.itemId,
    location_id: b.locationId,
    lot_id: lotOrNull(b.lotId),
    on_hand: quantityToNumber(b.onHand),
  }));
}

/** What a replayed offline sale took beyond a strict site's records: booked as shortage, to be counted. */
export function toShortageWarningsJson(shortages: readonly OfflineShortage[]) {
  return shortages.map((s) => ({
    code: 'offline_shortage' as const,
    item_id: s.itemId,
    location_id: s.locationId,
    lot_id: lotOrNull(s.lotId),
    qty: quantityToNumber(s.qty),
  }));
}

export function toPaymentJson(p: PaymentRow) {
  return { tender: p.tender, amount: formatMoney(p.amount_micros), reference: p.reference };
}

const costOf = (movements: readonly MovementRow[]) => movements.reduce((sum, m) => sum + (m.value_micros ?? 0), 0);

export function toSaleJson(record: SaleRecord, view: View): SaleJson {
  const { sale } = record;
  const cost = record.lines.reduce((sum, l) => sum + costOf(l.movements), 0);
  const net = record.lines.reduce((sum, l) => sum + l.net_micros, 0);
  return {
    id: sale.id,
    number: sale.number,
    register: sale.register,
    location_id: sale.location_id,
    site_id: sale.site_id,
    channel_id: sale.channel_id,
    currency: sale.currency,
    status: sale.status,
    employee: sale.employee,
    note: sale.note,
    exchange_id: sale.exchange_id,
    created_at: toIso(sale.created_at),
    tax_included: Number(sale.tax_included) === 1,
    lines: record.lines.map((l) => ({
      id: l.id,
      line_no: l.line_no,
      item_id: l.item_id,
      sku: l.sku,
      name: l.name,
      lot_id: lotOrNull(l.lot_id),
      qty: quantityToNumber(l.qty),
      base_unit_price: formatMoney(l.base_unit_price_micros),
      unit_price: formatMoney(l.unit_price_micros),
      modifiers: l.modifiers.map((m) => ({ modifier_id: m.modifier_id, group_id: m.group_id, name: m.name, price_delta: formatMoney(m.price_delta_micros) })),
      gross: formatMoney(l.gross_micros),
      discount: formatMoney(l.line_discount_micros),
      sale_discount: formatMoney(l.sale_discount_micros),
      net: formatMoney(l.net_micros),
      tax_rate: formatPercent(l.tax_rate_ppm),
      tax: formatMoney(l.tax_micros),
      total: formatMoney(l.total_micros),
      qty_returned: quantityToNumber(l.qty_returned),
      refunded: formatMoney(l.refunded_micros),
      consumed: l.movements.map((m) => toConsumedJson(m, view, (x) => x.from_location_id)),
      ...(view.costs ? { cost: formatMoney(costOf(l.movements)), margin: formatMoney(l.net_micros - costOf(l.movements)) } : {}),
    })),
    discounts: record.discounts.map((d) => ({
      line_id: d.sale_line_id,
      kind: d.kind,
      percent: d.percent_ppm === null ? null : formatPercent(d.percent_ppm),
      amount: formatMoney(d.amount_micros),
      reason: d.reason,
      employee: d.employee,
    })),
    totals: {
      subtotal: formatMoney(sale.subtotal_micros),
      discount: formatMoney(sale.discount_micros),
      tax: formatMoney(sale.tax_micros),
      total: formatMoney(sale.total_micros),
      paid: formatMoney(sale.paid_micros),
      change: formatMoney(sale.change_micros),
      refunded: formatMoney(sale.refunded_micros),
    },
    payments: record.payments.map(toPaymentJson),
    ...(view.costs ? { cost_of_goods: formatMoney(cost), margin: formatMoney(net - cost) } : {}),
    warnings: [...toWarningsJson(record.negativeBalances), ...toShortageWarningsJson(record.offlineShortages)],
  };
}

export function toReturnJson(record: ReturnRecord, view: View): ReturnJson {
  const r = record.ret;
  return {
    id: r.id,
    kind: r.kind,
    sale_id: r.sale_id,
    order_id: r.order_id,
    reason: r.reason,
    note: r.note,
    currency: r.currency,
    refund: formatMoney(r.refund_micros),
    exchange_id: r.exchange_id,
    created_at: toIso(r.created_at),
    lines: record.lines.map((l) => ({
      id: l.id,
      line_no: l.line_no,
      line_id: (l.sale_line_id ?? l.order_line_id)!,
      item_id: l.item_id,
      qty: quantityToNumber(l.qty),
      condition: l.condition,
      to_location_id: l.to_location_id,
      refund: formatMoney(l.refund_micros),
      returned: l.movements.map((m) => toConsumedJson(m, view, (x) => x.to_location_id)),
    })),
    refunds: record.refunds.map(toPaymentJson),
  };
}
