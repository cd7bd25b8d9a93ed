import { canSeeCosts, reader, type ServiceContext } from '../../platform/context.ts';
import { localDate, startOfLocalDay } from '../../platform/clock.ts';
import { PlatformError } from '../../platform/errors.ts';
import { sql } from 'kysely';
import { descendantLocationIds, getLocation } from '../locations/index.ts';
import { salesTotalsByHour } from '../sales/index.ts';
import { readSettings } from '../settings/index.ts';

/**
 * Sales per local day (the shop's time zone): how many, net takings before tax, and the cost of
 * the goods that left with them. Every day in the range appears, quiet ones with zeros.
 */
export interface SalesDay {
  date: string;
  count: number;
  revenue: number;
  cogs: number | null;
}

export async function salesByDay(ctx: ServiceContext, query: { from: string; to: string; locationId?: string }): Promise<SalesDay[]> {
  if (query.from > query.to) throw new PlatformError('validation_failed', '`from` is after `to`.', { errors: [{ field: 'querystring.to', code: 'order', message: 'must not be before from' }] });
  const { time_zone } = await readSettings(reader(ctx));
  const from = startOfLocalDay(query.from, time_zone);
  const to = startOfLocalDay(nextDate(query.to), time_zone);
  if (to - from > 367 * 86_400_000) throw new PlatformError('validation_failed', 'Ask for at most a year at a time.', { errors: [{ field: 'querystring.to', code: 'range', message: 'at most 366 days' }] });

  let siteId: string | undefined;
  let bins: string[] | undefined;
  if (query.locationId) {
    const location = await getLocation(ctx, query.locationId);
    siteId = location.site_id ?? undefined;
    bins = siteId ? await descendantLocationIds(reader(ctx), (await getLocation(ctx, siteId))) : [];
  }
  const costs = canSeeCosts(ctx.actor);
  const [sales, cogs] = await Promise.all([
    salesTotalsByHour(ctx, { from, to, siteId }),
    costs ? saleCostByHour(ctx, from, to, bins) : Promise.resolve(new Map<number, number>()),
  ]);

  const days = new Map<string, SalesDay>();
  for (let date = query.from; date <= query.to; date = nextDate(date)) days.set(date, { date, count: 0, revenue: 0, cogs: costs ? 0 : null });
  for (const s of sales) {
    const day = days.get(localDate(s.hour * 3_600_000, time_zone));
    if (!day) continue;
    day.count += s.count;
    day.revenue += s.netMicros;
  }
  for (const [hour, value] of cogs) {
    const day = days.get(localDate(hour * 3_600_000, time_zone));
    if (day && day.cogs !== null) day.cogs += value;
  }
  return [...days.values()];
}

/**
 * The cost of goods that left in sale movements per hour in [from, to), from the given bins or
 * all. The kind is a literal, not a bound value, so SQLite can read the partial index of the sale
 * movements by time (it must prove the index's condition from the query's text).
 */
async function saleCostByHour(ctx: ServiceContext, from: number, to: number, bins: string[] | undefined): Promise<Map<number, number>> {
  const hour = sql<number>`effective_at / 3600000`;
  let query = reader(ctx)
    .selectFrom('movements')
    .select([hour.as('hour'), sql<number>`sum(value_micros)`.as('value')])
    .where('kind', '=', sql.lit('sale'))
    .where('effective_at', '>=', from)
    .where('effective_at', '<', to);
  if (bins) query = bins.length ? query.where('from_location_id', 'in', bins) : query.where('from_location_id', '=', '');
  const rows = await query.groupBy(hour).execute();
  return new Map(rows.map((r) => [Math.floor(Number(r.hour)), Number(r.value ?? 0)]));
}

function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
