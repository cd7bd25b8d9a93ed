import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { PlatformError } from '../errors.ts';

/**
 * Requests per credential (a bearer token or session cookie, else the client address) in a
 * sliding minute. A runaway script gets 429 with Retry-After; the shop's other tills and
 * /healthz do not notice. Sign-in has its own, stricter throttle in the access module.
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

function credentialKey(request: FastifyRequest): string {
  const authorization = request.headers.authorization;
  const cookie = request.headers.cookie;
  const credential = authorization ?? cookie;
  // Hashed so the limiter's memory never holds a secret.
  return credential ? `c:${createHash('sha1').update(credential).digest('base64url')}` : `ip:${request.ip}`;
}

export async function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  await app.register(fastifyRateLimit, {
    max: options.perMinute,
    timeWindow: 60_000,
    hook: 'onRequest',
    keyGenerator: credentialKey,
    errorResponseBuilder: (_request, context) =>
      new PlatformError('rate_limited', `Too many requests from this credential: at most ${context.max} a minute.`, {
        extra: { retry_after_s: Math.max(1, Math.ceil(context.ttl / 1000)) },
      }),
  });
}
