import { describe, expect, it } from 'vitest';
import { echelonPosition, fairShares, planTransfers, surplusOf, type SiteStock } from './planning.ts';

const at = (siteId: string, kind: SiteStock['kind'], onHand: number, min: number, max: number, extra: Partial<SiteStock> = {}): SiteStock => ({
  siteId,
  kind,
  position: { onHand, reserved: 0, onOrder: 0, inTransit: 0 },
  level: { min, max },
  ...extra,
});

describe('the echelon warehouse', () => {
  it('shares what it can give so every store reaches the same part of its max', () => {
    // A at 2 of 10 needs 8, B at 6 of 20 needs 14; 10 to give: 10f − 2 + 20f − 6 = 10 → f = 0.6: A 4, B 6.
    const dests = [
      { position: 2000, max: 10_000, need: 8000 },
      { position: 6000, max: 20_000, need: 14_000 },
    ];
    expect(fairShares(dests, 10_000)).toEqual([4000, 6000]);
    // 11: f = 19/30 gives 4.33 and 6.67; whole units 4 and 6, the unit left over to the lower against its max (a tie: the first).
    expect(fairShares(dests, 11_000)).toEqual([5000, 6000]);
    // Enough for both: each its need.
    expect(fairShares(dests, 30_000)).toEqual([8000, 14_000]);
    // Nothing to give.
    expect(fairShares(dests, 0)).toEqual([0, 0]);
  });

  it('gives all it holds above its own customers\' keep, whatever its echelon min', () => {
    // 12 on hand, keep 2, echelon min 50: 10 can go (a transfer leaves the echelon stock as it was).
    const w = at('w', 'warehouse', 12_000, 50_000, 60_000, { keep: 2000, echelon: true });
    expect(surplusOf(w)).toBe(10_000);
    // The two-level warehouse with the same figures gives nothing: 12 is below its min of 50.
    expect(surplusOf({ ...w, echelon: false })).toBe(0);
    const moves = planTransfers([w, at('a', 'store', 2000, 4000, 10_000), at('b', 'store', 6000, 8000, 20_000)]);
    expect(moves.map((m) => [m.destinationSiteId, m.qty]).sort()).toEqual([
      ['a', 4000],
      ['b', 6000],
    ]);
    // The warehouse keeps its 2 for its own customers; the echelon stock is 12 + 2 + 6 = 20 before and after.
    expect(12_000 - moves.reduce((a, m) => a + m.qty, 0)).toBe(2000);
    expect(echelonPosition([w, at('a', 'store', 2000, 4000, 10_000), at('b', 'store', 6000, 8000, 20_000)])).toBe(20_000);
  });

  it('sends only to stores at or below their min: a store above it waits for the next van', () => {
    // 27 held, keep 2: 25 could go. A at 2 of 10 and B at 6 of 20 need 8 and 14 (22, all of it); C at 15, above its min of 8, gets none.
    const w = at('w', 'warehouse', 27_000, 50_000, 60_000, { keep: 2000, echelon: true });
    const moves = planTransfers([w, at('a', 'store', 2000, 4000, 10_000), at('b', 'store', 6000, 8000, 20_000), at('c', 'store', 15_000, 8000, 20_000)]);
    expect(moves.map((m) => [m.destinationSiteId, m.qty]).sort()).toEqual([
      ['a', 8000],
      ['b', 14_000],
    ]);
    // The two-level warehouse sends only above its own min: none here (27 < 50).
    expect(planTransfers([{ ...w, echelon: false }, at('a', 'store', 2000, 4000, 10_000), at('c', 'store', 15_000, 8000, 20_000)])).toEqual([]);
  });

  it('counts on order and in transit, less reserved, in the echelon stock', () => {
    const w: SiteStock = { siteId: 'w', kind: 'warehouse', position: { onHand: 10_000, reserved: 3000, onOrder: 24_000, inTransit: 0 }, level: { min: 40_000, max: 60_000 }, echelon: true };
    const s: SiteStock = { siteId: 's', kind: 'store', position: { onHand: 1000, reserved: 0, onOrder: 0, inTransit: 3000 }, level: { min: 4000, max: 10_000 } };
    // (10 − 3 + 24) + (1 + 3) = 35.
    expect(echelonPosition([w, s])).toBe(35_000);
  });
});
