import { z } from 'zod';
import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';

/**
 * Shop-wide settings: its name, the base currency every cost and price is kept in, and the time
 * zone that decides where a business day starts. Stored as key/value rows.
 */
export interface ShopSettings {
  shop_name: string;
  base_currency: string;
  time_zone: string;
}

export const defaultSettings: ShopSettings = { shop_name: 'My shop', base_currency: 'USD', time_zone: 'UTC' };

export const settingsPatch = z
  .strictObject({
    shop_name: z.string().trim().min(1).max(120).optional(),
    base_currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code').optional(),
    time_zone: z
      .string()
      .max(64)
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'an IANA time zone such as Europe/London')
      .optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });

export async function readSettings(db: Executor): Promise<ShopSettings> {
  const rows = await db.selectFrom('settings').selectAll().execute();
  const stored = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  return { ...defaultSettings, ...(stored as Partial<ShopSettings>) };
}

export async function getSettings(ctx: ServiceContext): Promise<ShopSettings> {
  return readSettings(reader(ctx));
}

export async function updateSettings(ctx: ServiceContext, patch: Partial<ShopSettings>): Promise<ShopSettings> {
  return inTransaction(ctx, async (trx) => {
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      await trx.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    }
    return readSettings(trx);
  });
}
