import { reader, type ServiceContext } from '../../platform/context.ts';

/**
 * Site levels as the dashboard's stock alerts read them: per item, each granted site's min, and
 * whether it is restocked daily.
 */
export async function siteLevelsForAlerts(ctx: ServiceContext, siteIds: readonly string[] | 'all'): Promise<Map<string, Array<{ siteId: string; min: number; deliveredDaily: boolean }>>> {
  let q = reader(ctx).selectFrom('stock_levels').select(['item_id', 'site_id', 'min_qty', 'delivered_daily']).whereRef('location_id', '=', 'site_id');
  if (siteIds !== 'all') q = q.where('site_id', 'in', siteIds.length ? [...siteIds] : ['']);
  const out = new Map<string, Array<{ siteId: string; min: number; deliveredDaily: boolean }>>();
  for (const r of await q.execute()) {
    const list = out.get(r.item_id) ?? [];
    list.push({ siteId: r.site_id, min: Number(r.min_qty), deliveredDaily: Number(r.delivered_daily) === 1 });
    out.set(r.item_id, list);
  }
  return out;
}
