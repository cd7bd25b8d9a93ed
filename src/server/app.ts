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
import { systemActor } from '../platform/context.ts';
import type { Database } from '../platform/db/database.ts';
import type { CommandDeps, CommandObserver } from '../platform/http/command.ts';
import { problemSchema, registerProblemHandlers } from '../platform/http/problem.ts';
import type { AppInstance } from '../platform/http/route.ts';
import { registerAdjustmentRoutes } from '../modules/adjustments/index.ts';
import { registerCatalogRoutes } from '../modules/catalog/index.ts';
import { registerFulfillmentRoutes } from '../modules/fulfillment/index.ts';
import { registerLedgerRoutes } from '../modules/ledger/index.ts';
import { registerLocationRoutes } from '../modules/locations/index.ts';
import { registerReportRoutes } from '../modules/reports/index.ts';
import { registerOrderRoutes, registerSalesRoutes } from '../modules/sales/index.ts';
import { registerSettingsRoutes } from '../modules/settings/index.ts';
import { version } from './version.ts';

export interface AppOptions {
  db: Database;
  clock?: Clock;
  logger?: boolean | LoggerOptions;
  /** Largest accepted request body. */
  bodyLimitBytes?: number;
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Routes we do not write ourselves (the API browser's assets) and so cannot declare access on. */
const undeclaredPrefixes = ['/api/docs'];

/** The composition root: one Fastify app with every module's routes. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    forceCloseConnections: 'idle',
    requestIdHeader: 'x-request-id',
    return503OnClosing: true,
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: a body in any other type is refused with 415 rather than guessed at.
  app.removeContentTypeParser('text/plain');
  registerProblemHandlers(app);

  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    request.actor = systemActor;
  });

  app.addHook('onRoute', (route) => {
    if (undeclaredPrefixes.some((p) => route.url.startsWith(p))) return;
    if (!route.config?.access) throw new Error(`route ${route.method} ${route.url} declares no access`);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Stockroom API',
        version,
        description: 'Inventory from the purchase order to the checkout counter. Quantities are decimal numbers in the item’s base unit (at most 3 decimals); money is a decimal string.',
      },
      components: { schemas: {} },
    },
    transform: createJsonSchemaTransform({ skipList: ['/api/openapi.json', '/healthz'] }),
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  const observers: CommandObserver[] = [];
  const deps: CommandDeps = { db: options.db, clock: options.clock ?? systemClock, observers };
  const api = app as unknown as AppInstance;

  api.get('/healthz', {
    schema: { hide: true },
    config: { access: { public: true, reason: 'load balancers and supervisors probe it' } },
    handler: async () => ({ status: 'ok', version }),
  });
  api.get('/api/openapi.json', {
    schema: { hide: true },
    config: { access: { public: true, reason: 'the API description is public' } },
    handler: async () => app.swagger(),
  });

  await app.register(async (scope) => {
    const routes = scope as unknown as AppInstance;
    // Every error a route can answer with is a problem document.
    routes.addHook('onRoute', (route) => {
      const schema = (route.schema ??= {});
      const response = (schema.response ??= {}) as Record<string, unknown>;
      response['4xx'] ??= problemSchema;
      response['5xx'] ??= problemSchema;
    });
    registerLocationRoutes(routes, deps);
    registerCatalogRoutes(routes, deps);
    registerLedgerRoutes(routes, deps);
    registerAdjustmentRoutes(routes, deps);
    registerReportRoutes(routes, deps);
    registerSettingsRoutes(routes, deps);
    registerSalesRoutes(routes, deps);
    registerOrderRoutes(routes, deps);
    registerFulfillmentRoutes(routes, deps);
  });

  void z;
  return app;
}
