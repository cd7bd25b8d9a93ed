import { systemActor, type ServiceContext } from '../../platform/context.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import type { PurchaseOrderTable } from '../../platform/db/schema.ts';
import { systemClock } from '../../platform/clock.ts';
import { emitWebhookEvent, enqueueDelivery, onDelivered, registerAttachmentRenderer } from '../notifications/index.ts';
import { readSettings } from '../settings/index.ts';
import { loadPurchaseOrderDocument } from './purchase-order-export.ts';
import { renderPurchaseOrderPdf } from './purchase-order-pdf.ts';

/**
 * "Send" emails the purchase order to the vendor, with a copy to the person who sent it: the
 * email is queued in the send's own transaction (so it goes if and only if the order is sent) and
 * carries the PDF by reference, rendered by the worker when it sends, with prices (it is the
 * vendor's copy). When the mail server accepts it, the message id is written on the order.
 */
export const PURCHASE_ORDER_EMAIL_EVENT = 'purchase_order.emailed';
const pdfKind = 'purchase_order_pdf';

registerAttachmentRenderer(pdfKind, async (db, id) => {
  const doc = await loadPurchaseOrderDocument({ db, clock: systemClock, actor: systemActor }, id, true);
  return { content: await renderPurchaseOrderPdf(doc), contentType: 'application/pdf' };
});

onDelivered(PURCHASE_ORDER_EMAIL_EVENT, async (trx, delivery, outcome) => {
  await trx.updateTable('purchase_orders').set({ email_message_id: outcome.providerRef ?? null }).where('email_delivery_id', '=', delivery.id).execute();
});

/** Queues the vendor's email (none when the vendor has no address) and the purchase_order.sent webhook event. */
export async function queuePurchaseOrderEmail(ctx: ServiceContext, trx: Trx, po: PurchaseOrderTable, now: number): Promise<void> {
  await emitWebhookEvent(trx, { type: 'purchase_order.sent', data: { purchase_order_id: po.id, number: po.number, vendor_id: po.vendor_id }, orderingKey: po.id }, now);
  const vendor = await trx.selectFrom('vendors').select(['name', 'email', 'contact_name']).where('id', '=', po.vendor_id).executeTakeFirst();
  if (!vendor?.email) return;
  const sender = ctx.actor.kind === 'user' ? await trx.selectFrom('users').select(['email', 'name']).where('id', '=', ctx.actor.id).executeTakeFirst() : undefined;
  const shop = (await readSettings(trx)).shop_name;
  const greeting = vendor.contact_name ? `Dear ${vendor.contact_name},` : `Dear ${vendor.name},`;
  const text = `${greeting}\n\nPlease find attached our purchase order ${po.number}.\n\nKind regards,\n${sender?.name ?? shop}\n${shop}\n`;
  const html = `<p>${escapeHtml(greeting)}</p><p>Please find attached our purchase order <strong>${escapeHtml(po.number)}</strong>.</p><p>Kind regards,<br>${escapeHtml(sender?.name ?? shop)}<br>${escapeHtml(shop)}</p>`;
  const deliveryId = await enqueueDelivery(
    trx,
    {
      channel: 'email',
      destination: vendor.email.toLowerCase(),
      eventType: PURCHASE_ORDER_EMAIL_EVENT,
      payload: {
        to: [vendor.email],
        ...(sender?.email ? { cc: [sender.email] } : {}),
        subject: `Purchase order ${po.number} from ${shop}`,
        text,
        html,
        attachments: [{ kind: pdfKind, id: po.id, filename: `${po.number}.pdf` }],
      },
    },
    now,
  );
  await trx.updateTable('purchase_orders').set({ email_delivery_id: deliveryId, email_message_id: null }).where('id', '=', po.id).execute();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
