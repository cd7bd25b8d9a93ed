import { sql } from 'kysely';
import { reader, type ServiceContext } from '../../platform/context.ts';

/**
 * Counter and channel sales per hour in [from, to): how many, and what they took net of
 * discounts and before tax. Voided sales count for nothing. Reports turn hours into local days.
 */
export async function salesTotalsByHour(
  ctx: ServiceContext,
  options: { from: number; to: number; siteId?: string },
): Promise<Array<{ hour: number; count: number; netMicros: number }>> {
  const hour = sql<number>`created_at / 3600000`;
  let query = reader(ctx)
    .selectFrom('sales')
    .select([hour.as('hour'), sql<number>`count(*)`.as('count'), sql<number>`sum(subtotal_micros - discount_micros)`.as('net')])
    .where('created_at', '>=', options.from)
    .where('created_at', '<', options.to)
    .where('status', '<>', 'voided');
  if (options.siteId) query = query.where('site_id', '=', options.siteId);
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    query = sites.length ? query.where('site_id', 'in', sites) : query.where('site_id', '=', '');
  }
  const rows = await query.groupBy(hour).execute();
  return rows.map((r) => ({ hour: Math.floor(Number(r.hour)), count: Number(r.count), netMicros: Number(r.net ?? 0) }));
}
