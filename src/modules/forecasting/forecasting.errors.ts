import { AppError } from '../../platform/errors.ts';

export type ForecastingErrorCode = 'forecast_run_in_progress' | 'forecast_flag_invalid';

const httpStatusByCode = {
  // A second run over all items would compete with the first for the same rows and the same CPU.
  forecast_run_in_progress: 409,
  forecast_flag_invalid: 422,
} as const satisfies Record<ForecastingErrorCode, number>;

export const forecastingErrorStatuses: Readonly<Record<ForecastingErrorCode, number>> = httpStatusByCode;

export class ForecastingError extends AppError {
  constructor(code: ForecastingErrorCode, detail: string, options?: { extra?: Record<string, unknown> }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'ForecastingError';
  }
}
