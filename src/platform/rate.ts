import { formatScaled, parseScaled, type ScaledParse } from './decimal.ts';

/**
 * Rates (tax rates, percentage discounts) are integers in parts per million: 8.875 % is 88 750,
 * 100 % is 1 000 000. JSON carries them as percentages with at most four decimals.
 */
export const RATE_PPM_PER_PERCENT = 10_000;
export const RATE_PPM_FULL = 1_000_000;

export function parsePercent(value: number | string): ScaledParse {
  const parsed = parseScaled(value, 4);
  if (parsed.ok && (parsed.value < 0 || parsed.value > RATE_PPM_FULL)) return { ok: false, reason: 'out_of_range' };
  return parsed;
}

/** 88 750 → "8.875". */
export function formatPercent(ppm: number): string {
  return formatScaled(ppm, 4);
}
