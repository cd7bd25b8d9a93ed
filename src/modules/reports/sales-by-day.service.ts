import { canSeeCosts, reader, type ServiceContext } from '../../platform/context.ts';
import { localDate, startOfLocalDay } from '../../platform/clock.ts';
import { PlatformError } from '../../platform/errors.ts';
import { movementValueByHour } from '../ledger/index.ts';
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
    costs ? movementValueByHour(reader(ctx), { kind: 'sale', from, to, fromLocationIds: bins }) : Promise.resolve(new Map<number, number>()),
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

function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
