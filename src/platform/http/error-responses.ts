import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { problemSchema } from './problem.ts';

/**
 * Every error a route can answer with is documented in the OpenAPI document, per status, with
 * the `code` values it can carry. A route declares its domain codes in `config.errors`; the
 * platform's own codes (validation, authentication, access, idempotency, rate limit, a busy
 * database) are added here from what the route is: whether it is public, takes an id in its
 * path, or changes something. The same sets drive the check that no route answers with a code
 * it does not document (on in tests).
 */

/** code → HTTP status, one table per module, merged. */
export type ErrorCatalogue = ReadonlyMap<string, number>;

/** Merges the modules' status tables; a code that two modules map to different statuses is a bug. */
export function buildErrorCatalogue(tables: Readonly<Record<string, Readonly<Record<string, number>>>>): ErrorCatalogue {
  const catalogue = new Map<string, number>();
  const owner = new Map<string, string>();
  for (const [module, table] of Object.entries(tables)) {
    for (const [code, status] of Object.entries(table)) {
      const known = catalogue.get(code);
      if (known !== undefined && known !== status) {
        throw new Error(`error code "${code}" is ${known} in ${owner.get(code)} but ${status} in ${module}`);
      }
      catalogue.set(code, status);
      owner.set(code, module);
    }
  }
  return catalogue;
}

const mutatingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What decides which platform codes a route can answer with. */
export interface RouteShape {
  method: string;
  url: string;
  isPublic: boolean;
  rateLimited: boolean;
}

/** The platform codes a route of this shape can answer with, beyond the ones it declares. */
export function platformCodesFor(shape: RouteShape): string[] {
  const codes = ['internal_error', 'database_busy'];
  // The NUL guard reads every route's path, query and body, so any route can refuse its input.
  codes.push('validation_failed', 'number_out_of_range');
  if (!shape.isPublic) codes.push('unauthenticated', 'forbidden');
  if (shape.url.includes('/:')) codes.push('not_found');
  if (mutatingMethods.has(shape.method)) {
    codes.push('csrf_failed', 'malformed_json', 'unsupported_media_type', 'payload_too_large', 'conflict', 'idempotency_key_invalid', 'idempotency_key_reused');
  }
  if (shape.rateLimited) codes.push('rate_limited');
  return codes;
}

/** What one route documents: every code it can answer with, and whether it declared its own. */
export interface RouteErrorDocs {
  codes: ReadonlySet<string>;
  /** False when the route has no `config.errors` at all (a test requires one on every route). */
  declared: boolean;
}

/** Codes that can reach any route before it is matched (a malformed or over-long URL): never listed per route. */
export const beforeRoutingCodes: ReadonlySet<string> = new Set(['url_invalid', 'url_too_long', 'route_not_found']);

const reasons: Record<number, string> = {
  400: 'The request is not valid',
  401: 'No valid credentials',
  403: 'Not allowed',
  404: 'Not found, or at a site the caller is not granted',
  409: 'Conflicts with the state of a record',
  413: 'The body is too large',
  414: 'The URL is too long',
  415: 'The body is not JSON',
  422: 'Understood, but refused by a rule',
  429: 'Too many requests; see Retry-After',
  500: 'A fault on the server; the request changed nothing',
  503: 'The database is busy; retry after Retry-After',
};

/** The documented codes of one route, by status; throws on a declared code no module knows. */
export function routeErrorCodes(shape: RouteShape, declared: readonly string[], catalogue: ErrorCatalogue): Map<number, string[]> {
  const byStatus = new Map<number, string[]>();
  for (const code of new Set([...platformCodesFor(shape), ...declared])) {
    const status = catalogue.get(code);
    if (status === undefined) {
      throw new Error(`route ${shape.method} ${shape.url} declares error code "${code}", which no module's error table knows`);
    }
    const list = byStatus.get(status) ?? [];
    list.push(code);
    byStatus.set(status, list);
  }
  for (const list of byStatus.values()) list.sort();
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

/**
 * The problem schemas by their codes. Most routes share a few sets of codes, and building a zod
 * schema per route and status was an eighth of the server's start.
 */
const problemSchemasByCodes = new Map<string, z.ZodType>();

function problemSchemaFor(codes: readonly string[]): z.ZodType {
  const key = codes.join(' ');
  let schema = problemSchemasByCodes.get(key);
  if (!schema) {
    schema = z.intersection(problemSchema, z.looseObject({ code: z.enum(codes as [string, ...string[]]) }));
    problemSchemasByCodes.set(key, schema);
  }
  return schema;
}

/** One OpenAPI response per status: the codes in its description and as an enum on `code`. */
export function errorResponse(status: number, codes: readonly string[]) {
  const schema = problemSchemaFor(codes);
  return {
    description: `${reasons[status] ?? 'Error'}: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
    content: { 'application/problem+json': { schema } },
  };
}

/**
 * The onRoute step: replaces the catch-all 4xx/5xx with one response per status the route can
 * answer with, and remembers the route's codes for `isDocumented`.
 */
export function documentRouteErrors(route: RouteOptions, catalogue: ErrorCatalogue, documented: Map<string, RouteErrorDocs>): void {
  const access = route.config?.access;
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const schema = (route.schema ??= {}) as { response?: Record<string, unknown> };
  const response = (schema.response ??= {});
  for (const method of methods) {
    const shape: RouteShape = {
      method,
      url: route.url,
      isPublic: access !== undefined && 'public' in access,
      rateLimited: (route.config as { rateLimit?: unknown } | undefined)?.rateLimit !== false,
    };
    const byStatus = routeErrorCodes(shape, route.config?.errors ?? [], catalogue);
    const docs: RouteErrorDocs = { codes: new Set([...byStatus.values()].flat()), declared: route.config?.errors !== undefined };
    documented.set(`${method} ${route.url}`, docs);
    if (method === 'GET') documented.set(`HEAD ${route.url}`, docs);
    for (const [status, codes] of byStatus) response[String(status)] ??= errorResponse(status, codes);
  }
}

/** Whether a route documents a code; routes it never saw (the web app's, the API browser's) pass. */
export function isDocumented(documented: ReadonlyMap<string, RouteErrorDocs>, method: string, url: string | undefined, code: string): boolean {
  if (beforeRoutingCodes.has(code) || url === undefined) return true;
  const docs = documented.get(`${method} ${url}`);
  return docs === undefined || docs.codes.has(code);
}
