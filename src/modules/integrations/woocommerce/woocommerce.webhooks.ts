/**
 * WooCommerce webhook verification: `X-WC-Webhook-Signature` is base64 HMAC-SHA256 of the raw
 * body keyed with the webhook's secret. Woo sends no timestamp, so there is no staleness check;
 * a replayed old delivery is harmless because the core applies an order state only when its
 * version (`date_modified_gmt`) is newer than the one it holds.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Credentials, WebhookEvent, WebhookRefusal, WebhookRequest } from '../adapter.ts';
import { epochFromWooGmt, orderFromWoo } from './woocommerce.mapping.ts';
import type { WooOrder } from './woocommerce.types.ts';

export function wooSignature(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

function headerValue(headers: WebhookRequest['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()] ?? headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function signatureMatches(rawBody: Buffer, secret: string, sent: string): boolean {
  const expected = Buffer.from(wooSignature(rawBody, secret));
  const actual = Buffer.from(sent);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * WooCommerce makes a delivery id by hashing the webhook id with the current second, so two
 * different events from one webhook within a second share it. The body's digest is added so those
 * stay two events, while a repeated delivery (same id, same bytes) still collapses to one key.
 */
export function wooEventId(deliveryId: string, rawBody: Buffer): string {
  return `${deliveryId}:${createHash('sha256').update(rawBody).digest('hex').slice(0, 16)}`;
}

function parseBody(rawBody: Buffer): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(rawBody.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function isFullOrder(body: Record<string, unknown>): body is Record<string, unknown> & WooOrder {
  return typeof body.id === 'number' && typeof body.date_modified_gmt === 'string' && typeof body.date_created_gmt === 'string' && Array.isArray(body.line_items);
}

/**
 * An order body is complete except for its refunds, which Woo summarises without their lines:
 * an order with refunds is passed on by reference, and the core fetches it with `getOrder`.
 * `order.deleted` carries only the id.
 */
function orderOf(topic: string, body: Record<string, unknown>): WebhookEvent['order'] | 'malformed' {
  if (!topic.startsWith('order.')) return null;
  if (typeof body.id !== 'number' || !Number.isSafeInteger(body.id)) return 'malformed';
  const orderRef = String(body.id);
  if (topic === 'order.deleted' || !isFullOrder(body)) return topic === 'order.deleted' ? { orderRef } : 'malformed';
  if (Array.isArray(body.refunds) && body.refunds.length > 0) return { orderRef };
  try {
    return orderFromWoo(body, []);
  } catch {
    return 'malformed';
  }
}

export function verifyWooWebhook(request: WebhookRequest, credentials: Credentials, nowMs: number): WebhookEvent | { refused: WebhookRefusal } {
  const sent = headerValue(request.headers, 'x-wc-webhook-signature');
  if (!sent) return { refused: 'unsigned' };
  const secret = credentials.webhookSecret;
  if (!secret || !signatureMatches(request.rawBody, secret, sent)) return { refused: 'bad_signature' };
  const deliveryId = headerValue(request.headers, 'x-wc-webhook-delivery-id');
  const topic = headerValue(request.headers, 'x-wc-webhook-topic');
  const body = parseBody(request.rawBody);
  if (!deliveryId || !topic || !body) return { refused: 'malformed' };
  const order = orderOf(topic, body);
  if (order === 'malformed') return { refused: 'malformed' };
  const firedAt = order && 'version' in order ? order.version : typeof body.date_modified_gmt === 'string' ? safeEpoch(body.date_modified_gmt, nowMs) : nowMs;
  return { eventId: wooEventId(deliveryId, request.rawBody), topic, firedAt, order };
}

function safeEpoch(text: string, fallback: number): number {
  try {
    return epochFromWooGmt(text);
  } catch {
    return fallback;
  }
}
