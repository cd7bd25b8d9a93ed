import { AppError, type FieldError } from '../../platform/errors.ts';

export type NotificationErrorCode =
  | 'delivery_not_found'
  | 'delivery_state'
  | 'webhook_subscription_not_found'
  | 'webhook_url_refused'
  | 'webhook_event_type_unknown'
  | 'destination_not_paused';

const httpStatusByCode = {
  delivery_not_found: 404,
  delivery_state: 409,
  webhook_subscription_not_found: 404,
  webhook_url_refused: 422,
  webhook_event_type_unknown: 422,
  destination_not_paused: 409,
} as const satisfies Record<NotificationErrorCode, number>;

export const notificationErrorStatuses: Readonly<Record<NotificationErrorCode, number>> = httpStatusByCode;

export class NotificationError extends AppError {
  constructor(code: NotificationErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'NotificationError';
  }
}
