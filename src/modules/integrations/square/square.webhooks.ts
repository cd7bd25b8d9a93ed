/**
 * Square webhook verification. Square signs `notification URL + raw body` with HMAC-SHA256 keyed by
 * the subscription's signature key and sends it base64 in `x-square-hmacsha256-signature`.
 *
 * The SDK's `WebhooksHelper.verifySignature` is not used: it is async (the adapter contract is
 * synchronous), takes the body as a string (we must sign the received bytes), and compares with
 * `===` where a constant-time comparison is wanted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Credentials, WebhookEvent, WebhookRefusal, WebhookRequest } from '../adapter.ts';

const SIGNATURE_HEADER = 'x-square-hmacsha256-signature';

/**
 * Square retries an unacknowledged notification for up to 72 hours after the event; anything
 * older cannot be a genuine delivery, so it is refused as a replay. An hour of margin covers clocks.
 */
export const SQUARE_STALE_AFTER_MS = 73 * 60 * 60 * 1000;

export function squareSignature(notificationUrl: string, rawBody: Buffer | string, signatureKey: string): string {
  return createHmac('sha256', signatureKey).update(notificationUrl).update(rawBody).digest('base64');
}

function headerValue(headers: WebhookRequest['headers'], name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function signatureMatches(request: WebhookRequest, signatureKey: string, sent: string): boolean {
  const expected = Buffer.from(squareSignature(request.notificationUrl, request.rawBody, signatureKey));
  const actual = Buffer.from(sent);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

interface SquareNotification {
  event_id?: unknown;
  type?: unknown;
  created_at?: unknown;
  data?: { type?: unknown; id?: unknown };
}

function parseNotification(rawBody: Buffer): SquareNotification | null {
  try {
    const parsed: unknown = JSON.parse(rawBody.toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as SquareNotification) : null;
  } catch {
    return null;
  }
}

/**
 * Order notifications carry only the order's id, state and version, never its lines, so the event
 * names the order and the core fetches it whole (`getOrder`).
 */
function orderRefOf(notification: SquareNotification): { orderRef: string } | null {
  const type = String(notification.type);
  if (!type.startsWith('order.') || notification.data?.type !== 'order') return null;
  return typeof notification.data.id === 'string' && notification.data.id ? { orderRef: notification.data.id } : null;
}

export function verifySquareWebhook(request: WebhookRequest, credentials: Credentials, nowMs: number): WebhookEvent | { refused: WebhookRefusal } {
  const sent = headerValue(request.headers, SIGNATURE_HEADER);
  if (!sent) return { refused: 'unsigned' };
  const key = credentials.webhookSignatureKey;
  if (!key || !signatureMatches(request, key, sent)) return { refused: 'bad_signature' };
  const notification = parseNotification(request.rawBody);
  if (!notification || typeof notification.event_id !== 'string' || !notification.event_id || typeof notification.type !== 'string') {
    return { refused: 'malformed' };
  }
  const firedAt = typeof notification.created_at === 'string' ? Date.parse(notification.created_at) : Number.NaN;
  if (Number.isNaN(firedAt)) return { refused: 'malformed' };
  if (nowMs - firedAt > SQUARE_STALE_AFTER_MS) return { refused: 'stale' };
  const order = orderRefOf(notification);
  if (notification.type.startsWith('order.') && !order) return { refused: 'malformed' };
  return { eventId: notification.event_id, topic: notification.type, firedAt, order };
}
