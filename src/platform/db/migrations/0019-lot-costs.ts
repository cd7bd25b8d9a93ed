import { sql, type Kysely } from 'kysely';

/**
 * Cost layers by lot. A FIFO layer carries the lot (or serial) its stock came in with, and each
 * draw records the lot that left, so selling lot L costs what lot L cost. Existing layers and draws
 * take the lot of the movement that made them; a layer of stock without a lot stays without one.
 *
 * Before this, a sale of one lot could draw another lot's older layer. Items where that happened
 * are marked for re-costing (their last valued instant set beyond any real one), so the next
 * posting of the item replays its history by lot rather than building on draws that crossed lots.
 */
export const REPLAY_PENDING_AT = 9_007_199_254_740_991;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cost_layers').addColumn('lot_id', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('cost_consumptions').addColumn('lot_id', 'text', (c) => c.notNull().defaultTo('')).execute();
  await sql`update cost_layers set lot_id = coalesce((select m.lot_id from movements m where m.id = cost_layers.movement_id), '')`.execute(db);
  await sql`update cost_consumptions set lot_id = coalesce((select m.lot_id from movements m where m.id = cost_consumptions.movement_id), '')`.execute(db);
  await sql`
    update item_costs set last_effective_at = ${sql.lit(REPLAY_PENDING_AT)}, last_movement_id = ''
    where item_id in (
      select c.item_id from cost_consumptions c
      inner join cost_layers l on l.movement_id = c.layer_id
      where l.lot_id <> c.lot_id
    )`.execute(db);
  // A sale of lot L reads the oldest open layers of that lot only.
  await db.schema
    .createIndex('cost_layers_lot_open')
    .on('cost_layers')
    .columns(['item_id', 'lot_id', 'effective_at', 'movement_id'])
    .where(sql.ref('qty_remaining'), '>', 0)
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
