import { sql } from 'kysely';
import { SHORTFALL, type Consumption, type Layer } from './cost-engine.ts';

/**
 * How costing reads its stored rows back into the engine's shapes, and the one order every
 * valued movement is taken in: by effective instant, then by id.
 */

export function after(a: { effectiveAt: number; id: string }, b: { effectiveAt: number; id: string }): boolean {
  return a.effectiveAt > b.effectiveAt || (a.effectiveAt === b.effectiveAt && a.id > b.id);
}

/**
 * The values of the partial indexes' terms (`cost_layers … where qty_remaining > 0`,
 * `cost_consumptions … where layer_id = ''`) as SQL literals, never bound parameters: given a
 * parameter there, SQLite proves the index usable only by re-preparing the statement on every
 * run with the value bound, which made the open-layer look-up 3–8× slower (a batch of 100 items
 * took 540 µs a statement in the demo build).
 */
export const NONE_LEFT = sql.lit(0);
export const SHORTFALL_LAYER = sql.lit(SHORTFALL);

export type LayerRow = {
  item_id: string;
  movement_id: string;
  lot_id: string;
  effective_at: number;
  qty_in: number;
  value_in_micros: number;
  qty_remaining: number;
  value_remaining_micros: number;
};

export function layerOrder(a: LayerRow, b: LayerRow): number {
  return a.effective_at - b.effective_at || (a.movement_id < b.movement_id ? -1 : a.movement_id > b.movement_id ? 1 : 0);
}

export function toLayer(r: LayerRow): Layer {
  return { movementId: r.movement_id, lotId: r.lot_id, effectiveAt: r.effective_at, qtyIn: r.qty_in, valueIn: r.value_in_micros, qtyRemaining: r.qty_remaining, valueRemaining: r.value_remaining_micros };
}

export function toConsumption(r: { movement_id: string; lot_id: string; effective_at: number; layer_id: string; qty: number; value_micros: number }): Consumption {
  return { movementId: r.movement_id, effectiveAt: r.effective_at, layerId: r.layer_id, qty: r.qty, value: r.value_micros, ...(r.lot_id ? { lotId: r.lot_id } : {}) };
}
