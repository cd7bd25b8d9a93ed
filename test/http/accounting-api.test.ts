import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { localDate, ManualClock } from '../../src/platform/clock.ts';
import { createPurchaseOrder, createReceipt, createVendor, postReceipt, sendPurchaseOrder, setExchangeRate } from '../../src/modules/purchasing/index.ts';
import { systemActor } from '../../src/platform/context.ts';
import { makeToken } from '../support/access.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { makeItem, makeShop, type Shop } from '../support/fixtures.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { parseIif, fakeQuickbooksEnv, startFakeQuickbooks, type FakeQuickbooks, type QboLine } from '../fakes/quickbooks.ts';

/**
 * The accounting API end to end on a small shop: yesterday a store took in opening stock and lost
 * some to theft, and the warehouse took in opening stock. The journal, its files, the account
 * mapping, who may see what, and connecting and syncing QuickBooks Online (a local fake) over HTTP.
 */
describeEachDatabase('accounting over HTTP', (get) => {
  let api: TestApi;
  let shop: Shop;
  let fake: FakeQuickbooks;
  let yesterday: string;
  let euroReceipt: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    fake = await startFakeQuickbooks();
    Object.assign(process.env, fakeQuickbooksEnv(fake));
    api = await buildTestApi(get().db);
    const ctx = { db: get().db, clock: api.clock, actor: systemActor };
    shop = await makeShop(ctx);
    const category = `Books${process.pid}`;
    const item = await makeItem(ctx, { category });
    yesterday = localDate(api.clock.now() - 86_400_000, 'UTC');
    const at = Date.parse(`${yesterday}T10:00:00Z`);
    // 10 at 1.333333 = 13.33333; 3 stolen; the warehouse 4 at 2.50.
    await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'opening_balance', effective_at: at, lines: [{ item_id: item.id, qty: 10_000, unit_cost: 1_333_333 }] } as never);
    await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'theft', effective_at: at + 60_000, lines: [{ item_id: item.id, qty: -3_000 }] } as never);
    await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', effective_at: at, lines: [{ item_id: item.id, qty: 4_000, unit_cost: 2_500_000 }] } as never);
    // A vendor invoicing in euros delivered 3 at EUR 10.00 yesterday, to another warehouse, valued at 1.0825.
    const then = { db: get().db, clock: new ManualClock(at), actor: systemActor };
    const other = await makeShop(then);
    const vendor = await createVendor(then, { name: `Euro vendor ${process.pid}`, currency: 'EUR' } as never);
    await setExchangeRate(then, { currency: 'EUR', rateE9: 1_082_500_000, effectiveOn: '2026-01-01' });
    const po = await sendPurchaseOrder(then, (await createPurchaseOrder(then, { vendor_id: vendor.id, delivery_site_id: other.warehouse.id, lines: [{ item_id: item.id, qty: 3_000, unit_price: 10_000_000 }] } as never)).id);
    euroReceipt = (await postReceipt(then, (await createReceipt(then, { purchase_order_id: po.id, lines: [{ purchase_order_line_id: po.lines[0]!.id, qty: 3_000 }] } as never)).id)).number;
  });
  afterAll(async () => {
    process.env = saved;
    await fake.close();
  });

  const entriesOf = (body: any, siteId: string) => body.entries.filter((e: any) => e.site_id === siteId);

  it("books a day's changes per site, balanced, with the exact figures in the memo", async () => {
    const res = await api.get(`/api/v1/accounting/journal?from=${yesterday}&to=${yesterday}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [store] = entriesOf(res.body, shop.store.id);
    expect(store.lines.map((l: any) => [l.role, l.debit, l.credit])).toContainEqual(['opening_balance', null, '13.33']);
    expect(store.lines.map((l: any) => [l.role, l.debit, l.credit])).toContainEqual(['shrinkage', '4.00', null]);
    const asset = store.lines.find((l: any) => l.role === 'inventory_asset');
    expect(asset.exact_value).toBe('9.333331');
    for (const entry of res.body.entries) {
      const cents = entry.lines.reduce((sum: number, l: any) => sum + Math.round(Number(l.debit ?? 0) * 100) - Math.round(Number(l.credit ?? 0) * 100), 0);
      expect(cents, entry.doc_number).toBe(0);
    }
    const [warehouse] = entriesOf(res.body, shop.warehouse.id);
    expect(warehouse.lines.find((l: any) => l.role === 'inventory_asset').debit).toBe('10.00');
  });

  it('serves IIF that imports and CSV that sums to zero, and shows a site-scoped manager only their site', async () => {
    const iif = await api.get(`/api/v1/accounting/journal/export?from=${yesterday}&to=${yesterday}&format=iif`);
    expect(iif.status).toBe(200);
    expect(String(iif.headers['content-type'])).toMatch(/application\/x-iif/);
    const transactions = parseIif(String(iif.body));
    expect(transactions.length).toBeGreaterThanOrEqual(2);
    const csv = await api.get(`/api/v1/accounting/journal/export?from=${yesterday}&to=${yesterday}`);
    expect(String(csv.body).split('\r\n')[0]).toBe('date,account,debit,credit,memo');
    const manager = await makeToken(api, 'manager', [shop.store.id]);
    const scoped = await api.as({ bearer: manager.secret }).get(`/api/v1/accounting/journal?from=${yesterday}&to=${yesterday}`);
    expect(scoped.body.entries.map((e: any) => e.site_id)).toEqual([shop.store.id]);
    const staff = await makeToken(api, 'staff');
    expect((await api.as({ bearer: staff.secret }).get(`/api/v1/accounting/journal?from=${yesterday}&to=${yesterday}`)).status).toBe(403);
  });

  it('books to a mapped account for one site and back to the default when the mapping is removed', async () => {
    const put = (body: unknown) => api.request('PUT', '/api/v1/accounting/accounts', { body });
    expect((await put({ role: 'shrinkage', site_id: shop.store.id, account_name: 'Theft Losses' })).status).toBe(200);
    const mapped = await api.get(`/api/v1/accounting/journal?from=${yesterday}&to=${yesterday}`);
    expect(entriesOf(mapped.body, shop.store.id)[0].lines.find((l: any) => l.role === 'shrinkage').account).toBe('Theft Losses');
    const removed = await put({ role: 'shrinkage', site_id: shop.store.id, account_name: null });
    expect(removed.body.mappings).toEqual([]);
  });

  it('connects QuickBooks Online with a code, keeps the tokens sealed, syncs and logs each posting with its QuickBooks id', async () => {
    expect((await api.get('/api/v1/quickbooks/connection')).body).toMatchObject({ configured: true, connected: false });
    const url = await api.get('/api/v1/quickbooks/authorize-url?state=0123456789abcdef0123');
    expect(url.body.url).toContain('scope=com.intuit.quickbooks.accounting');
    const refused = await api.post('/api/v1/quickbooks/connection', { code: 'not-a-code', realm_id: fake.realmId });
    expect(refused.status).toBe(502);
    expect(refused.body.code).toBe('quickbooks_auth_failed');
    const connected = await api.post('/api/v1/quickbooks/connection', { code: fake.issueCode(), realm_id: fake.realmId, sync_from: yesterday });
    expect(connected.status, JSON.stringify(connected.body)).toBe(200);
    const row = await get().db.kysely.selectFrom('qbo_connections').selectAll().executeTakeFirstOrThrow();
    expect(row.access_token_sealed).toMatch(/^gcm1:/);
    expect(row.refresh_token_sealed).toMatch(/^gcm1:/);

    const sync = await api.post('/api/v1/quickbooks/sync');
    expect(sync.body).toMatchObject({ status: 'synced', failed: 0 });
    const log = await api.get('/api/v1/quickbooks/postings');
    const ours = log.body.data.filter((p: any) => p.site_id === shop.store.id || p.site_id === shop.warehouse.id);
    expect(ours.filter((p: any) => p.kind === 'journal')).toHaveLength(2);
    expect(ours.every((p: any) => p.status === 'posted' && p.quickbooks_id)).toBe(true);
    const made = fake.entities('JournalEntry').filter((e) => ours.some((p: any) => p.quickbooks_id === e.Id));
    for (const entry of made) {
      const lines = entry.Line as QboLine[];
      expect(lines.reduce((s, l) => s + (l.JournalEntryLineDetail!.PostingType === 'Debit' ? 1 : -1) * Math.round(l.Amount * 100), 0)).toBe(0);
    }
    expect(fake.entities('Account').map((a) => a.Name)).toContain('Opening Balance Equity');
    // The euro receipt is billed in euros at the receipt's rate.
    const bill = fake.entities('Bill').find((b) => b.DocNumber === euroReceipt)!;
    expect(bill).toMatchObject({ CurrencyRef: { value: 'EUR' }, ExchangeRate: 1.0825 });
    expect((bill.Line as QboLine[]).map((l) => l.Amount)).toEqual([30]);
    // A second sync has nothing to do.
    expect((await api.post('/api/v1/quickbooks/sync')).body).toMatchObject({ status: 'synced', planned: 0, posted: 0 });
    expect((await api.request('DELETE', '/api/v1/quickbooks/connection')).body).toEqual({ disconnected: true });
  });
});
