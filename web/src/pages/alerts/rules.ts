import type { AlertChannel, AlertRuleName } from '../../api/types.ts';

/** The rules as a person reads them, in the order the settings page lists them. */
export const RULE_LABELS: Record<AlertRuleName, string> = {
  low_stock: 'Low stock (at or below the minimum)',
  out_of_stock: 'Out of stock',
  negative_stock: 'Negative stock (needs a count)',
  lot_expiring: 'Lots expiring soon',
  po_late: 'Late purchase orders',
  count_variance: 'Large count variances',
  discounts_voids: 'Large discounts or many voids by one person in a day',
  delivery_failed: 'Failed deliveries (email, text, webhook)',
};

export const RULES = Object.keys(RULE_LABELS) as AlertRuleName[];

export const CHANNEL_LABELS: Record<AlertChannel, string> = { in_app: 'In the app', email: 'Email', sms: 'Text message' };
export const CHANNELS = Object.keys(CHANNEL_LABELS) as AlertChannel[];
