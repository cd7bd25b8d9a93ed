import { sql } from 'kysely';
import { reader, type ServiceContext } from '../../platform/context.ts';
import { getLocation } from '../locations/index.ts';

const OPEN_STATUSES = ['sent', 'partially_received'] as const;

/**
 * What vendors still owe, per item, on orders that have been sent (base thousandths): each line's
 * quantity less the good units posted against it, never below zero. Scoped to the site of
 * `locationId` when given, and always to the sites the actor may see; to `itemIds` when given
 * (the few a list shows, rather than every item on order).
 */
export async function onOrderByItem(ctx: ServiceContext, options: { locationId?: string; itemIds?: readonly string[] } = {}): Promise<Map<string, number>> {
  const db = reader(ctx);
  let sites: string[] | 'all' = 'all';
  if (options.locationId) {
    const location = await getLocation(ctx, options.locationId);
    sites = location.site_id ? [location.site_id] : [];
  }
  if (ctx.actor.sites !== 'all') {
    const visible = ctx.actor.sites;
    sites = sites === 'all' ? [...visible] : sites.filter((s) => visible.has(s));
  }
  if (sites !== 'all' && sites.length === 0) return new Map();
  if (options.itemIds?.length === 0) return new Map();

  const openOrders = db.selectFrom('purchase_orders').select('id').where('status', 'in', OPEN_STATUSES);
  const received = db
    .selectFrom('receipt_lines as rl')
    .innerJoin('receipts as r', 'r.id', 'rl.receipt_id')
    .select(['rl.po_line_id', sql<number>`sum(rl.qty_base)`.as('good')])
    .where('r.status', '=', 'posted')
    .where('rl.condition', '=', 'good')
    .where('r.po_id', 'in', openOrders)
    .groupBy('rl.po_line_id');
  let owed = db
    .selectFrom('purchase_order_lines as pol')
    .innerJoin('purchase_orders as po', 'po.id', 'pol.po_id')
    .leftJoin(received.as('g'), 'g.po_line_id', 'pol.id')
    .select(['pol.item_id', sql<number>`sum(case when pol.qty_base > coalesce(g.good, 0) then pol.qty_base - coalesce(g.good, 0) else 0 end)`.as('owed')])
    .where('po.status', 'in', OPEN_STATUSES)
    .groupBy('pol.item_id');
  if (sites !== 'all') owed = owed.where('po.delivery_site_id', 'in', sites);
  if (options.itemIds) owed = owed.where('pol.item_id', 'in', [...options.itemIds]);
  const rows = await owed.execute();
  return new Map(rows.filter((r) => Number(r.owed) > 0).map((r) => [r.item_id, Number(r.owed)]));
}
