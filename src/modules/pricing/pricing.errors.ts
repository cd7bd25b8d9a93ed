import { AppError, type FieldError } from '../../platform/errors.ts';

export type PricingErrorCode = 'pricing_rule_invalid' | 'pricing_selection_empty';

const httpStatusByCode = {
  pricing_rule_invalid: 422,
  pricing_selection_empty: 422,
} as const satisfies Record<PricingErrorCode, number>;

export const pricingErrorStatuses: Readonly<Record<PricingErrorCode, number>> = httpStatusByCode;

export class PricingError extends AppError {
  constructor(code: PricingErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'PricingError';
  }
}
