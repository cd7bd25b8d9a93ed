import { sql } from 'kysely';
import type { Trx } from '../../platform/db/transaction.ts';
import { invariant } from '../../platform/errors.ts';
import {
  CostEngine,
  emptyState,
  unitCostOf,
  SHORTFALL,
  type Consumption,
  type CostingMethod,
  type EngineState,
  type Layer,
  type ValuedMovement,
} from './cost-engine.ts';

/**
 * Values movements as the ledger posts them, and re-values an item's history when something in
 * its past changes (a back-dated entry, a landed cost). Movements that arrive in order are
 * valued incrementally from the stored open layers; anything else replays the item's whole
 * valued history, touching no other item. The ledger stays the only writer of movements: this
 * module returns the values and the ledger writes them.
 */

/** A new movement as the ledger is about to post it. */
export interface CostingMovement {
  id: string;
  itemId: string;
  effectiveAt: number;
  qty: number;
  /** Whether each side holds owned stock (a bin, or goods in transit). */
  fromValued: boolean;
  toValued: boolean;
  /** Cost per base unit given by the document, for stock coming in. */
  unitCostMicros: number | null;
  method: CostingMethod;
}

/** A movement already in the ledger that crosses into or out of owned stock. */
export interface HistoricMovement {
  id: string;
  effectiveAt: number;
  qty: number;
  direction: 'in' | 'out';
  valueMicros: number | null;
  unitCostMicros: number | null;
}

/** Reads an item's valued movements, oldest first; the ledger provides it. */
export type HistoryReader = (trx: Trx, itemId: string) => Promise<HistoricMovement[]>;

export interface MovementCost {
  unitCostMicros: number;
  valueMicros: number;
}

export interface CostUpdate extends MovementCost {
  movementId: string;
}

export interface Valuation {
  /** Costs of the new movements that cross into or out of owned stock. */
  costs: Map<string, MovementCost>;
  /** Changed costs of movements already in the ledger. */
  updates: CostUpdate[];
}

function directionOf(m: Pick<CostingMovement, 'fromValued' | 'toValued'>): 'in' | 'out' | null {
  if (m.fromValued === m.toValued) return null;
  return m.toValued ? 'in' : 'out';
}

function after(a: { effectiveAt: number; id: string }, b: { effectiveAt: number; id: string }): boolean {
  return a.effectiveAt > b.effectiveAt || (a.effectiveAt === b.effectiveAt && a.id > b.id);
}

export async function valueMovements(trx: Trx, movements: readonly CostingMovement[], readHistory: HistoryReader, now: number): Promise<Valuation> {
  const valued = movements.filter((m) => directionOf(m) !== null);
  const result: Valuation = { costs: new Map(), updates: [] };
  if (valued.length === 0) return result;

  const itemIds = [...new Set(valued.map((m) => m.itemId))].sort();
  const methods = new Map(valued.map((m) => [m.itemId, m.method]));
  const states = await lockItemCosts(trx, itemIds, now);
  const inbound = valued.filter((m) => directionOf(m) === 'in');
  if (inbound.length) {
    await trx
      .insertInto('inbound_costs')
      .values(inbound.map((m) => ({ movement_id: m.id, item_id: m.itemId, unit_cost_micros: m.unitCostMicros, landed_micros: 0 })))
      .execute();
  }

  const incremental: string[] = [];
  for (const itemId of itemIds) {
    const last = states.get(itemId)!;
    const mine = valued.filter((m) => m.itemId === itemId);
    const inOrder = mine.every((m) => after(m, { effectiveAt: last.last_effective_at, id: last.last_movement_id }));
    if (inOrder) incremental.push(itemId);
    else {
      const replay = await replayItem(trx, itemId, methods.get(itemId)!, readHistory, mine, now);
      for (const [id, cost] of replay.costs) result.costs.set(id, cost);
      result.updates.push(...replay.updates);
    }
  }
  if (incremental.length) {
    const incrementalResult = await valueIncrementally(trx, incremental, methods, states, valued, now);
    for (const [id, cost] of incrementalResult.costs) result.costs.set(id, cost);
    result.updates.push(...incrementalResult.updates);
  }
  return result;
}

interface ItemCostRow {
  item_id: string;
  pool_qty: number;
  pool_value_micros: number;
  last_unit_cost_micros: number;
  last_effective_at: number;
  last_movement_id: string;
}

/**
 * Takes each item's cost row (creating it on first use) in item order. On PostgreSQL the upsert
 * holds the row lock until commit, so two tills selling the same item value it one at a time.
 * The ledger takes these locks before it stamps a posting's time, so that postings of one item
 * are stamped in the order they commit (see postMovements).
 */
export async function lockItemCosts(trx: Trx, itemIds: string[], now: number): Promise<Map<string, ItemCostRow>> {
  const rows = await trx
    .insertInto('item_costs')
    .values(itemIds.map((id) => ({ item_id: id, pool_qty: 0, pool_value_micros: 0, last_unit_cost_micros: 0, last_effective_at: 0, last_movement_id: '', updated_at: now })))
    .onConflict((oc) => oc.column('item_id').doUpdateSet({ updated_at: now }))
    .returning(['item_id', 'pool_qty', 'pool_value_micros', 'last_unit_cost_micros', 'last_effective_at', 'last_movement_id'])
    .execute();
  return new Map(rows.map((r) => [r.item_id, r]));
}

function toEngineMovement(m: CostingMovement, landed = 0): ValuedMovement {
  return { id: m.id, effectiveAt: m.effectiveAt, qty: m.qty, direction: directionOf(m)!, unitCost: m.unitCostMicros, landed };
}

async function valueIncrementally(
  trx: Trx,
  itemIds: string[],
  methods: Map<string, CostingMethod>,
  states: Map<string, ItemCostRow>,
  movements: readonly CostingMovement[],
  now: number,
): Promise<Valuation> {
  const outboundQty = new Map<string, number>();
  for (const m of movements) if (directionOf(m) === 'out') outboundQty.set(m.itemId, (outboundQty.get(m.itemId) ?? 0) + m.qty);
  // Only stock coming in settles earlier shortfalls: a sale at a store selling below its recorded
  // stock does not read them, so its cost does not grow with the number still waiting.
  const settlingItems = itemIds.filter((id) => movements.some((m) => m.itemId === id && directionOf(m) === 'in'));
  const [openLayers, shortfalls] = await Promise.all([
    loadOldestOpenLayers(trx, outboundQty),
    settlingItems.length === 0
      ? Promise.resolve([])
      : trx
          .selectFrom('cost_consumptions')
          .selectAll()
          .where('item_id', 'in', settlingItems)
          .where('layer_id', '=', SHORTFALL)
          .orderBy('effective_at')
          .orderBy('movement_id')
          .execute(),
  ]);
  // Outbound movements still waiting for stock may be settled now: load all they drew so far.
  const settling = [...new Set(shortfalls.map((s) => s.movement_id))];
  const known = new Map<string, Consumption[]>();
  if (settling.length) {
    const rows = await trx.selectFrom('cost_consumptions').selectAll().where('movement_id', 'in', settling).execute();
    for (const r of rows) known.set(r.movement_id, [...(known.get(r.movement_id) ?? []), toConsumption(r)]);
    for (const list of known.values()) list.sort((a, b) => (a.layerId === SHORTFALL ? 1 : 0) - (b.layerId === SHORTFALL ? 1 : 0));
  }

  const result: Valuation = { costs: new Map(), updates: [] };
  const persisted: EngineRun[] = [];
  for (const itemId of itemIds) {
    const row = states.get(itemId)!;
    const state: EngineState = {
      ...emptyState(methods.get(itemId)!, row.last_unit_cost_micros),
      layers: (openLayers.get(itemId) ?? []).map(toLayer),
      poolQty: row.pool_qty,
      poolValue: row.pool_value_micros,
      shortfalls: shortfalls.filter((s) => s.item_id === itemId).map(toConsumption),
    };
    const engine = new CostEngine(state, known);
    const mine = movements.filter((m) => m.itemId === itemId);
    for (const m of mine) engine.process(toEngineMovement(m));
    const processed = new Set(mine.map((m) => m.id));
    persisted.push({ itemId, engine, processed, last: latest(mine) });
    collect(engine, processed, movements, result);
  }
  await persistEffects(trx, persisted, now);
  return result;
}

type LayerRow = { item_id: string; movement_id: string; effective_at: number; qty_in: number; value_in_micros: number; qty_remaining: number; value_remaining_micros: number };

/**
 * The oldest open layers of each item, just enough to cover what this posting takes out (an
 * item received a thousand times keeps a thousand layers; a sale reads the first one or two).
 * A posting that only brings stock in reads none: its layer goes after all the others.
 */
async function loadOldestOpenLayers(trx: Trx, needed: Map<string, number>): Promise<Map<string, LayerRow[]>> {
  const result = new Map<string, LayerRow[]>();
  for (const [itemId, qty] of needed) {
    const layers: LayerRow[] = [];
    let covered = 0;
    for (;;) {
      const last = layers[layers.length - 1];
      let query = trx.selectFrom('cost_layers').selectAll().where('item_id', '=', itemId).where('qty_remaining', '>', 0);
      if (last) {
        query = query.where((eb) =>
          eb.or([eb('effective_at', '>', last.effective_at), eb.and([eb('effective_at', '=', last.effective_at), eb('movement_id', '>', last.movement_id)])]),
        );
      }
      const batch = await query.orderBy('effective_at').orderBy('movement_id').limit(16).execute();
      layers.push(...batch);
      covered += batch.reduce((sum, l) => sum + l.qty_remaining, 0);
      if (batch.length < 16 || covered >= qty) break;
    }
    result.set(itemId, layers);
  }
  return result;
}

/** New movements' costs, and the changed costs of earlier sales whose shortfall was settled. */
function collect(engine: CostEngine, processed: Set<string>, movements: readonly CostingMovement[], result: Valuation): void {
  const qtyById = new Map(movements.map((m) => [m.id, m.qty]));
  for (const [movementId, value] of engine.effects.values) {
    if (processed.has(movementId)) {
      result.costs.set(movementId, { valueMicros: value, unitCostMicros: unitCostOf(value, qtyById.get(movementId)!) });
    } else {
      const qty = (engine.effects.consumptions.get(movementId) ?? []).reduce((sum, c) => sum + c.qty, 0);
      result.updates.push({ movementId, valueMicros: value, unitCostMicros: unitCostOf(value, qty) });
    }
  }
}

interface EngineRun {
  itemId: string;
  engine: CostEngine;
  /** Movements this run valued for the first time; other consumptions it wrote replace stored ones. */
  processed: Set<string>;
  /** The latest (effective_at, id) valued, which later postings must come after to stay incremental. */
  last: { effectiveAt: number; id: string } | null;
}

function latest(movements: ReadonlyArray<{ effectiveAt: number; id: string }>): { effectiveAt: number; id: string } | null {
  let last: { effectiveAt: number; id: string } | null = null;
  for (const m of movements) if (!last || after(m, last)) last = { effectiveAt: m.effectiveAt, id: m.id };
  return last;
}

/** Writes what the engine changed: consumptions (replaced per movement), layers, the item's state. */
async function persistEffects(trx: Trx, runs: EngineRun[], now: number): Promise<void> {
  const consumptionRows = [];
  const replaced: string[] = [];
  const layerRows = [];
  for (const { itemId, engine, processed } of runs) {
    for (const [movementId, list] of engine.effects.consumptions) {
      if (!processed.has(movementId)) replaced.push(movementId);
      consumptionRows.push(
        ...list.map((c) => ({ movement_id: movementId, layer_id: c.layerId, item_id: itemId, effective_at: c.effectiveAt, qty: c.qty, value_micros: c.value })),
      );
    }
    for (const l of engine.effects.layers.values()) {
      layerRows.push({
        movement_id: l.movementId,
        item_id: itemId,
        effective_at: l.effectiveAt,
        qty_in: l.qtyIn,
        value_in_micros: l.valueIn,
        qty_remaining: l.qtyRemaining,
        value_remaining_micros: l.valueRemaining,
      });
    }
  }
  // Chunks keep each statement under both databases' parameter limits.
  for (let i = 0; i < replaced.length; i += 500) await trx.deleteFrom('cost_consumptions').where('movement_id', 'in', replaced.slice(i, i + 500)).execute();
  for (let i = 0; i < consumptionRows.length; i += 500) await trx.insertInto('cost_consumptions').values(consumptionRows.slice(i, i + 500)).execute();
  for (let i = 0; i < layerRows.length; i += 500) {
    await trx
      .insertInto('cost_layers')
      .values(layerRows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.column('movement_id').doUpdateSet({
          qty_remaining: sql`excluded.qty_remaining`,
          value_remaining_micros: sql`excluded.value_remaining_micros`,
          value_in_micros: sql`excluded.value_in_micros`,
        }),
      )
      .execute();
  }
  for (const { itemId, engine, last } of runs) {
    await trx
      .updateTable('item_costs')
      .set({
        pool_qty: engine.state.poolQty,
        pool_value_micros: engine.state.poolValue,
        last_unit_cost_micros: engine.state.lastUnitCost,
        ...(last ? { last_effective_at: last.effectiveAt, last_movement_id: last.id } : {}),
        updated_at: now,
      })
      .where('item_id', '=', itemId)
      .execute();
  }
}

function toLayer(r: { movement_id: string; effective_at: number; qty_in: number; value_in_micros: number; qty_remaining: number; value_remaining_micros: number }): Layer {
  return { movementId: r.movement_id, effectiveAt: r.effective_at, qtyIn: r.qty_in, valueIn: r.value_in_micros, qtyRemaining: r.qty_remaining, valueRemaining: r.value_remaining_micros };
}

function toConsumption(r: { movement_id: string; effective_at: number; layer_id: string; qty: number; value_micros: number }): Consumption {
  return { movementId: r.movement_id, effectiveAt: r.effective_at, layerId: r.layer_id, qty: r.qty, value: r.value_micros };
}

/**
 * Values the item's whole valued history again, the new movements included, and rewrites its
 * layers and consumptions. Returns the costs of the new movements and every stored cost that changed.
 */
export async function replayItem(
  trx: Trx,
  itemId: string,
  method: CostingMethod,
  readHistory: HistoryReader,
  newMovements: readonly CostingMovement[],
  now: number,
): Promise<Valuation> {
  const [history, inputs] = await Promise.all([
    readHistory(trx, itemId),
    trx.selectFrom('inbound_costs').select(['movement_id', 'unit_cost_micros', 'landed_micros']).where('item_id', '=', itemId).execute(),
  ]);
  const inputById = new Map(inputs.map((i) => [i.movement_id, i]));
  const fresh = new Map(newMovements.map((m) => [m.id, m]));
  const all: Array<ValuedMovement & { stored: HistoricMovement | null }> = [
    ...history.filter((h) => !fresh.has(h.id)).map((h) => {
      const input = inputById.get(h.id);
      return { id: h.id, effectiveAt: h.effectiveAt, qty: h.qty, direction: h.direction, unitCost: input?.unit_cost_micros ?? null, landed: input?.landed_micros ?? 0, stored: h };
    }),
    ...newMovements.map((m) => ({ ...toEngineMovement(m), stored: null })),
  ].sort((a, b) => (after(a, b) ? 1 : after(b, a) ? -1 : 0));

  const engine = new CostEngine(emptyState(method));
  for (const m of all) engine.process(m);

  await trx.deleteFrom('cost_consumptions').where('item_id', '=', itemId).execute();
  await trx.deleteFrom('cost_layers').where('item_id', '=', itemId).execute();
  await persistEffects(trx, [{ itemId, engine, processed: new Set(all.map((m) => m.id)), last: latest(all) }], now);

  const result: Valuation = { costs: new Map(), updates: [] };
  for (const m of all) {
    const value = engine.effects.values.get(m.id);
    invariant(value !== undefined, `replay valued every movement of ${itemId}`);
    const cost = { valueMicros: value, unitCostMicros: unitCostOf(value, m.qty) };
    if (!m.stored) result.costs.set(m.id, cost);
    else if (m.stored.valueMicros !== cost.valueMicros || m.stored.unitCostMicros !== cost.unitCostMicros) result.updates.push({ movementId: m.id, ...cost });
  }
  return result;
}

/** Adds landed cost to stock that came in, then re-values the item from its history. */
export async function addLandedCost(
  trx: Trx,
  movementId: string,
  micros: number,
  methodOf: (itemId: string) => Promise<CostingMethod>,
  readHistory: HistoryReader,
  now: number,
): Promise<CostUpdate[]> {
  const input = await trx
    .updateTable('inbound_costs')
    .set({ landed_micros: sql`landed_micros + ${micros}` })
    .where('movement_id', '=', movementId)
    .returning(['item_id'])
    .executeTakeFirst();
  if (!input) throw new Error(`costing: ${movementId} did not bring stock in`);
  await lockItemCosts(trx, [input.item_id], now);
  return (await replayItem(trx, input.item_id, await methodOf(input.item_id), readHistory, [], now)).updates;
}

/** Re-values one item from its whole history; what `stockroom check` and the tests compare against. */
export async function revalueItem(trx: Trx, itemId: string, method: CostingMethod, readHistory: HistoryReader, now: number): Promise<CostUpdate[]> {
  await lockItemCosts(trx, [itemId], now);
  return (await replayItem(trx, itemId, method, readHistory, [], now)).updates;
}
