import { AppError, type FieldError } from '../../platform/errors.ts';

export type TaxErrorCode = 'tax_rate_not_found' | 'tax_rate_in_use' | 'tax_rule_invalid';

export const httpStatusByCode = {
  tax_rate_not_found: 404,
  tax_rate_in_use: 409,
  tax_rule_invalid: 422,
} as const satisfies Record<TaxErrorCode, number>;

export const taxErrorStatuses: Readonly<Record<TaxErrorCode, number>> = httpStatusByCode;

export class TaxError extends AppError {
  constructor(code: TaxErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'TaxError';
  }
}
