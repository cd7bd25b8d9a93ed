import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { PlatformError } from '../errors.ts';

/**
 * Requests per principal in a sliding minute: per API token, per signed-in person (all their
 * sessions together), and per client address for everything unauthenticated. The key is taken
 * after authentication (the access module's onRequest hook runs first and refuses nothing), so a
 * made-up token or cookie buys no fresh allowance: it counts against the address it came from.
 * A runaway script gets 429 with Retry-After; the shop's other tills and /healthz do not notice.
 * Sign-in has its own, stricter throttle in the access module.
 */
export interface RateLimitOptions {
  perMinute: number;
}

export const DEFAULT_REQUESTS_PER_MINUTE = 1200;

export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimitOptions | false {
  const raw = env.RATE_LIMIT_PER_MINUTE;
  if (raw === undefined || raw === '') return { perMinute: DEFAULT_REQUESTS_PER_MINUTE };
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error('RATE_LIMIT_PER_MINUTE is a whole number (0 turns the limit off)');
  return n === 0 ? false : { perMinute: n };
}

/** The principal a request is counted against; `request.principalKey` is set by authentication. */
export function rateLimitKey(request: FastifyRequest): string {
  return request.principalKey ?? `ip:${request.ip}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who an authenticated request acts as, for the rate limit (`token:…`, `user:…`); null before or without authentication. */
    principalKey: string | null;
  }
}

export async function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  await app.register(fastifyRateLimit, {
    max: options.perMinute,
    timeWindow: 60_000,
    hook: 'onRequest',
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) =>
      new PlatformError('rate_limited', `Too many requests from this credential or address: at most ${context.max} a minute.`, {
        extra: { retry_after_s: Math.max(1, Math.ceil(context.ttl / 1000)) },
      }),
  });
}
