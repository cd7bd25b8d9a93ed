import { beforeAll, expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { countVarianceReport, createCount, enterCountLines, periodVarianceReport, shrinkage, submitCount } from '../src/modules/counts/index.ts';
import { buildLabels } from '../src/modules/labels/labels.service.ts';
import { labelsBody } from '../src/modules/labels/labels.schema.ts';
import { createLocation } from '../src/modules/locations/index.ts';
import { onOrderByItem } from '../src/modules/purchasing/on-order.service.ts';
import { createPurchaseOrder, sendPurchaseOrder } from '../src/modules/purchasing/purchase-orders.service.ts';
import { createVendor } from '../src/modules/purchasing/vendors.service.ts';
import { getLevel, listLevels, proposeReplenishment, putLevel } from '../src/modules/replenishment/index.ts';
import { inventoryValuation } from '../src/modules/reports/index.ts';
import { takeStockSnapshots } from '../src/modules/reports/stock-snapshots.service.ts';
import { inventoryChange } from '../src/modules/reports/inventory-change.service.ts';
import { resolveScope } from '../src/modules/reports/report-scope.ts';
import { stockAlerts } from '../src/modules/reports/stock-status.service.ts';
import { itemSales } from '../src/modules/sales/item-sales.service.ts';
import { salesTotalsByHour } from '../src/modules/sales/sales-totals.service.ts';
import { setTaxRule } from '../src/modules/tax/tax.service.ts';
import { moveBetweenBins } from '../src/modules/transfers/bin-moves.service.ts';
import { binMoveBody } from '../src/modules/transfers/transfers.schema.ts';
import { answerIntent } from '../src/modules/voice/voice.service.ts';
import { ManualClock } from '../src/platform/clock.ts';
import type { Actor, ServiceContext } from '../src/platform/context.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem, makeShop } from './support/fixtures.ts';
import { $, q, sell } from './support/shop.ts';

/**
 * The site checks of the reports and read services that have no by-id document route (the
 * sibling of test/site-checks.test.ts, fast enough for `npm run test:mutation -- sites-reads`).
 * Mugs are stocked, sold, counted, ordered and levelled at site A (the store), cups at site B (the
 * warehouse); a manager granted B, A or nothing must get the figures of their own sites only, and
 * the owner those of both. Each assertion names the numbers or ids, so a check that is dropped
 * or turned around changes an answer.
 */
describeEachDatabase('site checks of reports and reads', (get) => {
  const managerAt = (...sites: string[]): Actor => ({ kind: 'user', id: `usr_${sites.join('_') || 'none'}`, label: 'manager', role: 'manager', sites: new Set(sites) });
  let owner: ServiceContext;
  let atA: ServiceContext;
  let atB: ServiceContext;
  let atNone: ServiceContext;
  let w: Awaited<ReturnType<typeof buildWorld>>;
  // The service clock starts on 2 November 2026 at 09:00 UTC; a day either side covers any time zone.
  const period = { from: '2026-11-01', to: '2026-11-03' };

  async function buildWorld(ctx: ServiceContext) {
    const shop = await makeShop(ctx);
    const [siteA, siteB] = [shop.store, shop.warehouse];
    const mug = await makeItem(ctx, { name: 'Mug', price: $('16.00') });
    const cup = await makeItem(ctx, { name: 'Cup', price: $('3.00') });
    await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'opening_balance', lines: [{ item_id: mug.id, qty: q(40), unit_cost: $('5.00') }] });
    await createAdjustment(ctx, { location_id: siteB.id, reason: 'opening_balance', lines: [{ item_id: cup.id, qty: q(10), unit_cost: $('2.00') }] });
    await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', lines: [{ item_id: cup.id, qty: q(5), unit_cost: $('2.00') }] });
    await sell(ctx, { location_id: siteA.id, lines: [{ item_id: mug.id, qty: 2 }], payments: [{ tender: 'cash', amount: '100.00' }] });
    await sell(ctx, { location_id: siteB.id, lines: [{ item_id: cup.id, qty: 3 }], payments: [{ tender: 'cash', amount: '20.00' }] });

    // A guided count at A that finds one mug short: posted at once, with a variance.
    const count = await createCount(ctx, { site_id: siteA.id, kind: 'spot', mode: 'guided', scope: { item_ids: [mug.id] } } as any);
    await enterCountLines(ctx, count.count.id, [{ location_id: shop.storeBin, item_id: mug.id, qty: q(37) }]);
    const posted = await submitCount(ctx, count.count.id, 'error');
    expect(posted.count.status).toBe('posted');

    const vendor = await createVendor(ctx, { name: `Reads vendor ${process.pid}-${Math.random()}` });
    await sendPurchaseOrder(ctx, (await createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: siteA.id, lines: [{ item_id: mug.id, qty: q(10), unit_price: $('5.00') }] })).id);
    await putLevel(ctx, mug.id, siteA.id, { min: q(50), max: q(80) });
    return { shop, siteA, siteB, mug, cup, countId: count.count.id };
  }

  beforeAll(async () => {
    owner = serviceContext(get().db);
    w = await buildWorld(owner);
    atA = { ...owner, actor: managerAt(w.siteA.id) };
    atB = { ...owner, actor: managerAt(w.siteB.id) };
    atNone = { ...owner, actor: managerAt() };
  });

  it('sums sales by hour, by item and for the voice top sellers over the granted sites only', async () => {
    const totals = async (ctx: ServiceContext) => (await salesTotalsByHour(ctx, { from: 0, to: Date.UTC(2027, 0, 1) })).reduce((n, h) => n + h.count, 0);
    expect([await totals(owner), await totals(atA), await totals(atB), await totals(atNone)]).toEqual([2, 1, 1, 0]);
    const sold = async (ctx: ServiceContext, itemId: string) => (await itemSales(ctx, itemId, period)).days.reduce((n, d) => n + d.qty, 0);
    expect([await sold(owner, w.mug.id), await sold(atA, w.mug.id), await sold(atB, w.mug.id), await sold(atNone, w.mug.id)]).toEqual([q(2), q(2), 0, 0]);
    expect([await sold(owner, w.cup.id), await sold(atA, w.cup.id), await sold(atB, w.cup.id)]).toEqual([q(3), 0, q(3)]);
    const top = async (ctx: ServiceContext) => (await answerIntent(ctx, 'TopSellersIntent', {}, 'none')).speech;
    expect(await top(owner)).toMatch(/Cup.*Mug|Mug.*Cup/);
    expect(await top(atA)).toMatch(/^The only thing sold today is Mug/);
    expect(await top(atB)).toMatch(/^The only thing sold today is Cup/);
    expect(await top(atNone)).toBe('Nothing has sold yet today.');
  });

  it("keeps a count at A and its variances out of the count reports of a caller granted only B, or nothing", async () => {
    await expect(countVarianceReport(atB, w.countId)).rejects.toMatchObject({ code: 'count_not_found', message: expect.stringContaining(w.countId) });
    await expect(countVarianceReport(atNone, w.countId)).rejects.toMatchObject({ code: 'count_not_found' });
    for (const ctx of [owner, atA]) expect((await countVarianceReport(ctx, w.countId)).lines.map((l) => [l.item_id, l.variance_qty])).toEqual([[w.mug.id, -q(1)]]);
    const varianceItems = async (ctx: ServiceContext) => (await periodVarianceReport(ctx, period)).lines.map((l) => l.item_id);
    expect([await varianceItems(owner), await varianceItems(atA), await varianceItems(atB), await varianceItems(atNone)]).toEqual([[w.mug.id], [w.mug.id], [], []]);
    const lost = async (ctx: ServiceContext) => (await shrinkage(ctx, period)).map((r) => [r.site_id, r.lost_qty]);
    expect([await lost(owner), await lost(atA), await lost(atB), await lost(atNone)]).toEqual([[[w.siteA.id, q(1)]], [[w.siteA.id, q(1)]], [], []]);
  });

  it("counts what is on order at A only for callers who see A", async () => {
    const owed = async (ctx: ServiceContext) => (await onOrderByItem(ctx)).get(w.mug.id) ?? 0;
    expect([await owed(owner), await owed(atA), await owed(atB), await owed(atNone)]).toEqual([q(10), q(10), 0, 0]);
    // Asked about A by name, a caller granted only B still learns nothing.
    expect((await onOrderByItem(atB, { locationId: w.siteB.id })).get(w.mug.id) ?? 0).toBe(0);
    expect((await onOrderByItem(owner, { locationId: w.siteA.id })).get(w.mug.id)).toBe(q(10));
  });

  it("lists, reads and proposes from A's stock levels only for callers who see A", async () => {
    const levelSites = async (ctx: ServiceContext) => (await listLevels(ctx, { limit: 50 })).records.map((r) => [r.item_id, r.site_id]);
    expect([await levelSites(owner), await levelSites(atA), await levelSites(atB), await levelSites(atNone)]).toEqual([[[w.mug.id, w.siteA.id]], [[w.mug.id, w.siteA.id]], [], []]);
    const notFound = { code: 'stock_level_not_found' };
    await expect(getLevel(atB, w.mug.id, w.siteA.id)).rejects.toMatchObject(notFound);
    await expect(getLevel(atNone, w.mug.id, w.siteA.id)).rejects.toMatchObject(notFound);
    expect(await getLevel(atA, w.mug.id, w.siteA.id)).toMatchObject({ item_id: w.mug.id, site_id: w.siteA.id, min_qty: q(50) });
    // A level never set answers as unset, but only at a site the caller sees.
    await expect(getLevel(atB, w.cup.id, w.siteA.id)).rejects.toMatchObject(notFound);
    expect(await getLevel(atA, w.cup.id, w.siteA.id)).toEqual({ item_id: w.cup.id, location_id: w.siteA.id, site_id: w.siteA.id, unset: true });
    expect(await getLevel(atB, w.cup.id, w.siteB.id)).toMatchObject({ site_id: w.siteB.id, unset: true });
    // Mugs are below their min at A: a purchase proposal for A, to callers who see A.
    const proposed = async (ctx: ServiceContext) => (await proposeReplenishment(ctx)).purchase.flatMap((p) => p.lines.map((l) => [l.siteId, l.itemId]));
    expect(await proposed(atA)).toEqual([[w.siteA.id, w.mug.id]]);
    expect(await proposed(owner)).toEqual([[w.siteA.id, w.mug.id]]);
    expect(await proposed(atB)).toEqual([]);
    expect(await proposed(atNone)).toEqual([]);
  });

  it('reports stock alerts, valuation and the change in stock over the granted sites only', async () => {
    const alerts = async (ctx: ServiceContext) =>
      (await stockAlerts(ctx, { limit: 50 })).alerts
        .filter((a) => a.itemId === w.mug.id || a.itemId === w.cup.id)
        .map((a) => [a.itemId, a.status, a.onOrder]);
    // Each site holds one of the two: the other is out of stock there; mugs are low at A, with 10 on order there.
    expect(await alerts(atA)).toEqual([[w.cup.id, 'out_of_stock', 0], [w.mug.id, 'low', q(10)]]);
    expect(await alerts(atB)).toEqual([[w.mug.id, 'out_of_stock', 0]]);
    expect((await alerts(atNone)).map(([id, status]) => `${id} ${status}`).sort()).toEqual([`${w.mug.id} out_of_stock`, `${w.cup.id} out_of_stock`].sort());
    expect(await alerts(owner)).toEqual([[w.mug.id, 'low', q(10)]]);

    const valued = async (ctx: ServiceContext, groupBy: 'item' | 'lot' = 'item') => {
      const report = await inventoryValuation(ctx, { groupBy });
      return [report.totalValue, report.lines.filter((l) => l.qty !== 0).map((l) => [l.itemId, l.qty])];
    };
    // 37 mugs at $5 at A; 12 cups at $2 at B.
    expect(await valued(atA)).toEqual([$('185.00'), [[w.mug.id, q(37)]]]);
    expect(await valued(atB)).toEqual([$('24.00'), [[w.cup.id, q(12)]]]);
    expect(await valued(atNone)).toEqual([0, []]);
    expect((await valued(owner))[0]).toBe($('209.00'));
    expect(await valued(atB, 'lot')).toEqual([$('24.00'), [[w.cup.id, q(12)]]]);
    expect(await valued(atNone, 'lot')).toEqual([0, []]);
    expect((await valued(owner, 'lot'))[0]).toBe($('209.00'));

    const held = async (ctx: ServiceContext) => {
      const change = await inventoryChange(ctx, period);
      return [change.scope.sites, change.closing.qty, change.opening.qty];
    };
    expect(await held(atA)).toEqual([[w.siteA.id], q(37), 0]);
    expect(await held(atB)).toEqual([[w.siteB.id], q(12), 0]);
    expect(await held(atNone)).toEqual([[], 0, 0]);
    expect(await held(owner)).toEqual(['all', q(49), 0]);
    expect((await resolveScope(atB, period)).sites).toEqual([w.siteB.id]);
  });

  it('refuses a bin move, a bin label, a shop-wide tax rule and a new site beyond the grants', async () => {
    const move = (ctx: ServiceContext) =>
      moveBetweenBins(ctx, binMoveBody.parse({ from_location_id: w.shop.warehouseBins[0], to_location_id: w.shop.warehouseBins[1], lines: [{ item_id: w.cup.id, qty: 1 }] }));
    await expect(move(atA)).rejects.toMatchObject({ code: 'bin_move_invalid', message: expect.stringContaining(w.shop.warehouseBins[0]!) });
    await expect(move(atNone)).rejects.toMatchObject({ code: 'bin_move_invalid' });
    expect((await move(atB)).site_id).toBe(w.siteB.id);

    const label = (ctx: ServiceContext) => buildLabels(ctx, labelsBody.parse({ source: { kind: 'bins', bin_ids: [w.shop.storeBin] }, template: 'bin' }));
    await expect(label(atB)).rejects.toMatchObject({ code: expect.stringMatching(/location_not_found|label_request_invalid/) });
    expect((await label(atA)).map((l) => l.subtitle)).toHaveLength(1);

    const shopWide = { site_id: null, category: 'reads-test', tax_rate_id: null };
    await expect(setTaxRule(atA, shopWide)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(setTaxRule(atNone, shopWide)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(setTaxRule(atA, { ...shopWide, site_id: w.siteA.id })).resolves.toBeNull();
    await expect(setTaxRule(owner, shopWide)).resolves.toBeNull();

    const site = { kind: 'site', code: `R${process.pid % 10000}${Math.floor(Math.random() * 1000)}`, name: 'Site R', site_type: 'store' } as const;
    await expect(createLocation(atA, site)).rejects.toMatchObject({ code: 'forbidden' });
  });

  // Last, as it writes the daily snapshots the valuation then reads instead of the ledger.
  it("values a past day from the daily snapshot over the granted sites only", async () => {
    const nextDay = { ...owner, clock: new ManualClock(Date.UTC(2026, 10, 3, 9)) };
    const days = await takeStockSnapshots(nextDay);
    expect(days.length).toBeGreaterThan(0);
    const asOf = Date.UTC(2026, 10, 3, 8);
    const valued = async (ctx: ServiceContext) => {
      const report = await inventoryValuation({ ...ctx, clock: nextDay.clock }, { asOf });
      return [report.totalValue, report.lines.filter((l) => l.qty !== 0).map((l) => [l.itemId, l.qty])];
    };
    expect(await valued(atA)).toEqual([$('185.00'), [[w.mug.id, q(37)]]]);
    expect(await valued(atB)).toEqual([$('24.00'), [[w.cup.id, q(12)]]]);
    expect(await valued(atNone)).toEqual([0, []]);
    expect((await valued(owner))[0]).toBe($('209.00'));
  });
});
