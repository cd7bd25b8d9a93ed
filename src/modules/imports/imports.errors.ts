import { AppError, type FieldError } from '../../platform/errors.ts';

export type ImportErrorCode = 'import_file_invalid' | 'import_invalid' | 'import_batch_failed' | 'import_not_found';

export const httpStatusByCode = {
  import_file_invalid: 422,
  import_invalid: 422,
  import_batch_failed: 409,
  import_not_found: 404,
} as const satisfies Record<ImportErrorCode, number>;

export class ImportError extends AppError {
  constructor(code: ImportErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'ImportError';
  }
}
