import { describe, expect, it } from 'vitest';
import { adida, croston, holtDamped, holtWinters, movingAverage, naive, sba, seasonalNaive, sesAlpha, sesLevel, slope, theta, tsb, weeklyIndices, yearlyIndex } from './methods.ts';

// Every expected number below was worked by hand from the method's definition (see the comments).
describe('forecasting methods', () => {
  it('naive repeats the last day', () => {
    expect(naive([1, 2, 3], 2)).toEqual([3, 3]);
  });

  it('seasonal naive repeats the last season in phase', () => {
    expect(seasonalNaive(3)([1, 2, 3, 4, 5, 6], 4)).toEqual([4, 5, 6, 4]);
  });

  it('moving average is the mean of the last k days', () => {
    expect(movingAverage(3)([1, 2, 3, 4, 5], 2)).toEqual([4, 4]);
  });

  it('SES updates the level by α times the error and sums the one-step errors', () => {
    // ℓ=10; y=20: e=10, ℓ=15; y=10: e=−5, ℓ=12.5; SSE = 100 + 25.
    expect(sesLevel([10, 20, 10], 0.5)).toEqual({ level: 12.5, sse: 125 });
    // α=0.05: SSE 100 + 0.5² = 100.25; α=0.1: 100 + 1 = 101; the smallest α wins.
    expect(sesAlpha([10, 20, 10])).toBe(0.05);
  });

  it('damped Holt adds φ + φ² + … of the trend', () => {
    // ℓ=1, b=2; y=3: ℓ=1.5+0.5(1+1)=2.5, b=0.5(1.5)+0.25(2)=1.25;
    // y=5: ℓ=2.5+0.5(2.5+0.625)=4.0625, b=0.5(1.5625)+0.25(1.25)=1.09375.
    // ŷ1 = 4.0625 + 0.5·1.09375 = 4.609375; ŷ2 = 4.0625 + 0.75·1.09375 = 4.8828125.
    expect(holtDamped(0.5, 0.5, 0.5)([1, 3, 5], 2)).toEqual([4.609375, 4.8828125]);
  });

  it('additive Holt-Winters smooths level and season', () => {
    // m=2: ℓ=2, s=[−1,1]; y=1: ℓ=2, s0=−1; y=3: ℓ=2, s1=1; y=3: ℓ=3, s0=−0.5; y=5: ℓ=3.5, s1=1.25.
    expect(holtWinters(2, 0.5, 0.5)([1, 3, 1, 3, 3, 5], 2)).toEqual([3, 4.75]);
  });

  it('theta is SES plus half the trend slope', () => {
    // SES α=0.5 on 1,2,3,4: ℓ=3.125; slope 1; tail = 1/0.5 − 0.5⁴/0.5 = 1.875.
    // ŷ1 = 3.125 + 0.5(0 + 1.875) = 4.0625; ŷ2 = 3.125 + 0.5(1 + 1.875) = 4.5625.
    expect(slope([1, 2, 3, 4])).toBe(1);
    expect(theta(0.5)([1, 2, 3, 4], 2)).toEqual([4.0625, 4.5625]);
  });

  it('Croston divides the smoothed size by the smoothed interval; SBA takes off α/2', () => {
    // First demand 4 after 2 days: z=4, p=2; then 2 after 3 days: z=3, p=2.5; 3/2.5 = 1.2.
    expect(croston(0.5)([0, 4, 0, 0, 2], 1)).toEqual([1.2]);
    expect(sba(0.5)([0, 4, 0, 0, 2], 1)).toEqual([0.9]);
  });

  it('TSB smooths the probability every day and the size on demand days', () => {
    // π=0.5, z=3; 0: π=0.25; 4: π=0.625, z=3.5; 0: π=0.3125; 2: π=0.65625, z=2.75 → 1.8046875.
    expect(tsb(0.5, 0.5)([0, 4, 0, 2], 1)).toEqual([1.8046875]);
  });

  it('ADIDA smooths bucket totals ending at the last day and spreads them evenly', () => {
    // Buckets of 2 from the end: [1,2]=3, [3,4]=7 (the 9 is left over); SES α=0.5: 3 → 5; 5/2 = 2.5.
    expect(adida(2, 0.5)([9, 1, 2, 3, 4], 1)).toEqual([2.5]);
  });

  it('weekly indices divide each weekday mean by the overall mean', () => {
    const y = Array.from({ length: 28 }, (_, t) => (t % 7 === 6 ? 8 : 1));
    // Overall mean (6·1 + 8)/7 = 2: indices 0.5 and 4.
    expect(weeklyIndices(y)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 4]);
  });

  it('the yearly index compares the same weeks of earlier years with the last year', () => {
    // Two years: 2 a day in the first 30 days of each year, 1 otherwise. Last-year mean = (30·2 + 335)/365.
    const y = Array.from({ length: 730 }, (_, t) => (t % 365 < 30 ? 2 : 1));
    const yearMean = (30 * 2 + 335) / 365;
    // Day 15 (and 380): windows 1..29 in both years, all 2.
    expect(yearlyIndex(y, 14)(730 + 15)).toBeCloseTo(2 / yearMean, 12);
    expect(yearlyIndex(y, 14)(730 + 200)).toBeCloseTo(1 / yearMean, 12);
  });
});
