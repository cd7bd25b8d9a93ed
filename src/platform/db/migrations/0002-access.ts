import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.ts';

/**
 * Users, their site grants, sessions, API tokens, sign-in throttling and the audit log.
 * Credentials are stored only as hashes (argon2id for passwords, sha256 for the high-entropy
 * session ids and token secrets). The audit tables refuse UPDATE and DELETE in the database
 * itself, so no code path, however buggy, can rewrite history.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('all_sites', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('password_changed_at', 'bigint', (c) => c.notNull())
    .addColumn('last_login_at', 'bigint')
    .addColumn('created_by_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('users_all_sites_flag', sql`all_sites in (0, 1)`)
    .execute();

  // One row per (user or token, site): a grant covers the site and every bin below it.
  await db.schema
    .createTable('site_grants')
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull().references('locations.id'))
    .addPrimaryKeyConstraint('site_grants_pk', ['principal_id', 'site_id'])
    .execute();
  await db.schema.createIndex('site_grants_site').on('site_grants').columns(['site_id']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_reason', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id']).execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hint', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('all_sites', 'integer', (c) => c.notNull())
    .addColumn('owner_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_by_id', 'text', (c) => c.notNull())
    .addColumn('created_by_label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_by_id', 'text')
    .addCheckConstraint('api_tokens_all_sites_flag', sql`all_sites in (0, 1)`)
    .execute();
  await db.schema.createIndex('api_tokens_owner').on('api_tokens').columns(['owner_user_id']).execute();
  await db.schema.createIndex('api_tokens_created').on('api_tokens').columns(['created_at', 'id']).execute();

  // Failed sign-ins per account (`account:<email>`) and per address (`ip:<address>`).
  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_kind', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text')
    .addColumn('credential_id', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('problem_code', 'text')
    .addColumn('targets_json', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('request_id', 'text')
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('audit_events_time').on('audit_events').columns(['at', 'id']).execute();
  await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['actor_id', 'at']).execute();
  await db.schema.createIndex('audit_events_route').on('audit_events').columns(['route', 'at']).execute();

  await db.schema
    .createTable('audit_targets')
    .addColumn('event_id', 'text', (c) => c.notNull().references('audit_events.id'))
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_targets_pk', ['event_id', 'target_type', 'target_id'])
    .execute();
  await db.schema.createIndex('audit_targets_target').on('audit_targets').columns(['target_id']).execute();

  for (const table of ['audit_events', 'audit_targets']) await refuseChanges(db, dialect, table);
}

/** Makes a table append-only: UPDATE and DELETE fail in the database. */
async function refuseChanges(db: Kysely<any>, dialect: DialectName, table: string): Promise<void> {
  const message = `${table} is append-only`;
  if (dialect === 'sqlite') {
    for (const action of ['update', 'delete']) {
      await sql
        .raw(`create trigger ${table}_no_${action} before ${action} on ${table} begin select raise(abort, '${message}'); end`)
        .execute(db);
    }
    return;
  }
  await sql
    .raw(
      `create or replace function ${table}_append_only() returns trigger language plpgsql as ` +
        `$$ begin raise exception '${message}' using errcode = 'P0001'; end $$`,
    )
    .execute(db);
  await sql.raw(`create trigger ${table}_no_change before update or delete on ${table} for each row execute function ${table}_append_only()`).execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
