import type { Trx } from '../../platform/db/transaction.ts';
import { CatalogError } from './catalog.errors.ts';

/** Bills of materials are shallow in practice; a deeper one is refused rather than walked forever. */
const maxDepth = 16;

/**
 * Refuses components that would make `itemId` (directly or through other items) a component
 * of itself. Walks down from the proposed components one level per query.
 */
export async function assertNoComponentCycle(trx: Trx, itemId: string, componentIds: string[]): Promise<void> {
  let frontier = [...new Set(componentIds)];
  const seen = new Set(frontier);
  for (let depth = 0; frontier.length > 0; depth += 1) {
    if (frontier.includes(itemId)) {
      throw new CatalogError('component_cycle', 'These components would make the item a component of itself.');
    }
    if (depth >= maxDepth) throw new CatalogError('component_invalid', `Components nest more than ${maxDepth} levels deep.`);
    const rows = await trx.selectFrom('item_components').select('component_item_id').where('item_id', 'in', frontier).execute();
    frontier = [];
    for (const { component_item_id: id } of rows) {
      if (id === itemId) throw new CatalogError('component_cycle', 'These components would make the item a component of itself.');
      if (!seen.has(id)) {
        seen.add(id);
        frontier.push(id);
      }
    }
  }
}
