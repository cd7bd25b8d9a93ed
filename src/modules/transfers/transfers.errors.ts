import { AppError, type FieldError } from '../../platform/errors.ts';

export type TransferErrorCode =
  | 'transfer_not_found'
  | 'transfer_state'
  | 'transfer_sites_invalid'
  | 'transfer_line_invalid'
  | 'transfer_side_forbidden'
  | 'transfer_pick_invalid'
  | 'transfer_nothing_to_ship'
  | 'transfer_receive_invalid'
  | 'transfer_over_receipt'
  | 'bin_move_invalid';

const httpStatusByCode = {
  transfer_not_found: 404,
  transfer_state: 409,
  transfer_sites_invalid: 422,
  transfer_line_invalid: 422,
  transfer_side_forbidden: 403,
  transfer_pick_invalid: 422,
  transfer_nothing_to_ship: 409,
  transfer_receive_invalid: 422,
  transfer_over_receipt: 422,
  bin_move_invalid: 422,
} as const satisfies Record<TransferErrorCode, number>;

export const transferErrorStatuses: Readonly<Record<TransferErrorCode, number>> = httpStatusByCode;

export class TransferError extends AppError {
  constructor(code: TransferErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'TransferError';
  }
}
