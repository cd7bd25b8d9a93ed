import { formatScaled, parseScaled, type ScaledParse } from './decimal.ts';

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
