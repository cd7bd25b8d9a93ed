import { AppError, type FieldError } from '../../platform/errors.ts';

export type ReplenishmentErrorCode = 'stock_level_not_found' | 'stock_level_invalid' | 'replenishment_line_invalid';

const httpStatusByCode = {
  stock_level_not_found: 404,
  stock_level_invalid: 422,
  replenishment_line_invalid: 422,
} as const satisfies Record<ReplenishmentErrorCode, number>;

export const replenishmentErrorStatuses: Readonly<Record<ReplenishmentErrorCode, number>> = httpStatusByCode;

export class ReplenishmentError extends AppError {
  constructor(code: ReplenishmentErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'ReplenishmentError';
  }
}
