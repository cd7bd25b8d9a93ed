import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { Throttled } from '../adapter.ts';

/**
 * Google's Merchant API as Stockroom uses it (v1: `products/v1` productInputs:insert and
 * `inventories/v1` localInventories:insert), authenticated as a service account: an RS256 JWT
 * signed with the key's private key is exchanged at the key's `token_uri` for an access token
 * (the OAuth 2.0 JWT-bearer grant). Plain `fetch` and node:crypto; tests point `token_uri` and
 * the API base at a local fake (test/fakes/google-merchant.ts).
 */

export const MERCHANT_API_BASE = 'https://merchantapi.googleapis.com';
export const CONTENT_SCOPE = 'https://www.googleapis.com/auth/content';
const JWT_LIFETIME_S = 3600;
/** Tries per request on a 429 or 5xx before the round gives up on it. */
export const ATTEMPTS_MAX = 3;
/** A Retry-After longer than this ends the round; the job comes back after it. */
export const WAIT_IN_ROUND_MAX_MS = 10_000;

export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  token_uri: string;
}

/** The key's fields, checked: an email, a PEM private key node:crypto can read, and an http(s) token_uri. */
export function parseServiceAccountKey(json: string): { key: ServiceAccountKey; privateKey: KeyObject } | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { error: 'is not JSON (paste the whole key file)' };
  }
  const k = raw as Partial<Record<keyof ServiceAccountKey, unknown>>;
  if (typeof k !== 'object' || k === null) return { error: 'is not a key file' };
  for (const field of ['client_email', 'private_key', 'token_uri'] as const) if (typeof k[field] !== 'string' || !(k[field] as string).trim()) return { error: `has no ${field}` };
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(k.private_key as string);
  } catch {
    return { error: 'has a private_key that is not a PEM private key' };
  }
  if (privateKey.asymmetricKeyType !== 'rsa') return { error: 'has a private_key that is not RSA (RS256 needs one)' };
  if (!/^https?:\/\//.test(k.token_uri as string)) return { error: 'has a token_uri that is not an http(s) address' };
  return { key: { client_email: k.client_email as string, private_key: k.private_key as string, token_uri: k.token_uri as string }, privateKey };
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** The signed assertion of the JWT-bearer grant (RFC 7523) as Google documents it for service accounts. */
export function signedAssertion(key: ServiceAccountKey, privateKey: KeyObject, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(JSON.stringify({ iss: key.client_email, scope: CONTENT_SCOPE, aud: key.token_uri, iat, exp: iat + JWT_LIFETIME_S }));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), privateKey);
  return `${header}.${claims}.${b64url(signature)}`;
}

export interface MerchantEnv {
  fetch: typeof fetch;
  apiBase: string;
  timeoutMs: number;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export class MerchantCallError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/** Exchanges a fresh assertion for an access token; throws MerchantCallError with what the endpoint said. */
export async function fetchAccessToken(key: ServiceAccountKey, privateKey: KeyObject, env: MerchantEnv): Promise<{ token: string; expiresAt: number }> {
  const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signedAssertion(key, privateKey, env.now()) });
  let response: Response;
  try {
    response = await env.fetch(key.token_uri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString(), signal: AbortSignal.timeout(env.timeoutMs) });
  } catch (error) {
    throw new MerchantCallError(`the token endpoint did not answer: ${error instanceof Error ? error.message : String(error)}`, null);
  }
  const json = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
  if (!response.ok || typeof json.access_token !== 'string') {
    throw new MerchantCallError(`the token endpoint refused the service account (${response.status}${json.error ? ` ${String(json.error)}` : ''}${json.error_description ? `: ${String(json.error_description)}` : ''})`, response.status);
  }
  return { token: json.access_token, expiresAt: env.now() + Number(json.expires_in ?? 3600) * 1000 };
}

/**
 * One POST with retries: a 429 waits its Retry-After (or throws `Throttled` when that is longer
 * than a round should wait), a 5xx or a network failure backs off 0.5 s, 1 s, … up to
 * ATTEMPTS_MAX tries; any other refusal throws at once with Google's message.
 */
export async function postWithRetry(env: MerchantEnv, url: string, token: string, body: unknown, method: 'POST' | 'DELETE' = 'POST'): Promise<unknown> {
  for (let attempt = 1; ; attempt += 1) {
    let response: Response | null = null;
    let failure: string;
    try {
      response = await env.fetch(url, { method, headers: { authorization: `Bearer ${token}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, ...(method === 'POST' ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(env.timeoutMs) });
      if (response.ok) return await response.json().catch(() => ({}));
      failure = await errorMessage(response);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    const status = response?.status ?? null;
    if (status === 429) {
      const waitMs = retryAfterMs(response!.headers.get('retry-after'), env.now());
      if (waitMs > WAIT_IN_ROUND_MAX_MS || attempt >= ATTEMPTS_MAX) throw new Throttled(waitMs);
      await env.sleep(waitMs);
      continue;
    }
    const transient = status === null || status >= 500;
    if (!transient || attempt >= ATTEMPTS_MAX) throw new MerchantCallError(failure, status);
    await env.sleep(500 * 2 ** (attempt - 1));
  }
}

async function errorMessage(response: Response): Promise<string> {
  const json = (await response.json().catch(() => null)) as { error?: { message?: unknown } } | null;
  return `${response.status}${typeof json?.error?.message === 'string' ? ` ${json.error.message}` : ''}`;
}

/** Retry-After in seconds or as an HTTP date; absent or unreadable, a second. */
export function retryAfterMs(header: string | null, now: number): number {
  if (!header) return 1000;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1000 : Math.max(0, at - now);
}
