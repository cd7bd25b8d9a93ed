import { AppError, type FieldError } from '../../platform/errors.ts';

export type LabelErrorCode = 'label_request_invalid' | 'label_printer_not_configured' | 'label_printer_unreachable';

const httpStatusByCode = {
  label_request_invalid: 422,
  label_printer_not_configured: 409,
  label_printer_unreachable: 502,
} as const satisfies Record<LabelErrorCode, number>;

export const labelErrorStatuses: Readonly<Record<LabelErrorCode, number>> = httpStatusByCode;

export class LabelError extends AppError {
  constructor(code: LabelErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'LabelError';
  }
}
