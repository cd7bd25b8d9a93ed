import { z } from 'zod';
import type { Executor } from '../../platform/db/transaction.ts';
import { openSecret, sealSecret } from './secret-box.ts';

/**
 * The channels' configuration, kept in `notification_settings`: where mail goes out (SMTP URL,
 * sender), the Twilio-compatible text provider, and whether webhooks may reach private addresses.
 * Secrets (the SMTP URL may hold a password, the provider's auth token) are sealed; responses only
 * say whether they are set. `SMTP_URL` and `MAIL_FROM` in the environment are used when nothing is stored.
 */
export interface NotificationSettings {
  smtpUrl: string | null;
  mailFrom: string;
  smsBaseUrl: string;
  smsAccountSid: string | null;
  smsAuthToken: string | null;
  smsFrom: string | null;
  webhooksAllowPrivate: boolean;
}

const sealedKeys = new Set(['smtp_url', 'sms_auth_token']);

export const notificationSettingsPatch = z
  .strictObject({
    smtp_url: z.string().trim().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL').max(500).nullable().optional(),
    mail_from: z.string().trim().email().max(200).optional(),
    sms_base_url: z.string().trim().url().max(300).optional().meta({ description: 'The provider’s API root; https://api.twilio.com unless another Twilio-compatible provider.' }),
    sms_account_sid: z.string().trim().min(1).max(100).nullable().optional(),
    sms_auth_token: z.string().trim().min(1).max(200).nullable().optional(),
    sms_from: z.string().trim().regex(/^\+[1-9]\d{4,14}$/, 'a number in E.164 form, such as +15005550006').nullable().optional(),
    webhooks_allow_private: z.boolean().optional().meta({ description: 'Let webhook URLs reach private, loopback and link-local addresses (a receiver on your own network). Off by default.' }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });

export const notificationSettingsOutput = z
  .object({
    smtp_configured: z.boolean(),
    mail_from: z.string(),
    sms_base_url: z.string(),
    sms_account_sid: z.string().nullable(),
    sms_auth_token_set: z.boolean(),
    sms_from: z.string().nullable(),
    webhooks_allow_private: z.boolean(),
  })
  .meta({ id: 'NotificationSettings' });

export async function readNotificationSettings(db: Executor, env: NodeJS.ProcessEnv = process.env): Promise<NotificationSettings> {
  const rows = await db.selectFrom('notification_settings').selectAll().execute();
  const stored = new Map(rows.map((r) => [r.key, sealedKeys.has(r.key) ? openSecret(r.value, env) : r.value]));
  return {
    smtpUrl: stored.get('smtp_url') ?? env.SMTP_URL ?? null,
    mailFrom: stored.get('mail_from') ?? env.MAIL_FROM ?? 'stockroom@localhost',
    smsBaseUrl: stored.get('sms_base_url') ?? 'https://api.twilio.com',
    smsAccountSid: stored.get('sms_account_sid') ?? null,
    smsAuthToken: stored.get('sms_auth_token') ?? null,
    smsFrom: stored.get('sms_from') ?? null,
    webhooksAllowPrivate: stored.get('webhooks_allow_private') === 'true',
  };
}

export function toNotificationSettingsJson(s: NotificationSettings): z.infer<typeof notificationSettingsOutput> {
  return {
    smtp_configured: s.smtpUrl !== null,
    mail_from: s.mailFrom,
    sms_base_url: s.smsBaseUrl,
    sms_account_sid: s.smsAccountSid,
    sms_auth_token_set: s.smsAuthToken !== null,
    sms_from: s.smsFrom,
    webhooks_allow_private: s.webhooksAllowPrivate,
  };
}

export async function writeNotificationSettings(db: Executor, patch: z.output<typeof notificationSettingsPatch>, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) {
      await db.deleteFrom('notification_settings').where('key', '=', key).execute();
      continue;
    }
    const text = typeof value === 'boolean' ? String(value) : sealedKeys.has(key) ? sealSecret(value, env) : value;
    await db.insertInto('notification_settings').values({ key, value: text }).onConflict((oc) => oc.column('key').doUpdateSet({ value: text })).execute();
  }
}
