import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import { inList } from '../../platform/db/id-lists.ts';
import type { Executor } from '../../platform/db/transaction.ts';

export interface SiteLevel {
  min: number;
  /** Null when only the deprecated shop-wide reorder point is known. */
  max: number | null;
  deliveredDaily: boolean;
}

export const siteLevelKey = (itemId: string, siteId: string) => `${itemId}\u0000${siteId}`;

// Runs on every sale (the stock alerts' minimums): built once, see cachedQuery. One statement
// reads both sources, the sites' own levels joined to the items' shop-wide reorder points: on
// PostgreSQL each statement is a round trip. Every level names an existing item (a foreign key),
// so starting from the items loses none.
const levelsQuery = cachedQuery((db: Executor, args: { itemIds: readonly string[]; siteIds: readonly string[] }) =>
  db
    .selectFrom('items as i')
    .leftJoin('stock_levels as sl', (join) => join.onRef('sl.item_id', '=', 'i.id').onRef('sl.location_id', '=', 'sl.site_id').on('sl.site_id', 'in', [...args.siteIds]))
    .select(['i.id as item_id', 'i.reorder_point', 'sl.site_id', 'sl.min_qty', 'sl.max_qty', 'sl.delivered_daily'])
    .where('i.id', 'in', [...args.itemIds]),
);

/**
 * One item's level at one site from what its rows say: the site's own level (its `stock_levels`
 * row for the site itself), else the shop-wide reorder point as a minimum, else none. For a
 * module that reads both in a query of its own (the stock alerts, on every sale).
 */
export function siteLevelOf(
  reorderPoint: number | string | null,
  own: { min_qty: number | string; max_qty: number | string; delivered_daily: number | string } | null,
): SiteLevel | null {
  if (own) return { min: Number(own.min_qty), max: Number(own.max_qty), deliveredDaily: Number(own.delivered_daily) === 1 };
  return reorderPoint === null ? null : { min: Number(reorderPoint), max: null, deliveredDaily: false };
}

/**
 * Min and max of items at sites, for the modules that act on them (alerts, the production plan):
 * the site's own level, else the deprecated shop-wide `reorder_point` as a minimum. Keyed by
 * `siteLevelKey(item, site)`; an item with neither is absent.
 */
export async function levelsAtSites(db: Executor, itemIds: readonly string[], siteIds: readonly string[]): Promise<Map<string, SiteLevel>> {
  const out = new Map<string, SiteLevel>();
  if (itemIds.length === 0 || siteIds.length === 0) return out;
  const rows = await levelsQuery.execute(db, { itemIds: inList(db, itemIds), siteIds: inList(db, siteIds) });
  // The reorder point first, at every site asked about; a site's own level then overrides it.
  for (const r of rows) {
    if (r.reorder_point === null || out.has(siteLevelKey(r.item_id, siteIds[0]!))) continue;
    for (const siteId of siteIds) out.set(siteLevelKey(r.item_id, siteId), { min: Number(r.reorder_point), max: null, deliveredDaily: false });
  }
  for (const r of rows) {
    if (r.site_id !== null) out.set(siteLevelKey(r.item_id, r.site_id), { min: Number(r.min_qty), max: Number(r.max_qty), deliveredDaily: Number(r.delivered_daily) === 1 });
  }
  return out;
}
