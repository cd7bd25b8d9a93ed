import type { Executor, Trx } from '../../platform/db/transaction.ts';
import type { AlertRule, RuleSettings } from './alert-rules.ts';

/**
 * Alerts fire on crossing a threshold, not while it holds. Each (rule, subject, site) has a
 * stored state: whether the condition held at the last evaluation, and when the rule last fired
 * for it. A condition that starts to hold fires — unless the rule fired for the same subject
 * within its cooldown — and one that stops holding re-arms the rule.
 *
 * Both transitions are guarded UPDATEs (`… WHERE active = 0`), never a read and a write: two
 * sales committing at once on PostgreSQL both see "not active", but only one flips the row and
 * fires; the other waits on the row lock, re-checks and changes nothing.
 */

export interface Condition {
  rule: AlertRule;
  subjectId: string;
  /** '' for shop-wide conditions. */
  siteId: string;
  holds: boolean;
}

export interface StoredState {
  active: boolean;
  lastFiredAt: number | null;
}

export function stateKey(rule: string, subjectId: string, siteId: string): string {
  return `${rule}\u0000${subjectId}\u0000${siteId}`;
}

/** The stored states of these rules for these subjects and sites (absent: not active, never fired). */
export async function readStates(db: Executor, rules: readonly AlertRule[], subjectIds: readonly string[], siteIds: readonly string[]): Promise<Map<string, StoredState>> {
  if (rules.length === 0 || subjectIds.length === 0 || siteIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('alert_states')
    .select(['rule', 'subject_id', 'site_id', 'active', 'last_fired_at'])
    .where('rule', 'in', [...rules])
    .where('subject_id', 'in', [...subjectIds])
    .where('site_id', 'in', [...siteIds])
    .execute();
  return new Map(rows.map((r) => [stateKey(r.rule, r.subject_id, r.site_id), { active: Number(r.active) === 1, lastFiredAt: r.last_fired_at === null ? null : Number(r.last_fired_at) }]));
}

/** Every subject of a rule whose condition held at its last evaluation (for the jobs, which re-arm what no longer holds). */
export async function readActive(db: Executor, rule: AlertRule, limit: number): Promise<Array<{ subjectId: string; siteId: string }>> {
  const rows = await db.selectFrom('alert_states').select(['subject_id', 'site_id']).where('rule', '=', rule).where('active', '=', 1).limit(limit).execute();
  return rows.map((r) => ({ subjectId: r.subject_id, siteId: r.site_id }));
}

/**
 * Writes the conditions that differ from `known` and returns those that crossed into holding and
 * may fire (rule enabled, past its cooldown). Conditions equal to what is stored cost nothing,
 * which is the common case on the checkout path.
 */
export async function applyConditions(
  trx: Trx,
  conditions: readonly Condition[],
  known: ReadonlyMap<string, StoredState>,
  rules: ReadonlyMap<AlertRule, RuleSettings>,
  now: number,
): Promise<Condition[]> {
  const changed = conditions
    .filter((c) => (known.get(stateKey(c.rule, c.subjectId, c.siteId))?.active ?? false) !== c.holds)
    // A fixed order, so two transactions flipping the same rows cannot deadlock each other.
    .sort((a, b) => (stateKey(a.rule, a.subjectId, a.siteId) < stateKey(b.rule, b.subjectId, b.siteId) ? -1 : 1));
  const crossed: Condition[] = [];
  for (const c of changed) {
    if (!c.holds) {
      await trx.updateTable('alert_states').set({ active: 0, updated_at: now }).where('rule', '=', c.rule).where('subject_id', '=', c.subjectId).where('site_id', '=', c.siteId).where('active', '=', 1).execute();
      continue;
    }
    const settings = rules.get(c.rule);
    const enabled = settings?.enabled ?? false;
    const cooldownMs = settings?.cooldownMs ?? 0;
    // One statement: a new row fires at once; an existing one flips only if it was not active
    // (the row lock makes a concurrent second flip see active = 1 and change nothing), and takes
    // `now` as its firing time only past the cooldown. A returned `last_fired_at` equal to `now`
    // means this transaction fired it.
    const row = await trx
      .insertInto('alert_states')
      .values({ rule: c.rule, subject_id: c.subjectId, site_id: c.siteId, active: 1, last_fired_at: enabled ? now : null, updated_at: now })
      .onConflict((oc) =>
        oc
          .columns(['rule', 'subject_id', 'site_id'])
          .doUpdateSet((eb) => ({
            active: 1,
            updated_at: now,
            last_fired_at: enabled
              ? eb
                  .case()
                  .when(eb.or([eb('alert_states.last_fired_at', 'is', null), eb('alert_states.last_fired_at', '<=', now - cooldownMs)]))
                  .then(eb.val(now))
                  .else(eb.ref('alert_states.last_fired_at'))
                  .end()
              : eb.ref('alert_states.last_fired_at'),
          }))
          .where('alert_states.active', '=', 0),
      )
      .returning(['last_fired_at'])
      .executeTakeFirst();
    if (enabled && row !== undefined && row.last_fired_at !== null && Number(row.last_fired_at) === now) crossed.push(c);
  }
  return crossed;
}
