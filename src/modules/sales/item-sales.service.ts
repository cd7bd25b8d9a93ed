import { sql } from 'kysely';
import { canSeeCosts, reader, type ServiceContext } from '../../platform/context.ts';
import { localDate, startOfLocalDay } from '../../platform/clock.ts';
import { PlatformError } from '../../platform/errors.ts';
import { findItems, getItem } from '../catalog/index.ts';
import { getLocation } from '../locations/index.ts';
import { readSettings } from '../settings/index.ts';

/**
 * What one item sold, day by day, and what those sales consumed. A latte is not stocked: it
 * never has a balance or a movement of its own, so its page shows nothing unless it is asked what
 * it sold (its sale lines) and what it took from stock (the movements those lines posted: beans,
 * milk, a cup). Counter and channel sales count; voided ones do not. Only the sites the caller is
 * granted are read, and the consumed stock's cost is left out for those who may not see costs.
 */

export interface ItemSalesDay {
  date: string;
  qty: number;
  lines: number;
  revenueMicros: number;
}

export interface ItemConsumption {
  itemId: string;
  sku: string;
  name: string;
  baseUnit: string;
  qty: number;
  costMicros: number | null;
}

export interface ItemSales {
  itemId: string;
  days: ItemSalesDay[];
  consumed: ItemConsumption[];
}

const maxDays = 366;
/** A shop's sales fall between these; a date outside them is a typo, and far ones break time zone arithmetic. */
const earliestDate = '1970-01-01';
const latestDate = '2200-12-31';

export async function itemSales(ctx: ServiceContext, itemId: string, query: { from: string; to: string; locationId?: string }): Promise<ItemSales> {
  await getItem(ctx, itemId);
  if (query.from > query.to) throw new PlatformError('validation_failed', '`from` is after `to`.', { errors: [{ field: 'querystring.to', code: 'order', message: 'must not be before from' }] });
  for (const [field, date] of [['from', query.from], ['to', query.to]] as const) {
    if (date < earliestDate || date > latestDate) throw new PlatformError('validation_failed', `Dates run from ${earliestDate} to ${latestDate}.`, { errors: [{ field: `querystring.${field}`, code: 'range', message: `from ${earliestDate} to ${latestDate}` }] });
  }
  // The range is checked on the calendar dates themselves, before any time zone arithmetic that a far date could break.
  if (Date.parse(`${query.to}T00:00:00Z`) - Date.parse(`${query.from}T00:00:00Z`) >= maxDays * 86_400_000) {
    throw new PlatformError('validation_failed', `Ask for at most ${maxDays} days at a time.`, { errors: [{ field: 'querystring.to', code: 'range', message: `at most ${maxDays} days` }] });
  }
  const db = reader(ctx);
  const { time_zone } = await readSettings(db);
  const from = startOfLocalDay(query.from, time_zone);
  const to = startOfLocalDay(nextDate(query.to), time_zone);

  let lines = db
    .selectFrom('sale_lines as l')
    .innerJoin('sales as s', 's.id', 'l.sale_id')
    .where('l.item_id', '=', itemId)
    .where('s.created_at', '>=', from)
    .where('s.created_at', '<', to)
    .where('s.status', '<>', 'voided');
  if (query.locationId) {
    const location = await getLocation(ctx, query.locationId);
    lines = lines.where('s.site_id', '=', location.site_id ?? location.id);
  }
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    lines = sites.length ? lines.where('s.site_id', 'in', sites) : lines.where(sql<boolean>`1 = 0`);
  }

  const hour = sql<number>`s.created_at / 3600000`;
  const [hours, parts] = await Promise.all([
    lines
      .select([hour.as('hour'), sql<number>`sum(l.qty)`.as('qty'), sql<number>`count(*)`.as('lines'), sql<number>`sum(l.net_micros)`.as('revenue')])
      .groupBy(hour)
      .execute(),
    lines
      .innerJoin('movements as m', (join) => join.onRef('m.document_id', '=', 'l.sale_id').onRef('m.document_line_id', '=', 'l.id'))
      .where('m.document_type', '=', 'sale')
      .where('m.kind', '=', 'sale')
      .select(['m.item_id', sql<number>`sum(m.qty)`.as('qty'), sql<number>`sum(m.value_micros)`.as('cost')])
      .groupBy('m.item_id')
      .execute(),
  ]);

  const days = new Map<string, ItemSalesDay>();
  for (let date = query.from; date <= query.to; date = nextDate(date)) days.set(date, { date, qty: 0, lines: 0, revenueMicros: 0 });
  for (const h of hours) {
    const day = days.get(localDate(Math.floor(Number(h.hour)) * 3_600_000, time_zone));
    if (!day) continue;
    day.qty += Number(h.qty);
    day.lines += Number(h.lines);
    day.revenueMicros += Number(h.revenue ?? 0);
  }
  const costs = canSeeCosts(ctx.actor);
  const items = await findItems(db, parts.map((p) => p.item_id));
  const consumed = parts
    .map((p) => {
      const item = items.get(p.item_id);
      return { itemId: p.item_id, sku: item?.sku ?? p.item_id, name: item?.name ?? p.item_id, baseUnit: item?.base_unit ?? '', qty: Number(p.qty), costMicros: costs ? Number(p.cost ?? 0) : null };
    })
    .sort((a, b) => a.sku.localeCompare(b.sku));
  return { itemId, days: [...days.values()], consumed };
}

function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
