import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem } from '../../../test/support/fixtures.ts';
import { $, makeCafe, q, sell } from '../../../test/support/shop.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { createModifierGroup, gtinCheckDigit, setItemModifierGroups } from '../catalog/index.ts';
import { balanceAt, checkLedger, LedgerError } from '../ledger/index.ts';
import { createLocation, updateLocation, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { getSale, modifierSales, voidSale } from './index.ts';
import { toSaleJson } from './sales.mapper.ts';
import { SalesError } from './sales.errors.ts';

/** A valid EAN-13 no other test uses: a random body and its check digit. */
function uniqueGtin13(): string {
  const body = `4${String(Math.floor(Math.random() * 1e11)).padStart(11, '0')}`;
  return `${body}${gtinCheckDigit(body)}`;
}

async function rejection(promise: Promise<unknown>): Promise<SalesError | LedgerError> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as SalesError,
  );
}

describeEachDatabase('checkout', (get) => {
  const ctxOf = () => serviceContext(get().db);
  const onHand = async (itemId: string, locationId: string) => (await balanceAt(get().db.kysely, itemId, locationId)).onHand;

  it('sells a recipe item with oat milk in place of whole milk and an extra shot, at the cost of what it consumed', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const oatMilk = cafe.milkGroup.modifiers[0]!.id;
    const shot = cafe.extras.modifiers[0]!.id;
    const sale = await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.latte.id, qty: 2, modifiers: [oatMilk, shot] }], payments: [{ tender: 'card', amount: '10.60' }] });
    // 2 × (4.20 + 0.50 + 0.60) = 10.60, no tax
    expect([sale.sale.total_micros, sale.sale.change_micros]).toEqual([$('10.60'), 0]);
    // beans 2 × (18 + 9) = 54 g, oat milk 0.4 l, no whole milk, 2 cups
    expect(await onHand(cafe.beans.id, cafe.storeBin)).toBe(q(1000 - 54));
    expect(await onHand(cafe.oat.id, cafe.storeBin)).toBe(q(10 - 0.4));
    expect(await onHand(cafe.milk.id, cafe.storeBin)).toBe(q(20));
    expect(await onHand(cafe.cup.id, cafe.storeBin)).toBe(q(98));
    // COGS: 54 × 0.018 + 0.4 × 1.40 + 2 × 0.07 = 0.972 + 0.56 + 0.14 = 1.672
    const json = toSaleJson(sale, { costs: true });
    expect(json.cost_of_goods).toBe('1.672');
    expect(json.margin).toBe('8.928');
    expect(json.lines[0]!.modifiers.map((m) => m.name)).toEqual(['Oat milk', 'Extra shot']);
    const report = await modifierSales(ctx, { from: ctx.clock.now() - 1, to: ctx.clock.now() + 1 });
    expect(report.find((r) => r.modifierId === oatMilk)).toMatchObject({ lines: 1, qty: q(2), revenueMicros: $('1.00') });
    expect(report.find((r) => r.modifierId === shot)).toMatchObject({ lines: 1, qty: q(2), revenueMicros: $('1.20') });
  });

  it('sells a bundle by scanning its barcode, a stocked item by SKU, with line and sale discounts and tax', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    // A GTIN of its own, so the item is created on the shared test database every time; a
    // failure to create it fails the test rather than falling back to some other item.
    const code = uniqueGtin13();
    const basket = await makeItem(ctx, {
      name: 'Scanned basket',
      price: $('45.00'),
      stocked: false,
      barcodes: [code],
      components: [
        { item_id: cafe.candle.id, qty: q(1) },
        { item_id: cafe.choc.id, qty: q(2) },
      ],
    });
    expect(JSON.parse(basket.barcodes_json)[0].code).toBe(code);
    const sale = await sell(ctx, {
      location_id: cafe.store.id,
      tax_rate: '8.875',
      discount: { amount: '1.00', reason: 'loyalty card', employee: 'emp-7' },
      lines: [
        { barcode: code, qty: 1, discount: { percent: '10', reason: 'damaged box', employee: 'emp-7' } },
        { sku: cafe.mug.sku.toLowerCase(), qty: 2 },
      ],
      payments: [{ tender: 'cash', amount: '80.00' }],
    });
    // basket 45.00 − 4.50 = 40.50; mugs 32.00; sale discount 1.00 shared 40.50 : 32.00 → 0.56 / 0.44
    // tax 8.875 %: 39.94 → 3.544675 → 3.54; 31.56 → 2.80095 → 2.80; total 39.94 + 3.54 + 31.56 + 2.80 = 77.84
    const json = toSaleJson(sale, { costs: true });
    expect(json.lines.map((l) => [l.gross, l.discount, l.sale_discount, l.net, l.tax, l.total])).toEqual([
      ['45.00', '4.50', '0.56', '39.94', '3.54', '43.48'],
      ['32.00', '0.00', '0.44', '31.56', '2.80', '34.36'],
    ]);
    expect(json.totals).toEqual({ subtotal: '77.00', discount: '5.50', tax: '6.34', total: '77.84', paid: '80.00', change: '2.16', refunded: '0.00' });
    expect(json.discounts).toEqual([
      { line_id: json.lines[0]!.id, kind: 'percent', percent: '10', amount: '4.50', reason: 'damaged box', employee: 'emp-7' },
      { line_id: null, kind: 'amount', percent: null, amount: '1.00', reason: 'loyalty card', employee: 'emp-7' },
    ]);
    // the bundle consumed a candle and two bars; COGS 5.60 + 2.70 + 2 × 4.90 = 18.10
    expect(await onHand(cafe.candle.id, cafe.storeBin)).toBe(q(9));
    expect(await onHand(cafe.choc.id, cafe.storeBin)).toBe(q(18));
    expect(json.cost_of_goods).toBe('18.10');
    expect(sale.sale.number).toMatch(/-T1-\d{6}$/);
  });

  it('leaves costs and margins out for staff', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const sale = await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.mug.id, qty: 1 }], payments: [{ tender: 'cash', amount: '16.00' }] });
    const json = toSaleJson(sale, { costs: false });
    expect(json).not.toHaveProperty('cost_of_goods');
    expect(json).not.toHaveProperty('margin');
    expect(json.lines[0]).not.toHaveProperty('cost');
    expect(json.lines[0]!.consumed[0]).not.toHaveProperty('cost');
  });

  it('posts a counter sale at an allow-negative store and flags the negative balance; a strict location refuses', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const sale = await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.mug.id, qty: 12 }], payments: [{ tender: 'card', amount: '192.00' }] });
    expect(sale.negativeBalances).toEqual([{ itemId: cafe.mug.id, locationId: cafe.storeBin, lotId: '', onHand: q(-2) }]);
    const error = await rejection(sell(ctx, { location_id: cafe.warehouseBins[0]!, lines: [{ item_id: cafe.mug.id, qty: 11 }], payments: [{ tender: 'card', amount: '176.00' }] }));
    expect(error.code).toBe('insufficient_stock');
    expect(await onHand(cafe.mug.id, cafe.warehouseBins[0]!)).toBe(q(10));
    const report = await checkLedger(get().db);
    expect(report.invariants.filter((i) => !i.ok)).toEqual([]);
  });

  it('refuses what is not a sale, and a refused sale changes nothing', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const base = { location_id: cafe.store.id, payments: [{ tender: 'cash', amount: '100.00' }] };
    expect((await rejection(sell(ctx, { ...base, lines: [{ sku: 'NO-SUCH-SKU', qty: 1 }] }))).code).toBe('sale_line_invalid');
    expect((await rejection(sell(ctx, { ...base, lines: [{ item_id: cafe.mug.id, qty: 1 }], payments: [{ tender: 'cash', amount: '10.00' }] }))).code).toBe('payment_insufficient');
    expect((await rejection(sell(ctx, { ...base, lines: [{ item_id: cafe.mug.id, qty: 1 }], payments: [{ tender: 'card', amount: '20.00' }] }))).code).toBe('payment_invalid');
    expect((await rejection(sell(ctx, { ...base, lines: [{ item_id: cafe.mug.id, qty: 1, modifiers: [cafe.milkGroup.modifiers[0]!.id] }] }))).code).toBe('modifier_invalid');
    const shot = cafe.extras.modifiers[0]!.id;
    expect((await rejection(sell(ctx, { ...base, lines: [{ item_id: cafe.latte.id, qty: 1, modifiers: [shot, shot, shot, shot] }] }))).code).toBe('modifier_invalid');
    expect((await rejection(sell(ctx, { ...base, lines: [{ item_id: cafe.mug.id, qty: 1, discount: { amount: '17.00', reason: 'x' } }] }))).code).toBe('discount_invalid');
    expect((await rejection(sell(ctx, { ...base, currency: 'EUR', lines: [{ item_id: cafe.mug.id, qty: 1 }] }))).code).toBe('currency_mismatch');
    const quarantine = await createLocation(ctx, { kind: 'bin', parent_id: cafe.store.id, code: 'Q', name: 'Returns shelf', purpose: 'quarantine' });
    expect((await rejection(sell(ctx, { ...base, location_id: quarantine.id, lines: [{ item_id: cafe.mug.id, qty: 1 }] }))).code).toBe('location_not_sellable');
    expect(await onHand(cafe.mug.id, cafe.storeBin)).toBe(q(10));
  });

  it('insists on a required modifier group', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const size = await createModifierGroup(ctx, { name: 'Size', selection: 'single', required: true, modifiers: [{ name: 'Regular', price_delta: 0, components: [] }, { name: 'Large', price_delta: $('0.80'), components: [{ item_id: cafe.milk.id, qty: q(0.1) }] }] });
    await setItemModifierGroups(ctx, cafe.latte.id, [cafe.milkGroup.id, size.id]);
    const error = await rejection(sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.latte.id, qty: 1 }], payments: [{ tender: 'cash', amount: '5.00' }] }));
    expect(error.code).toBe('modifier_invalid');
    const large = size.modifiers[1]!.id;
    const sale = await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.latte.id, qty: 1, modifiers: [large] }], payments: [{ tender: 'cash', amount: '5.00' }] });
    expect(sale.sale.total_micros).toBe($('5.00'));
    expect(await onHand(cafe.milk.id, cafe.storeBin)).toBe(q(20 - 0.3));
  });

  it('draws lot-tracked components FEFO at the store and sells a named serial', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const cream = await makeItem(ctx, { name: 'Cream', base_unit: 'l', tracking: 'lot', tracks_expiry: true, price: $('3.00') });
    const watch = await makeItem(ctx, { name: 'Watch', tracking: 'serial', price: $('99.00') });
    const scone = await makeItem(ctx, { name: 'Scone with cream', price: $('3.50'), stocked: false, components: [{ item_id: cream.id, qty: q(0.05) }] });
    // Received one after the other at different costs: cost layers carry their lot, so each lot
    // picked costs what that lot cost, not what the item's oldest layer cost.
    const receive = async (lines: Array<Record<string, unknown>>) => {
      await createAdjustment(ctx, { location_id: cafe.store.id, reason: 'opening_balance', lines: lines as never });
      ctx.clock.advance(1000);
    };
    await receive([{ item_id: cream.id, qty: q(0.1), lot_code: 'LATE', expires_on: '2027-06-01', unit_cost: $('4.00') }]);
    await receive([{ item_id: cream.id, qty: q(0.06), lot_code: 'SOON', expires_on: '2027-01-01', unit_cost: $('3.00') }]);
    await receive([{ item_id: watch.id, qty: q(1), lot_code: 'SN-1', unit_cost: $('40.00') }]);
    await receive([{ item_id: watch.id, qty: q(1), lot_code: 'SN-2', unit_cost: $('41.00') }]);
    const sale = await sell(ctx, {
      location_id: cafe.store.id,
      lines: [
        { item_id: scone.id, qty: 2 },
        { item_id: watch.id, qty: 1, lot_code: 'SN-2' },
      ],
      payments: [{ tender: 'card', amount: '106.00' }],
    });
    const consumed = sale.lines.flatMap((l) => l.movements.map((m) => [m.item_id, m.lot_id, m.qty, m.value_micros]));
    const lots = await get().db.kysely.selectFrom('lots').select(['id', 'code']).where('item_id', 'in', [cream.id, watch.id]).execute();
    const code = (id: string) => lots.find((l) => l.id === id)?.code;
    // 0.1 l of cream: 0.06 from SOON first (it expires first) at its 3.00, 0.04 from LATE at its 4.00;
    // serial SN-2 at its own 41.00 (item-wide FIFO would have said 0.24, 0.16 and SN-1's 40.00).
    expect(consumed.map(([item, lot, qty, value]) => [item, code(lot as string), qty, value])).toEqual([
      [cream.id, 'SOON', q(0.06), $('0.18')],
      [cream.id, 'LATE', q(0.04), $('0.16')],
      [watch.id, 'SN-2', q(1), $('41.00')],
    ]);
    const noSerial = await rejection(sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: watch.id, qty: 1 }], payments: [{ tender: 'card', amount: '99.00' }] }));
    expect(noSerial.code).toBe('sale_line_invalid');
  });

  it('voids some lines then the rest, putting goods back at the cost they left with, once', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const sale = await sell(ctx, {
      location_id: cafe.store.id,
      lines: [
        { item_id: cafe.basket.id, qty: 1 },
        { item_id: cafe.mug.id, qty: 1 },
      ],
      payments: [{ tender: 'card', amount: '61.00' }],
    });
    const first = await voidSale(ctx, sale.sale.id, { reason: 'rang up twice', line_ids: [sale.lines[1]!.id] });
    expect(first.ret.kind).toBe('void');
    expect(first.refunds.map((r) => [r.tender, r.amount_micros])).toEqual([['card', $('16.00')]]);
    // the basket took a mug too
    expect(await onHand(cafe.mug.id, cafe.storeBin)).toBe(q(9));
    const rest = await voidSale(ctx, sale.sale.id, { reason: 'customer changed mind', refunds: [{ tender: 'cash', amount: $('45.00') }] });
    expect(rest.lines.map((l) => l.qty)).toEqual([q(1)]);
    expect(rest.lines[0]!.movements.map((m) => [m.item_id, m.qty, m.unit_cost_micros, m.kind])).toEqual([
      [cafe.candle.id, q(1), $('5.60'), 'sale_void'],
      [cafe.mug.id, q(1), $('4.90'), 'sale_void'],
      [cafe.choc.id, q(2), $('1.35'), 'sale_void'],
    ]);
    for (const item of [cafe.candle, cafe.mug]) expect(await onHand(item.id, cafe.storeBin)).toBe(q(10));
    expect(await onHand(cafe.choc.id, cafe.storeBin)).toBe(q(20));
    expect(await onHand(cafe.mug.id, VIRTUAL_LOCATION_IDS.customer)).toBe(0);
    expect((await rejection(voidSale(ctx, sale.sale.id, { reason: 'again' }))).code).toBe('sale_already_voided');
    const after = await getSale(ctx, sale.sale.id);
    expect(after.sale.refunded_micros).toBe($('61.00'));
    expect(after.lines.map((l) => l.qty_returned)).toEqual([q(1), q(1)]);
    expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
  });

  it('voids a whole sale in one go and refuses a second void', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const sale = await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.latte.id, qty: 1 }], payments: [{ tender: 'cash', amount: '5.00' }] });
    const voided = await voidSale(ctx, sale.sale.id, { reason: 'wrong drink' });
    expect(voided.refunds.map((r) => [r.tender, r.amount_micros])).toEqual([['cash', $('4.20')]]);
    expect((await getSale(ctx, sale.sale.id)).sale.status).toBe('voided');
    expect((await rejection(voidSale(ctx, sale.sale.id, { reason: 'again' }))).code).toBe('sale_already_voided');
    expect(await onHand(cafe.beans.id, cafe.storeBin)).toBe(q(1000));
  });

  it('keeps selling at a store that was made strict only while stock lasts', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    await updateLocation(ctx, cafe.store.id, { negative_stock: 'strict' });
    await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.mug.id, qty: 10 }], payments: [{ tender: 'card', amount: '160.00' }] });
    expect((await rejection(sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.mug.id, qty: 1 }], payments: [{ tender: 'card', amount: '16.00' }] }))).code).toBe('insufficient_stock');
  });
});
