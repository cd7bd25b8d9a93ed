/**
 * Typed requests to the WooCommerce REST API v3 with plain `fetch`.
 *
 * `@woocommerce/woocommerce-rest-api` is not used: it sends requests through axios (so not through
 * `env.fetch`), and over plain http — the local fakes — it switches to OAuth 1.0a signing instead
 * of the HTTP Basic authentication a store behind HTTPS uses, so tests would exercise a different
 * path from production.
 */
import { Throttled, type AdapterEnv, type Credentials } from '../adapter.ts';

const DEFAULT_RETRY_AFTER_MS = 1000;

export class WooApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(`WooCommerce answered ${status} ${code}: ${message}`);
  }
}

export interface WooRequest {
  method: 'GET' | 'POST';
  /** Under `/wp-json/wc/v3`, or absolute from the site root when `root` is set. */
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  /** The WordPress index (`/wp-json/`) answers without authentication. */
  root?: boolean;
}

export interface WooResponse<T> {
  body: T;
  headers: Headers;
}

function requireCredential(credentials: Credentials, name: string): string {
  const value = credentials[name]?.trim();
  if (!value) throw new Error(`WooCommerce credential "${name}" is missing`);
  return value;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Basic authentication puts the consumer secret in every request: never over plain http, except to this machine (the fakes). */
function urlFor(env: AdapterEnv, request: WooRequest): string {
  const origin = env.baseUrl.replace(/\/+$/, '');
  const url = new URL(request.root ? `${origin}${request.path}` : `${origin}/wp-json/wc/v3${request.path}`);
  if (url.protocol !== 'https:' && !LOOPBACK_HOSTS.has(url.hostname)) throw new Error(`WooCommerce store URL ${origin} must use https: the consumer secret would travel in clear`);
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, String(value));
  return url.toString();
}

function retryAfterMs(headers: Headers, nowMs: number): number {
  const value = headers.get('retry-after');
  if (!value) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - nowMs);
}

async function errorFrom(response: Response): Promise<WooApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { code?: string; message?: string };
    return new WooApiError(response.status, body.code ?? 'unknown', body.message ?? text);
  } catch {
    return new WooApiError(response.status, 'unknown', text.slice(0, 200));
  }
}

/** One request, bounded by `env.timeoutMs` including reading the body; 429 becomes `Throttled`. */
export async function wooRequest<T>(credentials: Credentials, env: AdapterEnv, request: WooRequest): Promise<WooResponse<T>> {
  const basic = Buffer.from(`${requireCredential(credentials, 'consumerKey')}:${requireCredential(credentials, 'consumerSecret')}`).toString('base64');
  const signal = AbortSignal.timeout(env.timeoutMs);
  try {
    const response = await env.fetch(urlFor(env, request), {
      method: request.method,
      headers: { accept: 'application/json', ...(request.root ? {} : { authorization: `Basic ${basic}` }), ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal,
    });
    if (response.status === 429) throw new Throttled(retryAfterMs(response.headers, env.now()));
    if (!response.ok) throw await errorFrom(response);
    return { body: (await response.json()) as T, headers: response.headers };
  } catch (error) {
    if (signal.aborted) throw new Error(`WooCommerce did not answer ${request.method} ${request.path} within ${env.timeoutMs} ms (timed out)`, { cause: error });
    throw error;
  }
}

export function totalPages(headers: Headers): number {
  const pages = Number(headers.get('x-wp-totalpages') ?? '1');
  return Number.isInteger(pages) && pages >= 0 ? pages : 1;
}
