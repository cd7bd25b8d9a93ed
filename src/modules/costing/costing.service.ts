import { sql, type Compilable } from 'kysely';
import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import { inList, isOneOf, listGroups } from '../../platform/db/id-lists.ts';
import { insertManyRows, JSON_ROWS_FROM } from '../../platform/db/bulk-rows.ts';
import { insertRowSets, insertRows, upsertRows, type RowSet } from '../../platform/db/insert-rows.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { invariant } from '../../platform/errors.ts';
import {
  CostEngine,
  emptyState,
  unitCostOf,
  SHORTFALL,
  type Consumption,
  type CostingMethod,
  type EngineState,
  type ValuedMovement,
} from './cost-engine.ts';
import { checkpointBefore, checkpointDue, checkpointFromStore, Checkpoints, type Checkpoint } from './cost-checkpoints.ts';
import { after, layerOrder, NONE_LEFT, SHORTFALL_LAYER, toConsumption, toLayer, type LayerRow } from './cost-rows.ts';

/**
 * Values movements as the ledger posts them, and re-values an item's history when something in
 * its past changes (a back-dated entry, a landed cost). Movements that arrive in order are
 * valued incrementally from the stored open layers; anything else replays the item's valued
 * history from its latest checkpoint before the change (cost-checkpoints.ts), or from its first
 * movement when there is none, touching no other item. The ledger stays the only writer of movements: this
 * module returns the values and the ledger writes them.
 */

/** A new movement as the ledger is about to post it. */
export interface CostingMovement {
  id: string;
  itemId: string;
  /** The lot or serial moved; '' for stock without one. FIFO layers are kept per lot. */
  lotId: string;
  effectiveAt: number;
  qty: number;
  /** Whether each side holds owned stock (a bin, or goods in transit). */
  fromValued: boolean;
  toValued: boolean;
  /** Cost per base unit given by the document, for stock coming in. */
  unitCostMicros: number | null;
  /** Micros added to an inbound movement's value beyond qty × unit cost. */
  landedMicros?: number;
  method: CostingMethod;
}

/** A movement already in the ledger that crosses into or out of owned stock. */
export interface HistoricMovement {
  id: string;
  lotId: string;
  effectiveAt: number;
  qty: number;
  direction: 'in' | 'out';
  valueMicros: number | null;
  unitCostMicros: number | null;
  /** Read after a position: what the document said stock coming in cost (`inbound_costs`), null if nothing is stored. */
  input?: InboundInput | null;
}

export interface InboundInput {
  unitCostMicros: number | null;
  landedMicros: number;
}

/**
 * Reads an item's valued movements, oldest first; the ledger provides it. With `after`, only
 * those after that (effective_at, id) position (a replay from a checkpoint), each with its
 * `input`, read in the same statement: looked up by id afterwards, a replay's thousand receipts
 * made PostgreSQL scan the whole of `inbound_costs` (a full replay reads the item's inputs at once).
 */
export type HistoryReader = (trx: Trx, itemId: string, after?: { effectiveAt: number; id: string }) => Promise<HistoricMovement[]>;

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

/**
 * An item's last valued instant set beyond any real one: its next posting replays its history. The
 * lot-costs migration (0019) marks items whose draws crossed lots this way; the value is repeated
 * there, since a migration must not change with the code.
 */
export const REPLAY_PENDING_AT = 9_007_199_254_740_991;

function directionOf(m: Pick<CostingMovement, 'fromValued' | 'toValued'>): 'in' | 'out' | null {
  if (m.fromValued === m.toValued) return null;
  return m.toValued ? 'in' : 'out';
}

/** `locked`: the cost rows the caller already took with lockItemCosts in this transaction, not taken again. */
export async function valueMovements(
  trx: Trx,
  movements: readonly CostingMovement[],
  readHistory: HistoryReader,
  now: number,
  locked?: ReadonlyMap<string, ItemCostRow>,
  /**
   * When given, the in-order items' consumptions, layers and cost states are added here instead
   * of written, for the caller to write with its own rows (the ledger, with the movements:
   * insertRowSets) before anything reads costs again. A posting that takes a checkpoint, which
   * reads the stored layers back, writes at once.
   */
  writes?: RowSet[],
): Promise<Valuation> {
  const valued = movements.filter((m) => directionOf(m) !== null);
  const result: Valuation = { costs: new Map(), updates: [] };
  if (valued.length === 0) return result;

  const itemIds = [...new Set(valued.map((m) => m.itemId))].sort();
  const methods = new Map(valued.map((m) => [m.itemId, m.method]));
  const states = locked && itemIds.every((id) => locked.has(id)) ? new Map(locked) : await lockItemCosts(trx, itemIds, now);
  const inbound = valued.filter((m) => directionOf(m) === 'in');
  if (inbound.length) {
    await insertRows(
      trx,
      'inbound_costs',
      inbound.map((m) => ({ movement_id: m.id, item_id: m.itemId, unit_cost_micros: m.unitCostMicros, landed_micros: m.landedMicros ?? 0 })),
    );
  }

  const incremental: string[] = [];
  const byItem = groupByItem(valued);
  for (const itemId of itemIds) {
    const last = states.get(itemId)!;
    const mine = byItem.get(itemId)!;
    const inOrder = mine.every((m) => after(m, { effectiveAt: last.last_effective_at, id: last.last_movement_id }));
    if (inOrder) incremental.push(itemId);
    else {
      // From the last checkpoint before the earliest new movement, when there is one to trust.
      const earliest = mine.reduce((a, b) => (after(a, b) ? b : a));
      const checkpoint = last.last_effective_at === REPLAY_PENDING_AT ? null : await checkpointBefore(trx, itemId, methods.get(itemId)!, earliest);
      const replay = checkpoint
        ? await replayFromCheckpoint(trx, itemId, readHistory, mine, checkpoint, now)
        : await replayItem(trx, itemId, methods.get(itemId)!, readHistory, mine, now);
      for (const [id, cost] of replay.costs) result.costs.set(id, cost);
      result.updates.push(...replay.updates);
    }
  }
  if (incremental.length) {
    const incrementalResult = await valueIncrementally(trx, incremental, methods, states, valued, byItem, now, writes);
    for (const [id, cost] of incrementalResult.costs) result.costs.set(id, cost);
    result.updates.push(...incrementalResult.updates);
  }
  return result;
}

/** Movements per item in their given order: a posting of thousands of items groups them once, not once per item. */
function groupByItem<M extends { itemId: string }>(movements: readonly M[]): Map<string, M[]> {
  const byItem = new Map<string, M[]>();
  for (const m of movements) {
    const list = byItem.get(m.itemId);
    if (list) list.push(m);
    else byItem.set(m.itemId, [m]);
  }
  return byItem;
}

export interface ItemCostRow {
  item_id: string;
  pool_qty: number;
  pool_value_micros: number;
  last_unit_cost_micros: number;
  last_effective_at: number;
  last_movement_id: string;
  since_checkpoint: number;
}

/**
 * Takes each item's cost row (creating it on first use) in item order. On PostgreSQL the upsert
 * holds the row lock until commit, so two tills selling the same item value it one at a time.
 * The ledger takes these locks before it stamps a posting's time, so that postings of one item
 * are stamped in the order they commit (see postMovements).
 */
export async function lockItemCosts(trx: Trx, itemIds: string[], now: number): Promise<Map<string, ItemCostRow>> {
  const rows = await upsertRows(
    trx,
    'item_costs',
    itemIds.map((id) => ({ item_id: id, pool_qty: 0, pool_value_micros: 0, last_unit_cost_micros: 0, last_effective_at: 0, last_movement_id: '', updated_at: now })),
    'on conflict ("item_id") do update set "updated_at" = "excluded"."updated_at"',
    ['item_id', 'pool_qty', 'pool_value_micros', 'last_unit_cost_micros', 'last_effective_at', 'last_movement_id', 'since_checkpoint'],
  );
  return new Map(rows.map((r) => [r.item_id, { ...r, since_checkpoint: Number(r.since_checkpoint) }]));
}

function toEngineMovement(m: CostingMovement): ValuedMovement {
  return { id: m.id, lotId: m.lotId, effectiveAt: m.effectiveAt, qty: m.qty, direction: directionOf(m)!, unitCost: m.unitCostMicros, landed: m.landedMicros ?? 0 };
}

async function valueIncrementally(
  trx: Trx,
  itemIds: string[],
  methods: Map<string, CostingMethod>,
  states: Map<string, ItemCostRow>,
  movements: readonly CostingMovement[],
  byItem: ReadonlyMap<string, readonly CostingMovement[]>,
  now: number,
  writes?: RowSet[],
): Promise<Valuation> {
  // What each (item, lot) takes out: a sale of lot L reads only lot L's oldest layers.
  const outboundQty = new Map<string, { itemId: string; lotId: string; qty: number }>();
  for (const m of movements) {
    const lotId = methods.get(m.itemId) === 'fifo' ? m.lotId : '';
    // Stock of a lot found without a stated cost is valued at that lot's open layers: read them all.
    const valuedAtLot = directionOf(m) === 'in' && m.unitCostMicros === null && lotId !== '';
    if (directionOf(m) !== 'out' && !valuedAtLot) continue;
    const key = `${m.itemId}\u0000${lotId}`;
    const need = outboundQty.get(key) ?? { itemId: m.itemId, lotId, qty: 0 };
    need.qty = valuedAtLot ? Number.POSITIVE_INFINITY : need.qty + m.qty;
    outboundQty.set(key, need);
  }
  // Only stock coming in settles earlier shortfalls: a sale at a store selling below its recorded
  // stock does not read them, so its cost does not grow with the number still waiting.
  const settlingItems = itemIds.filter((id) => byItem.get(id)!.some((m) => directionOf(m) === 'in'));
  const [openLayers, shortfalls] = await Promise.all([
    loadOldestOpenLayers(trx, outboundQty),
    settlingItems.length === 0
      ? Promise.resolve([])
      : trx
          .selectFrom('cost_consumptions')
          .selectAll()
          .where('item_id', 'in', inList(trx, settlingItems))
          .where('layer_id', '=', SHORTFALL_LAYER)
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
  const shortfallsByItem = new Map<string, Consumption[]>();
  for (const s of shortfalls) {
    const list = shortfallsByItem.get(s.item_id);
    if (list) list.push(toConsumption(s));
    else shortfallsByItem.set(s.item_id, [toConsumption(s)]);
  }
  for (const itemId of itemIds) {
    const row = states.get(itemId)!;
    const state: EngineState = {
      ...emptyState(methods.get(itemId)!, row.last_unit_cost_micros),
      layers: (openLayers.get(itemId) ?? []).map(toLayer),
      poolQty: row.pool_qty,
      poolValue: row.pool_value_micros,
      shortfalls: shortfallsByItem.get(itemId) ?? [],
    };
    const engine = new CostEngine(state, known);
    const mine = byItem.get(itemId)!;
    for (const m of mine) engine.process(toEngineMovement(m));
    const processed = new Map(mine.map((m) => [m.id, m.qty]));
    persisted.push({ itemId, engine, processed, last: latest(mine), since: row.since_checkpoint + mine.length });
    collect(engine, processed, result);
  }
  // The engine here saw only the layers this posting needed: a checkpoint reads the item's whole
  // state back, once every so many movements, so a posting that takes one writes its effects first.
  const checkpoints = persisted.filter((run) => checkpointDue(run.since) && run.last);
  await persistEffects(trx, persisted, now, checkpoints.length ? undefined : writes);
  for (const run of checkpoints) await checkpointFromStore(trx, run.itemId, run.engine.state, run.last!, now);
  return result;
}

/**
 * The oldest open layers of each item and lot, just enough to cover what this posting takes out
 * (an item received a thousand times keeps a thousand layers; a sale reads the first one or two).
 * A posting that only brings stock in reads none: its layer goes after all the others. Average
 * items keep no layers; their need is keyed by lot '' and reads nothing.
 */
async function loadOldestOpenLayers(trx: Trx, needed: Map<string, { itemId: string; lotId: string; qty: number }>): Promise<Map<string, LayerRow[]>> {
  const result = new Map<string, LayerRow[]>();
  const needs = [...needed.values()];
  const firsts = await firstLayerBatches(trx, needs);
  for (const [i, { itemId, lotId, qty }] of needs.entries()) {
    const layers = firsts[i]!;
    let batch = layers;
    let covered = layers.reduce((sum, l) => sum + l.qty_remaining, 0);
    while (batch.length === layerBatch && covered < qty) {
      const last = layers[layers.length - 1]!;
      batch = await openLayers(trx, itemId, lotId)
        .where((eb) => eb.or([eb('effective_at', '>', last.effective_at), eb.and([eb('effective_at', '=', last.effective_at), eb('movement_id', '>', last.movement_id)])]))
        .execute();
      layers.push(...batch);
      covered += batch.reduce((sum, l) => sum + l.qty_remaining, 0);
    }
    // Layers of every lot of the item, in the order the engine draws them.
    const all = [...(result.get(itemId) ?? []), ...layers];
    all.sort(layerOrder);
    result.set(itemId, all);
  }
  return result;
}

const layerBatch = 16;

function openLayers(db: Executor, itemId: string, lotId: string) {
  return db
    .selectFrom('cost_layers')
    .selectAll()
    .where('item_id', '=', itemId)
    .where('lot_id', '=', lotId)
    .where('qty_remaining', '>', NONE_LEFT)
    .orderBy('effective_at')
    .orderBy('movement_id')
    .limit(layerBatch);
}

// Built once per number of (item, lot) pairs: every sale runs it (see cachedQuery).
const firstLayersQuery = cachedQuery((db: Executor, args: { itemIds: readonly string[]; lotIds: readonly string[] }): Compilable<LayerRow> => {
  if (args.itemIds.length === 1) return openLayers(db, args.itemIds[0]!, args.lotIds[0]!);
  const queries = args.itemIds.map((itemId, k) => db.selectFrom(openLayers(db, itemId, args.lotIds[k]!).as(`l${k}`)).selectAll());
  return queries.slice(1).reduce((q, next) => q.unionAll(next), queries[0]!);
});

/**
 * The first batch of open layers of every (item, lot) a posting draws from, in one statement
 * (a UNION ALL of each one's own indexed, limited query) rather than one per item. Chunked to
 * stay under SQLite's limit on the terms of a compound SELECT.
 */
async function firstLayerBatches(trx: Trx, needs: ReadonlyArray<{ itemId: string; lotId: string }>): Promise<LayerRow[][]> {
  const batches: LayerRow[][] = [];
  for (let i = 0; i < needs.length; i += 100) {
    const chunk = needs.slice(i, i + 100);
    const rows = await firstLayersQuery.execute(trx, { itemIds: chunk.map((n) => n.itemId), lotIds: chunk.map((n) => n.lotId) });
    const byNeed = new Map<string, LayerRow[]>(chunk.map((n) => [`${n.itemId}\u0000${n.lotId}`, []]));
    for (const row of rows) byNeed.get(`${row.item_id}\u0000${row.lot_id}`)!.push(row);
    for (const n of chunk) batches.push(byNeed.get(`${n.itemId}\u0000${n.lotId}`)!.sort(layerOrder));
  }
  return batches;
}

/**
 * New movements' costs, and the changed costs of earlier sales whose shortfall was settled.
 * `processed` holds the quantities of this item's new movements only: a lookup over the whole
 * posting, built per item, made a posting of n items cost n² (an import's batch of 500).
 */
function collect(engine: CostEngine, processed: ReadonlyMap<string, number>, result: Valuation): void {
  for (const [movementId, value] of engine.effects.values) {
    const qty = processed.get(movementId);
    if (qty !== undefined) {
      result.costs.set(movementId, { valueMicros: value, unitCostMicros: unitCostOf(value, qty) });
    } else {
      const qty = (engine.effects.consumptions.get(movementId) ?? []).reduce((sum, c) => sum + c.qty, 0);
      result.updates.push({ movementId, valueMicros: value, unitCostMicros: unitCostOf(value, qty) });
    }
  }
}

interface EngineRun {
  itemId: string;
  engine: CostEngine;
  /** Movements this run valued for the first time (id → quantity); other consumptions it wrote replace stored ones. */
  processed: ReadonlyMap<string, number> | ReadonlySet<string>;
  /** The latest (effective_at, id) valued, which later postings must come after to stay incremental. */
  last: { effectiveAt: number; id: string } | null;
  /** Valued movements since the item's latest checkpoint, after this run. */
  since: number;
}

function latest(movements: ReadonlyArray<{ effectiveAt: number; id: string }>): { effectiveAt: number; id: string } | null {
  let last: { effectiveAt: number; id: string } | null = null;
  for (const m of movements) if (!last || after(m, last)) last = { effectiveAt: m.effectiveAt, id: m.id };
  return last;
}

/** Writes what the engine changed: consumptions (replaced per movement), layers, the item's state. */
async function persistEffects(trx: Trx, runs: EngineRun[], now: number, writes?: RowSet[]): Promise<void> {
  const consumptionRows = [];
  const replaced: Replaced[] = [];
  const layerRows = [];
  for (const { itemId, engine, processed } of runs) {
    for (const [movementId, list] of engine.effects.consumptions) {
      if (!processed.has(movementId)) replaced.push({ movementId, itemId, effectiveAt: list[0]?.effectiveAt ?? null });
      consumptionRows.push(
        ...list.map((c) => ({ movement_id: movementId, layer_id: c.layerId, item_id: itemId, lot_id: c.lotId ?? '', effective_at: c.effectiveAt, qty: c.qty, value_micros: c.value })),
      );
    }
    for (const l of engine.effects.layers.values()) {
      layerRows.push({
        movement_id: l.movementId,
        item_id: itemId,
        lot_id: l.lotId,
        effective_at: l.effectiveAt,
        qty_in: l.qtyIn,
        value_in_micros: l.valueIn,
        qty_remaining: l.qtyRemaining,
        value_remaining_micros: l.valueRemaining,
      });
    }
  }
  // Chunks keep each statement under both databases' parameter limits.
  for (const group of listGroups(trx, replaced)) await deleteConsumptions(trx, group);
  // Every item here had its cost row taken by lockItemCosts, so the state's upsert only ever
  // updates; it is one statement for all of them where an UPDATE would be one per item.
  const stateRows = runs.flatMap(({ itemId, engine, last, since }) =>
    last
      ? [
          {
            item_id: itemId,
            pool_qty: engine.state.poolQty,
            pool_value_micros: engine.state.poolValue,
            last_unit_cost_micros: engine.state.lastUnitCost,
            last_effective_at: last.effectiveAt,
            last_movement_id: last.id,
            since_checkpoint: since,
            updated_at: now,
          },
        ]
      : [],
  );
  // Consumptions, layers and states are three tables, each row written once: on PostgreSQL one
  // statement (insertRowSets), on SQLite one per table and 500 rows. Or the caller's, with its own.
  const sets: RowSet[] = [
    { table: 'cost_consumptions', rows: consumptionRows },
    // A layer's other columns are its movement's: keepUnchangedLayers compares these three.
    {
      table: 'cost_layers',
      rows: layerRows,
      onConflict: 'on conflict ("movement_id") do update set "qty_remaining" = "excluded"."qty_remaining", "value_remaining_micros" = "excluded"."value_remaining_micros", "value_in_micros" = "excluded"."value_in_micros"',
    },
    {
      table: 'item_costs',
      rows: stateRows,
      onConflict:
        'on conflict ("item_id") do update set "pool_qty" = "excluded"."pool_qty", "pool_value_micros" = "excluded"."pool_value_micros", "last_unit_cost_micros" = "excluded"."last_unit_cost_micros", "last_effective_at" = "excluded"."last_effective_at", "last_movement_id" = "excluded"."last_movement_id", "since_checkpoint" = "excluded"."since_checkpoint", "updated_at" = "excluded"."updated_at"',
    },
  ];
  if (writes) writes.push(...sets);
  else if (consumptionRows.length >= JSON_ROWS_FROM) {
    // A replay's thousands of draws: one JSON parameter on PostgreSQL (bulk-rows.ts), not a
    // VALUES list whose length, and so whose text, changes every replay.
    await insertManyRows(trx, 'cost_consumptions', consumptionRows);
    await insertRowSets(trx, sets.filter((set) => set.table !== 'cost_consumptions'));
  } else await insertRowSets(trx, sets);
  // An item replayed from an empty history keeps its last valued instant.
  for (const { itemId, engine, since } of runs.filter((r) => !r.last)) {
    await trx
      .updateTable('item_costs')
      .set({
        pool_qty: engine.state.poolQty,
        pool_value_micros: engine.state.poolValue,
        last_unit_cost_micros: engine.state.lastUnitCost,
        since_checkpoint: since,
        updated_at: now,
      })
      .where('item_id', '=', itemId)
      .execute();
  }
}

/** An outbound movement whose stored consumptions are replaced; its instant, when its new ones say it. */
interface Replaced {
  movementId: string;
  itemId: string;
  effectiveAt: number | null;
}

/**
 * Deletes the movements' consumptions (one of listGroups' lists). The rows' items and earliest
 * instant are given beside the ids, so PostgreSQL can take the (item_id, effective_at) index:
 * given a list of hundreds of ids alone it scanned the whole table (27 ms of a replay of 1,000
 * sales in an item with 100k movements).
 */
async function deleteConsumptions(trx: Trx, replaced: readonly Replaced[]): Promise<void> {
  const from = replaced.reduce<number | null>((min, r) => (min === null || r.effectiveAt === null ? null : Math.min(min, r.effectiveAt)), Number.POSITIVE_INFINITY);
  await trx
    .deleteFrom('cost_consumptions')
    .where(isOneOf(trx, 'item_id', [...new Set(replaced.map((r) => r.itemId))]))
    .$if(from !== null, (q) => q.where('effective_at', '>=', from!))
    .where(isOneOf(trx, 'movement_id', replaced.map((r) => r.movementId)))
    .execute();
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
      return { id: h.id, lotId: h.lotId, effectiveAt: h.effectiveAt, qty: h.qty, direction: h.direction, unitCost: input?.unit_cost_micros ?? null, landed: input?.landed_micros ?? 0, stored: h };
    }),
    ...newMovements.map((m) => ({ ...toEngineMovement(m), stored: null })),
  ].sort((a, b) => (after(a, b) ? 1 : after(b, a) ? -1 : 0));

  const engine = new CostEngine(emptyState(method));
  const checkpoints = new Checkpoints(itemId, engine, new Map(), 0, now);
  for (const m of all) checkpoints.process(m);

  await trx.deleteFrom('cost_consumptions').where('item_id', '=', itemId).execute();
  await trx.deleteFrom('cost_layers').where('item_id', '=', itemId).execute();
  await trx.deleteFrom('cost_checkpoints').where('item_id', '=', itemId).execute();
  await persistEffects(trx, [{ itemId, engine, processed: new Set(all.map((m) => m.id)), last: latest(all), since: checkpoints.since }], now);
  await checkpoints.write(trx);

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

/**
 * Re-values the item from a checkpoint: the engine starts from the state the checkpoint holds and
 * values the movements after it, the new ones included. What came before the checkpoint keeps its
 * costs; the layers open at the checkpoint and the shortfalls then pending are written as the
 * replay leaves them. Returns what `replayItem` would return.
 */
async function replayFromCheckpoint(
  trx: Trx,
  itemId: string,
  readHistory: HistoryReader,
  newMovements: readonly CostingMovement[],
  checkpoint: Checkpoint,
  now: number,
): Promise<Valuation> {
  const fresh = new Map(newMovements.map((m) => [m.id, m]));
  const [historyFrom, storedLayers] = await Promise.all([readHistory(trx, itemId, checkpoint.at), layersAfter(trx, itemId, checkpoint.at)]);
  const history = historyFrom.filter((h) => after(h, checkpoint.at) && !fresh.has(h.id));
  const all: Array<ValuedMovement & { stored: HistoricMovement | null }> = [
    ...history.map((h) => {
      invariant(h.input !== undefined, 'a history read after a checkpoint gives the inbound costs');
      return { id: h.id, lotId: h.lotId, effectiveAt: h.effectiveAt, qty: h.qty, direction: h.direction, unitCost: h.input?.unitCostMicros ?? null, landed: h.input?.landedMicros ?? 0, stored: h };
    }),
    ...newMovements.map((m) => ({ ...toEngineMovement(m), stored: null })),
  ].sort((a, b) => (after(a, b) ? 1 : after(b, a) ? -1 : 0));

  const { state } = checkpoint;
  const known = new Map(state.drawn);
  const engine = new CostEngine(
    { method: state.method, layers: state.layers, poolQty: state.poolQty, poolValue: state.poolValue, shortfalls: state.shortfalls, lastUnitCost: state.lastUnitCost },
    known,
  );
  // The layers open at the checkpoint are written back as the replay leaves them, drawn or not.
  for (const layer of state.layers) engine.effects.layers.set(layer.movementId, layer);
  const checkpoints = new Checkpoints(itemId, engine, known, 0, now);
  for (const m of all) checkpoints.process(m);
  // A shortfall pending at the checkpoint that nothing after it settled has drawn what it had then.
  for (const [id, list] of known) {
    if (engine.effects.consumptions.has(id)) continue;
    engine.effects.consumptions.set(id, list);
    engine.effects.values.set(id, list.reduce((sum, c) => sum + c.value, 0));
  }

  keepUnchangedLayers(engine, storedLayers);
  await keepUnchangedConsumptions(trx, itemId, engine, all);

  // The checkpoint used stays; those after it describe a history that no longer is.
  await trx
    .deleteFrom('cost_checkpoints')
    .where('item_id', '=', itemId)
    .where('effective_at', '>=', checkpoint.at.effectiveAt)
    .where((eb) => eb.or([eb('effective_at', '<>', checkpoint.at.effectiveAt), eb('movement_id', '<>', checkpoint.at.id)]))
    .execute();
  await persistEffects(trx, [{ itemId, engine, processed: new Set(fresh.keys()), last: latest(all), since: checkpoints.since }], now);
  await checkpoints.write(trx);

  const result: Valuation = { costs: new Map(), updates: [] };
  for (const m of all) {
    const value = engine.effects.values.get(m.id);
    invariant(value !== undefined, `replay valued every movement of ${itemId} after its checkpoint`);
    const cost = { valueMicros: value, unitCostMicros: unitCostOf(value, m.qty) };
    if (!m.stored) result.costs.set(m.id, cost);
    else if (m.stored.valueMicros !== cost.valueMicros || m.stored.unitCostMicros !== cost.unitCostMicros) result.updates.push({ movementId: m.id, ...cost });
  }
  const before = [...known.keys()];
  for (let i = 0; i < before.length; i += 500) {
    const stored = await trx.selectFrom('movements').select(['id', 'qty', 'value_micros', 'unit_cost_micros']).where('id', 'in', before.slice(i, i + 500)).execute();
    for (const s of stored) {
      const value = engine.effects.values.get(s.id)!;
      const cost = { valueMicros: value, unitCostMicros: unitCostOf(value, s.qty) };
      if (s.value_micros !== cost.valueMicros || s.unit_cost_micros !== cost.unitCostMicros) result.updates.push({ movementId: s.id, ...cost });
    }
  }
  return result;
}

/** A layer's position and what the layers' upsert in persistEffects rewrites; the rest is its movement's and never changes. */
type LayerState = Pick<LayerRow, 'movement_id' | 'effective_at' | 'value_in_micros' | 'qty_remaining' | 'value_remaining_micros'>;

/**
 * The item's layers after `at`, which a replay from it may rewrite, read by the item's
 * (item_id, effective_at) index.
 */
async function layersAfter(trx: Trx, itemId: string, at: { effectiveAt: number; id: string }): Promise<Map<string, LayerState>> {
  const rows = await trx
    .selectFrom('cost_layers')
    .select(['movement_id', 'effective_at', 'value_in_micros', 'qty_remaining', 'value_remaining_micros'])
    .where('item_id', '=', itemId)
    .where('effective_at', '>=', at.effectiveAt)
    .execute();
  return new Map(rows.filter((r) => after({ effectiveAt: r.effective_at, id: r.movement_id }, at)).map((r) => [r.movement_id, r]));
}

/**
 * Drops from the engine's effects the layers after the checkpoint that it left as they are
 * stored: a receipt back-dated into a long history shifts every later draw, so the consumptions
 * and costs after it change, but the layers those draws emptied were empty before too. The layers
 * open at the checkpoint (before it, so not read) are written as they are.
 */
function keepUnchangedLayers(engine: CostEngine, stored: ReadonlyMap<string, LayerState>): void {
  for (const [id, layer] of engine.effects.layers) {
    const row = stored.get(id);
    if (row && row.qty_remaining === layer.qtyRemaining && row.value_remaining_micros === layer.valueRemaining && row.value_in_micros === layer.valueIn) {
      engine.effects.layers.delete(id);
    }
  }
}

/** A stored consumption as keepUnchangedConsumptions compares it. */
type ConsumptionState = Pick<Consumption, 'layerId' | 'effectiveAt' | 'qty' | 'value'> & { lotId: string };

/**
 * Drops from the engine's effects the consumptions of stored movements that the replay drew
 * exactly as they are stored (the same layers, quantities and values), so they are neither
 * deleted nor inserted again: a receipt back-dated behind a deep stock leaves the draws after it
 * on the older layers, and rewriting those rows changed nothing but cost a write in every index.
 * Only a movement whose value the replay left as stored can have drawn the same (its value is the
 * sum of its draws), so only those movements' rows are read; a replay that moves every cost reads
 * none. New movements' consumptions are always written.
 */
async function keepUnchangedConsumptions(trx: Trx, itemId: string, engine: CostEngine, replayed: ReadonlyArray<{ id: string; effectiveAt: number; stored: HistoricMovement | null }>): Promise<void> {
  const candidates = replayed.filter((m) => m.stored && engine.effects.consumptions.has(m.id) && m.stored.valueMicros === engine.effects.values.get(m.id));
  const stored = new Map<string, ConsumptionState[]>();
  for (const group of listGroups(trx, candidates)) {
    const rows = await trx
      .selectFrom('cost_consumptions')
      .select(['movement_id', 'layer_id', 'lot_id', 'effective_at', 'qty', 'value_micros'])
      // The item and instants beside the ids: PostgreSQL looks a few ids up by the key, and many by
      // the (item_id, effective_at) index rather than scanning the table (see deleteConsumptions).
      .where('item_id', '=', itemId)
      .where('effective_at', '>=', group.reduce((min, m) => Math.min(min, m.effectiveAt), Number.POSITIVE_INFINITY))
      .where('effective_at', '<=', group.reduce((max, m) => Math.max(max, m.effectiveAt), Number.NEGATIVE_INFINITY))
      .where(isOneOf(trx, 'movement_id', group.map((m) => m.id)))
      .execute();
    for (const r of rows) {
      const c = { layerId: r.layer_id, lotId: r.lot_id, effectiveAt: r.effective_at, qty: r.qty, value: r.value_micros };
      const list = stored.get(r.movement_id);
      if (list) list.push(c);
      else stored.set(r.movement_id, [c]);
    }
  }
  for (const { id } of candidates) {
    const list = engine.effects.consumptions.get(id)!;
    const rows = stored.get(id);
    if (!rows || rows.length !== list.length) continue;
    const byLayer = new Map(rows.map((r) => [r.layerId, r]));
    const same = list.every((c) => {
      const r = byLayer.get(c.layerId);
      return r !== undefined && r.lotId === (c.lotId ?? '') && r.effectiveAt === c.effectiveAt && r.qty === c.qty && r.value === c.value;
    });
    if (same) engine.effects.consumptions.delete(id);
  }
}
