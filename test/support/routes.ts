import type { FastifyInstance } from 'fastify';
import type { RegisteredRoute } from '../../src/modules/access/index.ts';

/**
 * Every route of the app with its access declaration: what the access module saw being
 * registered, plus the trailing-slash twin Fastify adds silently for a prefixed '/' route (the
 * API browser's), which shares its declaration.
 */
export function registeredRoutes(app: FastifyInstance): RegisteredRoute[] {
  const routes = [...app.accessRoutes];
  for (const route of app.accessRoutes) {
    const twin = `${route.url}/`;
    if (route.url.endsWith('/') || route.url.endsWith('*')) continue;
    if (!app.hasRoute({ method: route.method as 'GET', url: twin })) continue;
    if (!routes.some((r) => r.method === route.method && r.url === twin)) routes.push({ ...route, url: twin });
  }
  return routes;
}

/** How many method-and-path pairs the router itself holds, counted from its printed tree. */
export function routerRouteCount(app: FastifyInstance): number {
  let count = 0;
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const methods = /\(([A-Z, ]+)\)\s*$/.exec(line)?.[1];
    if (methods) count += methods.split(',').length;
  }
  return count;
}
