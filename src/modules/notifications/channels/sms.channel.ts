import { parseRetryAfter } from '../backoff.ts';
import type { SmsPayload } from '../enqueue.ts';
import { errorText, excerptOf, type Channel, type SendOutcome } from './channel.ts';

/**
 * Text messages through a Twilio-compatible REST API (Twilio's 2010-04-01 Messages resource):
 * POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP Basic (account SID, auth
 * token) and a form-encoded To, From and Body. A 429 carries Retry-After, which the worker honours.
 */
export const smsChannel: Channel = {
  async send(delivery, ctx): Promise<SendOutcome> {
    const { smsAccountSid: sid, smsAuthToken: token, smsFrom: from, smsBaseUrl: base } = ctx.settings;
    if (!sid || !token || !from) return { ok: false, error: 'the text provider is not configured (account SID, auth token and from-number)' };
    const payload = JSON.parse(delivery.payload) as SmsPayload;
    const url = `${base.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': delivery.event_id,
        },
        body: new URLSearchParams({ To: payload.to, From: from, Body: payload.body }).toString(),
        signal: AbortSignal.timeout(ctx.timeoutMs),
      });
      const text = await response.text();
      if (response.ok) {
        let ref: string | undefined;
        try {
          ref = (JSON.parse(text) as { sid?: string }).sid;
        } catch {
          ref = undefined;
        }
        return { ok: true, statusCode: response.status, excerpt: excerptOf(text), ...(ref ? { providerRef: ref } : {}) };
      }
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), ctx.now);
      return { ok: false, statusCode: response.status, excerpt: excerptOf(text), error: `the provider answered ${response.status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    } catch (error) {
      return { ok: false, error: errorText(error) };
    }
  },
};
