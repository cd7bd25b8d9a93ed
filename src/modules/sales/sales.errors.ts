import { AppError, type FieldError } from '../../platform/errors.ts';

export type SalesErrorCode =
  | 'sale_not_found'
  | 'sale_line_invalid'
  | 'location_not_sellable'
  | 'modifier_invalid'
  | 'discount_invalid'
  | 'payment_insufficient'
  | 'payment_invalid'
  | 'currency_mismatch'
  | 'sale_already_voided'
  | 'return_not_found'
  | 'return_invalid'
  | 'return_exceeds_sold'
  | 'exchange_not_found'
  | 'channel_not_found'
  | 'channel_invalid'
  | 'order_not_found'
  | 'order_invalid'
  | 'order_not_open'
  | 'order_conflict';

export const httpStatusByCode = {
  sale_not_found: 404,
  sale_line_invalid: 422,
  location_not_sellable: 422,
  modifier_invalid: 422,
  discount_invalid: 422,
  payment_insufficient: 422,
  payment_invalid: 422,
  currency_mismatch: 422,
  sale_already_voided: 409,
  return_not_found: 404,
  return_invalid: 422,
  return_exceeds_sold: 409,
  exchange_not_found: 404,
  channel_not_found: 404,
  channel_invalid: 422,
  order_not_found: 404,
  order_invalid: 422,
  order_not_open: 409,
  order_conflict: 409,
} as const satisfies Record<SalesErrorCode, number>;

export class SalesError extends AppError {
  constructor(code: SalesErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'SalesError';
  }
}
