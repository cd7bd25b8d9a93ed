import { reader, type ServiceContext } from '../../platform/context.ts';
import { csvText } from '../../platform/csv.ts';
import { formatMoney } from '../../platform/money.ts';
import { formatQuantity } from '../../platform/quantity.ts';
import { findItems } from '../catalog/index.ts';
import { findLocation } from '../locations/index.ts';
import { readSettings } from '../settings/index.ts';
import { getPurchaseOrder, type PurchaseOrderRecord } from './purchase-orders.service.ts';

/**
 * What a vendor's copy of a purchase order shows, gathered once (outside any transaction) for the
 * PDF and the CSV: the shop and where to deliver, the vendor, the order's number, dates and
 * revision, its lines with the vendor's SKUs, and its totals.
 */
export interface PurchaseOrderDocument {
  shopName: string;
  deliveryName: string;
  deliveryAddress: string | null;
  order: PurchaseOrderRecord;
  lines: Array<{ lineNo: number; vendorSku: string | null; sku: string; name: string; qty: string; unit: string; unitPrice: string; amount: string; taxRate: string; tax: string }>;
  /** Prices are left out for those who may not see costs. */
  withPrices: boolean;
}

export async function loadPurchaseOrderDocument(ctx: ServiceContext, id: string, withPrices: boolean): Promise<PurchaseOrderDocument> {
  const order = await getPurchaseOrder(ctx, id);
  const db = reader(ctx);
  const [settings, site, items] = await Promise.all([readSettings(db), findLocation(db, order.delivery_site_id), findItems(db, order.lines.map((l) => l.item_id))]);
  return {
    shopName: settings.shop_name,
    deliveryName: site?.name ?? order.delivery_site_id,
    deliveryAddress: site?.address ?? null,
    order,
    withPrices,
    lines: order.lines.map((l) => ({
      lineNo: l.line_no,
      vendorSku: l.vendor_sku,
      sku: items.get(l.item_id)?.sku ?? l.item_id,
      name: items.get(l.item_id)?.name ?? '',
      qty: formatQuantity(l.qty),
      unit: l.unit,
      unitPrice: formatMoney(l.unit_price_micros),
      amount: formatMoney(l.subtotalMicros),
      taxRate: formatQuantity(l.taxRate),
      tax: formatMoney(l.taxMicros),
    })),
  };
}

/** One row per line, with a header; prices and amounts in the order's currency. */
export function purchaseOrderCsv(doc: PurchaseOrderDocument): string {
  const priced = doc.withPrices;
  const header = ['po_number', 'line_no', 'vendor_sku', 'sku', 'description', 'qty', 'unit', ...(priced ? ['currency', 'unit_price', 'amount', 'tax_rate_percent', 'tax'] : []), 'expected_on'];
  const rows = doc.lines.map((l) => [
    doc.order.number,
    String(l.lineNo),
    l.vendorSku,
    l.sku,
    l.name,
    l.qty,
    l.unit,
    ...(priced ? [doc.order.currency, l.unitPrice, l.amount, l.taxRate, l.tax] : []),
    doc.order.expected_on,
  ]);
  return csvText([header, ...rows]);
}
