import { NumberRangeError } from '../../platform/decimal.ts';
import type { ItemRow } from '../../platform/db/schema.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { unitsOf } from '../catalog/index.ts';

/**
 * The arithmetic of purchasing, all in integers: units of purchase to base units (exact or
 * refused), prices to base-currency unit costs (one rounding, half away from zero, to the micro),
 * percentages (thousandths of a percent), exchange rates (× 10^9), and apportioning an amount
 * over lines exactly to the micro by largest remainder.
 */

/** Exchange rates are base-currency units per foreign unit × 10^9. */
export const RATE_SCALE = 1_000_000_000;
/** Percentages are thousandths of a percent: 100% is 100 000. */
export const PERCENT_SCALE = 100_000;

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

function toSafe(value: bigint): number {
  if (value > maxSafe || value < -maxSafe) throw new NumberRangeError('an amount is outside the safe integer range');
  return Number(value);
}

/** numerator ÷ denominator, rounded half away from zero. */
export function divideRounded(numerator: bigint, denominator: bigint): number {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let q = n / d;
  if ((n % d) * 2n >= d) q += 1n;
  return toSafe(negative ? -q : q);
}

export interface UnitChoice {
  /** The unit's name as the item spells it. */
  name: string;
  /** Thousandths of the base unit in one of it. */
  factor: number;
}

/** The item's base unit or one of its purchase units, by name (case-insensitive); null if it has no such unit. */
export function findUnit(item: Pick<ItemRow, 'base_unit' | 'units_json'>, name: string | undefined | null): UnitChoice | null {
  if (name === undefined || name === null || name.toLowerCase() === item.base_unit.toLowerCase()) return { name: item.base_unit, factor: QTY_SCALE };
  const unit = unitsOf(item).find((u) => u.name.toLowerCase() === name.toLowerCase());
  return unit ? { name: unit.name, factor: unit.factor } : null;
}

/** Thousandths of a unit to thousandths of the base unit; null when it does not come out whole. */
export function toBaseQty(qty: number, factor: number): number | null {
  const product = BigInt(qty) * BigInt(factor);
  if (product % BigInt(QTY_SCALE) !== 0n) return null;
  return toSafe(product / BigInt(QTY_SCALE));
}

/** Base thousandths back to thousandths of a unit; null when it does not come out whole. */
export function fromBaseQty(qtyBase: number, factor: number): number | null {
  const product = BigInt(qtyBase) * BigInt(QTY_SCALE);
  if (product % BigInt(factor) !== 0n) return null;
  return toSafe(product / BigInt(factor));
}

/** qty (thousandths of a unit) × price per unit, to the micro. */
export function lineAmount(qty: number, unitPriceMicros: number): number {
  return divideRounded(BigInt(qty) * BigInt(unitPriceMicros), BigInt(QTY_SCALE));
}

/** An amount × a rate in thousandths of a percent, to the micro. */
export function percentOf(amountMicros: number, rate: number): number {
  return divideRounded(BigInt(amountMicros) * BigInt(rate), BigInt(PERCENT_SCALE));
}

/** An amount in a foreign currency to base currency at a rate × 10^9, to the micro. */
export function toBaseMoney(amountMicros: number, rateE9: number): number {
  return divideRounded(BigInt(amountMicros) * BigInt(rateE9), BigInt(RATE_SCALE));
}

/**
 * What one base unit cost in base currency: the vendor's price for a unit holding `priceFactor`
 * thousandths of base units, at the exchange rate. price × 1000 × rate ÷ (factor × 10^9), rounded
 * once, half away from zero, to the micro; the ledger then values qty × this unit cost.
 */
export function baseUnitCost(priceMicros: number, priceFactor: number, rateE9: number): number {
  return divideRounded(BigInt(priceMicros) * BigInt(QTY_SCALE) * BigInt(rateE9), BigInt(priceFactor) * BigInt(RATE_SCALE));
}

/** A price per unit of one size to a price per unit of another (a case price to an each price), to the micro. */
export function convertUnitPrice(priceMicros: number, fromFactor: number, toFactor: number): number {
  return divideRounded(BigInt(priceMicros) * BigInt(toFactor), BigInt(fromFactor));
}

/**
 * Splits `amount` over `weights` exactly: each share is the floor of its proportion, and the
 * micros left over go one each to the largest remainders (ties to the earlier line). The shares
 * always add up to `amount`. All weights zero is the caller's error to report.
 */
export function apportion(amount: number, weights: ReadonlyArray<number | bigint>): number[] {
  const total = weights.reduce<bigint>((sum, w) => sum + BigInt(w), 0n);
  if (total <= 0n) throw new RangeError('nothing to apportion over');
  const big = BigInt(amount);
  const shares = weights.map((w) => (big * BigInt(w)) / total);
  const remainders = weights.map((w, i) => ({ i, r: (big * BigInt(w)) % total }));
  let left = big - shares.reduce((sum, s) => sum + s, 0n);
  remainders.sort((a, b) => (b.r > a.r ? 1 : b.r < a.r ? -1 : a.i - b.i));
  for (const { i } of remainders) {
    if (left <= 0n) break;
    shares[i] = shares[i]! + 1n;
    left -= 1n;
  }
  return shares.map(toSafe);
}

/** part ÷ whole as a percentage rounded to two decimals (2 of 3 is 66.67); null when there is no whole. */
export function percentWithTwoDecimals(part: number, whole: number): number | null {
  if (whole === 0) return null;
  return divideRounded(BigInt(part) * 10_000n, BigInt(whole)) / 100;
}
