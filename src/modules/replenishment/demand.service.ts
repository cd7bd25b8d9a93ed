import { sql } from 'kysely';
import { localDate } from '../../platform/clock.ts';
import { reader, type ServiceContext } from '../../platform/context.ts';
import { readSettings } from '../settings/index.ts';

const DAY_MS = 86_400_000;

export interface LeadTime {
  days: number;
  source: 'measured' | 'promised' | 'default';
  /** The spread (standard deviation, days) of the measured lead times; 0 when not measured. */
  sdDays?: number;
}

export const DEFAULT_LEAD_TIME_DAYS = 7;
/** How far back receipts count towards a vendor's measured lead time. */
export const LEAD_TIME_LOOKBACK_DAYS = 180;

/**
 * Each vendor's lead time as delivered: over the orders sent in the last half year whose
 * deliveries are over (received in full, or closed short), the average time from sending to the
 * LAST receipt of the order, in whole days rounded up, with its spread. An order that came in two
 * deliveries was not there until the second; a vendor that always ships short is still measured.
 * The promised lead time only when nothing was delivered yet, and a week when neither is known.
 */
export async function measuredLeadTimes(ctx: ServiceContext): Promise<Map<string, LeadTime>> {
  const db = reader(ctx);
  const since = ctx.clock.now() - LEAD_TIME_LOOKBACK_DAYS * DAY_MS;
  const [vendors, orders] = await Promise.all([
    db.selectFrom('vendors').select(['id', 'lead_time_days']).execute(),
    db
      .selectFrom('purchase_orders as po')
      .innerJoin('receipts as r', 'r.po_id', 'po.id')
      .select(['po.vendor_id', 'po.sent_at', sql<number>`max(coalesce(r.received_at, r.posted_at))`.as('last_at')])
      .where('po.status', 'in', ['received', 'closed'])
      .where('po.sent_at', '>=', since)
      .where('r.status', '=', 'posted')
      .groupBy(['po.id', 'po.vendor_id', 'po.sent_at'])
      .execute(),
  ]);
  const out = new Map<string, LeadTime>();
  for (const v of vendors) {
    out.set(v.id, v.lead_time_days !== null ? { days: Number(v.lead_time_days), source: 'promised', sdDays: 0 } : { days: DEFAULT_LEAD_TIME_DAYS, source: 'default', sdDays: 0 });
  }
  const byVendor = new Map<string, number[]>();
  for (const o of orders) {
    if (o.sent_at === null || o.last_at === null) continue;
    const list = byVendor.get(o.vendor_id) ?? [];
    list.push(Math.max(0, Number(o.last_at) - Number(o.sent_at)) / DAY_MS);
    byVendor.set(o.vendor_id, list);
  }
  for (const [vendorId, leads] of byVendor) out.set(vendorId, leadTimeOf(leads));
  return out;
}

/** The average lead time of measured orders (days, rounded up, at least one) and its spread. */
export function leadTimeOf(leads: readonly number[]): LeadTime {
  const mean = leads.reduce((a, b) => a + b, 0) / leads.length;
  const variance = leads.length > 1 ? leads.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (leads.length - 1) : 0;
  // To the hour first: an order received nine days to the minute after it was sent took nine days, not ten.
  return { days: Math.max(1, Math.ceil(Math.round(mean * 24) / 24 - 1e-9)), source: 'measured', sdDays: Math.sqrt(variance) };
}

/** The local days on which each vendor's posted receipts arrived at the site, over the last `days` days. */
async function deliveryDaysByVendor(ctx: ServiceContext, siteId: string, days: number): Promise<Map<string, Set<string>>> {
  const db = reader(ctx);
  const { time_zone: timeZone } = await readSettings(db);
  const since = ctx.clock.now() - days * DAY_MS;
  const rows = await db
    .selectFrom('receipts')
    .select(['vendor_id', 'received_at', 'posted_at'])
    .where('status', '=', 'posted')
    .where('site_id', '=', siteId)
    .where('posted_at', '>=', since)
    .execute();
  const daysByVendor = new Map<string, Set<string>>();
  for (const r of rows) {
    const at = r.received_at ?? r.posted_at;
    if (r.vendor_id === null || at === null) continue;
    const set = daysByVendor.get(r.vendor_id) ?? new Set<string>();
    set.add(localDate(Number(at), timeZone));
    daysByVendor.set(r.vendor_id, set);
  }
  return daysByVendor;
}

/**
 * Vendors that deliver to the site nearly every day (receipts on at least 20 of the last 28 local
 * days): their items are planned on a one-day delivery cycle, not a lead time and a weekly review.
 */
export async function dailyDeliveryVendors(ctx: ServiceContext, siteId: string): Promise<Set<string>> {
  const daysByVendor = await deliveryDaysByVendor(ctx, siteId, 28);
  return new Set([...daysByVendor].filter(([, d]) => d.size >= 20).map(([v]) => v));
}

/** How far back receipts count towards a vendor's delivery cadence at a site. */
export const CADENCE_LOOKBACK_DAYS = 56;

/**
 * Each vendor's review period at the site, its delivery cadence as received: the average number
 * of days between the local days it delivered here over the last eight weeks, rounded to whole
 * days, from 1 to 7. A vendor seen on fewer than three days has no measured cadence (the caller
 * keeps its default week); a cadence is never stretched beyond a week, so a vendor whose items
 * rarely fall to their min is not given a larger max for it.
 */
export async function vendorReviewDays(ctx: ServiceContext, siteId: string): Promise<Map<string, number>> {
  const daysByVendor = await deliveryDaysByVendor(ctx, siteId, CADENCE_LOOKBACK_DAYS);
  const out = new Map<string, number>();
  for (const [vendorId, set] of daysByVendor) {
    if (set.size < 3) continue;
    const days = [...set].sort();
    const span = Math.round((Date.parse(`${days[days.length - 1]}T00:00:00Z`) - Date.parse(`${days[0]}T00:00:00Z`)) / DAY_MS);
    out.set(vendorId, Math.min(7, Math.max(1, Math.round(span / (days.length - 1)))));
  }
  return out;
}

/** How a store is supplied from a warehouse: days from making a transfer to its receipt, and days between the transfers received. */
export interface TransferCycle {
  warehouseId: string;
  leadDays: number;
  reviewDays: number;
  source: 'measured' | 'default';
}

/** A store's transfer lead time until one is measured: a van the next day. */
export const DEFAULT_TRANSFER_LEAD_DAYS = 1;

/**
 * The store's supply from each warehouse, as received over the last eight weeks: the lead time is
 * the average time from making a transfer to its last receipt (whole days, rounded up, at least
 * one), the review period the average days between the local days transfers arrived (1 to 7).
 * With fewer than three arrivals: a day and a week.
 */
export async function transferCycles(ctx: ServiceContext, storeId: string, warehouseIds: readonly string[]): Promise<Map<string, TransferCycle>> {
  const out = new Map<string, TransferCycle>();
  if (!warehouseIds.length) return out;
  const db = reader(ctx);
  const { time_zone: timeZone } = await readSettings(db);
  const since = ctx.clock.now() - CADENCE_LOOKBACK_DAYS * DAY_MS;
  const rows = await db
    .selectFrom('transfers')
    .select(['source_site_id', 'created_at', 'last_received_at'])
    .where('destination_site_id', '=', storeId)
    .where('source_site_id', 'in', [...warehouseIds])
    .where('status', 'in', ['received', 'closed'])
    .where('last_received_at', '>=', since)
    .execute();
  for (const warehouseId of warehouseIds) {
    const mine = rows.filter((r) => r.source_site_id === warehouseId && r.last_received_at !== null);
    const days = [...new Set(mine.map((r) => localDate(Number(r.last_received_at), timeZone)))].sort();
    if (days.length < 3) {
      out.set(warehouseId, { warehouseId, leadDays: DEFAULT_TRANSFER_LEAD_DAYS, reviewDays: 7, source: 'default' });
      continue;
    }
    const span = Math.round((Date.parse(`${days[days.length - 1]}T00:00:00Z`) - Date.parse(`${days[0]}T00:00:00Z`)) / DAY_MS);
    const lead = leadTimeOf(mine.map((r) => Math.max(0, Number(r.last_received_at) - Number(r.created_at)) / DAY_MS));
    out.set(warehouseId, { warehouseId, leadDays: lead.days, reviewDays: Math.min(7, Math.max(1, Math.round(span / (days.length - 1)))), source: 'measured' });
  }
  return out;
}
