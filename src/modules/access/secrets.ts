import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe: the session id in the cookie, the CSRF token, a token's secret. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * sha256 is the right hash for secrets that are themselves 256 random bits: nobody can guess
 * them, so a slow hash would only slow every request down. Passwords get argon2id instead.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
