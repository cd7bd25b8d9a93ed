import { formatScaled, parseScaled, type ScaledParse } from './decimal.ts';

/**
 * Quantities are integers in thousandths of the item's base unit: 1500 is 1.5 kg when the base
 * unit is kg. They are converted from and to decimals only at the edges.
 */
export const QTY_SCALE = 1000;
export const QTY_DECIMALS = 3;
/** The largest quantity a single line may carry: a billion base units. Sums stay far from 2^53. */
export const QTY_MAX = 1_000_000_000 * QTY_SCALE;

export function parseQuantity(value: number | string): ScaledParse {
  const parsed = parseScaled(value, QTY_DECIMALS);
  if (parsed.ok && Math.abs(parsed.value) > QTY_MAX) return { ok: false, reason: 'out_of_range' };
  return parsed;
}

/** Thousandths to a JSON number with at most three decimals (exact: 1500 → 1.5). */
export function quantityToNumber(thousandths: number): number {
  return Number(formatScaled(thousandths, QTY_DECIMALS));
}

export function formatQuantity(thousandths: number): string {
  return formatScaled(thousandths, QTY_DECIMALS);
}
