import type { CostingMethod, Tracking } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/db/transaction.ts';

/**
 * The few facts about an item the ledger checks before posting. The ledger reads them from the
 * catalog's table itself: the catalog asks the ledger whether an item has history, so a call the
 * other way would make the two modules import each other.
 */
export interface ItemRules {
  id: string;
  sku: string;
  stocked: boolean;
  active: boolean;
  tracking: Tracking;
  tracksExpiry: boolean;
  costingMethod: CostingMethod;
}

export async function loadItemRules(db: Executor, ids: readonly string[]): Promise<Map<string, ItemRules>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .selectFrom('items')
    .select(['id', 'sku', 'stocked', 'status', 'tracking', 'tracks_expiry', 'costing_method'])
    .where('id', 'in', unique)
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        sku: r.sku,
        stocked: r.stocked === 1,
        active: r.status === 'active',
        tracking: r.tracking,
        tracksExpiry: r.tracks_expiry === 1,
        costingMethod: r.costing_method,
      },
    ]),
  );
}
