import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../support/databases.ts';
import { loadDemoShop } from '../../src/demo/demo-shop.ts';
import '../../src/modules/sales/index.ts';
import '../../src/modules/fulfillment/index.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { inventoryValuation } from '../../src/modules/reports/index.ts';
import { startOfLocalDay } from '../../src/platform/clock.ts';
import { buildJournal, connectQuickbooks, journalCsv, journalIif, roundToUnit, syncQuickbooks, type QboConfig } from '../../src/modules/integrations/quickbooks/index.ts';
import { parseIif, startFakeQuickbooks, type FakeQuickbooks, type QboEntity, type QboLine } from '../fakes/quickbooks.ts';

/**
 * The done-when of issue 19: five weeks of the simulated shop (the demo, ending at the test clock,
 * 2 November 2026) booked into a local fake of QuickBooks Online from 1 October, sales included.
 * The books must equal the ledger to the cent, the money due in from the counter must equal what
 * its sales took less what its returns refunded, bills must equal the posted receipts, and faults (a create that
 * times out after QuickBooks committed it, throttling, an expired token) must never book twice.
 */
const FROM = '2026-10-01';
const THROUGH = '2026-11-01';
const cents = (amount: number) => Math.round(amount * 100);

function lineCents(line: QboLine): number {
  const sign = line.JournalEntryLineDetail?.PostingType === 'Credit' ? -1 : 1;
  return sign * cents(line.Amount);
}

describeEachDatabase('QuickBooks Online sync of a month of the demo shop', (get) => {
  let fake: FakeQuickbooks;
  let config: QboConfig;

  beforeAll(async () => {
    fake = await startFakeQuickbooks();
    config = { clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri: 'http://127.0.0.1/cb', authorizeUrl: `${fake.baseUrl}/connect`, tokenUrl: fake.tokenUrl, apiBase: fake.baseUrl, timeoutMs: 1500 };
    const ctx = serviceContext(get().db);
    await loadDemoShop(ctx, { days: 35 });
    await connectQuickbooks(ctx, config, { code: fake.issueCode(), realmId: fake.realmId, syncFrom: FROM, syncSales: true });
  }, 600_000);
  afterAll(async () => fake.close());

  const stockAccountIds = () => new Set(fake.entities('Account').filter((a) => a.Name === 'Inventory Asset' || a.Name === 'Inventory in Transit').map((a) => a.Id));
  const stockCents = (entries: QboEntity[]) => {
    const ids = stockAccountIds();
    return entries.flatMap((e) => e.Line as QboLine[]).filter((l) => ids.has(l.JournalEntryLineDetail!.AccountRef.value)).reduce((sum, l) => sum + lineCents(l), 0);
  };
  const valuationCents = async (day: string, atStart: boolean) => {
    const ctx = serviceContext(get().db);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const report = await inventoryValuation(ctx, { asOf: startOfLocalDay(atStart ? day : next, 'UTC') - 1 });
    return roundToUnit(report.totalValue, 10_000);
  };

  it('books every day and site once, balanced, equal to the change in valuation to the cent, even when a create times out after committing', { timeout: 300_000 }, async () => {
    const ctx = serviceContext(get().db);
    // One journal entry is stored by QuickBooks but its answer never comes: the client times out.
    fake.timeoutAfterCommit(1, 'JournalEntry');
    const result = await syncQuickbooks(ctx, config);
    const creates = fake.stats.creates;
    expect(result.status).toBe('incomplete');
    expect(result.failed).toBe(1);
    const failed = await get().db.kysely.selectFrom('qbo_postings').selectAll().where('status', '=', 'failed').execute();
    expect(failed).toHaveLength(1);
    expect(failed[0]!.last_error).toMatch(/^timeout/);

    const retry = await syncQuickbooks(ctx, config);
    expect(retry.status).toBe('synced');
    expect(retry.posted).toBe(1);
    expect(fake.stats.duplicateRequestIds).toBe(1);
    expect(fake.stats.creates).toBe(creates);

    const postings = await get().db.kysely.selectFrom('qbo_postings').selectAll().where('kind', '=', 'journal').execute();
    const entries = fake.entities('JournalEntry');
    expect(entries).toHaveLength(postings.length);
    expect(new Set(entries.map((e) => e.DocNumber)).size).toBe(entries.length);
    expect(postings.every((p) => p.status === 'posted' && p.qbo_id !== null)).toBe(true);
    for (const entry of entries) expect((entry.Line as QboLine[]).reduce((sum, l) => sum + lineCents(l), 0), String(entry.DocNumber)).toBe(0);
    const days = new Set(entries.map((e) => e.TxnDate));
    expect(days.size).toBe(32);

    expect(stockCents(entries)).toBe((await valuationCents(THROUGH, false)) - (await valuationCents(FROM, true)));

    // The revenue side: what the counter took and refunded over the month, to the cent.
    const clearing = fake.entities('Account').find((a) => a.AccountSubType === 'UndepositedFunds')!.Id;
    const dueIn = (memo: string) =>
      entries.flatMap((e) => e.Line as QboLine[]).filter((l) => l.JournalEntryLineDetail!.AccountRef.value === clearing && String(l.Description).startsWith(memo)).reduce((sum, l) => sum + lineCents(l), 0);
    const db = get().db.kysely;
    const [start, end] = [startOfLocalDay(FROM, 'UTC'), startOfLocalDay('2026-11-02', 'UTC')];
    const sold = await db.selectFrom('sales').select((eb) => eb.fn.sum<number>('total_micros').as('t')).where('created_at', '>=', start).where('created_at', '<', end).executeTakeFirstOrThrow();
    const refunded = await db.selectFrom('returns').select((eb) => eb.fn.sum<number>('refund_micros').as('t')).where('sale_id', 'is not', null).where('created_at', '>=', start).where('created_at', '<', end).executeTakeFirstOrThrow();
    expect(Number(sold.t)).toBeGreaterThan(0);
    expect(dueIn('Counter sales:')).toBe(Number(sold.t) / 10_000);
    expect(dueIn('Counter returns and voids:')).toBe(-Number(refunded.t ?? 0) / 10_000);
  });

  it('bills every posted receipt from a vendor once, for the value the ledger gave it', async () => {
    const db = get().db.kysely;
    const receipts = await db.selectFrom('receipts').select(['id', 'number']).where('status', '=', 'posted').where('vendor_id', 'is not', null).where('posted_at', '>=', startOfLocalDay(FROM, 'UTC')).where('posted_at', '<', startOfLocalDay('2026-11-02', 'UTC')).execute();
    const bills = fake.entities('Bill');
    expect(receipts.length).toBeGreaterThan(3);
    expect(bills.map((b) => b.DocNumber).sort()).toEqual(receipts.map((r) => r.number).sort());
    for (const receipt of receipts) {
      const lines = await db
        .selectFrom('movements as m')
        .leftJoin('inbound_costs as ic', 'ic.movement_id', 'm.id')
        .select(['m.document_line_id', (eb) => eb.fn.sum<number>('m.value_micros').as('value'), (eb) => eb.fn.sum<number>(eb.fn.coalesce('ic.landed_micros', eb.lit(0))).as('landed')])
        .where('m.document_id', '=', receipt.id)
        .where('m.kind', '=', 'receipt')
        .groupBy('m.document_line_id')
        .execute();
      const expected = lines.reduce((sum, l) => sum + roundToUnit(Number(l.value) - Number(l.landed), 10_000), 0);
      const bill = bills.find((b) => b.DocNumber === receipt.number)!;
      expect((bill.Line as QboLine[]).reduce((sum, l) => sum + cents(l.Amount), 0), receipt.number).toBe(expected);
    }
    const vendors = fake.entities('Vendor');
    expect(new Set(vendors.map((v) => v.DisplayName)).size).toBe(vendors.length);
  });

  it('posts a correcting entry for a day already booked when a back-dated entry lands in it, and survives throttling and an expired token', { timeout: 120_000 }, async () => {
    const ctx = serviceContext(get().db);
    const db = get().db.kysely;
    const site = await db.selectFrom('locations').select('id').where('kind', '=', 'site').orderBy('code').executeTakeFirstOrThrow();
    const item = await db.selectFrom('balances as b').innerJoin('locations as l', 'l.id', 'b.location_id').select('b.item_id').where('l.site_id', '=', site.id).where('b.on_hand', '>', 5000).where('b.lot_id', '=', '').orderBy('b.item_id').executeTakeFirstOrThrow();
    await createAdjustment(ctx, { location_id: site.id, reason: 'theft', effective_at: Date.parse('2026-10-10T12:00:00Z'), lines: [{ item_id: item.item_id, qty: -2000 }] } as never);
    const before = fake.entities('JournalEntry').length;
    fake.throttle(1);
    const throttled = await syncQuickbooks(ctx, config);
    expect(throttled.throttled).toBe(true);
    fake.expireAccessTokens();
    const refreshes = fake.stats.refreshes;
    const done = await syncQuickbooks(ctx, config);
    expect(done.status).toBe('synced');
    expect(fake.stats.refreshes).toBe(refreshes + 1);
    const corrections = await db.selectFrom('qbo_postings').selectAll().where('kind', '=', 'journal').where('revision', '>', 0).execute();
    expect(corrections.some((c) => c.day === '2026-10-10' && c.site_id === site.id)).toBe(true);
    const entries = fake.entities('JournalEntry');
    expect(entries.length).toBe(before + corrections.length);
    // History is never edited: the first entry for the day is still there, the correction beside it.
    expect(entries.filter((e) => e.TxnDate === '2026-10-10' && String(e.DocNumber).endsWith('-1')).length).toBeGreaterThan(0);
    expect(stockCents(entries)).toBe((await valuationCents(THROUGH, false)) - (await valuationCents(FROM, true)));
    // Nothing more to do: a third sync books nothing.
    const again = await syncQuickbooks(ctx, config);
    expect(again.planned).toBe(0);
  });

  it('writes an IIF file QuickBooks Desktop imports and a CSV journal that sums to zero each day, with and without sales', async () => {
    const ctx = serviceContext(get().db);
    for (const options of [{}, { sales: () => true }]) {
      const journal = await buildJournal(ctx, FROM, THROUGH, options);
      const parsed = parseIif(journalIif(journal));
      expect(parsed).toHaveLength(journal.entries.length);
      expect(parsed.every((t) => t.type === 'GENERAL JOURNAL')).toBe(true);
      const rows = journalCsv(journal).trim().split('\r\n').slice(1).map((row) => row.split(','));
      const byDay = new Map<string, number>();
      for (const [day, , debit, credit] of rows) byDay.set(day!, (byDay.get(day!) ?? 0) + cents(Number(debit || 0)) - cents(Number(credit || 0)));
      expect(byDay.size).toBe(32);
      for (const [day, sum] of byDay) expect(sum, day).toBe(0);
      expect(rows.some(([, account]) => account === 'Undeposited Funds')).toBe('sales' in options);
      expect(journal.stockBalances.closing - journal.stockBalances.opening).toBe((await valuationCents(THROUGH, false)) - (await valuationCents(FROM, true)));
    }
  });
});
