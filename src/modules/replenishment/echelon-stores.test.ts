import { expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem } from '../../../test/support/fixtures.ts';
import { q, sell } from '../../../test/support/shop.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { createLocation } from '../locations/index.ts';
import { createVendor, setVendorItem } from '../purchasing/index.ts';
import { putLevel, suggestLevels } from './levels.service.ts';
import { proposeReplenishment } from './proposals.service.ts';

const DAY = 86_400_000;

/**
 * The echelon rule at the stores: a slow item keeps one on the shelf, and a store its warehouse
 * cannot fill that would be empty buys up to its min itself, one pack at most.
 */
describeEachDatabase('echelon planning at the stores', (get) => {
  const setUp = async () => {
    const start = Date.UTC(2026, 4, 4, 0);
    const clock = new ManualClock(start);
    const ctx = serviceContext(get().db, clock);
    const tag = `ES${Date.now().toString(36).slice(-5)}`.toUpperCase();
    const warehouse = await createLocation(ctx, { kind: 'site', code: `${tag}W`, name: 'Depot', site_type: 'warehouse' });
    const store = await createLocation(ctx, { kind: 'site', code: `${tag}S`, name: 'Quay', site_type: 'store' });
    const vendor = await createVendor(ctx, { name: `${tag} vendor`, lead_time_days: 5 } as never);
    return { start, clock, ctx, warehouse, store, vendor };
  };

  it('keeps one of a slow item the store carries, where a forecast of 0 would keep none', async () => {
    const { start, clock, ctx, warehouse, store, vendor } = await setUp();
    const slow = await makeItem(ctx);
    const selling = await makeItem(ctx);
    for (const item of [slow, selling]) await setVendorItem(ctx, vendor.id, item.id, { unit_cost: 1_000_000, preferred: true } as never);
    await createAdjustment(ctx, { location_id: store.id, reason: 'found', lines: [slow, selling].map((i) => ({ item_id: i.id, qty: q(50), unit_cost: 1_000_000 })) } as never);
    for (let day = 1; day <= 20; day += 1) {
      clock.set(start + day * DAY + 12 * 3_600_000);
      await sell(ctx, { location_id: store.id, lines: [{ item_id: selling.id, qty: 1, unit_price: '3.00' }], payments: [{ tender: 'cash', amount: '3.00' }] });
    }
    clock.set(start + 21 * DAY + 8 * 3_600_000);

    const echelon = await suggestLevels(ctx, store.id, { itemIds: [slow.id] }, {});
    expect(echelon[0]!.level.min).toBeCloseTo(0);
    expect(echelon[0]!.level.max).toBe(q(1));
    expect(echelon[0]!.basis.shelfFloor).toBe(true);
    const twoLevel = await suggestLevels(ctx, store.id, { itemIds: [slow.id] }, { warehousePlanning: 'two_level' });
    expect(twoLevel[0]!.level.max).toBeCloseTo(0);
    // An item that sells plans on its forecast, above the floor; the warehouse, which never held either, keeps none.
    const [sells] = await suggestLevels(ctx, store.id, { itemIds: [selling.id] }, {});
    expect(sells!.level.max).toBeGreaterThan(q(1));
    expect(sells!.basis.shelfFloor).toBeUndefined();
    expect((await suggestLevels(ctx, warehouse.id, { itemIds: [slow.id] }, {}))[0]!.level.max).toBeCloseTo(0);
  }, 120_000);

  it('buys one pack towards its min for a store its echelon warehouse cannot fill and that has nothing, and not for one that has some', async () => {
    const { ctx, warehouse, store, vendor } = await setUp();
    const other = await createLocation(ctx, { kind: 'site', code: `${store.code}2`, name: 'Pier', site_type: 'store' });
    const item = await makeItem(ctx);
    await setVendorItem(ctx, vendor.id, item.id, { unit_cost: 1_000_000, preferred: true } as never);
    const basis = { leadTimeDays: 5, reviewDays: 7, servicePermille: 875, forecast: q(10), leadTimeSource: 'promised' as const, storesCounted: 2, ownKeep: 0, ownMax: 0, echelon: true };
    await putLevel(ctx, item.id, warehouse.id, { min: q(10), max: q(20), source: 'suggested', basis });
    await putLevel(ctx, item.id, store.id, { min: q(2), max: q(5) });
    await putLevel(ctx, item.id, other.id, { min: q(2), max: q(5) });
    // Pier holds one: at its min, short, but not empty.
    await createAdjustment(ctx, { location_id: other.id, reason: 'found', lines: [{ item_id: item.id, qty: q(1), unit_cost: 1_000_000 }] } as never);

    const proposals = await proposeReplenishment(ctx);
    expect(proposals.transfer.filter((g) => g.sourceSiteId === warehouse.id)).toEqual([]);
    const lineAt = (siteId: string) => proposals.purchase.find((g) => g.siteId === siteId)?.lines.find((l) => l.itemId === item.id);
    // Up to its min of 2, but one pack at most (one unit: the vendor sells it singly); the warehouse's delivery brings the rest.
    expect(lineAt(store.id)?.order.qtyBase).toBe(q(1));
    expect(lineAt(store.id)?.why).toBe('on hand 0, min 2, max 5 → order 1, one unit for now: the warehouse has none to send');
    expect(lineAt(other.id)).toBeUndefined();
    // The warehouse buys on the echelon stock, which counts the store's own order at once: 20 − (0 + 1 + 1) = 18, not 19.
    expect(lineAt(warehouse.id)?.order.qtyBase).toBe(q(18));
  }, 120_000);
});
