import { AppError, type FieldError } from '../../platform/errors.ts';

export type FulfillmentErrorCode = 'pick_list_not_found' | 'shipment_not_found' | 'nothing_to_pick' | 'pick_list_state' | 'shipment_state' | 'shipment_invalid';

export const httpStatusByCode = {
  pick_list_not_found: 404,
  shipment_not_found: 404,
  nothing_to_pick: 409,
  pick_list_state: 409,
  shipment_state: 409,
  shipment_invalid: 422,
} as const satisfies Record<FulfillmentErrorCode, number>;

export class FulfillmentError extends AppError {
  constructor(code: FulfillmentErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'FulfillmentError';
  }
}
