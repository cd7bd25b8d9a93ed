import { sql } from 'kysely';
import { canSeeSite, reader, type ServiceContext } from '../../platform/context.ts';
import { startOfLocalDay } from '../../platform/clock.ts';
import { readSettings } from '../settings/index.ts';
import { CountError } from './counts.errors.ts';
import { COUNT_VARIANCE_REASON } from './counts.schema.ts';

/**
 * What counts found: the variance report (quantity and value by item, reason and counter) of one
 * count or of a period, shrinkage per site and category from posted variances, and an item's
 * count history. Read from posted lines, whose variances are exactly what the ledger moved.
 */

export interface VarianceLine {
  count_id: string;
  count_number: string;
  line_id: string;
  site_id: string;
  item_id: string;
  sku: string;
  name: string;
  category: string | null;
  location_id: string;
  lot_id: string;
  counted_at: number;
  counted_by: string | null;
  counted_qty: number;
  expected_qty: number;
  variance_qty: number;
  variance_value_micros: number | null;
  reason: string;
}

export interface VarianceReport {
  from: string | null;
  to: string | null;
  lines: VarianceLine[];
}

const reportLimit = 10_000;

function postedLines(ctx: ServiceContext) {
  let q = reader(ctx)
    .selectFrom('count_lines as c')
    .innerJoin('counts as k', 'k.id', 'c.count_id')
    .innerJoin('items as i', 'i.id', 'c.item_id')
    .select([
      'c.count_id',
      'k.number as count_number',
      'c.id as line_id',
      'k.site_id',
      'c.item_id',
      'i.sku',
      'i.name',
      'i.category',
      'c.location_id',
      'c.lot_id',
      'c.counted_at',
      'c.counted_by',
      'c.counted_qty',
      'c.expected_qty',
      'c.variance_qty',
      'c.variance_value_micros',
      'c.decision_reason',
    ])
    .where('c.status', '=', 'posted');
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    q = sites.length ? q.where('k.site_id', 'in', sites) : q.where('k.id', '=', '');
  }
  return q;
}

type PostedRow = Awaited<ReturnType<ReturnType<typeof postedLines>['execute']>>[number];

function toVarianceLine(r: PostedRow): VarianceLine {
  return {
    count_id: r.count_id,
    count_number: r.count_number,
    line_id: r.line_id,
    site_id: r.site_id,
    item_id: r.item_id,
    sku: r.sku,
    name: r.name,
    category: r.category,
    location_id: r.location_id,
    lot_id: r.lot_id,
    counted_at: Number(r.counted_at),
    counted_by: r.counted_by,
    counted_qty: Number(r.counted_qty),
    expected_qty: Number(r.expected_qty),
    variance_qty: Number(r.variance_qty),
    variance_value_micros: r.variance_value_micros === null ? null : Number(r.variance_value_micros),
    reason: r.decision_reason ?? COUNT_VARIANCE_REASON,
  };
}

export async function countVarianceReport(ctx: ServiceContext, countId: string): Promise<VarianceReport> {
  const count = await reader(ctx).selectFrom('counts').select(['id', 'site_id']).where('id', '=', countId).executeTakeFirst();
  if (!count || !canSeeSite(ctx.actor, count.site_id)) throw new CountError('count_not_found', `No count ${countId}.`);
  const rows = await postedLines(ctx).where('c.count_id', '=', countId).where('c.variance_qty', '<>', 0).orderBy('c.line_no').limit(reportLimit).execute();
  return { from: null, to: null, lines: rows.map(toVarianceLine) };
}

async function periodBounds(ctx: ServiceContext, from: string, to: string): Promise<[number, number]> {
  const { time_zone } = await readSettings(reader(ctx));
  const end = new Date(`${to}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  return [startOfLocalDay(from, time_zone), startOfLocalDay(end.toISOString().slice(0, 10), time_zone)];
}

export async function periodVarianceReport(ctx: ServiceContext, query: { siteId?: string; from: string; to: string }): Promise<VarianceReport> {
  const [start, end] = await periodBounds(ctx, query.from, query.to);
  let q = postedLines(ctx).where('c.counted_at', '>=', start).where('c.counted_at', '<', end).where('c.variance_qty', '<>', 0);
  if (query.siteId) q = q.where('k.site_id', '=', query.siteId);
  const rows = await q.orderBy('c.counted_at').orderBy('c.id').limit(reportLimit).execute();
  return { from: query.from, to: query.to, lines: rows.map(toVarianceLine) };
}

export interface ShrinkageRow {
  site_id: string;
  category: string | null;
  lost_qty: number;
  lost_value_micros: number;
  found_qty: number;
  found_value_micros: number;
}

/** Approved variances per site and category over a period: what went missing and what turned up. */
export async function shrinkage(ctx: ServiceContext, query: { siteId?: string; from: string; to: string }): Promise<ShrinkageRow[]> {
  const [start, end] = await periodBounds(ctx, query.from, query.to);
  let q = reader(ctx)
    .selectFrom('count_lines as c')
    .innerJoin('counts as k', 'k.id', 'c.count_id')
    .innerJoin('items as i', 'i.id', 'c.item_id')
    .select([
      'k.site_id',
      'i.category',
      sql<number>`sum(case when c.variance_qty < 0 then 0 - c.variance_qty else 0 end)`.as('lost_qty'),
      sql<number>`sum(case when c.variance_qty < 0 then 0 - coalesce(c.variance_value_micros, 0) else 0 end)`.as('lost_value'),
      sql<number>`sum(case when c.variance_qty > 0 then c.variance_qty else 0 end)`.as('found_qty'),
      sql<number>`sum(case when c.variance_qty > 0 then coalesce(c.variance_value_micros, 0) else 0 end)`.as('found_value'),
    ])
    .where('c.status', '=', 'posted')
    .where('c.variance_qty', '<>', 0)
    .where('c.counted_at', '>=', start)
    .where('c.counted_at', '<', end);
  if (query.siteId) q = q.where('k.site_id', '=', query.siteId);
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    q = sites.length ? q.where('k.site_id', 'in', sites) : q.where('k.id', '=', '');
  }
  const rows = await q.groupBy(['k.site_id', 'i.category']).orderBy('k.site_id').orderBy('i.category').execute();
  return rows.map((r) => ({
    site_id: r.site_id,
    category: r.category,
    lost_qty: Number(r.lost_qty),
    lost_value_micros: Number(r.lost_value),
    found_qty: Number(r.found_qty),
    found_value_micros: Number(r.found_value),
  }));
}

/** An item's posted count lines at the sites the actor sees, newest first. */
export async function itemCountHistory(ctx: ServiceContext, itemId: string, limit = 50): Promise<VarianceLine[]> {
  const rows = await postedLines(ctx).where('c.item_id', '=', itemId).orderBy('c.counted_at', 'desc').limit(limit).execute();
  return rows.map(toVarianceLine);
}
