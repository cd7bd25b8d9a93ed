import type { FastifyInstance, InjectOptions } from 'fastify';
import { OffsetClock, type Clock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createToken, SESSION_COOKIE } from '../../src/modules/access/index.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, type AppOptions } from '../../src/server/app.ts';

/** A tiny stand-in for the built web app, so HTTP tests do not depend on whether `npm run build` ran. */
export const WEB_FIXTURE_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'web-fixture');

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
  /** Cookies the response set, by name ('' when it cleared one). */
  cookies: Record<string, string>;
}

/** What a request authenticates with: a bearer token, a session cookie (with its CSRF token), or nothing. */
export type Credentials = { bearer: string } | { session: string; csrf?: string | null } | null;

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  rawBody?: string;
  remoteAddress?: string;
}

export interface TestClient {
  request<T = any>(method: InjectOptions['method'], url: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  get<T = any>(url: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  post<T = any>(url: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  patch<T = any>(url: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  delete<T = any>(url: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
}

export interface TestApi extends TestClient {
  app: FastifyInstance;
  db: Database;
  clock: OffsetClock;
  /** The owner token the default client sends. */
  ownerToken: string;
  /** A client that sends other credentials (or none, with `null`). */
  as(credentials: Credentials): TestClient;
}

function credentialHeaders(credentials: Credentials): Record<string, string> {
  if (credentials === null) return {};
  if ('bearer' in credentials) return { authorization: `Bearer ${credentials.bearer}` };
  return { cookie: `${SESSION_COOKIE}=${credentials.session}`, ...(credentials.csrf ? { 'x-csrf-token': credentials.csrf } : {}) };
}

function parseSetCookies(header: string | string[] | number | undefined): Record<string, string> {
  const list = header === undefined ? [] : Array.isArray(header) ? header : [String(header)];
  const cookies: Record<string, string> = {};
  for (const line of list) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0) cookies[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * The app on a test database, with a client that authenticates as an owner (an API token made
 * through the access service) unless told otherwise.
 */
export async function buildTestApi(db: Database, options: { clock?: Clock } & Pick<AppOptions, 'extraRoutes' | 'trustProxy' | 'rateLimit' | 'webRoot' | 'voice'> = {}): Promise<TestApi> {
  const clock = (options.clock as OffsetClock | undefined) ?? new OffsetClock();
  // Suites send thousands of requests from one token; the limits test turns the limit on.
  const app = await buildApp({
    db,
    clock,
    logger: false,
    extraRoutes: options.extraRoutes,
    trustProxy: options.trustProxy,
    rateLimit: options.rateLimit ?? false,
    webRoot: options.webRoot ?? WEB_FIXTURE_ROOT,
    // A problem whose code the route does not document answers 500 undocumented_error, so the test that met it fails.
    enforceErrorDocs: true,
    voice: options.voice,
  });
  await app.ready();
  const owner = await createToken({ db, clock, actor: systemActor }, { name: 'test owner', role: 'owner', sites: 'all' });

  const clientFor = (credentials: Credentials): TestClient => {
    const request: TestClient['request'] = async (method, url, opts = {}) => {
      const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      const response = await app.inject({
        method,
        url,
        payload,
        ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
        headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...credentialHeaders(credentials), ...opts.headers },
      });
      const text = response.body;
      let body: unknown = text;
      if (text && /json/.test(String(response.headers['content-type']))) body = JSON.parse(text);
      return { status: response.statusCode, body: body as never, headers: response.headers, cookies: parseSetCookies(response.headers['set-cookie']) };
    };
    return {
      request,
      get: (url, headers) => request('GET', url, { headers }),
      post: (url, body, headers) => request('POST', url, { body, headers }),
      patch: (url, body, headers) => request('PATCH', url, { body, headers }),
      delete: (url, headers) => request('DELETE', url, { headers }),
    };
  };

  return { app, db, clock, ownerToken: owner.secret, as: clientFor, ...clientFor({ bearer: owner.secret }) };
}
