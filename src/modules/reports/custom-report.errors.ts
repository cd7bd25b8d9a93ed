import { AppError } from '../../platform/errors.ts';

export type CustomReportErrorCode = 'report_too_broad';

const httpStatusByCode = {
  report_too_broad: 422,
} as const satisfies Record<CustomReportErrorCode, number>;

export const customReportErrorStatuses: Readonly<Record<CustomReportErrorCode, number>> = httpStatusByCode;

export class CustomReportError extends AppError {
  constructor(code: CustomReportErrorCode, detail: string, extra?: Record<string, unknown>) {
    super(code, httpStatusByCode[code], detail, { extra });
    this.name = 'CustomReportError';
  }
}
