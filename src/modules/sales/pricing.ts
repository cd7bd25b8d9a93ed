import { mulDiv } from '../../platform/decimal.ts';
import type { Tender } from '../../platform/db/schema.ts';
import { formatMoney } from '../../platform/money.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { RATE_PPM_FULL } from '../../platform/rate.ts';
import { SalesError } from './sales.errors.ts';

/**
 * Prices a sale, exactly, in integer micros. The rules, applied in this order:
 * 1. A line's gross is quantity × unit price (the item's price plus its modifiers' price changes),
 *    rounded half away from zero to the currency's minor unit (the cent).
 * 2. A line discount is an amount (in whole minor units) or a percentage of the gross, rounded
 *    the same way; it cannot exceed the gross.
 * 3. A sale discount is an amount or a percentage of the lines' total after their own discounts;
 *    it is shared out over the lines in proportion to those totals by largest remainder, in whole
 *    minor units, so the shares add up to it exactly.
 * 4. Tax is worked out per line at the line's rate, rounded half away from zero to the minor
 *    unit; the sale's tax is the sum of the lines' taxes.
 *    - Prices before tax (the default): tax = net × rate on the line's amount after both
 *      discounts, and total = net + tax.
 *    - Prices that include tax (the shop setting `prices_include_tax`): the line's amount after
 *      both discounts is its total, what the shelf said; tax = total × rate ÷ (1 + rate) and
 *      net = total − tax. 3 × 4.99 at 20 %: total 14.97, tax 14.97 × 0.2 ÷ 1.2 = 2.495 → 2.50,
 *      net 12.47. `net` is revenue net of tax either way.
 */

export type DiscountSpec = { kind: 'amount'; amountMicros: number } | { kind: 'percent'; ppm: number };

export interface PricingLine {
  qty: number;
  unitPriceMicros: number;
  discount: DiscountSpec | null;
  taxRatePpm: number;
}

export interface PricedLine {
  gross: number;
  lineDiscount: number;
  saleDiscount: number;
  net: number;
  tax: number;
  total: number;
}

export interface PricedSale {
  lines: PricedLine[];
  subtotal: number;
  saleDiscount: number;
  discount: number;
  tax: number;
  total: number;
}

export function roundToUnit(micros: number, unit: number): number {
  return mulDiv(micros, 1, unit) * unit;
}

function discountOf(spec: DiscountSpec | null, base: number, unit: number, field: string): number {
  if (!spec) return 0;
  let amount: number;
  if (spec.kind === 'amount') {
    if (spec.amountMicros % unit !== 0) {
      throw new SalesError('discount_invalid', 'A discount amount is given in whole minor units of the currency.', { errors: [{ field, code: 'precision', message: 'finer than the currency allows' }] });
    }
    amount = spec.amountMicros;
  } else {
    amount = mulDiv(base, spec.ppm, RATE_PPM_FULL * unit) * unit;
  }
  if (amount < 0 || amount > base) {
    throw new SalesError('discount_invalid', 'A discount cannot exceed what it applies to.', { errors: [{ field, code: 'too_large', message: 'exceeds the amount it applies to' }] });
  }
  return amount;
}

export function priceSale(lines: readonly PricingLine[], saleDiscountSpec: DiscountSpec | null, unit: number, taxIncluded = false): PricedSale {
  const gross = lines.map((l) => mulDiv(l.qty, l.unitPriceMicros, QTY_SCALE * unit) * unit);
  const lineDiscounts = lines.map((l, i) => discountOf(l.discount, gross[i]!, unit, `body.lines.${i}.discount`));
  const afterLine = gross.map((g, i) => g - lineDiscounts[i]!);
  const base = afterLine.reduce((s, v) => s + v, 0);
  const saleDiscount = discountOf(saleDiscountSpec, base, unit, 'body.discount');
  const shares = shareOut(saleDiscount / unit, afterLine).map((units) => units * unit);
  const priced = lines.map((l, i) => {
    const amount = afterLine[i]! - shares[i]!;
    const { net, tax, total } = taxOfAmount(amount, l.taxRatePpm, unit, taxIncluded);
    return { gross: gross[i]!, lineDiscount: lineDiscounts[i]!, saleDiscount: shares[i]!, net, tax, total };
  });
  const sum = (pick: (l: PricedLine) => number) => priced.reduce((s, l) => s + pick(l), 0);
  return {
    lines: priced,
    subtotal: sum((l) => l.gross),
    saleDiscount,
    discount: sum((l) => l.lineDiscount + l.saleDiscount),
    tax: sum((l) => l.tax),
    total: sum((l) => l.total),
  };
}

/**
 * The tax on an amount in whole minor units at a rate, rounded half away from zero to the minor
 * unit: on top of it (prices before tax) or within it (prices that include tax).
 */
export function taxOfAmount(amount: number, ratePpm: number, unit: number, taxIncluded: boolean): { net: number; tax: number; total: number } {
  if (taxIncluded) {
    const tax = mulDiv(amount, ratePpm, (RATE_PPM_FULL + ratePpm) * unit) * unit;
    return { net: amount - tax, tax, total: amount };
  }
  const tax = mulDiv(amount, ratePpm, RATE_PPM_FULL * unit) * unit;
  return { net: amount, tax, total: amount + tax };
}

/** Splits `units` over `weights` in proportion, by largest remainder (earlier lines win ties); the parts add up to `units`. */
export function shareOut(units: number, weights: readonly number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  if (units === 0 || total === 0) return weights.map(() => 0);
  const exact = weights.map((w) => BigInt(units) * BigInt(w));
  const floors = exact.map((e) => Number(e / BigInt(total)));
  let left = units - floors.reduce((s, f) => s + f, 0);
  const order = exact.map((e, i) => ({ i, rem: e % BigInt(total) })).sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left === 0) break;
    floors[i]! += 1;
    left -= 1;
  }
  return floors;
}

export interface TenderInput {
  tender: Exclude<Tender, 'exchange'> | 'exchange';
  amountMicros: number;
  reference: string | null;
}

/** What the customer handed over against what is due: change is given in cash only. */
export function settlePayments(due: number, payments: readonly TenderInput[], unit: number): { paid: number; change: number } {
  payments.forEach((p, i) => {
    if (p.amountMicros <= 0 || p.amountMicros % unit !== 0) {
      throw new SalesError('payment_invalid', 'A payment is a positive amount in whole minor units of the currency.', {
        errors: [{ field: `body.payments.${i}.amount`, code: 'invalid', message: 'positive, in whole minor units' }],
      });
    }
  });
  const paid = payments.reduce((s, p) => s + p.amountMicros, 0);
  if (paid < due) throw new SalesError('payment_insufficient', `The payments cover ${formatMoney(paid)} of ${formatMoney(due)} due.`, { extra: { due_micros: due, paid_micros: paid } });
  const change = paid - due;
  const cash = payments.filter((p) => p.tender === 'cash').reduce((s, p) => s + p.amountMicros, 0);
  if (change > cash) throw new SalesError('payment_invalid', 'Change is given in cash only: the other tenders exceed what is due.');
  return { paid, change };
}
