import { sql } from 'kysely';
import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import { inList } from '../../platform/db/id-lists.ts';
import type { Executor } from '../../platform/db/transaction.ts';

/**
 * What can be promised or picked: stock at active bins of purpose `stock` (never quarantine),
 * in lots that have not expired, less what is already reserved. Sales channels read it for
 * availability and orders for allocation; neither reads the balances table itself.
 */

export interface PickableStock {
  itemId: string;
  siteId: string;
  locationId: string;
  lotId: string;
  /** on_hand − reserved, always > 0 here. */
  available: number;
  pickOrder: number;
  binCode: string;
  expiresOn: string | null;
}

export interface PickableQuery {
  itemIds: readonly string[];
  siteIds: readonly string[];
  /** YYYY-MM-DD: lots that expired before this day are left out. */
  today: string;
}

const availableExpr = sql<number>`b.on_hand - b.reserved`;

function pickableBase(db: Executor, query: { siteIds: readonly string[]; today: string }) {
  return db
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .leftJoin('lots as lt', 'lt.id', 'b.lot_id')
    .where('l.site_id', 'in', [...query.siteIds])
    .where('l.kind', '=', 'bin')
    .where('l.purpose', '=', 'stock')
    .where('l.status', '=', 'active')
    .where(availableExpr, '>', 0)
    .where((eb) => eb.or([eb('lt.expires_on', 'is', null), eb('lt.expires_on', '>=', query.today)]));
}

// Built once per shape (compiled-queries.ts): every flush and allocation reads these, and with the
// lists padded (inList) there are few shapes.
const pickableStockQuery = cachedQuery((db: Executor, args: { itemIds: readonly string[]; siteIds: readonly string[]; today: string }) =>
  pickableBase(db, args)
    .select(['b.item_id', 'l.site_id', 'b.location_id', 'b.lot_id', availableExpr.as('available'), 'l.pick_order', 'l.full_code', 'lt.expires_on'])
    .where('b.item_id', 'in', [...args.itemIds]),
);

const pickableBySiteQuery = cachedQuery((db: Executor, args: { itemIds: readonly string[]; siteIds: readonly string[]; today: string }) =>
  pickableBase(db, args)
    .select(['l.site_id', 'b.item_id', sql<number>`sum(${availableExpr})`.as('available')])
    .where('b.item_id', 'in', [...args.itemIds])
    .groupBy(['l.site_id', 'b.item_id']),
);

/** The query's lists, each without repeats and padded (inList). */
function listsOf(db: Executor, query: PickableQuery): { itemIds: string[]; siteIds: string[]; today: string } {
  return { itemIds: inList(db, [...new Set(query.itemIds)]), siteIds: inList(db, [...new Set(query.siteIds)]), today: query.today };
}

/** Every bin and lot with stock to spare for the items at the sites, soonest expiry first, then walking order. */
export async function listPickableStock(db: Executor, query: PickableQuery): Promise<PickableStock[]> {
  if (query.itemIds.length === 0 || query.siteIds.length === 0) return [];
  const rows = await pickableStockQuery.execute(db, listsOf(db, query));
  return rows
    .map((r) => ({
      itemId: r.item_id,
      siteId: r.site_id!,
      locationId: r.location_id,
      lotId: r.lot_id,
      available: Number(r.available),
      pickOrder: r.pick_order,
      binCode: r.full_code,
      expiresOn: r.expires_on ?? null,
    }))
    .sort(comparePickable);
}

/** FEFO (lots without expiry last), then the bins' walking order. */
export function comparePickable(a: PickableStock, b: PickableStock): number {
  if (a.expiresOn !== b.expiresOn) {
    if (a.expiresOn === null) return 1;
    if (b.expiresOn === null) return -1;
    return a.expiresOn < b.expiresOn ? -1 : 1;
  }
  if (a.pickOrder !== b.pickOrder) return a.pickOrder - b.pickOrder;
  if (a.binCode !== b.binCode) return a.binCode < b.binCode ? -1 : 1;
  return a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0;
}

/** Per (site, item): the sum of what each bin and lot has to spare (a bin below zero adds nothing, it takes nothing away). */
export async function sumPickableBySite(db: Executor, query: PickableQuery): Promise<Array<{ siteId: string; itemId: string; available: number }>> {
  if (query.itemIds.length === 0 || query.siteIds.length === 0) return [];
  const rows = await pickableBySiteQuery.execute(db, listsOf(db, query));
  return rows.map((r) => ({ siteId: r.site_id!, itemId: r.item_id, available: Number(r.available) }));
}

/** Per item, summed over the sites, a page at a time in item order. */
export async function sumPickableByItem(
  db: Executor,
  query: { siteIds: readonly string[]; today: string; itemIds?: readonly string[]; afterItemId?: string; limit: number },
): Promise<Array<{ itemId: string; available: number }>> {
  if (query.siteIds.length === 0) return [];
  let q = pickableBase(db, { siteIds: inList(db, [...new Set(query.siteIds)]), today: query.today }).select(['b.item_id', sql<number>`sum(${availableExpr})`.as('available')]);
  if (query.itemIds) q = q.where('b.item_id', 'in', query.itemIds.length ? inList(db, [...new Set(query.itemIds)]) : ['']);
  if (query.afterItemId) q = q.where('b.item_id', '>', query.afterItemId);
  const rows = await q.groupBy('b.item_id').orderBy('b.item_id').limit(query.limit).execute();
  return rows.map((r) => ({ itemId: r.item_id, available: Number(r.available) }));
}
