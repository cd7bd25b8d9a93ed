import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { $, q, sell } from '../../../test/support/shop.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { createPickLists, markPicked, packShipment, shipShipment } from '../fulfillment/index.ts';
import { salesFacts, salesRevenue } from '../reports/sales-facts.ts';
import { createChannel, createOrder, createReturn, getOrder } from '../sales/index.ts';
import { createOrderBody } from '../sales/orders.schema.ts';
import { createReturnBody } from '../sales/sales.schema.ts';
import { updateSettings } from '../settings/index.ts';
import { createTaxRate, resolveTaxRates, setItemTaxExempt, setTaxRule } from './index.ts';

let n = 0;
const category = (name: string) => `${name} ${process.pid}-${(n += 1)}`;
const pct = (p: number) => p * 10_000;

describeEachDatabase('tax set up once', (get) => {
  const ctxOf = () => serviceContext(get().db);

  /** Two stores; the first has its own default rate; books have a shop-wide rate and their own at the first store. */
  async function setUp(ctx: ServiceContext) {
    const a = await makeShop(ctx);
    const b = await makeShop(ctx);
    const books = category('Books');
    const [siteRate, bookRate, bookAtA] = [await createTaxRate(ctx, { name: 'Store A tax', rate: pct(10) }), await createTaxRate(ctx, { name: 'Books', rate: pct(5) }), await createTaxRate(ctx, { name: 'Books at A', rate: pct(20) })];
    await setTaxRule(ctx, { site_id: a.store.id, category: null, tax_rate_id: siteRate.id });
    await setTaxRule(ctx, { site_id: null, category: books, tax_rate_id: bookRate.id });
    await setTaxRule(ctx, { site_id: a.store.id, category: books, tax_rate_id: bookAtA.id });
    const plain = await makeItem(ctx, { price: $('10.00') });
    // The category as a person types it: matched trimmed and case-insensitively.
    const book = await makeItem(ctx, { price: $('10.00'), category: `  ${books.toUpperCase()} ` });
    const exemptBook = await makeItem(ctx, { price: $('10.00'), category: books });
    await setItemTaxExempt(ctx, exemptBook.id, true);
    return { a, b, books, plain, book, exemptBook };
  }

  it('gives each item the most specific rule: exempt, category at the site, category anywhere, site default, none', async () => {
    const ctx = ctxOf();
    const { a, b, plain, book, exemptBook } = await setUp(ctx);
    expect(await resolveTaxRates(get().db.kysely, a.store.id, [plain, book, exemptBook])).toEqual([pct(10), pct(20), 0]);
    // Store B has no default of its own and no shop-wide default is set: plain goods pay none there.
    expect(await resolveTaxRates(get().db.kysely, b.store.id, [plain, book, exemptBook])).toEqual([0, pct(5), 0]);
    // Exemption lifted, the book pays its category's rate again.
    await setItemTaxExempt(ctx, exemptBook.id, false);
    expect(await resolveTaxRates(get().db.kysely, a.store.id, [exemptBook])).toEqual([pct(20)]);
  });

  it('charges a counter sale from the rules, and a rate in the request before them (the line’s, then the sale’s)', async () => {
    const ctx = ctxOf();
    const { a, plain, book, exemptBook } = await setUp(ctx);
    const ruled = await sell(ctx, {
      location_id: a.store.id,
      lines: [{ item_id: plain.id, qty: 1 }, { item_id: book.id, qty: 2 }, { item_id: exemptBook.id, qty: 1 }],
      payments: [{ tender: 'card', amount: '45.00' }],
    });
    // 10.00 + 1.00; 20.00 + 4.00; 10.00 + 0 → 45.00, prices before tax.
    expect(ruled.lines.map((l) => [l.tax_rate_ppm, l.tax_micros, l.total_micros])).toEqual([
      [pct(10), $('1.00'), $('11.00')],
      [pct(20), $('4.00'), $('24.00')],
      [0, 0, $('10.00')],
    ]);
    expect(ruled.sale).toMatchObject({ tax_micros: $('5.00'), total_micros: $('45.00'), tax_included: 0 });

    const given = await sell(ctx, {
      location_id: a.store.id,
      tax_rate: '8',
      lines: [{ item_id: plain.id, qty: 1 }, { item_id: exemptBook.id, qty: 1, tax_rate: '1' }],
      payments: [{ tender: 'card', amount: '20.90' }],
    });
    expect(given.lines.map((l) => l.tax_rate_ppm)).toEqual([pct(8), pct(1)]);
    expect(given.sale.total_micros).toBe($('20.90'));
  });

  it('works tax out of prices that include it, to the cent, and refunds the tax that was charged', async () => {
    const ctx = ctxOf();
    const shop = await makeShop(ctx);
    const vat = await createTaxRate(ctx, { name: 'VAT', rate: pct(20) });
    const food = category('Food');
    const zero = await createTaxRate(ctx, { name: 'Zero', rate: 0 });
    await setTaxRule(ctx, { site_id: shop.store.id, category: null, tax_rate_id: vat.id });
    await setTaxRule(ctx, { site_id: shop.store.id, category: food, tax_rate_id: zero.id });
    const soap = await makeItem(ctx, { price: $('4.99') });
    const bread = await makeItem(ctx, { price: $('2.50'), category: food });
    await updateSettings(ctx, { prices_include_tax: true });
    try {
      // 3 × 4.99 = 14.97 on the shelf and on the receipt; tax 14.97 × 0.2 ÷ 1.2 = 2.495 → 2.50; net 12.47.
      const one = await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: soap.id, qty: 3 }], payments: [{ tender: 'card', amount: '14.97' }] });
      expect(one.lines[0]).toMatchObject({ gross_micros: $('14.97'), net_micros: $('12.47'), tax_micros: $('2.50'), total_micros: $('14.97') });
      expect(one.sale).toMatchObject({ subtotal_micros: $('14.97'), tax_micros: $('2.50'), total_micros: $('14.97'), tax_included: 1 });

      // 14.97 (VAT) + 2 × 2.50 = 5.00 (zero-rated), 10 % off the sale: 1.997 → 2.00, shared
      // 1.50 / 0.50 by largest remainder. Soap 13.47: tax 13.47 ÷ 6 = 2.245 → 2.25, net 11.22.
      // Bread 4.50, no tax. Total 17.97, as the shelf prices less the discount.
      const two = await sell(ctx, {
        location_id: shop.store.id,
        discount: { percent: '10', reason: 'loyalty' },
        lines: [{ item_id: soap.id, qty: 3 }, { item_id: bread.id, qty: 2 }],
        payments: [{ tender: 'card', amount: '17.97' }],
      });
      expect(two.lines.map((l) => [l.sale_discount_micros, l.total_micros, l.tax_micros, l.net_micros])).toEqual([
        [$('1.50'), $('13.47'), $('2.25'), $('11.22')],
        [$('0.50'), $('4.50'), 0, $('4.50')],
      ]);
      expect(two.sale).toMatchObject({ discount_micros: $('2.00'), tax_micros: $('2.25'), total_micros: $('17.97') });

      // One soap of three back: a third of what was paid for the line, its tax in it: 13.47 ÷ 3 = 4.49.
      const back = await createReturn(ctx, createReturnBody.parse({ sale_id: two.sale.id, reason: 'changed mind', lines: [{ line_id: two.lines[0]!.id, qty: 1, condition: 'restockable' }] }));
      expect(back.ret.refund_micros).toBe($('4.49'));
      const rest = await createReturn(ctx, createReturnBody.parse({ sale_id: two.sale.id, reason: 'changed mind', lines: [{ line_id: two.lines[0]!.id, qty: 2, condition: 'restockable' }] }));
      // Line returned whole: exactly its total, tax included, comes back.
      expect(back.ret.refund_micros + rest.ret.refund_micros).toBe($('13.47'));
    } finally {
      await updateSettings(ctx, { prices_include_tax: false });
    }
  });

  it('charges channel orders from the rules at the channel’s first site, and a rate the channel sends before them', async () => {
    const ctx = ctxOf();
    const { a, book, plain } = await setUp(ctx);
    for (const item of [book, plain]) await createAdjustment(ctx, { location_id: a.storeBin, reason: 'opening_balance', lines: [{ item_id: item.id, qty: q(10), unit_cost: $('4.00') }] });
    const channel = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [a.store.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const taken = await createOrder(
      ctx,
      createOrderBody.parse({ channel_id: channel.id, channel_order_id: `T-${n++}`, lines: [{ item_id: book.id, qty: 2 }, { item_id: plain.id, qty: 1, tax_rate: '0' }] }),
    );
    // 2 × 10.00 at the books-at-A 20 % = 24.00; the channel said no tax on the other: 10.00.
    expect(taken.record.lines.map((l) => [Number(l.tax_rate_ppm), Number(l.tax_micros), l.total_micros])).toEqual([
      [pct(20), $('4.00'), $('24.00')],
      [0, 0, $('10.00')],
    ]);
    expect(taken.record.order.total_micros).toBe($('34.00'));
    const order = await getOrder(ctx, taken.record.order.id);
    expect(order.lines[0]!.tax_micros).toBe($('4.00'));
  });

  it('refunds an order line’s tax with its goods, and reports revenue net of tax for orders and the counter', async () => {
    const ctx = ctxOf();
    const { a, book } = await setUp(ctx);
    await createAdjustment(ctx, { location_id: a.storeBin, reason: 'opening_balance', lines: [{ item_id: book.id, qty: q(10), unit_cost: $('4.00') }] });
    const channel = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [a.store.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    // 3 × 10.00 at 20 %: 36.00, of which 6.00 tax.
    const taken = await createOrder(ctx, createOrderBody.parse({ channel_id: channel.id, channel_order_id: `R-${n++}`, lines: [{ item_id: book.id, qty: 3 }] }));
    const line = taken.record.lines[0]!;
    const [list] = await createPickLists(ctx, taken.record.order.id);
    await markPicked(ctx, list!.list.id);
    const packed = await packShipment(ctx, list!.list.id, { packages: [{ weight_g: q(900), lines: [{ order_line_id: line.id, qty: q(2) }] }] });
    await shipShipment(ctx, packed.shipment.id, { carrier: 'Post', service: 'Standard', packages: [{ package_id: packed.packages[0]!.id, tracking_number: 'T1' }] });
    const back = await createReturn(ctx, createReturnBody.parse({ order_id: taken.record.order.id, reason: 'changed mind', lines: [{ line_id: line.id, qty: 1, condition: 'restockable' }] }));
    // One of three back: 12.00, its 2.00 of tax included.
    expect(back.ret.refund_micros).toBe($('12.00'));
    // At the counter: 2 × 10.00 + 4.00 tax, one back for 12.00.
    const sale = await sell(ctx, { location_id: a.store.id, lines: [{ item_id: book.id, qty: 2 }], payments: [{ tender: 'card', amount: '24.00' }] });
    await createReturn(ctx, createReturnBody.parse({ sale_id: sale.sale.id, reason: 'changed mind', lines: [{ line_id: sale.lines[0]!.id, qty: 1, condition: 'restockable' }] }));
    const scope = { filters: { from: '2000-01-01', to: '2100-01-01', itemId: book.id }, timeZone: 'UTC', start: 0, end: ctx.clock.now() + 86_400_000, sites: 'all' as const, now: ctx.clock.now() };
    const facts = await salesFacts(ctx, scope);
    // Revenue alone (the losses report's share of revenue) adds up as the lines do, refunds net of tax included.
    expect(await salesRevenue(ctx, scope)).toBe(facts.reduce((sum, f) => sum + f.revenue, 0));
    // Shipped 24.00 less the 12.00 refund = 12.00 kept, 10.00 of it net of tax; the counter the same.
    expect(facts.filter((f) => f.lineId === line.id || f.lineId === sale.lines[0]!.id).map((f) => [f.source, f.revenue])).toEqual(
      expect.arrayContaining([
        ['order', $('10.00')],
        ['sale', $('10.00')],
      ]),
    );
  });
});
