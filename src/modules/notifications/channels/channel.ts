import type { Database } from '../../../platform/db/database.ts';
import type { DeliveryTable } from '../../../platform/db/schema.ts';
import type { NotificationSettings } from '../notification-settings.ts';

/** What one attempt came to, as the worker records it in the delivery log. */
export interface SendOutcome {
  ok: boolean;
  /** HTTP status or SMTP reply code, when the far side answered. */
  statusCode?: number;
  /** The start of the answer (at most 500 characters), for the log. */
  excerpt?: string;
  error?: string;
  /** The far side asked to wait this long (429 Retry-After). */
  retryAfterMs?: number;
  /** Retrying cannot help (the subscription is gone, the URL is refused): dead-letter at once. */
  permanent?: boolean;
  /** What the far side calls the message (SMTP message id, the provider's SID). */
  providerRef?: string;
}

export interface ChannelContext {
  db: Database;
  settings: NotificationSettings;
  now: number;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
}

/** One way out of the building. Other text providers can be added behind the same interface. */
export interface Channel {
  send(delivery: DeliveryTable, ctx: ChannelContext): Promise<SendOutcome>;
}

export const EXCERPT_CHARS = 500;

export function excerptOf(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.name === 'TimeoutError' || error.name === 'AbortError' ? 'timed out' : error.message;
  return String(error);
}
