import type { CostingMethod, ItemRow, Tracking } from '../../platform/db/schema.ts';
import { inList } from '../../platform/db/id-lists.ts';
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

type ItemRuleRow = Pick<ItemRow, 'id' | 'sku' | 'stocked' | 'status' | 'tracking' | 'tracks_expiry' | 'costing_method'>;

/** `known` holds item rows the caller has read in the same transaction (a sale's lines): they spare a second read. */
export async function loadItemRules(db: Executor, ids: readonly string[], known: readonly ItemRuleRow[] = []): Promise<Map<string, ItemRules>> {
  const unique = new Set(ids);
  const rules = new Map<string, ItemRules>();
  for (const row of known) if (unique.has(row.id)) rules.set(row.id, itemRulesOf(row));
  const missing = [...unique].filter((id) => !rules.has(id));
  if (missing.length === 0) return rules;
  const rows = await db
    .selectFrom('items')
    .select(['id', 'sku', 'stocked', 'status', 'tracking', 'tracks_expiry', 'costing_method'])
    .where('id', 'in', inList(db, missing))
    .execute();
  for (const row of rows) rules.set(row.id, itemRulesOf(row));
  return rules;
}

function itemRulesOf(r: ItemRuleRow): ItemRules {
  return {
    id: r.id,
    sku: r.sku,
    stocked: r.stocked === 1,
    active: r.status === 'active',
    tracking: r.tracking,
    tracksExpiry: r.tracks_expiry === 1,
    costingMethod: r.costing_method,
  };
}
