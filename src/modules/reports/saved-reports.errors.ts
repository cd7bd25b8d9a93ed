import { AppError } from '../../platform/errors.ts';

export type SavedReportErrorCode = 'saved_report_not_found' | 'report_schedule_not_found' | 'saved_report_not_yours';

const httpStatusByCode = {
  saved_report_not_found: 404,
  report_schedule_not_found: 404,
  saved_report_not_yours: 403,
} as const satisfies Record<SavedReportErrorCode, number>;

export const savedReportErrorStatuses: Readonly<Record<SavedReportErrorCode, number>> = httpStatusByCode;

export class SavedReportError extends AppError {
  constructor(code: SavedReportErrorCode, detail: string, extra?: Record<string, unknown>) {
    super(code, httpStatusByCode[code], detail, { extra });
    this.name = 'SavedReportError';
  }
}
