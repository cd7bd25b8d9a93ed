/**
 * Money and quantities at the edge of the web app. Money travels as decimal strings and is
 * added up as integer micros (BigInt), never as floats; quantities are JSON numbers with at
 * most three decimals, checked as text before they are sent.
 */

const MONEY_DECIMALS = 6;
const MICROS = 1_000_000n;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Reads what a person typed as an amount: "12.5", "12,50", " 3 ", "-1.25" (when allowed). */
export function parseMoneyInput(text: string, options: { allowNegative?: boolean; decimals?: number } = {}): Parsed<string> {
  const decimals = options.decimals ?? MONEY_DECIMALS;
  let t = text.trim().replace(/\s/g, '');
  if (t === '') return { ok: false, message: 'Enter an amount' };
  if (/^-?\d+,\d+$/.test(t)) t = t.replace(',', '.');
  t = t.replace(/^([-]?)\$/, '$1');
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(t) ?? /^(-?)()\.(\d+)$/.exec(t);
  if (!match) return { ok: false, message: 'Not an amount (digits and one decimal point)' };
  const [, sign = '', whole = '', fraction = ''] = match;
  if (sign && !options.allowNegative) return { ok: false, message: 'Must not be negative' };
  if (fraction.length > decimals) return { ok: false, message: `At most ${decimals} decimals` };
  const wholeDigits = (whole.replace(/^0+(?=\d)/, '') || '0');
  if (wholeDigits.length > 12) return { ok: false, message: 'Too large' };
  const value = `${sign}${wholeDigits}.${fraction.padEnd(2, '0')}`;
  return { ok: true, value: value === '-0.00' ? '0.00' : value };
}

/** A decimal string as integer micros; throws on anything that is not a decimal. */
export function toMicros(amount: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{0,6}))?$/.exec(amount.trim());
  if (!match) throw new Error(`not a decimal amount: ${amount}`);
  const [, sign, whole = '0', fraction = ''] = match;
  const micros = BigInt(whole) * MICROS + BigInt(fraction.padEnd(MONEY_DECIMALS, '0'));
  return sign ? -micros : micros;
}

/** Integer micros as a decimal string with at least two decimals ("12.50", "0.125"). */
export function fromMicros(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / MICROS;
  let fraction = (abs % MICROS).toString().padStart(MONEY_DECIMALS, '0').replace(/0+$/, '');
  fraction = fraction.padEnd(2, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

export function sumMoney(amounts: ReadonlyArray<string | null | undefined>): string {
  let total = 0n;
  for (const a of amounts) if (a) total += toMicros(a);
  return fromMicros(total);
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const symbols: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', AUD: 'A$', CAD: 'C$', NZD: 'NZ$', JPY: '¥', CHF: 'CHF ' };

/** Decimals of a currency's minor unit (ISO 4217); two unless listed. */
const minorUnits: Record<string, number> = { JPY: 0, KRW: 0, ISK: 0, CLP: 0, VND: 0, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3 };

export function minorUnitOf(currency: string): number {
  return minorUnits[currency] ?? 2;
}

/** Rounds micros to `decimals` places, half away from zero, in integers. */
function roundMicros(micros: bigint, decimals: number): bigint {
  const step = 10n ** BigInt(MONEY_DECIMALS - decimals);
  const abs = micros < 0n ? -micros : micros;
  const rounded = ((abs + step / 2n) / step) * step;
  return micros < 0n ? -rounded : rounded;
}

/** Integer micros written with between `min` and `max` decimals, thousands grouped, the currency's symbol in front. */
function writeMoney(micros: bigint, currency: string, min: number, max: number): string {
  const rounded = roundMicros(micros, max);
  const abs = rounded < 0n ? -rounded : rounded;
  const whole = (abs / MICROS).toString();
  let fraction = (abs % MICROS).toString().padStart(MONEY_DECIMALS, '0').slice(0, max);
  while (fraction.length > min && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  const symbol = symbols[currency] ?? `${currency} `;
  return `${rounded < 0n ? '−' : ''}${symbol}${groupThousands(whole)}${fraction ? `.${fraction}` : ''}`;
}

function parsedMicros(amount: string | null | undefined): bigint | null {
  if (amount === null || amount === undefined || amount === '') return null;
  try {
    return toMicros(amount);
  } catch {
    return null;
  }
}

/**
 * The one way the web app shows an amount of money: prices, totals, values and margins, to the
 * currency's minor unit ("$1,234.50", "¥1,235"), rounded half away from zero in integers. The
 * exact micros stay in the API; a receipt's figures are already whole cents, so they add up.
 */
export function formatMoney(amount: string | null | undefined, currency = 'USD'): string {
  const micros = parsedMicros(amount);
  if (micros === null) return amount ? amount : '—';
  const decimals = minorUnitOf(currency);
  return writeMoney(micros, currency, decimals, decimals);
}

/** The most decimals a unit cost shows: enough for a cost per gram, not the noise of an average. */
export const UNIT_COST_DECIMALS = 4;

/**
 * A unit cost (what one base unit cost to buy or make), where a fraction of a cent is real
 * information: at least the minor unit, at most four decimals ("$4.90", "$0.0125"). Pages label
 * such figures as unit costs.
 */
export function formatUnitCost(amount: string | null | undefined, currency = 'USD'): string {
  const micros = parsedMicros(amount);
  if (micros === null) return amount ? amount : '—';
  return writeMoney(micros, currency, minorUnitOf(currency), Math.max(minorUnitOf(currency), UNIT_COST_DECIMALS));
}

/** Rounds to cents, half away from zero, in integers. */
export function roundToCents(amount: string): string {
  return fromMicros(roundMicros(toMicros(amount), 2));
}

/** Kept for callers written before there was one formatter: the same as `formatMoney`. */
export const formatMoneyTotal = formatMoney;

/** Whether an amount is zero (so a receipt can leave out a line of nothing, such as "Discounts −$0.00"). */
export function isZeroMoney(amount: string | null | undefined): boolean {
  const micros = parsedMicros(amount);
  return micros === null || micros === 0n;
}

/** A short form for chart axes and tiles: "$12.3k". */
export function formatMoneyShort(amount: string, currency = 'USD'): string {
  const micros = toMicros(amount);
  const abs = micros < 0n ? -micros : micros;
  const symbol = symbols[currency] ?? `${currency} `;
  const sign = micros < 0n ? '−' : '';
  if (abs >= 1_000_000n * MICROS) return `${sign}${symbol}${(Number(abs / 10_000n / MICROS) / 100).toFixed(1)}M`;
  if (abs >= 10_000n * MICROS) return `${sign}${symbol}${(Number(abs / 100n / MICROS) / 10).toFixed(1)}k`;
  return formatMoney(fromMicros(micros), currency).replace(/\.\d+$/, (f) => (f === '.00' ? '' : f));
}

/** Reads a typed quantity: at most three decimals; zero and negatives only when allowed. */
export function parseQuantityInput(text: string, options: { allowNegative?: boolean; allowZero?: boolean } = {}): Parsed<number> {
  let t = text.trim().replace(/\s/g, '');
  if (t === '') return { ok: false, message: 'Enter a quantity' };
  if (/^-?\d+,\d+$/.test(t)) t = t.replace(',', '.');
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (!match || (match[2] === '' && !match[3])) return { ok: false, message: 'Not a number' };
  const [, sign, , fraction = ''] = match;
  if (fraction.length > 3) return { ok: false, message: 'At most 3 decimals' };
  if (sign && !options.allowNegative) return { ok: false, message: 'Must not be negative' };
  const value = Number(t);
  if (!Number.isFinite(value) || Math.abs(value) > 1e12) return { ok: false, message: 'Too large' };
  if (value === 0 && !options.allowZero) return { ok: false, message: 'Must not be zero' };
  return { ok: true, value: value === 0 ? 0 : value };
}

/** 1500 → "1,500"; 1.5 → "1.5"; -2.125 → "−2.125" (quantities have at most three decimals). */
export function formatQty(qty: number | null | undefined, unit?: string): string {
  if (qty === null || qty === undefined || !Number.isFinite(qty)) return '—';
  const [whole = '0', fraction = ''] = Math.abs(qty).toFixed(3).split('.');
  const trimmed = fraction.replace(/0+$/, '');
  const text = `${qty < 0 ? '−' : ''}${groupThousands(whole)}${trimmed ? `.${trimmed}` : ''}`;
  return unit ? `${text} ${unit}` : text;
}

/** Percent text → number with at most three decimals. */
export function parsePercentInput(text: string): Parsed<number> {
  const parsed = parseQuantityInput(text.replace(/%$/, ''), { allowZero: true });
  if (!parsed.ok) return parsed;
  if (parsed.value > 100) return { ok: false, message: 'At most 100%' };
  return parsed;
}
