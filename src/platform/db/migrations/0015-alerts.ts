import type { Kysely } from 'kysely';

/**
 * Alert rules and who hears of them. An alert fires when a condition is *crossed* (an item's
 * stock at a site falls to its minimum), not on every change while it holds: `alert_states`
 * keeps, per rule, subject and site, whether the condition holds and when it last fired, so a
 * busy item hovering at its minimum sends nothing new until it has recovered and the cooldown
 * has passed. Messages leave through the delivery outbox; in-app ones land in `notifications`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // A text message needs a number; users had only an email address.
  await db.schema.alterTable('users').addColumn('phone', 'text').execute();

  await db.schema
    .createTable('alert_rules')
    .addColumn('rule', 'text', (c) => c.primaryKey())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('cooldown_ms', 'bigint', (c) => c.notNull())
    .addColumn('days', 'integer')
    .addColumn('qty', 'bigint')
    .addColumn('amount_micros', 'bigint')
    .addColumn('count', 'integer')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('alert_states')
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    // '' for shop-wide conditions (a failed delivery).
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('last_fired_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('alert_states_pk', ['rule', 'subject_id', 'site_id'])
    .execute();
  await db.schema.createIndex('alert_states_active').on('alert_states').columns(['rule', 'active']).execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    // What only people allowed to see costs are told (a variance's value); null when nothing.
    .addColumn('cost_body', 'text')
    .addColumn('data_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alerts_created').on('alerts').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('alert_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    // '' for every site the user is granted, now and later.
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('digest', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_subscriptions_unique').on('alert_subscriptions').columns(['user_id', 'rule', 'site_id', 'channel']).unique().execute();
  await db.schema.createIndex('alert_subscriptions_rule').on('alert_subscriptions').columns(['rule', 'site_id']).execute();

  await db.schema
    .createTable('alert_preferences')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    // Local wall-clock times (HH:MM) in the shop's time zone; both null: no quiet hours.
    .addColumn('quiet_from', 'text')
    .addColumn('quiet_to', 'text')
    .addColumn('digest_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alert_digests')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('last_local_date', 'text', (c) => c.notNull())
    .addColumn('last_sent_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('alert_id', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('read_at', 'bigint')
    .execute();
  await db.schema.createIndex('notifications_user').on('notifications').columns(['user_id', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
