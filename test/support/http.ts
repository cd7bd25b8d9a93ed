import type { FastifyInstance, InjectOptions } from 'fastify';
import { OffsetClock, type Clock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { buildApp } from '../../src/server/app.ts';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

export interface TestApi {
  app: FastifyInstance;
  clock: OffsetClock;
  request<T = any>(method: InjectOptions['method'], url: string, options?: { body?: unknown; headers?: Record<string, string>; rawBody?: string }): Promise<ApiResponse<T>>;
  get<T = any>(url: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  post<T = any>(url: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  patch<T = any>(url: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  delete<T = any>(url: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
}

export async function buildTestApi(db: Database, options: { clock?: Clock } = {}): Promise<TestApi> {
  const clock = (options.clock as OffsetClock | undefined) ?? new OffsetClock();
  const app = await buildApp({ db, clock, logger: false });
  await app.ready();
  const request: TestApi['request'] = async (method, url, opts = {}) => {
    const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const response = await app.inject({
      method,
      url,
      payload,
      headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    });
    const text = response.body;
    let body: unknown = text;
    if (text && /json/.test(String(response.headers['content-type']))) body = JSON.parse(text);
    return { status: response.statusCode, body: body as never, headers: response.headers };
  };
  return {
    app,
    clock,
    request,
    get: (url, headers) => request('GET', url, { headers }),
    post: (url, body, headers) => request('POST', url, { body, headers }),
    patch: (url, body, headers) => request('PATCH', url, { body, headers }),
    delete: (url, headers) => request('DELETE', url, { headers }),
  };
}
