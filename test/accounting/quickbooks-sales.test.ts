import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createPickLists, markPicked, packShipment, shipShipment } from '../../src/modules/fulfillment/index.ts';
import { createChannel, createOrder, createReturn, createSale } from '../../src/modules/sales/index.ts';
import { createOrderBody } from '../../src/modules/sales/orders.schema.ts';
import { createReturnBody, createSaleBody } from '../../src/modules/sales/sales.schema.ts';
import { localDate, ManualClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { makeItem, makeShop, type Shop } from '../support/fixtures.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { fakeQuickbooksEnv, startFakeQuickbooks, type FakeQuickbooks, type QboEntity, type QboLine } from '../fakes/quickbooks.ts';

/**
 * Sales in the books, one day worked by hand. Yesterday, at the store (8 % tax, prices before
 * tax): sale A, 3 mugs at 12.00 with 10 % off the line and 1.00 off the sale, and a tin at 5.00.
 * Line by line: mugs 36.00 − 3.60 = 32.40, tins 5.00; the 1.00 is shared 0.87 / 0.13 (largest
 * remainder of 32.40 : 5.00); so mugs 31.53 + tax 2.52 = 34.05, tins 4.87 + tax 0.39 = 5.26.
 * Revenue 41.00 (tins mapped to their own account: 36.00 + 5.00), discounts 4.60, tax 2.91,
 * money due in 39.31. Then one mug comes back: a third of its line — refund 11.35, of which tax
 * 0.84 and discount 1.49 — so revenue 12.00 is reversed. At the warehouse a web order of 3 scarves
 * at 20.00 (5 % tax: 63.00) ships two — revenue 40.00, tax 2.00, due in 42.00 — and one comes
 * back: refund 21.00, of which tax 1.00.
 */
const q = (units: number) => units * 1000;
const cents = (amount: string | null) => (amount === null ? 0 : Math.round(Number(amount) * 100));

describeEachDatabase('sales booked in QuickBooks Online', (get) => {
  let api: TestApi;
  let shop: Shop;
  let fake: FakeQuickbooks;
  let yesterday: string;
  let tinId: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    fake = await startFakeQuickbooks();
    Object.assign(process.env, fakeQuickbooksEnv(fake));
    api = await buildTestApi(get().db);
    yesterday = localDate(api.clock.now() - 86_400_000, 'UTC');
    const at = (time: string) => ({ db: get().db, clock: new ManualClock(Date.parse(`${yesterday}T${time}:00Z`)), actor: systemActor });
    const ctx = at('08:00');
    shop = await makeShop(ctx);
    const mug = await makeItem(ctx, { category: 'Mugs' });
    const tin = await makeItem(ctx, { category: 'Tins' });
    const scarf = await makeItem(ctx, { category: 'Scarves' });
    tinId = tin.id;
    const before = Date.parse(`${yesterday}T00:00:00Z`) - 86_400_000;
    await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'opening_balance', effective_at: before, lines: [{ item_id: mug.id, qty: q(10), unit_cost: 4_000_000 }, { item_id: tin.id, qty: q(10), unit_cost: 2_000_000 }] } as never);
    await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', effective_at: before, lines: [{ item_id: scarf.id, qty: q(5), unit_cost: 8_000_000 }] } as never);

    const sale = await createSale(
      at('10:00'),
      createSaleBody.parse({
        location_id: shop.storeBin,
        register: 'T1',
        tax_rate: '8',
        discount: { amount: '1.00', reason: 'regular' },
        lines: [
          { item_id: mug.id, qty: 3, unit_price: '12.00', discount: { percent: '10', reason: 'chipped box' } },
          { item_id: tin.id, qty: 1, unit_price: '5.00' },
        ],
        payments: [{ tender: 'card', amount: '39.31' }],
      }),
    );
    expect([sale.sale.total_micros, sale.sale.tax_micros, sale.sale.discount_micros]).toEqual([39_310_000, 2_910_000, 4_600_000]);
    const back = await createReturn(at('14:00'), createReturnBody.parse({ sale_id: sale.sale.id, reason: 'changed mind', lines: [{ line_id: sale.lines[0]!.id, qty: 1, condition: 'restockable' }] }));
    expect(back.ret.refund_micros).toBe(11_350_000);

    const web = at('11:00');
    const channel = await createChannel(web, { name: 'Web', kind: 'online', site_ids: [shop.warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const order = await createOrder(web, createOrderBody.parse({ channel_id: channel.id, channel_order_id: `QS-${process.pid}`, lines: [{ item_id: scarf.id, qty: 3, unit_price: '20.00', tax_rate: '5' }] }));
    const [list] = await createPickLists(web, order.record.order.id);
    await markPicked(web, list!.list.id);
    const packed = await packShipment(web, list!.list.id, { packages: [{ weight_g: q(300), lines: [{ order_line_id: order.record.lines[0]!.id, qty: q(2) }] }] } as never);
    await shipShipment(at('12:00'), packed.shipment.id, { carrier: 'Post', service: 'Std', packages: [{ package_id: packed.packages[0]!.id, tracking_number: 'T-1' }] } as never);
    const sentBack = await createReturn(at('15:00'), createReturnBody.parse({ order_id: order.record.order.id, reason: 'too small', lines: [{ line_id: order.record.lines[0]!.id, qty: 1, condition: 'restockable' }] }));
    expect(sentBack.ret.refund_micros).toBe(21_000_000);

    expect((await api.request('PUT', '/api/v1/accounting/accounts', { body: { role: 'sales_revenue', category: 'Tins', account_name: 'Sales - Tins' } })).status).toBe(200);
  });
  afterAll(async () => {
    process.env = saved;
    await fake.close();
  });

  const salesLinesOf = (entry: any) =>
    entry.lines
      .filter((l: any) => l.role.startsWith('sales_'))
      .map((l: any) => `${l.memo.split(':')[0]} | ${l.account} | ${l.debit ?? '-'} / ${l.credit ?? '-'}`)
      .sort();

  it("books the day's revenue, discounts, tax and money due per site, returns reversing, balanced to the cent", async () => {
    const plain = await api.get(`/api/v1/accounting/journal?from=${yesterday}&to=${yesterday}`);
    expect(plain.body.entries.flatMap((e: any) => e.lines).filter((l: any) => l.role.startsWith('sales_'))).toEqual([]);
    const res = await api.get(`/api/v1/accounting/journal?from=${yesterday}&to=${yesterday}&sales=true`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const store = res.body.entries.find((e: any) => e.site_id === shop.store.id);
    expect(salesLinesOf(store)).toEqual(
      [
        'Counter sales | Sales of Product Income | - / 36.00',
        'Counter sales | Sales - Tins | - / 5.00',
        'Counter sales | Discounts given | 4.60 / -',
        'Counter sales | Sales Tax Payable | - / 2.91',
        'Counter sales | Undeposited Funds | 39.31 / -',
        'Counter returns and voids | Sales of Product Income | 12.00 / -',
        'Counter returns and voids | Discounts given | - / 1.49',
        'Counter returns and voids | Sales Tax Payable | 0.84 / -',
        'Counter returns and voids | Undeposited Funds | - / 11.35',
      ].sort(),
    );
    const warehouse = res.body.entries.find((e: any) => e.site_id === shop.warehouse.id);
    expect(salesLinesOf(warehouse)).toEqual(
      [
        'Channel orders shipped | Sales of Product Income | - / 40.00',
        'Channel orders shipped | Sales Tax Payable | - / 2.00',
        'Channel orders shipped | Undeposited Funds | 42.00 / -',
        'Channel order returns | Sales of Product Income | 20.00 / -',
        'Channel order returns | Sales Tax Payable | 1.00 / -',
        'Channel order returns | Undeposited Funds | - / 21.00',
      ].sort(),
    );
    // The stock side is as before: 3 mugs and a tin left at cost, one mug came back (10.00).
    expect(store.lines.filter((l: any) => l.role === 'cost_of_goods_sold').reduce((s: number, l: any) => s + cents(l.debit) - cents(l.credit), 0)).toBe(1000);
    for (const entry of res.body.entries) expect(entry.lines.reduce((s: number, l: any) => s + cents(l.debit) - cents(l.credit), 0), entry.doc_number).toBe(0);
    const csv = await api.get(`/api/v1/accounting/journal/export?from=${yesterday}&to=${yesterday}&format=csv&sales=true`);
    expect(String(csv.body)).toContain('Sales Tax Payable');
  });

  const journalEntries = (siteId: string) => {
    const code = siteId === shop.store.id ? shop.store.code : shop.warehouse.code;
    return fake.entities('JournalEntry').filter((e) => String(e.DocNumber).includes(`-${code}-`));
  };
  const accountName = (id: string) => fake.entities('Account').find((a) => a.Id === id)!.Name as string;
  const byAccount = (entries: QboEntity[]) => {
    const sums = new Map<string, number>();
    for (const line of entries.flatMap((e) => e.Line as QboLine[])) {
      const detail = line.JournalEntryLineDetail!;
      const name = accountName(detail.AccountRef.value);
      sums.set(name, (sums.get(name) ?? 0) + (detail.PostingType === 'Debit' ? 1 : -1) * Math.round(line.Amount * 100));
    }
    return Object.fromEntries([...sums].filter(([, v]) => v !== 0).sort());
  };

  it('syncs sales only when the connection says so, to the accounts the company already has, and corrects a day a late sale lands in', async () => {
    const connected = await api.post('/api/v1/quickbooks/connection', { code: fake.issueCode(), realm_id: fake.realmId, sync_from: yesterday, sync_sales: true });
    expect(connected.status, JSON.stringify(connected.body)).toBe(200);
    expect(connected.body.sync_sales).toBe(true);
    expect((await api.post('/api/v1/quickbooks/sync')).body).toMatchObject({ status: 'synced', failed: 0 });
    // Undeposited funds is "Payments to deposit" in this company: found by its detail type, not created.
    expect(byAccount(journalEntries(shop.store.id))).toMatchObject({ 'Sales of Product Income': -2400, 'Sales - Tins': -500, 'Discounts given': 311, 'Sales Tax Payable': -207, 'Payments to deposit': 2796 });
    expect(byAccount(journalEntries(shop.warehouse.id))).toMatchObject({ 'Sales of Product Income': -2000, 'Sales Tax Payable': -100, 'Payments to deposit': 2100 });
    expect(fake.entities('Account').filter((a) => a.AccountSubType === 'UndepositedFunds')).toHaveLength(1);
    expect(fake.entities('Account').find((a) => a.Name === 'Sales - Tins')).toMatchObject({ AccountType: 'Income' });

    // A till that was offline sends yesterday's sale of a tin: the day gets a correcting entry.
    const late = await api.request('POST', '/api/v1/sales', { headers: { 'idempotency-key': `late-${process.pid}` }, body: { location_id: shop.storeBin, register: 'T9', tax_rate: '8', occurred_at: `${yesterday}T16:00:00Z`, lines: [{ item_id: tinId, qty: 1, unit_price: '5.00' }], payments: [{ tender: 'cash', amount: '5.40' }] } });
    expect(late.status, JSON.stringify(late.body)).toBe(201);
    // Turning sales off changes days not yet booked only: the correction keeps the day's scope.
    const off = await api.request('PATCH', '/api/v1/quickbooks/connection', { body: { sync_sales: false } });
    expect(off.body.sync_sales).toBe(false);
    const before = journalEntries(shop.store.id).length;
    expect((await api.post('/api/v1/quickbooks/sync')).body).toMatchObject({ status: 'synced', planned: 1 });
    const added = journalEntries(shop.store.id).slice(before);
    expect(added.map((e) => e.DocNumber)).toEqual([`SR${yesterday.replaceAll('-', '').slice(2)}-${shop.store.code}-1`]);
    expect(byAccount(added)).toMatchObject({ 'Sales - Tins': -500, 'Sales Tax Payable': -40, 'Payments to deposit': 540, 'Cost of Goods Sold': 200, 'Inventory Asset': -200 });
    expect((await api.post('/api/v1/quickbooks/sync')).body).toMatchObject({ status: 'synced', planned: 0 });
  });

  it('refuses to change the options of a connection that is not there', async () => {
    expect((await api.request('DELETE', '/api/v1/quickbooks/connection')).body).toEqual({ disconnected: true });
    const res = await api.request('PATCH', '/api/v1/quickbooks/connection', { body: { sync_sales: true } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('quickbooks_not_connected');
  });
});
