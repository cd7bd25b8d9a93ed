import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { REPLAY_PENDING_AT } from './costing.service.ts';
import { SHORTFALL_LAYER } from './cost-rows.ts';

/**
 * Costing invariants over the whole database, run by `stockroom check` beside the ledger's:
 * layers agree with what drew on them, the value on hand equals the open layers less what was
 * sold before it was recorded, and the quantities and values costing tracks agree with the ledger.
 */

export interface CostingInvariantResult {
  name: string;
  description: string;
  ok: boolean;
  violations: Array<Record<string, unknown>>;
}

const sampleSize = 20;
const valued = (alias: string) => sql`(${sql.ref(`${alias}.kind`)} <> 'virtual' or ${sql.ref(`${alias}.virtual_type`)} = 'transit')`;

export async function checkCosting(db: Database): Promise<CostingInvariantResult[]> {
  const k = db.kysely;
  const results: CostingInvariantResult[] = [];
  const add = (name: string, description: string, violations: Array<Record<string, unknown>>) => results.push({ name, description, ok: violations.length === 0, violations });

  add(
    'layers_match_consumptions',
    'What is left of every cost layer is what came in less what was drawn from it, in quantity and value.',
    await k
      .selectFrom('cost_layers as l')
      .leftJoin(
        k.selectFrom('cost_consumptions').select(['layer_id', sql<number>`sum(qty)`.as('qty'), sql<number>`sum(value_micros)`.as('value')]).groupBy('layer_id').as('c'),
        'c.layer_id',
        'l.movement_id',
      )
      .select(['l.movement_id', 'l.item_id', 'l.qty_in', 'l.qty_remaining', 'l.value_in_micros', 'l.value_remaining_micros'])
      .where((eb) =>
        eb.or([
          eb(sql`l.qty_in - coalesce(c.qty, 0)`, '<>', sql.ref('l.qty_remaining')),
          eb(sql`l.value_in_micros - coalesce(c.value, 0)`, '<>', sql.ref('l.value_remaining_micros')),
        ]),
      )
      .limit(sampleSize)
      .execute(),
  );

  const shortfalls = k
    .selectFrom('cost_consumptions')
    .select(['item_id', sql<number>`sum(qty)`.as('qty'), sql<number>`sum(value_micros)`.as('value')])
    .where('layer_id', '=', SHORTFALL_LAYER)
    .groupBy('item_id')
    .as('s');
  const openLayers = k
    .selectFrom('cost_layers')
    .select(['item_id', sql<number>`sum(qty_remaining)`.as('qty'), sql<number>`sum(value_remaining_micros)`.as('value')])
    .groupBy('item_id')
    .as('o');
  add(
    'value_on_hand_matches_layers',
    'For FIFO items, the value on hand equals the sum of the open layers.',
    await k
      .selectFrom('item_costs as ic')
      .innerJoin('items as i', 'i.id', 'ic.item_id')
      .leftJoin(openLayers, 'o.item_id', 'ic.item_id')
      .select(['ic.item_id', 'ic.pool_qty', 'ic.pool_value_micros', sql<number>`coalesce(o.qty, 0)`.as('layers_qty'), sql<number>`coalesce(o.value, 0)`.as('layers_value')])
      .where('i.costing_method', '=', 'fifo')
      .where((eb) => eb.or([eb(sql`coalesce(o.qty, 0)`, '<>', sql.ref('ic.pool_qty')), eb(sql`coalesce(o.value, 0)`, '<>', sql.ref('ic.pool_value_micros'))]))
      .limit(sampleSize)
      .execute(),
  );

  const ownedStock = k
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .select(['b.item_id', sql<number>`sum(b.on_hand)`.as('qty')])
    .where(sql<boolean>`${valued('l')}`)
    .groupBy('b.item_id')
    .as('st');
  add(
    'costed_quantity_matches_stock',
    'The quantity costing holds for each item, less what was sold before it was recorded, is the stock owned.',
    await k
      .selectFrom('item_costs as ic')
      .leftJoin(shortfalls, 's.item_id', 'ic.item_id')
      .leftJoin(ownedStock, 'st.item_id', 'ic.item_id')
      .select(['ic.item_id', 'ic.pool_qty', sql<number>`coalesce(s.qty, 0)`.as('shortfall_qty'), sql<number>`coalesce(st.qty, 0)`.as('owned_qty')])
      .where(sql`ic.pool_qty - coalesce(s.qty, 0)`, '<>', sql`coalesce(st.qty, 0)`)
      .limit(sampleSize)
      .execute(),
  );

  const movementValues = k
    .selectFrom('movements as m')
    .innerJoin('locations as lf', 'lf.id', 'm.from_location_id')
    .innerJoin('locations as lt', 'lt.id', 'm.to_location_id')
    .select([
      'm.item_id',
      sql<number>`sum(case when ${valued('lt')} and not ${valued('lf')} then m.value_micros when ${valued('lf')} and not ${valued('lt')} then 0 - m.value_micros else 0 end)`.as('value'),
    ])
    .groupBy('m.item_id')
    .as('mv');
  add(
    'value_matches_movements',
    'The value on hand of each item equals the value of the stock that came in less the cost of what went out.',
    await k
      .selectFrom('item_costs as ic')
      .leftJoin(shortfalls, 's.item_id', 'ic.item_id')
      .leftJoin(movementValues, 'mv.item_id', 'ic.item_id')
      .select(['ic.item_id', 'ic.pool_value_micros', sql<number>`coalesce(s.value, 0)`.as('shortfall_value'), sql<number>`coalesce(mv.value, 0)`.as('movements_value')])
      .where(sql`ic.pool_value_micros - coalesce(s.value, 0)`, '<>', sql`coalesce(mv.value, 0)`)
      .limit(sampleSize)
      .execute(),
  );

  add(
    'movement_cost_matches_consumptions',
    'The cost recorded on each movement out of stock is the sum of what it drew.',
    await k
      .selectFrom('movements as m')
      .innerJoin(
        k.selectFrom('cost_consumptions').select(['movement_id', sql<number>`sum(value_micros)`.as('value'), sql<number>`sum(qty)`.as('qty')]).groupBy('movement_id').as('c'),
        'c.movement_id',
        'm.id',
      )
      .select(['m.id', 'm.item_id', 'm.qty', 'm.value_micros', 'c.qty as drawn_qty', 'c.value as drawn_value'])
      .where((eb) => eb.or([eb('m.value_micros', 'is', null), eb('m.value_micros', '<>', eb.ref('c.value')), eb('m.qty', '<>', eb.ref('c.qty'))]))
      .limit(sampleSize)
      .execute(),
  );
  // Items the lot-costs migration marked wait for their replay (at their next posting); until then
  // their draws may cross lots, as they did before layers carried lots.
  const settled = k.selectFrom('item_costs').select('item_id').where('last_effective_at', '<>', REPLAY_PENDING_AT);
  add(
    'draws_stay_in_their_lot',
    'Stock of a FIFO item leaving from a lot draws only layers of that lot (stock without a lot only layers without one).',
    await k
      .selectFrom('cost_consumptions as c')
      .innerJoin('cost_layers as l', 'l.movement_id', 'c.layer_id')
      .select(['c.movement_id', 'c.item_id', 'c.lot_id', 'l.movement_id as layer_movement_id', 'l.lot_id as layer_lot_id'])
      .where(sql.ref('c.lot_id'), '<>', sql.ref('l.lot_id'))
      .where('c.item_id', 'in', settled)
      .limit(sampleSize)
      .execute(),
  );

  const byLot = sql<{ item_id: string; lot_id: string; qty: number }>`
    select x.item_id, x.lot_id, sum(x.qty) as qty from (
      select item_id, lot_id, qty_remaining as qty from cost_layers
      union all select item_id, lot_id, 0 - qty from cost_consumptions where layer_id = ''
      union all select b.item_id, b.lot_id, 0 - b.on_hand from balances b inner join locations l on l.id = b.location_id where ${valued('l')}
    ) x
    inner join items i on i.id = x.item_id
    where i.costing_method = 'fifo' and x.item_id in (select item_id from item_costs where last_effective_at <> ${REPLAY_PENDING_AT})
    group by x.item_id, x.lot_id
    having sum(x.qty) <> 0
    limit 1000`;
  // An item whose whole quantity is off is named by costed_quantity_matches_stock; this one names
  // items whose quantity adds up but is split over the wrong lots (a draw from another lot's layer).
  const lotDifferences = (await byLot.execute(k)).rows.map((r) => ({ item_id: r.item_id, lot_id: r.lot_id, difference: Number(r.qty) }));
  const itemDifference = new Map<string, number>();
  for (const d of lotDifferences) itemDifference.set(d.item_id, (itemDifference.get(d.item_id) ?? 0) + d.difference);
  add(
    'costed_lot_quantity_matches_stock',
    'For FIFO items, the open layers of each lot, less what was sold of it before it was recorded, are the stock of that lot owned.',
    lotDifferences.filter((d) => itemDifference.get(d.item_id) === 0).slice(0, sampleSize),
  );
  return results;
}
