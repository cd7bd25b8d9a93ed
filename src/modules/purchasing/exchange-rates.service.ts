import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { readSettings } from '../settings/index.ts';
import { RATE_SCALE } from './conversion.ts';
import { PurchasingError } from './purchasing.errors.ts';

/**
 * The exchange rates the owner keeps: how many base-currency units one unit of a foreign currency
 * buys, from a date on, stored × 10^9 as an integer. A receipt takes an explicit rate, or the
 * latest one on or before the day the goods arrived.
 */

export interface ExchangeRate {
  currency: string;
  effectiveOn: string;
  rateE9: number;
}

export type RateSource = 'explicit' | 'table' | 'base';

export async function setExchangeRate(ctx: ServiceContext, input: { currency: string; rateE9: number; effectiveOn: string }): Promise<ExchangeRate> {
  return inTransaction(ctx, async (trx) => {
    const base = (await readSettings(trx)).base_currency;
    if (input.currency === base) {
      throw new PurchasingError('exchange_rate_missing', `${base} is the base currency; its rate is always 1.`, {
        errors: [{ field: 'body.currency', code: 'base_currency', message: 'the base currency needs no rate' }],
      });
    }
    const row = { currency: input.currency, effective_on: input.effectiveOn, rate_e9: input.rateE9, created_at: ctx.clock.now(), actor_id: ctx.actor.id };
    await trx
      .insertInto('exchange_rates')
      .values(row)
      .onConflict((oc) => oc.columns(['currency', 'effective_on']).doUpdateSet({ rate_e9: row.rate_e9, created_at: row.created_at, actor_id: row.actor_id }))
      .execute();
    return { currency: input.currency, effectiveOn: input.effectiveOn, rateE9: input.rateE9 };
  });
}

export async function listExchangeRates(ctx: ServiceContext, currency?: string): Promise<ExchangeRate[]> {
  let q = reader(ctx).selectFrom('exchange_rates').select(['currency', 'effective_on', 'rate_e9']);
  if (currency) q = q.where('currency', '=', currency);
  const rows = await q.orderBy('currency').orderBy('effective_on', 'desc').limit(2000).execute();
  return rows.map((r) => ({ currency: r.currency, effectiveOn: r.effective_on, rateE9: r.rate_e9 }));
}

/** The latest rate of the currency on or before the date, if the owner has recorded one. */
export async function rateOn(db: Executor, currency: string, date: string): Promise<ExchangeRate | null> {
  const row = await db
    .selectFrom('exchange_rates')
    .select(['currency', 'effective_on', 'rate_e9'])
    .where('currency', '=', currency)
    .where('effective_on', '<=', date)
    .orderBy('effective_on', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { currency: row.currency, effectiveOn: row.effective_on, rateE9: row.rate_e9 } : null;
}

/** The rate to use for an amount in `currency` on `date`: 1 for the base currency, else explicit, else the table's. */
export async function resolveRate(
  db: Executor,
  input: { currency: string; baseCurrency: string; explicitE9: number | null; date: string; field: string },
): Promise<{ rateE9: number; source: RateSource }> {
  if (input.currency === input.baseCurrency) return { rateE9: RATE_SCALE, source: 'base' };
  if (input.explicitE9 !== null) return { rateE9: input.explicitE9, source: 'explicit' };
  const rate = await rateOn(db, input.currency, input.date);
  if (!rate) {
    throw new PurchasingError('exchange_rate_missing', `No exchange rate for ${input.currency} on or before ${input.date}; add one (POST /api/v1/exchange-rates) or give the rate.`, {
      extra: { currency: input.currency, date: input.date },
      errors: [{ field: input.field, code: 'required', message: `give the ${input.currency} to ${input.baseCurrency} rate` }],
    });
  }
  return { rateE9: rate.rateE9, source: 'table' };
}
