import type { Executor } from '../../platform/db/transaction.ts';
import { readSettings } from '../settings/index.ts';
import { OfflineError } from './offline.errors.ts';

/**
 * `occurred_at`: the moment a till or a scanner really made a sale, a receipt, an adjustment or a
 * count while it could not reach the server. The document is written when the queue replays, and
 * is valued at that moment through the ledger's back-dated path. The window is bounded: a queue
 * older than the shop's `offline_window_days` is more likely a lost phone found in a drawer than
 * an outage, and a moment ahead of the server by more than clock skew is a wrong clock.
 */

const DAY_MS = 86_400_000;
/** Tills' clocks drift; a few minutes ahead of the server is skew, not the future. */
export const OCCURRED_AT_SKEW_MS = 5 * 60 * 1000;

export interface OccurredAtWindow {
  earliest: number;
  latest: number;
}

export function occurredAtWindow(now: number, windowDays: number): OccurredAtWindow {
  return { earliest: now - windowDays * DAY_MS, latest: now + OCCURRED_AT_SKEW_MS };
}

/** Throws `occurred_at_too_old` or `occurred_at_in_future` unless the moment lies in the window. */
export function assertOccurredAtInWindow(occurredAt: number, window: OccurredAtWindow, field: string): void {
  if (occurredAt < window.earliest) {
    throw new OfflineError('occurred_at_too_old', `${new Date(occurredAt).toISOString()} is earlier than this shop accepts offline work (${new Date(window.earliest).toISOString()}).`, {
      errors: [{ field, code: 'too_old', message: 'earlier than the shop’s offline window' }],
      extra: { earliest: new Date(window.earliest).toISOString() },
    });
  }
  if (occurredAt > window.latest) {
    throw new OfflineError('occurred_at_in_future', `${new Date(occurredAt).toISOString()} is in the future; check the device’s clock.`, {
      errors: [{ field, code: 'in_future', message: 'after the present moment' }],
    });
  }
}

/**
 * The effective time of a document that may carry `occurred_at`: the moment itself once checked
 * against the shop's window, or undefined (now) when none was given.
 */
export async function checkOccurredAt(db: Executor, occurredAt: number | undefined, now: number, field = 'body.occurred_at'): Promise<number | undefined> {
  if (occurredAt === undefined) return undefined;
  const settings = await readSettings(db);
  assertOccurredAtInWindow(occurredAt, occurredAtWindow(now, settings.offline_window_days), field);
  // Within the skew a moment slightly ahead is the present: the ledger refuses postings dated after it records them.
  return Math.min(occurredAt, now);
}
