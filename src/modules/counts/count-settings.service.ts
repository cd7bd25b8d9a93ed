import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { CountSiteSettingsRow } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { getLocation, LocationError } from '../locations/index.ts';
import type { CountSettingsInput } from './counts.schema.ts';

/**
 * Each site's approval thresholds and cycle lengths. A variance beyond any threshold (quantity or
 * value, absolute or as a share of what was expected) waits for a person with `counts.approve`;
 * within all of them it is approved as it stands. A site without settings uses the defaults.
 */

export type CountSettings = Omit<CountSiteSettingsRow, 'updated_at' | 'updated_by'>;

/** Parts per million: 10% is 100000. */
export const PCT_SCALE = 1_000_000;

export const defaultCountSettings = (siteId: string): CountSettings => ({
  site_id: siteId,
  qty_abs_threshold: null,
  qty_pct_threshold: 100_000,
  value_abs_threshold_micros: 50_000_000,
  value_pct_threshold: null,
  require_second_person: 0,
  cycle_a_days: 30,
  cycle_b_days: 91,
  cycle_c_days: 365,
});

export async function readCountSettings(db: Executor, siteId: string): Promise<CountSettings> {
  const row = await db.selectFrom('count_site_settings').selectAll().where('site_id', '=', siteId).executeTakeFirst();
  if (!row) return defaultCountSettings(siteId);
  const { updated_at: _at, updated_by: _by, ...settings } = row;
  return settings;
}

async function siteOf(ctx: ServiceContext, siteId: string) {
  const site = await getLocation(ctx, siteId);
  if (site.kind !== 'site') throw new LocationError('location_not_found', `${site.full_code} is a ${site.kind}, not a site.`, { location_id: siteId });
  return site;
}

export async function getCountSettings(ctx: ServiceContext, siteId: string): Promise<CountSettings> {
  await siteOf(ctx, siteId);
  return readCountSettings(reader(ctx), siteId);
}

export async function updateCountSettings(ctx: ServiceContext, siteId: string, input: CountSettingsInput): Promise<CountSettings> {
  return inTransaction(ctx, async (trx) => {
    await siteOf({ ...ctx, trx }, siteId);
    const current = await readCountSettings(trx, siteId);
    const next: CountSettings = {
      ...current,
      ...(input.qty_abs_threshold !== undefined ? { qty_abs_threshold: input.qty_abs_threshold } : {}),
      ...(input.qty_pct_threshold !== undefined ? { qty_pct_threshold: input.qty_pct_threshold } : {}),
      ...(input.value_abs_threshold !== undefined ? { value_abs_threshold_micros: input.value_abs_threshold } : {}),
      ...(input.value_pct_threshold !== undefined ? { value_pct_threshold: input.value_pct_threshold } : {}),
      ...(input.require_second_person !== undefined ? { require_second_person: input.require_second_person ? 1 : 0 } : {}),
      ...(input.cycle_a_days !== undefined ? { cycle_a_days: input.cycle_a_days } : {}),
      ...(input.cycle_b_days !== undefined ? { cycle_b_days: input.cycle_b_days } : {}),
      ...(input.cycle_c_days !== undefined ? { cycle_c_days: input.cycle_c_days } : {}),
    };
    const row = { ...next, updated_at: ctx.clock.now(), updated_by: ctx.actor.id };
    await trx
      .insertInto('count_site_settings')
      .values(row)
      .onConflict((oc) => oc.column('site_id').doUpdateSet(row))
      .execute();
    return next;
  });
}

/** Whether a variance needs a person's approval under the site's thresholds. Pure. */
export function exceedsThresholds(settings: CountSettings, line: { expectedQty: number; varianceQty: number; unitCostMicros: number | null }): boolean {
  const variance = Math.abs(line.varianceQty);
  if (variance === 0) return false;
  const expected = Math.abs(line.expectedQty);
  const value = line.unitCostMicros === null ? null : mulDiv(variance, line.unitCostMicros, QTY_SCALE);
  const expectedValue = line.unitCostMicros === null ? null : mulDiv(expected, line.unitCostMicros, QTY_SCALE);
  // A share of nothing expected is unbounded: stock found where none was recorded always exceeds a percentage.
  const shareExceeds = (part: number, whole: number, limitPpm: number) => whole === 0 || mulDiv(part, PCT_SCALE, whole) > limitPpm;
  if (settings.qty_abs_threshold !== null && variance > settings.qty_abs_threshold) return true;
  if (settings.qty_pct_threshold !== null && shareExceeds(variance, expected, settings.qty_pct_threshold)) return true;
  if (value !== null && settings.value_abs_threshold_micros !== null && value > settings.value_abs_threshold_micros) return true;
  if (value !== null && expectedValue !== null && settings.value_pct_threshold !== null && shareExceeds(value, expectedValue, settings.value_pct_threshold)) return true;
  return false;
}
