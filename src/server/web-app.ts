import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PlatformError } from '../platform/errors.ts';
import type { AppInstance } from '../platform/http/route.ts';

/**
 * The web app (dashboard and scanner mode): static files that `npm run build` puts in
 * dist/web, served at `/`. Every path that is not the API, the API browser or /healthz is a
 * client route and gets index.html, so a bookmark of /items/itm_… opens that page.
 *
 * Hashed assets (dist/web/assets/*) never change under their name and are cached for a year;
 * index.html is revalidated on every load so a new build is picked up at once.
 */

/** dist/web, found from both src/server (tsx, tests) and dist/server (the build). */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const ONE_YEAR_S = 365 * 24 * 3600;

/** Paths the web app must never answer, so a typo in an API call is a 404 problem, not a page. */
function isServerPath(urlPath: string): boolean {
  return urlPath === '/api' || urlPath.startsWith('/api/') || urlPath === '/healthz' || urlPath.startsWith('/healthz/');
}

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  // Scripts and styles come only from this server; the camera stream needs blob: and mediastream.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  // The scanner mode asks for the camera; nothing else is needed.
  'permissions-policy': 'camera=(self), microphone=(), geolocation=()',
} as const;

function notBuilt(reply: FastifyReply, webRoot: string): FastifyReply {
  return reply
    .code(503)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><meta charset="utf-8"><title>Stockroom</title><h1>The web app is not built</h1>` +
        `<p>Run <code>npm run build</code> (or <code>npm install</code>) in the project folder; it puts the dashboard in ${escapeHtml(webRoot)}.</p>` +
        `<p>The API is running: <a href="/api/docs">/api/docs</a>.</p>`,
    );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendIndex(reply: FastifyReply, webRoot: string): FastifyReply {
  if (!existsSync(path.join(webRoot, 'index.html'))) return notBuilt(reply, webRoot);
  reply.headers({ ...securityHeaders, 'cache-control': 'no-cache' });
  return reply.sendFile('index.html', webRoot, { cacheControl: false });
}

export async function registerWebApp(app: FastifyInstance, webRoot: string): Promise<void> {
  // Only its reply.sendFile: the routes are ours, so they declare their access like every other.
  // They are left out of the per-credential rate limit: a page load is a handful of cached files,
  // and a person should never see a blank page because their scripts used up the minute.
  await app.register(fastifyStatic, { serve: false });
  const routes = app as unknown as AppInstance;
  const access = { public: true as const, reason: 'the web app’s own files: it signs in and reads everything through the API' };

  routes.get('/', {
    schema: { hide: true },
    config: { access, rateLimit: false },
    handler: async (_request, reply) => sendIndex(reply, webRoot),
  });

  routes.get('/*', {
    schema: { hide: true },
    config: { access, rateLimit: false },
    handler: async (request, reply) => {
      const urlPath = request.url.split('?')[0] ?? '/';
      if (isServerPath(urlPath)) throw new PlatformError('route_not_found', `No route ${request.method} ${urlPath}.`);
      // The router has already decoded the path once; decoding again turned `/assets/%25` into a
      // URIError (500) and would let `%252e%252e` mean `..` to the file lookup.
      const file = (request.params as { '*': string })['*'];
      // Source maps would publish the app's original source; the build emits none, and a stray
      // one in the folder is not served either.
      if (file.endsWith('.map')) throw new PlatformError('route_not_found', `No file ${urlPath}.`);
      if (file.startsWith('assets/')) {
        reply.header('x-content-type-options', 'nosniff');
        return reply.sendFile(file, webRoot, { immutable: true, maxAge: ONE_YEAR_S * 1000 });
      }
      // A file of the build's top level (the icon, the manifest): cached briefly, revalidated after.
      if (/^[\w.-]+\.\w+$/.test(file) && file !== 'index.html') {
        // The service worker is checked on every load, so a new build reaches installed apps at once.
        if (file === 'sw.js' && existsSync(path.join(webRoot, file))) return reply.header('cache-control', 'no-cache').sendFile(file, webRoot, { cacheControl: false });
        if (existsSync(path.join(webRoot, file))) return reply.sendFile(file, webRoot, { maxAge: 3600 * 1000 });
        throw new PlatformError('route_not_found', `No file ${urlPath}.`);
      }
      return sendIndex(reply, webRoot);
    },
  });
}
