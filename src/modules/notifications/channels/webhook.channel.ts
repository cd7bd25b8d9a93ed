import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import { parseRetryAfter } from '../backoff.ts';
import type { WebhookPayload } from '../enqueue.ts';
import { checkWebhookUrl, isPrivateAddress } from '../address-guard.ts';
import { openSecret } from '../secret-box.ts';
import { errorText, excerptOf, type Channel, type SendOutcome } from './channel.ts';

/**
 * Outbound webhooks as Standard Webhooks (standardwebhooks.com): the body is
 * `{ type, timestamp, data }`, signed with the `standardwebhooks` package over
 * "{webhook-id}.{webhook-timestamp}.{body}". `webhook-id` is the event id, the same on every retry,
 * so a receiver de-duplicates on it. During a rotation both secrets sign (space-separated).
 *
 * The connection resolves the host through a lookup that refuses private addresses, so the
 * address checked is the address connected to.
 */
const responseBytesMax = 4096;

export const webhookChannel: Channel = {
  async send(delivery, ctx): Promise<SendOutcome> {
    const subscription = await ctx.db.kysely.selectFrom('webhook_subscriptions').selectAll().where('id', '=', delivery.destination).executeTakeFirst();
    if (!subscription) return { ok: false, permanent: true, error: 'the subscription was deleted' };
    if (!subscription.active) return { ok: false, permanent: true, error: 'the subscription is disabled' };
    const check = await checkWebhookUrl(subscription.url, ctx.settings.webhooksAllowPrivate);
    if (!check.ok) return { ok: false, permanent: true, error: `URL refused: ${check.reason}` };

    const payload = JSON.parse(delivery.payload) as WebhookPayload;
    const sentAt = new Date(ctx.now);
    const body = JSON.stringify({ type: payload.type, timestamp: sentAt.toISOString(), data: payload.data });
    const secrets = [openSecret(subscription.secret_sealed, ctx.env)];
    if (subscription.previous_secret_sealed && (subscription.previous_expires_at ?? 0) > ctx.now) secrets.push(openSecret(subscription.previous_secret_sealed, ctx.env));
    const signature = secrets.map((s) => new Webhook(s).sign(delivery.event_id, sentAt, body)).join(' ');
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Stockroom-Webhooks/1',
      'webhook-id': delivery.event_id,
      'webhook-timestamp': String(Math.floor(ctx.now / 1000)),
      'webhook-signature': signature,
    };
    try {
      const answer = await post(subscription.url, headers, body, ctx.timeoutMs, ctx.settings.webhooksAllowPrivate);
      const excerpt = excerptOf(answer.body);
      if (answer.status >= 200 && answer.status < 300) return { ok: true, statusCode: answer.status, excerpt };
      const retryAfterMs = parseRetryAfter(answer.retryAfter, ctx.now);
      return { ok: false, statusCode: answer.status, excerpt, error: `the receiver answered ${answer.status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    } catch (error) {
      const refused = (error as { code?: string }).code === 'EPRIVATEADDRESS';
      return { ok: false, error: errorText(error), ...(refused ? { permanent: true } : {}) };
    }
  },
};

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** dns.lookup that fails a connection to a private address (the send-time half of the guard). */
function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, options as dns.LookupAllOptions, (err, address: unknown, family?: number) => {
    if (err) return callback(err, '', undefined);
    const list = Array.isArray(address) ? (address as dns.LookupAddress[]).map((a) => a.address) : [address as string];
    const bad = list.find(isPrivateAddress);
    if (bad !== undefined) {
      const refused = Object.assign(new Error(`${hostname} resolved to ${bad}, a private address`), { code: 'EPRIVATEADDRESS' });
      return callback(refused, '', undefined);
    }
    callback(null, address as string, family);
  });
}

interface Answer {
  status: number;
  body: string;
  retryAfter: string | undefined;
}

function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, allowPrivate: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(allowPrivate ? {} : { lookup: guardedLookup as never }),
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < responseBytesMax) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, responseBytesMax).toString('utf8'), retryAfter: response.headers['retry-after'] }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
