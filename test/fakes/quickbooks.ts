import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

/**
 * A local fake of the QuickBooks Online accounting API (v3, minorversion 75 as documented by
 * developer.intuit.com) and its OAuth 2.0 token endpoint, listening on 127.0.0.1. It keeps what
 * the tests need to check the books: accounts, vendors, journal entries, bills and vendor credits, created
 * idempotently by `requestid` (the same id returns the first result), journal entries refused
 * unless debits equal credits, bearer tokens that expire and refresh tokens that roll.
 *
 * Faults: `throttle(n)` answers the next n API calls 429; `timeoutAfterCommit(n)` stores the next
 * n creates and then never answers, as a request that times out after QuickBooks committed it —
 * the client's retry must come back with the same requestid and book nothing twice.
 */

export interface QboLine {
  Description?: string;
  Amount: number;
  DetailType: string;
  JournalEntryLineDetail?: { PostingType: 'Debit' | 'Credit'; AccountRef: { value: string; name?: string } };
  AccountBasedExpenseLineDetail?: { AccountRef: { value: string; name?: string } };
}

/** The entities the fake keeps: a VendorCredit has a Bill's shape (VendorRef, expense lines by account, CurrencyRef) and is what a vendor owes back. */
export type EntityType = 'Account' | 'Vendor' | 'JournalEntry' | 'Bill' | 'VendorCredit';

export interface QboEntity {
  Id: string;
  SyncToken: string;
  [key: string]: unknown;
}

export interface FakeQuickbooks {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly realmId: string;
  /** An authorization code the token endpoint accepts once, as Intuit's redirect would hand one over. */
  issueCode(): string;
  entities(type: EntityType): QboEntity[];
  throttle(calls: number): void;
  /** The next `creates` creates (of `type` only, when given) are committed and then never answered. */
  timeoutAfterCommit(creates: number, type?: EntityType): void;
  /** Makes every access token issued so far invalid (as if an hour had passed). */
  expireAccessTokens(): void;
  readonly stats: { creates: number; duplicateRequestIds: number; refreshes: number; throttled: number };
  close(): Promise<void>;
}

/** The environment that points Stockroom's QuickBooks client at this fake (and seals its tokens). */
export function fakeQuickbooksEnv(fake: FakeQuickbooks): Record<string, string> {
  return {
    STOCKROOM_QBO_CLIENT_ID: fake.clientId,
    STOCKROOM_QBO_CLIENT_SECRET: fake.clientSecret,
    STOCKROOM_QBO_TOKEN_URL: fake.tokenUrl,
    STOCKROOM_QBO_API_BASE: fake.baseUrl,
    STOCKROOM_QBO_AUTHORIZE_URL: `${fake.baseUrl}/connect/oauth2`,
    STOCKROOM_SECRETS_KEY: 'accounting-test-secrets-key-0123456789abcdef',
  };
}

const entityPaths: Record<string, EntityType> = { account: 'Account', vendor: 'Vendor', journalentry: 'JournalEntry', bill: 'Bill', vendorcredit: 'VendorCredit' };

function fault(res: ServerResponse, status: number, message: string, code = '6000'): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ Fault: { Error: [{ Message: message, Detail: message, code }], type: 'ValidationFault' }, time: new Date().toISOString() }));
}

function send(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Amounts are compared in cents: QuickBooks rounds to the currency's minor unit. */
const cents = (amount: number) => Math.round(amount * 100);

export async function startFakeQuickbooks(): Promise<FakeQuickbooks> {
  const clientId = 'fake-client-id';
  const clientSecret = 'fake-client-secret';
  const realmId = '9130350000000001';
  const store = { Account: [] as QboEntity[], Vendor: [] as QboEntity[], JournalEntry: [] as QboEntity[], Bill: [] as QboEntity[], VendorCredit: [] as QboEntity[] };
  const byRequestId = new Map<string, { type: string; entity: QboEntity }>();
  const codes = new Set<string>();
  const accessTokens = new Map<string, number>();
  const refreshTokens = new Set<string>();
  const stats = { creates: 0, duplicateRequestIds: 0, refreshes: 0, throttled: 0 };
  let throttleCalls = 0;
  let hangCreates = 0;
  let hangType: string | undefined;
  let nextId = 100;
  const hanging = new Set<ServerResponse>();

  // A new company's chart already has these (the first two come with inventory tracking; the
  // undeposited funds account is called "Payments to deposit" in newer companies).
  const chart = [
    ['Inventory Asset', 'Other Current Asset', 'Inventory'],
    ['Cost of Goods Sold', 'Cost of Goods Sold', 'SuppliesMaterialsCogs'],
    ['Sales of Product Income', 'Income', 'SalesOfProductIncome'],
    ['Discounts given', 'Income', 'DiscountsRefundsGiven'],
    ['Payments to deposit', 'Other Current Asset', 'UndepositedFunds'],
  ] as const;
  for (const [Name, AccountType, AccountSubType] of chart) {
    store.Account.push({ Id: String(nextId++), SyncToken: '0', Name, AccountType, AccountSubType, Active: true });
  }

  function issueTokens(): Record<string, unknown> {
    const access = randomBytes(16).toString('hex');
    const refresh = randomBytes(16).toString('hex');
    accessTokens.set(access, Date.now() + 3_600_000);
    refreshTokens.add(refresh);
    return { token_type: 'bearer', access_token: access, refresh_token: refresh, expires_in: 3600, x_refresh_token_expires_in: 8_726_400 };
  }

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const expected = 'Basic ' + Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    if (req.headers.authorization !== expected) return fault(res, 401, 'invalid_client');
    const form = new URLSearchParams(await readBody(req));
    if (form.get('grant_type') === 'authorization_code') {
      const code = form.get('code') ?? '';
      if (!codes.delete(code)) return fault(res, 400, 'invalid_grant');
      return send(res, issueTokens());
    }
    if (form.get('grant_type') === 'refresh_token') {
      const token = form.get('refresh_token') ?? '';
      // Refresh tokens roll: the old one is spent.
      if (!refreshTokens.delete(token)) return fault(res, 400, 'invalid_grant');
      stats.refreshes += 1;
      return send(res, issueTokens());
    }
    return fault(res, 400, 'unsupported_grant_type');
  }

  function validate(type: string, body: Record<string, unknown>): string | null {
    const lines = (body.Line as QboLine[] | undefined) ?? [];
    const accountIds = new Set(store.Account.map((a) => a.Id));
    if (type === 'JournalEntry') {
      let balance = 0;
      for (const line of lines) {
        const detail = line.JournalEntryLineDetail;
        if (!detail || !accountIds.has(detail.AccountRef.value)) return 'Invalid account reference';
        if (!(line.Amount >= 0)) return 'Amount must not be negative';
        balance += detail.PostingType === 'Debit' ? cents(line.Amount) : -cents(line.Amount);
      }
      if (lines.length < 2 || balance !== 0) return 'Transaction is not balanced: debits and credits must be equal';
    }
    if (type === 'Bill' || type === 'VendorCredit') {
      const vendor = (body.VendorRef as { value?: string } | undefined)?.value;
      if (!store.Vendor.some((v) => v.Id === vendor)) return 'Invalid vendor reference';
      if (lines.length === 0) return 'Required param missing, need to supply the required value for the API: Line';
      for (const line of lines) if (!line.AccountBasedExpenseLineDetail || !accountIds.has(line.AccountBasedExpenseLineDetail.AccountRef.value)) return 'Invalid account reference';
    }
    if (type === 'Vendor' && store.Vendor.some((v) => v.DisplayName === body.DisplayName)) return 'Duplicate Name Exists Error';
    if (type === 'Account' && store.Account.some((a) => a.Name === body.Name)) return 'Duplicate Name Exists Error';
    return null;
  }

  function query(text: string): Record<string, unknown> {
    const match = /^select \* from (\w+)(?: where (\w+) = '((?:[^']|\\')*)')?/i.exec(text.trim());
    if (!match) throw new Error('QueryParserError');
    const type = match[1]! as keyof typeof store;
    const rows = (store[type] ?? []).filter((row) => !match[2] || String(row[match[2]]) === match[3]!.replaceAll("\\'", "'"));
    return { QueryResponse: { [type]: rows, startPosition: 1, maxResults: rows.length }, time: new Date().toISOString() };
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if ((accessTokens.get(token) ?? 0) < Date.now()) return fault(res, 401, 'AuthenticationFailed', '3200');
    if (throttleCalls > 0) {
      throttleCalls -= 1;
      stats.throttled += 1;
      return fault(res, 429, 'ThrottleExceeded', '003001');
    }
    const [, , , realm, resource] = url.pathname.split('/');
    if (realm !== realmId) return fault(res, 403, 'ApplicationAuthorizationFailed', '003100');
    if (req.method === 'GET' && resource === 'query') {
      try {
        return send(res, query(url.searchParams.get('query') ?? ''));
      } catch {
        return fault(res, 400, 'QueryParserError', '4000');
      }
    }
    const type = entityPaths[resource ?? ''];
    if (req.method !== 'POST' || !type) return fault(res, 404, 'Unsupported operation');
    const requestId = url.searchParams.get('requestid');
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    const seen = requestId ? byRequestId.get(requestId) : undefined;
    if (seen) {
      stats.duplicateRequestIds += 1;
      return send(res, { [seen.type]: seen.entity, time: new Date().toISOString() });
    }
    const problem = validate(type, body);
    if (problem) return fault(res, 400, problem);
    const entity: QboEntity = { ...body, Id: String(nextId++), SyncToken: '0', MetaData: { CreateTime: new Date().toISOString() } };
    store[type].push(entity);
    stats.creates += 1;
    if (requestId) byRequestId.set(requestId, { type, entity });
    if (hangCreates > 0 && (!hangType || hangType === type)) {
      hangCreates -= 1;
      hanging.add(res);
      return;
    }
    send(res, { [type]: entity, time: new Date().toISOString() });
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const work = url.pathname === '/oauth2/v1/tokens/bearer' ? tokenEndpoint(req, res) : url.pathname.startsWith('/v3/company/') ? api(req, res, url) : Promise.resolve(fault(res, 404, 'Not found'));
    work.catch((error: unknown) => fault(res, 500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: origin,
    tokenUrl: `${origin}/oauth2/v1/tokens/bearer`,
    clientId,
    clientSecret,
    realmId,
    issueCode() {
      const code = randomBytes(8).toString('hex');
      codes.add(code);
      return code;
    },
    entities: (type) => store[type],
    throttle(calls) {
      throttleCalls = calls;
    },
    timeoutAfterCommit(creates, type) {
      hangCreates = creates;
      hangType = type;
    },
    expireAccessTokens() {
      for (const key of accessTokens.keys()) accessTokens.set(key, 0);
    },
    stats,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface IifTransaction {
  type: string;
  date: string;
  docNumber: string;
  lines: Array<{ account: string; amountCents: number; memo: string }>;
}

/**
 * Reads an IIF file as QuickBooks Desktop's importer does: `!` rows name the columns of each
 * record type; a transaction is a TRNS row, its SPL rows, then ENDTRNS, and its amounts sum to
 * zero. Throws on anything the importer would reject.
 */
export function parseIif(text: string): IifTransaction[] {
  const headers = new Map<string, string[]>();
  const out: IifTransaction[] = [];
  let open: IifTransaction | null = null;
  const rows = text.split(/\r?\n/).filter((row) => row !== '');
  rows.forEach((row, index) => {
    const cells = row.split('\t');
    const tag = cells[0]!;
    if (tag.startsWith('!')) {
      headers.set(tag.slice(1), cells.slice(1));
      return;
    }
    const columns = headers.get(tag);
    if (!columns) throw new Error(`line ${index + 1}: ${tag} before its !${tag} header`);
    const field = (name: string) => cells[1 + columns.indexOf(name)] ?? '';
    if (tag === 'TRNS') {
      if (open) throw new Error(`line ${index + 1}: TRNS inside an open transaction`);
      if (!/^\d{2}\/\d{2}\/\d{4}$/.test(field('DATE'))) throw new Error(`line ${index + 1}: bad DATE`);
      open = { type: field('TRNSTYPE'), date: field('DATE'), docNumber: field('DOCNUM'), lines: [] };
    } else if (tag !== 'SPL' && tag !== 'ENDTRNS') {
      throw new Error(`line ${index + 1}: unknown record ${tag}`);
    }
    if (!open) throw new Error(`line ${index + 1}: ${tag} outside a transaction`);
    const current: IifTransaction = open;
    if (tag === 'ENDTRNS') {
      if (current.lines.length < 2) throw new Error(`line ${index + 1}: a transaction needs a split`);
      if (current.lines.reduce((sum, l) => sum + l.amountCents, 0) !== 0) throw new Error(`line ${index + 1}: transaction ${current.docNumber} does not balance`);
      out.push(current);
      open = null;
      return;
    }
    const amount = field('AMOUNT');
    if (!/^-?\d+(\.\d{1,2})?$/.test(amount)) throw new Error(`line ${index + 1}: bad AMOUNT ${amount}`);
    if (field('ACCNT') === '') throw new Error(`line ${index + 1}: no ACCNT`);
    const [whole, fraction = ''] = amount.replace('-', '').split('.');
    const magnitude = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
    current.lines.push({ account: field('ACCNT'), amountCents: amount.startsWith('-') ? -magnitude : magnitude, memo: field('MEMO') });
  });
  if (open) throw new Error('the file ends inside a transaction');
  return out;
}
