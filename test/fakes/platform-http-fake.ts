/**
 * The HTTP plumbing the Square and WooCommerce fakes share: a server on 127.0.0.1 that logs every
 * API request, answers the next N as throttled or makes them hang on request, and hands the rest
 * to the fake's router. Each fake supplies its platform's throttled answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeWebhookDelivery } from './fake-store.ts';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Request bodies above this are refused; nothing the adapters send comes near it. */
const BODY_LIMIT_BYTES = 5 * 1024 * 1024;

export class PlatformHttpFake {
  readonly requests: Array<{ method: string; path: string; at: number }> = [];
  private throttle = { count: 0, retryAfterMs: 0 };
  private delay = { count: 0, ms: 0 };
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: http.Server | null = null;
  baseUrl = '';

  constructor(
    private readonly route: (request: FakeRequest) => FakeResponse,
    private readonly throttled: (retryAfterMs: number) => FakeResponse,
  ) {}

  async listen(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  throttleNext(count: number, retryAfterMs: number): void {
    this.throttle = { count, retryAfterMs };
  }

  delayNext(count: number, ms: number): void {
    this.delay = { count, ms };
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', this.baseUrl);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, at: Date.now() });
    if (this.delay.count > 0) {
      this.delay.count -= 1;
      await this.sleep(this.delay.ms);
      if (res.destroyed) return;
    }
    const response = this.nextResponse({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body });
    send(res, response);
  }

  private nextResponse(request: FakeRequest): FakeResponse {
    if (this.throttle.count > 0) {
      this.throttle.count -= 1;
      return this.throttled(this.throttle.retryAfterMs);
    }
    try {
      return this.route(request);
    } catch (error) {
      return { status: 500, body: { message: error instanceof Error ? error.message : String(error) } };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT_BYTES) throw new Error('request body too large for the fake');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: http.ServerResponse, response: FakeResponse): void {
  if (res.destroyed) return;
  const text = response.body === undefined ? '' : JSON.stringify(response.body);
  res.writeHead(response.status, { 'content-type': 'application/json; charset=utf-8', ...response.headers });
  res.end(text);
}

/** Retry-After is whole seconds on the wire; a fake asked for 1,500 ms says 2. */
export function retryAfterSeconds(retryAfterMs: number): string {
  return String(Math.ceil(retryAfterMs / 1000));
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * The plumbing half of a `FakeStore` on `PlatformHttpFake`: the served address, the request log,
 * throttling and hanging on demand, and the webhooks queued for the test to deliver. A subclass
 * routes its platform's API and pushes onto `queued`.
 */
export abstract class HttpFakeStore {
  protected readonly queued: FakeWebhookDelivery[] = [];
  protected readonly http: PlatformHttpFake;

  protected constructor(throttled: (retryAfterMs: number) => FakeResponse) {
    this.http = new PlatformHttpFake((request) => this.route(request), throttled);
  }

  protected abstract route(request: FakeRequest): FakeResponse;

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  get requests(): ReadonlyArray<{ method: string; path: string; at: number }> {
    return this.http.requests;
  }

  takeWebhooks(): FakeWebhookDelivery[] {
    return this.queued.splice(0, this.queued.length);
  }

  throttleNext(count: number, retryAfterMs: number): void {
    this.http.throttleNext(count, retryAfterMs);
  }

  delayNext(count: number, ms: number): void {
    this.http.delayNext(count, ms);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
