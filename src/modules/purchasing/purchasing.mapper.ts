import { z } from 'zod';
import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import { formatScaled } from '../../platform/decimal.ts';
import type { ReceiptRow, VendorItemRow, VendorRow } from '../../platform/db/schema.ts';
import { formatMoney, formatMoneyOrNull } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import type { View } from '../ledger/index.ts';
import { convertUnitPrice, fromBaseQty } from './conversion.ts';
import type { ExchangeRate } from './exchange-rates.service.ts';
import type { LandedCostRecord } from './landed-costs.service.ts';
import type { PurchaseOrderRecord, RevisionRecord } from './purchase-orders.service.ts';
import type {
  discrepancyOutput,
  landedCostOutput,
  purchaseOrderOutput,
  purchaseOrderSummaryOutput,
  receiptOutput,
  receiptSummaryOutput,
  revisionOutput,
  vendorItemOutput,
  vendorOutput,
  vendorPerformanceOutput,
} from './purchasing.schema.ts';
import type { LandedCostSummary, ReceiptRecord } from './receipts.service.ts';
import type { VendorPerformance } from './vendor-performance.service.ts';

/** Rows to JSON. Prices, costs and totals are left out for those who may not see costs. */

const percent = (thousandths: number) => quantityToNumber(thousandths);
export const formatRate = (rateE9: number) => formatScaled(rateE9, 9);

export function toVendorJson(row: VendorRow): z.infer<typeof vendorOutput> {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    contact_name: row.contact_name,
    currency: row.currency,
    payment_terms: row.payment_terms,
    lead_time_days: row.lead_time_days,
    over_receipt_tolerance_percent: percent(row.over_receipt_tolerance),
    notes: row.notes,
    status: row.status,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

export function toVendorItemJson(row: VendorItemRow, view: View): z.infer<typeof vendorItemOutput> {
  return {
    vendor_id: row.vendor_id,
    item_id: row.item_id,
    vendor_sku: row.vendor_sku,
    purchase_unit: row.purchase_unit,
    ...(view.costs ? { unit_cost: formatMoney(row.unit_cost_micros) } : {}),
    min_order_qty: row.min_order_qty === null ? null : quantityToNumber(row.min_order_qty),
    pack_multiple: row.pack_multiple === null ? null : quantityToNumber(row.pack_multiple),
    preferred: row.preferred === 1,
    updated_at: toIso(row.updated_at),
  };
}

export function toExchangeRateJson(rate: ExchangeRate) {
  return { currency: rate.currency, rate: formatRate(rate.rateE9), effective_on: rate.effectiveOn };
}

type DiscrepancyLike = {
  kind: z.infer<typeof discrepancyOutput>['kind'];
  receipt_id?: string | null;
  receipt_line_id: string | null;
  po_line_id: string | null;
  item_id: string;
  qty_base: number;
  detail: string;
  approved_by: string | null;
  beyond_tolerance?: boolean;
};

function toDiscrepancyJson(d: DiscrepancyLike, receiptId: string | null): z.infer<typeof discrepancyOutput> {
  return {
    kind: d.kind,
    receipt_id: d.receipt_id !== undefined ? d.receipt_id : receiptId,
    receipt_line_id: d.receipt_line_id,
    purchase_order_line_id: d.po_line_id,
    item_id: d.item_id,
    qty: quantityToNumber(d.qty_base),
    detail: d.detail,
    beyond_tolerance: d.beyond_tolerance ?? d.approved_by !== null,
    approved_by: d.approved_by,
  };
}

export function toPurchaseOrderJson(po: PurchaseOrderRecord, view: View): z.infer<typeof purchaseOrderOutput> {
  return {
    id: po.id,
    number: po.number,
    status: po.status,
    revision: po.revision,
    vendor: { id: po.vendor.id, name: po.vendor.name },
    currency: po.currency,
    delivery_site_id: po.delivery_site_id,
    expected_on: po.expected_on,
    notes: po.notes,
    terms: po.terms,
    ...(view.costs
      ? {
          tax_rate_percent: percent(po.tax_rate),
          shipping: formatMoney(po.shipping_micros),
          subtotal: formatMoney(po.subtotalMicros),
          tax: formatMoney(po.taxMicros),
          total: formatMoney(po.totalMicros),
        }
      : {}),
    lines: po.lines.map((l) => {
      const outstandingInUnit = fromBaseQty(l.qtyOutstandingBase, l.unit_factor);
      return {
        id: l.id,
        line_no: l.line_no,
        item_id: l.item_id,
        vendor_sku: l.vendor_sku,
        qty: quantityToNumber(l.qty),
        unit: l.unit,
        unit_factor: quantityToNumber(l.unit_factor),
        qty_base: quantityToNumber(l.qty_base),
        ...(view.costs
          ? { unit_price: formatMoney(l.unit_price_micros), tax_rate_percent: percent(l.taxRate), subtotal: formatMoney(l.subtotalMicros), tax: formatMoney(l.taxMicros) }
          : {}),
        qty_received: quantityToNumber(l.qtyReceivedBase),
        qty_damaged: quantityToNumber(l.qtyDamagedBase),
        qty_outstanding: quantityToNumber(l.qtyOutstandingBase),
        qty_outstanding_in_unit: outstandingInUnit === null ? null : quantityToNumber(outstandingInUnit),
        notes: l.notes,
        warnings: l.warnings,
      };
    }),
    receipts: po.receipts.map((r) => ({ id: r.id, number: r.number, status: r.status, received_at: toIsoOrNull(r.received_at), posted_at: toIsoOrNull(r.posted_at) })),
    discrepancies: po.discrepancies.map((d) => toDiscrepancyJson(d, null)),
    created_by: po.created_by,
    created_at: toIso(po.created_at),
    updated_at: toIso(po.updated_at),
    sent_at: toIsoOrNull(po.sent_at),
    received_at: toIsoOrNull(po.received_at),
    closed_at: toIsoOrNull(po.closed_at),
    cancelled_at: toIsoOrNull(po.cancelled_at),
    email: po.email_delivery_id === null ? null : { delivery_id: po.email_delivery_id, message_id: po.email_message_id },
  };
}

export function toPurchaseOrderSummaryJson(po: PurchaseOrderRecord | Omit<PurchaseOrderRecord, 'vendor' | 'lines' | 'subtotalMicros' | 'taxMicros' | 'totalMicros' | 'receipts' | 'discrepancies'>): z.infer<typeof purchaseOrderSummaryOutput> {
  return {
    id: po.id,
    number: po.number,
    status: po.status,
    vendor_id: po.vendor_id,
    currency: po.currency,
    delivery_site_id: po.delivery_site_id,
    expected_on: po.expected_on,
    revision: po.revision,
    created_at: toIso(po.created_at),
    sent_at: toIsoOrNull(po.sent_at),
  };
}

/** The fields of a revision that are prices: left out, like the order's own, for those who may not see costs. */
const costFields = new Set(['unit_price', 'shipping', 'tax_rate_percent']);

export function toRevisionJson(r: RevisionRecord, view: View): z.infer<typeof revisionOutput> {
  const changes = view.costs
    ? r.changes
    : r.changes
        .filter((c) => !costFields.has(c.field))
        .map((c) => ({ ...c, ...(c.to !== undefined ? { to: withoutPrices(c.to) } : {}), ...(c.from !== undefined ? { from: withoutPrices(c.from) } : {}) }));
  return { revision: r.revision, actor_id: r.actorId, created_at: toIso(r.createdAt), changes };
}

/** A line as a revision recorded it (added or removed), without its price. */
function withoutPrices(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !costFields.has(key)));
}

function landedSummaryJson(c: LandedCostSummary, receiptId: string): z.infer<typeof landedCostOutput> {
  return {
    id: c.id,
    number: c.number,
    kind: c.kind as z.infer<typeof landedCostOutput>['kind'],
    method: c.method as z.infer<typeof landedCostOutput>['method'],
    reference: c.reference,
    currency: c.currency,
    amount: formatMoney(c.amountMicros),
    amount_base: formatMoney(c.amountBaseMicros),
    allocations: c.allocations.map((a) => ({ receipt_id: receiptId, receipt_line_id: a.receiptLineId, amount_base: formatMoney(a.micros) })),
  };
}

export function toLandedCostJson(c: LandedCostRecord): z.infer<typeof landedCostOutput> {
  return {
    id: c.id,
    number: c.number,
    kind: c.kind,
    method: c.method,
    reference: c.reference,
    currency: c.currency,
    amount: formatMoney(c.amountMicros),
    exchange_rate: formatRate(c.exchangeRateE9),
    amount_base: formatMoney(c.amountBaseMicros),
    allocations: c.allocations.map((a) => ({ receipt_id: a.receiptId, receipt_line_id: a.receiptLineId, movement_id: a.movementId, amount_base: formatMoney(a.micros) })),
  };
}

export function toReceiptJson(r: ReceiptRecord, view: View): z.infer<typeof receiptOutput> {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    purchase_order: r.purchaseOrder,
    vendor: r.vendor ? { id: r.vendor.id, name: r.vendor.name } : null,
    site_id: r.site_id,
    currency: r.currency,
    exchange_rate: r.exchange_rate_e9 === null ? null : formatRate(r.exchange_rate_e9),
    rate_source: r.rate_source,
    received_at: toIsoOrNull(r.received_at),
    notes: r.notes,
    lines: r.lines.map((l) => ({
      id: l.id,
      line_no: l.line_no,
      purchase_order_line_id: l.po_line_id,
      item_id: l.item_id,
      qty: quantityToNumber(l.qty),
      unit: l.unit,
      qty_base: quantityToNumber(l.qty_base),
      lot_code: l.lot_code,
      expires_on: l.expires_on,
      serials: l.serials,
      condition: l.condition,
      disposition: l.disposition,
      bin_id: l.bin_id,
      ...(view.costs
        ? {
            unit_cost: l.price_micros === null || l.price_unit_factor === null ? null : formatMoney(convertUnitPrice(l.price_micros, l.price_unit_factor, l.unit_factor)),
            base_unit_cost: formatMoneyOrNull(l.base_unit_cost_micros),
          }
        : {}),
    })),
    discrepancies: r.discrepancies.map((d) => toDiscrepancyJson(d, r.id)),
    needs_approval: r.needsApproval,
    purchase_order_lines: r.progress.map((p) => ({
      purchase_order_line_id: p.poLineId,
      line_no: p.lineNo,
      item_id: p.itemId,
      ordered: quantityToNumber(p.orderedBase),
      received_before: quantityToNumber(p.receivedBeforeBase),
      good_on_this_receipt: quantityToNumber(p.goodOnThisReceiptBase),
      damaged_on_this_receipt: quantityToNumber(p.damagedOnThisReceiptBase),
      outstanding_after: quantityToNumber(p.outstandingAfterBase),
    })),
    ...(view.costs ? { landed_costs: r.landedCosts.map((c) => landedSummaryJson(c, r.id)) } : {}),
    created_by: r.created_by,
    created_at: toIso(r.created_at),
    submitted_at: toIsoOrNull(r.submitted_at),
    approved_by: r.approved_by,
    approved_at: toIsoOrNull(r.approved_at),
    posted_by: r.posted_by,
    posted_at: toIsoOrNull(r.posted_at),
    cancelled_at: toIsoOrNull(r.cancelled_at),
    txn_id: r.txn_id,
    scrap_txn_id: r.scrap_txn_id,
  };
}

export function toReceiptSummaryJson(r: ReceiptRow): z.infer<typeof receiptSummaryOutput> {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    purchase_order_id: r.po_id,
    vendor_id: r.vendor_id,
    site_id: r.site_id,
    received_at: toIsoOrNull(r.received_at),
    created_at: toIso(r.created_at),
    posted_at: toIsoOrNull(r.posted_at),
  };
}

export function toVendorPerformanceJson(p: VendorPerformance, view: View): z.infer<typeof vendorPerformanceOutput>['data'][number] {
  return {
    vendor_id: p.vendor.id,
    vendor_name: p.vendor.name,
    currency: p.vendor.currency,
    purchase_orders: p.purchaseOrders,
    deliveries: p.deliveries,
    deliveries_with_due_date: p.deliveriesWithDueDate,
    on_time_deliveries: p.onTimeDeliveries,
    on_time_rate_percent: p.onTimeRatePercent,
    ordered_qty: quantityToNumber(p.orderedBase),
    received_qty: quantityToNumber(p.receivedBase),
    fill_rate_percent: p.fillRatePercent,
    orders_fully_received: p.ordersFullyReceived,
    average_lead_time_days: p.averageLeadTimeDays,
    promised_lead_time_days: p.promisedLeadTimeDays,
    ...(view.costs ? { price_variance: formatMoney(p.priceVarianceMicros), price_variance_percent: p.priceVariancePercent } : {}),
    discrepancies: p.discrepancies,
  };
}
