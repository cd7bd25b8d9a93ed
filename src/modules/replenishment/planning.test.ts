import { describe, expect, it } from 'vitest';
import { explainLevel, explainOrder, explainPosition, explainPurchase, explainTransfer, orderQuantity, planTransfers, positionOf, stopgapOrder, surplusOf, type PackTerms } from './planning.ts';

const caseOf6: PackTerms = { unitName: 'case', factor: 6000, packMultiple: 1000, minOrder: null };

describe('orderQuantity', () => {
  it('orders up to the max in whole cases, to the nearer case: 32 needed is 5⅓ cases, and 5 (30) bring 14 to 44, above the min of 32', () => {
    expect(orderQuantity(14_000, { min: 32_000, max: 46_000 }, caseOf6)).toEqual({ need: 32_000, qty: 5000, qtyBase: 30_000, rounding: 'rounded_down' });
  });

  it('rounds up when the nearer case is above, or when the case below would leave it at or under the min', () => {
    // 34 needed is 5⅔ cases: 6 is nearer.
    expect(orderQuantity(12_000, { min: 32_000, max: 46_000 }, caseOf6)).toMatchObject({ qty: 6000, qtyBase: 36_000, rounding: 'rounded_up' });
    // 31 needed is 5⅙ cases, but 5 cases (30) bring 2 only to 32, the min itself: 6 cases.
    expect(orderQuantity(2000, { min: 32_000, max: 33_000 }, caseOf6)).toMatchObject({ qty: 6000, rounding: 'rounded_up' });
    // Below one case nothing is left to round down to.
    expect(orderQuantity(44_000, { min: 40_000, max: 46_000 }, caseOf6)).toMatchObject({ qty: 1000, rounding: 'rounded_up' });
  });

  it('raises a small order to the vendor’s minimum of 4 cases', () => {
    expect(orderQuantity(40_000, { min: 40_000, max: 46_000 }, { ...caseOf6, minOrder: 4000 })).toEqual({ need: 6000, qty: 4000, qtyBase: 24_000, rounding: 'minimum_order' });
  });

  it('orders exactly when the need is a whole number of packs, and nothing at the max', () => {
    expect(orderQuantity(10_000, { min: 10_000, max: 22_000 }, caseOf6)).toMatchObject({ qty: 2000, qtyBase: 12_000, rounding: 'exact' });
    expect(orderQuantity(22_000, { min: 22_000, max: 22_000 }, caseOf6)).toBeNull();
  });
});

describe('stopgapOrder', () => {
  it('buys an empty store up to its min, but at most one pack: 10 would take 2 cases of 6, it buys 1', () => {
    const order = stopgapOrder(0, { min: 10_000, max: 14_000 }, caseOf6)!;
    expect(order).toEqual({ need: 10_000, qty: 1000, qtyBase: 6000, rounding: 'one_pack' });
    expect(explainOrder(order, caseOf6)).toBe('order 6, 1 case of 6 for now');
    // Sold in eaches, one pack is one unit.
    const each: PackTerms = { unitName: 'ea', factor: 1000, packMultiple: null, minOrder: null };
    expect(explainOrder(stopgapOrder(0, { min: 3000, max: 5000 }, each)!, each)).toBe('order 1, one unit for now');
  });

  it('buys one unit of a floor item as the one case it comes in, and keeps to the vendor’s minimum order', () => {
    expect(stopgapOrder(0, { min: 0, max: 1000 }, caseOf6)).toMatchObject({ qty: 1000, qtyBase: 6000, rounding: 'rounded_up' });
    expect(stopgapOrder(0, { min: 20_000, max: 30_000 }, { ...caseOf6, minOrder: 2000 })).toMatchObject({ qty: 2000, qtyBase: 12_000, rounding: 'one_pack' });
    expect(stopgapOrder(2000, { min: 1000, max: 3000 }, caseOf6)).toBeNull();
  });
});

describe('explanations', () => {
  it('says what is on hand, reserved, on order and on its way, the level, and the rounding', () => {
    const p = { onHand: 4000, reserved: 1000, onOrder: 3000, inTransit: 2000 };
    const order = orderQuantity(positionOf(p), { min: 10_000, max: 21_000 }, { unitName: 'ea', factor: 1000, packMultiple: 5000, minOrder: null })!;
    expect(explainPurchase(p, { min: 10_000, max: 21_000 }, null, order, { unitName: 'ea', factor: 1000, packMultiple: 5000, minOrder: null }, 0, 2000)).toBe(
      'on hand 4, 1 reserved, 3 on order, 2 coming by transfer, 2 proposed to other sites, min 10, max 21 → order 15, rounded up to a multiple of 5',
    );
  });

  it('says at a warehouse that its level counts the stores it fills, and what it buys for them', () => {
    const basis = { leadTimeDays: 5, reviewDays: 7, servicePermille: 980, forecast: 48_000, leadTimeSource: 'promised' as const, storesCounted: 2 };
    expect(explainLevel({ min: 63_000, max: 91_000 }, basis)).toBe('forecast 48 here and at the 2 stores it fills over the 5-day promised lead time + 7-day review, 98 % service → min 63, max 91');
    expect(explainPosition({ onHand: 20_000, reserved: 0, onOrder: 0, inTransit: 0 }, 0, 12_000, 8000)).toBe('on hand 20, 12 proposed to other sites, 8 more needed by the stores it fills');
    expect(explainLevel({ min: 34_000, max: 55_000 }, { leadTimeDays: 1, reviewDays: 7, servicePermille: 980, forecast: 24_000, leadTimeSource: 'transfer' })).toBe(
      'forecast 24 over the 1-day transfer lead time + 7-day review, 98 % service → min 34, max 55',
    );
  });

  it('writes a whole-ten service level whole and a half-percent one with its tenth', () => {
    const at = (servicePermille: number) => explainLevel({ min: 9000, max: 9000 }, { leadTimeDays: 1, reviewDays: 7, servicePermille, forecast: 8000, leadTimeSource: 'transfer' });
    expect(at(500)).toContain(', 50 % service');
    expect(at(900)).toContain(', 90 % service');
    expect(at(975)).toContain(', 97.5 % service');
  });

  it('says when it rounded down, and why that is safe', () => {
    const p = { onHand: 14_000, reserved: 0, onOrder: 0, inTransit: 0 };
    const order = orderQuantity(positionOf(p), { min: 32_000, max: 46_000 }, caseOf6)!;
    expect(explainPurchase(p, { min: 32_000, max: 46_000 }, null, order, caseOf6)).toBe('on hand 14, min 32, max 46 → order 30, rounded down to 5 cases of 6 (that still keeps it above the min)');
  });
});

describe('transfers', () => {
  it('lets a store give only what is above its max, and never below its min', () => {
    const store = { siteId: 'a', kind: 'store' as const, position: { onHand: 30_000, reserved: 5000, onOrder: 0, inTransit: 0 }, level: { min: 10_000, max: 12_000 } };
    // Free 25 (30 on hand, 5 reserved); it gives what is above its max, 25 − 12 = 13, keeping 12, above its min of 10.
    expect(surplusOf(store)).toBe(13_000);
    const short = { siteId: 'b', kind: 'store' as const, position: { onHand: 0, reserved: 0, onOrder: 0, inTransit: 0 }, level: { min: 5000, max: 20_000 } };
    expect(planTransfers([store, short])).toEqual([{ sourceSiteId: 'a', destinationSiteId: 'b', qty: 13_000, sourceFreeBefore: 25_000, sourceMin: 10_000 }]);
  });

  it('names the one-unit shelf floor in the why of a move to a store whose max it raised', () => {
    const warehouse = { siteId: 'w', kind: 'warehouse' as const, position: { onHand: 6000, reserved: 0, onOrder: 0, inTransit: 0 }, level: { min: 2000, max: 8000 }, echelon: true, keep: 1000 };
    const store = { siteId: 's', kind: 'store' as const, position: { onHand: 0, reserved: 0, onOrder: 0, inTransit: 0 }, level: { min: 0, max: 1000 }, shelfFloor: true };
    const [move] = planTransfers([warehouse, store]);
    expect(move!.qty).toBe(1000);
    expect(explainTransfer(store, move!, 'Depot')).toBe('on hand 0, min 0, max 1 (one kept on the shelf) → move 1 from Depot (it has 6 free, keeps 5, its min is 2, 1 kept for its own customers)');
  });
});
