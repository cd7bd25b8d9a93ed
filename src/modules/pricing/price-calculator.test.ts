import { describe, expect, it } from 'vitest';
import { applyRounding, marginPpm, priceFromCost, rawPrice } from './price-calculator.ts';

const m = (units: number) => Math.round(units * 1_000_000);

describe('price calculator', () => {
  it('marks 4.00 up by 60 % to 6.40 and rounds up to 6.99', () => {
    expect(rawPrice(m(4), 'markup', 600_000)).toBe(6_400_000);
    expect(priceFromCost(m(4), { method: 'markup', ratePpm: 600_000, rounding: { kind: 'ending', ending: { step: m(1), ending: 990_000 } } })).toBe(6_990_000);
  });

  it('prices 4.20 at a 40 % target margin at exactly 7.00', () => {
    expect(rawPrice(4_200_000, 'margin', 400_000)).toBe(7_000_000);
    expect(marginPpm(7_000_000, 4_200_000)).toBe(400_000);
  });

  it('rounds to .95 endings and to the nearest 0.05', () => {
    expect(applyRounding(6_400_000, { kind: 'ending', ending: { step: m(1), ending: 950_000 } })).toBe(6_950_000);
    expect(applyRounding(6_960_000, { kind: 'ending', ending: { step: m(1), ending: 950_000 } })).toBe(7_950_000);
    expect(applyRounding(6_420_000, { kind: 'nearest', step: 50_000 })).toBe(6_400_000);
    expect(applyRounding(6_425_000, { kind: 'nearest', step: 50_000 })).toBe(6_450_000);
  });

  it('chooses the ending of the price band the price falls in', () => {
    const rounding = {
      kind: 'bands' as const,
      bands: [
        { below: m(10), step: m(1), ending: 990_000 },
        { below: m(100), step: m(1), ending: 950_000 },
        { below: null, step: m(10), ending: m(9) },
      ],
    };
    expect(applyRounding(m(6.4), rounding)).toBe(6_990_000);
    expect(applyRounding(m(42.1), rounding)).toBe(42_950_000);
    expect(applyRounding(m(123), rounding)).toBe(129_000_000);
  });

  it('keeps a price below one step as it is, and stores prices in whole cents', () => {
    // 0.018 a gram at 60 % markup is 0.0288: not 0.99, but 0.03 to the cent.
    expect(priceFromCost(18_000, { method: 'markup', ratePpm: 600_000, rounding: { kind: 'ending', ending: { step: m(1), ending: 990_000 } } })).toBe(30_000);
    // 4.123 × 1.6 = 6.5968 → 6.60 with no rounding rule.
    expect(priceFromCost(4_123_000, { method: 'markup', ratePpm: 600_000, rounding: { kind: 'none' } })).toBe(6_600_000);
  });

  it('leaves a price already on its ending alone', () => {
    expect(applyRounding(6_990_000, { kind: 'ending', ending: { step: m(1), ending: 990_000 } })).toBe(6_990_000);
  });
});
