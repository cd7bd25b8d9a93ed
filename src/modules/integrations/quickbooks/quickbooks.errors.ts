import { AppError, type FieldError } from '../../../platform/errors.ts';

export type QuickbooksErrorCode = 'quickbooks_not_configured' | 'quickbooks_not_connected' | 'quickbooks_auth_failed';

export const quickbooksErrorStatuses = {
  quickbooks_not_configured: 409,
  quickbooks_not_connected: 409,
  quickbooks_auth_failed: 502,
} as const satisfies Record<QuickbooksErrorCode, number>;

export class QuickbooksError extends AppError {
  constructor(code: QuickbooksErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, quickbooksErrorStatuses[code], detail, options);
    this.name = 'QuickbooksError';
  }
}
