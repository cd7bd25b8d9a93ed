import { AppError, type FieldError } from '../../platform/errors.ts';

export type CatalogErrorCode =
  | 'item_not_found'
  | 'sku_taken'
  | 'barcode_taken'
  | 'barcode_invalid'
  | 'component_cycle'
  | 'component_invalid'
  | 'item_has_movements'
  | 'item_in_use'
  | 'item_locked_field'
  | 'item_archived'
  | 'item_not_stocked'
  | 'lot_invalid'
  | 'unit_invalid'
  | 'modifier_group_not_found'
  | 'modifier_invalid';

export const httpStatusByCode = {
  item_not_found: 404,
  sku_taken: 409,
  barcode_taken: 409,
  barcode_invalid: 422,
  component_cycle: 422,
  component_invalid: 422,
  item_has_movements: 409,
  item_in_use: 409,
  item_locked_field: 409,
  item_archived: 409,
  item_not_stocked: 422,
  lot_invalid: 422,
  unit_invalid: 422,
  modifier_group_not_found: 404,
  modifier_invalid: 422,
} as const satisfies Record<CatalogErrorCode, number>;

export class CatalogError extends AppError {
  constructor(code: CatalogErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'CatalogError';
  }
}
