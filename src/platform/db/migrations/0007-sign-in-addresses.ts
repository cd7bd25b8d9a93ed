import type { Kysely } from 'kysely';

/**
 * Addresses a person has signed in from. The sign-in throttle no longer locks an account outright
 * (anyone could lock the owner out with ten wrong passwords): it slows guessing per account and
 * address, and slows guessing at an account from everywhere only at addresses the person has not
 * signed in from before, so a flood from elsewhere never keeps her out at her own till.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_addresses')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('last_signed_in_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sign_in_addresses_pk', ['user_id', 'ip'])
    .execute();
  await db.schema.createIndex('sign_in_addresses_last').on('sign_in_addresses').column('last_signed_in_at').execute();
  await db.schema.createIndex('login_throttle_updated').on('login_throttle').column('updated_at').execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
