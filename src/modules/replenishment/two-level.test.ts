import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem } from '../../../test/support/fixtures.ts';
import { $, q, sell } from '../../../test/support/shop.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { countQuantile } from '../forecasting/index.ts';
import { createLocation } from '../locations/index.ts';
import { createVendor, setVendorItem } from '../purchasing/index.ts';
import { planTransfers, shortAfterMoves, surplusOf, type SiteStock } from './planning.ts';
import { proposeReplenishment } from './proposals.service.ts';
import { suggestLevels } from './levels.service.ts';

const DAY = 86_400_000;

describe('two-level planning: what a warehouse gives', () => {
  const warehouse = (onHand: number, onOrder: number, min: number): SiteStock => ({
    siteId: 'w',
    kind: 'warehouse',
    position: { onHand, reserved: 0, onOrder, inTransit: 0 },
    level: { min, max: min + 10_000 },
  });

  it('sends what it holds while its stock counting what it has on order stays at or above its min', () => {
    // 12 on hand and 30 on order against a min of 25: 42 − 25 = 17 could go, but only the 12 it holds can travel.
    expect(surplusOf(warehouse(12_000, 30_000, 25_000))).toBe(12_000);
    // 30 on hand, nothing on order, min 25: 5, and it never goes below its min.
    expect(surplusOf(warehouse(30_000, 0, 25_000))).toBe(5000);
    // At its min counting what is on order: nothing to give until it buys.
    expect(surplusOf(warehouse(10_000, 15_000, 25_000))).toBe(0);
    expect(surplusOf({ ...warehouse(10_000, 0, 0), level: null })).toBe(0);
    // Planned for its stores, it keeps what its own customers need on the shelf: 12 held, 5 kept, 7 can go.
    expect(surplusOf({ ...warehouse(12_000, 30_000, 25_000), keep: 5000 })).toBe(7000);
  });

  it('never takes a source below its own min, and what a store still needs is left for the warehouse to buy', () => {
    const w = warehouse(8000, 20_000, 22_000);
    const store: SiteStock = { siteId: 's', kind: 'store', position: { onHand: 1000, reserved: 0, onOrder: 0, inTransit: 0 }, level: { min: 4000, max: 13_000 } };
    const moves = planTransfers([w, store]);
    // The warehouse is at 28 counting its order, min 22: it gives 6 (of the 8 it holds), not the 12 the store needs.
    expect(moves).toEqual([{ sourceSiteId: 'w', destinationSiteId: 's', qty: 6000, sourceFreeBefore: 8000, sourceMin: 22_000 }]);
    expect(28_000 - moves[0]!.qty).toBeGreaterThanOrEqual(22_000);
    expect(shortAfterMoves([w, store], moves)).toEqual(new Map([['s', 6000]]));
  });
});

/**
 * A warehouse and two stores. The stores sell 3 and 1 a day for ten weeks from plenty of stock;
 * the warehouse holds the item but sells none itself. The vendor promises 5 days and has delivered
 * nothing yet. Ten weeks are too few to backtest: the forecasts are the recent mean with a count's
 * (Poisson) spread.
 *
 * The warehouse's level counts the stores it fills: 4 a day over the 5-day lead time + 7-day
 * review = 48, covered at 98 % by one pooled count; max = min + 7 × 4. A store then plans on the
 * transfer cycle (no transfers received yet: a day and a week), not the vendor's: 3 × 8 = 24 at
 * 98 %, max = min + 21. Proposals: the store is filled from the warehouse and buys nothing
 * itself; what the warehouse cannot send it, the warehouse buys.
 */
describeEachDatabase('two-level planning: levels and proposals', (get) => {
  it('plans the warehouse for its stores and the stores on the transfer cycle', async () => {
    const start = Date.UTC(2026, 2, 2, 0);
    const clock = new ManualClock(start);
    const ctx = serviceContext(get().db, clock);
    const tag = `TL${Date.now().toString(36).slice(-5)}`.toUpperCase();
    const warehouse = await createLocation(ctx, { kind: 'site', code: `${tag}W`, name: 'Depot', site_type: 'warehouse' });
    const north = await createLocation(ctx, { kind: 'site', code: `${tag}N`, name: 'North', site_type: 'store' });
    const south = await createLocation(ctx, { kind: 'site', code: `${tag}S`, name: 'South', site_type: 'store' });
    const item = await makeItem(ctx);
    const vendor = await createVendor(ctx, { name: `${tag} vendor`, lead_time_days: 5 } as never);
    await setVendorItem(ctx, vendor.id, item.id, { unit_cost: 2_000_000, preferred: true } as never);
    for (const [site, qty] of [
      [warehouse.id, 100],
      [north.id, 400],
      [south.id, 200],
    ] as const) {
      await createAdjustment(ctx, { location_id: site, reason: 'found', lines: [{ item_id: item.id, qty: q(qty), unit_cost: $('2.00') }] } as never);
    }
    for (let day = 1; day <= 70; day += 1) {
      clock.set(start + day * DAY + 12 * 3_600_000);
      await sell(ctx, { location_id: north.id, lines: [{ item_id: item.id, qty: 3, unit_price: '5.00' }], payments: [{ tender: 'cash', amount: '15.00' }] });
      await sell(ctx, { location_id: south.id, lines: [{ item_id: item.id, qty: 1, unit_price: '5.00' }], payments: [{ tender: 'cash', amount: '5.00' }] });
    }
    clock.set(start + 71 * DAY + 8 * 3_600_000);

    const [atWarehouse] = await suggestLevels(ctx, warehouse.id, { itemIds: [item.id] }, { apply: true, warehousePlanning: 'two_level' });
    // One pooled count over the 48 the three sites expect (a Poisson's spread: ten weeks are too few to backtest), not a safety stock per store.
    const pooled = countQuantile(48, 48, 0.98);
    expect(pooled).toBeLessThan(countQuantile(36, 36, 0.98) + countQuantile(12, 12, 0.98));
    expect(atWarehouse!.level).toEqual({ min: q(pooled), max: q(pooled + 28) });
    expect(atWarehouse!.basis).toMatchObject({ leadTimeDays: 5, leadTimeSource: 'promised', reviewDays: 7, forecast: q(48), storesCounted: 2 });

    const [atNorth] = await suggestLevels(ctx, north.id, { itemIds: [item.id] }, { apply: true, warehousePlanning: 'two_level' });
    const northMin = countQuantile(24, 24, 0.98);
    expect(atNorth!.level).toEqual({ min: q(northMin), max: q(northMin + 21) });
    expect(atNorth!.basis).toMatchObject({ leadTimeDays: 1, leadTimeSource: 'transfer', reviewDays: 7, forecast: q(24) });

    // North has 400 − 210 = 190, far above its min: nothing. Bring it down to 10 and it is filled from the warehouse.
    await createAdjustment(ctx, { location_id: north.id, reason: 'damaged', lines: [{ item_id: item.id, qty: q(-180) }] } as never);
    const proposals = await proposeReplenishment(ctx);
    const move = proposals.transfer.find((g) => g.destinationSiteId === north.id)?.lines.find((l) => l.itemId === item.id);
    // North needs its max less 10; the warehouse has 100 and gives what keeps it at its min.
    const gives = Math.min(northMin + 21 - 10, 100 - pooled);
    expect(move).toMatchObject({ qty: q(gives), why: `on hand 10, min ${northMin}, max ${northMin + 21} → move ${gives} from Depot (it has 100 free, keeps ${100 - gives}, its min is ${pooled})` });
    // What North still needs the warehouse buys, counting it beside its own level.
    const bought = proposals.purchase.find((g) => g.siteId === warehouse.id)?.lines.find((l) => l.itemId === item.id);
    expect(bought?.storesShort ?? 0).toBe(q(northMin + 21 - 10 - gives));
    expect(proposals.purchase.filter((g) => g.siteId === north.id && g.lines.some((l) => l.itemId === item.id))).toEqual([]);
  }, 120_000);
});
