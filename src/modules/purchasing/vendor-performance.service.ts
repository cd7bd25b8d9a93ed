import { reader, type ServiceContext } from '../../platform/context.ts';
import type { DiscrepancyKind, PurchaseOrderRow, VendorRow } from '../../platform/db/schema.ts';
import { readSettings } from '../settings/index.ts';
import { divideRounded, lineAmount, percentWithTwoDecimals } from './conversion.ts';
import { localDateOf } from './dates.ts';
import { receivedByLine } from './purchase-orders.service.ts';

/**
 * How each vendor delivered, over the purchase orders sent in a period (dates in the shop's time
 * zone, both ends included; cancelled orders left out):
 *
 * - on-time rate: posted deliveries (receipts) on or before the order's expected date, over
 *   the deliveries of orders that had one;
 * - fill rate: good units received (capped at the ordered quantity per line) over units ordered,
 *   summed over all lines in base units;
 * - lead time: for orders fully received, from sending to the receipt that completed them,
 *   averaged, in days to two decimals, beside the vendor's promised lead time;
 * - price variance: what the orders' lines cost at their prices less what they would have at the
 *   vendor's terms when ordered (lines without terms are left out), in the vendor's currency;
 * - discrepancies: how many of each kind the deliveries and closings recorded.
 *
 * Only the orders delivered to the caller's sites count.
 */

export interface VendorPerformance {
  vendor: VendorRow;
  purchaseOrders: number;
  deliveries: number;
  deliveriesWithDueDate: number;
  onTimeDeliveries: number;
  onTimeRatePercent: number | null;
  orderedBase: number;
  receivedBase: number;
  fillRatePercent: number | null;
  ordersFullyReceived: number;
  averageLeadTimeDays: number | null;
  promisedLeadTimeDays: number | null;
  priceVarianceMicros: number;
  termsValueMicros: number;
  priceVariancePercent: number | null;
  discrepancies: Record<DiscrepancyKind, number>;
}

const DAY_MS = 86_400_000;

export async function vendorPerformance(ctx: ServiceContext, query: { from: string; to: string; vendorId?: string }): Promise<VendorPerformance[]> {
  const db = reader(ctx);
  const { time_zone: timeZone } = await readSettings(db);
  // A day of slack either side of the UTC window, then the exact cut in the shop's time zone.
  let q = db
    .selectFrom('purchase_orders')
    .selectAll()
    .where('sent_at', '>=', Date.parse(`${query.from}T00:00:00Z`) - DAY_MS)
    .where('sent_at', '<', Date.parse(`${query.to}T00:00:00Z`) + 2 * DAY_MS)
    .where('status', '<>', 'cancelled');
  if (query.vendorId) q = q.where('vendor_id', '=', query.vendorId);
  // Someone granted some sites judges vendors by the orders delivered to those sites only.
  if (ctx.actor.sites !== 'all') q = q.where('delivery_site_id', 'in', [...ctx.actor.sites, '']);
  const orders = (await q.orderBy('sent_at').limit(10_000).execute()).filter((po) => {
    const day = localDateOf(po.sent_at!, timeZone);
    return day >= query.from && day <= query.to;
  });
  const vendorIds = [...new Set([...orders.map((o) => o.vendor_id), ...(query.vendorId ? [query.vendorId] : [])])];
  const vendors = vendorIds.length ? await db.selectFrom('vendors').selectAll().where('id', 'in', vendorIds).orderBy('name_key').execute() : [];
  const out: VendorPerformance[] = [];
  for (const vendor of vendors) out.push(await performanceOf(ctx, vendor, orders.filter((o) => o.vendor_id === vendor.id), timeZone));
  return out;
}

async function performanceOf(ctx: ServiceContext, vendor: VendorRow, orders: PurchaseOrderRow[], timeZone: string): Promise<VendorPerformance> {
  const db = reader(ctx);
  const ids = orders.map((o) => o.id);
  const none = [''];
  const [receipts, lines, discrepancies] = await Promise.all([
    db.selectFrom('receipts').select(['po_id', 'received_at']).where('po_id', 'in', ids.length ? ids : none).where('status', '=', 'posted').execute(),
    db.selectFrom('purchase_order_lines').selectAll().where('po_id', 'in', ids.length ? ids : none).execute(),
    db.selectFrom('receipt_discrepancies').select(['kind']).where('po_id', 'in', ids.length ? ids : none).execute(),
  ]);
  const byId = new Map(orders.map((o) => [o.id, o]));

  let withDue = 0;
  let onTime = 0;
  for (const r of receipts) {
    const due = byId.get(r.po_id!)?.expected_on;
    if (!due || r.received_at === null) continue;
    withDue += 1;
    if (localDateOf(r.received_at, timeZone) <= due) onTime += 1;
  }

  let ordered = 0;
  let received = 0;
  let variance = 0;
  let termsValue = 0;
  for (const order of orders) {
    const got = await receivedByLine(db, order.id);
    for (const line of lines.filter((l) => l.po_id === order.id)) {
      ordered += line.qty_base;
      received += Math.min(line.qty_base, got.get(line.id)?.good ?? 0);
      if (line.list_price_micros !== null) {
        const atTerms = lineAmount(line.qty, line.list_price_micros);
        variance += lineAmount(line.qty, line.unit_price_micros) - atTerms;
        termsValue += atTerms;
      }
    }
  }

  const complete = orders.filter((o) => o.received_at !== null && o.sent_at !== null);
  const leadMs = complete.reduce((sum, o) => sum + (o.received_at! - o.sent_at!), 0);
  const counts: Record<DiscrepancyKind, number> = { short: 0, over: 0, unexpected_item: 0, wrong_unit: 0, damaged: 0 };
  for (const d of discrepancies) counts[d.kind] += 1;

  return {
    vendor,
    purchaseOrders: orders.length,
    deliveries: receipts.length,
    deliveriesWithDueDate: withDue,
    onTimeDeliveries: onTime,
    onTimeRatePercent: percentWithTwoDecimals(onTime, withDue),
    orderedBase: ordered,
    receivedBase: received,
    fillRatePercent: percentWithTwoDecimals(received, ordered),
    ordersFullyReceived: complete.length,
    averageLeadTimeDays: complete.length ? divideRounded(BigInt(leadMs) * 100n, BigInt(complete.length * DAY_MS)) / 100 : null,
    promisedLeadTimeDays: vendor.lead_time_days,
    priceVarianceMicros: variance,
    termsValueMicros: termsValue,
    priceVariancePercent: percentWithTwoDecimals(variance, termsValue),
    discrepancies: counts,
  };
}
