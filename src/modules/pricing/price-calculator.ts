import { mulDiv } from '../../platform/decimal.ts';
import { MICROS_PER_UNIT } from '../../platform/money.ts';

/**
 * The arithmetic of the pricing calculator, free of storage: a price from a cost by markup or by
 * target margin, then rounded up to a price ending. All amounts are micros and all rates parts
 * per million (60 % = 600 000), so 4.00 at 60 % markup is exactly 6.40, never 6.3999….
 */

export type PriceMethod = 'markup' | 'margin';

/** Round up to the next amount that ends in `ending` within steps of `step` (both micros): 6.40 → 6.99 with step 1.00, ending 0.99. */
export interface PriceEnding {
  step: number;
  ending: number;
}

/** A band applies to prices below `below` (micros; null: every price above the previous bands). */
export interface PriceBand extends PriceEnding {
  below: number | null;
}

export type Rounding =
  | { kind: 'none' }
  | { kind: 'ending'; ending: PriceEnding }
  | { kind: 'nearest'; step: number }
  | { kind: 'bands'; bands: PriceBand[] };

export interface PriceRule {
  method: PriceMethod;
  /** Markup over cost, or margin of the price, in ppm. A margin must stay below 100 %. */
  ratePpm: number;
  rounding: Rounding;
}

const full = 1_000_000;

/** The price before rounding: cost × (1 + markup), or cost ÷ (1 − margin); half a micro rounds away from zero. */
export function rawPrice(costMicros: number, method: PriceMethod, ratePpm: number): number {
  if (method === 'markup') return mulDiv(costMicros, full + ratePpm, full);
  if (ratePpm >= full) throw new RangeError('a margin must be below 100 %');
  return mulDiv(costMicros, full, full - ratePpm);
}

export function roundUpToEnding(priceMicros: number, { step, ending }: PriceEnding): number {
  // A price below one step (0.04 a gram) keeps its size: rounding it up to 0.99 would multiply it.
  if (priceMicros < step) return priceMicros;
  const candidate = Math.floor(priceMicros / step) * step + ending;
  return candidate >= priceMicros ? candidate : candidate + step;
}

/** Half up to the nearest multiple of `step` (0.05: 6.42 → 6.40, 6.43 → 6.45). */
export function roundToNearest(priceMicros: number, step: number): number {
  return mulDiv(priceMicros, 1, step) * step;
}

export function applyRounding(priceMicros: number, rounding: Rounding): number {
  switch (rounding.kind) {
    case 'none':
      return priceMicros;
    case 'ending':
      return roundUpToEnding(priceMicros, rounding.ending);
    case 'nearest':
      return roundToNearest(priceMicros, rounding.step);
    case 'bands': {
      const band = rounding.bands.find((b) => b.below === null || priceMicros < b.below) ?? rounding.bands[rounding.bands.length - 1];
      return band ? roundUpToEnding(priceMicros, band) : priceMicros;
    }
  }
}

/** The selling price: raw, rounded by the rule, then to the currency's minor unit (a price is stored in whole cents). */
export function priceFromCost(costMicros: number, rule: PriceRule, minorUnitMicros = 10_000): number {
  return roundToNearest(applyRounding(rawPrice(costMicros, rule.method, rule.ratePpm), rule.rounding), minorUnitMicros);
}

/** Margin of a price over a cost, in ppm of the price; null without a positive price. */
export function marginPpm(priceMicros: number | null, costMicros: number | null): number | null {
  if (priceMicros === null || costMicros === null || priceMicros <= 0) return null;
  return mulDiv(priceMicros - costMicros, full, priceMicros);
}

/** Readable form of a rule for the price history ("markup 60% round up to .99"). */
export function describeRule(rule: PriceRule): string {
  const rate = `${rule.method} ${rule.ratePpm / 10_000}%`;
  const money = (m: number) => (m / MICROS_PER_UNIT).toFixed(2);
  switch (rule.rounding.kind) {
    case 'none':
      return rate;
    case 'ending':
      return `${rate}, up to ${money(rule.rounding.ending.ending)} ending`;
    case 'nearest':
      return `${rate}, nearest ${money(rule.rounding.step)}`;
    case 'bands':
      return `${rate}, endings by band`;
  }
}
