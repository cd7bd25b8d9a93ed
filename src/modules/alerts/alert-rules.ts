import type { Executor } from '../../platform/db/transaction.ts';

/**
 * The alert rules, each with the thresholds a shop may change. Stock rules are evaluated in the
 * transaction that moves stock (a stock observer); the others by housekeeping jobs.
 *
 * - `low_stock`: on hand at a site at or below the item's minimum there.
 * - `out_of_stock`: on hand at a site at or below zero, for an item that has a minimum there
 *   (an item the site never carries is not "out").
 * - `negative_stock`: on hand at a site below zero — the records are wrong and it needs a count.
 * - `lot_expiring`: a lot with stock at a site expires within `days` days.
 * - `po_late`: a sent purchase order not fully received `days` days after its expected date.
 * - `count_variance`: a posted count line whose variance is at least `qty` (thousandths) or
 *   `amount_micros` of value, either way.
 * - `discounts_voids`: one employee's discounts at a site in one shop day total at least
 *   `amount_micros`, or they voided at least `count` sales there that day.
 * - `delivery_failed`: an outbound delivery reached dead-letter.
 */
export const ALERT_RULES = ['low_stock', 'out_of_stock', 'negative_stock', 'lot_expiring', 'po_late', 'count_variance', 'discounts_voids', 'delivery_failed'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export const STOCK_RULES = ['negative_stock', 'out_of_stock', 'low_stock'] as const satisfies readonly AlertRule[];

/** The webhook event type each rule's alert is published as. */
export const EVENT_TYPE_BY_RULE = {
  low_stock: 'item.low',
  out_of_stock: 'item.out_of_stock',
  negative_stock: 'item.negative_stock',
  lot_expiring: 'lot.expiring',
  po_late: 'purchase_order.late',
  count_variance: 'count.variance',
  discounts_voids: 'sales.discounts_voids',
  delivery_failed: 'delivery.failed',
} as const satisfies Record<AlertRule, string>;

export interface RuleSettings {
  rule: AlertRule;
  enabled: boolean;
  /** After firing, the same rule for the same subject and site stays silent this long even if crossed again. */
  cooldownMs: number;
  days: number | null;
  qty: number | null;
  amountMicros: number | null;
  count: number | null;
}

const HOUR = 60 * 60_000;

export const DEFAULT_RULES: Readonly<Record<AlertRule, RuleSettings>> = {
  low_stock: { rule: 'low_stock', enabled: true, cooldownMs: 24 * HOUR, days: null, qty: null, amountMicros: null, count: null },
  out_of_stock: { rule: 'out_of_stock', enabled: true, cooldownMs: 24 * HOUR, days: null, qty: null, amountMicros: null, count: null },
  negative_stock: { rule: 'negative_stock', enabled: true, cooldownMs: 24 * HOUR, days: null, qty: null, amountMicros: null, count: null },
  lot_expiring: { rule: 'lot_expiring', enabled: true, cooldownMs: 24 * HOUR, days: 7, qty: null, amountMicros: null, count: null },
  po_late: { rule: 'po_late', enabled: true, cooldownMs: 24 * HOUR, days: 0, qty: null, amountMicros: null, count: null },
  count_variance: { rule: 'count_variance', enabled: true, cooldownMs: 0, days: null, qty: 10_000, amountMicros: 100_000_000, count: null },
  discounts_voids: { rule: 'discounts_voids', enabled: true, cooldownMs: 0, days: null, qty: null, amountMicros: 50_000_000, count: 3 },
  delivery_failed: { rule: 'delivery_failed', enabled: true, cooldownMs: 0, days: null, qty: null, amountMicros: null, count: null },
};

export function isAlertRule(value: string): value is AlertRule {
  return (ALERT_RULES as readonly string[]).includes(value);
}

/** Every rule's settings: what the shop stored over the defaults. */
export async function readRuleSettings(db: Executor): Promise<Map<AlertRule, RuleSettings>> {
  const rows = await db.selectFrom('alert_rules').selectAll().execute();
  const out = new Map<AlertRule, RuleSettings>(ALERT_RULES.map((r) => [r, DEFAULT_RULES[r]]));
  for (const row of rows) {
    if (!isAlertRule(row.rule)) continue;
    out.set(row.rule, {
      rule: row.rule,
      enabled: Number(row.enabled) === 1,
      cooldownMs: Number(row.cooldown_ms),
      days: row.days === null ? null : Number(row.days),
      qty: row.qty === null ? null : Number(row.qty),
      amountMicros: row.amount_micros === null ? null : Number(row.amount_micros),
      count: row.count === null ? null : Number(row.count),
    });
  }
  return out;
}

export async function readRule(db: Executor, rule: AlertRule): Promise<RuleSettings> {
  return (await readRuleSettings(db)).get(rule)!;
}
