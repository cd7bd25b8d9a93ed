import { localDate } from '../../../platform/clock.ts';
import { inTransaction, reader, type ServiceContext } from '../../../platform/context.ts';
import { transact } from '../../../platform/db/transaction.ts';
import { currencyMinorDigits } from '../../../platform/money.ts';
// The secret box is not on notifications' index yet; imported by file so the channel connectors' identical need does not collide at merge.
import { openSecret, sealSecret } from '../../notifications/secret-box.ts';
import { readSettings } from '../../settings/index.ts';
import { DEFAULT_ACCOUNTS, type AccountRole } from './accounts.ts';
import { buildJournal } from './journal.ts';
import { formatMinor } from './journal-files.ts';
import { planBillPostings, planJournalPostings, planVendorCreditPostings, requestIdFor, salesScope, syncWindow, type BillLines, type PostedLine } from './postings.ts';
import { exchangeCode, QboApi, qboQuote, refreshTokens, type QboConfig, type TokenSet } from './qbo-client.ts';
import { QuickbooksError } from './quickbooks.errors.ts';

/**
 * The QuickBooks Online sync. The database work and the network work never overlap: a sync plans
 * its postings in one transaction, then sends each posting outside any transaction and records the
 * outcome in a short transaction of its own. A posting that timed out or was throttled stays
 * pending and is sent again — with the same requestid, so QuickBooks returns the entry it already
 * made rather than booking it twice.
 */

const CONNECTION_ID = 'default';
/** Refresh the access token when it has less than this left, so no request goes out with a dying token. */
const ACCESS_MARGIN_MS = 5 * 60_000;
/** Refresh tokens live about 100 days; rotate well before, so a shop that syncs daily never loses its link. */
const REFRESH_MARGIN_MS = 30 * 86_400_000;
/** Postings sent per run at most; the rest wait for the next run. */
const MAX_SENDS_PER_RUN = 2000;

export interface QuickbooksStatus {
  connected: boolean;
  configured: boolean;
  realmId: string | null;
  syncFrom: string | null;
  syncSales: boolean;
  lastSyncAt: number | null;
  accessExpiresAt: number | null;
  pending: number;
  failed: number;
  posted: number;
}

export async function quickbooksStatus(ctx: ServiceContext, config: QboConfig | null): Promise<QuickbooksStatus> {
  const conn = await reader(ctx).selectFrom('qbo_connections').selectAll().where('id', '=', CONNECTION_ID).executeTakeFirst();
  const counts = await reader(ctx).selectFrom('qbo_postings').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  const count = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
  return {
    connected: conn !== undefined,
    configured: config !== null,
    realmId: conn?.realm_id ?? null,
    syncFrom: conn?.sync_from ?? null,
    syncSales: conn?.sync_sales === 1,
    lastSyncAt: conn?.last_sync_at ?? null,
    accessExpiresAt: conn?.access_expires_at ?? null,
    pending: count('pending'),
    failed: count('failed'),
    posted: count('posted'),
  };
}

export function requireConfig(config: QboConfig | null): QboConfig {
  if (!config) throw new QuickbooksError('quickbooks_not_configured', 'Set STOCKROOM_QBO_CLIENT_ID and STOCKROOM_QBO_CLIENT_SECRET (an Intuit developer app) to connect QuickBooks Online.');
  return config;
}

/** The address of Intuit's consent page; `state` comes back with the code and must be checked by the caller. */
export function authorizeUrl(config: QboConfig, state: string): string {
  const url = new URL(config.authorizeUrl);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'com.intuit.quickbooks.accounting');
  url.searchParams.set('redirect_uri', config.redirectUri);
  url.searchParams.set('state', state);
  return url.toString();
}

/** Exchanges the authorization code (network first, outside any transaction), then stores the tokens sealed. */
export async function connectQuickbooks(ctx: ServiceContext, config: QboConfig, input: { code: string; realmId: string; syncFrom?: string | undefined; syncSales?: boolean | undefined }): Promise<QuickbooksStatus> {
  const now = ctx.clock.now();
  const tokens = await exchangeCode(config, input.code, now);
  const { time_zone } = await readSettings(reader(ctx));
  const syncFrom = input.syncFrom ?? localDate(now, time_zone);
  await inTransaction(ctx, async (trx) => {
    await trx.deleteFrom('qbo_connections').where('id', '=', CONNECTION_ID).execute();
    await trx
      .insertInto('qbo_connections')
      .values({ id: CONNECTION_ID, realm_id: input.realmId, ...sealed(tokens), sync_from: syncFrom, sync_sales: input.syncSales ? 1 : 0, accounts_json: '{}', last_sync_at: null, connected_at: now, updated_at: now })
      .execute();
  });
  return quickbooksStatus(ctx, config);
}

/**
 * Turns sales syncing on or off. Only days not yet booked follow the change: a day booked keeps
 * the scope it was booked with, corrections included.
 */
export async function setQuickbooksOptions(ctx: ServiceContext, config: QboConfig | null, input: { syncSales: boolean }): Promise<QuickbooksStatus> {
  await inTransaction(ctx, async (trx) => {
    const result = await trx.updateTable('qbo_connections').set({ sync_sales: input.syncSales ? 1 : 0, updated_at: ctx.clock.now() }).where('id', '=', CONNECTION_ID).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new QuickbooksError('quickbooks_not_connected', 'QuickBooks Online is not connected.');
  });
  return quickbooksStatus(ctx, config);
}

/** Forgets the tokens. The posting log stays: it is the record of what was booked. */
export async function disconnectQuickbooks(ctx: ServiceContext): Promise<{ disconnected: boolean }> {
  const result = await inTransaction(ctx, (trx) => trx.deleteFrom('qbo_connections').where('id', '=', CONNECTION_ID).executeTakeFirst());
  return { disconnected: Number(result.numDeletedRows) > 0 };
}

function sealed(tokens: TokenSet) {
  return { access_token_sealed: sealSecret(tokens.accessToken), refresh_token_sealed: sealSecret(tokens.refreshToken), access_expires_at: tokens.accessExpiresAt, refresh_expires_at: tokens.refreshExpiresAt };
}

async function loadConnection(ctx: ServiceContext) {
  const conn = await ctx.db.kysely.selectFrom('qbo_connections').selectAll().where('id', '=', CONNECTION_ID).executeTakeFirst();
  if (!conn) throw new QuickbooksError('quickbooks_not_connected', 'QuickBooks Online is not connected.');
  return conn;
}

/** An access token with time left, refreshing (and keeping the rolled refresh token) when it is near expiry. */
async function accessToken(ctx: ServiceContext, config: QboConfig, force = false): Promise<{ token: string; realmId: string }> {
  const conn = await loadConnection(ctx);
  const now = ctx.clock.now();
  if (!force && conn.access_expires_at - now > ACCESS_MARGIN_MS && conn.refresh_expires_at - now > REFRESH_MARGIN_MS) return { token: openSecret(conn.access_token_sealed), realmId: conn.realm_id };
  const tokens = await refreshTokens(config, openSecret(conn.refresh_token_sealed), now);
  await transact(ctx.db, (trx) => trx.updateTable('qbo_connections').set({ ...sealed(tokens), updated_at: now }).where('id', '=', CONNECTION_ID).execute());
  return { token: tokens.accessToken, realmId: conn.realm_id };
}

export interface SyncResult {
  status: 'synced' | 'incomplete' | 'not_connected';
  window: { from: string; to: string } | null;
  planned: number;
  posted: number;
  failed: number;
  throttled: boolean;
}

/** Plans what the ledger calls for, then sends every pending or failed posting. */
export async function syncQuickbooks(ctx: ServiceContext, config: QboConfig): Promise<SyncResult> {
  const conn = await ctx.db.kysely.selectFrom('qbo_connections').selectAll().where('id', '=', CONNECTION_ID).executeTakeFirst();
  if (!conn) return { status: 'not_connected', window: null, planned: 0, posted: 0, failed: 0, throttled: false };
  const { time_zone } = await readSettings(ctx.db.kysely);
  const window = syncWindow(conn.sync_from, localDate(ctx.clock.now(), time_zone));
  let planned = 0;
  if (window) {
    const sales = await salesScope(ctx.db.kysely, window, conn.sync_sales === 1);
    const journal = await buildJournal(ctx, window.from, window.to, sales.any ? { sales: sales.scope } : {});
    planned = await transact(ctx.db, async (trx) => {
      const tctx = { ...ctx, trx };
      return (await planJournalPostings(tctx, conn.realm_id, window, journal, sales.scope)) + (await planBillPostings(tctx, conn.realm_id, window)) + (await planVendorCreditPostings(tctx, conn.realm_id, window));
    });
  }
  const sent = await sendPending(ctx, config);
  const now = ctx.clock.now();
  if (sent.failed === 0 && !sent.throttled) await transact(ctx.db, (trx) => trx.updateTable('qbo_connections').set({ last_sync_at: now, updated_at: now }).where('id', '=', CONNECTION_ID).execute());
  return { status: sent.failed === 0 && !sent.throttled ? 'synced' : 'incomplete', window, planned, ...sent };
}

/** The daily run: once per local day, and again within the day while postings wait to be retried. */
export async function runQuickbooksSyncIfDue(ctx: ServiceContext, config: QboConfig | null): Promise<number> {
  if (!config) return 0;
  const conn = await ctx.db.kysely.selectFrom('qbo_connections').select(['last_sync_at']).where('id', '=', CONNECTION_ID).executeTakeFirst();
  if (!conn) return 0;
  const { time_zone } = await readSettings(ctx.db.kysely);
  const today = localDate(ctx.clock.now(), time_zone);
  const waiting = await ctx.db.kysely.selectFrom('qbo_postings').select('id').where('status', 'in', ['pending', 'failed']).limit(1).executeTakeFirst();
  if (conn.last_sync_at !== null && localDate(conn.last_sync_at, time_zone) === today && !waiting) return 0;
  const result = await syncQuickbooks(ctx, config);
  return result.posted;
}

interface AccountCache {
  ids: Map<string, string>;
}

/** Finds each account by name in the company's chart, creating it (idempotently) when it is missing. */
async function accountId(api: QboApi, cache: AccountCache, realmId: string, name: string, role: AccountRole): Promise<string> {
  const known = cache.ids.get(name);
  if (known) return known;
  const found = await api.query<{ Id: string; Name: string }>(`select * from Account where Name = ${qboQuote(name)}`);
  if (found.status !== 'ok') throw new SendFailure(found.status, found.error);
  let id = found.body.QueryResponse.Account?.[0]?.Id ?? (await accountOfDetailType(api, name, role));
  if (!id) {
    const spec = Object.values(DEFAULT_ACCOUNTS).find((a) => a.name === name) ?? DEFAULT_ACCOUNTS[role];
    const created = await api.create<{ Id: string }>('account', { Name: name, AccountType: spec.type, AccountSubType: spec.subType }, requestIdFor(realmId, `account:${name}`, 0));
    if (created.status !== 'ok') throw new SendFailure(created.status, created.error);
    id = created.body.Account!.Id;
  }
  cache.ids.set(name, id);
  return id;
}

/**
 * A role's default account the company calls by another name: the first active account of the
 * role's detail type in its chart. Only for an unmapped default whose detail type marks one
 * account (an income, a tax liability, undeposited funds), never a generic clearing type.
 */
async function accountOfDetailType(api: QboApi, name: string, role: AccountRole): Promise<string | undefined> {
  const spec = DEFAULT_ACCOUNTS[role];
  if (!spec.bySubType || spec.name !== name) return undefined;
  // QuickBooks filters accounts by type, not by detail type: the detail type is picked here.
  const found = await api.query<{ Id: string; AccountSubType?: string; Active?: boolean }>(`select * from Account where AccountType = ${qboQuote(spec.type)}`);
  if (found.status !== 'ok') throw new SendFailure(found.status, found.error);
  return (found.body.QueryResponse.Account ?? []).find((a) => a.AccountSubType === spec.subType && a.Active !== false)?.Id;
}

async function vendorId(api: QboApi, realmId: string, bill: BillLines): Promise<string> {
  const found = await api.query<{ Id: string }>(`select * from Vendor where DisplayName = ${qboQuote(bill.vendorName)}`);
  if (found.status !== 'ok') throw new SendFailure(found.status, found.error);
  const id = found.body.QueryResponse.Vendor?.[0]?.Id;
  if (id) return id;
  const created = await api.create<{ Id: string }>('vendor', { DisplayName: bill.vendorName }, requestIdFor(realmId, `vendor:${bill.vendorId}`, 0));
  if (created.status !== 'ok') throw new SendFailure(created.status, created.error);
  return created.body.Vendor!.Id;
}

class SendFailure extends Error {
  constructor(
    readonly status: 'throttled' | 'failed' | 'timeout' | 'unauthorized',
    message: string,
  ) {
    super(message);
  }
}

/** A rate in billionths as exact decimal text: 1082500000 is "1.0825". */
function formatRateE9(rateE9: number): string {
  const whole = Math.floor(rateE9 / 1e9);
  const fraction = String(rateE9 % 1e9).padStart(9, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** QuickBooks takes amounts as JSON numbers; the decimal text is exact, and it rounds to the currency's unit. */
const amountOf = (minor: number, digits: number) => Number(formatMinor(Math.abs(minor), digits));

async function sendPending(ctx: ServiceContext, config: QboConfig): Promise<{ posted: number; failed: number; throttled: boolean }> {
  const { base_currency } = await readSettings(ctx.db.kysely);
  const digits = currencyMinorDigits(base_currency);
  const rows = await ctx.db.kysely.selectFrom('qbo_postings').selectAll().where('status', 'in', ['pending', 'failed']).orderBy('id').limit(MAX_SENDS_PER_RUN).execute();
  if (rows.length === 0) return { posted: 0, failed: 0, throttled: false };
  let { token, realmId } = await accessToken(ctx, config);
  let api = new QboApi(config, realmId, token);
  const cache: AccountCache = { ids: new Map() };
  let posted = 0;
  let failed = 0;
  for (const row of rows) {
    let outcome: { id: string } | SendFailure;
    try {
      outcome = await sendOne(api, cache, realmId, row, digits);
    } catch (error) {
      outcome = error instanceof SendFailure ? error : new SendFailure('failed', String(error));
    }
    if (outcome instanceof SendFailure && outcome.status === 'unauthorized') {
      // The token was revoked or expired early: refresh once and try this posting again.
      ({ token, realmId } = await accessToken(ctx, config, true));
      api = new QboApi(config, realmId, token);
      outcome = await sendOne(api, cache, realmId, row, digits).catch((error: unknown) => (error instanceof SendFailure ? error : new SendFailure('failed', String(error))));
    }
    await recordOutcome(ctx, row.id, outcome);
    if (outcome instanceof SendFailure) {
      failed += 1;
      // Throttled: stop and let the next run continue, rather than hammer the limit.
      if (outcome.status === 'throttled') return { posted, failed, throttled: true };
    } else posted += 1;
  }
  return { posted, failed, throttled: false };
}

async function sendOne(api: QboApi, cache: AccountCache, realmId: string, row: { kind: string; lines_json: string; doc_number: string; request_id: string; day: string | null }, digits: number): Promise<{ id: string }> {
  if (row.kind === 'journal') {
    const lines = JSON.parse(row.lines_json) as PostedLine[];
    const Line = [];
    for (const line of lines) {
      Line.push({
        Description: line.memo.slice(0, 4000),
        Amount: amountOf(line.amountMinor, digits),
        DetailType: 'JournalEntryLineDetail',
        JournalEntryLineDetail: { PostingType: line.amountMinor >= 0 ? 'Debit' : 'Credit', AccountRef: { value: await accountId(api, cache, realmId, line.account, line.role), name: line.account } },
      });
    }
    const created = await api.create<{ Id: string }>('journalentry', { DocNumber: row.doc_number, TxnDate: row.day, PrivateNote: `Stockroom stock journal ${row.doc_number}`, Line }, row.request_id);
    if (created.status !== 'ok') throw new SendFailure(created.status, created.error);
    return { id: created.body.JournalEntry!.Id };
  }
  // A bill and a vendor credit have the same shape: a vendor, expense lines by account, a currency.
  const bill = JSON.parse(row.lines_json) as BillLines;
  const vendor = await vendorId(api, realmId, bill);
  const Line = [];
  // A foreign-currency bill carries its own currency's amounts and the rate the receipt was valued at.
  const billDigits = bill.exchangeRateE9 === null ? digits : currencyMinorDigits(bill.currency);
  for (const line of bill.lines) {
    Line.push({ Description: line.memo, Amount: amountOf(line.amountMinor, billDigits), DetailType: 'AccountBasedExpenseLineDetail', AccountBasedExpenseLineDetail: { AccountRef: { value: await accountId(api, cache, realmId, line.account, line.role) } } });
  }
  const currency = bill.exchangeRateE9 === null ? {} : { CurrencyRef: { value: bill.currency }, ExchangeRate: Number(formatRateE9(bill.exchangeRateE9)) };
  if (row.kind === 'vendor_credit') {
    const credited = await api.create<{ Id: string }>('vendorcredit', { VendorRef: { value: vendor }, DocNumber: row.doc_number, TxnDate: bill.txnDate, PrivateNote: `Stockroom return to vendor ${row.doc_number}`, ...currency, Line }, row.request_id);
    if (credited.status !== 'ok') throw new SendFailure(credited.status, credited.error);
    return { id: credited.body.VendorCredit!.Id };
  }
  const created = await api.create<{ Id: string }>('bill', { VendorRef: { value: vendor }, DocNumber: row.doc_number, TxnDate: bill.txnDate, PrivateNote: `Stockroom receipt ${row.doc_number}`, ...currency, Line }, row.request_id);
  if (created.status !== 'ok') throw new SendFailure(created.status, created.error);
  return { id: created.body.Bill!.Id };
}

async function recordOutcome(ctx: ServiceContext, id: string, outcome: { id: string } | SendFailure): Promise<void> {
  const now = ctx.clock.now();
  await transact(ctx.db, async (trx) => {
    const row = await trx.selectFrom('qbo_postings').select('attempts').where('id', '=', id).executeTakeFirstOrThrow();
    const done = outcome instanceof SendFailure ? { status: 'failed' as const, last_error: `${outcome.status}: ${outcome.message}`.slice(0, 1000) } : { status: 'posted' as const, qbo_id: outcome.id, posted_at: now, last_error: null };
    await trx.updateTable('qbo_postings').set({ ...done, attempts: row.attempts + 1, updated_at: now }).where('id', '=', id).execute();
  });
}

export interface PostingView {
  id: string;
  kind: string;
  docNumber: string;
  requestId: string;
  day: string | null;
  siteId: string | null;
  documentId: string | null;
  revision: number;
  totalMinor: number;
  status: string;
  qboId: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  postedAt: number | null;
}

export async function listPostings(ctx: ServiceContext, query: { status?: string | undefined; limit: number; cursor?: string | undefined }): Promise<{ data: PostingView[]; next_cursor: string | null }> {
  let q = reader(ctx).selectFrom('qbo_postings').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
  if (query.status) q = q.where('status', '=', query.status as 'pending');
  if (query.cursor) q = q.where('id', '<', query.cursor);
  if (ctx.actor.sites !== 'all') {
    // No site granted: nothing to show (an empty IN list is not SQL).
    if (ctx.actor.sites.size === 0) return { data: [], next_cursor: null };
    q = q.where('site_id', 'in', [...ctx.actor.sites]);
  }
  const rows = await q.execute();
  const page = rows.slice(0, query.limit).map((r) => ({
    id: r.id,
    kind: r.kind,
    docNumber: r.doc_number,
    requestId: r.request_id,
    day: r.day,
    siteId: r.site_id,
    documentId: r.document_id,
    revision: r.revision,
    totalMinor: Number(r.total_minor),
    status: r.status,
    qboId: r.qbo_id,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: Number(r.created_at),
    postedAt: r.posted_at === null ? null : Number(r.posted_at),
  }));
  return { data: page, next_cursor: rows.length > query.limit ? page[page.length - 1]!.id : null };
}
