import { expect, it } from 'vitest';
import { checkLedger } from '../../src/modules/ledger/index.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

/**
 * Tried as a new user would, through the API only: a café and gift shop sells a gift basket (a
 * bundle, scanned), two lattes with oat milk (a recipe with a modifier) and a discounted mug at the
 * counter; takes an online order for scarves and gloves, picks it, packs it into two parcels and
 * ships them with tracking numbers, cancels the scarf it cannot send; takes a torn scarf back
 * damaged, and exchanges the gift basket for two candles. Every balance, reservation, cost of
 * goods sold and outbox event is checked against the hand calculation written out below.
 */
describeEachDatabase('a new user sells, ships, takes back and exchanges', (get) => {
  it('agrees with the hand calculation at every step', async () => {
    const api: TestApi = await buildTestApi(get().db);
    const ok = async (method: 'POST' | 'PUT' | 'PATCH', url: string, body: unknown, status = method === 'POST' ? 201 : 200) => {
      const headers = url === '/api/v1/sales' ? { 'idempotency-key': `scenario-${Math.random()}` } : undefined;
      const response = await api.request(method, url, { body, headers });
      expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBe(status);
      return response.body;
    };
    const tag = Date.now().toString(36).toUpperCase();

    // --- The shop -------------------------------------------------------------------------------
    const store = await ok('POST', '/api/v1/locations', { kind: 'site', code: `CAFE${tag}`, name: 'Corner café', site_type: 'store' });
    const warehouse = await ok('POST', '/api/v1/locations', { kind: 'site', code: `WH${tag}`, name: 'Warehouse', site_type: 'warehouse' });
    const aisle = await ok('POST', '/api/v1/locations', { kind: 'zone', parent_id: warehouse.id, code: 'A', name: 'Aisle A' });
    const a01 = await ok('POST', '/api/v1/locations', { kind: 'bin', parent_id: aisle.id, code: '01', name: 'A-01', pick_order: 1 });
    const a02 = await ok('POST', '/api/v1/locations', { kind: 'bin', parent_id: aisle.id, code: '02', name: 'A-02', pick_order: 2 });
    const item = (sku: string, name: string, price: string, extra: Record<string, unknown> = {}) => ok('POST', '/api/v1/items', { sku: `${sku}-${tag}`, name, price, ...extra });
    const beans = await item('BEANS', 'Espresso beans', '0.04', { base_unit: 'g' });
    const milk = await item('MILK', 'Whole milk', '1.90', { base_unit: 'l' });
    const oat = await item('OAT', 'Oat milk', '2.60', { base_unit: 'l' });
    const cup = await item('CUP', 'Cup', '0.20');
    const latte = await item('LATTE', 'Caffè latte', '4.20', { stocked: false, components: [{ item_id: beans.id, qty: 18 }, { item_id: milk.id, qty: 0.2 }, { item_id: cup.id, qty: 1 }] });
    const candle = await item('CANDLE', 'Peach candle', '18.00');
    const mug = await item('MUG', 'Stoneware mug', '16.00');
    const choc = await item('CHOC', 'Dark chocolate', '4.50');
    const basket = await item('BASKET', 'Gift basket', '45.00', {
      stocked: false,
      barcodes: ['4006381333931'],
      components: [{ item_id: candle.id, qty: 1 }, { item_id: mug.id, qty: 1 }, { item_id: choc.id, qty: 2 }],
    });
    const scarf = await item('SCARF', 'Cashmere scarf', '89.00');
    const gloves = await item('GLOVES', 'Wool gloves', '29.00');
    const milkGroup = await ok('POST', '/api/v1/modifier-groups', { name: 'Milk', selection: 'single', modifiers: [{ name: 'Oat milk', price_delta: '0.50', components: [{ item_id: oat.id, replaces_item_id: milk.id }] }] });
    await ok('PUT', `/api/v1/items/${latte.id}/modifier-groups`, { group_ids: [milkGroup.id] });
    const web = await ok('POST', '/api/v1/channels', { name: 'Web shop', kind: 'online', site_ids: [warehouse.id] });

    const opening = (location: string, lines: Array<[any, number, string]>) =>
      ok('POST', '/api/v1/adjustments', { location_id: location, reason: 'opening_balance', lines: lines.map(([i, qty, cost]) => ({ item_id: i.id, qty, unit_cost: cost })) });
    await opening(store.id, [[beans, 1000, '0.018'], [milk, 10, '0.95'], [oat, 5, '1.40'], [cup, 50, '0.07'], [candle, 5, '5.60'], [mug, 5, '4.90'], [choc, 10, '1.35']]);
    await opening(a01.id, [[scarf, 2, '38.00'], [gloves, 3, '11.50']]);
    await opening(a02.id, [[scarf, 3, '38.00']]);

    const balance = async (i: any, location: string) => {
      const rows = (await api.get(`/api/v1/balances?item_id=${i.id}&location_id=${location}&include_virtual=true`)).body.data;
      return rows.length ? { on_hand: rows[0].on_hand, reserved: rows[0].reserved } : { on_hand: 0, reserved: 0 };
    };

    // --- 1. The counter sale, 10 % tax ----------------------------------------------------------
    // basket (scanned)      45.00               tax 4.50   → 49.50   consumes candle, mug, 2 bars
    // 2 lattes, oat milk    2 × 4.70 = 9.40     tax 0.94   → 10.34   consumes 36 g beans, 0.4 l oat, 2 cups (no milk)
    // mug, 10 % off chipped 16.00 − 1.60 = 14.40 tax 1.44 → 15.84
    // total 75.68, paid 80.00 cash, change 4.32
    // COGS: basket 5.60 + 4.90 + 2 × 1.35 = 13.20; lattes 36 × 0.018 + 0.4 × 1.40 + 2 × 0.07 = 1.348; mug 4.90 → 19.448
    // margin: net 68.80 − 19.448 = 49.352
    const sale = await ok('POST', '/api/v1/sales', {
      location_id: store.id,
      register: 'T1',
      tax_rate: '10',
      lines: [
        { barcode: '4006381333931', qty: 1 },
        { sku: latte.sku, qty: 2, modifiers: [milkGroup.modifiers[0].id] },
        { item_id: mug.id, qty: 1, discount: { percent: '10', reason: 'chipped', employee: 'sam' } },
      ],
      payments: [{ tender: 'cash', amount: '80.00' }],
    });
    expect(sale.lines.map((l: any) => [l.sku, l.unit_price, l.gross, l.discount, l.net, l.tax, l.total, l.cost])).toEqual([
      [basket.sku, '45.00', '45.00', '0.00', '45.00', '4.50', '49.50', '13.20'],
      [latte.sku, '4.70', '9.40', '0.00', '9.40', '0.94', '10.34', '1.348'],
      [mug.sku, '16.00', '16.00', '1.60', '14.40', '1.44', '15.84', '4.90'],
    ]);
    expect(sale.totals).toEqual({ subtotal: '70.40', discount: '1.60', tax: '6.88', total: '75.68', paid: '80.00', change: '4.32', refunded: '0.00' });
    expect([sale.cost_of_goods, sale.margin]).toEqual(['19.448', '49.352']);
    expect(sale.discounts).toEqual([{ line_id: sale.lines[2].id, kind: 'percent', percent: '10', amount: '1.60', reason: 'chipped', employee: 'sam' }]);
    expect(sale.warnings).toEqual([]);
    for (const [i, qty] of [[beans, 964], [milk, 10], [oat, 4.6], [cup, 48], [candle, 4], [mug, 3], [choc, 8]] as const) {
      expect(await balance(i, store.id), i.name).toEqual({ on_hand: qty, reserved: 0 });
    }

    // --- 2. The online order: 4 scarves at 89.00, 2 gloves at 29.00 = 414.00 --------------------
    // The warehouse ships it all. Walking order: A-01 first. Scarves: 2 from A-01, 2 from A-02; gloves: 2 from A-01.
    const order = await ok('POST', '/api/v1/orders', {
      channel_id: web.id,
      channel_order_id: `W-1001-${tag}`,
      customer: { name: 'Grace', email: 'grace@example.com' },
      ship_to: '1 Harbour Row',
      lines: [{ item_id: scarf.id, qty: 4 }, { item_id: gloves.id, qty: 2 }],
    });
    expect(order).toMatchObject({ status: 'allocated', total: '414.00' });
    const [scarfLine, glovesLine] = order.lines;
    expect(order.lines.map((l: any) => l.reservations.map((r: any) => [r.location_id, r.qty]))).toEqual([
      [[a01.id, 2], [a02.id, 2]],
      [[a01.id, 2]],
    ]);
    const availability = async () => (await api.get(`/api/v1/channels/${web.id}/availability`)).body.data.map((l: any) => [l.item_id, l.available]).sort();
    expect(await availability()).toEqual([[scarf.id, 1], [gloves.id, 1]].sort());

    const [pickList] = (await ok('POST', `/api/v1/orders/${order.id}/pick-lists`, undefined)).data;
    expect(pickList.lines.map((l: any) => l.location_id)).toEqual([a01.id, a01.id, a02.id]);
    await ok('POST', `/api/v1/pick-lists/${pickList.id}/picked`, undefined, 200);
    // Parcel 1: two scarves (from A-01). Parcel 2: one scarf (from A-02) and the gloves. One scarf stays behind.
    const shipment = await ok('POST', `/api/v1/pick-lists/${pickList.id}/shipments`, {
      packages: [
        { weight_g: 600, lines: [{ order_line_id: scarfLine.id, qty: 2 }] },
        { weight_g: 700, lines: [{ order_line_id: scarfLine.id, qty: 1 }, { order_line_id: glovesLine.id, qty: 2 }] },
      ],
    });
    expect(shipment.packages.map((p: any) => [p.number, p.weight_g, p.lines.map((l: any) => [l.order_line_id, l.qty, l.stock.map((s: any) => s.location_id)])])).toEqual([
      [1, 600, [[scarfLine.id, 2, [a01.id]]]],
      [2, 700, [[scarfLine.id, 1, [a02.id]], [glovesLine.id, 2, [a01.id]]]],
    ]);
    expect((await api.get(`/api/v1/orders/${order.id}`)).body.lines.map((l: any) => l.qty_packed)).toEqual([3, 2]);
    const shipped = await ok(
      'POST',
      `/api/v1/shipments/${shipment.id}/ship`,
      { carrier: 'DHL', service: 'Parcel', packages: shipment.packages.map((p: any, i: number) => ({ package_id: p.id, tracking_number: `TRK-${tag}-${i + 1}` })) },
      200,
    );
    expect(shipped).toMatchObject({ status: 'shipped', carrier: 'DHL', service: 'Parcel' });
    expect(shipped.packages.map((p: any) => p.tracking_number)).toEqual([`TRK-${tag}-1`, `TRK-${tag}-2`]);
    // COGS of the shipment: 3 scarves × 38.00 + 2 gloves × 11.50 = 137.00
    const shipMoves = (await api.get(`/api/v1/movements?document_id=${order.id}`)).body.data;
    expect(shipMoves.reduce((s: number, m: any) => s + Math.round(Number(m.value) * 100), 0)).toBe(13_700);
    let now = (await api.get(`/api/v1/orders/${order.id}`)).body;
    expect(now.status).toBe('partially_shipped');
    expect(now.lines.map((l: any) => [l.qty_shipped, l.qty_open, l.reservations.map((r: any) => [r.location_id, r.qty])])).toEqual([
      [3, 1, [[a02.id, 1]]],
      [2, 0, []],
    ]);
    // The fourth scarf will not go: cancel the rest, releasing its reservation.
    now = await ok('POST', `/api/v1/orders/${order.id}/cancel`, { reason: 'fourth scarf is flawed' }, 200);
    expect(now.status).toBe('shipped');
    await ok('POST', `/api/v1/shipments/${shipment.id}/delivered`, undefined, 200);
    expect((await api.get(`/api/v1/orders/${order.id}`)).body.status).toBe('delivered');
    expect((await api.get(`/api/v1/reservations?document_id=${order.id}`)).body.data).toEqual([]);
    expect(await balance(scarf, a01.id)).toEqual({ on_hand: 0, reserved: 0 });
    expect(await balance(scarf, a02.id)).toEqual({ on_hand: 2, reserved: 0 });
    expect(await balance(gloves, a01.id)).toEqual({ on_hand: 1, reserved: 0 });

    // --- 3. A torn scarf comes back damaged: refund 356.00 / 4 = 89.00; straight to scrap at the 38.00 it left with
    const damaged = await ok('POST', '/api/v1/returns', { order_id: order.id, reason: 'arrived torn', lines: [{ line_id: scarfLine.id, qty: 1, condition: 'damaged' }] });
    expect(damaged).toMatchObject({ refund: '89.00', refunds: [{ tender: 'other', amount: '89.00' }] });
    expect(damaged.lines[0]).toMatchObject({ condition: 'damaged', to_location_id: 'loc_scrap', returned: [{ item_id: scarf.id, location_id: 'loc_scrap', qty: 1, cost: '38.00' }] });
    expect(await balance(scarf, a01.id)).toEqual({ on_hand: 0, reserved: 0 });
    expect(await balance(scarf, 'loc_scrap')).toEqual({ on_hand: 1, reserved: 0 });

    // --- 4. The gift basket is exchanged for two candles -----------------------------------------
    // credit: the basket line, 49.50; new sale: 2 × 18.00 + 10 % = 39.60; the customer gets 9.90 in cash.
    // The basket's parts come back at the cost they left with (5.60, 4.90, 2 × 1.35); the candles go at 5.60: COGS 11.20.
    const exchange = await ok('POST', '/api/v1/exchanges', {
      return: { sale_id: sale.id, reason: 'a gift they already had', lines: [{ line_id: sale.lines[0].id, qty: 1, condition: 'restockable' }] },
      sale: { location_id: store.id, register: 'T1', tax_rate: '10', lines: [{ item_id: candle.id, qty: 2 }] },
      refund_tender: 'cash',
    });
    expect(exchange.difference).toBe('-9.90');
    expect(exchange.return.refunds).toEqual([
      { tender: 'exchange', amount: '39.60', reference: exchange.sale.number },
      { tender: 'cash', amount: '9.90', reference: null },
    ]);
    expect(exchange.return.lines[0].returned.map((r: any) => [r.item_id, r.qty, r.cost])).toEqual([
      [candle.id, 1, '5.60'],
      [mug.id, 1, '4.90'],
      [choc.id, 2, '2.70'],
    ]);
    expect(exchange.sale).toMatchObject({ totals: { total: '39.60', paid: '39.60', change: '0.00' }, cost_of_goods: '11.20', margin: '24.80', exchange_id: exchange.id });
    expect((await api.get(`/api/v1/sales/${sale.id}`)).body).toMatchObject({ status: 'partially_returned', totals: { refunded: '49.50' } });
    expect((await api.get(`/api/v1/exchanges/${exchange.id}`)).body.id).toBe(exchange.id);

    // --- Every balance, at the end --------------------------------------------------------------
    // store: beans 964, milk 10, oat 4.6, cups 48, candles 4 + 1 − 2 = 3, mugs 3 + 1 = 4, bars 8 + 2 = 10
    for (const [i, qty] of [[beans, 964], [milk, 10], [oat, 4.6], [cup, 48], [candle, 3], [mug, 4], [choc, 10]] as const) {
      expect(await balance(i, store.id), i.name).toEqual({ on_hand: qty, reserved: 0 });
    }
    // customers hold: 36 g beans, 0.4 l oat, 2 cups, 3 candles (1 basket, 2 exchange) − 1 back = 2, 1 mug, 0 bars, 2 scarves, 2 gloves
    for (const [i, qty] of [[beans, 36], [oat, 0.4], [cup, 2], [candle, 2], [mug, 1], [choc, 0], [scarf, 2], [gloves, 2]] as const) {
      expect((await balance(i, 'loc_customer')).on_hand, i.name).toBe(qty);
    }

    // --- The outbox: the web shop sells from the warehouse only ---------------------------------
    // scarf:  opening A-01 → 2, opening A-02 → 5, reserve 2 at A-01 → 3, reserve 2 at A-02 → 1, ship → 1,
    //         cancel (release 1) → 2; the damaged one goes from the customer straight to scrap: no change
    // gloves: opening → 3, reserve 2 → 1, ship → 1
    const outbox = (await api.get('/api/v1/outbox?limit=500')).body.data;
    const eventsOf = (i: any) => outbox.filter((e: any) => e.item_id === i.id).map((e: any) => [e.seq, e.channel_id, e.payload.available]);
    expect(eventsOf(scarf)).toEqual([2, 5, 3, 1, 1, 2].map((a, n) => [n + 1, web.id, a]));
    expect(eventsOf(gloves)).toEqual([3, 1, 1].map((a, n) => [n + 1, web.id, a]));
    for (const i of [beans, milk, oat, cup, candle, mug, choc]) expect(eventsOf(i)).toEqual([]);
    expect(await availability()).toEqual([[scarf.id, 2], [gloves.id, 1]].sort());

    const check = await checkLedger(get().db);
    expect(check.invariants.filter((i) => !i.ok)).toEqual([]);
  });
});
