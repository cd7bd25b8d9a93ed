import { AppError, type FieldError } from '../../platform/errors.ts';

export type OfflineErrorCode = 'occurred_at_too_old' | 'occurred_at_in_future';

export const httpStatusByCode = {
  occurred_at_too_old: 422,
  occurred_at_in_future: 422,
} as const satisfies Record<OfflineErrorCode, number>;

export class OfflineError extends AppError {
  constructor(code: OfflineErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'OfflineError';
  }
}
