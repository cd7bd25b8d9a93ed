import type { Transporter } from 'nodemailer';
import type { Database } from '../../../platform/db/database.ts';
import type { EmailPayload } from '../enqueue.ts';
import { errorText, excerptOf, type Channel, type SendOutcome } from './channel.ts';

/**
 * Email over SMTP with nodemailer. Files travel by reference in the outbox (a purchase order's
 * PDF) and are rendered here, at send time, by the renderer their module registered. The
 * Message-ID is derived from the event id, so a retried email is recognisably the same message.
 */
export type AttachmentRenderer = (db: Database, id: string) => Promise<{ content: Buffer; contentType: string }>;

const renderers = new Map<string, AttachmentRenderer>();

/** A module names a kind of file (`purchase_order_pdf`) and how to render it for an email. */
export function registerAttachmentRenderer(kind: string, render: AttachmentRenderer): void {
  renderers.set(kind, render);
}

const transports = new Map<string, Transporter>();

/** nodemailer is loaded with the first email, not when the server starts. */
async function transportFor(url: string, timeoutMs: number): Promise<Transporter> {
  const key = `${url}\u0000${timeoutMs}`;
  let transport = transports.get(key);
  if (!transport) {
    const { default: nodemailer } = await import('nodemailer');
    transport = nodemailer.createTransport(url, { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs } as never);
    transports.set(key, transport);
  }
  return transport;
}

export const emailChannel: Channel = {
  async send(delivery, ctx): Promise<SendOutcome> {
    const url = ctx.settings.smtpUrl;
    if (!url) return { ok: false, error: 'no SMTP server is configured (SMTP_URL or the notification settings)' };
    const payload = JSON.parse(delivery.payload) as EmailPayload;
    const attachments = [];
    for (const file of payload.attachments ?? []) {
      const render = renderers.get(file.kind);
      if (!render) return { ok: false, permanent: true, error: `no renderer for attachments of kind ${file.kind}` };
      const { content, contentType } = await render(ctx.db, file.id);
      attachments.push({ filename: file.filename, content, contentType });
    }
    try {
      const info = await (await transportFor(url, ctx.timeoutMs)).sendMail({
        from: ctx.settings.mailFrom,
        to: payload.to,
        ...(payload.cc?.length ? { cc: payload.cc } : {}),
        subject: payload.subject,
        text: payload.text,
        ...(payload.html ? { html: payload.html } : {}),
        attachments,
        messageId: `<${delivery.event_id}.${delivery.id}@stockroom>`,
        headers: { 'X-Stockroom-Event-Id': delivery.event_id },
      });
      return { ok: true, statusCode: 250, excerpt: excerptOf(String(info.response ?? '')), providerRef: info.messageId };
    } catch (error) {
      const smtp = error as { responseCode?: number; response?: string };
      return { ok: false, ...(smtp.responseCode ? { statusCode: smtp.responseCode } : {}), ...(smtp.response ? { excerpt: excerptOf(smtp.response) } : {}), error: errorText(error) };
    }
  },
};
