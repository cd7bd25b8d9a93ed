import { createHash } from 'node:crypto';
import { localDate, startOfLocalDay } from '../../../platform/clock.ts';
import type { ServiceContext } from '../../../platform/context.ts';
import type { Executor, Trx } from '../../../platform/db/transaction.ts';
import { newId } from '../../../platform/ids.ts';
import { minorUnitMicros } from '../../../platform/money.ts';
import { readSettings } from '../../settings/index.ts';
import { loadAccountResolver, type AccountRole } from './accounts.ts';
import { entryDocNumber } from './journal-files.ts';
import { roundToUnit, type Journal, type JournalLine, MAX_JOURNAL_DAYS } from './journal.ts';

/**
 * Planning what QuickBooks should hold, in the database only (no network): one journal posting per
 * day and site, and when the ledger's figures for a day already posted have changed since (a
 * back-dated movement, a landed cost, a re-costing), a correcting posting of the difference —
 * history in QuickBooks is never edited. One bill per posted receipt from a vendor, one vendor
 * credit per posted return to vendor. Each posting
 * row fixes its `requestid` and doc number before anything is sent, so every retry is the same
 * request.
 */

export interface PostedLine {
  role: AccountRole;
  account: string;
  amountMinor: number;
  memo: string;
}

export interface BillLines {
  vendorId: string;
  vendorName: string;
  currency: string;
  exchangeRateE9: number | null;
  lines: PostedLine[];
  txnDate: string;
}

export function requestIdFor(realmId: string, postingKey: string, revision: number): string {
  // QuickBooks accepts a requestid of up to 50 characters.
  return createHash('sha256').update(`${realmId}\u0000${postingKey}\u0000${revision}`).digest('hex').slice(0, 40);
}

function addDaysTo(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function sumByAccount(lines: ReadonlyArray<Pick<PostedLine, 'role' | 'account' | 'amountMinor'>>, into = new Map<string, { role: AccountRole; amountMinor: number }>()): Map<string, { role: AccountRole; amountMinor: number }> {
  for (const line of lines) {
    const current = into.get(line.account) ?? { role: line.role, amountMinor: 0 };
    current.amountMinor += line.amountMinor;
    into.set(line.account, current);
  }
  return into;
}

/** The days the sync covers: from the connection's first day through yesterday, at most a year back. */
export function syncWindow(syncFrom: string, today: string): { from: string; to: string } | null {
  const to = addDaysTo(today, -1);
  const earliest = addDaysTo(to, -(MAX_JOURNAL_DAYS - 1));
  const from = syncFrom > earliest ? syncFrom : earliest;
  return from > to ? null : { from, to };
}

/**
 * Whether each day and site of the window books its sales: as it was first booked when it was
 * (so turning the option on or off never rewrites a booked day), else as the connection says now.
 */
export async function salesScope(db: Executor, window: { from: string; to: string }, syncSales: boolean): Promise<{ scope: (day: string, siteId: string) => boolean; any: boolean }> {
  const first = await db.selectFrom('qbo_postings').select(['posting_key', 'with_sales']).where('kind', '=', 'journal').where('revision', '=', 0).where('day', '>=', window.from).where('day', '<=', window.to).execute();
  const booked = new Map(first.map((r) => [r.posting_key, r.with_sales === 1]));
  return { scope: (day, siteId) => booked.get(`journal:${day}:${siteId}`) ?? syncSales, any: syncSales || first.some((r) => r.with_sales === 1) };
}

/**
 * Writes the journal postings (first entries and corrections) that `journal` — built before the
 * transaction, so a year of days is not computed while holding the write lock — calls for. Two
 * syncs planning at once cannot both write a revision: (posting_key, revision) is unique.
 */
export async function planJournalPostings(ctx: ServiceContext & { trx: Trx }, realmId: string, window: { from: string; to: string }, journal: Journal, withSales: (day: string, siteId: string) => boolean = () => false): Promise<number> {
  const existing = await ctx.trx.selectFrom('qbo_postings').select(['posting_key', 'revision', 'lines_json', 'day', 'site_id']).where('kind', '=', 'journal').where('day', '>=', window.from).where('day', '<=', window.to).execute();
  const posted = new Map<string, { revision: number; sums: Map<string, { role: AccountRole; amountMinor: number }>; day: string; siteId: string }>();
  for (const row of existing) {
    const current = posted.get(row.posting_key) ?? { revision: -1, sums: new Map(), day: row.day!, siteId: row.site_id! };
    current.revision = Math.max(current.revision, row.revision);
    sumByAccount(JSON.parse(row.lines_json) as PostedLine[], current.sums);
    posted.set(row.posting_key, current);
  }
  const sites = new Map((await ctx.trx.selectFrom('locations').select(['id', 'code']).where('kind', '=', 'site').execute()).map((s) => [s.id, s.code]));
  const wanted = new Map(journal.entries.map((e) => [`journal:${e.day}:${e.siteId}`, e]));
  let planned = 0;
  for (const key of new Set([...wanted.keys(), ...posted.keys()])) {
    const entry = wanted.get(key);
    const before = posted.get(key);
    const day = entry?.day ?? before!.day;
    const siteId = entry?.siteId ?? before!.siteId;
    const siteCode = entry?.siteCode ?? sites.get(siteId) ?? siteId;
    let lines: PostedLine[];
    if (!before) lines = entry!.lines.map(({ role, account, amountMinor, memo }: JournalLine) => ({ role, account, amountMinor, memo }));
    else lines = correctionLines(before.sums, sumByAccount(entry?.lines ?? []), day);
    if (lines.length === 0) continue;
    const revision = before ? before.revision + 1 : 0;
    await insertPosting(ctx, { kind: 'journal', postingKey: key, revision, docNumber: entryDocNumber({ day, siteCode }, revision), requestId: requestIdFor(realmId, key, revision), day, siteId, documentId: null, lines, withSales: withSales(day, siteId) });
    planned += 1;
  }
  return planned;
}

function correctionLines(before: Map<string, { role: AccountRole; amountMinor: number }>, after: Map<string, { role: AccountRole; amountMinor: number }>, day: string): PostedLine[] {
  const lines: PostedLine[] = [];
  for (const account of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const delta = (after.get(account)?.amountMinor ?? 0) - (before.get(account)?.amountMinor ?? 0);
    if (delta === 0) continue;
    const role = (after.get(account) ?? before.get(account))!.role;
    lines.push({ role, account, amountMinor: delta, memo: `Correction of ${day}: the ledger's figures changed after it was booked (back-dated entries, landed costs)` });
  }
  return lines;
}

async function insertPosting(
  ctx: ServiceContext & { trx: Trx },
  p: { kind: 'journal' | 'bill' | 'vendor_credit'; postingKey: string; revision: number; docNumber: string; requestId: string; day: string; siteId: string | null; documentId: string | null; lines: PostedLine[] | BillLines; withSales?: boolean },
): Promise<void> {
  const now = ctx.clock.now();
  const lines = Array.isArray(p.lines) ? p.lines : p.lines.lines;
  const total = lines.reduce((sum, l) => sum + (l.amountMinor > 0 ? l.amountMinor : 0), 0);
  await ctx.trx
    .insertInto('qbo_postings')
    .values({
      id: newId('qbp', now),
      kind: p.kind,
      posting_key: p.postingKey,
      revision: p.revision,
      doc_number: p.docNumber,
      request_id: p.requestId,
      day: p.day,
      site_id: p.siteId,
      document_id: p.documentId,
      lines_json: JSON.stringify(p.lines),
      total_minor: total,
      status: 'pending',
      qbo_id: null,
      attempts: 0,
      last_error: null,
      created_at: now,
      updated_at: now,
      posted_at: null,
      with_sales: p.withSales ? 1 : 0,
    })
    .execute();
}

/**
 * One bill per posted receipt from a vendor since the first synced day: a line per receipt line at
 * the value the ledger gave it (landed costs excluded: those are the carrier's bills), booked to
 * purchases clearing, which the receipt's journal line credited.
 */
export async function planBillPostings(ctx: ServiceContext & { trx: Trx }, realmId: string, window: { from: string; to: string }): Promise<number> {
  const settings = await readSettings(ctx.trx);
  const tz = settings.time_zone;
  const unit = minorUnitMicros(settings.base_currency);
  const accounts = await loadAccountResolver(ctx.trx);
  const receipts = await ctx.trx
    .selectFrom('receipts as r')
    .innerJoin('vendors as v', 'v.id', 'r.vendor_id')
    .leftJoin('qbo_postings as p', (join) => join.onRef('p.document_id', '=', 'r.id').on('p.kind', '=', 'bill'))
    .select(['r.id', 'r.number', 'r.site_id', 'r.currency', 'r.exchange_rate_e9', 'r.received_at', 'r.posted_at', 'v.id as vendor_id', 'v.name as vendor_name'])
    .where('r.status', '=', 'posted')
    .where('p.id', 'is', null)
    .where('r.posted_at', '>=', startOfLocalDay(window.from, tz))
    .where('r.posted_at', '<', startOfLocalDay(addDaysTo(window.to, 1), tz))
    .orderBy('r.posted_at')
    .execute();
  let planned = 0;
  for (const receipt of receipts) {
    const values = await ctx.trx
      .selectFrom('movements as m')
      .innerJoin('items as i', 'i.id', 'm.item_id')
      .leftJoin('inbound_costs as ic', 'ic.movement_id', 'm.id')
      .select(['m.document_line_id', 'i.sku', 'i.name', 'i.category', (eb) => eb.fn.sum<number>(eb.fn.coalesce('m.value_micros', eb.lit(0))).as('value'), (eb) => eb.fn.sum<number>(eb.fn.coalesce('ic.landed_micros', eb.lit(0))).as('landed')])
      .where('m.document_type', '=', 'receipt')
      .where('m.document_id', '=', receipt.id)
      .where('m.kind', '=', 'receipt')
      .groupBy(['m.document_line_id', 'i.sku', 'i.name', 'i.category'])
      .orderBy('m.document_line_id')
      .execute();
    const lines: PostedLine[] = values.map((v) => ({
      role: 'purchases_clearing',
      account: accounts.account('purchases_clearing', receipt.site_id, v.category),
      amountMinor: roundToUnit(Number(v.value) - Number(v.landed), unit),
      memo: `${v.sku} ${v.name}: ${receipt.number}`,
    }));
    if (lines.length === 0) continue;
    const day = localDate(receipt.received_at ?? receipt.posted_at!, tz);
    const foreign = receipt.currency !== settings.base_currency && receipt.exchange_rate_e9 !== null;
    const bill: BillLines = foreign
      ? { vendorId: receipt.vendor_id, vendorName: receipt.vendor_name, currency: receipt.currency, exchangeRateE9: receipt.exchange_rate_e9, lines: await foreignLines(ctx, receipt.id, receipt.currency, new Map(values.map((v, i) => [v.document_line_id ?? '', lines[i]!]))), txnDate: day }
      : { vendorId: receipt.vendor_id, vendorName: receipt.vendor_name, currency: settings.base_currency, exchangeRateE9: null, lines, txnDate: day };
    const key = `bill:${receipt.id}`;
    await insertPosting(ctx, { kind: 'bill', postingKey: key, revision: 0, docNumber: receipt.number.slice(0, 21), requestId: requestIdFor(realmId, key, 0), day, siteId: receipt.site_id, documentId: receipt.id, lines: bill });
    planned += 1;
  }
  return planned;
}

/**
 * A receipt invoiced in the vendor's currency is billed in it, line by line at the vendor's price
 * (QuickBooks converts at the bill's exchange rate); what rounding leaves between that and the
 * base value the journal booked stays in purchases clearing as an exchange difference.
 */
async function foreignLines(ctx: ServiceContext & { trx: Trx }, receiptId: string, currency: string, baseLines: ReadonlyMap<string, PostedLine>): Promise<PostedLine[]> {
  const unit = minorUnitMicros(currency);
  const rows = await ctx.trx.selectFrom('receipt_lines').select(['id', 'qty_base', 'price_micros', 'price_unit_factor']).where('receipt_id', '=', receiptId).orderBy('id').execute();
  return rows.flatMap((row) => {
    const base = baseLines.get(row.id);
    if (!base) return [];
    const micros = row.price_micros === null || !row.price_unit_factor ? 0 : Math.round((Number(row.qty_base) * Number(row.price_micros)) / Number(row.price_unit_factor));
    return [{ ...base, amountMinor: roundToUnit(micros, unit) }];
  });
}

/**
 * One vendor credit per posted return to vendor since the first synced day: a line per return line
 * for the credit fixed when it was posted, in the vendor's currency (at the rate the return was
 * valued at), booked to purchases clearing — which the return's journal line debited, so the
 * clearing account empties when the credit matches what the goods were carried at, and what is
 * left (a restocking fee, a price that moved) is the purchase price variance of the return.
 */
export async function planVendorCreditPostings(ctx: ServiceContext & { trx: Trx }, realmId: string, window: { from: string; to: string }): Promise<number> {
  const settings = await readSettings(ctx.trx);
  const tz = settings.time_zone;
  const accounts = await loadAccountResolver(ctx.trx);
  const returns = await ctx.trx
    .selectFrom('vendor_returns as r')
    .innerJoin('vendors as v', 'v.id', 'r.vendor_id')
    .leftJoin('receipts as rc', 'rc.id', 'r.receipt_id')
    .leftJoin('qbo_postings as p', (join) => join.onRef('p.document_id', '=', 'r.id').on('p.kind', '=', 'vendor_credit'))
    .select(['r.id', 'r.number', 'r.site_id', 'r.currency', 'r.exchange_rate_e9', 'r.returned_at', 'r.posted_at', 'rc.number as receipt_number', 'v.id as vendor_id', 'v.name as vendor_name'])
    .where('r.status', '=', 'posted')
    .where('p.id', 'is', null)
    .where('r.posted_at', '>=', startOfLocalDay(window.from, tz))
    .where('r.posted_at', '<', startOfLocalDay(addDaysTo(window.to, 1), tz))
    .orderBy('r.posted_at')
    .orderBy('r.id')
    .execute();
  let planned = 0;
  for (const ret of returns) {
    const rows = await ctx.trx
      .selectFrom('vendor_return_lines as l')
      .innerJoin('items as i', 'i.id', 'l.item_id')
      .select(['l.credit_micros', 'i.sku', 'i.name', 'i.category'])
      .where('l.return_id', '=', ret.id)
      .orderBy('l.line_no')
      .execute();
    const unit = minorUnitMicros(ret.currency);
    const lines: PostedLine[] = rows.map((r) => ({
      role: 'purchases_clearing',
      account: accounts.account('purchases_clearing', ret.site_id, r.category),
      amountMinor: roundToUnit(Number(r.credit_micros ?? 0), unit),
      memo: `${r.sku} ${r.name}: returned on ${ret.number}${ret.receipt_number ? ` (received on ${ret.receipt_number})` : ''}`,
    }));
    if (lines.length === 0) continue;
    const foreign = ret.currency !== settings.base_currency && ret.exchange_rate_e9 !== null;
    const credit: BillLines = { vendorId: ret.vendor_id, vendorName: ret.vendor_name, currency: ret.currency, exchangeRateE9: foreign ? ret.exchange_rate_e9 : null, lines, txnDate: localDate(ret.returned_at ?? ret.posted_at!, tz) };
    const key = `vendor_credit:${ret.id}`;
    await insertPosting(ctx, { kind: 'vendor_credit', postingKey: key, revision: 0, docNumber: ret.number.slice(0, 21), requestId: requestIdFor(realmId, key, 0), day: credit.txnDate, siteId: ret.site_id, documentId: ret.id, lines: credit });
    planned += 1;
  }
  return planned;
}
