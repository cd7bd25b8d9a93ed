import { QuickbooksError } from './quickbooks.errors.ts';

/**
 * The QuickBooks Online API as Stockroom uses it (accounting API v3, minorversion 75): the OAuth
 * 2.0 token endpoint and creates/queries under /v3/company/{realmId}. Plain `fetch`, not Intuit's
 * `intuit-oauth`: that library keeps its endpoints in static class fields (one process-wide
 * setting, so a test's fake would leak into every other user of the class) and keeps the token in
 * the client object, while Stockroom keeps tokens sealed in the database and refreshes them there.
 */

export interface QboConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authorizeUrl: string;
  tokenUrl: string;
  apiBase: string;
  timeoutMs: number;
}

export const QBO_MINOR_VERSION = '75';

/** From the environment; null when the app's client id and secret are not set. */
export function qboConfigFromEnv(env: NodeJS.ProcessEnv = process.env): QboConfig | null {
  if (!env.STOCKROOM_QBO_CLIENT_ID || !env.STOCKROOM_QBO_CLIENT_SECRET) return null;
  return {
    clientId: env.STOCKROOM_QBO_CLIENT_ID,
    clientSecret: env.STOCKROOM_QBO_CLIENT_SECRET,
    redirectUri: env.STOCKROOM_QBO_REDIRECT_URI ?? 'http://localhost:3000/accounting',
    authorizeUrl: env.STOCKROOM_QBO_AUTHORIZE_URL ?? 'https://appcenter.intuit.com/connect/oauth2',
    tokenUrl: env.STOCKROOM_QBO_TOKEN_URL ?? 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
    apiBase: env.STOCKROOM_QBO_API_BASE ?? 'https://quickbooks.api.intuit.com',
    timeoutMs: Number(env.STOCKROOM_QBO_TIMEOUT_MS ?? 30_000),
  };
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
}

/** What a call came back with: a result, or a failure the caller records (and retries later). */
export type QboOutcome<T> = { status: 'ok'; body: T } | { status: 'throttled' | 'failed' | 'timeout' | 'unauthorized'; error: string };

async function tokenRequest(config: QboConfig, form: Record<string, string>, now: number): Promise<TokenSet> {
  const response = await fetch(config.tokenUrl, {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(config.timeoutMs),
  }).catch((error: unknown) => {
    throw new QuickbooksError('quickbooks_auth_failed', `The QuickBooks token endpoint did not answer: ${String(error)}`);
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') {
    throw new QuickbooksError('quickbooks_auth_failed', `QuickBooks refused the token request (${response.status}).`);
  }
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    accessExpiresAt: now + Number(body.expires_in ?? 3600) * 1000,
    refreshExpiresAt: now + Number(body.x_refresh_token_expires_in ?? 8_726_400) * 1000,
  };
}

export function exchangeCode(config: QboConfig, code: string, now: number): Promise<TokenSet> {
  return tokenRequest(config, { grant_type: 'authorization_code', code, redirect_uri: config.redirectUri }, now);
}

/** Refresh tokens roll: the answer may carry a new one, which must replace the old. */
export function refreshTokens(config: QboConfig, refreshToken: string, now: number): Promise<TokenSet> {
  return tokenRequest(config, { grant_type: 'refresh_token', refresh_token: refreshToken }, now);
}

export class QboApi {
  constructor(
    private readonly config: QboConfig,
    private readonly realmId: string,
    private readonly accessToken: string,
  ) {}

  private async call<T>(method: 'GET' | 'POST', path: string, params: Record<string, string>, body?: unknown): Promise<QboOutcome<T>> {
    const url = new URL(`${this.config.apiBase}/v3/company/${encodeURIComponent(this.realmId)}/${path}`);
    for (const [key, value] of Object.entries({ ...params, minorversion: QBO_MINOR_VERSION })) url.searchParams.set(key, value);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.accessToken}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (error) {
      return { status: 'timeout', error: `No answer from QuickBooks: ${String(error)}` };
    }
    const text = await response.text();
    if (response.status === 429) return { status: 'throttled', error: 'QuickBooks is throttling requests (429).' };
    if (response.status === 401) return { status: 'unauthorized', error: 'QuickBooks refused the access token (401).' };
    if (!response.ok) return { status: 'failed', error: `QuickBooks answered ${response.status}: ${faultMessage(text)}` };
    return { status: 'ok', body: JSON.parse(text) as T };
  }

  query<T>(statement: string): Promise<QboOutcome<{ QueryResponse: Record<string, T[] | undefined> }>> {
    return this.call('GET', 'query', { query: statement });
  }

  /** Creates an entity; `requestId` makes the create idempotent, so a retry returns the first result. */
  create<T>(entity: 'account' | 'vendor' | 'journalentry' | 'bill' | 'vendorcredit', body: unknown, requestId: string): Promise<QboOutcome<Record<string, T>>> {
    return this.call('POST', entity, { requestid: requestId }, body);
  }
}

function faultMessage(text: string): string {
  try {
    const fault = (JSON.parse(text) as { Fault?: { Error?: Array<{ Message?: string; Detail?: string }> } }).Fault?.Error?.[0];
    return fault?.Detail ?? fault?.Message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

/** QuickBooks quotes strings in queries with single quotes, escaped with a backslash. */
export function qboQuote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
