import { describe, expect, it } from 'vitest';
import { parseIif } from '../../../../test/fakes/quickbooks.ts';
import { allocateRounded, roundToUnit, type Journal } from './journal.ts';
import { entryDocNumber, formatMinor, journalCsv, journalIif } from './journal-files.ts';

describe('rounding micros to minor units', () => {
  it('rounds half away from zero', () => {
    expect([roundToUnit(5_000, 10_000), roundToUnit(-5_000, 10_000), roundToUnit(4_999, 10_000), roundToUnit(-15_000, 10_000)]).toEqual([1, -1, 0, -2]);
  });

  it('allocates stock accounts so that every prefix, and so the total, is its value rounded', () => {
    // Three accounts of 0.004 each: rounded one by one they make 0.00, together 0.01.
    const cumulative = new Map([['a', 4_000], ['b', 4_000], ['c', 4_000]]);
    const allocated = allocateRounded(cumulative, 10_000);
    expect([...allocated.values()].reduce((s, v) => s + v, 0)).toBe(roundToUnit(12_000, 10_000));
    for (const [key, minor] of allocated) expect(Math.abs(minor * 10_000 - cumulative.get(key)!)).toBeLessThan(10_000);
  });
});

describe('journal files', () => {
  const journal: Journal = {
    currency: 'USD',
    minorDigits: 2,
    from: '2026-10-01',
    to: '2026-10-01',
    stockBalances: { opening: 0, closing: -1_005 },
    entries: [
      {
        day: '2026-10-01',
        siteId: 'loc_1',
        siteCode: 'MAIN',
        lines: [
          { role: 'inventory_asset', account: 'Inventory Asset', amountMinor: -1_005, micros: -10_049_990, memo: 'Stock\tvalue, "change"' },
          { role: 'cost_of_goods_sold', account: 'Cost of Goods Sold', amountMinor: 1_004, micros: 10_044_990, memo: 'Sales (cost)' },
          { role: 'rounding', account: 'Rounding Differences', amountMinor: 1, micros: null, memo: 'Rounding' },
        ],
      },
    ],
  };

  it('formats minor units exactly, negative and without decimals', () => {
    expect([formatMinor(-5, 2), formatMinor(123_456, 2), formatMinor(1_500, 0), formatMinor(7, 3)]).toEqual(['-0.05', '1234.56', '1500', '0.007']);
  });

  it('writes IIF the importer accepts, with memo tabs and quotes taken out', () => {
    const text = journalIif(journal);
    const [transaction] = parseIif(text);
    expect(transaction).toMatchObject({ type: 'GENERAL JOURNAL', date: '10/01/2026', docNumber: entryDocNumber(journal.entries[0]!) });
    expect(transaction!.lines.map((l) => l.amountCents)).toEqual([-1_005, 1_004, 1]);
    expect(transaction!.lines[0]!.memo).toMatch(/^MAIN: Stock value, +change *$/);
  });

  it('refuses an IIF transaction that does not balance', () => {
    expect(() => parseIif(journalIif(journal).replace('\t-10.05\t', '\t-10.06\t'))).toThrow(/does not balance/);
  });

  it('writes a CSV journal with debits and credits in their own columns', () => {
    const rows = journalCsv(journal).split('\r\n');
    expect(rows[0]).toBe('date,account,debit,credit,memo');
    expect(rows[1]).toMatch(/^2026-10-01,Inventory Asset,,10\.05,/);
    expect(rows[2]).toMatch(/^2026-10-01,Cost of Goods Sold,10\.04,,/);
  });
});
