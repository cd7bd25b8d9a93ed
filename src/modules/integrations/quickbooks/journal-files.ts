import { csvText } from '../../../platform/csv.ts';
import type { Journal, JournalEntry } from './journal.ts';

/**
 * The journal as files, for books kept without QuickBooks Online: a CSV journal (date, account,
 * debit, credit, memo — one row per line, every day summing to zero) for any bookkeeping tool, and
 * an IIF file of GENERAL JOURNAL transactions for QuickBooks Desktop.
 */

/** Minor units as a decimal string: 12345 with two digits is "123.45". */
export function formatMinor(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (digits === 0) return `${sign}${abs}`;
  const unit = 10 ** digits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, '0')}`;
}

/** The document number an entry carries in every format (and in QuickBooks Online): day, site, revision. */
export function entryDocNumber(entry: Pick<JournalEntry, 'day' | 'siteCode'>, revision = 0): string {
  // QuickBooks allows 21 characters in a DocNumber.
  return `SR${entry.day.replaceAll('-', '').slice(2)}-${entry.siteCode.slice(0, 9)}-${revision}`;
}

export function journalCsv(journal: Journal): string {
  const rows: string[][] = [['date', 'account', 'debit', 'credit', 'memo']];
  for (const entry of journal.entries) {
    for (const line of entry.lines) {
      const amount = formatMinor(Math.abs(line.amountMinor), journal.minorDigits);
      rows.push([entry.day, line.account, line.amountMinor > 0 ? amount : '', line.amountMinor < 0 ? amount : '', `${entry.siteCode} ${entryDocNumber(entry)}: ${line.memo}`]);
    }
  }
  return csvText(rows);
}

/** IIF fields are tab-separated lines: a tab, a line break or a quote inside one would break the row. */
function iifField(text: string): string {
  return text.replace(/[\t\r\n"]+/g, ' ');
}

function iifDate(day: string): string {
  const [y, m, d] = day.split('-');
  return `${m}/${d}/${y}`;
}

export function journalIif(journal: Journal): string {
  const out: string[] = [
    ['!TRNS', 'TRNSID', 'TRNSTYPE', 'DATE', 'ACCNT', 'AMOUNT', 'DOCNUM', 'MEMO'].join('\t'),
    ['!SPL', 'SPLID', 'TRNSTYPE', 'DATE', 'ACCNT', 'AMOUNT', 'DOCNUM', 'MEMO'].join('\t'),
    '!ENDTRNS',
  ];
  for (const entry of journal.entries) {
    const doc = entryDocNumber(entry);
    entry.lines.forEach((line, index) => {
      // The first line is the transaction; the split lines balance it with the opposite sign.
      const tag = index === 0 ? 'TRNS' : 'SPL';
      out.push([tag, '', 'GENERAL JOURNAL', iifDate(entry.day), iifField(line.account), formatMinor(line.amountMinor, journal.minorDigits), doc, iifField(`${entry.siteCode}: ${line.memo}`)].join('\t'));
    });
    out.push('ENDTRNS');
  }
  return out.join('\r\n') + '\r\n';
}
