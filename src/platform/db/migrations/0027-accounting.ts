import type { Kysely } from 'kysely';

/**
 * Accounting: where Stockroom's valuation changes are booked (an account per role, per site and
 * category, with defaults), the QuickBooks Online connection (tokens sealed), and one row per
 * posting sent to QuickBooks. A posting row is written before the HTTP call and carries the
 * stable `requestid` and doc number, so a retry after a timeout asks QuickBooks for the same
 * thing again and never books it twice.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accounting_accounts')
    // '' means "any site" / "any category"; the most specific row wins.
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('account_name', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('accounting_accounts_pk', ['site_id', 'category', 'role'])
    .execute();
  await db.schema
    .createTable('qbo_connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('realm_id', 'text', (c) => c.notNull())
    .addColumn('access_token_sealed', 'text', (c) => c.notNull())
    .addColumn('refresh_token_sealed', 'text', (c) => c.notNull())
    .addColumn('access_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('refresh_expires_at', 'bigint', (c) => c.notNull())
    // The first local day booked; days before it are the opening balance the accountant enters.
    .addColumn('sync_from', 'text', (c) => c.notNull())
    .addColumn('accounts_json', 'text', (c) => c.notNull())
    .addColumn('last_sync_at', 'bigint')
    .addColumn('connected_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('qbo_postings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('posting_key', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('doc_number', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text')
    .addColumn('site_id', 'text')
    .addColumn('document_id', 'text')
    .addColumn('lines_json', 'text', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('qbo_id', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('posted_at', 'bigint')
    .execute();
  await db.schema.createIndex('qbo_postings_key').on('qbo_postings').columns(['posting_key', 'revision']).unique().execute();
  // Google local inventory: one feed per store, fetched by Merchant Center at a secret URL; the
  // secret is kept only as a hash, like an API token.
  await db.schema
    .createTable('google_local_feeds')
    .addColumn('site_id', 'text', (c) => c.primaryKey())
    .addColumn('store_code', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('qbo_postings_status').on('qbo_postings').columns(['status', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
