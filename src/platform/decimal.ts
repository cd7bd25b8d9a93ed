/**
 * Exact conversion between decimal text and scaled integers. Quantities and money are stored as
 * integers (thousandths, micros); these helpers are the only place decimals are read or written,
 * and they never round silently: more precision than the scale allows is an error.
 */

export type ScaledParse =
  | { ok: true; value: number }
  | { ok: false; reason: 'not_a_number' | 'too_precise' | 'out_of_range' };

const decimalPattern = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/** `parseScaled("1.5", 3)` is 1500; `parseScaled(0.0001, 3)` is too precise. */
export function parseScaled(input: number | string, scale: number): ScaledParse {
  if (typeof input === 'number' && !Number.isFinite(input)) return { ok: false, reason: 'not_a_number' };
  // A number's toString is its shortest round-trip form, so 1.005 reads as "1.005", not 1.00499….
  const text = typeof input === 'number' ? input.toString() : input.trim();
  const match = decimalPattern.exec(text);
  if (!match) return { ok: false, reason: 'not_a_number' };
  const [, sign = '', whole = '', fraction = '', exponentText] = match;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) return { ok: false, reason: 'out_of_range' };
  let digits = (whole + fraction).replace(/^0+(?=\d)/, '');
  // The value is digits × 10^(exponent − fraction.length); shift it by `scale`.
  let shift = exponent - fraction.length + scale;
  while (shift < 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1) || '0';
    shift += 1;
  }
  if (shift < 0) return digits === '0' ? { ok: true, value: 0 } : { ok: false, reason: 'too_precise' };
  if (digits.length + shift > 20) return { ok: false, reason: 'out_of_range' };
  const magnitude = BigInt(digits) * 10n ** BigInt(shift);
  if (magnitude > maxSafe) return { ok: false, reason: 'out_of_range' };
  const value = Number(magnitude);
  return { ok: true, value: sign === '-' && value !== 0 ? -value : value };
}

/** `formatScaled(1500, 3)` is "1.5"; `formatScaled(12_500_000, 6, 2)` is "12.50". */
export function formatScaled(value: number, scale: number, minDecimals = 0): string {
  assertSafe(value);
  const negative = value < 0;
  const digits = Math.abs(value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  let fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  if (fraction.length < minDecimals) fraction = fraction.padEnd(minDecimals, '0');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

export class NumberRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NumberRangeError';
  }
}

export function assertSafe(value: number): number {
  if (!Number.isSafeInteger(value)) throw new NumberRangeError(`${value} is outside the safe integer range`);
  return value;
}

/** Sum of integers that throws instead of losing precision. */
export function addChecked(...values: number[]): number {
  let total = 0;
  for (const v of values) total = assertSafe(total + assertSafe(v));
  return total;
}

/**
 * a × b ÷ c, rounded half away from zero, computed exactly in BigInt so that
 * quantity × unit cost never passes through a float.
 */
export function mulDiv(a: number, b: number, c: number): number {
  if (c === 0) throw new RangeError('mulDiv by zero');
  const numerator = BigInt(assertSafe(a)) * BigInt(assertSafe(b));
  const divisor = BigInt(assertSafe(c));
  let quotient = numerator / divisor;
  const remainder = numerator % divisor;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  const absDivisor = divisor < 0n ? -divisor : divisor;
  if (twice >= absDivisor) quotient += (numerator < 0n) !== (divisor < 0n) ? -1n : 1n;
  if (quotient > maxSafe || quotient < -maxSafe) throw new NumberRangeError('product is outside the safe integer range');
  return Number(quotient);
}

/** a × b ÷ c only when it divides exactly; null otherwise. */
export function mulDivExact(a: number, b: number, c: number): number | null {
  const numerator = BigInt(assertSafe(a)) * BigInt(assertSafe(b));
  const divisor = BigInt(assertSafe(c));
  if (numerator % divisor !== 0n) return null;
  const quotient = numerator / divisor;
  if (quotient > maxSafe || quotient < -maxSafe) throw new NumberRangeError('product is outside the safe integer range');
  return Number(quotient);
}
