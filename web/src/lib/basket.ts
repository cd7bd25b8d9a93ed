/**
 * The counter's running total, worked out exactly as the server prices a sale (integer
 * micros, BigInt; cents rounded half away from zero), so the till shows the amount the
 * receipt will have. The server still prices the sale itself; this is what the customer sees
 * before paying.
 *
 * 1. gross = qty × unit price (item price + modifier price changes), rounded to the cent;
 * 2. a line discount is whole cents, or a percentage of the gross rounded to the cent;
 * 3. a sale discount (amount or percentage of the lines after their discounts) is shared over
 *    the lines in proportion, by largest remainder, in whole cents;
 * 4. tax per line, rounded to the cent: on top of the line's amount after discounts when prices
 *    are before tax; worked out of it (amount × rate ÷ (1 + rate)) when prices include tax, the
 *    amount then being the line's total. Each line's rate comes from the shop's tax rules
 *    (`rateOfItem`, the server's tax-resolution.ts mirrored).
 */

const CENT = 10_000n;
const QTY_SCALE = 1000n;
const PPM_FULL = 1_000_000n;

export type Discount = { kind: 'amount'; micros: bigint } | { kind: 'percent'; ppm: bigint } | null;

export interface BasketLine {
  /** Thousandths of the base unit. */
  qtyMilli: bigint;
  unitPriceMicros: bigint;
  discount: Discount;
  taxPpm: bigint;
}

export interface BasketTotals {
  lines: { gross: bigint; discount: bigint; net: bigint; tax: bigint; total: bigint }[];
  subtotal: bigint;
  discount: bigint;
  tax: bigint;
  total: bigint;
}

/** a × b ÷ c rounded half away from zero. */
export function mulDiv(a: bigint, b: bigint, c: bigint): bigint {
  const n = a * b;
  let q = n / c;
  const r = n % c;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= (c < 0n ? -c : c)) q += n < 0n !== c < 0n ? -1n : 1n;
  return q;
}

function discountOf(d: Discount, base: bigint): bigint {
  if (!d) return 0n;
  const amount = d.kind === 'amount' ? d.micros : mulDiv(base, d.ppm, PPM_FULL * CENT) * CENT;
  return amount > base ? base : amount;
}

export function shareOut(units: bigint, weights: readonly bigint[]): bigint[] {
  const total = weights.reduce((s, w) => s + w, 0n);
  if (units === 0n || total === 0n) return weights.map(() => 0n);
  const exact = weights.map((w) => units * w);
  const floors = exact.map((e) => e / total);
  let left = units - floors.reduce((s, f) => s + f, 0n);
  const order = exact.map((e, i) => ({ i, rem: e % total })).sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    floors[i]! += 1n;
    left -= 1n;
  }
  return floors;
}

export function priceBasket(lines: readonly BasketLine[], saleDiscount: Discount, taxIncluded = false): BasketTotals {
  const gross = lines.map((l) => mulDiv(l.qtyMilli, l.unitPriceMicros, QTY_SCALE * CENT) * CENT);
  const lineDiscounts = lines.map((l, i) => discountOf(l.discount, gross[i]!));
  const afterLine = gross.map((g, i) => g - lineDiscounts[i]!);
  const base = afterLine.reduce((s, v) => s + v, 0n);
  const whole = discountOf(saleDiscount, base);
  const shares = shareOut(whole / CENT, afterLine).map((u) => u * CENT);
  const priced = lines.map((l, i) => {
    const amount = afterLine[i]! - shares[i]!;
    if (taxIncluded) {
      const tax = mulDiv(amount, l.taxPpm, (PPM_FULL + l.taxPpm) * CENT) * CENT;
      return { gross: gross[i]!, discount: lineDiscounts[i]! + shares[i]!, net: amount - tax, tax, total: amount };
    }
    const tax = mulDiv(amount, l.taxPpm, PPM_FULL * CENT) * CENT;
    return { gross: gross[i]!, discount: lineDiscounts[i]! + shares[i]!, net: amount, tax, total: amount + tax };
  });
  const sum = (pick: (l: (typeof priced)[number]) => bigint) => priced.reduce((s, l) => s + pick(l), 0n);
  return { lines: priced, subtotal: sum((l) => l.gross), discount: sum((l) => l.discount), tax: sum((l) => l.tax), total: sum((l) => l.total) };
}

/** "8.875" (percent) → 88 750 ppm; null when not a percentage with at most four decimals from 0 to 100. */
export function percentToPpm(text: string): bigint | null {
  const m = /^(\d{1,3})(?:\.(\d{1,4}))?$/.exec(text.trim().replace(/%$/, ''));
  if (!m) return null;
  const ppm = BigInt(m[1]!) * 10_000n + BigInt((m[2] ?? '').padEnd(4, '0'));
  return ppm > PPM_FULL ? null : ppm;
}

/** 88 750 ppm → "8.875" (percent), as the API writes rates. */
export function ppmToPercent(ppm: bigint): string {
  const whole = ppm / 10_000n;
  const fraction = (ppm % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** A quantity number (≤ 3 decimals) as thousandths. */
export function qtyToMilli(qty: number): bigint {
  const [whole = '0', fraction = ''] = Math.abs(qty).toFixed(3).split('.');
  const milli = BigInt(whole) * 1000n + BigInt(fraction);
  return qty < 0 ? -milli : milli;
}

/** What `GET /api/v1/tax-table` answers: the shop's tax rules resolved for one site. */
export interface TaxTable {
  site_id: string;
  prices_include_tax: boolean;
  default_rate: string;
  categories: { category: string; rate: string }[];
  exempt_item_ids: string[];
}

/**
 * An item's rate at the table's site, as the server resolves it: exempt items none; then the
 * item's category (trimmed, case-insensitive) if it has a rate here; else the site's default.
 */
export function rateOfItem(table: TaxTable | undefined, item: { id: string; category: string | null }): bigint {
  if (!table || table.exempt_item_ids.includes(item.id)) return 0n;
  const key = (item.category ?? '').trim().toLowerCase();
  const rule = key ? table.categories.find((c) => c.category.trim().toLowerCase() === key) : undefined;
  return percentToPpm(rule ? rule.rate : table.default_rate) ?? 0n;
}
