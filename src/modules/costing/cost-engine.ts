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
 *
 * FIFO layers carry the lot (or serial) that came in: stock leaving from lot L draws lot L's
 * layers, oldest first, so selling the lot that expires first (FEFO) costs what that lot cost, not
 * what the oldest stock of the item cost. Stock without a lot ('') draws the layers without one,
 * which for an untracked item is all of them. A shortfall of lot L waits for stock of lot L. Average
 * items keep one pool that every lot shares.
 */

export type CostingMethod = 'fifo' | 'average';

export interface Layer {
  movementId: string;
  /** The lot or serial the stock came in with; '' for stock without one. */
  lotId: string;
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
  /** The lot of the outbound movement; absent for stock without a lot. */
  lotId?: string;
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
  /** The lot or serial moved; '' or absent for stock without one. */
  lotId?: string;
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
    const unitCost = m.unitCost ?? this.#currentUnitCostOfLot(m.lotId ?? '');
    const value = mulDiv(m.qty, unitCost, QTY_SCALE) + m.landed;
    this.effects.values.set(m.id, value);
    if (m.qty > 0) this.state.lastUnitCost = mulDiv(value, QTY_SCALE, m.qty);
    let qtyLeft = m.qty;
    let valueLeft = value;
    const lotId = m.lotId ?? '';
    // Stock that was sold before it was recorded takes the cost of the first stock that arrives
    // (for FIFO items, the first stock of the same lot).
    for (;;) {
      if (qtyLeft === 0) break;
      const shortfall = this.state.shortfalls.find((s) => this.#sameCostPool(s.lotId ?? '', lotId));
      if (!shortfall) break;
      const take = Math.min(shortfall.qty, qtyLeft);
      const takeValue = take === qtyLeft ? valueLeft : mulDiv(take, valueLeft, qtyLeft);
      this.#settle(shortfall, take, takeValue, this.state.method === 'fifo' ? m.id : POOL);
      qtyLeft -= take;
      valueLeft -= takeValue;
    }
    if (this.state.method === 'fifo') {
      const layer: Layer = { movementId: m.id, lotId, effectiveAt: m.effectiveAt, qtyIn: m.qty, valueIn: value, qtyRemaining: qtyLeft, valueRemaining: valueLeft };
      this.effects.layers.set(m.id, layer);
      if (qtyLeft > 0) this.state.layers.push(layer);
    }
    this.state.poolQty += qtyLeft;
    this.state.poolValue += valueLeft;
  }

  #outbound(m: ValuedMovement): void {
    const drawn: Consumption[] = [];
    let needed = m.qty;
    const lotId = m.lotId ?? '';
    const lot = lotId === '' ? {} : { lotId };
    if (this.state.method === 'fifo') {
      for (let i = 0; needed > 0 && i < this.state.layers.length; ) {
        const layer = this.state.layers[i]!;
        if (!this.#sameCostPool(layer.lotId, lotId)) {
          i += 1;
          continue;
        }
        const take = Math.min(needed, layer.qtyRemaining);
        const value = take === layer.qtyRemaining ? layer.valueRemaining : mulDiv(take, layer.valueIn, layer.qtyIn);
        layer.qtyRemaining -= take;
        layer.valueRemaining -= value;
        this.effects.layers.set(layer.movementId, layer);
        // shift() for the front (the usual case) stays O(1) on long arrays; splice(0, 1) need not.
        if (layer.qtyRemaining > 0) i += 1;
        else if (i === 0) this.state.layers.shift();
        else this.state.layers.splice(i, 1);
        drawn.push({ movementId: m.id, effectiveAt: m.effectiveAt, layerId: layer.movementId, qty: take, value, ...lot });
        this.state.poolQty -= take;
        this.state.poolValue -= value;
        needed -= take;
      }
    } else if (this.state.poolQty > 0) {
      const take = Math.min(needed, this.state.poolQty);
      const value = take === this.state.poolQty ? this.state.poolValue : mulDiv(take, this.state.poolValue, this.state.poolQty);
      drawn.push({ movementId: m.id, effectiveAt: m.effectiveAt, layerId: POOL, qty: take, value, ...lot });
      this.state.poolQty -= take;
      this.state.poolValue -= value;
      needed -= take;
    }
    if (needed > 0) {
      const shortfall: Consumption = { movementId: m.id, effectiveAt: m.effectiveAt, layerId: SHORTFALL, qty: needed, value: mulDiv(needed, this.state.lastUnitCost, QTY_SCALE), ...lot };
      drawn.push(shortfall);
      this.state.shortfalls.push({ ...shortfall });
    }
    this.effects.consumptions.set(m.id, drawn);
    this.effects.values.set(m.id, drawn.reduce((sum, c) => sum + c.value, 0));
  }

  /**
   * What stock of a lot found without a stated cost (a count, found stock) is worth: for a FIFO
   * item the lot's own open layers, when it has any, else the item's current cost.
   */
  #currentUnitCostOfLot(lotId: string): number {
    if (this.state.method !== 'fifo' || lotId === '') return this.currentUnitCost();
    let qty = 0;
    let value = 0;
    for (const layer of this.state.layers) {
      if (layer.lotId !== lotId) continue;
      qty += layer.qtyRemaining;
      value += layer.valueRemaining;
    }
    return qty > 0 ? mulDiv(value, QTY_SCALE, qty) : this.currentUnitCost();
  }

  /**
   * Whether stock of one lot may cost stock of another: for FIFO only the same lot (layers carry
   * their lot); for average items every lot shares the one pool.
   */
  #sameCostPool(lotA: string, lotB: string): boolean {
    return this.state.method === 'average' || lotA === lotB;
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
      const lot = shortfall.lotId ? { lotId: shortfall.lotId } : {};
      list.splice(list.length - 1, 0, { movementId: shortfall.movementId, effectiveAt: shortfall.effectiveAt, layerId, qty: take, value, ...lot });
    }
    const remaining = list.filter((c) => c.qty > 0);
    this.effects.consumptions.set(shortfall.movementId, remaining);
    this.effects.values.set(shortfall.movementId, remaining.reduce((sum, c) => sum + c.value, 0));
    shortfall.qty -= take;
    shortfall.value = pending.value;
    if (shortfall.qty === 0) {
      const at = this.state.shortfalls.indexOf(shortfall);
      if (at === 0) this.state.shortfalls.shift();
      else this.state.shortfalls.splice(at, 1);
    }
    // Pool accounting: the settled quantity never joins the pool; it was already sold.
  }
}

export function unitCostOf(value: number, qty: number): number {
  return qty === 0 ? 0 : mulDiv(value, QTY_SCALE, qty);
}
