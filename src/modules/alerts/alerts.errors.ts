import { AppError, type FieldError } from '../../platform/errors.ts';

export type AlertErrorCode = 'alert_user_not_found' | 'alert_subscription_not_found' | 'alert_subscription_invalid' | 'alert_subscription_exists' | 'alert_rule_invalid';

export const alertErrorStatuses = {
  alert_user_not_found: 404,
  alert_subscription_not_found: 404,
  alert_subscription_invalid: 422,
  alert_subscription_exists: 409,
  alert_rule_invalid: 422,
} as const satisfies Record<AlertErrorCode, number>;

export class AlertError extends AppError {
  constructor(code: AlertErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, alertErrorStatuses[code], detail, options);
    this.name = 'AlertError';
  }
}
