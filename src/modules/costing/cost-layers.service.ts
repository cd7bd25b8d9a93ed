import { reader, type ServiceContext } from '../../platform/context.ts';
import { unitCostOf } from './cost-engine.ts';

export interface ItemCostSummary {
  itemId: string;
  method: 'fifo' | 'average';
  /** Owned quantity as costing sees it: open stock less stock sold before it was recorded. */
  qty: number;
  value: number;
  unitCost: number;
  lastUnitCost: number;
  shortfall: { qty: number; value: number };
  layers: Array<{ movementId: string; effectiveAt: number; qtyIn: number; valueIn: number; qtyRemaining: number; valueRemaining: number }>;
}

/** An item's cost position: its open FIFO layers (or average pool) and any uncovered shortfall. */
export async function getItemCosts(ctx: ServiceContext, itemId: string, method: 'fifo' | 'average'): Promise<ItemCostSummary> {
  const db = reader(ctx);
  const [state, layers, shortfall] = await Promise.all([
    db.selectFrom('item_costs').selectAll().where('item_id', '=', itemId).executeTakeFirst(),
    db.selectFrom('cost_layers').selectAll().where('item_id', '=', itemId).where('qty_remaining', '>', 0).orderBy('effective_at').orderBy('movement_id').limit(1000).execute(),
    db
      .selectFrom('cost_consumptions')
      .select((eb) => [eb.fn.coalesce(eb.fn.sum<number>('qty'), eb.val(0)).as('qty'), eb.fn.coalesce(eb.fn.sum<number>('value_micros'), eb.val(0)).as('value')])
      .where('item_id', '=', itemId)
      .where('layer_id', '=', '')
      .executeTakeFirstOrThrow(),
  ]);
  const shortQty = Number(shortfall.qty);
  const shortValue = Number(shortfall.value);
  const qty = (state?.pool_qty ?? 0) - shortQty;
  const value = (state?.pool_value_micros ?? 0) - shortValue;
  const lastUnitCost = state?.last_unit_cost_micros ?? 0;
  return {
    itemId,
    method,
    qty,
    value,
    unitCost: qty > 0 ? unitCostOf(value, qty) : lastUnitCost,
    lastUnitCost,
    shortfall: { qty: shortQty, value: shortValue },
    layers: layers.map((l) => ({
      movementId: l.movement_id,
      effectiveAt: l.effective_at,
      qtyIn: l.qty_in,
      valueIn: l.value_in_micros,
      qtyRemaining: l.qty_remaining,
      valueRemaining: l.value_remaining_micros,
    })),
  };
}

/** Owned quantity and value of every item costing knows, now: the pool less uncovered shortfalls. */
export async function listItemCostTotals(ctx: ServiceContext): Promise<Map<string, { qty: number; value: number; lastUnitCost: number }>> {
  const db = reader(ctx);
  const [states, shortfalls] = await Promise.all([
    db.selectFrom('item_costs').select(['item_id', 'pool_qty', 'pool_value_micros', 'last_unit_cost_micros']).execute(),
    db
      .selectFrom('cost_consumptions')
      .select((eb) => ['item_id', eb.fn.sum<number>('qty').as('qty'), eb.fn.sum<number>('value_micros').as('value')])
      .where('layer_id', '=', '')
      .groupBy('item_id')
      .execute(),
  ]);
  const short = new Map(shortfalls.map((s) => [s.item_id, s]));
  return new Map(
    states.map((s) => {
      const sf = short.get(s.item_id);
      return [s.item_id, { qty: s.pool_qty - Number(sf?.qty ?? 0), value: s.pool_value_micros - Number(sf?.value ?? 0), lastUnitCost: s.last_unit_cost_micros }];
    }),
  );
}
