import type { Trx } from '../../platform/db/transaction.ts';
import { insertRows } from '../../platform/db/insert-rows.ts';
import { invariant } from '../../platform/errors.ts';
import { SHORTFALL, type Consumption, type CostEngine, type CostingMethod, type EngineState, type Layer, type ValuedMovement } from './cost-engine.ts';
import { after, layerOrder, NONE_LEFT, SHORTFALL_LAYER, toConsumption, toLayer } from './cost-rows.ts';

/*
 * Cost checkpoints. A back-dated entry changes the cost of every valued movement of its item
 * after its instant, and of nothing before it. So the item keeps, every so many valued movements,
 * its cost state as it stood just after one of them (`cost_checkpoints`): the open FIFO layers or
 * the average pool, the last unit cost, and the shortfalls still waiting for stock together with
 * what their movements had drawn so far. A back-dated entry starts the engine from the latest
 * checkpoint before its instant and replays only the movements after that checkpoint.
 *
 * A checkpoint is true for as long as nothing is valued before its position. Postings in order
 * only add movements after every checkpoint; a replay from a checkpoint drops the checkpoints
 * after it (and writes new ones as it goes); a full replay (a landed cost, a derived cost moving,
 * an item marked REPLAY_PENDING_AT) drops them all and writes them again. A checkpoint holds every open layer, so
 * the next one is due only after `checkpointSpacing` more movements *plus* as many as the layers
 * it held: their total size stays proportional to the item's history.
 */

let checkpointSpacing = 1000;

/** Whether an item with `since` valued movements after its latest checkpoint is due another. */
export function checkpointDue(since: number): boolean {
  return since >= checkpointSpacing;
}

/** Sets how many valued movements lie between an item's checkpoints; returns the previous spacing. Tests use a few. */
export function setCheckpointSpacing(movements: number): number {
  invariant(Number.isInteger(movements) && movements > 0, 'checkpoint spacing is a positive whole number');
  const previous = checkpointSpacing;
  checkpointSpacing = movements;
  return previous;
}

export interface CheckpointState {
  method: CostingMethod;
  layers: Layer[];
  poolQty: number;
  poolValue: number;
  lastUnitCost: number;
  shortfalls: Consumption[];
  /** What each outbound movement still waiting for stock had drawn so far, its shortfall last. */
  drawn: Array<[string, Consumption[]]>;
}

export interface Checkpoint {
  at: { effectiveAt: number; id: string };
  state: CheckpointState;
}

type CheckpointRow = { item_id: string; effective_at: number; movement_id: string; state: string; created_at: number };

function checkpointRow(itemId: string, at: { effectiveAt: number; id: string }, state: CheckpointState, now: number): CheckpointRow {
  return { item_id: itemId, effective_at: at.effectiveAt, movement_id: at.id, state: JSON.stringify(state), created_at: now };
}

/** The size a checkpoint stands for, which the next one waits for beyond the spacing. */
function checkpointSize(state: CheckpointState): number {
  return state.layers.length + state.shortfalls.length;
}

/** Runs the engine over movements in order, taking a checkpoint of its state whenever one is due. */
export class Checkpoints {
  readonly rows: CheckpointRow[] = [];
  since: number;

  constructor(
    private readonly itemId: string,
    private readonly engine: CostEngine,
    private readonly known: ReadonlyMap<string, Consumption[]>,
    since: number,
    private readonly now: number,
  ) {
    this.since = since;
  }

  process(m: ValuedMovement): void {
    this.engine.process(m);
    this.since += 1;
    if (this.since < checkpointSpacing) return;
    const s = this.engine.state;
    const pending = [...new Set(s.shortfalls.map((x) => x.movementId))];
    const state: CheckpointState = {
      method: s.method,
      layers: s.layers,
      poolQty: s.poolQty,
      poolValue: s.poolValue,
      lastUnitCost: s.lastUnitCost,
      shortfalls: s.shortfalls,
      drawn: pending.map((id) => [id, this.engine.effects.consumptions.get(id) ?? this.known.get(id) ?? []]),
    };
    // Serialized now: the engine goes on changing these objects.
    this.rows.push(checkpointRow(this.itemId, { effectiveAt: m.effectiveAt, id: m.id }, state, this.now));
    this.since = -checkpointSize(state);
  }

  async write(trx: Trx): Promise<void> {
    for (let i = 0; i < this.rows.length; i += 200) await insertRows(trx, 'cost_checkpoints', this.rows.slice(i, i + 200));
  }
}

/** The latest checkpoint of the item strictly before `position`, if it was taken for the item's current method. */
export async function checkpointBefore(trx: Trx, itemId: string, method: CostingMethod, position: { effectiveAt: number; id: string }): Promise<Checkpoint | null> {
  // Ids are compared as the engine compares them (in JS), not by the database's collation.
  const [earlier, same] = await Promise.all([
    trx
      .selectFrom('cost_checkpoints')
      .select(['effective_at', 'movement_id', 'state'])
      .where('item_id', '=', itemId)
      .where('effective_at', '<', position.effectiveAt)
      .orderBy('effective_at', 'desc')
      .orderBy('movement_id', 'desc')
      .limit(4)
      .execute(),
    trx.selectFrom('cost_checkpoints').select(['effective_at', 'movement_id', 'state']).where('item_id', '=', itemId).where('effective_at', '=', position.effectiveAt).execute(),
  ]);
  let best: (typeof same)[number] | null = null;
  for (const row of [...same, ...earlier]) {
    const at = { effectiveAt: Number(row.effective_at), id: row.movement_id };
    if (!after(position, at)) continue;
    if (!best || after(at, { effectiveAt: Number(best.effective_at), id: best.movement_id })) best = row;
  }
  if (!best) return null;
  const state = JSON.parse(best.state) as CheckpointState;
  if (state.method !== method) return null;
  return { at: { effectiveAt: Number(best.effective_at), id: best.movement_id }, state };
}

/** A checkpoint of the item's state as stored now, just after `last` (the incremental path keeps only part of it in memory). */
export async function checkpointFromStore(trx: Trx, itemId: string, engineState: EngineState, last: { effectiveAt: number; id: string }, now: number): Promise<void> {
  const [layers, shortfalls] = await Promise.all([
    engineState.method === 'fifo'
      ? trx.selectFrom('cost_layers').selectAll().where('item_id', '=', itemId).where('qty_remaining', '>', NONE_LEFT).execute()
      : Promise.resolve([]),
    trx.selectFrom('cost_consumptions').selectAll().where('item_id', '=', itemId).where('layer_id', '=', SHORTFALL_LAYER).execute(),
  ]);
  const pending = [...new Set(shortfalls.map((s) => s.movement_id))];
  const drawn = new Map<string, Consumption[]>(pending.map((id) => [id, []]));
  for (let i = 0; i < pending.length; i += 500) {
    const rows = await trx.selectFrom('cost_consumptions').selectAll().where('movement_id', 'in', pending.slice(i, i + 500)).execute();
    for (const r of rows) drawn.get(r.movement_id)!.push(toConsumption(r));
  }
  for (const list of drawn.values()) list.sort((a, b) => (a.layerId === SHORTFALL ? 1 : 0) - (b.layerId === SHORTFALL ? 1 : 0));
  // Oldest first, as the engine keeps them.
  const byPosition = (a: Consumption, b: Consumption) => (after({ effectiveAt: a.effectiveAt, id: a.movementId }, { effectiveAt: b.effectiveAt, id: b.movementId }) ? 1 : -1);
  const state: CheckpointState = {
    method: engineState.method,
    layers: layers.sort(layerOrder).map(toLayer),
    poolQty: engineState.poolQty,
    poolValue: engineState.poolValue,
    lastUnitCost: engineState.lastUnitCost,
    shortfalls: shortfalls.map(toConsumption).sort(byPosition),
    drawn: [...drawn],
  };
  await insertRows(trx, 'cost_checkpoints', [checkpointRow(itemId, last, state, now)]);
  await trx.updateTable('item_costs').set({ since_checkpoint: -checkpointSize(state) }).where('item_id', '=', itemId).execute();
}
