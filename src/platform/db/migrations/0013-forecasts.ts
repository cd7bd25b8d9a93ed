import type { Kysely } from 'kysely';

/**
 * Demand forecasts: per item and site, the method the backtest selected, its figures and the
 * forecast itself (daily means and intervals, as JSON: they are read whole, never queried by
 * day); the runs of the forecasting job with their progress; and days flagged as promotions or
 * holidays, kept out of the baseline. Accuracy figures are integers in millionths so no float
 * column is needed; days are the shop's local dates.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('forecasts')
    .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('demand_class', 'text', (c) => c.notNull())
    // The last day of history the forecast was made from; the forecast starts the day after.
    .addColumn('history_end_on', 'text', (c) => c.notNull())
    .addColumn('history_days', 'integer', (c) => c.notNull())
    .addColumn('censored_days', 'integer', (c) => c.notNull())
    .addColumn('rmsse_e6', 'bigint')
    .addColumn('bias_e6', 'bigint')
    .addColumn('error_sd_e6', 'bigint', (c) => c.notNull())
    // Out of sample: the method chosen on the earlier windows scored on the last, beside weekly seasonal naive.
    .addColumn('accuracy_method', 'text')
    .addColumn('accuracy_rmsse_e6', 'bigint')
    .addColumn('accuracy_bias_e6', 'bigint')
    .addColumn('benchmark_rmsse_e6', 'bigint')
    .addColumn('benchmark_bias_e6', 'bigint')
    // Classification figures and every candidate's score.
    .addColumn('parameters_json', 'text', (c) => c.notNull())
    // Daily means, intervals and the summed-error spread the window quantiles use.
    .addColumn('forecast_json', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('forecasts_pk', ['item_id', 'site_id'])
    .execute();
  await db.schema.createIndex('forecasts_site').on('forecasts').columns(['site_id', 'item_id']).execute();

  await db.schema
    .createTable('forecast_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('items_total', 'integer', (c) => c.notNull())
    .addColumn('items_done', 'integer', (c) => c.notNull())
    .addColumn('forecasts_written', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    // 1 while the run is going, null after: the unique index lets one run go at a time, even
    // across server instances sharing a database (nulls do not collide).
    .addColumn('running_lock', 'integer')
    .execute();
  await db.schema.createIndex('forecast_runs_one_running').on('forecast_runs').column('running_lock').unique().execute();
  await db.schema.createIndex('forecast_runs_started').on('forecast_runs').columns(['started_at']).execute();

  await db.schema
    .createTable('demand_flags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Null: every item (a holiday); otherwise one item (a promotion).
    .addColumn('item_id', 'text', (c) => c.references('items.id'))
    // Null: every site.
    .addColumn('site_id', 'text', (c) => c.references('locations.id'))
    .addColumn('from_on', 'text', (c) => c.notNull())
    .addColumn('to_on', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations only go forward.');
}
