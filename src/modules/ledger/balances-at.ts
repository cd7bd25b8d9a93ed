import type { Executor } from '../../platform/db/transaction.ts';

/**
 * Balances at many instants at once, one per (item, location, lot): a count asks what the ledger
 * held on a shelf at the moment each line was counted. Today's balance less what moved after
 * that instant; a movement effective at the very instant is already in the balance. Two queries
 * per chunk of items, whatever the number of keys.
 */

export interface BalanceKeyAt {
  itemId: string;
  locationId: string;
  lotId: string;
  at: number;
}

const chunkSize = 400;

export async function balancesAtInstants(db: Executor, keys: readonly BalanceKeyAt[]): Promise<number[]> {
  const result = new Array<number>(keys.length).fill(0);
  const itemIds = [...new Set(keys.map((k) => k.itemId))].sort();
  for (let i = 0; i < itemIds.length; i += chunkSize) {
    const chunk = new Set(itemIds.slice(i, i + chunkSize));
    const indexes = keys.flatMap((k, index) => (chunk.has(k.itemId) ? [index] : []));
    const locations = [...new Set(indexes.map((index) => keys[index]!.locationId))];
    const since = Math.min(...indexes.map((index) => keys[index]!.at));
    const [balances, moved] = await Promise.all([
      db.selectFrom('balances').select(['item_id', 'location_id', 'lot_id', 'on_hand']).where('item_id', 'in', [...chunk]).where('location_id', 'in', locations).execute(),
      db
        .selectFrom('movements')
        .select(['item_id', 'lot_id', 'from_location_id', 'to_location_id', 'qty', 'effective_at'])
        .where('item_id', 'in', [...chunk])
        .where('effective_at', '>', since)
        .where((eb) => eb.or([eb('from_location_id', 'in', locations), eb('to_location_id', 'in', locations)]))
        .execute(),
    ]);
    const key = (itemId: string, locationId: string, lotId: string) => `${itemId}\u0000${locationId}\u0000${lotId}`;
    const now = new Map(balances.map((b) => [key(b.item_id, b.location_id, b.lot_id), Number(b.on_hand)]));
    const after = new Map<string, Array<{ at: number; delta: number }>>();
    const push = (k: string, at: number, delta: number) => {
      const list = after.get(k);
      if (list) list.push({ at, delta });
      else after.set(k, [{ at, delta }]);
    };
    for (const m of moved) {
      push(key(m.item_id, m.to_location_id, m.lot_id), Number(m.effective_at), Number(m.qty));
      push(key(m.item_id, m.from_location_id, m.lot_id), Number(m.effective_at), -Number(m.qty));
    }
    for (const index of indexes) {
      const k = keys[index]!;
      const id = key(k.itemId, k.locationId, k.lotId);
      let onHand = now.get(id) ?? 0;
      for (const change of after.get(id) ?? []) if (change.at > k.at) onHand -= change.delta;
      result[index] = onHand;
    }
  }
  return result;
}
