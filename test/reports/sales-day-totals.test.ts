import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemActor } from '../../src/platform/context.ts';
import { createPickLists, markPicked, packShipment, shipShipment } from '../../src/modules/fulfillment/index.ts';
import { createChannel, createOrder, createReturn } from '../../src/modules/sales/index.ts';
import { createOrderBody } from '../../src/modules/sales/orders.schema.ts';
import { createReturnBody } from '../../src/modules/sales/sales.schema.ts';
import { addTotals, COUNTER_CHANNEL, QUARTER_MS, salesFacts, salesTotalsBy, zeroTotals, type SalesFact, type SalesKey, type SalesTotals } from '../../src/modules/reports/sales-facts.ts';
import { freshSalesDays, takeSalesDayTotals } from '../../src/modules/reports/sales-day-totals.ts';
import type { ReportScope } from '../../src/modules/reports/report-scope.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

const DAY = 86_400_000;
/** Past the job's margin for transactions still open, so what happened before a run counts as seen by it. */
const LATER = 10 * 60_000;

/** The oracle: every sold line's fact, added up by the key one by one. */
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

/**
 * Ids are made by one monotonic ULID factory per process: after the first database's suite has
 * moved its clock days ahead, the second's ids would carry those later times (every sale would look
 * recorded late). Each suite starts its clock after the last one's end, as real time would run.
 */
let clockFloor = 0;

/**
 * The closed days' kept sales totals give the reports the same figures, to the micro, as the sold
 * lines read one by one, and stop being used the moment a back-dated receipt, a landed cost, a
 * void or a return changes a day they add up; the job then adds that day up again.
 */
describeEachDatabase('sales totals kept per closed day', (get) => {
  let api: TestApi;
  const tag = `SDT${Date.now().toString(36)}`;
  let site: any;
  let mug: any;
  let cup: any;
  let vendor: any;
  let start: number;
  const ctx = () => ({ db: api.db, clock: api.clock, actor: systemActor });

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    site = (await api.post('/api/v1/locations', { kind: 'site', code: tag, name: 'Day shop', site_type: 'store' })).body;
    mug = (await api.post('/api/v1/items', { sku: `${tag}-MUG`, name: 'Mug' })).body;
    cup = (await api.post('/api/v1/items', { sku: `${tag}-CUP`, name: 'Cup' })).body;
    vendor = (await api.post('/api/v1/vendors', { name: `Vendor ${tag}` })).body;
    if (api.clock.now() < clockFloor) api.clock.advance(clockFloor - api.clock.now() + 60_000);
    // Start at the next 06:00 UTC: the tests' hours of jobs must not carry "today" past midnight,
    // which would close it and make the job add up a day the test did not expect.
    api.clock.advance(DAY - ((api.clock.now() - 6 * 3_600_000) % DAY));
    start = api.clock.now();
  });
  afterAll(() => {
    clockFloor = Math.max(clockFloor, api.clock.now());
  });

  const receive = async (item: any, qty: number, price: string, receivedAt?: number, at: any = site) => {
    const po = await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: at.id, lines: [{ item_id: item.id, qty, unit_price: price }] });
    expect(po.status, JSON.stringify(po.body)).toBe(201);
    expect((await api.post(`/api/v1/purchase-orders/${po.body.id}/send`)).status).toBe(200);
    const receipt = await api.post('/api/v1/receipts', { purchase_order_id: po.body.id, ...(receivedAt ? { received_at: new Date(receivedAt).toISOString() } : {}), lines: [{ purchase_order_line_id: po.body.lines[0].id, qty }] });
    expect(receipt.status, JSON.stringify(receipt.body)).toBe(201);
    expect((await api.post(`/api/v1/receipts/${receipt.body.id}/post`)).status).toBe(200);
    return receipt.body;
  };
  let sales = 0;
  const sell = async (lines: Array<{ item: any; qty: number; price: string; discount?: string }>, occurredAt?: number) => {
    const total = lines.reduce((s, l) => s + l.qty * Number(l.price), 0);
    const body = {
      location_id: site.id,
      register: 'R1',
      lines: lines.map((l) => ({ item_id: l.item.id, qty: l.qty, unit_price: l.price, ...(l.discount ? { discount: { amount: l.discount, reason: 'regular' } } : {}) })),
      payments: [{ tender: 'cash', amount: total.toFixed(2) }],
      ...(occurredAt ? { occurred_at: new Date(occurredAt).toISOString() } : {}),
    };
    const sale = await api.post('/api/v1/sales', body, { 'idempotency-key': `${tag}-s${(sales += 1)}` });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    return sale.body;
  };

  const whole = (): ReportScope => ({ filters: { from: '2000-01-01', to: '2100-01-01' }, timeZone: 'UTC', start, end: api.clock.now() + 1, sites: [site.id], now: api.clock.now() });
  /**
   * The kept-days path against the per-line oracle, for every key and the item and channel filters
   * (and any other scopes given); answers the days it used over the whole period.
   */
  const check = async (more: (base: ReportScope) => ReportScope[] = () => []): Promise<string[]> => {
    const base = whole();
    for (const scope of [base, { ...base, filters: { ...base.filters, itemId: mug.id } }, { ...base, filters: { ...base.filters, channelId: COUNTER_CHANNEL } }, ...more(base)]) {
      const facts = await salesFacts(ctx(), scope);
      for (const key of ['item', 'channel', 'site', 'quarter'] as const) expect(sorted(await salesTotalsBy(ctx(), scope, key)), `${key} ${JSON.stringify(scope.filters)}`).toEqual(sorted(byFacts(facts, key)));
    }
    return (await freshSalesDays(api.db.kysely, base.start, base.end)).map((d) => d.day);
  };
  const job = async () => {
    api.clock.advance(LATER);
    return takeSalesDayTotals(ctx());
  };

  it('equal the lines’ figures through a landed cost, a back-dated receipt, a void and a return in a kept day', async () => {
    api.clock.advance(DAY);
    const receipt = await receive(mug, 20, '2.00');
    await receive(cup, 10, '1.50');
    api.clock.advance(DAY);
    const a = await sell([{ item: mug, qty: 3, price: '5.00' }, { item: cup, qty: 2, price: '4.00', discount: '0.50' }]);
    const b = await sell([{ item: mug, qty: 2, price: '5.00' }]);
    api.clock.advance(DAY);
    await sell([{ item: mug, qty: 1, price: '5.50' }, { item: cup, qty: 1, price: '4.00' }]);
    api.clock.advance(DAY);
    // Today's sale: never in a kept day, always read from its lines.
    await sell([{ item: cup, qty: 1, price: '4.00' }]);

    const kept = (await job()).filter((d) => d >= new Date(start).toISOString().slice(0, 10));
    expect(kept.length).toBeGreaterThanOrEqual(2);
    const [day1, day2] = kept.slice(-2) as [string, string];
    expect(await check()).toEqual(expect.arrayContaining([day1, day2]));

    // Freight on the first mugs: the sold mugs cost more, in both days: neither is used until added up again.
    const landed = await api.post(`/api/v1/receipts/${receipt.id}/landed-costs`, { charges: [{ kind: 'freight', amount: '10.00' }] });
    expect(landed.status, JSON.stringify(landed.body)).toBe(201);
    expect(await check()).not.toContain(day1);
    expect(await job()).toEqual(expect.arrayContaining([day1, day2]));
    expect(await check()).toEqual(expect.arrayContaining([day1, day2]));

    // Mugs received the day before the first receipt, entered now: first in, so the first sales drew them.
    await receive(mug, 4, '1.00', start + DAY / 2);
    expect(await check()).not.toContain(day1);
    await job();
    expect(await check()).toEqual(expect.arrayContaining([day1, day2]));

    // Sale b voided: day 1 changes, day 2 does not.
    expect((await api.post(`/api/v1/sales/${b.id}/void`, { reason: 'rung up twice' })).status).toBe(201);
    const afterVoid = await check();
    expect(afterVoid).not.toContain(day1);
    expect(afterVoid).toContain(day2);
    expect(await job()).toEqual([day1]);
    expect(await check()).toContain(day1);

    // One mug of sale a back: its line leaves the untouched ones of day 1.
    const mugLine = a.lines.find((l: any) => l.item_id === mug.id).id;
    const back = await api.post('/api/v1/returns', { sale_id: a.id, reason: 'changed mind', lines: [{ line_id: mugLine, qty: 1, condition: 'restockable' }] }, { 'idempotency-key': `${tag}-r` });
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    expect(await check()).not.toContain(day1);
    expect(await job()).toEqual([day1]);
    expect(await check()).toEqual(expect.arrayContaining([day1, day2]));

    // A till that was offline syncs a sale rung up at noon on day 2: its id carries that noon, so
    // only the recording itself can tell the kept day it changed.
    await sell([{ item: cup, qty: 1, price: '4.00' }], Date.parse(`${day2}T12:00:00Z`));
    expect(await check()).not.toContain(day2);
    expect(await job()).toEqual([day2]);
    expect(await check()).toEqual(expect.arrayContaining([day1, day2]));
  });

  /**
   * Online order lines are kept by the day they first shipped, beside the counter's: a line shipped
   * again on a later day, returned, or re-costed stops its day being used until it is added up
   * again, and is then read line by line (a report ending between its two shipments shows the cost
   * of the first alone, as the per-line facts do).
   */
  it('keep online order lines by first shipment day, equal to the lines’ figures through a later shipment, a return and a landed cost', async () => {
    const bowl = (await api.post('/api/v1/items', { sku: `${tag}-BOWL`, name: 'Bowl' })).body;
    const web = await createChannel(ctx(), { name: `Web ${tag}`, kind: 'online', site_ids: [site.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    api.clock.advance(DAY);
    const bowls = await receive(bowl, 10, '3.00');
    api.clock.advance(DAY);
    const order = async (qty: number) => {
      const taken = await createOrder(ctx(), createOrderBody.parse({ channel_id: web.id, channel_order_id: `${tag}-o${(sales += 1)}`, lines: [{ item_id: bowl.id, qty, unit_price: '9.00' }] }));
      const [list] = await createPickLists(ctx(), taken.record.order.id);
      await markPicked(ctx(), list!.list.id);
      return { id: taken.record.order.id, line: taken.record.lines[0]!.id, list: list!.list.id };
    };
    const ship = async (o: { line: string; list: string }, qty: number) => {
      const packed = await packShipment(ctx(), o.list, { packages: [{ weight_g: 500_000, lines: [{ order_line_id: o.line, qty: qty * 1000 }] }] });
      await shipShipment(ctx(), packed.shipment.id, { carrier: 'Post', service: 'Standard', packages: [{ package_id: packed.packages[0]!.id, tracking_number: `T${sales}` }] });
    };
    const whole2 = await order(2);
    const split = await order(3);
    await ship(whole2, 2);
    await ship(split, 1);
    const shippedDay = new Date(api.clock.now()).toISOString().slice(0, 10);
    const shippedDayEnd = Date.parse(`${shippedDay}T00:00:00Z`) + DAY;
    api.clock.advance(DAY);
    const withWeb = (base: ReportScope) => [
      { ...base, filters: { ...base.filters, channelId: web.id } },
      { ...base, filters: { ...base.filters, itemId: bowl.id } },
      // Ending with the shipped day: the split line's later shipment is after the period.
      { ...base, end: shippedDayEnd },
    ];

    expect(await job()).toContain(shippedDay);
    expect(await check(withWeb)).toContain(shippedDay);
    const kept = await api.db.kysely.selectFrom('sales_day_order_totals').selectAll().where('day', '=', shippedDay).execute();
    expect(kept.map((t) => [t.item_id, Number(t.lines), Number(t.qty)])).toEqual([[bowl.id, 2, 3000]]);

    // The rest of the split line ships a day later: its first day changes.
    await ship(split, 2);
    expect(await check(withWeb)).not.toContain(shippedDay);
    expect(await job()).toEqual(expect.arrayContaining([shippedDay]));
    expect(await check(withWeb)).toContain(shippedDay);
    const leftOut = await api.db.kysely.selectFrom('sales_day_order_lines').select('order_line_id').where('day', '=', shippedDay).execute();
    expect(leftOut.map((l) => l.order_line_id)).toEqual([split.line]);

    // One bowl of the whole order back.
    const back = await createReturn(ctx(), createReturnBody.parse({ order_id: whole2.id, reason: 'chipped', lines: [{ line_id: whole2.line, qty: 1, condition: 'restockable' }] }));
    expect(back.ret.id).toBeTruthy();
    expect(await check(withWeb)).not.toContain(shippedDay);
    expect(await job()).toEqual(expect.arrayContaining([shippedDay]));
    expect(await check(withWeb)).toContain(shippedDay);

    // A third order, kept whole; then freight on the bowls re-costs its shipment.
    const third = await order(1);
    await ship(third, 1);
    const thirdDay = new Date(api.clock.now()).toISOString().slice(0, 10);
    api.clock.advance(DAY);
    expect(await job()).toContain(thirdDay);
    expect(await check(withWeb)).toContain(thirdDay);
    const landed = await api.post(`/api/v1/receipts/${bowls.id}/landed-costs`, { charges: [{ kind: 'freight', amount: '5.00' }] });
    expect(landed.status, JSON.stringify(landed.body)).toBe(201);
    expect(await check(withWeb)).not.toContain(thirdDay);
    expect(await job()).toEqual(expect.arrayContaining([thirdDay]));
    expect(await check(withWeb)).toEqual(expect.arrayContaining([shippedDay, thirdDay]));
  });

  /**
   * An order line no one site could cover ships from two: it is never kept (a site filter must see
   * each site's part at its own cost), and every scope reads it line by line, the day's other
   * lines still kept.
   */
  it('read an order line shipped from two sites line by line, each site seeing its own part', async () => {
    const second = (await api.post('/api/v1/locations', { kind: 'site', code: `${tag}2`, name: 'Second shop', site_type: 'store' })).body;
    const jug = (await api.post('/api/v1/items', { sku: `${tag}-JUG`, name: 'Jug' })).body;
    const web = await createChannel(ctx(), { name: `Two-site web ${tag}`, kind: 'online', site_ids: [site.id, second.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    api.clock.advance(DAY);
    await receive(jug, 2, '4.00');
    await receive(jug, 2, '6.00', undefined, second);
    api.clock.advance(DAY);
    const shipAll = async (qty: number) => {
      const taken = await createOrder(ctx(), createOrderBody.parse({ channel_id: web.id, channel_order_id: `${tag}-o${(sales += 1)}`, lines: [{ item_id: jug.id, qty, unit_price: '15.00' }] }));
      const lists = await createPickLists(ctx(), taken.record.order.id);
      for (const { list, lines } of lists) {
        await markPicked(ctx(), list.id);
        const packed = await packShipment(ctx(), list.id, { packages: [{ weight_g: 500_000, lines: lines.map((l) => ({ order_line_id: l.order_line_id, qty: l.qty })) }] });
        await shipShipment(ctx(), packed.shipment.id, { carrier: 'Post', service: 'Standard', packages: [{ package_id: packed.packages[0]!.id, tracking_number: `T${(sales += 1)}` }] });
      }
      return { line: taken.record.lines[0]!.id, sites: lists.length };
    };
    const split = await shipAll(3);
    expect(split.sites).toBe(2);
    const whole = await shipAll(1);
    expect(whole.sites).toBe(1);
    const day = new Date(api.clock.now()).toISOString().slice(0, 10);
    api.clock.advance(DAY);
    const bySite = (base: ReportScope) => [
      { ...base, sites: [second.id] },
      { ...base, sites: [site.id, second.id] },
      { ...base, sites: [site.id, second.id], filters: { ...base.filters, itemId: jug.id } },
    ];

    expect(await job()).toContain(day);
    expect(await check(bySite)).toContain(day);
    const kept = await api.db.kysely.selectFrom('sales_day_order_totals').select(['item_id', 'lines', 'qty']).where('day', '=', day).execute();
    expect(kept.map((t) => [t.item_id, Number(t.lines), Number(t.qty)])).toEqual([[jug.id, 1, 1000]]);
    const leftOut = await api.db.kysely.selectFrom('sales_day_order_lines').select('order_line_id').where('day', '=', day).execute();
    expect(leftOut.map((l) => l.order_line_id)).toEqual([split.line]);
  });
});
