import type { Kysely } from 'kysely';

/**
 * A channel's assortment: the catalogue categories it sells, as a JSON array of names; null sells
 * every item (what channels did before). A web shop lists its goods, not the café's milk.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('channels').addColumn('categories_json', 'text').execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
