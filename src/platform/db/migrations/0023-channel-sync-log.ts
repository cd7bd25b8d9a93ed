import type { Kysely } from 'kysely';

/**
 * What each connection did and what went wrong, newest first: pushes, orders received, refused
 * webhooks (with why), reconcile findings and errors, so the owner can see a channel is in step
 * and retry what failed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('channel_sync_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('ref', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('channel_sync_log_connection').on('channel_sync_log').columns(['connection_id', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
