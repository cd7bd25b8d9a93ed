import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import { inList } from '../../platform/db/id-lists.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { componentsOf, findItems } from '../catalog/index.ts';
import { expandLine, loadConsumables, type Part } from './consumption.ts';

/**
 * A bundle or recipe (an active, non-stocked item with components) has no stock of its own: a
 * channel can sell as many whole units of it as its scarcest part allows. Parts are the stocked
 * items it consumes, nested bundles expanded, exactly as a sale would consume them.
 */

const maxDepth = 16;

/** Parts per unit of each bundle among `ids`; `null` when one of its components is archived (it cannot be sold). Stocked items are left out. */
export async function bundleParts(db: Executor, ids: readonly string[]): Promise<Map<string, Part[] | null>> {
  const result = new Map<string, Part[] | null>();
  if (ids.length === 0) return result;
  const bundles = new Map([...(await findItems(db, ids))].filter(([, item]) => item.stocked === 0 && item.status === 'active' && componentsOf(item).length > 0));
  if (bundles.size === 0) return result;
  const catalog = await loadConsumables(db, bundles, []);
  for (const id of bundles.keys()) {
    try {
      result.set(id, expandLine(id, QTY_SCALE, [], catalog));
    } catch {
      result.set(id, null);
    }
  }
  return result;
}

/** Whole units (in thousandths) that the parts allow, given what is available of each part. */
export function unitsAvailable(parts: readonly Part[] | null, availableOf: (itemId: string) => number): number {
  if (!parts || parts.length === 0) return 0;
  let units = Number.MAX_SAFE_INTEGER;
  for (const part of parts) units = Math.min(units, Math.floor(Math.max(0, availableOf(part.itemId)) / part.qty));
  return units * QTY_SCALE;
}

// Every change of stock at a channel's site asks this (emitAvailability): built once per shape.
const usersQuery = cachedQuery((db: Executor, args: { partIds: readonly string[] }) =>
  db
    .selectFrom('item_components as c')
    .innerJoin('items as i', 'i.id', 'c.item_id')
    .select(['c.item_id', 'c.component_item_id'])
    .where('c.component_item_id', 'in', [...args.partIds])
    .where('i.stocked', '=', 0)
    .where('i.status', '=', 'active'),
);

/** For each of `partIds`, the active bundles and recipes that consume it, at any depth. */
export async function bundlesUsing(db: Executor, partIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const users = new Map<string, Set<string>>();
  // Which of the parts asked about each item reaches down to.
  const reaches = new Map<string, Set<string>>(partIds.map((id) => [id, new Set([id])]));
  let frontier = [...new Set(partIds)];
  for (let depth = 0; frontier.length > 0 && depth < maxDepth; depth += 1) {
    const rows = await usersQuery.execute(db, { partIds: inList(db, frontier) });
    const next = new Set<string>();
    for (const row of rows) {
      const reached = reaches.get(row.item_id) ?? new Set<string>();
      const before = reached.size;
      for (const part of reaches.get(row.component_item_id) ?? []) reached.add(part);
      reaches.set(row.item_id, reached);
      if (reached.size > before) next.add(row.item_id);
      for (const part of reached) users.set(part, (users.get(part) ?? new Set()).add(row.item_id));
    }
    frontier = [...next];
  }
  return users;
}
