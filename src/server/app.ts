import Fastify, { type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import {
  createJsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { LoggerOptions } from 'pino';
import { z } from 'zod';
import { systemClock, type Clock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import type { CommandDeps, CommandObserver } from '../platform/http/command.ts';
import { frameworkErrorHandler, problemSchema, registerProblemHandlers } from '../platform/http/problem.ts';
import { registerNulGuard } from '../platform/http/nul-guard.ts';
import { rateLimitFromEnv, registerRateLimit, type RateLimitOptions } from '../platform/http/rate-limit.ts';
import type { AppInstance } from '../platform/http/route.ts';
import { registerAccess, registerAccessRoutes } from '../modules/access/index.ts';
import { registerAdjustmentRoutes } from '../modules/adjustments/index.ts';
import { registerCatalogRoutes } from '../modules/catalog/index.ts';
import { registerFulfillmentRoutes } from '../modules/fulfillment/index.ts';
import { registerLedgerRoutes } from '../modules/ledger/index.ts';
import { registerLocationRoutes } from '../modules/locations/index.ts';
import { registerPurchasingRoutes } from '../modules/purchasing/index.ts';
import { registerReportRoutes } from '../modules/reports/index.ts';
import { registerScanningRoutes } from '../modules/scanning/index.ts';
import { registerOrderRoutes, registerSalesRoutes } from '../modules/sales/index.ts';
import { registerSettingsRoutes } from '../modules/settings/index.ts';
import { version } from './version.ts';
import { DEFAULT_WEB_ROOT, registerWebApp } from './web-app.ts';

export interface AppOptions {
  db: Database;
  clock?: Clock;
  logger?: boolean | LoggerOptions;
  /** Largest accepted request body. */
  bodyLimitBytes?: number;
  /** Behind a reverse proxy: believe X-Forwarded-For and X-Forwarded-Proto (client address, HTTPS cookies). */
  trustProxy?: boolean;
  /** Where the built web app is (index.html and assets/); default dist/web. */
  webRoot?: string;
  /** Requests per credential per minute; false turns the limit off. Default: RATE_LIMIT_PER_MINUTE or 1200. */
  rateLimit?: RateLimitOptions | false;
  /** Tests only: registers more routes beside the modules' ones, under the same rules. */
  extraRoutes?: (routes: AppInstance, deps: CommandDeps) => void;
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Routes we do not write ourselves (the API browser's assets) and so cannot declare access on. */
const publicPrefixes = [{ prefix: '/api/docs', reason: 'the API browser and its assets, which show the public API description' }];

/** The composition root: one Fastify app with every module's routes. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    forceCloseConnections: 'idle',
    requestIdHeader: 'x-request-id',
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler,
    trustProxy: options.trustProxy ?? false,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: a body in any other type is refused with 415 rather than guessed at.
  app.removeContentTypeParser('text/plain');
  registerProblemHandlers(app);

  // Unauthenticated until the access module's hook finds credentials on the request.
  app.decorateRequest('actor', null);

  const observers: CommandObserver[] = [];
  const deps: CommandDeps = { db: options.db, clock: options.clock ?? systemClock, observers };
  // Before any route exists: it checks every route's access declaration as the route is added.
  await registerAccess(app, deps, { publicPrefixes });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Stockroom API',
        version,
        description: 'Inventory from the purchase order to the checkout counter. Quantities are decimal numbers in the item’s base unit (at most 3 decimals); money is a decimal string.',
      },
      components: {
        schemas: {},
        securitySchemes: {
          bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token (`stk_…`) from POST /api/v1/tokens, `stockroom token create` or `stockroom demo`.' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'stockroom_session', description: 'The web app’s session, from POST /api/v1/session; writes also need the X-CSRF-Token header.' },
        },
      },
      security: [{ bearerToken: [] }, { sessionCookie: [] }],
    },
    transform: createJsonSchemaTransform({ skipList: ['/api/openapi.json', '/healthz'] }),
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  const rateLimit = options.rateLimit === undefined ? rateLimitFromEnv() : options.rateLimit;
  if (rateLimit) await registerRateLimit(app, rateLimit);

  const api = app as unknown as AppInstance;

  api.get('/healthz', {
    schema: { hide: true },
    config: { access: { public: true, reason: 'load balancers and supervisors probe it' }, rateLimit: false },
    handler: async () => ({ status: 'ok', version }),
  });
  api.get('/api/openapi.json', {
    schema: { hide: true },
    config: { access: { public: true, reason: 'the API description is public' } },
    handler: async () => app.swagger(),
  });

  await registerWebApp(app, options.webRoot ?? DEFAULT_WEB_ROOT);

  await app.register(async (scope) => {
    const routes = scope as unknown as AppInstance;
    // Every error a route can answer with is a problem document.
    routes.addHook('onRoute', (route) => {
      const schema = (route.schema ??= {});
      const response = (schema.response ??= {}) as Record<string, unknown>;
      response['4xx'] ??= problemSchema;
      response['5xx'] ??= problemSchema;
    });
    registerNulGuard(scope);
    registerLocationRoutes(routes, deps);
    registerCatalogRoutes(routes, deps);
    registerLedgerRoutes(routes, deps);
    registerAdjustmentRoutes(routes, deps);
    registerReportRoutes(routes, deps);
    registerSettingsRoutes(routes, deps);
    registerPurchasingRoutes(routes, deps);
    registerScanningRoutes(routes, deps);
    registerSalesRoutes(routes, deps);
    registerOrderRoutes(routes, deps);
    registerFulfillmentRoutes(routes, deps);
    registerAccessRoutes(routes, deps);
    options.extraRoutes?.(routes, deps);
  });

  void z;
  return app;
}
