import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../support/databases.ts';
import { makeItem, makeShop } from '../support/fixtures.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { createReceipt, createVendor, createVendorReturn, postReceipt, postVendorReturn } from '../../src/modules/purchasing/index.ts';
import { buildJournal, connectQuickbooks, journalCsv, journalIif, syncQuickbooks, type QboConfig } from '../../src/modules/integrations/quickbooks/index.ts';
import { parseIif, startFakeQuickbooks, type FakeQuickbooks, type QboLine } from '../fakes/quickbooks.ts';

/**
 * Returns to vendor in the books. A small shop in October: 5 mugs at 2.00 then 5 at 2.50 into the
 * warehouse, 6 sent back (FIFO: 5 × 2.00 + 1 × 2.50 = 12.50 leaves), and 4 tins bought in euros at
 * 2.00 (rate 1.10, so 2.20 each in the books) of which one goes back against its receipt. The
 * journal books each return against purchases clearing; QuickBooks gets one VendorCredit per
 * return — once, even when the first create times out after QuickBooks committed it.
 */
const $ = (amount: number) => Math.round(amount * 1_000_000);
const u = (qty: number) => qty * 1000;
const cents = (amount: number) => Math.round(amount * 100);
const DAY = 86_400_000;

describeEachDatabase('returns to vendor booked in QuickBooks Online', (get) => {
  let fake: FakeQuickbooks;
  let config: QboConfig;
  const returns: Array<{ id: string; number: string }> = [];

  beforeAll(async () => {
    fake = await startFakeQuickbooks();
    config = { clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri: 'http://127.0.0.1/cb', authorizeUrl: `${fake.baseUrl}/connect`, tokenUrl: fake.tokenUrl, apiBase: fake.baseUrl, timeoutMs: 1500 };
    const clock = new ManualClock(Date.UTC(2026, 9, 20, 10));
    const ctx = serviceContext(get().db, clock);
    const shop = await makeShop(ctx);
    const site = shop.warehouse.id;
    const mugs = await createVendor(ctx, { name: 'Mug Works' });
    const tins = await createVendor(ctx, { name: 'Dosen GmbH', currency: 'EUR' });
    const mug = await makeItem(ctx);
    const tin = await makeItem(ctx);
    const receive = async (vendorId: string, itemId: string, qty: number, cost: number, extra = {}) =>
      postReceipt(ctx, (await createReceipt(ctx, { vendor_id: vendorId, site_id: site, lines: [{ item_id: itemId, qty: u(qty), unit_cost: $(cost) }], ...extra })).id);
    await receive(mugs.id, mug.id, 5, 2);
    clock.advance(DAY);
    await receive(mugs.id, mug.id, 5, 2.5);
    const tinReceipt = await receive(tins.id, tin.id, 4, 2, { exchange_rate: 1_100_000_000 });
    clock.advance(DAY);
    const back = await postVendorReturn(ctx, (await createVendorReturn(ctx, { vendor_id: mugs.id, site_id: site, reason: 'defective', lines: [{ item_id: mug.id, qty: u(6) }] })).id);
    expect([back.value_micros, back.credit_micros]).toEqual([$(12.5), $(12.5)]);
    clock.advance(DAY);
    const tinBack = await postVendorReturn(ctx, (await createVendorReturn(ctx, { receipt_id: tinReceipt.id, reason: 'damaged', lines: [{ receipt_line_id: tinReceipt.lines[0]!.id, qty: u(1) }] })).id);
    expect([tinBack.value_micros, tinBack.credit_micros, tinBack.currency]).toEqual([$(2.2), $(2), 'EUR']);
    // A draft, and a cancelled return, are never booked.
    await createVendorReturn(ctx, { vendor_id: mugs.id, site_id: site, reason: 'other', lines: [{ item_id: mug.id, qty: u(1) }] });
    returns.push(back, tinBack);
    clock.advance(10 * DAY);
    await connectQuickbooks(ctx, config, { code: fake.issueCode(), realmId: fake.realmId, syncFrom: '2026-10-20' });
  }, 120_000);
  afterAll(async () => fake.close());

  const ctxNow = () => serviceContext(get().db, new ManualClock(Date.UTC(2026, 10, 2, 9)));

  it('posts one VendorCredit per posted return, and none twice after a create times out and is retried', { timeout: 60_000 }, async () => {
    fake.timeoutAfterCommit(1, 'VendorCredit');
    const first = await syncQuickbooks(ctxNow(), config);
    expect([first.status, first.failed]).toEqual(['incomplete', 1]);
    // QuickBooks stored both, though one answer never came back.
    expect(fake.entities('VendorCredit')).toHaveLength(2);
    const creates = fake.stats.creates;
    const retry = await syncQuickbooks(ctxNow(), config);
    expect([retry.status, retry.posted]).toEqual(['synced', 1]);
    expect(fake.stats.creates).toBe(creates);
    expect(fake.stats.duplicateRequestIds).toBe(1);

    const credits = fake.entities('VendorCredit');
    expect(credits.map((c) => c.DocNumber).sort()).toEqual(returns.map((r) => r.number).sort());
    const mugCredit = credits.find((c) => c.DocNumber === returns[0]!.number)!;
    expect(mugCredit).toMatchObject({ TxnDate: '2026-10-22' });
    expect(mugCredit.CurrencyRef).toBeUndefined();
    expect((mugCredit.Line as QboLine[]).map((l) => l.Amount)).toEqual([12.5]);
    const tinCredit = credits.find((c) => c.DocNumber === returns[1]!.number)!;
    expect(tinCredit).toMatchObject({ TxnDate: '2026-10-23', CurrencyRef: { value: 'EUR' }, ExchangeRate: 1.1 });
    expect((tinCredit.Line as QboLine[]).map((l) => l.Amount)).toEqual([2]);
    const vendors = fake.entities('Vendor');
    for (const credit of credits) expect(vendors.some((v) => v.Id === (credit.VendorRef as { value: string }).value)).toBe(true);
    // Bills were made for the same vendors: each vendor once.
    expect(new Set(vendors.map((v) => v.DisplayName)).size).toBe(vendors.length);
    const postings = await get().db.kysely.selectFrom('qbo_postings').selectAll().where('kind', '=', 'vendor_credit').execute();
    expect(postings.map((p) => p.status)).toEqual(['posted', 'posted']);
    // The one that timed out was sent twice with the same requestid; QuickBooks answered the second from its first.
    expect(postings.map((p) => p.attempts).sort()).toEqual([1, 2]);
    // Nothing more to do: another sync books nothing.
    expect((await syncQuickbooks(ctxNow(), config)).planned).toBe(0);
    expect(fake.entities('VendorCredit')).toHaveLength(2);
  });

  it('books each return in the day’s journal: purchases clearing debited, inventory credited at ledger cost, balanced to the cent', async () => {
    const journal = await buildJournal(ctxNow(), '2026-10-20', '2026-10-23');
    for (const entry of journal.entries) expect(entry.lines.reduce((sum, l) => sum + l.amountMinor, 0), entry.day).toBe(0);
    const day = (d: string) => journal.entries.filter((e) => e.day === d).flatMap((e) => e.lines);
    const returned = (d: string) => day(d).filter((l) => l.memo.startsWith('Returned to vendor'));
    expect(returned('2026-10-22').map((l) => [l.role, l.account, l.amountMinor])).toEqual([['purchases_clearing', 'Purchases Clearing', 1250]]);
    expect(day('2026-10-22').filter((l) => l.role === 'inventory_asset').map((l) => l.amountMinor)).toEqual([-1250]);
    expect(returned('2026-10-23').map((l) => l.amountMinor)).toEqual([220]);
    // The stock lines equal the change in valuation: 22.50 + 8.80 in, 12.50 + 2.20 back.
    expect(journal.stockBalances.closing - journal.stockBalances.opening).toBe(cents(22.5 + 8.8 - 12.5 - 2.2));
    const stock = journal.entries.flatMap((e) => e.lines).filter((l) => l.role === 'inventory_asset').reduce((sum, l) => sum + l.amountMinor, 0);
    expect(stock).toBe(cents(16.6));
    // And QuickBooks holds the same: its inventory account moved by exactly that much.
    const inventory = fake.entities('Account').find((a) => a.Name === 'Inventory Asset')!.Id;
    const booked = fake.entities('JournalEntry').flatMap((e) => e.Line as QboLine[]).filter((l) => l.JournalEntryLineDetail!.AccountRef.value === inventory);
    expect(booked.reduce((sum, l) => sum + (l.JournalEntryLineDetail!.PostingType === 'Debit' ? 1 : -1) * cents(l.Amount), 0)).toBe(cents(16.6));
  });

  it('puts the returns in the CSV journal and the IIF file', async () => {
    const journal = await buildJournal(ctxNow(), '2026-10-20', '2026-10-23');
    const csv = journalCsv(journal).trim().split('\r\n');
    expect(csv.filter((row) => row.includes('Returned to vendor: defective')).map((row) => row.split(',').slice(0, 4))).toEqual([['2026-10-22', 'Purchases Clearing', '12.50', '']]);
    const iif = parseIif(journalIif(journal));
    expect(iif.find((t) => t.date === '10/23/2026')!.lines.filter((l) => l.memo.includes('Returned to vendor: damaged')).map((l) => l.amountCents)).toEqual([220]);
  });
});
