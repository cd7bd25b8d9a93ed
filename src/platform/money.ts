import { formatScaled, parseScaled, type ScaledParse } from './decimal.ts';
import { PlatformError, type FieldError } from './errors.ts';

/** Money is integers in millionths of the currency unit (micros); JSON carries decimal strings. */
export const MONEY_DECIMALS = 6;
export const MICROS_PER_UNIT = 1_000_000;
/** A single amount may not exceed a thousand million currency units. */
export const MONEY_MAX_MICROS = 1_000_000_000 * MICROS_PER_UNIT;

const moneyText = /^-?\d{1,12}(\.\d{1,6})?$/;

export function parseMoney(text: string): ScaledParse {
  if (!moneyText.test(text)) {
    return { ok: false, reason: /^-?\d+\.\d{7,}$/.test(text) ? 'too_precise' : /^-?\d{13,}/.test(text) ? 'out_of_range' : 'not_a_number' };
  }
  const parsed = parseScaled(text, MONEY_DECIMALS);
  if (parsed.ok && Math.abs(parsed.value) > MONEY_MAX_MICROS) return { ok: false, reason: 'out_of_range' };
  return parsed;
}

/** 12_500_000 → "12.50": at least two decimals, at most six, no trailing zeros beyond two. */
export function formatMoney(micros: number): string {
  return formatScaled(micros, MONEY_DECIMALS, 2);
}

export function formatMoneyOrNull(micros: number | null): string | null {
  return micros === null ? null : formatMoney(micros);
}

export const currencyCodePattern = /^[A-Z]{3}$/;

const minorDigitsCache = new Map<string, number>();

/** Decimals of the currency's minor unit from ICU: USD 2, JPY 0, BHD 3. */
export function currencyMinorDigits(code: string): number {
  let digits = minorDigitsCache.get(code);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digits = Math.min(Math.max(digits, 0), MONEY_DECIMALS);
    minorDigitsCache.set(code, digits);
  }
  return digits;
}

/** Micros in one minor unit of the currency: 10 000 for a cent. */
export function minorUnitMicros(code: string): number {
  return 10 ** (MONEY_DECIMALS - currencyMinorDigits(code));
}

/**
 * The one rule for how precise an amount may be. Costs (what the shop pays a vendor, per unit)
 * carry up to MONEY_DECIMALS decimals, as the schema's `moneyInput` allows: a case of 12 at
 * 10.00 costs 0.833333 a unit. Prices the shop charges — a shelf price, a sale or order line's
 * unit price, a modifier's price change, a payment, a discount amount — are whole minor units of
 * the shop's currency (cents; none for JPY, three for BHD), because a customer cannot be charged
 * a fraction of a cent. The currency is the shop's setting, known only at run time, so services
 * call this where they read it; more precision is a validation error, never a silent rounding.
 */
export function priceFieldErrors(amounts: ReadonlyArray<{ field: string; micros: number | null | undefined }>, currency: string): FieldError[] {
  const unit = minorUnitMicros(currency);
  const digits = currencyMinorDigits(currency);
  return amounts
    .filter((a) => a.micros !== null && a.micros !== undefined && a.micros % unit !== 0)
    .map((a) => ({ field: a.field, code: 'too_precise', message: `has more than ${digits} decimals, the minor unit of ${currency}` }));
}

/** Throws `validation_failed` when any price is finer than the currency's minor unit. */
export function assertPricePrecision(amounts: ReadonlyArray<{ field: string; micros: number | null | undefined }>, currency: string): void {
  const errors = priceFieldErrors(amounts, currency);
  if (errors.length > 0) {
    throw new PlatformError('validation_failed', `Prices are in whole minor units of ${currency}: ${errors[0]!.field} ${errors[0]!.message}.`, { errors });
  }
}
