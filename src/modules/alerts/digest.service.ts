import { localDate } from '../../platform/clock.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { transact } from '../../platform/db/transaction.ts';
import { enqueueDelivery } from '../notifications/index.ts';
import { readSettings } from '../settings/index.ts';
import { textFor } from './alert-dispatch.ts';
import { isPastLocalTime } from './quiet-hours.ts';

/**
 * The morning digest: for each person with a digest email subscription, once a shop day, at or
 * after their digest time (07:00 unless they chose another), one email listing the alerts since
 * the last digest that their digest subscriptions cover at sites they are granted. Nothing to
 * say, no email — but the day still counts as done.
 */

export const DEFAULT_DIGEST_AT = '07:00';
/** A digest lists at most this many alerts and says how many more there were. */
const DIGEST_ALERTS_MAX = 200;
const DAY = 86_400_000;

export async function sendDigests(ctx: ServiceContext): Promise<number> {
  const now = ctx.clock.now();
  return transact(ctx.db, async (trx) => {
    const { time_zone: timeZone, shop_name: shopName } = await readSettings(trx);
    const today = localDate(now, timeZone);
    const subs = await trx
      .selectFrom('alert_subscriptions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .leftJoin('alert_preferences as p', 'p.user_id', 's.user_id')
      .leftJoin('alert_digests as d', 'd.user_id', 's.user_id')
      .select(['s.user_id', 's.rule', 's.site_id', 'u.email', 'u.role', 'u.all_sites', 'p.digest_at', 'd.last_local_date', 'd.last_sent_at'])
      .where('s.channel', '=', 'email')
      .where('s.digest', '=', 1)
      .where('u.status', '=', 'active')
      .execute();
    const byUser = new Map<string, typeof subs>();
    for (const s of subs) byUser.set(s.user_id, [...(byUser.get(s.user_id) ?? []), s]);
    let sent = 0;
    for (const [userId, mine] of byUser) {
      const first = mine[0]!;
      if (first.last_local_date !== null && first.last_local_date >= today) continue;
      if (!isPastLocalTime(now, timeZone, first.digest_at ?? DEFAULT_DIGEST_AT)) continue;
      const since = first.last_sent_at === null ? now - DAY : Number(first.last_sent_at);
      const rules = [...new Set(mine.map((s) => s.rule))];
      const candidates = await trx
        .selectFrom('alerts')
        .select(['id', 'rule', 'site_id', 'title', 'body', 'cost_body', 'created_at'])
        .where('rule', 'in', rules)
        .where('created_at', '>', since)
        .where('created_at', '<=', now)
        .orderBy('created_at')
        .orderBy('id')
        .limit(DIGEST_ALERTS_MAX * 5)
        .execute();
      const granted =
        Number(first.all_sites) === 1 ? null : new Set((await trx.selectFrom('site_grants').select('site_id').where('principal_id', '=', userId).execute()).map((g) => g.site_id));
      const covered = candidates.filter((a) => {
        const siteOk = a.site_id === '' ? first.role === 'owner' || first.role === 'manager' : granted === null || granted.has(a.site_id);
        return siteOk && mine.some((s) => s.rule === a.rule && (s.site_id === '' || s.site_id === a.site_id));
      });
      await trx
        .insertInto('alert_digests')
        .values({ user_id: userId, last_local_date: today, last_sent_at: now })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ last_local_date: today, last_sent_at: now }))
        .execute();
      if (covered.length === 0) continue;
      const listed = covered.slice(0, DIGEST_ALERTS_MAX);
      const lines = listed.map((a) => `- ${a.title}\n  ${textFor(a, first.role).replace(/\n/g, '\n  ')}`);
      if (covered.length > listed.length) lines.push(`…and ${covered.length - listed.length} more in the web app.`);
      await enqueueDelivery(
        trx,
        {
          channel: 'email',
          destination: first.email,
          eventType: 'alert.digest',
          eventId: `digest:${userId}:${today}`,
          payload: { to: [first.email], subject: `${shopName}: ${covered.length} alert${covered.length === 1 ? '' : 's'} since the last digest`, text: lines.join('\n') },
        },
        now,
      );
      sent += 1;
    }
    return sent;
  });
}
