import { sql } from 'kysely';
import { updateRowsByKey } from '../../platform/db/bulk-rows.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import { addLandedCost, revalueItem, type CostingMethod, type CostUpdate, type HistoricMovement } from '../costing/index.ts';
import { propagateDerivedCosts } from './derived-costs.ts';
import { loadItemRules } from './item-rules.ts';
import type { MovementKind } from './movements.service.ts';

/**
 * The ledger's side of costing: it reads an item's valued history for the costing module and
 * writes the costs it decides, since the ledger alone writes movements. Only the cost columns
 * of a movement ever change after posting; its quantity, item and locations never do.
 */

const valued = (alias: string) => sql<number>`case when ${sql.ref(`${alias}.kind`)} <> 'virtual' or ${sql.ref(`${alias}.virtual_type`)} = 'transit' then 1 else 0 end`;

/** The item's valued movements, oldest first; after a position, with their inbound costs (see HistoryReader). */
export async function readValuedHistory(trx: Trx, itemId: string, after?: { effectiveAt: number; id: string }): Promise<HistoricMovement[]> {
  const rows = await trx
    .selectFrom('movements as m')
    .innerJoin('locations as lf', 'lf.id', 'm.from_location_id')
    .innerJoin('locations as lt', 'lt.id', 'm.to_location_id')
    .select(['m.id', 'm.lot_id', 'm.effective_at', 'm.qty', 'm.value_micros', 'm.unit_cost_micros', valued('lf').as('from_valued'), valued('lt').as('to_valued')])
    .where('m.item_id', '=', itemId)
    // Movement ids are one prefix and a ULID (digits and capitals), which sort alike under any collation.
    .$if(after !== undefined, (q) =>
      q
        .leftJoin('inbound_costs as ic', 'ic.movement_id', 'm.id')
        .select(['ic.movement_id as input_id', 'ic.unit_cost_micros as input_unit_cost_micros', 'ic.landed_micros as input_landed_micros'])
        .where('m.effective_at', '>=', after!.effectiveAt)
        .where((eb) => eb.or([eb('m.effective_at', '>', after!.effectiveAt), eb('m.id', '>', after!.id)])),
    )
    .orderBy('m.effective_at')
    .orderBy('m.id')
    .execute();
  return rows
    .filter((r) => Number(r.from_valued) !== Number(r.to_valued))
    .map((r) => ({
      id: r.id,
      lotId: r.lot_id,
      effectiveAt: r.effective_at,
      qty: r.qty,
      direction: Number(r.to_valued) === 1 ? 'in' : 'out',
      valueMicros: r.value_micros,
      unitCostMicros: r.unit_cost_micros,
      ...(after === undefined ? {} : { input: r.input_id == null ? null : { unitCostMicros: r.input_unit_cost_micros ?? null, landedMicros: r.input_landed_micros! } }),
    }));
}

type CostsRewritten = (trx: Trx, movementIds: readonly string[], now: number) => Promise<void>;
const costsRewrittenListeners: CostsRewritten[] = [];

/**
 * Called in the transaction whenever posted movements get new costs (a landed cost, a back-dated
 * entry revaluing what came after it): what keeps a copy of past values (the daily stock
 * snapshots) learns it is stale from then on.
 */
export function onMovementCostsRewritten(listener: CostsRewritten): void {
  costsRewrittenListeners.push(listener);
}

/**
 * Writes changed movement costs, then walks on to the costs derived from them (a batch of
 * loaves from the flour it consumed; see derived-costs.ts). `depth` counts that walk.
 */
export async function writeCostUpdates(trx: Trx, updates: readonly CostUpdate[], now: number, depth = 0): Promise<void> {
  if (updates.length === 0) return;
  for (const listener of costsRewrittenListeners) await listener(trx, updates.map((u) => u.movementId), now);
  if (updates.length === 1) {
    const u = updates[0]!;
    await trx.updateTable('movements').set({ unit_cost_micros: u.unitCostMicros, value_micros: u.valueMicros }).where('id', '=', u.movementId).execute();
    await propagateDerivedCosts(trx, [u.movementId], now, depth);
    return;
  }
  // A replay may change thousands of costs: one statement (PostgreSQL) or one per chunk (SQLite), not one per movement.
  await updateRowsByKey(
    trx,
    'movements',
    'id',
    ['unit_cost_micros', 'value_micros'],
    updates.map((u) => ({ id: u.movementId, unit_cost_micros: u.unitCostMicros, value_micros: u.valueMicros })),
  );
  await propagateDerivedCosts(trx, updates.map((u) => u.movementId), now, depth);
}

/** Landed costs (freight, duty) raise the value of stock that came in; every cost drawn from it follows. */
export async function applyLandedCosts(ctx: ServiceContext, charges: ReadonlyArray<{ movementId: string; micros: number }>): Promise<void> {
  await inTransaction(ctx, async (trx) => {
    for (const charge of charges) {
      if (charge.micros === 0) continue;
      await writeCostUpdates(trx, await addLandedCost(trx, charge.movementId, charge.micros, (id) => methodOf(trx, id), readValuedHistory, ctx.clock.now()), ctx.clock.now());
    }
  });
}

/** Values the items again from their whole history; returns how many movement costs changed. */
export async function revalueItems(ctx: ServiceContext, itemIds: readonly string[]): Promise<number> {
  return inTransaction(ctx, async (trx) => {
    let changed = 0;
    for (const itemId of [...new Set(itemIds)].sort()) {
      const updates = await revalueItem(trx, itemId, await methodOf(trx, itemId), readValuedHistory, ctx.clock.now());
      await writeCostUpdates(trx, updates, ctx.clock.now());
      changed += updates.length;
    }
    return changed;
  });
}

async function methodOf(trx: Trx, itemId: string): Promise<CostingMethod> {
  const rules = (await loadItemRules(trx, [itemId])).get(itemId);
  if (!rules) throw new Error(`costing: no item ${itemId}`);
  return rules.costingMethod;
}

export interface ValuedChange {
  qty: number;
  value: number;
}

/**
 * Per item, the net quantity and value that crossed into owned stock after `asOf` (in less out).
 * Owned stock as of a past instant is today's less this, which reads only the recent movements.
 */
export async function valuedChangesSince(db: Executor, asOf: number): Promise<Map<string, ValuedChange>> {
  const rows = await db
    .selectFrom('movements as m')
    .innerJoin('locations as lf', 'lf.id', 'm.from_location_id')
    .innerJoin('locations as lt', 'lt.id', 'm.to_location_id')
    .select([
      'm.item_id',
      sql<number>`sum(case when ${valuedCondition('lt')} and not ${valuedCondition('lf')} then m.qty when ${valuedCondition('lf')} and not ${valuedCondition('lt')} then 0 - m.qty else 0 end)`.as('qty'),
      sql<number>`sum(case when ${valuedCondition('lt')} and not ${valuedCondition('lf')} then m.value_micros when ${valuedCondition('lf')} and not ${valuedCondition('lt')} then 0 - m.value_micros else 0 end)`.as('value'),
    ])
    .where('m.effective_at', '>', asOf)
    .groupBy('m.item_id')
    .execute();
  return new Map(rows.map((r) => [r.item_id, { qty: Number(r.qty ?? 0), value: Number(r.value ?? 0) }]));
}

export interface LotValuedChange extends ValuedChange {
  itemId: string;
  lotId: string;
}

/** As `valuedChangesSince`, per item and lot: what a valuation by lot subtracts to look back. */
export async function valuedChangesSinceByLot(db: Executor, asOf: number): Promise<LotValuedChange[]> {
  const rows = await db
    .selectFrom('movements as m')
    .innerJoin('locations as lf', 'lf.id', 'm.from_location_id')
    .innerJoin('locations as lt', 'lt.id', 'm.to_location_id')
    .select([
      'm.item_id',
      'm.lot_id',
      sql<number>`sum(case when ${valuedCondition('lt')} and not ${valuedCondition('lf')} then m.qty when ${valuedCondition('lf')} and not ${valuedCondition('lt')} then 0 - m.qty else 0 end)`.as('qty'),
      sql<number>`sum(case when ${valuedCondition('lt')} and not ${valuedCondition('lf')} then m.value_micros when ${valuedCondition('lf')} and not ${valuedCondition('lt')} then 0 - m.value_micros else 0 end)`.as('value'),
    ])
    .where('m.effective_at', '>', asOf)
    .groupBy(['m.item_id', 'm.lot_id'])
    .execute();
  return rows.map((r) => ({ itemId: r.item_id, lotId: r.lot_id, qty: Number(r.qty ?? 0), value: Number(r.value ?? 0) }));
}

/** Owned stock now (bins and goods in transit) per item and lot. */
export async function ownedStockByLot(db: Executor): Promise<Array<{ itemId: string; lotId: string; qty: number }>> {
  const rows = await db
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .select(['b.item_id', 'b.lot_id', sql<number>`sum(b.on_hand)`.as('qty')])
    .where(sql<boolean>`${valuedCondition('l')}`)
    .groupBy(['b.item_id', 'b.lot_id'])
    .execute();
  return rows.map((r) => ({ itemId: r.item_id, lotId: r.lot_id, qty: Number(r.qty) }));
}

const valuedCondition = (alias: string) => sql`(${sql.ref(`${alias}.kind`)} <> 'virtual' or ${sql.ref(`${alias}.virtual_type`)} = 'transit')`;

/**
 * The net value that crossed into owned stock per hour since `since` (epoch hour → micros), so
 * a chart of stock value over days reads one grouped query rather than every movement.
 */
export async function valuedChangesByHour(db: Executor, since: number): Promise<Map<number, number>> {
  const hour = sql<number>`m.effective_at / 3600000`;
  const rows = await db
    .selectFrom('movements as m')
    .innerJoin('locations as lf', 'lf.id', 'm.from_location_id')
    .innerJoin('locations as lt', 'lt.id', 'm.to_location_id')
    .select([
      hour.as('hour'),
      sql<number>`sum(case when ${valuedCondition('lt')} and not ${valuedCondition('lf')} then m.value_micros when ${valuedCondition('lf')} and not ${valuedCondition('lt')} then 0 - m.value_micros else 0 end)`.as('value'),
    ])
    .where('m.effective_at', '>', since)
    .groupBy(hour)
    .execute();
  return new Map(rows.map((r) => [Math.floor(Number(r.hour)), Number(r.value ?? 0)]));
}

/** The cost of goods that left in movements of one kind (a sale), per hour in [from, to). */
export async function movementValueByHour(db: Executor, options: { kind: MovementKind; from: number; to: number; fromLocationIds?: string[] }): Promise<Map<number, number>> {
  const hour = sql<number>`effective_at / 3600000`;
  let query = db
    .selectFrom('movements')
    .select([hour.as('hour'), sql<number>`sum(value_micros)`.as('value')])
    // The kind as a literal, not a bound value: SQLite uses a partial index (the sale movements by
    // time) only when it can prove the index's condition from the query's text.
    .where('kind', '=', sql.lit(options.kind))
    .where('effective_at', '>=', options.from)
    .where('effective_at', '<', options.to);
  if (options.fromLocationIds) {
    query = options.fromLocationIds.length ? query.where('from_location_id', 'in', options.fromLocationIds) : query.where('from_location_id', '=', '');
  }
  const rows = await query.groupBy(hour).execute();
  return new Map(rows.map((r) => [Math.floor(Number(r.hour)), Number(r.value ?? 0)]));
}
