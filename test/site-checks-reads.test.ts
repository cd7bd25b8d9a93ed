import { beforeAll, expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { createModifierGroup, setItemModifierGroups } from '../src/modules/catalog/index.ts';
import { countVarianceReport, createCount, enterCountLines, periodVarianceReport, shrinkage, submitCount } from '../src/modules/counts/index.ts';
import { getItemCosts } from '../src/modules/costing/cost-layers.service.ts';
import { forecastAccuracy } from '../src/modules/forecasting/forecast-accuracy.service.ts';
import { listPostings } from '../src/modules/integrations/quickbooks/sync.service.ts';
import { listLocalFeeds, setLocalFeed } from '../src/modules/integrations/google/local-inventory.service.ts';
import { loadSites } from '../src/modules/imports/imports.check.ts';
import { getImportJob, listImportJobs, startJob } from '../src/modules/imports/imports.service.ts';
import { stockLevelsKind } from '../src/modules/imports/kinds/stock-levels.ts';
import { buildLabels } from '../src/modules/labels/labels.service.ts';
import { labelsBody } from '../src/modules/labels/labels.schema.ts';
import { createLocation, getLocation } from '../src/modules/locations/index.ts';
import { createWebhookSubscription, getWebhookSubscription, listWebhookSubscriptions } from '../src/modules/notifications/webhook-subscriptions.service.ts';
import { listMarginAlerts } from '../src/modules/pricing/pricing.service.ts';
import { productionPlan } from '../src/modules/production/production-plan.service.ts';
import { onOrderByItem } from '../src/modules/purchasing/on-order.service.ts';
import { createPurchaseOrder, sendPurchaseOrder } from '../src/modules/purchasing/purchase-orders.service.ts';
import { postReceipt } from '../src/modules/purchasing/receipt-posting.service.ts';
import { createReceipt } from '../src/modules/purchasing/receipts.service.ts';
import { vendorPerformance } from '../src/modules/purchasing/vendor-performance.service.ts';
import { createVendor } from '../src/modules/purchasing/vendors.service.ts';
import { getLevel, listLevels, proposeReplenishment, putLevel } from '../src/modules/replenishment/index.ts';
import { inventoryValuation } from '../src/modules/reports/index.ts';
import { takeStockSnapshots, usableSnapshot } from '../src/modules/reports/stock-snapshots.service.ts';
import { inventoryChange } from '../src/modules/reports/inventory-change.service.ts';
import { resolveScope } from '../src/modules/reports/report-scope.ts';
import { stockAlerts } from '../src/modules/reports/stock-status.service.ts';
import { listOutbox } from '../src/modules/sales/availability.service.ts';
import { createChannel } from '../src/modules/sales/index.ts';
import { modifierSales } from '../src/modules/sales/modifier-sales.service.ts';
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
    const jug = await makeItem(ctx, { name: 'Jug', price: $('16.00') });
    // A channel selling from A alone: A's stock changes write its availability events.
    const channelA = await createChannel(ctx, { name: `Web A ${Math.random()}`, kind: 'online', site_ids: [siteA.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'opening_balance', lines: [{ item_id: mug.id, qty: q(40), unit_cost: $('5.00') }] });
    await createAdjustment(ctx, { location_id: siteB.id, reason: 'opening_balance', lines: [{ item_id: cup.id, qty: q(10), unit_cost: $('2.00') }] });
    await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', lines: [{ item_id: cup.id, qty: q(5), unit_cost: $('2.00') }] });
    const wrap = await createModifierGroup(ctx, { name: 'Wrap', selection: 'single', required: false, modifiers: [{ name: 'Gift wrap', price_delta: $('1.00'), components: [] }] });
    await setItemModifierGroups(ctx, mug.id, [wrap.id]);
    const giftWrap = wrap.modifiers[0]!.id;
    await sell(ctx, { location_id: siteA.id, lines: [{ item_id: mug.id, qty: 2, modifiers: [giftWrap] }], payments: [{ tender: 'cash', amount: '100.00' }] });
    await sell(ctx, { location_id: siteB.id, lines: [{ item_id: cup.id, qty: 3 }], payments: [{ tender: 'cash', amount: '20.00' }] });

    // A guided count at A that finds one mug short: posted at once, with a variance.
    const count = await createCount(ctx, { site_id: siteA.id, kind: 'spot', mode: 'guided', scope: { item_ids: [mug.id] } } as any);
    await enterCountLines(ctx, count.count.id, [{ location_id: shop.storeBin, item_id: mug.id, qty: q(37) }]);
    const posted = await submitCount(ctx, count.count.id, 'error');
    expect(posted.count.status).toBe('posted');

    const vendor = await createVendor(ctx, { name: `Reads vendor ${process.pid}-${Math.random()}` });
    await sendPurchaseOrder(ctx, (await createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: siteA.id, lines: [{ item_id: mug.id, qty: q(10), unit_price: $('5.00') }] })).id);
    await putLevel(ctx, mug.id, siteA.id, { min: q(50), max: q(80) });
    // Jugs received at A twice, the second time at three times the cost: a margin alert at A.
    for (const price of ['5.00', '15.00']) {
      const po = await sendPurchaseOrder(ctx, (await createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: siteA.id, lines: [{ item_id: jug.id, qty: q(1), unit_price: $(price) }] })).id);
      await postReceipt(ctx, (await createReceipt(ctx, { purchase_order_id: po.id, lines: [{ purchase_order_line_id: po.lines[0]!.id, qty: q(1) }] })).id);
    }
    await setLocalFeed(ctx, { siteId: siteA.id, storeCode: 'STORE-A', channelId: channelA.id });
    return { shop, siteA, siteB, mug, cup, jug, vendor, channelA, giftWrap, countId: count.count.id };
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
    const wrapped = async (ctx: ServiceContext) => (await modifierSales(ctx, { from: 0, to: Date.UTC(2027, 0, 1) })).map((m) => [m.modifierId, m.qty]);
    expect([await wrapped(owner), await wrapped(atA), await wrapped(atB), await wrapped(atNone)]).toEqual([[[w.giftWrap, q(2)]], [[w.giftWrap, q(2)]], [], []]);
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
    expect(await getLevel(atB, w.cup.id, w.shop.warehouseBins[0]!)).toMatchObject({ site_id: w.siteB.id, unset: true });
    // Not a level anyone can have: an unknown item or location, a zone, a virtual location.
    const zone = (await getLocation(owner, w.shop.warehouseBins[0]!)).parent_id!;
    for (const [itemId, locationId] of [['itm_unknown', w.siteB.id], [w.cup.id, 'loc_unknown'], [w.cup.id, zone], [w.cup.id, 'loc_transit']]) {
      await expect(getLevel(owner, itemId!, locationId!), `${itemId} at ${locationId}`).rejects.toMatchObject(notFound);
    }
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
      return [report.totalValue, Object.fromEntries(report.lines.filter((l) => l.qty !== 0).map((l) => [l.itemId, l.qty]))];
    };
    // 37 mugs at $5 and two jugs ($5 and $15) at A; 12 cups at $2 at B.
    expect(await valued(atA)).toEqual([$('205.00'), { [w.mug.id]: q(37), [w.jug.id]: q(2) }]);
    expect(await valued(atB)).toEqual([$('24.00'), { [w.cup.id]: q(12) }]);
    expect(await valued(atNone)).toEqual([0, {}]);
    expect((await valued(owner))[0]).toBe($('229.00'));
    expect(await valued(atB, 'lot')).toEqual([$('24.00'), { [w.cup.id]: q(12) }]);
    expect(await valued(atNone, 'lot')).toEqual([0, {}]);
    expect((await valued(owner, 'lot'))[0]).toBe($('229.00'));

    const held = async (ctx: ServiceContext) => {
      const change = await inventoryChange(ctx, period);
      return [change.scope.sites, change.closing.qty, change.opening.qty];
    };
    expect(await held(atA)).toEqual([[w.siteA.id], q(39), 0]);
    expect(await held(atB)).toEqual([[w.siteB.id], q(12), 0]);
    expect(await held(atNone)).toEqual([[], 0, 0]);
    expect(await held(owner)).toEqual(['all', q(51), 0]);
    expect((await resolveScope(atB, period)).sites).toEqual([w.siteB.id]);
  });

  it('refuses a bin move, a bin label, a shop-wide tax rule and a new site beyond the grants', async () => {
    const move = (ctx: ServiceContext) =>
      moveBetweenBins(ctx, binMoveBody.parse({ from_location_id: w.shop.warehouseBins[0], to_location_id: w.shop.warehouseBins[1], lines: [{ item_id: w.cup.id, qty: 1 }] }));
    await expect(move(atA)).rejects.toMatchObject({ code: 'bin_move_invalid', message: expect.stringContaining(w.shop.warehouseBins[0]!), errors: [{ field: 'body.from_location_id', code: 'not_found', message: 'not found' }] });
    await expect(move(atNone)).rejects.toMatchObject({ code: 'bin_move_invalid' });
    expect((await move(atB)).site_id).toBe(w.siteB.id);

    // A bin of A is unknown to B (the location lookup answers first); a virtual location, seen by all, is no bin to label.
    const label = (ctx: ServiceContext, binId: string) => buildLabels(ctx, labelsBody.parse({ source: { kind: 'bins', bin_ids: [binId] }, template: 'bin' }));
    await expect(label(atB, w.shop.storeBin)).rejects.toMatchObject({ code: 'location_not_found', message: expect.stringContaining(w.shop.storeBin) });
    expect((await label(atA, w.shop.storeBin)).map((l) => l.title)).toEqual([(await getLocation(owner, w.shop.storeBin)).full_code]);
    expect((await getLocation(atA, 'loc_transit')).kind).toBe('virtual');
    await expect(getLocation(atA, w.shop.warehouseBins[0]!)).rejects.toMatchObject({ code: 'location_not_found' });
    await expect(label(atA, 'loc_transit')).rejects.toMatchObject({
      code: 'label_request_invalid',
      message: expect.stringContaining('loc_transit'),
      errors: [{ field: 'body.source.bin_ids', code: 'invalid', message: 'must name a bin' }],
    });

    const shopWide = { site_id: null, category: 'reads-test', tax_rate_id: null };
    await expect(setTaxRule(atA, shopWide)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('grant for every site') });
    await expect(setTaxRule(atNone, shopWide)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(setTaxRule(atA, { ...shopWide, site_id: w.siteA.id })).resolves.toBeNull();
    await expect(setTaxRule(owner, shopWide)).resolves.toBeNull();

    const site = { kind: 'site', code: `R${process.pid % 10000}${Math.floor(Math.random() * 1000)}`, name: 'Site R', site_type: 'store' } as const;
    await expect(createLocation(atA, site)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('access to every site') });
  });

  it("shows A's margin alerts, vendor record, item costs, feeds and availability events only to callers who see A", async () => {
    const alerted = async (ctx: ServiceContext) => (await listMarginAlerts(ctx, 500_000)).map((a) => [a.itemId, a.previousCost, a.cost]);
    expect(await alerted(owner)).toEqual([[w.jug.id, $('5.00'), $('15.00')]]);
    expect(await alerted(atA)).toEqual([[w.jug.id, $('5.00'), $('15.00')]]);
    expect(await alerted(atB)).toEqual([]);
    expect(await alerted(atNone)).toEqual([]);

    const judged = async (ctx: ServiceContext) => (await vendorPerformance(ctx, period)).filter((v) => v.vendor.id === w.vendor.id).map((v) => v.purchaseOrders);
    expect([await judged(owner), await judged(atA), await judged(atB), await judged(atNone)]).toEqual([[3], [3], [], []]);

    const costed = async (ctx: ServiceContext, itemId: string) => (await getItemCosts(ctx, itemId, 'fifo')).qty;
    expect([await costed(owner, w.mug.id), await costed(atA, w.mug.id), await costed(atB, w.mug.id), await costed(atNone, w.mug.id)]).toEqual([q(37), q(37), 0, 0]);
    expect(await costed(atB, w.cup.id)).toBe(q(12));

    const feeds = async (ctx: ServiceContext) => (await listLocalFeeds(ctx)).map((f) => f.siteId);
    expect([await feeds(owner), await feeds(atA), await feeds(atB), await feeds(atNone)]).toEqual([[w.siteA.id], [w.siteA.id], [], []]);

    const events = async (ctx: ServiceContext) => new Set((await listOutbox(ctx, { limit: 500 })).events.map((e) => e.channel_id));
    expect(await events(owner)).toEqual(new Set([w.channelA.id]));
    expect(await events(atA)).toEqual(new Set([w.channelA.id]));
    expect(await events(atB)).toEqual(new Set());
    expect(await events(atNone)).toEqual(new Set());
  });

  it('plans production only at a granted site, and keeps shop-wide webhooks from a caller granted some sites', async () => {
    await expect(productionPlan(atB, w.siteA.id)).rejects.toMatchObject({ code: 'production_order_invalid', message: expect.stringContaining(w.siteA.id) });
    await expect(productionPlan(atNone, w.siteA.id)).rejects.toMatchObject({ code: 'production_order_invalid' });
    // An unknown id and a bin are refused alike, with the same field error.
    for (const id of [w.siteA.id, 'loc_unknown', w.shop.storeBin]) {
      await expect(productionPlan(id === w.siteA.id ? atB : owner, id), id).rejects.toMatchObject({
        code: 'production_order_invalid',
        message: `${id} is not a site you may produce at.`,
        errors: [{ field: 'site_id', code: 'not_found', message: 'no such site' }],
      });
    }
    expect((await productionPlan(atA, w.siteA.id)).siteId).toBe(w.siteA.id);

    const { subscription } = await createWebhookSubscription(owner, { url: 'https://203.0.113.7/hook', event_types: ['*'] });
    expect((await listWebhookSubscriptions(owner)).map((s) => s.id)).toEqual([subscription.id]);
    expect(await listWebhookSubscriptions(atA)).toEqual([]);
    await expect(getWebhookSubscription(atA, subscription.id)).rejects.toMatchObject({ code: 'webhook_subscription_not_found' });
    expect((await getWebhookSubscription(owner, subscription.id)).id).toBe(subscription.id);
  });

  it("keeps A out of the imports of a caller granted only B: sites to name, stock levels to check or export, others' jobs", async () => {
    const siteIds = async (ctx: ServiceContext) => (await loadSites(ctx.db.kysely, ctx.actor)).map((site) => site.id).sort();
    expect(await siteIds(owner)).toEqual([w.siteA.id, w.siteB.id].sort());
    expect([await siteIds(atA), await siteIds(atB), await siteIds(atNone)]).toEqual([[w.siteA.id], [w.siteB.id], []]);

    const rows = [
      { row: 2, sku: w.mug.sku, location: w.siteA.code, min: q(1), max: q(2), delivered_daily: undefined },
      { row: 3, sku: w.cup.sku, location: w.siteB.code, min: q(1), max: q(2), delivered_daily: undefined },
    ];
    const refused = async (ctx: ServiceContext) => (await stockLevelsKind.check(ctx, rows, new Map(), {} as any)).map((e) => [e.row, e.key, e.code, e.message]);
    expect(await refused(owner)).toEqual([]);
    expect(await refused(atA)).toEqual([[3, 'location', 'unknown_location', `no site or bin ${w.siteB.code} that you may plan`]]);
    expect(await refused(atB)).toEqual([[2, 'location', 'unknown_location', `no site or bin ${w.siteA.code} that you may plan`]]);
    const exported = async (ctx: ServiceContext) => (await stockLevelsKind.exportRows(ctx)).map((r) => [r.sku, r.location]);
    expect(await exported(owner)).toEqual([[w.mug.sku, w.siteA.full_code]]);
    expect(await exported(atA)).toEqual([[w.mug.sku, w.siteA.full_code]]);
    expect(await exported(atB)).toEqual([]);

    // A caller granted some sites sees the imports they ran, not others'; one granted every site sees all.
    const mine = await startJob(atB, { dryRun: true }, 'stockroom', 'stock-levels');
    const owners = await startJob(owner, { dryRun: true }, 'stockroom', 'stock-levels');
    await expect(getImportJob(atA, mine)).rejects.toMatchObject({ code: 'import_not_found', message: expect.stringContaining(mine) });
    await expect(getImportJob(atB, owners)).rejects.toMatchObject({ code: 'import_not_found' });
    expect((await getImportJob(atB, mine)).id).toBe(mine);
    expect((await getImportJob(owner, mine)).id).toBe(mine);
    expect((await listImportJobs(atB, 50)).map((j) => j.id)).toEqual([mine]);
    expect((await listImportJobs(owner, 50)).map((j) => j.id).sort()).toEqual([mine, owners].sort());
  });

  // Rows written directly: a forecast run and a QuickBooks connection are far more than these checks need.
  it("scores forecasts and lists QuickBooks postings of the granted sites only", async () => {
    const db = get().db.kysely;
    const forecast = (itemId: string, siteId: string, rmsse: number) => ({
      item_id: itemId, site_id: siteId, method: 'ses', demand_class: 'smooth', history_end_on: '2026-11-01', history_days: 56, censored_days: 0, rmsse_e6: rmsse, bias_e6: 0,
      error_sd_e6: 0, accuracy_method: 'ses', accuracy_rmsse_e6: rmsse, accuracy_bias_e6: 0, benchmark_rmsse_e6: 1_000_000, benchmark_bias_e6: 0, parameters_json: '{}', forecast_json: '[]', run_id: null, computed_at: 1,
    });
    await db.insertInto('forecasts').values([forecast(w.mug.id, w.siteA.id, 500_000), forecast(w.cup.id, w.siteB.id, 1_500_000)]).execute();
    const scored = async (ctx: ServiceContext) => {
      const { overall } = await forecastAccuracy(ctx, {});
      return [overall.forecasts, overall.rmsse];
    };
    expect(await scored(owner)).toEqual([2, 1]);
    expect(await scored(atA)).toEqual([1, 0.5]);
    expect(await scored(atB)).toEqual([1, 1.5]);
    expect(await scored(atNone)).toEqual([0, null]);

    const posting = (id: string, siteId: string) => ({
      id, kind: 'journal' as const, posting_key: `key-${id}`, revision: 1, doc_number: id, request_id: `req-${id}`, day: '2026-11-02', site_id: siteId, document_id: null,
      lines_json: '[]', total_minor: 100, status: 'pending' as const, qbo_id: null, attempts: 0, last_error: null, created_at: 1, updated_at: 1, posted_at: null,
    });
    await db.insertInto('qbo_postings').values([posting('qbp_a', w.siteA.id), posting('qbp_b', w.siteB.id)]).execute();
    const posted = async (ctx: ServiceContext) => (await listPostings(ctx, { limit: 10 })).data.map((p) => p.id).sort();
    expect([await posted(owner), await posted(atA), await posted(atB), await posted(atNone)]).toEqual([['qbp_a', 'qbp_b'], ['qbp_a'], ['qbp_b'], []]);
  });

  // Near the end, as it stocks mugs at B too: a day on which A's mugs are revalued without moving.
  it("opens a site's period at its own valuation, not at the shop's closing less the site's flows", async () => {
    const nov3 = { ...owner, clock: new ManualClock(Date.UTC(2026, 10, 3, 12)) };
    await createAdjustment(nov3, { location_id: w.siteB.id, reason: 'opening_balance', lines: [{ item_id: w.mug.id, qty: q(10), unit_cost: $('8.00') }] });
    const day = { from: '2026-11-03', to: '2026-11-03' };
    // A's 37 mugs and 2 jugs were worth $205 when the day opened; the $8 mugs at B raise the mugs' unit cost by its close.
    const opened = async (ctx: ServiceContext, filters = {}) => {
      const change = await inventoryChange({ ...ctx, clock: nov3.clock }, { ...day, ...filters });
      return [change.flows.length, change.opening.value, change.closing.value > change.opening.value, change.revaluation.value === change.closing.value - change.opening.value];
    };
    expect(await opened(atA)).toEqual([0, $('205.00'), true, true]);
    expect(await opened(owner, { siteId: w.siteA.id })).toEqual([0, $('205.00'), true, true]);
  });

  // Last, as it writes the daily snapshots the valuation then reads instead of the ledger.
  it("values a past day from the daily snapshot over the granted sites only", async () => {
    // A snapshot is usable once no movement id is newer than its day; ids carry the wall clock, so the day is taken after it.
    const nextDay = { ...owner, clock: new ManualClock(Date.now() + 2 * 86_400_000) };
    let days = 0;
    for (let run = 0; run < 20; run += 1) {
      const taken = (await takeStockSnapshots(nextDay)).length;
      if (taken === 0) break;
      days += taken;
    }
    expect(days).toBeGreaterThan(0);
    const asOf = nextDay.clock.now() - 3_600_000;
    expect(await usableSnapshot(get().db.kysely, asOf)).not.toBeNull();
    // Nothing moved since the snapshot's day: from it, each caller gets what the ledger gives them now.
    const valued = async (ctx: ServiceContext, at?: number) => {
      const report = await inventoryValuation({ ...ctx, clock: nextDay.clock }, at === undefined ? {} : { asOf: at });
      return [report.totalValue, Object.fromEntries(report.lines.filter((l) => l.qty !== 0).map((l) => [l.itemId, l.qty]))];
    };
    for (const [who, ctx] of [['owner', owner], ['A', atA], ['B', atB], ['none', atNone]] as const) expect(await valued(ctx, asOf), who).toEqual(await valued(ctx));
    expect((await valued(atA, asOf))[1]).toEqual({ [w.mug.id]: q(37), [w.jug.id]: q(2) });
    expect((await valued(atB, asOf))[1]).toEqual({ [w.cup.id]: q(12), [w.mug.id]: q(10) });
    expect(await valued(atNone, asOf)).toEqual([0, {}]);
  });
});
