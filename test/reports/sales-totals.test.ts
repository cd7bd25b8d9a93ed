import { expect, it } from 'vitest';
import { createPickLists, markPicked, packShipment, shipShipment } from '../../src/modules/fulfillment/index.ts';
import { addTotals, COUNTER_CHANNEL, QUARTER_MS, salesFacts, salesTotalsBy, zeroTotals, type SalesFact, type SalesKey, type SalesTotals } from '../../src/modules/reports/sales-facts.ts';
import type { ReportScope } from '../../src/modules/reports/report-scope.ts';
import { createChannel, createOrder, createReturn, voidSale } from '../../src/modules/sales/index.ts';
import { createOrderBody } from '../../src/modules/sales/orders.schema.ts';
import { createReturnBody } from '../../src/modules/sales/sales.schema.ts';
import { describeEachDatabase, serviceContext } from '../support/databases.ts';
import { makeCafe, q, sell } from '../support/shop.ts';

/**
 * The grouped path (the database adds up the lines no return reached) gives the same totals as the
 * per-line facts added up one by one, on a history with every kind of line: recipes with
 * modifiers, bundles, discounts on the line and on the sale, partial and full returns, a void, an
 * online order shipped and partly returned, at several hours.
 */

/** The oracle: every sold line's fact, added up by the same key one by one. */
function byFacts(facts: SalesFact[], key: SalesKey): Map<string, SalesTotals> {
  const totals = new Map<string, SalesTotals>();
  for (const f of facts) {
    const k = key === 'item' ? f.itemId : key === 'channel' ? (f.channelId ?? COUNTER_CHANNEL) : key === 'site' ? (f.siteId ?? '') : String(Math.floor(f.at / QUARTER_MS));
    const t = totals.get(k) ?? zeroTotals();
    addTotals(t, f);
    totals.set(k, t);
  }
  return totals;
}

const sorted = (m: Map<string, SalesTotals>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));

let n = 0;

describeEachDatabase('sales totals grouped by the database', (get) => {
  it('add up to the per-line facts for every key and filter, returns, voids, recipes and bundles included', async () => {
    const ctx = serviceContext(get().db);
    const cafe = await makeCafe(ctx);
    const from = ctx.clock.now();
    const store = cafe.store.id;
    const pay = (amount: string) => [{ tender: 'cash', amount }];
    // A latte with oat milk and an extra shot, a basket and two mugs, a whole-sale discount.
    const first = await sell(ctx, {
      location_id: store,
      lines: [
        { item_id: cafe.latte.id, qty: 1, modifiers: [cafe.milkGroup.modifiers[0]!.id, cafe.extras.modifiers[0]!.id] },
        { item_id: cafe.basket.id, qty: 1 },
        { item_id: cafe.mug.id, qty: 2, discount: { percent: '10', reason: 'chipped' } },
      ],
      discount: { amount: '3.00', reason: 'loyalty card' },
      payments: pay('200.00'),
    });
    ctx.clock.advance(47 * 60_000);
    const second = await sell(ctx, { location_id: store, lines: [{ item_id: cafe.choc.id, qty: 3 }, { item_id: cafe.latte.id, qty: 2 }], payments: pay('50.00') });
    ctx.clock.advance(3 * 3_600_000);
    const voided = await sell(ctx, { location_id: store, lines: [{ item_id: cafe.candle.id, qty: 1 }], payments: pay('18.00') });
    await voidSale(ctx, voided.sale.id, { reason: 'wrong item' });
    const untouched = await sell(ctx, { location_id: store, lines: [{ item_id: cafe.candle.id, qty: 2 }, { item_id: cafe.basket.id, qty: 1 }], payments: pay('100.00') });
    // One mug of the discounted two back, the whole basket back damaged, one bar of three back.
    const mugLine = first.lines.find((l) => l.item_id === cafe.mug.id)!;
    const basketLine = first.lines.find((l) => l.item_id === cafe.basket.id)!;
    await createReturn(ctx, createReturnBody.parse({ sale_id: first.sale.id, reason: 'changed mind', lines: [{ line_id: mugLine.id, qty: 1, condition: 'restockable' }, { line_id: basketLine.id, qty: 1, condition: 'damaged' }] }));
    await createReturn(ctx, createReturnBody.parse({ sale_id: second.sale.id, reason: 'melted', lines: [{ line_id: second.lines[0]!.id, qty: 1, condition: 'damaged' }] }));
    // Online: two mugs shipped from the store, one back.
    const channel = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [store], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const taken = await createOrder(ctx, createOrderBody.parse({ channel_id: channel.id, channel_order_id: `G-${process.pid}-${(n += 1)}`, lines: [{ item_id: cafe.mug.id, qty: 2 }] }));
    const [list] = await createPickLists(ctx, taken.record.order.id);
    await markPicked(ctx, list!.list.id);
    const orderLine = taken.record.lines[0]!;
    const packed = await packShipment(ctx, list!.list.id, { packages: [{ weight_g: q(900), lines: [{ order_line_id: orderLine.id, qty: q(2) }] }] });
    await shipShipment(ctx, packed.shipment.id, { carrier: 'Post', service: 'Standard', packages: [{ package_id: packed.packages[0]!.id, tracking_number: 'T1' }] });
    await createReturn(ctx, createReturnBody.parse({ order_id: taken.record.order.id, reason: 'changed mind', lines: [{ line_id: orderLine.id, qty: 1, condition: 'restockable' }] }));

    const whole: ReportScope = { filters: { from: '2000-01-01', to: '2100-01-01' }, timeZone: 'UTC', start: from, end: ctx.clock.now() + 1, sites: [store], now: ctx.clock.now() };
    const scopes: ReportScope[] = [
      whole,
      { ...whole, filters: { ...whole.filters, channelId: COUNTER_CHANNEL } },
      { ...whole, filters: { ...whole.filters, channelId: channel.id } },
      { ...whole, filters: { ...whole.filters, itemId: cafe.mug.id } },
    ];
    for (const scope of scopes) {
      const facts = await salesFacts(ctx, scope);
      for (const key of ['item', 'channel', 'site', 'quarter'] as const) expect(sorted(await salesTotalsBy(ctx, scope, key)), `${key} ${JSON.stringify(scope.filters)}`).toEqual(sorted(byFacts(facts, key)));
    }
    // The history is the one described: the untouched sale's lines are grouped, the returned ones
    // read line by line, the voided sale nowhere, and the order counted.
    const facts = await salesFacts(ctx, whole);
    const lines = new Set(facts.map((f) => f.lineId));
    expect(untouched.lines.every((l) => lines.has(l.id))).toBe(true);
    expect(lines.has(voided.lines[0]!.id)).toBe(false);
    expect(facts.some((f) => f.source === 'order' && f.qty === q(1))).toBe(true);
    expect(facts.find((f) => f.lineId === basketLine.id)!.cogs).toBeGreaterThanOrEqual(0);
    const all = [...(await salesTotalsBy(ctx, whole, 'item')).values()].reduce((t, g) => (addTotals(t, g), t), zeroTotals());
    expect(all.lines).toBe(facts.length);
    expect(all.cogs).toBeGreaterThan(0);
    expect(all.discount).toBeGreaterThan(0);
  });
});
