import Fastify, { LogController, type FastifyInstance } from 'fastify';
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
import { frameworkErrorHandler, registerProblemHandlers } from '../platform/http/problem.ts';
import { registerNulGuard } from '../platform/http/nul-guard.ts';
import { fastifyTrustProxy, type TrustProxy } from '../platform/http/trust-proxy.ts';
import { rateLimitFromEnv, registerRateLimit, type RateLimitOptions } from '../platform/http/rate-limit.ts';
import type { AppInstance } from '../platform/http/route.ts';
import { documentRouteErrors, isDocumented, type RouteErrorDocs } from '../platform/http/error-responses.ts';
import { polishOpenApi } from '../platform/http/openapi.ts';
import { errorCatalogue } from './error-catalogue.ts';
import { registerAccess, registerAccessRoutes } from '../modules/access/index.ts';
import { registerAdjustmentRoutes } from '../modules/adjustments/index.ts';
import { registerAlertRoutes } from '../modules/alerts/index.ts';
import { registerQuickbooksRoutes } from '../modules/integrations/quickbooks/index.ts';
import { registerGoogleRoutes } from '../modules/integrations/google/index.ts';
import { registerCatalogRoutes } from '../modules/catalog/index.ts';
import { registerCountRoutes } from '../modules/counts/index.ts';
import { registerForecastingRoutes } from '../modules/forecasting/index.ts';
import { registerFulfillmentRoutes } from '../modules/fulfillment/index.ts';
import { registerLedgerRoutes } from '../modules/ledger/index.ts';
import { registerLocationRoutes } from '../modules/locations/index.ts';
import { registerPurchasingRoutes } from '../modules/purchasing/index.ts';
import { registerCustomReportRoutes, registerReportRoutes, registerSavedReportRoutes, registerStandardReportRoutes } from '../modules/reports/index.ts';
import { registerScanningRoutes } from '../modules/scanning/index.ts';
import { registerOrderRoutes, registerSalesRoutes } from '../modules/sales/index.ts';
import { registerSettingsRoutes } from '../modules/settings/index.ts';
import { registerNotificationRoutes } from '../modules/notifications/index.ts';
import { registerBomRoutes, registerProductionRoutes } from '../modules/production/index.ts';
import { registerBinMoveRoutes, registerTransferRoutes } from '../modules/transfers/index.ts';
import { registerReplenishmentRoutes } from '../modules/replenishment/index.ts';
import { registerPricingRoutes } from '../modules/pricing/index.ts';
import { registerTaxRoutes } from '../modules/tax/index.ts';
import { registerLabelRoutes } from '../modules/labels/index.ts';
import { registerIntegrationRoutes } from '../modules/integrations/index.ts';
import { registerImportRoutes } from '../modules/imports/index.ts';
import { registerVoiceRoutes, type VoiceOptions } from '../modules/voice/index.ts';
import { registerOauthRoutes } from '../modules/oauth/index.ts';
import { version } from './version.ts';
import { DEFAULT_WEB_ROOT, registerWebApp } from './web-app.ts';

export interface AppOptions {
  db: Database;
  clock?: Clock;
  logger?: boolean | LoggerOptions;
  /** Largest accepted request body. */
  bodyLimitBytes?: number;
  /**
   * Behind a reverse proxy: which proxies to believe about X-Forwarded-For and X-Forwarded-Proto
   * (client address, HTTPS cookies). `true` is one hop, never every hop.
   */
  trustProxy?: TrustProxy | boolean;
  /** Where the built web app is (index.html and assets/); default dist/web. */
  webRoot?: string;
  /** Requests per credential per minute; false turns the limit off. Default: RATE_LIMIT_PER_MINUTE or 1200. */
  rateLimit?: RateLimitOptions | false;
  /**
   * The level each completed request is logged at: `info` for a server's log (the default), `debug`
   * when a person runs it in a terminal, where a line per request would bury what they need.
   */
  requestLogLevel?: 'info' | 'debug';
  /**
   * Tests: answer 500 `undocumented_error` instead of a problem whose `code` the route does not
   * document in the OpenAPI document, so a test that meets one fails.
   */
  enforceErrorDocs?: boolean;
  /** Tests only: registers more routes beside the modules' ones, under the same rules. */
  extraRoutes?: (routes: AppInstance, deps: CommandDeps) => void;
  /** The Alexa skill's id, and (tests only) the trust roots and chain download of its request verification. */
  voice?: VoiceOptions;
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
    trustProxy: fastifyTrustProxy(options.trustProxy),
    // One line per request, written by the hook below at the level asked for.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>();

  const requestLogLevel = options.requestLogLevel ?? 'info';
  app.addHook('onResponse', async (request, reply) => {
    request.log[requestLogLevel]({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: Math.round(reply.elapsedTime) }, 'request completed');
  });

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
        description:
          'Inventory from the purchase order to the checkout counter. Quantities are decimal numbers in the item’s base unit (at most 3 decimals); money is a decimal string. ' +
          'Text fields are trimmed of leading and trailing whitespace before they are checked and stored; dates and instants lie between 1970-01-01 and 2200-12-31.',
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
    transformObject: (document) => polishOpenApi(jsonSchemaTransformObject(document)),
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

  const catalogue = errorCatalogue();
  const documentedErrors = new Map<string, RouteErrorDocs>();
  app.decorate('documentedErrors', documentedErrors);
  if (options.enforceErrorDocs) {
    app.addHook('onSend', async (request, reply, payload) => {
      const code = request.problemCode;
      if (code === null || isDocumented(documentedErrors, request.method, request.routeOptions.url, code)) return payload;
      const detail = `${request.method} ${request.routeOptions.url} answered ${reply.statusCode} ${code}, which its config.errors does not declare.`;
      request.log.error(detail);
      reply.code(500).type('application/problem+json');
      return JSON.stringify({ type: 'urn:stockroom:problem:undocumented_error', title: 'Internal Server Error', status: 500, code: 'undocumented_error', detail });
    });
  }

  await app.register(async (scope) => {
    const routes = scope as unknown as AppInstance;
    // Every error a route can answer with is a problem document, listed per status with its codes.
    routes.addHook('onRoute', (route) => documentRouteErrors(route, catalogue, documentedErrors));
    registerNulGuard(scope);
    registerLocationRoutes(routes, deps);
    registerCatalogRoutes(routes, deps);
    registerLedgerRoutes(routes, deps);
    registerAdjustmentRoutes(routes, deps);
    registerReportRoutes(routes, deps);
    registerStandardReportRoutes(routes, deps);
    registerCustomReportRoutes(routes, deps);
    registerSavedReportRoutes(routes, deps);
    registerSettingsRoutes(routes, deps);
    registerPurchasingRoutes(routes, deps);
    registerScanningRoutes(routes, deps);
    registerSalesRoutes(routes, deps);
    registerOrderRoutes(routes, deps);
    registerFulfillmentRoutes(routes, deps);
    registerTransferRoutes(routes, deps);
    registerBinMoveRoutes(routes, deps);
    registerReplenishmentRoutes(routes, deps);
    registerPricingRoutes(routes, deps);
    registerTaxRoutes(routes, deps);
    registerLabelRoutes(routes, deps);
    registerImportRoutes(routes, deps);
    registerCountRoutes(routes, deps);
    registerForecastingRoutes(routes, deps);
    registerBomRoutes(routes, deps);
    registerProductionRoutes(routes, deps);
    registerAccessRoutes(routes, deps);
    registerNotificationRoutes(routes, deps);
    registerAlertRoutes(routes, deps);
    registerIntegrationRoutes(routes, deps);
    registerQuickbooksRoutes(routes, deps);
    registerGoogleRoutes(routes, deps);
    registerVoiceRoutes(routes, deps, options.voice);
    registerOauthRoutes(routes, deps);
    options.extraRoutes?.(routes, deps);
  });

  void z;
  return app;
}
