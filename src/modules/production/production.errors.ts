import { AppError, type FieldError } from '../../platform/errors.ts';

export type ProductionErrorCode =
  | 'bom_not_found'
  | 'bom_invalid'
  | 'bom_cycle'
  | 'production_order_not_found'
  | 'production_order_state'
  | 'production_order_invalid'
  | 'production_completion_invalid'
  | 'disassembly_not_found'
  | 'disassembly_invalid';

const httpStatusByCode = {
  bom_not_found: 404,
  bom_invalid: 422,
  bom_cycle: 422,
  production_order_not_found: 404,
  production_order_state: 409,
  production_order_invalid: 422,
  production_completion_invalid: 422,
  disassembly_not_found: 404,
  disassembly_invalid: 422,
} as const satisfies Record<ProductionErrorCode, number>;

export const productionErrorStatuses: Readonly<Record<ProductionErrorCode, number>> = httpStatusByCode;

export class ProductionError extends AppError {
  constructor(code: ProductionErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'ProductionError';
  }
}
