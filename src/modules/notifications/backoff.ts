/**
 * When to try a failed delivery again: exponential back-off with jitter. The n-th retry waits
 * between half and all of `baseMs · 2^(n−1)`, capped at `capMs`, so a burst of failures against
 * one receiver spreads out instead of returning in lock-step. A receiver's Retry-After wins when
 * it asks for longer (a 429 from the text provider), still capped.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** Attempts before a delivery is dead-lettered. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, capMs: 60 * 60_000, maxAttempts: 8 };

export function retryDelayMs(policy: BackoffPolicy, attempt: number, random: () => number, retryAfterMs?: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const jittered = Math.round(ceiling / 2 + random() * (ceiling / 2));
  if (retryAfterMs === undefined) return jittered;
  return Math.min(policy.capMs, Math.max(jittered, retryAfterMs));
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
