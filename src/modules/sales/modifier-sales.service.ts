import { sql } from 'kysely';
import { reader, type ServiceContext } from '../../platform/context.ts';
import { getLocation } from '../locations/index.ts';

/** What each modifier sold over a period: on how many lines, how many units, what its price changes brought in. */
export interface ModifierSalesLine {
  modifierId: string;
  groupId: string;
  name: string;
  lines: number;
  qty: number;
  qtyReturned: number;
  revenueMicros: number;
}

export async function modifierSales(ctx: ServiceContext, query: { from: number; to: number; locationId?: string }): Promise<ModifierSalesLine[]> {
  const db = reader(ctx);
  let q = db
    .selectFrom('sale_line_modifiers as m')
    .innerJoin('sale_lines as l', 'l.id', 'm.sale_line_id')
    .innerJoin('sales as s', 's.id', 'm.sale_id')
    .select([
      'm.modifier_id',
      'm.group_id',
      sql<string>`min(m.name)`.as('name'),
      sql<number>`count(*)`.as('lines'),
      sql<number>`sum(m.qty)`.as('qty'),
      sql<number>`sum(l.qty_returned)`.as('qty_returned'),
      sql<number>`sum(m.amount_micros)`.as('revenue'),
    ])
    .where('m.created_at', '>=', query.from)
    .where('m.created_at', '<', query.to);
  if (query.locationId) {
    const location = await getLocation(ctx, query.locationId);
    q = location.kind === 'bin' ? q.where('s.location_id', '=', location.id) : q.where('s.site_id', '=', location.site_id ?? '');
  }
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    q = sites.length ? q.where('s.site_id', 'in', sites) : q.where(sql<boolean>`1 = 0`);
  }
  const rows = await q.groupBy(['m.modifier_id', 'm.group_id']).orderBy('m.modifier_id').execute();
  return rows.map((r) => ({
    modifierId: r.modifier_id,
    groupId: r.group_id,
    name: r.name,
    lines: Number(r.lines),
    qty: Number(r.qty),
    qtyReturned: Number(r.qty_returned),
    revenueMicros: Number(r.revenue),
  }));
}

