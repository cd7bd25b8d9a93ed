import { expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem } from '../../../test/support/fixtures.ts';
import { q, sell } from '../../../test/support/shop.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { countQuantile } from '../forecasting/index.ts';
import { createLocation } from '../locations/index.ts';
import { createVendor, setVendorItem } from '../purchasing/index.ts';
import { suggestLevels } from './levels.service.ts';
import { proposeReplenishment } from './proposals.service.ts';

const DAY = 86_400_000;

/**
 * A warehouse with a web shop (its own counter here) and two stores, two scarves, 30 days. The
 * stores sell 3 and 1 of the grey a day, 6 and 2 of the red. The warehouse sells 1 a day of the
 * grey scarf from 100 in stock; the red one it had a single unit of on day 1, sold at once, and never again:
 * every day of its history there is out of stock, so its own record says nothing of its demand.
 *
 * The channel's share of the shop's stores' demand: the grey scarf sold 30 online over its 31 in-stock days
 * (day 0 counts, selling none), against the stores' 4 × 30 / 31 a day over the same 31 days, 120:
 * 30 / 120 = 0.25. The red scarf's web demand is then 0.25 × (6 + 2) = 2 a day (its own record, the one
 * unit of day 1 sold as the shelf emptied, would say 1).
 */
describeEachDatabase('the warehouse web shop from the stores, and the echelon level', (get) => {
  it("reads the web shop's demand of a sold-out item from the stores times the channel's share, and buys on the echelon stock", async () => {
    const start = Date.UTC(2026, 2, 2, 0);
    const clock = new ManualClock(start);
    const ctx = serviceContext(get().db, clock);
    const tag = `EC${Date.now().toString(36).slice(-5)}`.toUpperCase();
    const warehouse = await createLocation(ctx, { kind: 'site', code: `${tag}W`, name: 'Depot', site_type: 'warehouse' });
    const north = await createLocation(ctx, { kind: 'site', code: `${tag}N`, name: 'North', site_type: 'store' });
    const south = await createLocation(ctx, { kind: 'site', code: `${tag}S`, name: 'South', site_type: 'store' });
    // No category: the shop's share stands in (and new items' forecasts are their plain recent mean, with no category calendar).
    const grey = await makeItem(ctx);
    const red = await makeItem(ctx);
    const vendor = await createVendor(ctx, { name: `${tag} vendor`, lead_time_days: 5 } as never);
    for (const item of [grey, red]) await setVendorItem(ctx, vendor.id, item.id, { unit_cost: 2_000_000, preferred: true } as never);
    const found = (site: string, lines: Array<[string, number]>) =>
      createAdjustment(ctx, { location_id: site, reason: 'found', lines: lines.map(([item_id, n]) => ({ item_id, qty: q(n), unit_cost: 2_000_000 })) } as never);
    await found(warehouse.id, [[grey.id, 100]]);
    await found(north.id, [[grey.id, 100], [red.id, 200]]);
    await found(south.id, [[grey.id, 40], [red.id, 70]]);
    for (let day = 1; day <= 30; day += 1) {
      clock.set(start + day * DAY + 8 * 3_600_000);
      if (day === 1) await found(warehouse.id, [[red.id, 1]]);
      clock.set(start + day * DAY + 12 * 3_600_000);
      const both = (n: number) => [
        { item_id: grey.id, qty: n, unit_price: '5.00' },
        { item_id: red.id, qty: 2 * n, unit_price: '5.00' },
      ];
      await sell(ctx, { location_id: north.id, lines: both(3), payments: [{ tender: 'cash', amount: '45.00' }] });
      await sell(ctx, { location_id: south.id, lines: both(1), payments: [{ tender: 'cash', amount: '15.00' }] });
      const online = [{ item_id: grey.id, qty: 1, unit_price: '5.00' }, ...(day === 1 ? [{ item_id: red.id, qty: 1, unit_price: '5.00' }] : [])];
      await sell(ctx, { location_id: warehouse.id, lines: online, payments: [{ tender: 'cash', amount: day === 1 ? '10.00' : '5.00' }] });
    }
    clock.set(start + 31 * DAY + 8 * 3_600_000);

    // Two-level (the rule before echelon): the red scarf's own customers need 2 a day over the 5-day lead time + 7-day review: 24, kept at 98 %
    // as a Poisson count; the level counts the stores' 96 beside it, one pooled count of 120 (each part a count's spread).
    // The share is the shop's, though only the red scarf is asked for.
    const [twoLevel] = await suggestLevels(ctx, warehouse.id, { itemIds: [red.id] }, { warehousePlanning: 'two_level' });
    expect(twoLevel!.basis).toMatchObject({ forecast: q(120), storesCounted: 2, ownKeep: q(countQuantile(24, 24, 0.98)), ownFromStores: true });
    expect(twoLevel!.level.min).toBe(q(countQuantile(120, 120, 0.98)));

    // Echelon: each store's demand also over its transfer cycle (none received yet: a day and a week), 12 + 8 = 20 days:
    // 2 × 12 + 6 × 20 + 2 × 20 = 184, one pooled count, at the echelon warehouse's 50 % (the median: the stores hold the
    // safety stock); max = min, the periodic order-up-to level (the min already covers the lead time and review). Echelon is the default.
    const [echelon] = await suggestLevels(ctx, warehouse.id, { itemIds: [red.id] }, { apply: true });
    const min = countQuantile(184, 184, 0.5);
    expect(min).toBeLessThan(countQuantile(184, 184, 0.98));
    // Its own shelf's max: the keep plus its own customers' 2 a day over the 7-day review.
    const keep = countQuantile(24, 24, 0.5);
    expect(echelon!.basis).toMatchObject({ forecast: q(184), servicePermille: 500, echelon: true, ownKeep: q(keep), ownMax: q(keep + 14) });
    expect(echelon!.level).toEqual({ min: q(min), max: q(min) });

    // The warehouse holds none of it, North 200 − 180 = 20 and South 70 − 60 = 10: the echelon stock is 30, at or below its min,
    // so it buys up to the max (the min).
    const proposals = await proposeReplenishment(ctx);
    const line = proposals.purchase.find((g) => g.siteId === warehouse.id)?.lines.find((l) => l.itemId === red.id);
    expect(line?.order.qtyBase).toBe(q(min - 30));
    expect(line?.why).toBe(
      `on hand 0, 30 at the stores it fills, forecast 184 here and at the 2 stores it fills over the 5-day promised lead time + 7-day review, 50 % service → min ${min}, max ${min} → order ${min - 30}`,
    );
  }, 180_000);
});
