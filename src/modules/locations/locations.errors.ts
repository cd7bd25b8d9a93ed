import { AppError } from '../../platform/errors.ts';

export type LocationErrorCode =
  | 'location_not_found'
  | 'location_code_taken'
  | 'location_parent_invalid'
  | 'location_not_stockable'
  | 'location_policy_not_settable';

export const httpStatusByCode = {
  location_not_found: 404,
  location_code_taken: 409,
  location_parent_invalid: 422,
  location_not_stockable: 422,
  location_policy_not_settable: 422,
} as const satisfies Record<LocationErrorCode, number>;

export class LocationError extends AppError {
  constructor(code: LocationErrorCode, detail: string, extra?: Record<string, unknown>) {
    super(code, httpStatusByCode[code], detail, { extra });
    this.name = 'LocationError';
  }
}
