import { mulDiv } from '../../platform/decimal.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';

/**
 * The valuation of one item, as a pure state machine over its valued movements in
 * (effective_at, id) order. Inbound movements (into owned stock: bins and goods in transit)
 * open a FIFO layer or join the average pool; outbound movements draw layers oldest first, or
 * the pool at its average. Stock sold before it was recorded (a negative balance at a store) is
 * a shortfall, valued at the last known cost until the next inbound movement settles it at that
 * movement's cost. Values are integers in micros and conserved exactly: what a layer gives out
 * over its life adds up to what it came in with.
 */

export type CostingMethod = 'fifo' | 'average';

export interface Layer {
  movementId: string;
  effectiveAt: number;
  qtyIn: number;
  valueIn: number;
  qtyRemaining: number;
  valueRemaining: number;
}

/** What an outbound movement drew: from a layer, from the average pool, or not yet covered. */
export interface Consumption {
  movementId: string;
  effectiveAt: number;
  /** The layer (the inbound movement's id), 'avg' for the average pool, '' for a shortfall. */
  layerId: string;
  qty: number;
  value: number;
}

export const SHORTFALL = '';
export const POOL = 'avg';

export interface EngineState {
  method: CostingMethod;
  /** Open FIFO layers, oldest first. Empty for average items. */
  layers: Layer[];
  /** Average items: the pool of owned stock. For FIFO items the sum of the open layers. */
  poolQty: number;
  poolValue: number;
  /** Outbound quantities not covered by any stock yet, oldest first. */
  shortfalls: Consumption[];
  lastUnitCost: number;
}

export interface ValuedMovement {
  id: string;
  effectiveAt: number;
  qty: number;
  direction: 'in' | 'out';
  /** Inbound: cost per base unit given by the document, or null to value at the current cost. */
  unitCost: number | null;
  /** Inbound: landed costs added to the movement's value. */
  landed: number;
}

export interface MovementValue {
  movementId: string;
  value: number;
  unitCost: number;
}

export function emptyState(method: CostingMethod, lastUnitCost = 0): EngineState {
  return { method, layers: [], poolQty: 0, poolValue: 0, shortfalls: [], lastUnitCost };
}

/** Everything the engine decided while processing; the caller persists it. */
export interface EngineEffects {
  /** Values of the processed movements and of earlier outbound movements whose shortfall was settled. */
  values: Map<string, number>;
  /** Consumptions of each outbound movement touched, complete (replacing what was stored). */
  consumptions: Map<string, Consumption[]>;
  /** Layers opened or changed. */
  layers: Map<string, Layer>;
}

export class CostEngine {
  readonly state: EngineState;
  readonly effects: EngineEffects = { values: new Map(), consumptions: new Map(), layers: new Map() };
  /** Consumptions already stored for outbound movements that are still settling. */
  readonly #known: Map<string, Consumption[]>;
  readonly #movementQty = new Map<string, number>();

  constructor(state: EngineState, known: Map<string, Consumption[]> = new Map()) {
    this.state = state;
    this.#known = known;
  }

  currentUnitCost(): number {
    if (this.state.poolQty > 0) return mulDiv(this.state.poolValue, QTY_SCALE, this.state.poolQty);
    return this.state.lastUnitCost;
  }

  process(movement: ValuedMovement): void {
    this.#movementQty.set(movement.id, movement.qty);
    if (movement.direction === 'in') this.#inbound(movement);
    else this.#outbound(movement);
  }

  #inbound(m: ValuedMovement): void {
    const unitCost = m.unitCost ?? this.currentUnitCost();
    const value = mulDiv(m.qty, unitCost, QTY_SCALE) + m.landed;
    this.effects.values.set(m.id, value);
    if (m.qty > 0) this.state.lastUnitCost = mulDiv(value, QTY_SCALE, m.qty);
    let qtyLeft = m.qty;
    let valueLeft = value;
    // Stock that was sold before it was recorded takes the cost of the first stock that arrives.
    while (qtyLeft > 0 && this.state.shortfalls.length > 0) {
      const shortfall = this.state.shortfalls[0]!;
      const take = Math.min(shortfall.qty, qtyLeft);
      const takeValue = take === qtyLeft ? valueLeft : mulDiv(take, valueLeft, qtyLeft);
      this.#settle(shortfall, take, takeValue, this.state.method === 'fifo' ? m.id : POOL);
      qtyLeft -= take;
      valueLeft -= takeValue;
    }
    if (this.state.method === 'fifo') {
      const layer: Layer = { movementId: m.id, effectiveAt: m.effectiveAt, qtyIn: m.qty, valueIn: value, qtyRemaining: qtyLeft, valueRemaining: valueLeft };
      this.effects.layers.set(m.id, layer);
      if (qtyLeft > 0) this.state.layers.push(layer);
    }
    this.state.poolQty += qtyLeft;
    this.state.poolValue += valueLeft;
  }

  #outbound(m: ValuedMovement): void {
    const drawn: Consumption[] = [];
    let needed = m.qty;
    if (this.state.method === 'fifo') {
      while (needed > 0 && this.state.layers.length > 0) {
        const layer = this.state.layers[0]!;
        const take = Math.min(needed, layer.qtyRemaining);
        const value = take === layer.qtyRemaining ? layer.valueRemaining : mulDiv(take, layer.valueIn, layer.qtyIn);
        layer.qtyRemaining -= take;
        layer.valueRemaining -= value;
        this.effects.layers.set(layer.movementId, layer);
        if (layer.qtyRemaining === 0) this.state.layers.shift();
        drawn.push({ movementId: m.id, effectiveAt: m.effectiveAt, layerId: layer.movementId, qty: take, value });
        this.state.poolQty -= take;
        this.state.poolValue -= value;
        needed -= take;
      }
    } else if (this.state.poolQty > 0) {
      const take = Math.min(needed, this.state.poolQty);
      const value = take === this.state.poolQty ? this.state.poolValue : mulDiv(take, this.state.poolValue, this.state.poolQty);
      drawn.push({ movementId: m.id, effectiveAt: m.effectiveAt, layerId: POOL, qty: take, value });
      this.state.poolQty -= take;
      this.state.poolValue -= value;
      needed -= take;
    }
    if (needed > 0) {
      const shortfall: Consumption = { movementId: m.id, effectiveAt: m.effectiveAt, layerId: SHORTFALL, qty: needed, value: mulDiv(needed, this.state.lastUnitCost, QTY_SCALE) };
      drawn.push(shortfall);
      this.state.shortfalls.push({ ...shortfall });
    }
    this.effects.consumptions.set(m.id, drawn);
    this.effects.values.set(m.id, drawn.reduce((sum, c) => sum + c.value, 0));
  }

  /** Moves `take` of a pending shortfall onto the stock that has now arrived, at that stock's cost. */
  #settle(shortfall: Consumption, take: number, value: number, layerId: string): void {
    const list = this.effects.consumptions.get(shortfall.movementId) ?? this.#known.get(shortfall.movementId)?.map((c) => ({ ...c }));
    if (!list) throw new Error(`costing: no consumptions known for ${shortfall.movementId}`);
    const pending = list.find((c) => c.layerId === SHORTFALL);
    if (!pending) throw new Error(`costing: ${shortfall.movementId} has no shortfall to settle`);
    const estimate = take === pending.qty ? pending.value : mulDiv(take, pending.value, pending.qty);
    pending.qty -= take;
    pending.value -= estimate;
    const settled = list.find((c) => c.layerId === layerId);
    if (settled) {
      settled.qty += take;
      settled.value += value;
    } else {
      list.splice(list.length - 1, 0, { movementId: shortfall.movementId, effectiveAt: shortfall.effectiveAt, layerId, qty: take, value });
    }
    const remaining = list.filter((c) => c.qty > 0);
    this.effects.consumptions.set(shortfall.movementId, remaining);
    this.effects.values.set(shortfall.movementId, remaining.reduce((sum, c) => sum + c.value, 0));
    shortfall.qty -= take;
    shortfall.value = pending.value;
    if (shortfall.qty === 0) this.state.shortfalls.shift();
    // Pool accounting: the settled quantity never joins the pool; it was already sold.
  }
}

export function unitCostOf(value: number, qty: number): number {
  return qty === 0 ? 0 : mulDiv(value, QTY_SCALE, qty);
}
