import { AppError, type FieldError } from '../../platform/errors.ts';

export type ProductErrorCode = 'product_not_found' | 'product_handle_taken' | 'product_option_invalid' | 'variant_exists' | 'variant_limit';

export const httpStatusByCode = {
  product_not_found: 404,
  product_handle_taken: 409,
  product_option_invalid: 422,
  variant_exists: 409,
  variant_limit: 422,
} as const satisfies Record<ProductErrorCode, number>;

export class ProductError extends AppError {
  constructor(code: ProductErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'ProductError';
  }
}
