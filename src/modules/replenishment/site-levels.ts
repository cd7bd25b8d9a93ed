import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import type { Executor } from '../../platform/db/transaction.ts';

export interface SiteLevel {
  min: number;
  /** Null when only the deprecated shop-wide reorder point is known. */
  max: number | null;
  deliveredDaily: boolean;
}

export const siteLevelKey = (itemId: string, siteId: string) => `${itemId}\u0000${siteId}`;

// Both run on every sale (the stock alerts' minimums): built once, see cachedQuery.
const ownLevelsQuery = cachedQuery((db: Executor, args: { itemIds: readonly string[]; siteIds: readonly string[] }) =>
  db
    .selectFrom('stock_levels')
    .select(['item_id', 'site_id', 'min_qty', 'max_qty', 'delivered_daily'])
    .whereRef('location_id', '=', 'site_id')
    .where('item_id', 'in', [...args.itemIds])
    .where('site_id', 'in', [...args.siteIds]),
);
const reorderPointsQuery = cachedQuery((db: Executor, args: { itemIds: readonly string[] }) =>
  db.selectFrom('items').select(['id', 'reorder_point']).where('id', 'in', [...args.itemIds]).where('reorder_point', 'is not', null),
);

/**
 * Min and max of items at sites, for the modules that act on them (alerts, the production plan):
 * the site's own level, else the deprecated shop-wide `reorder_point` as a minimum. Keyed by
 * `siteLevelKey(item, site)`; an item with neither is absent.
 */
export async function levelsAtSites(db: Executor, itemIds: readonly string[], siteIds: readonly string[]): Promise<Map<string, SiteLevel>> {
  const out = new Map<string, SiteLevel>();
  if (itemIds.length === 0 || siteIds.length === 0) return out;
  const [own, items] = await Promise.all([ownLevelsQuery.execute(db, { itemIds, siteIds }), reorderPointsQuery.execute(db, { itemIds })]);
  for (const item of items) for (const siteId of siteIds) out.set(siteLevelKey(item.id, siteId), { min: Number(item.reorder_point), max: null, deliveredDaily: false });
  for (const r of own) out.set(siteLevelKey(r.item_id, r.site_id), { min: Number(r.min_qty), max: Number(r.max_qty), deliveredDaily: Number(r.delivered_daily) === 1 });
  return out;
}
