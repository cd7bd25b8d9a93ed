import type { Kysely } from 'kysely';

/** A reorder point per item: at or below it, the item shows as low on the dashboard. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('items').addColumn('reorder_point', 'bigint').execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
