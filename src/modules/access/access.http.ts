import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { canSeeSite } from '../../platform/context.ts';
import type { LocationRow, SessionRow } from '../../platform/db/schema.ts';
import { transact } from '../../platform/db/transaction.ts';
import { PlatformError } from '../../platform/errors.ts';
import type { CommandDeps, CommandTarget } from '../../platform/http/command.ts';
import type { RouteAccess } from '../../platform/http/route.ts';
import { isId } from '../../platform/ids.ts';
import { findLocation } from '../locations/index.ts';
import { isPermission, roleHas } from './access.permissions.ts';
import { auditEventRows, recordAuditEvent, type AuditEventInput } from './audit.service.ts';
import { safeEqual } from './secrets.ts';
import { authenticateSession, SESSION_ABSOLUTE_MS, SESSION_COOKIE } from './sessions.service.ts';
import { authenticateToken } from './tokens.service.ts';

/**
 * Authentication and authorization at the edge, and the audit log's hooks.
 *
 * - onRoute: every route must declare its access, naming a known permission; the list of
 *   declarations is kept so tests can walk every route.
 * - onRequest: the bearer token or session cookie becomes `request.actor` (or the reason it was
 *   refused is kept). Nothing is refused yet, so the rate limiter, a route-level onRequest hook
 *   that runs next, can count the request against the authenticated principal, and a request
 *   with a made-up credential against its address.
 * - preParsing: the route's permission is checked (401 without credentials, 403 without the
 *   permission) and cookie-authenticated writes must carry the session's CSRF token. This still
 *   runs before the body is parsed, so an unauthenticated caller learns nothing about a route's
 *   schema.
 * - preHandler (after validation): a route that acts on a location taken from the request is
 *   refused with 403 when that location belongs to a site the actor is not granted. A location
 *   that does not exist is left to the handler, which answers 404.
 * - the audit observer writes a successful command in its own transaction; onSend writes every
 *   other mutating request (refused, failed, replayed) in a small transaction of its own.
 */

export type Credential = { kind: 'session'; session: SessionRow } | { kind: 'token'; id: string; name: string };

declare module 'fastify' {
  interface FastifyRequest {
    credential: Credential | null;
    /** Why the credentials sent were refused, for the 401's detail. */
    credentialProblem: string | null;
    /** The site of the location the route acts on, when it declares one. */
    accessSiteId: string | null;
    /** What a failing request was about, when its params do not say (a sign-in's account). */
    auditTargets: CommandTarget[] | null;
    auditNote: string | null;
    /** Set once the request's audit event has been written with its command. */
    audited: boolean;
  }
  interface FastifyInstance {
    /** Every route with its access declaration, in registration order. */
    accessRoutes: RegisteredRoute[];
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

export interface AccessOptions {
  /** Routes we do not write ourselves (the API browser's assets): public, with this reason. */
  publicPrefixes: ReadonlyArray<{ prefix: string; reason: string }>;
}

const mutatingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOCATION_SITES_MAX = 100_000;

const tokenProblems = {
  unknown: 'The bearer token is not one this server issued.',
  revoked: 'The bearer token was revoked.',
  expired: 'The bearer token has expired.',
  owner_disabled: 'The person this token acts for is disabled.',
  owner_lacks_role: 'The person this token acts for no longer has its role.',
} as const;

const sessionProblems = {
  unknown: 'The session is not known; sign in again.',
  revoked: 'The session was ended; sign in again.',
  expired: 'The session has expired; sign in again.',
  user_disabled: 'The account is disabled.',
} as const;

export function isMutating(method: string): boolean {
  return mutatingMethods.has(method);
}

/** Checks one route's declaration; throws when it is missing or names an unknown permission. */
export function assertRouteAccess(method: string, url: string, access: RouteAccess | undefined): asserts access is RouteAccess {
  if (!access) throw new Error(`route ${method} ${url} declares no access (config.access)`);
  if ('public' in access) {
    if (!access.reason) throw new Error(`public route ${method} ${url} must say why it is public`);
    return;
  }
  if (!isPermission(access.permission)) throw new Error(`route ${method} ${url} names an unknown permission "${access.permission}"`);
}

export async function registerAccess(app: FastifyInstance, deps: CommandDeps, options: AccessOptions): Promise<void> {
  await app.register(fastifyCookie, { hook: 'onRequest' });
  app.decorateRequest('credential', null);
  app.decorateRequest('principalKey', null);
  app.decorateRequest('credentialProblem', null);
  app.decorateRequest('accessSiteId', null);
  app.decorateRequest('auditTargets', null);
  app.decorateRequest('auditNote', null);
  app.decorateRequest('audited', false);

  const routes: RegisteredRoute[] = [];
  app.decorate('accessRoutes', routes);
  app.addHook('onRoute', (route) => {
    const prefix = options.publicPrefixes.find((p) => route.url.startsWith(p.prefix));
    if (prefix && !route.config?.access) route.config = { ...route.config, access: { public: true, reason: prefix.reason } };
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      assertRouteAccess(method, route.url, route.config?.access);
      routes.push({ method, url: route.url, access: route.config!.access! });
    }
    describeAccess(route);
  });

  app.addHook('onRequest', async (request) => {
    if (!request.routeOptions.config?.access) return; // no such route: the not-found handler answers
    await authenticate(deps, request);
  });

  app.addHook('preParsing', async (request, reply, payload) => {
    const access = request.routeOptions.config?.access;
    if (!access) return payload;
    authorize(request, reply, access);
    return payload;
  });

  function authorize(request: FastifyRequest, reply: FastifyReply, access: RouteAccess): void {
    if ('public' in access) {
      if (isMutating(request.method)) assertSameOrigin(request);
      return;
    }
    const actor = request.actor;
    if (!actor) {
      if (request.cookies[SESSION_COOKIE] !== undefined) clearSessionCookie(reply);
      throw new PlatformError('unauthenticated', request.credentialProblem ?? 'Sign in, or send an API token as `Authorization: Bearer stk_…`.');
    }
    if (request.credential?.kind === 'session' && isMutating(request.method)) assertCsrf(request, request.credential.session);
    if (!isPermission(access.permission) || !roleHas(actor.role, access.permission)) {
      throw new PlatformError('forbidden', `The ${actor.role} role does not include ${access.permission}.`, { extra: { permission: access.permission } });
    }
  }

  /**
   * The site and kind of each location a route acts on, remembered for this app's database: a
   * location never changes site or kind (updateLocation sets neither, nothing deletes one), so
   * no other process can make a remembered answer wrong, and the sale's own transaction reads
   * its bin afresh for everything that can change (status, policy, default bin). A location not
   * found is not remembered.
   */
  const locationSites = new Map<string, Pick<LocationRow, 'site_id' | 'kind'>>();
  async function siteOfLocation(id: string): Promise<Pick<LocationRow, 'site_id' | 'kind'> | undefined> {
    const known = locationSites.get(id);
    if (known) return known;
    const row = await findLocation(deps.db.kysely, id);
    if (!row) return undefined;
    if (locationSites.size >= LOCATION_SITES_MAX) locationSites.clear();
    const entry = { site_id: row.site_id, kind: row.kind };
    locationSites.set(id, entry);
    return entry;
  }

  app.addHook('preHandler', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!access || 'public' in access || !access.location || access.location.from === 'none') return;
    const source = (access.location.from === 'body' ? request.body : access.location.from === 'query' ? request.query : request.params) as
      | Record<string, unknown>
      | undefined;
    const locationId = source?.[access.location.field];
    if (typeof locationId !== 'string') return;
    const location = await siteOfLocation(locationId);
    if (!location) return;
    request.accessSiteId = location.site_id;
    if (location.kind === 'virtual' || canSeeSite(request.actor!, location.site_id)) return;
    throw new PlatformError('forbidden', `You have no grant for the site of ${locationId}.`, { extra: { location_id: locationId } });
  });

  deps.observers.push({
    async committing(_trx, command) {
      const event = auditEventOf(command.request, command.status, deps.clock.now(), command.targets);
      // A command that names no location but moved stock at one site happened there: someone
      // granted other sites does not see it (a return, a receipt posted, a shipment).
      const { sets } = auditEventRows({ ...event, siteId: event.siteId ?? soleSiteOf(command.targets) });
      command.request.audited = true;
      return sets;
    },
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!isMutating(request.method) || !request.routeOptions.config?.access) return payload;
    if (reply.statusCode < 400 && request.audited) return payload;
    if (reply.getHeader('idempotent-replayed') === 'true') request.auditNote ??= 'replayed the stored response of an earlier request';
    const event = auditEventOf(request, reply.statusCode, deps.clock.now(), request.auditTargets ?? targetsInParams(request.params));
    try {
      await transact(deps.db, (trx) => recordAuditEvent(trx, event));
    } catch (error) {
      request.log.error({ err: error }, 'could not write the audit event of a request');
    }
    return payload;
  });
}

/** Says in the API description who may call a route: no credentials for a public one, else which permission. */
function describeAccess(route: RouteOptions): void {
  const access = route.config?.access;
  if (!access || !route.schema) return;
  if ('public' in access) {
    route.schema = { ...route.schema, security: [] } as RouteOptions['schema'];
    return;
  }
  const where = access.location && access.location.from !== 'none' ? `, at the site of \`${access.location.field}\` when given` : '';
  const note = `Needs the \`${access.permission}\` permission${where}.`;
  const existing = (route.schema as { description?: unknown }).description;
  const description = typeof existing === 'string' ? `${existing}\n\n${note}` : note;
  route.schema = { ...route.schema, description } as RouteOptions['schema'];
}

async function authenticate(deps: CommandDeps, request: FastifyRequest): Promise<void> {
  const now = deps.clock.now();
  const header = request.headers.authorization;
  // A bearer token wins over a cookie: a browser never adds one by itself, so it needs no CSRF check.
  if (header !== undefined) {
    const match = /^Bearer +(\S+)$/i.exec(header);
    if (!match) {
      request.credentialProblem = 'The Authorization header must be `Bearer stk_…`.';
      return;
    }
    const check = await authenticateToken(deps.db, match[1]!, now);
    if (!check.ok) {
      request.credentialProblem = tokenProblems[check.reason];
      return;
    }
    request.actor = check.actor;
    request.credential = { kind: 'token', id: check.token.id, name: check.token.name };
    request.principalKey = `token:${check.token.id}`;
    return;
  }
  const secret = request.cookies[SESSION_COOKIE];
  if (!secret) return;
  const check = await authenticateSession(deps.db, secret, now);
  if (!check.ok) {
    request.credentialProblem = sessionProblems[check.reason];
    return;
  }
  request.actor = check.actor;
  request.credential = { kind: 'session', session: check.session };
  request.principalKey = `user:${check.session.user_id}`;
}

/** A cookie-authenticated write must echo the session's CSRF token, and come from our own origin. */
function assertCsrf(request: FastifyRequest, session: SessionRow): void {
  assertSameOrigin(request);
  const sent = request.headers['x-csrf-token'];
  if (typeof sent !== 'string' || !safeEqual(sent, session.csrf_token)) {
    throw new PlatformError('csrf_failed', 'Send the X-CSRF-Token header from GET /api/v1/session with every change made with the session cookie.');
  }
}

/** Browsers send Origin on cross-site writes; when one is sent it must be this server. */
function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  if (host === null || host !== request.host) throw new PlatformError('csrf_failed', `Requests from ${origin} are not accepted.`);
}

export function setSessionCookie(reply: FastifyReply, secret: string): void {
  reply.setCookie(SESSION_COOKIE, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: 'auto',
    maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto' });
}

const targetTypeByPrefix: Record<string, string> = {
  itm: 'item',
  loc: 'location',
  adj: 'adjustment',
  usr: 'user',
  tok: 'token',
  res: 'reservation',
  lot: 'lot',
};

/** The one site a command's movements touched, if they touched exactly one. */
function soleSiteOf(targets: readonly CommandTarget[]): string | null {
  const sites = new Set(targets.filter((t) => t.type === 'site').map((t) => t.id));
  return sites.size === 1 ? [...sites][0]! : null;
}

/** The ids a request names in its path: what a refused or failed request was about. */
function targetsInParams(params: unknown): CommandTarget[] {
  if (!params || typeof params !== 'object') return [];
  return Object.values(params as Record<string, unknown>)
    .filter((v): v is string => typeof v === 'string' && isId(v))
    .map((id) => ({ type: targetTypeByPrefix[id.slice(0, id.indexOf('_'))] ?? 'record', id }));
}

function auditEventOf(request: FastifyRequest, status: number, now: number, targets: CommandTarget[]): AuditEventInput {
  const key = request.headers['idempotency-key'];
  const agent = request.headers['user-agent'];
  const credential = request.credential;
  return {
    at: now,
    actor: request.actor,
    credentialId: credential ? (credential.kind === 'session' ? credential.session.id : credential.id) : null,
    method: request.method,
    route: request.routeOptions.url ?? request.url.split('?')[0] ?? request.url,
    path: request.url.split('?')[0] ?? request.url,
    status,
    problemCode: status >= 400 ? request.problemCode : null,
    targets,
    siteId: request.accessSiteId,
    ip: request.ip ?? null,
    userAgent: typeof agent === 'string' ? agent : null,
    idempotencyKey: typeof key === 'string' ? key.slice(0, 255) : null,
    requestId: request.id,
    note: request.auditNote,
  };
}
