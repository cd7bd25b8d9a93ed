import { sql } from 'kysely';
import { reader, type ServiceContext } from '../../platform/context.ts';
import { mulDiv } from '../../platform/decimal.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { unitCostOf } from './cost-engine.ts';
import { NONE_LEFT, SHORTFALL_LAYER } from './cost-rows.ts';

export interface ItemCostSummary {
  itemId: string;
  method: 'fifo' | 'average';
  /** Owned quantity as costing sees it: open stock less stock sold before it was recorded. */
  qty: number;
  value: number;
  unitCost: number;
  lastUnitCost: number;
  shortfall: { qty: number; value: number };
  layers: Array<{ movementId: string; lotId: string; effectiveAt: number; qtyIn: number; valueIn: number; qtyRemaining: number; valueRemaining: number }>;
}

/**
 * An item's cost position: its open FIFO layers (or average pool) and any uncovered shortfall.
 * Layers are kept per item across all sites; someone granted some sites sees the item's stock
 * at those sites valued at its unit cost (as the valuation report does), the layers that were
 * received there, and the shortfall of what was sold there.
 */
export async function getItemCosts(ctx: ServiceContext, itemId: string, method: 'fifo' | 'average'): Promise<ItemCostSummary> {
  const whole = await getItemCostsEverywhere(ctx, itemId, method);
  if (ctx.actor.sites === 'all') return whole;
  return narrowToSites(reader(ctx), whole, [...ctx.actor.sites]);
}

async function narrowToSites(db: Executor, whole: ItemCostSummary, sites: string[]): Promise<ItemCostSummary> {
  const granted = [...sites, ''];
  const [onHand, layerSites, shortfall] = await Promise.all([
    db
      .selectFrom('balances as b')
      .innerJoin('locations as l', 'l.id', 'b.location_id')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('b.on_hand'), eb.val(0)).as('qty'))
      .where('b.item_id', '=', whole.itemId)
      .where('l.site_id', 'in', granted)
      .where('l.kind', '<>', 'virtual')
      .executeTakeFirstOrThrow(),
    whole.layers.length
      ? db
          .selectFrom('movements as m')
          .innerJoin('locations as l', 'l.id', 'm.to_location_id')
          .select('m.id')
          .where('m.id', 'in', whole.layers.map((l) => l.movementId))
          .where('l.site_id', 'in', granted)
          .execute()
      : Promise.resolve([]),
    db
      .selectFrom('cost_consumptions as c')
      .innerJoin('movements as m', 'm.id', 'c.movement_id')
      .innerJoin('locations as l', 'l.id', 'm.from_location_id')
      .select((eb) => [eb.fn.coalesce(eb.fn.sum<number>('c.qty'), eb.val(0)).as('qty'), eb.fn.coalesce(eb.fn.sum<number>('c.value_micros'), eb.val(0)).as('value')])
      .where('c.item_id', '=', whole.itemId)
      .where('c.layer_id', '=', '')
      .where('l.site_id', 'in', granted)
      .executeTakeFirstOrThrow(),
  ]);
  const qty = Number(onHand.qty);
  const seen = new Set(layerSites.map((r) => r.id));
  return {
    ...whole,
    qty,
    value: mulDiv(qty, whole.unitCost, QTY_SCALE),
    shortfall: { qty: Number(shortfall.qty), value: Number(shortfall.value) },
    layers: whole.layers.filter((l) => seen.has(l.movementId)),
  };
}

async function getItemCostsEverywhere(ctx: ServiceContext, itemId: string, method: 'fifo' | 'average'): Promise<ItemCostSummary> {
  const db = reader(ctx);
  const [state, layers, shortfall] = await Promise.all([
    db.selectFrom('item_costs').selectAll().where('item_id', '=', itemId).executeTakeFirst(),
    db.selectFrom('cost_layers').selectAll().where('item_id', '=', itemId).where('qty_remaining', '>', NONE_LEFT).orderBy('effective_at').orderBy('movement_id').limit(1000).execute(),
    db
      .selectFrom('cost_consumptions')
      .select((eb) => [eb.fn.coalesce(eb.fn.sum<number>('qty'), eb.val(0)).as('qty'), eb.fn.coalesce(eb.fn.sum<number>('value_micros'), eb.val(0)).as('value')])
      .where('item_id', '=', itemId)
      .where('layer_id', '=', SHORTFALL_LAYER)
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
      lotId: l.lot_id,
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
      .where('layer_id', '=', SHORTFALL_LAYER)
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

/** The value of all owned stock now, as `listItemCostTotals` adds up, summed by the database: a dashboard tile. */
export async function itemCostGrandTotal(ctx: ServiceContext): Promise<number> {
  const db = reader(ctx);
  const [pools, shortfalls] = await Promise.all([
    db.selectFrom('item_costs').select((eb) => eb.fn.sum<number | null>('pool_value_micros').as('value')).executeTakeFirst(),
    db.selectFrom('cost_consumptions').select((eb) => eb.fn.sum<number | null>('value_micros').as('value')).where('layer_id', '=', SHORTFALL_LAYER).executeTakeFirst(),
  ]);
  return Number(pools?.value ?? 0) - Number(shortfalls?.value ?? 0);
}

/**
 * The current unit cost of each item, as `getItemCosts` gives it (owned value over owned
 * quantity, or the last cost when none is owned), for many items in two queries and without
 * reading their layers: what a transfer records as the cost its goods carry.
 */
export async function currentUnitCosts(db: Executor, itemIds: readonly string[]): Promise<Map<string, number>> {
  const unique = [...new Set(itemIds)];
  const costs = new Map<string, number>();
  // In chunks: a shop-wide report asks for every stocked item, more than one statement may bind.
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const [states, shortfalls] = await Promise.all([
      db.selectFrom('item_costs').select(['item_id', 'pool_qty', 'pool_value_micros', 'last_unit_cost_micros']).where('item_id', 'in', chunk).execute(),
      db
        .selectFrom('cost_consumptions')
        .select((eb) => ['item_id', eb.fn.sum<number>('qty').as('qty'), eb.fn.sum<number>('value_micros').as('value')])
        .where('item_id', 'in', chunk)
        .where('layer_id', '=', SHORTFALL_LAYER)
        .groupBy('item_id')
        .execute(),
    ]);
    const state = new Map(states.map((s) => [s.item_id, s]));
    const short = new Map(shortfalls.map((s) => [s.item_id, s]));
    for (const itemId of chunk) {
      const pool = state.get(itemId);
      const qty = (pool?.pool_qty ?? 0) - Number(short.get(itemId)?.qty ?? 0);
      const value = (pool?.pool_value_micros ?? 0) - Number(short.get(itemId)?.value ?? 0);
      costs.set(itemId, qty > 0 ? unitCostOf(value, qty) : (pool?.last_unit_cost_micros ?? 0));
    }
  }
  return costs;
}

export interface LotCostTotal {
  itemId: string;
  /** '' for stock without a lot. */
  lotId: string;
  qty: number;
  value: number;
}

/**
 * Owned quantity and value of each lot of the FIFO items, now: its open layers less what was sold
 * of it before it was recorded. Average items keep no layers (their lots share the pool) and are
 * not listed; value their lots at the item's unit cost.
 */
export async function listLotCostTotals(db: Executor): Promise<LotCostTotal[]> {
  const rows = await db
    .selectFrom(
      db
        .selectFrom('cost_layers')
        .select(['item_id', 'lot_id', 'qty_remaining as qty', 'value_remaining_micros as value'])
        .where('qty_remaining', '>', NONE_LEFT)
        .unionAll(
          db
            .selectFrom('cost_consumptions')
            .select(['item_id', 'lot_id', sql<number>`0 - qty`.as('qty'), sql<number>`0 - value_micros`.as('value')])
            .where('layer_id', '=', SHORTFALL_LAYER),
        )
        .as('x'),
    )
    .innerJoin('items as i', 'i.id', 'x.item_id')
    .select(['x.item_id', 'x.lot_id', sql<number>`sum(x.qty)`.as('qty'), sql<number>`sum(x.value)`.as('value')])
    .where('i.costing_method', '=', 'fifo')
    .groupBy(['x.item_id', 'x.lot_id'])
    .execute();
  return rows.map((r) => ({ itemId: r.item_id, lotId: r.lot_id, qty: Number(r.qty), value: Number(r.value) }));
}
