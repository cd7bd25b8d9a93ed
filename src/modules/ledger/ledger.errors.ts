import { AppError, type FieldError } from '../../platform/errors.ts';

export type LedgerErrorCode =
  | 'insufficient_stock'
  | 'serial_in_stock'
  | 'movement_invalid'
  | 'item_not_stockable'
  | 'lot_required'
  | 'lot_invalid'
  | 'reservation_not_found'
  | 'reservation_invalid';

export const httpStatusByCode = {
  insufficient_stock: 409,
  serial_in_stock: 409,
  movement_invalid: 422,
  item_not_stockable: 422,
  lot_required: 422,
  lot_invalid: 422,
  reservation_not_found: 404,
  reservation_invalid: 422,
} as const satisfies Record<LedgerErrorCode, number>;

/** What any posting can answer with: a route whose command posts movements declares these. */
export const postingErrorCodes = [
  'insufficient_stock',
  'serial_in_stock',
  'movement_invalid',
  'item_not_stockable',
  'lot_required',
  'lot_invalid',
  'reservation_invalid',
] as const satisfies readonly LedgerErrorCode[];

export class LedgerError extends AppError {
  constructor(code: LedgerErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'LedgerError';
  }
}

/** Which balance fell short, by how much; carried in the 409 so a client can say it in words. */
export interface Shortfall {
  item_id: string;
  location_id: string;
  lot_id: string | null;
  requested: number;
  available: number;
}

export function insufficientStock(shortfall: Shortfall): LedgerError {
  return new LedgerError(
    'insufficient_stock',
    `Only ${shortfall.available} available of ${shortfall.item_id} at ${shortfall.location_id}; ${shortfall.requested} needed.`,
    { extra: { shortfall } },
  );
}
