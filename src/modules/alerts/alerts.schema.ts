import { z } from 'zod';
import { idInput, instantOutput, moneyInput, moneyOutput, quantityInput, quantityOutput } from '../../platform/http/fields.ts';
import { cursorParam, limitParam } from '../../platform/http/pagination.ts';
import { ALERT_RULES } from './alert-rules.ts';
import { isLocalTime } from './quiet-hours.ts';

export const ALERT_CHANNELS = ['email', 'sms', 'in_app'] as const;

const ruleInput = z.enum(ALERT_RULES).meta({ description: 'The alert rule.' });
const localTime = z.string().refine(isLocalTime, 'a 24-hour local time such as 22:00');

export const subscriptionOutput = z
  .object({
    id: z.string(),
    user_id: z.string(),
    rule: z.enum(ALERT_RULES),
    site_id: z.string().nullable().meta({ description: 'Null: every site the user is granted.' }),
    channel: z.enum(ALERT_CHANNELS),
    digest: z.boolean().meta({ description: 'Email only: in the morning digest instead of one email each.' }),
    created_at: instantOutput,
  })
  .meta({ id: 'AlertSubscription' });

export const userQuery = z.strictObject({
  user_id: idInput('usr').optional().meta({ description: 'Another user’s (owners only); yours when left out.' }),
});

export const createSubscriptionBody = z.strictObject({
  user_id: idInput('usr').optional().meta({ description: 'Subscribe another user (owners only); yourself when left out.' }),
  rule: ruleInput,
  site_id: idInput('loc').nullable().optional().meta({ description: 'One site the user is granted; every granted site when left out or null.' }),
  channel: z.enum(ALERT_CHANNELS),
  digest: z.boolean().optional().meta({ description: 'Email only: collect these alerts in one email each morning.' }),
});
export type CreateSubscriptionInput = z.output<typeof createSubscriptionBody>;

export const notificationOutput = z
  .object({
    id: z.string(),
    alert_id: z.string(),
    rule: z.enum(ALERT_RULES),
    site_id: z.string().nullable(),
    title: z.string(),
    body: z.string(),
    created_at: instantOutput,
    read_at: instantOutput.nullable(),
  })
  .meta({ id: 'Notification' });

export const notificationsQuery = z.strictObject({
  unread: z.enum(['true', 'false']).optional().meta({ description: 'true: only unread ones.' }),
  limit: limitParam,
  cursor: cursorParam,
});

export const notificationPage = z.object({
  data: z.array(notificationOutput),
  next_cursor: z.string().nullable(),
  unread_count: z.number().int().meta({ description: 'All of your unread notifications, not only this page’s.' }),
});

export const markReadBody = z
  .strictObject({
    ids: z.array(idInput('ntf')).min(1).max(500).optional().meta({ description: 'These notifications of yours.' }),
    all: z.literal(true).optional().meta({ description: 'Every unread notification of yours.' }),
  })
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), { message: 'give either ids or all: true' });
export type MarkReadInput = z.output<typeof markReadBody>;

export const preferencesOutput = z
  .object({
    user_id: z.string().nullable().meta({ description: 'Null for a token that acts for no person.' }),
    phone: z.string().nullable(),
    quiet_from: z.string().nullable(),
    quiet_to: z.string().nullable(),
    digest_at: z.string(),
    time_zone: z.string().meta({ description: 'The shop’s time zone, which these times are in.' }),
  })
  .meta({ id: 'AlertPreferences' });

export const preferencesBody = z
  .strictObject({
    user_id: idInput('usr').optional().meta({ description: 'Another user’s (owners only); yours when left out.' }),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()-]{6,24}$/, 'a phone number, +15551234567')
      .nullable()
      .optional()
      .meta({ description: 'Where text-message alerts go; null removes it.' }),
    quiet_from: localTime.nullable().optional().meta({ description: 'Start of quiet hours (shop time), e.g. 22:00; null: none.' }),
    quiet_to: localTime.nullable().optional().meta({ description: 'End of quiet hours, e.g. 07:00: texts and emails wait until then.' }),
    digest_at: localTime.optional().meta({ description: 'When the morning digest goes (default 07:00).' }),
  })
  .refine((b) => (b.quiet_from === undefined) === (b.quiet_to === undefined), { message: 'give quiet_from and quiet_to together' });
export type PreferencesInput = z.output<typeof preferencesBody>;

export const ruleOutput = z
  .object({
    rule: z.enum(ALERT_RULES),
    enabled: z.boolean(),
    cooldown_minutes: z.number().int(),
    days: z.number().int().nullable(),
    qty: quantityOutput.nullable(),
    amount: moneyOutput.nullable(),
    count: z.number().int().nullable(),
  })
  .meta({ id: 'AlertRule' });

export const ruleParams = z.strictObject({ rule: ruleInput });

export const ruleBody = z
  .strictObject({
    enabled: z.boolean().optional(),
    cooldown_minutes: z.number().int().min(0).max(60 * 24 * 30).optional().meta({ description: 'After firing, the rule stays silent this long for the same item and site.' }),
    days: z.number().int().min(0).max(365).nullable().optional().meta({ description: 'lot_expiring: within this many days; po_late: this many days past expected.' }),
    qty: quantityInput.refine((v) => v > 0, 'must be greater than zero').nullable().optional().meta({ description: 'count_variance: a variance of at least this quantity.' }),
    amount: moneyInput.refine((v) => v > 0, 'must be greater than zero').nullable().optional().meta({
      description: 'count_variance: a variance worth at least this; discounts_voids: one employee’s discounts in a day totalling this.',
    }),
    count: z.number().int().min(1).max(1000).nullable().optional().meta({ description: 'discounts_voids: this many voids by one employee in a day.' }),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
export type RuleInput = z.output<typeof ruleBody>;
