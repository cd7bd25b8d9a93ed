import { sql, type Kysely } from 'kysely';

/**
 * The dashboard's stock value by day reads one figure per day: each daily snapshot now keeps the
 * total value of its cost pools (the sum of its cost rows), written with them, instead of the
 * reader summing 30,000 rows a day or reversing a month of movements from now. The snapshots
 * already taken get theirs from their rows, so they stay in use.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('stock_snapshot_days').addColumn('value_micros', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update stock_snapshot_days set value_micros = coalesce((select sum(c.value_micros) from stock_snapshot_costs c where c.day = stock_snapshot_days.day), 0)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
