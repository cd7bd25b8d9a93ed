import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem } from '../../../test/support/fixtures.ts';
import { $, makeCafe, q, saleBody, sell } from '../../../test/support/shop.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { createPickLists, markPicked, packShipment, shipShipment } from '../fulfillment/index.ts';
import { balanceAt, checkLedger } from '../ledger/index.ts';
import { createLocation, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { createChannel, createExchange, createOrder, createReturn, getOrder, getSale } from './index.ts';
import { createOrderBody } from './orders.schema.ts';
import { createReturnBody } from './sales.schema.ts';

describeEachDatabase('returns and exchanges', (get) => {
  const ctxOf = () => serviceContext(get().db);
  const onHand = async (itemId: string, locationId: string, lotId?: string) => (await balanceAt(get().db.kysely, itemId, locationId, lotId)).onHand;
  const returnBody = (body: Record<string, unknown>) => createReturnBody.parse({ reason: 'changed mind', ...body });

  it('restocks, scraps and refunds-only, each at the cost the goods left with', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const sale = await sell(ctx, {
      location_id: cafe.store.id,
      tax_rate: '10',
      lines: [{ item_id: cafe.mug.id, qty: 3 }, { item_id: cafe.candle.id, qty: 2 }, { item_id: cafe.choc.id, qty: 1 }],
      payments: [{ tender: 'card', amount: '97.35' }],
    });
    // 3 × 16.00 = 48.00 + 4.80 tax; 2 × 18.00 = 36.00 + 3.60; 4.50 + 0.45 → 97.35
    expect(sale.sale.total_micros).toBe($('97.35'));
    const [mugLine, candleLine, chocLine] = sale.lines;
    // Mugs bought since cost more; what comes back comes back at the 4.90 it left with.
    ctx.clock.advance(1000);
    await createAdjustment(ctx, { location_id: cafe.store.id, reason: 'found', lines: [{ item_id: cafe.mug.id, qty: q(5), unit_cost: $('6.00') }] });
    const shelf = await createLocation(ctx, { kind: 'bin', parent_id: cafe.store.id, code: 'BACK', name: 'Back room' });
    const ret = await createReturn(
      ctx,
      returnBody({
        sale_id: sale.sale.id,
        lines: [
          { line_id: mugLine!.id, qty: 2, condition: 'restockable', restock_location_id: shelf.id },
          { line_id: candleLine!.id, qty: 1, condition: 'damaged' },
          { line_id: chocLine!.id, qty: 1, condition: 'not_received' },
        ],
      }),
    );
    // Refunds: 2/3 of 52.80 = 35.20; 1/2 of 39.60 = 19.80; 4.95 → 59.95, to the card it was paid with.
    expect(ret.lines.map((l) => l.refund_micros)).toEqual([$('35.20'), $('19.80'), $('4.95')]);
    expect(ret.refunds.map((r) => [r.tender, r.amount_micros])).toEqual([['card', $('59.95')]]);
    // They come back at 4.90 into the back room.
    expect(ret.lines[0]!.movements.map((m) => [m.to_location_id, m.qty, m.unit_cost_micros])).toEqual([[shelf.id, q(2), $('4.90')]]);
    expect(await onHand(cafe.mug.id, shelf.id)).toBe(q(2));
    // The damaged candle came back at 5.60 and went to scrap; the store's candles are unchanged.
    expect(ret.lines[1]!.to_location_id).toBe(VIRTUAL_LOCATION_IDS.scrap);
    expect(await onHand(cafe.candle.id, VIRTUAL_LOCATION_IDS.scrap)).toBe(q(1));
    expect(await onHand(cafe.candle.id, cafe.storeBin)).toBe(q(8));
    const scrapped = await get().db.kysely.selectFrom('movements').select(['kind', 'reason', 'value_micros']).where('document_id', '=', ret.ret.id).where('to_location_id', '=', VIRTUAL_LOCATION_IDS.scrap).execute();
    expect(scrapped).toEqual([{ kind: 'scrap', reason: 'damaged', value_micros: $('5.60') }]);
    // Not received: money only.
    expect(ret.lines[2]!.movements).toEqual([]);
    expect(await onHand(cafe.choc.id, cafe.storeBin)).toBe(q(19));

    // The last mug: refund takes what is left of the line, 52.80 − 35.20.
    const last = await createReturn(ctx, returnBody({ sale_id: sale.sale.id, lines: [{ line_id: mugLine!.id, qty: 1, condition: 'restockable' }] }));
    expect(last.lines[0]!.refund_micros).toBe($('17.60'));
    expect(last.lines[0]!.movements.map((m) => [m.to_location_id, m.unit_cost_micros])).toEqual([[cafe.storeBin, $('4.90')]]);
    expect(await onHand(cafe.mug.id, cafe.storeBin)).toBe(q(10 - 3 + 5 + 1));
    await expect(createReturn(ctx, returnBody({ sale_id: sale.sale.id, lines: [{ line_id: mugLine!.id, qty: 1, condition: 'restockable' }] }))).rejects.toMatchObject({ code: 'return_invalid' });
    const after = await getSale(ctx, sale.sale.id);
    expect([after.sale.status, after.sale.refunded_micros]).toEqual(['partially_returned', $('77.55')]);
    expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
  });

  it('sends damaged goods to a quarantine bin, where they are kept apart, and returns a lot to its own lot', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const honey = await makeItem(ctx, { tracking: 'lot', tracks_expiry: true, price: $('11.00') });
    await createAdjustment(ctx, { location_id: cafe.store.id, reason: 'opening_balance', lines: [{ item_id: honey.id, qty: q(3), lot_code: 'H1', expires_on: '2028-01-01', unit_cost: $('4.20') }] });
    const lot = (await get().db.kysely.selectFrom('lots').select('id').where('item_id', '=', honey.id).executeTakeFirstOrThrow()).id;
    const quarantine = await createLocation(ctx, { kind: 'bin', parent_id: cafe.store.id, code: 'QA', name: 'Inspection', purpose: 'quarantine' });
    const sale = await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: honey.id, qty: 2 }], payments: [{ tender: 'cash', amount: '22.00' }] });
    await createReturn(ctx, returnBody({ sale_id: sale.sale.id, lines: [{ line_id: sale.lines[0]!.id, qty: 1, condition: 'damaged', damaged_to: quarantine.id }] }));
    await createReturn(ctx, returnBody({ sale_id: sale.sale.id, lines: [{ line_id: sale.lines[0]!.id, qty: 1, condition: 'restockable' }] }));
    expect(await onHand(honey.id, quarantine.id, lot)).toBe(q(1));
    expect(await onHand(honey.id, cafe.storeBin, lot)).toBe(q(2));
    await expect(
      createReturn(ctx, returnBody({ sale_id: sale.sale.id, lines: [{ line_id: sale.lines[0]!.id, qty: 1, condition: 'damaged', damaged_to: cafe.storeBin }] })),
    ).rejects.toMatchObject({ code: 'return_invalid' });
  });

  it('returns part of a gift basket’s components in proportion', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const sale = await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.basket.id, qty: 2 }], payments: [{ tender: 'cash', amount: '90.00' }] });
    const ret = await createReturn(ctx, returnBody({ sale_id: sale.sale.id, lines: [{ line_id: sale.lines[0]!.id, qty: 1, condition: 'restockable' }] }));
    expect(ret.lines[0]!.movements.map((m) => [m.item_id, m.qty])).toEqual([
      [cafe.candle.id, q(1)],
      [cafe.mug.id, q(1)],
      [cafe.choc.id, q(2)],
    ]);
    expect(ret.ret.refund_micros).toBe($('45.00'));
  });

  it('exchanges: the return pays for the new sale; the customer pays the difference, or is paid the rest', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const sale = await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.mug.id, qty: 1 }, { item_id: cafe.choc.id, qty: 2 }], payments: [{ tender: 'card', amount: '25.00' }] });
    // A mug (16.00) back for a candle (18.00): the customer pays 2.00 in cash.
    const up = await createExchange(ctx, {
      return: { sale_id: sale.sale.id, reason: 'wrong colour', lines: [{ line_id: sale.lines[0]!.id, qty: q(1), condition: 'restockable' }] },
      sale: saleBody({ location_id: cafe.store.id, lines: [{ item_id: cafe.candle.id, qty: 1 }], payments: [{ tender: 'cash', amount: '5.00' }] }),
      refund_tender: 'cash',
    });
    expect(up.differenceMicros).toBe($('2.00'));
    expect(up.sale.payments.map((p) => [p.tender, p.amount_micros])).toEqual([
      ['exchange', $('16.00')],
      ['cash', $('5.00')],
    ]);
    expect(up.sale.sale.change_micros).toBe($('3.00'));
    expect(up.ret.refunds.map((r) => [r.tender, r.amount_micros])).toEqual([['exchange', $('16.00')]]);
    expect(up.ret.ret.exchange_id).toBe(up.id);
    expect(up.sale.sale.exchange_id).toBe(up.id);
    expect(await onHand(cafe.mug.id, cafe.storeBin)).toBe(q(10));
    expect(await onHand(cafe.candle.id, cafe.storeBin)).toBe(q(9));
    // Two bars (9.00) back for one (4.50): 4.50 in cash to the customer.
    const down = await createExchange(ctx, {
      return: { sale_id: sale.sale.id, reason: 'too much', lines: [{ line_id: sale.lines[1]!.id, qty: q(2), condition: 'restockable' }] },
      sale: saleBody({ location_id: cafe.store.id, lines: [{ item_id: cafe.choc.id, qty: 1 }] }),
      refund_tender: 'cash',
    });
    expect(down.differenceMicros).toBe($('-4.50'));
    expect(down.ret.refunds.map((r) => [r.tender, r.amount_micros])).toEqual([
      ['exchange', $('4.50')],
      ['cash', $('4.50')],
    ]);
    // A failing half undoes the whole exchange.
    await expect(
      createExchange(ctx, {
        return: { sale_id: sale.sale.id, reason: 'x', lines: [{ line_id: sale.lines[0]!.id, qty: q(1), condition: 'restockable' }] },
        sale: saleBody({ location_id: cafe.store.id, lines: [{ item_id: cafe.candle.id, qty: 1 }] }),
        refund_tender: 'cash',
      }),
    ).rejects.toMatchObject({ code: 'return_invalid' });
    expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
  });

  it('takes back part of a shipped order into the bin it left from', async () => {
    const ctx = ctxOf();
    const cafe = await makeCafe(ctx);
    const channel = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [cafe.warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const taken = await createOrder(ctx, createOrderBody.parse({ channel_id: channel.id, channel_order_id: `R-${Date.now()}`, lines: [{ item_id: cafe.mug.id, qty: 3, unit_price: '15.00' }] }));
    const [list] = await createPickLists(ctx, taken.record.order.id);
    await markPicked(ctx, list!.list.id);
    const line = taken.record.lines[0]!;
    const shipment = await packShipment(ctx, list!.list.id, { packages: [{ weight_g: q(1200), lines: [{ order_line_id: line.id, qty: q(2) }] }] });
    await expect(createReturn(ctx, returnBody({ order_id: taken.record.order.id, lines: [{ line_id: line.id, qty: 1, condition: 'restockable' }] }))).rejects.toMatchObject({ code: 'return_invalid' });
    await shipShipment(ctx, shipment.shipment.id, { carrier: 'Post', service: 'Standard', packages: [{ package_id: shipment.packages[0]!.id, tracking_number: 'P1' }] });
    const ret = await createReturn(ctx, returnBody({ order_id: taken.record.order.id, lines: [{ line_id: line.id, qty: 1, condition: 'restockable' }] }));
    expect(ret.lines[0]!.movements.map((m) => [m.to_location_id, m.unit_cost_micros])).toEqual([[cafe.warehouseBins[0]!, $('4.90')]]);
    expect(ret.refunds.map((r) => [r.tender, r.amount_micros])).toEqual([['other', $('15.00')]]);
    expect((await getOrder(ctx, taken.record.order.id)).lines[0]!.qty_returned).toBe(q(1));
    await expect(createReturn(ctx, returnBody({ order_id: taken.record.order.id, lines: [{ line_id: line.id, qty: 2, condition: 'restockable' }] }))).rejects.toMatchObject({ code: 'return_invalid' });
  });
});
