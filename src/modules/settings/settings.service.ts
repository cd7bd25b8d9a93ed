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
  /** How many days back a till or scanner may date work it did offline (`occurred_at`). */
  offline_window_days: number;
  /** Shelf prices include tax (VAT-style): a sale's line total is its price and the tax is worked out of it. */
  prices_include_tax: boolean;
}

export const defaultSettings: ShopSettings = { shop_name: 'My shop', base_currency: 'USD', time_zone: 'UTC', offline_window_days: 7, prices_include_tax: false };

export const settingsPatch = z
  .strictObject({
    shop_name: z.string().trim().min(1).max(120).optional().meta({ description: 'Leading and trailing whitespace is removed.' }),
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
    offline_window_days: z.number().int().min(0).max(90).optional().meta({ description: 'How many days back offline work (`occurred_at`) may be dated; 7 by default.' }),
    prices_include_tax: z
      .boolean()
      .optional()
      .meta({ description: 'Prices include tax (the receipt total is the shelf price and the tax is worked out of it); false by default: tax is added on top.' }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });

export async function readSettings(db: Executor): Promise<ShopSettings> {
  return settingsFrom(await settingsRead(db).execute());
}

/** Every stored setting: the rows settingsFrom takes. */
export const settingsRead = (db: Executor) => db.selectFrom('settings').selectAll();

export function settingsFrom(rows: ReadonlyArray<{ key: string; value: string }>): ShopSettings {
  const stored = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  // Values are stored as text; the number and the flag among them are read back as such.
  const windowDays = stored.offline_window_days === undefined ? defaultSettings.offline_window_days : Number(stored.offline_window_days);
  const pricesIncludeTax = stored.prices_include_tax === undefined ? defaultSettings.prices_include_tax : stored.prices_include_tax === 'true';
  return { ...defaultSettings, ...(stored as Partial<Record<keyof ShopSettings, unknown>>), offline_window_days: windowDays, prices_include_tax: pricesIncludeTax } as ShopSettings;
}

export async function getSettings(ctx: ServiceContext): Promise<ShopSettings> {
  return readSettings(reader(ctx));
}

export async function updateSettings(ctx: ServiceContext, patch: Partial<ShopSettings>): Promise<ShopSettings> {
  return inTransaction(ctx, async (trx) => {
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const text = String(value);
      await trx.insertInto('settings').values({ key, value: text }).onConflict((oc) => oc.column('key').doUpdateSet({ value: text })).execute();
    }
    return readSettings(trx);
  });
}
