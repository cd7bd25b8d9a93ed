import { canSeeCosts, type Actor } from '../../platform/context.ts';
import type { Role } from '../../platform/context.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { enqueueDelivery } from '../notifications/index.ts';
import { readSettings } from '../settings/index.ts';
import { EVENT_TYPE_BY_RULE, type AlertRule } from './alert-rules.ts';
import { publishEvent } from './events.ts';
import { quietUntil } from './quiet-hours.ts';

/**
 * Firing one alert: it is recorded (the digest and the web app read it back), then handed to
 * everyone subscribed to its rule at its site — an email and a text through the delivery outbox,
 * held back until a person's quiet hours end; an in-app notification at once — and published as
 * a webhook event. All in the caller's transaction: an alert whose cause rolls back never leaves.
 *
 * Who hears of it: a subscription to the rule for the alert's site or for every site, of an
 * active user granted that site now. Shop-wide alerts (a failed delivery) go to owners and
 * managers only. Someone who may not see costs is never told `costBody`; webhook events carry
 * no cost figures at all.
 */

export interface AlertInput {
  rule: AlertRule;
  /** '' for shop-wide alerts. */
  siteId: string;
  subjectType: string;
  subjectId: string;
  title: string;
  body: string;
  /** A line about value or cost, for people allowed to see costs. */
  costBody?: string | null;
  /** What a webhook receiver gets besides the ids; no cost figures. */
  data: Record<string, unknown>;
}

export interface Recipient {
  subscriptionId: string;
  userId: string;
  email: string;
  phone: string | null;
  role: Role;
  channel: 'email' | 'sms' | 'in_app';
  digest: boolean;
}

/** Subscribers to a rule at a site who may hear of it, one per (user, channel); an immediate subscription wins over a digest one. */
export async function recipientsOf(trx: Trx, rule: AlertRule, siteId: string): Promise<Recipient[]> {
  const rows = await trx
    .selectFrom('alert_subscriptions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id', 's.user_id', 's.channel', 's.digest', 'u.email', 'u.phone', 'u.role', 'u.all_sites'])
    .where('s.rule', '=', rule)
    .where('s.site_id', 'in', siteId === '' ? [''] : ['', siteId])
    .where('u.status', '=', 'active')
    .orderBy('s.id')
    .execute();
  if (rows.length === 0) return [];
  const needGrant = [...new Set(rows.filter((r) => Number(r.all_sites) !== 1).map((r) => r.user_id))];
  const granted =
    siteId === '' || needGrant.length === 0
      ? new Set<string>()
      : new Set((await trx.selectFrom('site_grants').select('principal_id').where('principal_id', 'in', needGrant).where('site_id', '=', siteId).execute()).map((g) => g.principal_id));
  const byUserChannel = new Map<string, Recipient>();
  for (const r of rows) {
    const allowed = siteId === '' ? r.role === 'owner' || r.role === 'manager' : Number(r.all_sites) === 1 || granted.has(r.user_id);
    if (!allowed) continue;
    const key = `${r.user_id}\u0000${r.channel}`;
    const recipient: Recipient = { subscriptionId: r.id, userId: r.user_id, email: r.email, phone: r.phone, role: r.role, channel: r.channel, digest: Number(r.digest) === 1 };
    const seen = byUserChannel.get(key);
    if (!seen || (seen.digest && !recipient.digest)) byUserChannel.set(key, recipient);
  }
  return [...byUserChannel.values()];
}

export function mayHearCosts(role: Role): boolean {
  return canSeeCosts({ role } as Actor);
}

/** The text a person is told: the body, and the cost line when they may see costs. */
export function textFor(alert: { body: string; cost_body?: string | null; costBody?: string | null }, role: Role): string {
  const cost = alert.costBody ?? alert.cost_body ?? null;
  return cost && mayHearCosts(role) ? `${alert.body}\n${cost}` : alert.body;
}

/** Records the alert, notifies its recipients and publishes its webhook event; returns the alert's id. */
export async function fireAlert(trx: Trx, alert: AlertInput, now: number): Promise<string> {
  const id = newId('alr', now);
  await trx
    .insertInto('alerts')
    .values({
      id,
      rule: alert.rule,
      site_id: alert.siteId,
      subject_type: alert.subjectType,
      subject_id: alert.subjectId,
      title: alert.title,
      body: alert.body,
      cost_body: alert.costBody ?? null,
      data_json: JSON.stringify(alert.data),
      created_at: now,
    })
    .execute();
  const recipients = await recipientsOf(trx, alert.rule, alert.siteId);
  const outbound = recipients.filter((r) => r.channel !== 'in_app' && !r.digest);
  const quiet = outbound.length ? await quietHoursOf(trx, [...new Set(outbound.map((r) => r.userId))]) : new Map<string, QuietHours>();
  const timeZone = outbound.length ? (await readSettings(trx)).time_zone : 'UTC';
  const eventType = `alert.${alert.rule}`;
  for (const r of recipients) {
    const text = textFor(alert, r.role);
    if (r.channel === 'in_app') {
      await trx
        .insertInto('notifications')
        .values({ id: newId('ntf', now), user_id: r.userId, alert_id: id, rule: alert.rule, site_id: alert.siteId, title: alert.title, body: text, created_at: now, read_at: null })
        .execute();
      continue;
    }
    // A digest subscriber hears of it in the morning's summary (see digest.service.ts).
    if (r.digest) continue;
    const hours = quiet.get(r.userId);
    const notBefore = hours ? quietUntil(now, timeZone, hours.from, hours.to) : now;
    const common = { eventType, eventId: `${id}:${r.userId}:${r.channel}`, notBefore } as const;
    if (r.channel === 'email') {
      await enqueueDelivery(trx, { ...common, channel: 'email', destination: r.email, payload: { to: [r.email], subject: alert.title, text } }, now);
    } else if (r.phone) {
      await enqueueDelivery(trx, { ...common, channel: 'sms', destination: r.phone, payload: { to: r.phone, body: `${alert.title}. ${alert.body}`.slice(0, 320) } }, now);
    }
  }
  await publishEvent(
    trx,
    EVENT_TYPE_BY_RULE[alert.rule],
    { alert_id: id, rule: alert.rule, site_id: alert.siteId === '' ? null : alert.siteId, subject_type: alert.subjectType, subject_id: alert.subjectId, title: alert.title, ...alert.data },
    now,
    { eventId: id },
  );
  return id;
}

/**
 * Puts alerts recorded since `since` into the bells of everyone subscribed to them in the app now
 * (the demo shop, whose people are created after its history). Nothing is emailed or texted.
 */
export async function notifyRecentAlerts(trx: Trx, since: number, limit = 500): Promise<number> {
  // The newest `limit`, written oldest first so the bell lists them in the order they happened.
  const newest = await trx.selectFrom('alerts').selectAll().where('created_at', '>=', since).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  const alerts = newest.reverse();
  let written = 0;
  for (const alert of alerts) {
    const recipients = (await recipientsOf(trx, alert.rule as AlertRule, alert.site_id)).filter((r) => r.channel === 'in_app');
    for (const r of recipients) {
      await trx
        .insertInto('notifications')
        .values({ id: newId('ntf', Number(alert.created_at)), user_id: r.userId, alert_id: alert.id, rule: alert.rule, site_id: alert.site_id, title: alert.title, body: textFor(alert, r.role), created_at: Number(alert.created_at), read_at: null })
        .execute();
      written += 1;
    }
  }
  return written;
}

interface QuietHours {
  from: string | null;
  to: string | null;
}

async function quietHoursOf(trx: Trx, userIds: string[]): Promise<Map<string, QuietHours>> {
  const rows = await trx.selectFrom('alert_preferences').select(['user_id', 'quiet_from', 'quiet_to']).where('user_id', 'in', userIds).execute();
  return new Map(rows.map((r) => [r.user_id, { from: r.quiet_from, to: r.quiet_to }]));
}
