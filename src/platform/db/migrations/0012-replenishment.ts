import type { Kysely } from 'kysely';

/**
 * Stock levels: per item and location (a site, or a pick-face bin inside one) the minimum
 * (reorder point) and maximum (order-up-to / PAR), in thousandths of the base unit. `source`
 * says who set it (`manual`, `suggested` from the forecast, `migrated` from the old shop-wide
 * reorder point); `basis_json` keeps the numbers a suggestion was computed from, so a proposal
 * can explain itself with them. `delivered_daily` marks items restocked every day (bakes, milk):
 * empty at closing is their normal state, not a stock-out.
 *
 * The shop-wide `items.reorder_point` becomes a level at every existing site; the column stays as
 * the deprecated fallback for sites with no level of their own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stock_levels')
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('min_qty', 'bigint', (c) => c.notNull())
    .addColumn('max_qty', 'bigint', (c) => c.notNull())
    .addColumn('delivered_daily', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('basis_json', 'text')
    .addColumn('updated_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('stock_levels_pk', ['item_id', 'location_id'])
    .execute();
  await db.schema.createIndex('stock_levels_site').on('stock_levels').columns(['site_id', 'item_id']).execute();

  const now = Date.now();
  const sites = await db.selectFrom('locations').select('id').where('kind', '=', 'site').where('status', '=', 'active').execute();
  const items = await db.selectFrom('items').select(['id', 'reorder_point']).where('reorder_point', 'is not', null).execute();
  for (const item of items) {
    const min = Number(item.reorder_point);
    for (const site of sites) {
      // The old point had no order-up-to; twice the point is where the web form suggested filling to.
      await db
        .insertInto('stock_levels')
        .values({ item_id: item.id, location_id: site.id, site_id: site.id, min_qty: min, max_qty: min * 2, delivered_daily: 0, source: 'migrated', basis_json: null, updated_by: null, created_at: now, updated_at: now })
        .execute();
    }
  }
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
