import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

/**
 * Tried as a new user would, through the API only: a vendor, an order of three items (one in
 * cases), sent; a first delivery with a short line and a damaged case; the rest a week later
 * with a lot and expiry; freight on top. Every figure checked below is worked out by hand in the
 * comments.
 */

const DAY = 86_400_000;
let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36).toUpperCase()}${(counter += 1)}`;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function ok<T = any>(response: { status: number; body: T }, status = 200): T {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

describeEachDatabase('purchasing walkthrough over HTTP', (get) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi(get().db);
  });

  it('orders, receives in two deliveries with a short line, a damaged case and a lot, adds freight, and every figure agrees with a hand calculation', async () => {
    // The shop: a warehouse with an address (it goes on the PO).
    ok(await api.patch('/api/v1/settings', { shop_name: 'Corner Shop' }));
    const warehouse = ok(await api.post('/api/v1/locations', { kind: 'site', code: unique('WH'), name: 'Warehouse', site_type: 'warehouse', address: '1 Dock Road, Leeds' }), 201);
    const bin = warehouse.default_bin_id;

    // Three items: mugs (each), candles (bought in cases of 12), honey (lot-tracked with expiry, average cost, 0.5 kg a jar).
    const mug = ok(await api.post('/api/v1/items', { sku: unique('MUG'), name: 'Stoneware mug' }), 201);
    const candle = ok(await api.post('/api/v1/items', { sku: unique('CAN'), name: 'Peach candle', units: [{ name: 'case', factor: 12 }] }), 201);
    const honey = ok(await api.post('/api/v1/items', { sku: unique('HON'), name: 'Wildflower honey', tracking: 'lot', tracks_expiry: true, costing_method: 'average', unit_weight_g: 500 }), 201);

    const vendor = ok(
      await api.post('/api/v1/vendors', {
        name: unique('Acme Supplies '),
        email: 'orders@acme.example',
        phone: '+44 113 496 0000',
        contact_name: 'Jo Price',
        payment_terms: 'Net 30',
        lead_time_days: 5,
        over_receipt_tolerance_percent: 5,
      }),
      201,
    );
    expect(vendor).toMatchObject({ currency: 'USD', lead_time_days: 5, over_receipt_tolerance_percent: 5 });
    ok(await api.request('PUT', `/api/v1/vendors/${vendor.id}/items/${mug.id}`, { body: { vendor_sku: 'AC-MUG', unit_cost: '4.20' } }));
    ok(await api.request('PUT', `/api/v1/vendors/${vendor.id}/items/${candle.id}`, { body: { vendor_sku: 'AC-CAN-12', purchase_unit: 'case', unit_cost: '30.00', preferred: true } }));

    // The order: 10 mugs at a negotiated 4.00 (terms say 4.20), 4 cases of candles at the terms' 30.00,
    // 20 jars of honey at 3.50 (no terms). 10% tax on every line, 15.00 shipping.
    //   subtotal = 40.00 + 120.00 + 70.00 = 230.00; tax = 4.00 + 12.00 + 7.00 = 23.00; total = 230 + 23 + 15 = 268.00
    const day0 = api.clock.now();
    const po = ok(
      await api.post('/api/v1/purchase-orders', {
        vendor_id: vendor.id,
        delivery_site_id: warehouse.id,
        expected_on: dateOf(day0 + 5 * DAY),
        tax_rate_percent: 10,
        shipping: '15.00',
        lines: [
          { item_id: mug.id, qty: 10, unit_price: '4.00' },
          { item_id: candle.id, qty: 4 },
          { item_id: honey.id, qty: 20, unit_price: '3.50' },
        ],
      }),
      201,
    );
    expect(po).toMatchObject({ number: expect.stringMatching(/^PO-\d{6}$/), status: 'draft', terms: 'Net 30', subtotal: '230.00', tax: '23.00', shipping: '15.00', total: '268.00' });
    expect(po.lines[1]).toMatchObject({ unit: 'case', qty: 4, qty_base: 48, unit_price: '30.00', vendor_sku: 'AC-CAN-12' });
    const [mugLine, candleLine, honeyLine] = po.lines;

    const sent = ok(await api.post(`/api/v1/purchase-orders/${po.id}/send`));
    expect(sent).toMatchObject({ status: 'sent', revision: 1 });
    const pdf = await api.app.inject({ method: 'GET', url: `/api/v1/purchase-orders/${po.id}/pdf`, headers: { authorization: `Bearer ${api.ownerToken}` } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    // Day 3, first delivery: 7 mugs (3 short), 3 good cases of candles and 1 case crushed (straight to scrap), no honey.
    api.clock.advance(3 * DAY);
    const first = ok(
      await api.post('/api/v1/receipts', {
        purchase_order_id: po.id,
        lines: [
          { purchase_order_line_id: mugLine.id, qty: 7 },
          { purchase_order_line_id: candleLine.id, qty: 3 },
          { purchase_order_line_id: candleLine.id, qty: 1, condition: 'damaged', disposition: 'scrap' },
        ],
      }),
      201,
    );
    // The draft already shows what is wrong, before anything moves.
    expect(first.discrepancies.map((d: any) => `${d.kind}:${d.qty}`).sort()).toEqual(['damaged:12', 'short:12', 'short:3']);
    const posted1 = ok(await api.post(`/api/v1/receipts/${first.id}/post`));
    expect(posted1).toMatchObject({ status: 'posted', exchange_rate: '1', rate_source: 'base' });
    expect(posted1.lines.map((l: any) => l.base_unit_cost)).toEqual(['4.00', '2.50', '2.50']);

    // The PO now owes 3 mugs, 1 case (12) of candles and all 20 jars of honey.
    const afterFirst = ok(await api.get(`/api/v1/purchase-orders/${po.id}`));
    expect(afterFirst.status).toBe('partially_received');
    expect(afterFirst.lines.map((l: any) => [l.qty_received, l.qty_damaged, l.qty_outstanding, l.qty_outstanding_in_unit])).toEqual([
      [7, 0, 3, 3],
      [36, 12, 12, 1],
      [0, 0, 20, 20],
    ]);
    expect(afterFirst.discrepancies.map((d: any) => d.kind).sort()).toEqual(['damaged', 'short', 'short']);

    // Day 10, a week later: the rest. 3 mugs, the replacement case, 20 jars of lot H-2611 expiring 2027-06-30 (scanned as GS1).
    api.clock.advance(7 * DAY);
    const second = ok(await api.post('/api/v1/receipts', { purchase_order_id: po.id, lines: [{ item_id: mug.id, qty: 3 }, { item_id: candle.id, qty: 1, unit: 'case' }] }), 201);
    const gtin = '09501101530003';
    ok(await api.patch(`/api/v1/items/${honey.id}`, { barcodes: [gtin] }));
    const scan = ok(await api.post(`/api/v1/receipts/${second.id}/scans`, { code: `]C101${gtin}17270630${'10H-2611'}\u001d3020` }));
    expect(scan.scan).toMatchObject({ item_id: honey.id, lot_code: 'H-2611', expires_on: '2027-06-30', count: 20 });
    expect(scan.receipt.discrepancies).toEqual([]);
    const posted2 = ok(await api.post(`/api/v1/receipts/${second.id}/post`));
    expect(posted2.lines.map((l: any) => [l.qty_base, l.lot_code, l.expires_on])).toEqual([
      [3, null, null],
      [12, null, null],
      [20, 'H-2611', '2027-06-30'],
    ]);

    const received = ok(await api.get(`/api/v1/purchase-orders/${po.id}`));
    expect(received.status).toBe('received');
    expect(received.lines.map((l: any) => l.qty_outstanding)).toEqual([0, 0, 0]);

    // Freight of 24.00 on the second delivery, by value. Goods values: mugs 3 × 4.00 = 12.00,
    // candles 12 × 2.50 = 30.00, honey 20 × 3.50 = 70.00; total 112.00.
    //   mugs 24 × 12/112 = 2.5714285…, candles 24 × 30/112 = 6.4285714…, honey 24 × 70/112 = 15.
    //   Floors: 2.571428 + 6.428571 + 15.000000 = 23.999999; the last micro goes to the largest
    //   remainder (mugs, .571…): 2.571429 + 6.428571 + 15.000000 = 24.000000.
    const freight = ok(await api.post(`/api/v1/receipts/${second.id}/landed-costs`, { reference: 'CARRIER-991', charges: [{ kind: 'freight', amount: '24.00' }] }), 201);
    expect(freight.data[0]).toMatchObject({ amount: '24.00', amount_base: '24.00', method: 'value' });
    expect(freight.data[0].allocations.map((a: any) => a.amount_base)).toEqual(['2.571429', '6.428571', '15.00']);

    // Balances: 10 mugs, 48 candles (36 + 12; the crushed case is in scrap, not in stock), 20 jars of lot H-2611.
    const balances = ok(await api.get(`/api/v1/balances?location_id=${warehouse.id}`));
    const byItem = (id: string) => balances.data.filter((b: any) => b.item_id === id).map((b: any) => [b.location_id, b.on_hand, b.lot_id === null]);
    expect(byItem(mug.id)).toEqual([[bin, 10, true]]);
    expect(byItem(candle.id)).toEqual([[bin, 48, true]]);
    expect(byItem(honey.id)).toEqual([[bin, 20, false]]);
    const scrapped = ok(await api.get(`/api/v1/balances?item_id=${candle.id}&location_id=loc_scrap`));
    expect(scrapped.data.map((b: any) => b.on_hand)).toEqual([12]);

    // Open layers. Mugs (FIFO): 7 at 4.00 = 28.00, and 3 at 4.00 + 2.571429 freight = 14.571429
    // (4.857143 a mug); 42.571429 on hand.
    const mugCosts = ok(await api.get(`/api/v1/items/${mug.id}/costs`));
    expect(mugCosts).toMatchObject({ on_hand: 10, value: '42.571429' });
    expect(mugCosts.layers.map((l: any) => [l.qty_remaining, l.unit_cost, l.value_remaining])).toEqual([
      [7, '4.00', '28.00'],
      [3, '4.857143', '14.571429'],
    ]);
    // Candles (FIFO): the crushed case's layer was scrapped whole (12 × 2.50 = 30.00 written off);
    // 36 at 2.50 = 90.00, and 12 at 2.50 + 6.428571 = 36.428571 (3.035714 a candle); 126.428571.
    const candleCosts = ok(await api.get(`/api/v1/items/${candle.id}/costs`));
    expect(candleCosts).toMatchObject({ on_hand: 48, value: '126.428571' });
    expect(candleCosts.layers.map((l: any) => [l.qty_remaining, l.unit_cost, l.value_remaining])).toEqual([
      [36, '2.50', '90.00'],
      [12, '3.035714', '36.428571'],
    ]);
    const scrapMove = ok(await api.get(`/api/v1/movements?item_id=${candle.id}&kind=scrap`));
    expect(scrapMove.data.map((m: any) => [m.qty, m.value, m.reason])).toEqual([[12, '30.00', 'damaged_on_receipt']]);
    // Honey (average): 20 × 3.50 + 15.00 freight = 85.00, 4.25 a jar.
    expect(ok(await api.get(`/api/v1/items/${honey.id}/costs`))).toMatchObject({ costing_method: 'average', on_hand: 20, value: '85.00', unit_cost: '4.25' });

    // Vendor performance over the order's days:
    //   deliveries 2, both with a due date (day 5): day 3 on time, day 10 late → 50%;
    //   fill: good units 10 + 48 + 20 = 78 of 78 ordered → 100%;
    //   lead time: sent day 0, completed by the day-10 delivery → 10 days against 5 promised;
    //   price variance: mugs 10 × (4.00 − 4.20) = −2.00, candles at terms 0; honey has no terms;
    //     against 42.00 + 120.00 = 162.00 at terms: −1.23%;
    //   discrepancies: 2 short (mugs, candles on day 3), 1 damaged.
    const report = ok(await api.get(`/api/v1/reports/vendor-performance?from=${dateOf(day0)}&to=${dateOf(day0 + 10 * DAY)}&vendor_id=${vendor.id}`));
    expect(report.data).toEqual([
      {
        vendor_id: vendor.id,
        vendor_name: vendor.name,
        currency: 'USD',
        purchase_orders: 1,
        deliveries: 2,
        deliveries_with_due_date: 2,
        on_time_deliveries: 1,
        on_time_rate_percent: 50,
        ordered_qty: 78,
        received_qty: 78,
        fill_rate_percent: 100,
        orders_fully_received: 1,
        average_lead_time_days: 10,
        promised_lead_time_days: 5,
        price_variance: '-2.00',
        price_variance_percent: -1.23,
        discrepancies: { short: 2, over: 0, unexpected_item: 0, wrong_unit: 0, damaged: 1 },
      },
    ]);

    // Nothing left to receive: closing records no shortage.
    const closed = ok(await api.post(`/api/v1/purchase-orders/${po.id}/close`));
    expect(closed).toMatchObject({ status: 'closed' });
    expect(closed.discrepancies).toHaveLength(3);
    void honeyLine;
  });
});
