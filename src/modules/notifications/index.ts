import { registerStockObserver } from '../ledger/index.ts';
import { activeSubscriptionsRead, emitStockLevels, type ActiveSubscription } from './webhook-events.ts';

// Every posting or reservation tells subscribers of stock.level_changed, in its own transaction.
registerStockObserver({
  name: 'webhooks.stock_level_changed',
  firstRead: (db) => activeSubscriptionsRead(db),
  stockChanged: (trx, touches, now, active) => emitStockLevels(trx, touches, now, active as readonly ActiveSubscription[]),
});

export { enqueueDelivery, onDeliveryEnqueued, type DeliveryRequest, type EmailPayload, type SmsPayload, type WebhookPayload } from './enqueue.ts';
export { emitWebhookEvent, subscribersOf, WEBHOOK_EVENT_TYPES, type WebhookEvent, type WebhookEventType } from './webhook-events.ts';
export { DeliveryWorker, onDelivered, onDeadLettered, claimDeliveries, purgeDeliveredDeliveries, type DeliveryWorkerOptions, type ChannelName } from './delivery-worker.ts';
export { registerAttachmentRenderer, type AttachmentRenderer } from './channels/email.channel.ts';
export type { Channel, SendOutcome, ChannelContext } from './channels/channel.ts';
export { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff.ts';
export { registerNotificationRoutes } from './notifications.routes.ts';
export { NotificationError, notificationErrorStatuses, type NotificationErrorCode } from './notifications.errors.ts';
export { readNotificationSettings, writeNotificationSettings, type NotificationSettings } from './notification-settings.ts';
export { secretsKeyConfigured } from './secret-box.ts';
export { checkWebhookUrl } from './address-guard.ts';
export {
  createWebhookSubscription,
  deleteWebhookSubscription,
  getWebhookSubscription,
  listWebhookSubscriptions,
  rotateWebhookSecret,
  sendTestWebhook,
  updateWebhookSubscription,
} from './webhook-subscriptions.service.ts';
export { getDelivery, listDeliveries, listDestinations, pauseDestination, redeliver, resumeDestination } from './deliveries.service.ts';
