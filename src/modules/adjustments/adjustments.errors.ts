import { AppError, type FieldError } from '../../platform/errors.ts';

export type AdjustmentErrorCode = 'adjustment_not_found' | 'adjustment_line_invalid' | 'adjustment_already_reversed';

export const httpStatusByCode = {
  adjustment_not_found: 404,
  adjustment_line_invalid: 422,
  adjustment_already_reversed: 409,
} as const satisfies Record<AdjustmentErrorCode, number>;

export class AdjustmentError extends AppError {
  constructor(code: AdjustmentErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'AdjustmentError';
  }
}
