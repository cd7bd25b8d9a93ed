import { AppError, type FieldError } from '../../platform/errors.ts';

export type AccessErrorCode =
  | 'invalid_credentials'
  | 'password_too_weak'
  | 'current_password_incorrect'
  | 'session_required'
  | 'user_not_found'
  | 'email_taken'
  | 'token_not_found'
  | 'grant_invalid'
  | 'grant_exceeds_own'
  | 'last_owner'
  | 'setup_closed';

export const httpStatusByCode = {
  invalid_credentials: 401,
  password_too_weak: 422,
  current_password_incorrect: 422,
  session_required: 422,
  user_not_found: 404,
  email_taken: 409,
  token_not_found: 404,
  grant_invalid: 422,
  grant_exceeds_own: 403,
  last_owner: 409,
  setup_closed: 409,
} as const satisfies Record<AccessErrorCode, number>;

export class AccessError extends AppError {
  constructor(code: AccessErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, httpStatusByCode[code], detail, options);
    this.name = 'AccessError';
  }
}
