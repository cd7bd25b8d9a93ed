import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Actor } from '../context.ts';
import type { RouteErrorDocs } from './error-responses.ts';

/**
 * What a route declares about who may call it. Every route must declare one, naming a permission
 * from the access module's catalogue; the access module refuses to start a server with a route
 * that does not.
 */
export type RouteAccess =
  | { public: true; reason: string }
  | {
      permission: string;
      /** Where the route takes the location it acts on from, when it acts on one. */
      location?: LocationSource;
    };

export type LocationSource =
  | { from: 'body' | 'query' | 'params'; field: string }
  | { from: 'none' };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /**
     * The domain error codes (beyond the platform's own: validation, authentication, access,
     * rate limit, idempotency) this route can answer with; the OpenAPI document lists them per status.
     */
    errors?: readonly string[];
  }
  interface FastifyInstance {
    /** Each API route's documented error codes (platform and declared), by `METHOD /url`. */
    documentedErrors: ReadonlyMap<string, RouteErrorDocs>;
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** The `code` of the problem this request was answered with, for the audit log. */
    problemCode: string | null;
  }
}

export type AppInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
