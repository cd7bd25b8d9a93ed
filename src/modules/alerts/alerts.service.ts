import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { formatMoneyOrNull } from '../../platform/money.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { readSettings } from '../settings/index.ts';
import { ALERT_RULES, readRuleSettings, type AlertRule, type RuleSettings } from './alert-rules.ts';
import { DEFAULT_DIGEST_AT } from './digest.service.ts';
import { notifyRecentAlerts as notifyRecentAlertsIn } from './alert-dispatch.ts';
import { AlertError } from './alerts.errors.ts';
import type { CreateSubscriptionInput, MarkReadInput, PreferencesInput, RuleInput } from './alerts.schema.ts';

/**
 * What a person manages about their alerts: subscriptions (rule × site × channel), quiet hours,
 * phone and digest time, and their in-app notifications. Everyone manages their own; an owner
 * may manage anyone's. Someone else's records read as absent (404), never as forbidden.
 */

interface TargetUser {
  id: string;
  role: string;
  allSites: boolean;
}

/** The user a request is about: `userId` if the caller may act for them, else the caller (a token acts for the person it belongs to). */
async function targetUser(ctx: ServiceContext, db: Executor, userId: string | undefined): Promise<TargetUser> {
  let id = userId;
  if (id === undefined) {
    if (ctx.actor.kind === 'user') id = ctx.actor.id;
    else if (ctx.actor.kind === 'token') {
      const token = await db.selectFrom('api_tokens').select('owner_user_id').where('id', '=', ctx.actor.id).executeTakeFirst();
      id = token?.owner_user_id ?? undefined;
    }
  }
  const mine = id !== undefined && (ctx.actor.kind === 'user' ? ctx.actor.id === id : userId === undefined);
  const allowed = mine || ctx.actor.role === 'owner';
  const user = id !== undefined && allowed ? await db.selectFrom('users').select(['id', 'role', 'all_sites']).where('id', '=', id).executeTakeFirst() : undefined;
  if (!user) throw new AlertError('alert_user_not_found', id === undefined ? 'This credential acts for no user; name one with user_id.' : `No user ${id}.`);
  return { id: user.id, role: user.role, allSites: Number(user.all_sites) === 1 };
}

export interface SubscriptionJson {
  id: string;
  user_id: string;
  rule: AlertRule;
  site_id: string | null;
  channel: 'email' | 'sms' | 'in_app';
  digest: boolean;
  created_at: string;
}

function subscriptionJson(row: { id: string; user_id: string; rule: string; site_id: string; channel: 'email' | 'sms' | 'in_app'; digest: number; created_at: number }): SubscriptionJson {
  return { id: row.id, user_id: row.user_id, rule: row.rule as AlertRule, site_id: row.site_id === '' ? null : row.site_id, channel: row.channel, digest: Number(row.digest) === 1, created_at: toIso(Number(row.created_at)) };
}

export async function listSubscriptions(ctx: ServiceContext, userId?: string): Promise<SubscriptionJson[]> {
  const db = reader(ctx);
  // A token that acts for no person has nothing subscribed; naming someone else is still checked.
  if (userId === undefined && (await ownUserId(ctx, db)) === null) return [];
  const user = await targetUser(ctx, db, userId);
  const rows = await db.selectFrom('alert_subscriptions').selectAll().where('user_id', '=', user.id).orderBy('id').execute();
  return rows.map(subscriptionJson);
}

export async function createSubscription(ctx: ServiceContext, input: CreateSubscriptionInput): Promise<SubscriptionJson> {
  return inTransaction(ctx, async (trx) => {
    const user = await targetUser(ctx, trx, input.user_id);
    const siteId = input.site_id ?? '';
    if (siteId !== '') {
      const site = await trx.selectFrom('locations').select(['id', 'kind']).where('id', '=', siteId).executeTakeFirst();
      const granted = user.allSites || (await trx.selectFrom('site_grants').select('site_id').where('principal_id', '=', user.id).where('site_id', '=', siteId).executeTakeFirst()) !== undefined;
      // The caller must see the site too: a manager cannot learn of another site through this.
      const visible = ctx.actor.sites === 'all' || ctx.actor.sites.has(siteId);
      if (!site || site.kind !== 'site' || !granted || !visible) {
        throw new AlertError('alert_subscription_invalid', 'site_id must be a site the user is granted.', { errors: [{ field: 'body.site_id', code: 'not_granted', message: 'not a site the user is granted' }] });
      }
    }
    const digest = input.digest ?? false;
    if (digest && input.channel !== 'email') {
      throw new AlertError('alert_subscription_invalid', 'Only email alerts can be collected in a digest.', { errors: [{ field: 'body.digest', code: 'email_only', message: 'only for the email channel' }] });
    }
    const exists = await trx
      .selectFrom('alert_subscriptions')
      .select('id')
      .where('user_id', '=', user.id)
      .where('rule', '=', input.rule)
      .where('site_id', '=', siteId)
      .where('channel', '=', input.channel)
      .executeTakeFirst();
    if (exists) throw new AlertError('alert_subscription_exists', `The user already subscribes to ${input.rule} by ${input.channel} there (${exists.id}).`, { extra: { subscription_id: exists.id } });
    const now = ctx.clock.now();
    const row = { id: newId('asb', now), user_id: user.id, rule: input.rule, site_id: siteId, channel: input.channel, digest: digest ? 1 : 0, created_at: now };
    await trx.insertInto('alert_subscriptions').values(row).execute();
    return subscriptionJson(row);
  });
}

export async function deleteSubscription(ctx: ServiceContext, id: string): Promise<void> {
  await inTransaction(ctx, async (trx) => {
    const row = await trx.selectFrom('alert_subscriptions').select(['id', 'user_id']).where('id', '=', id).executeTakeFirst();
    const mine = row !== undefined && (await isCallerOrOwned(ctx, trx, row.user_id));
    if (!row || !mine) throw new AlertError('alert_subscription_not_found', `No alert subscription ${id}.`);
    await trx.deleteFrom('alert_subscriptions').where('id', '=', id).execute();
  });
}

async function isCallerOrOwned(ctx: ServiceContext, db: Executor, userId: string): Promise<boolean> {
  if (ctx.actor.role === 'owner') return true;
  if (ctx.actor.kind === 'user') return ctx.actor.id === userId;
  if (ctx.actor.kind === 'token') {
    const token = await db.selectFrom('api_tokens').select('owner_user_id').where('id', '=', ctx.actor.id).executeTakeFirst();
    return token?.owner_user_id === userId;
  }
  return false;
}

export interface NotificationJson {
  id: string;
  alert_id: string;
  rule: AlertRule;
  site_id: string | null;
  title: string;
  body: string;
  created_at: string;
  read_at: string | null;
}

/** Your notifications, newest first, at sites you are still granted. */
export async function listNotifications(ctx: ServiceContext, query: { unread?: 'true' | 'false' | undefined; limit: number; cursor?: string | undefined }) {
  const db = reader(ctx);
  const userId = await ownUserId(ctx, db);
  if (userId === null) return { data: [], next_cursor: null, unread_count: 0 };
  const after = decodeCursor(query.cursor, ['string']);
  const visible = (q: any) => (ctx.actor.sites === 'all' ? q : q.where('site_id', 'in', ['', ...ctx.actor.sites]));
  let q = visible(db.selectFrom('notifications').selectAll().where('user_id', '=', userId));
  if (query.unread === 'true') q = q.where('read_at', 'is', null);
  if (after) q = q.where('id', '<', after[0] as string);
  const rows: any[] = await q.orderBy('id', 'desc').limit(query.limit + 1).execute();
  const unread = await visible(db.selectFrom('notifications').select((eb: any) => eb.fn.countAll().as('n')).where('user_id', '=', userId).where('read_at', 'is', null)).executeTakeFirst();
  const page = toPage(rows, query.limit, (r) => [r.id], (r): NotificationJson => ({
    id: r.id,
    alert_id: r.alert_id,
    rule: r.rule,
    site_id: r.site_id === '' ? null : r.site_id,
    title: r.title,
    body: r.body,
    created_at: toIso(Number(r.created_at)),
    read_at: toIsoOrNull(r.read_at === null ? null : Number(r.read_at)),
  }));
  return { ...page, unread_count: Number(unread?.n ?? 0) };
}

async function ownUserId(ctx: ServiceContext, db: Executor): Promise<string | null> {
  if (ctx.actor.kind === 'user') return ctx.actor.id;
  if (ctx.actor.kind !== 'token') return null;
  const token = await db.selectFrom('api_tokens').select('owner_user_id').where('id', '=', ctx.actor.id).executeTakeFirst();
  return token?.owner_user_id ?? null;
}

/** Marks your notifications read (the ids given, or all); returns how many changed. Ids not yours change nothing. */
export async function markNotificationsRead(ctx: ServiceContext, input: MarkReadInput): Promise<{ marked: number }> {
  return inTransaction(ctx, async (trx) => {
    const userId = await ownUserId(ctx, trx);
    if (userId === null) return { marked: 0 };
    let q = trx.updateTable('notifications').set({ read_at: ctx.clock.now() }).where('user_id', '=', userId).where('read_at', 'is', null);
    if (input.ids) q = q.where('id', 'in', input.ids);
    const result = await q.executeTakeFirst();
    return { marked: Number(result.numUpdatedRows) };
  });
}

export interface PreferencesJson {
  /** Null for a token that acts for no person: it has nothing set. */
  user_id: string | null;
  phone: string | null;
  quiet_from: string | null;
  quiet_to: string | null;
  digest_at: string;
  time_zone: string;
}

export async function getPreferences(ctx: ServiceContext, userId?: string): Promise<PreferencesJson> {
  const db = reader(ctx);
  if (userId === undefined && (await ownUserId(ctx, db)) === null) {
    return { user_id: null, phone: null, quiet_from: null, quiet_to: null, digest_at: DEFAULT_DIGEST_AT, time_zone: (await readSettings(db)).time_zone };
  }
  const user = await targetUser(ctx, db, userId);
  return preferencesOf(db, user.id);
}

async function preferencesOf(db: Executor, userId: string): Promise<PreferencesJson> {
  const [user, prefs, settings] = await Promise.all([
    db.selectFrom('users').select('phone').where('id', '=', userId).executeTakeFirstOrThrow(),
    db.selectFrom('alert_preferences').selectAll().where('user_id', '=', userId).executeTakeFirst(),
    readSettings(db),
  ]);
  return { user_id: userId, phone: user.phone, quiet_from: prefs?.quiet_from ?? null, quiet_to: prefs?.quiet_to ?? null, digest_at: prefs?.digest_at ?? DEFAULT_DIGEST_AT, time_zone: settings.time_zone };
}

export async function updatePreferences(ctx: ServiceContext, input: PreferencesInput): Promise<PreferencesJson> {
  return inTransaction(ctx, async (trx) => {
    const user = await targetUser(ctx, trx, input.user_id);
    const now = ctx.clock.now();
    if (input.phone !== undefined) await trx.updateTable('users').set({ phone: input.phone, updated_at: now }).where('id', '=', user.id).execute();
    const current = await preferencesOf(trx, user.id);
    const next = {
      quiet_from: input.quiet_from !== undefined ? input.quiet_from : current.quiet_from,
      quiet_to: input.quiet_to !== undefined ? input.quiet_to : current.quiet_to,
      digest_at: input.digest_at ?? current.digest_at,
      updated_at: now,
    };
    await trx
      .insertInto('alert_preferences')
      .values({ user_id: user.id, ...next })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(next))
      .execute();
    return preferencesOf(trx, user.id);
  });
}

export interface RuleJson {
  rule: AlertRule;
  enabled: boolean;
  cooldown_minutes: number;
  days: number | null;
  qty: number | null;
  amount: string | null;
  count: number | null;
}

function ruleJson(r: RuleSettings): RuleJson {
  return {
    rule: r.rule,
    enabled: r.enabled,
    cooldown_minutes: Math.round(r.cooldownMs / 60_000),
    days: r.days,
    qty: r.qty === null ? null : quantityToNumber(r.qty),
    amount: formatMoneyOrNull(r.amountMicros),
    count: r.count,
  };
}

export async function listRules(ctx: ServiceContext): Promise<RuleJson[]> {
  const rules = await readRuleSettings(reader(ctx));
  return ALERT_RULES.map((r) => ruleJson(rules.get(r)!));
}

/** The thresholds each rule has, beyond being on and its cooldown. */
const RULE_FIELDS: Readonly<Record<AlertRule, ReadonlyArray<keyof RuleInput>>> = {
  low_stock: [],
  out_of_stock: [],
  negative_stock: [],
  lot_expiring: ['days'],
  po_late: ['days'],
  count_variance: ['qty', 'amount'],
  discounts_voids: ['amount', 'count'],
  delivery_failed: [],
};

export async function updateRule(ctx: ServiceContext, rule: AlertRule, input: RuleInput): Promise<RuleJson> {
  const unused = (Object.keys(input) as Array<keyof RuleInput>).filter((field) => field !== 'enabled' && field !== 'cooldown_minutes' && !RULE_FIELDS[rule].includes(field));
  if (unused.length) {
    throw new AlertError('alert_rule_invalid', `${rule} takes no ${unused.join(', ')}.`, {
      errors: unused.map((field) => ({ field: `body.${field}`, code: 'not_for_rule', message: `not a threshold of ${rule}` })),
    });
  }
  return inTransaction(ctx, async (trx) => {
    const current = (await readRuleSettings(trx)).get(rule)!;
    const now = ctx.clock.now();
    const row = {
      enabled: (input.enabled ?? current.enabled) ? 1 : 0,
      cooldown_ms: input.cooldown_minutes !== undefined ? input.cooldown_minutes * 60_000 : current.cooldownMs,
      days: input.days !== undefined ? input.days : current.days,
      qty: input.qty !== undefined ? input.qty : current.qty,
      amount_micros: input.amount !== undefined ? input.amount : current.amountMicros,
      count: input.count !== undefined ? input.count : current.count,
      updated_at: now,
      updated_by: ctx.actor.id,
    };
    await trx.insertInto('alert_rules').values({ rule, ...row }).onConflict((oc) => oc.column('rule').doUpdateSet(row)).execute();
    return ruleJson((await readRuleSettings(trx)).get(rule)!);
  });
}

/** Fills the in-app bells with the alerts recorded since `since` (see `notifyRecentAlerts` in alert-dispatch.ts). */
export async function notifyRecentAlerts(ctx: ServiceContext, since: number, limit?: number): Promise<number> {
  return inTransaction(ctx, (trx) => notifyRecentAlertsIn(trx, since, limit));
}
