import { AppError, type FieldError } from '../../../platform/errors.ts';

export type GoogleFeedErrorCode = 'google_feed_not_found' | 'google_feed_invalid' | 'google_merchant_invalid' | 'google_merchant_not_connected';

export const googleFeedErrorStatuses = {
  google_feed_not_found: 404,
  google_feed_invalid: 422,
  google_merchant_invalid: 422,
  google_merchant_not_connected: 409,
} as const satisfies Record<GoogleFeedErrorCode, number>;

export class GoogleFeedError extends AppError {
  constructor(code: GoogleFeedErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, googleFeedErrorStatuses[code], detail, options);
    this.name = 'GoogleFeedError';
  }
}
