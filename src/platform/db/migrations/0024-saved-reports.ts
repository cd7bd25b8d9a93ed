import type { Kysely } from 'kysely';

/**
 * Saved reports (a report builder definition with a name, shared with roles), their email
 * schedules and each scheduled run; and the daily stock snapshots that let an as-of question read
 * the nearest day's stock plus the movements since, instead of reversing history from now.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('saved_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('definition_json', 'text', (c) => c.notNull())
    // A rolling period (the last N days before the run's day), used when the run names no dates.
    .addColumn('last_days', 'integer')
    // The roles it is shared with, as a JSON array; its owner and shop owners always see it.
    .addColumn('shared_roles_json', 'text', (c) => c.notNull())
    // The definition's site filter, kept as a column so a report about one site is hidden from
    // those not granted it.
    .addColumn('site_id', 'text')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    // Who the owner was when saving: what a scheduled run acts as when the owner is not a user.
    .addColumn('run_as_role', 'text', (c) => c.notNull())
    .addColumn('run_as_sites_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('report_schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('saved_report_id', 'text', (c) => c.notNull())
    .addColumn('frequency', 'text', (c) => c.notNull())
    // 0 Monday … 6 Sunday, for weekly schedules.
    .addColumn('weekday', 'integer')
    .addColumn('hour', 'integer', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('recipients_json', 'text', (c) => c.notNull())
    .addColumn('next_run_at', 'bigint', (c) => c.notNull())
    .addColumn('last_run_at', 'bigint')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('report_schedules_report').on('report_schedules').columns(['saved_report_id']).execute();
  await db.schema.createIndex('report_schedules_due').on('report_schedules').columns(['next_run_at']).execute();
  await db.schema
    .createTable('report_schedule_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('schedule_id', 'text', (c) => c.notNull())
    .addColumn('saved_report_id', 'text', (c) => c.notNull())
    .addColumn('from_date', 'text')
    .addColumn('to_date', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('report_schedule_runs_schedule').on('report_schedule_runs').columns(['schedule_id', 'id']).execute();

  // One row per snapshot day: its instant (the last millisecond of the shop's local day).
  await db.schema
    .createTable('stock_snapshot_days')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('as_of', 'bigint', (c) => c.notNull())
    .addColumn('taken_at', 'bigint', (c) => c.notNull())
    // Movements and cost rewrites with ids above these were not seen when it was taken: one of
    // them effective at or before `as_of` makes the day unusable until the job takes it again.
    .addColumn('movement_watermark', 'text', (c) => c.notNull())
    .addColumn('invalidation_watermark', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('stock_snapshot_days_as_of').on('stock_snapshot_days').columns(['as_of']).execute();
  // On hand per item and site (physical locations only) at the day's end; zeros are not kept.
  await db.schema
    .createTable('stock_snapshot_balances')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('stock_snapshot_balances_pk', ['day', 'site_id', 'item_id'])
    .execute();
  // Owned quantity and value of each item's cost pool at the day's end; zeros are not kept.
  await db.schema
    .createTable('stock_snapshot_costs')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('value_micros', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('stock_snapshot_costs_pk', ['day', 'item_id'])
    .execute();
  // How far the snapshot job has looked for back-dated movements and landed costs (one row).
  await db.schema
    .createTable('stock_snapshot_state')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('movement_watermark', 'text', (c) => c.notNull())
    .addColumn('invalidation_watermark', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // Movement costs rewritten after the fact (a landed cost, a revaluation): from when the
  // snapshots no longer hold. Written by the ledger when it rewrites costs at or before the
  // newest snapshot; read by the snapshot job and by as-of questions.
  await db.schema
    .createTable('stock_snapshot_invalidations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('from_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
