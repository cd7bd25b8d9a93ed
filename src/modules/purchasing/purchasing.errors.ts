import { AppError, type FieldError } from '../../platform/errors.ts';

export type PurchasingErrorCode =
  | 'vendor_not_found'
  | 'vendor_name_taken'
  | 'vendor_in_use'
  | 'vendor_archived'
  | 'vendor_currency_locked'
  | 'vendor_item_not_found'
  | 'vendor_item_invalid'
  | 'purchase_order_not_found'
  | 'purchase_order_line_not_found'
  | 'purchase_order_line_invalid'
  | 'purchase_order_transition_invalid'
  | 'purchase_order_not_editable'
  | 'purchase_order_not_receivable'
  | 'unit_conversion_inexact'
  | 'receipt_not_found'
  | 'receipt_line_not_found'
  | 'receipt_line_invalid'
  | 'receipt_transition_invalid'
  | 'receipt_not_editable'
  | 'scan_not_recognized'
  | 'exchange_rate_missing'
  | 'landed_cost_invalid'
  | 'vendor_return_not_found'
  | 'vendor_return_line_invalid'
  | 'vendor_return_transition_invalid';

export const httpStatusByCode = {
  vendor_not_found: 404,
  vendor_name_taken: 409,
  vendor_in_use: 409,
  vendor_archived: 409,
  vendor_currency_locked: 409,
  vendor_item_not_found: 404,
  vendor_item_invalid: 422,
  purchase_order_not_found: 404,
  purchase_order_line_not_found: 404,
  purchase_order_line_invalid: 422,
  purchase_order_transition_invalid: 409,
  purchase_order_not_editable: 409,
  purchase_order_not_receivable: 409,
  unit_conversion_inexact: 422,
  receipt_not_found: 404,
  receipt_line_not_found: 404,
  receipt_line_invalid: 422,
  receipt_transition_invalid: 409,
  receipt_not_editable: 409,
  scan_not_recognized: 422,
  exchange_rate_missing: 422,
  landed_cost_invalid: 422,
  vendor_return_not_found: 404,
  vendor_return_line_invalid: 422,
  vendor_return_transition_invalid: 409,
} as const satisfies Record<PurchasingErrorCode, number>;

export class PurchasingError extends AppError {
  constructor(code: PurchasingErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'PurchasingError';
  }
}
