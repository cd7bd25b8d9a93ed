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

/** "1234.5" USD → "$1,234.50"; extra decimals are kept ("$0.125"), never rounded away. */
export function formatMoney(amount: string | null | undefined, currency = 'USD'): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match) return amount;
  const [, sign, whole = '0', rawFraction = ''] = match;
  const fraction = rawFraction.replace(/0+$/, '').padEnd(2, '0');
  const symbol = symbols[currency] ?? `${currency} `;
  return `${sign ? '−' : ''}${symbol}${groupThousands(whole)}.${fraction}`;
}

/** Rounds to cents, half away from zero, in integers: for totals, where fractions of a cent are noise. */
export function roundToCents(amount: string): string {
  const micros = toMicros(amount);
  const abs = micros < 0n ? -micros : micros;
  const cents = (abs + 5_000n) / 10_000n;
  const rounded = cents * 10_000n;
  return fromMicros(micros < 0n ? -rounded : rounded);
}

/** A total for people: "$16,774.70" (exact micros stay in the API and in unit costs). */
export function formatMoneyTotal(amount: string | null | undefined, currency = 'USD'): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  return formatMoney(roundToCents(amount), currency);
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
