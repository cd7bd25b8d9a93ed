import { sql } from 'kysely';
import { localDate, startOfLocalDay } from '../../platform/clock.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { transact, type Trx } from '../../platform/db/transaction.ts';
import { formatMoney } from '../../platform/money.ts';
import { formatQuantity } from '../../platform/quantity.ts';
import { readSettings } from '../settings/index.ts';
import { readRuleSettings, type AlertRule, type RuleSettings } from './alert-rules.ts';
import { applyConditions, readActive, readStates, stateKey, type Condition } from './alert-state.ts';
import { fireAlert, type AlertInput } from './alert-dispatch.ts';

/**
 * The rules that depend on time rather than on a movement: lots nearing expiry, late purchase
 * orders, large count variances, discounts and voids by one employee in a day, failed
 * deliveries. A housekeeping job evaluates them: it lists what holds now (bounded), fires what
 * newly holds and re-arms what no longer does, through the same crossing states as stock.
 */

/** At most this many subjects per rule per run; the rest wait for the next run. */
const SUBJECTS_MAX = 500;
const DAY = 86_400_000;

interface Candidate {
  subjectId: string;
  siteId: string;
  alert: () => Promise<AlertInput> | AlertInput;
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

async function evaluateRule(trx: Trx, rule: AlertRule, candidates: readonly Candidate[], settings: ReadonlyMap<AlertRule, RuleSettings>, now: number): Promise<number> {
  const active = await readActive(trx, rule, SUBJECTS_MAX * 4);
  const holding = new Map(candidates.map((c) => [stateKey(rule, c.subjectId, c.siteId), c]));
  const conditions: Condition[] = [
    ...candidates.map((c) => ({ rule, subjectId: c.subjectId, siteId: c.siteId, holds: true })),
    ...active.filter((a) => !holding.has(stateKey(rule, a.subjectId, a.siteId))).map((a) => ({ rule, subjectId: a.subjectId, siteId: a.siteId, holds: false })),
  ];
  const known = await readStates(trx, [rule], [...new Set(conditions.map((c) => c.subjectId))], [...new Set(conditions.map((c) => c.siteId))]);
  const crossed = await applyConditions(trx, conditions, known, settings, now);
  for (const c of crossed) await fireAlert(trx, await holding.get(stateKey(rule, c.subjectId, c.siteId))!.alert(), now);
  return crossed.length;
}

async function siteNames(trx: Trx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await trx.selectFrom('locations').select(['id', 'name']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function expiringLots(trx: Trx, rule: RuleSettings, today: string): Promise<Candidate[]> {
  const cutoff = addDays(today, rule.days ?? 0);
  const rows = await trx
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .innerJoin('lots', 'lots.id', 'b.lot_id')
    .innerJoin('items as i', 'i.id', 'lots.item_id')
    .select(['lots.id as lot_id', 'lots.code', 'lots.expires_on', 'l.site_id', 'i.id as item_id', 'i.sku', 'i.name', 'i.base_unit', sql<number>`sum(b.on_hand)`.as('on_hand')])
    .where('lots.expires_on', 'is not', null)
    .where('lots.expires_on', '<=', cutoff)
    .where('l.site_id', 'is not', null)
    .groupBy(['lots.id', 'lots.code', 'lots.expires_on', 'l.site_id', 'i.id', 'i.sku', 'i.name', 'i.base_unit'])
    .having(sql`sum(b.on_hand)`, '>', 0)
    .orderBy('lots.expires_on')
    .limit(SUBJECTS_MAX)
    .execute();
  const names = await siteNames(trx, [...new Set(rows.map((r) => r.site_id!))]);
  return rows.map((r) => ({
    subjectId: r.lot_id,
    siteId: r.site_id!,
    alert: () => {
      const expired = r.expires_on! < today;
      const what = `lot ${r.code} of ${r.name} (${r.sku}) at ${names.get(r.site_id!) ?? r.site_id}`;
      return {
        rule: 'lot_expiring',
        siteId: r.site_id!,
        subjectType: 'lot',
        subjectId: r.lot_id,
        title: `${expired ? 'Expired' : 'Expiring'}: ${what}`,
        body: `${formatQuantity(Number(r.on_hand))} ${r.base_unit} of ${what} ${expired ? 'expired' : 'expires'} on ${r.expires_on}.`,
        data: { lot_id: r.lot_id, lot_code: r.code, item_id: r.item_id, sku: r.sku, expires_on: r.expires_on, on_hand: Number(r.on_hand) / 1000 },
      };
    },
  }));
}

async function latePurchaseOrders(trx: Trx, rule: RuleSettings, today: string): Promise<Candidate[]> {
  const dueBefore = addDays(today, -(rule.days ?? 0));
  const rows = await trx
    .selectFrom('purchase_orders as po')
    .innerJoin('vendors as v', 'v.id', 'po.vendor_id')
    .select(['po.id', 'po.number', 'po.expected_on', 'po.delivery_site_id', 'v.name as vendor'])
    .where('po.status', 'in', ['sent', 'partially_received'])
    .where('po.expected_on', 'is not', null)
    .where('po.expected_on', '<', dueBefore)
    .orderBy('po.expected_on')
    .limit(SUBJECTS_MAX)
    .execute();
  return rows.map((r) => ({
    subjectId: r.id,
    siteId: r.delivery_site_id,
    alert: () => ({
      rule: 'po_late',
      siteId: r.delivery_site_id,
      subjectType: 'purchase_order',
      subjectId: r.id,
      title: `Late: purchase order ${r.number} from ${r.vendor}`,
      body: `Purchase order ${r.number} from ${r.vendor} was expected on ${r.expected_on} and is not fully received.`,
      data: { purchase_order_id: r.id, number: r.number, vendor: r.vendor, expected_on: r.expected_on },
    }),
  }));
}

async function largeCountVariances(trx: Trx, rule: RuleSettings, now: number): Promise<Candidate[]> {
  if (rule.qty === null && rule.amountMicros === null) return [];
  const rows = await trx
    .selectFrom('count_lines as cl')
    .innerJoin('counts as c', 'c.id', 'cl.count_id')
    .innerJoin('items as i', 'i.id', 'cl.item_id')
    .select(['cl.id', 'c.id as count_id', 'c.number', 'c.site_id', 'i.id as item_id', 'i.sku', 'i.name', 'i.base_unit', 'cl.variance_qty', 'cl.variance_value_micros'])
    .where('cl.status', '=', 'posted')
    .where('cl.posted_at', '>=', now - 7 * DAY)
    .where((eb) => {
      const ors = [];
      if (rule.qty !== null) ors.push(eb('cl.variance_qty', '>=', rule.qty), eb('cl.variance_qty', '<=', -rule.qty));
      if (rule.amountMicros !== null) ors.push(eb('cl.variance_value_micros', '>=', rule.amountMicros), eb('cl.variance_value_micros', '<=', -rule.amountMicros));
      return eb.or(ors);
    })
    .orderBy('cl.id')
    .limit(SUBJECTS_MAX)
    .execute();
  return rows.map((r) => ({
    subjectId: r.id,
    siteId: r.site_id,
    alert: () => {
      const qty = Number(r.variance_qty ?? 0);
      return {
        rule: 'count_variance',
        siteId: r.site_id,
        subjectType: 'count_line',
        subjectId: r.id,
        title: `Count variance: ${r.name} (${r.sku}) on count ${r.number}`,
        body: `Count ${r.number} found ${qty > 0 ? '+' : ''}${formatQuantity(qty)} ${r.base_unit} of ${r.name} (${r.sku}) against the records.`,
        costBody: r.variance_value_micros === null ? null : `Value of the variance: ${formatMoney(Number(r.variance_value_micros))}.`,
        data: { count_id: r.count_id, count_line_id: r.id, number: r.number, item_id: r.item_id, sku: r.sku, variance: qty / 1000 },
      };
    },
  }));
}

async function discountsAndVoids(trx: Trx, rule: RuleSettings, now: number, timeZone: string): Promise<Candidate[]> {
  const today = localDate(now, timeZone);
  const from = startOfLocalDay(today, timeZone);
  const out: Candidate[] = [];
  if (rule.amountMicros !== null) {
    const rows = await trx
      .selectFrom('sale_discounts as d')
      .innerJoin('sales as s', 's.id', 'd.sale_id')
      .select(['s.site_id', 'd.employee', sql<number>`sum(d.amount_micros)`.as('total'), sql<number>`count(*)`.as('discounts')])
      .where('s.created_at', '>=', from)
      .groupBy(['s.site_id', 'd.employee'])
      .having(sql`sum(d.amount_micros)`, '>=', rule.amountMicros)
      .limit(SUBJECTS_MAX)
      .execute();
    for (const r of rows) {
      out.push({
        subjectId: `discounts:${r.employee}:${today}`,
        siteId: r.site_id,
        alert: () => ({
          rule: 'discounts_voids',
          siteId: r.site_id,
          subjectType: 'employee_day',
          subjectId: `discounts:${r.employee}:${today}`,
          title: `Large discounts today by ${r.employee}`,
          body: `${r.employee} gave ${Number(r.discounts)} discounts totalling ${formatMoney(Number(r.total))} on ${today}.`,
          data: { employee: r.employee, date: today, discounts: Number(r.discounts), total: formatMoney(Number(r.total)) },
        }),
      });
    }
  }
  if (rule.count !== null) {
    const rows = await trx
      .selectFrom('returns as r')
      .innerJoin('sales as s', 's.id', 'r.sale_id')
      .leftJoin('users as u', 'u.id', 'r.actor_id')
      .select(['s.site_id', 'r.actor_id', 'u.name', sql<number>`count(*)`.as('voids')])
      .where('r.kind', '=', 'void')
      .where('r.created_at', '>=', from)
      .groupBy(['s.site_id', 'r.actor_id', 'u.name'])
      .having(sql`count(*)`, '>=', rule.count)
      .limit(SUBJECTS_MAX)
      .execute();
    for (const r of rows) {
      const who = r.name ?? r.actor_id ?? 'someone';
      const subjectId = `voids:${r.actor_id ?? ''}:${today}`;
      out.push({
        subjectId,
        siteId: r.site_id,
        alert: () => ({
          rule: 'discounts_voids',
          siteId: r.site_id,
          subjectType: 'employee_day',
          subjectId,
          title: `Many voids today by ${who}`,
          body: `${who} voided ${Number(r.voids)} sales on ${today}.`,
          data: { user_id: r.actor_id, date: today, voids: Number(r.voids) },
        }),
      });
    }
  }
  return out;
}

async function failedDeliveries(trx: Trx, now: number): Promise<Candidate[]> {
  const rows = await trx
    .selectFrom('deliveries')
    .select(['id', 'channel', 'destination', 'event_type', 'attempts'])
    .where('status', '=', 'dead')
    .where('created_at', '>=', now - 7 * DAY)
    // A failed-delivery alert that itself fails must not raise another one, forever.
    .where('event_type', '!=', 'alert.delivery_failed')
    .orderBy('id')
    .limit(SUBJECTS_MAX)
    .execute();
  return rows.map((r) => ({
    subjectId: r.id,
    siteId: '',
    alert: () => ({
      rule: 'delivery_failed',
      siteId: '',
      subjectType: 'delivery',
      subjectId: r.id,
      title: `Delivery failed: ${r.event_type} by ${r.channel}`,
      body: `A ${r.channel} delivery of ${r.event_type} to ${r.destination} gave up after ${Number(r.attempts)} attempts. Redeliver it from the delivery log once the cause is fixed.`,
      data: { delivery_id: r.id, channel: r.channel, event_type: r.event_type, attempts: Number(r.attempts) },
    }),
  }));
}

/** Evaluates every time-based rule once; returns how many alerts fired. */
export async function evaluateTimedAlerts(ctx: ServiceContext): Promise<number> {
  const now = ctx.clock.now();
  return transact(ctx.db, async (trx) => {
    const settings = await readRuleSettings(trx);
    const { time_zone: timeZone } = await readSettings(trx);
    const today = localDate(now, timeZone);
    const on = (rule: AlertRule) => settings.get(rule)!.enabled;
    let fired = 0;
    if (on('lot_expiring')) fired += await evaluateRule(trx, 'lot_expiring', await expiringLots(trx, settings.get('lot_expiring')!, today), settings, now);
    if (on('po_late')) fired += await evaluateRule(trx, 'po_late', await latePurchaseOrders(trx, settings.get('po_late')!, today), settings, now);
    if (on('count_variance')) fired += await evaluateRule(trx, 'count_variance', await largeCountVariances(trx, settings.get('count_variance')!, now), settings, now);
    if (on('discounts_voids')) fired += await evaluateRule(trx, 'discounts_voids', await discountsAndVoids(trx, settings.get('discounts_voids')!, now, timeZone), settings, now);
    if (on('delivery_failed')) fired += await evaluateRule(trx, 'delivery_failed', await failedDeliveries(trx, now), settings, now);
    return fired;
  });
}
