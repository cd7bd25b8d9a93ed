import { sql, type RawBuilder } from 'kysely';
import { localDate, startOfLocalDay, toIso } from '../../platform/clock.ts';
import { reader, type ServiceContext } from '../../platform/context.ts';
import { PlatformError } from '../../platform/errors.ts';
import { getLocation, LocationError } from '../locations/index.ts';
import { readSettings } from '../settings/index.ts';

/**
 * What every standard report is asked for: a period of whole local days (the shop's time zone)
 * and filters by site, category, vendor, channel and item. Resolved once into instants and SQL
 * conditions, so each report only says what it sums.
 */

export interface ReportFilters {
  from: string;
  to: string;
  siteId?: string;
  category?: string;
  vendorId?: string;
  itemId?: string;
  channelId?: string;
}

export interface ReportScope {
  filters: ReportFilters;
  timeZone: string;
  /** The period is [start, end): from the first day's midnight to the midnight after the last day. */
  start: number;
  end: number;
  /** The sites covered: one asked for, the actor's granted sites, or every site. */
  sites: 'all' | string[];
  now: number;
  /** Only these items (a report that needs a few, such as sell-through's new ones), beside the filters. */
  itemIds?: readonly string[];
}

export const MAX_PERIOD_DAYS = 366;

export async function resolveScope(ctx: ServiceContext, filters: ReportFilters): Promise<ReportScope> {
  if (filters.from > filters.to) throw new PlatformError('validation_failed', '`from` is after `to`.', { errors: [{ field: 'querystring.to', code: 'order', message: 'must not be before from' }] });
  const { time_zone } = await readSettings(reader(ctx));
  const start = startOfLocalDay(filters.from, time_zone);
  const end = startOfLocalDay(nextDate(filters.to), time_zone);
  if (end - start > (MAX_PERIOD_DAYS + 1) * 86_400_000) {
    throw new PlatformError('validation_failed', 'Ask for at most a year at a time.', { errors: [{ field: 'querystring.to', code: 'range', message: `at most ${MAX_PERIOD_DAYS} days` }] });
  }
  let sites: 'all' | string[];
  if (filters.siteId) {
    const site = await getLocation(ctx, filters.siteId);
    if (site.kind !== 'site') throw new LocationError('location_not_found', `No site ${filters.siteId}.`, { location_id: filters.siteId });
    sites = [site.id];
  } else {
    sites = ctx.actor.sites === 'all' ? 'all' : [...ctx.actor.sites];
  }
  return { filters, timeZone: time_zone, start, end, sites, now: ctx.clock.now() };
}

export function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function todayOf(scope: Pick<ReportScope, 'now' | 'timeZone'>): string {
  return localDate(scope.now, scope.timeZone);
}

/**
 * Stock the report counts as "held" at a location aliased `alias`: for the whole shop every
 * physical location and goods in transit (what valuation counts as owned); for sites, their
 * physical locations.
 */
export function heldAt(scope: ReportScope, alias: string): RawBuilder<boolean> {
  const kind = sql.ref(`${alias}.kind`);
  if (scope.sites === 'all') return sql<boolean>`(${kind} <> 'virtual' or ${sql.ref(`${alias}.virtual_type`)} = 'transit')`;
  if (scope.sites.length === 0) return sql<boolean>`1 = 0`;
  return sql<boolean>`(${kind} <> 'virtual' and ${sql.ref(`${alias}.site_id`)} in (${sql.join(scope.sites)}))`;
}

/** A site column (a sale's site) inside the scope. */
export function siteIn(scope: ReportScope, column: string): RawBuilder<boolean> {
  if (scope.sites === 'all') return sql<boolean>`1 = 1`;
  if (scope.sites.length === 0) return sql<boolean>`1 = 0`;
  return sql<boolean>`${sql.ref(column)} in (${sql.join(scope.sites)})`;
}

/** The category, vendor and item filters on an item id column. */
export function itemIn(scope: ReportScope, column: string): RawBuilder<boolean> {
  const ref = sql.ref(column);
  const conditions: RawBuilder<unknown>[] = [];
  if (scope.filters.itemId) conditions.push(sql`${ref} = ${scope.filters.itemId}`);
  if (scope.itemIds) conditions.push(scope.itemIds.length ? sql`${ref} in (${sql.join([...scope.itemIds])})` : sql`1 = 0`);
  if (scope.filters.category !== undefined) conditions.push(sql`${ref} in (select id from items where category = ${scope.filters.category})`);
  if (scope.filters.vendorId) conditions.push(sql`${ref} in (select item_id from vendor_items where vendor_id = ${scope.filters.vendorId})`);
  return conditions.length ? sql<boolean>`(${sql.join(conditions, sql` and `)})` : sql<boolean>`1 = 1`;
}

export function periodMeta(scope: ReportScope): Record<string, string | null> {
  const f = scope.filters;
  return {
    from: f.from,
    to: f.to,
    starts_at: toIso(scope.start),
    ends_at: toIso(scope.end),
    site_id: f.siteId ?? null,
    category: f.category ?? null,
    vendor_id: f.vendorId ?? null,
    item_id: f.itemId ?? null,
    channel_id: f.channelId ?? null,
  };
}

/** A drill-down link: an API path with the query parameters that are set. */
export function apiLink(path: string, params: Record<string, string | number | null | undefined>): string {
  const query = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  return query ? `${path}?${query}` : path;
}

/** Basis points of a percent (hundredths): part / whole × 100 %, rounded half away from zero; null when whole is 0. */
export function percentOf(part: number, whole: number): number | null {
  if (whole === 0) return null;
  const scaled = (BigInt(part) * 20000n) / BigInt(whole);
  const rounded = scaled >= 0n ? (scaled + 1n) / 2n : (scaled - 1n) / 2n;
  return Number(rounded);
}

/** A ratio in hundredths (2.5 → 250), rounded half away from zero; null when the divisor is 0. */
export function ratioOf(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  const scaled = (BigInt(numerator) * 200n) / BigInt(denominator);
  return Number(scaled >= 0n ? (scaled + 1n) / 2n : (scaled - 1n) / 2n);
}
