import { describe, expect, it } from 'vitest';
import { borrowedForecast, channelShares, inStockSales, ownHistoryTooThin, shareOf, storesDailyRate } from './channel-share.ts';
import type { DemandForecast } from './engine.ts';

const forecastOf = (mean: number[]): DemandForecast => ({ method: 'x', demandClass: 'smooth', start: '2026-03-01', mean, errorSd: 1, rmsse: null });

describe("a channel's demand from outside its censored history", () => {
  it('counts units and days only over the in-stock, unflagged days of the window', () => {
    const values = [2, 0, 3, 1, 0, 0, 4, 2, 1, 9];
    const censored = values.map((_, d) => d === 4 || d === 5);
    const flagged = values.map((_, d) => d === 9);
    // 10 days less 2 out of stock and 1 promotion: 7 days, 2 + 0 + 3 + 1 + 4 + 2 + 1 = 13 units.
    expect(inStockSales({ start: '2026-03-01', values, censored, flagged })).toEqual({ days: 7, sold: 13 });
    // Over the last 3 days only: day 7 and 8 (day 9 is flagged): 2 + 1.
    expect(inStockSales({ start: '2026-03-01', values, censored, flagged }, 3)).toEqual({ days: 2, sold: 3 });
    // Two stores: 12 units over 4 in-stock days (3 a day) and 2 over 2 (1 a day): 4 a day together.
    const store = (v: number[], c: boolean[]) => ({ start: '2026-03-01', values: v, censored: c });
    expect(storesDailyRate([store([3, 3, 0, 3, 3], [false, false, true, false, false]), store([1, 1], [false, false])])).toBe(4);
  });

  it("weighs each item's channel sales against the stores' rate over the same in-stock days, per category and shop-wide", () => {
    const shares = channelShares([
      // Knitwear: 30 sold online on 40 in-stock days where the stores sell 3 a day (120), and 2 on 10 days against 1 a day (10).
      { category: 'Knitwear', own: { days: 40, sold: 30 }, storesRate: 3 },
      { category: 'Knitwear', own: { days: 10, sold: 2 }, storesRate: 1 },
      // Not sold at the stores: says nothing of the ratio.
      { category: 'Knitwear', own: { days: 56, sold: 20 }, storesRate: 0 },
      // Candles: 1 against 2 × 5 = 10 expected, too little to go on alone (under 20).
      { category: 'Candles', own: { days: 5, sold: 1 }, storesRate: 2 },
    ]);
    // Knitwear 32 / 130; the shop (32 + 1) / (130 + 10).
    expect(shares.byCategory.get('Knitwear')).toBeCloseTo(32 / 130, 12);
    expect(shares.byCategory.has('Candles')).toBe(false);
    expect(shares.shop).toBeCloseTo(33 / 140, 12);
    expect(shareOf(shares, 'Knitwear')).toBeCloseTo(32 / 130, 12);
    expect(shareOf(shares, 'Candles')).toBeCloseTo(33 / 140, 12);
    expect(shareOf(shares, null)).toBeCloseTo(33 / 140, 12);
    // A shop with no exposure at all has no share to lend.
    expect(channelShares([{ category: 'Knitwear', own: { days: 3, sold: 1 }, storesRate: 1 }]).shop).toBeNull();
  });

  it('plans on its own history from 28 in-stock days of the last 56 with a sale among them', () => {
    expect(ownHistoryTooThin({ days: 27, sold: 40 })).toBe(true);
    expect(ownHistoryTooThin({ days: 28, sold: 1 })).toBe(false);
    expect(ownHistoryTooThin({ days: 56, sold: 0 })).toBe(true);
    // Eight weeks in stock and no sale: the borrowed rate weighs 28 / (56 + 28) = 1/3.
    expect(borrowedForecast([{ forecast: forecastOf([6, 6]), offset: 0 }], 0.25, { days: 56, sold: 0 }, '2026-03-02', 2).mean).toEqual([0.5, 0.5]);
  });

  it("borrows the stores' forecast day by day, times the share, blended with the item's own in-stock rate", () => {
    // Store 1 forecasts 2 a day; store 2's stored forecast started a day earlier (offset 1) and ends at its last day.
    const stores = [
      { forecast: forecastOf([2, 2, 2, 2, 2]), offset: 0 },
      { forecast: forecastOf([9, 1, 3, 1, 3]), offset: 1 },
    ];
    // The stores together: 3, 5, 3, 5, 5 (store 2's day 5 is its last, 3). The item sold 7 on 14 in-stock days: 0.5 a day,
    // weighing 14 / (14 + 28) = 1/3 against the borrowed 0.25 × the stores: 1/3 × 0.5 + 2/3 × 0.25 × s = (1 + s) / 6.
    const f = borrowedForecast(stores, 0.25, { days: 14, sold: 7 }, '2026-03-02', 5);
    expect(f.method).toBe('channel_share');
    expect(f.demandClass).toBe('new');
    expect(f.start).toBe('2026-03-02');
    [4 / 6, 1, 4 / 6, 1, 1].forEach((m, d) => expect(f.mean[d]).toBeCloseTo(m, 12));
    // Its error is a Poisson count's at its level, 13/15 a day: over 4 days the variance is 4 × 13/15.
    expect(f.errorSd).toBeCloseTo(Math.sqrt(13 / 15), 12);
    expect(f.windowErrorSd![3]).toBeCloseTo(Math.sqrt((4 * 13) / 15), 12);
    // Never in stock: all borrowed.
    expect(borrowedForecast(stores, 0.25, { days: 0, sold: 0 }, '2026-03-02', 2).mean).toEqual([0.75, 1.25]);
  });
});
