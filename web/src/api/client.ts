import { ApiError, toProblem } from './problem.ts';

/**
 * The only way the web app talks to the server: same-origin fetch with the session cookie,
 * the CSRF token on every write, problems turned into ApiError.
 */

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (401), so the app can show the sign-in page. */
export function onSessionLost(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Makes a write safe to retry: the server answers a replay with the first response. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** Do not treat a 401 as the session ending (the sign-in call itself). */
  quiet401?: boolean;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(toProblem(0, null));
  }
  const type = response.headers.get('content-type') ?? '';
  const body: unknown = /json/.test(type) ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) {
    if (response.status === 401 && !options.quiet401) onUnauthenticated?.();
    throw new ApiError(toProblem(response.status, body));
  }
  return body as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}) => request<T>('POST', path, { ...options, body: body ?? {} }),
  patch: <T>(path: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}) => request<T>('PATCH', path, { ...options, body }),
  put: <T>(path: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}) => request<T>('PUT', path, { ...options, body }),
  delete: <T>(path: string, options: RequestOptions = {}) => request<T>('DELETE', path, options),
};

/** A fresh key for one attempt at a write; reuse it when retrying that same attempt. */
export function newIdempotencyKey(prefix = 'web'): string {
  const random = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}-${Date.now().toString(36)}-${Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Fetches every page of a cursor-paged list, up to `max` rows. */
export async function fetchAll<T>(path: string, query: Query = {}, max = 5000): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: T[]; next_cursor: string | null } = await api.get(path, { ...query, limit: 500, cursor: cursor ?? undefined });
    rows.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && rows.length < max);
  return rows;
}

/** POSTs a body and saves the file the server answers (labels as PDF or ZPL) under its own name. */
export async function postForDownload(path: string, body: unknown, fallbackName: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/pdf, application/vnd.zebra.zpl, application/problem+json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body) });
  } catch {
    throw new ApiError(toProblem(0, null));
  }
  if (!response.ok) {
    if (response.status === 401) onUnauthenticated?.();
    throw new ApiError(toProblem(response.status, await response.json().catch(() => null)));
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A POST whose answer is a file (an export): the body as a Blob, problems as ApiError. */
export async function postForFile(path: string, body: unknown, query?: Query): Promise<Blob> {
  const headers: Record<string, string> = { accept: '*/*', 'content-type': 'application/json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(withQuery(path, query), { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body) }).catch(() => {
    throw new ApiError(toProblem(0, null));
  });
  if (!response.ok) {
    const type = response.headers.get('content-type') ?? '';
    const problem: unknown = /json/.test(type) ? await response.json().catch(() => null) : await response.text();
    if (response.status === 401) onUnauthenticated?.();
    throw new ApiError(toProblem(response.status, problem));
  }
  return response.blob();
}

/** Sends a file as the raw request body (a catalogue import), with the JSON answer or problem as `request` gives them. */
export async function uploadFile<T>(path: string, file: Blob, query?: Query): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', 'content-type': file.type || 'application/octet-stream' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(withQuery(path, query), { method: 'POST', headers, credentials: 'same-origin', body: file }).catch(() => {
    throw new ApiError(toProblem(0, null));
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401) onUnauthenticated?.();
    throw new ApiError(toProblem(response.status, body));
  }
  return body as T;
}
