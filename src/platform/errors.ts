/**
 * The one error type every layer throws. Each module narrows `code` to its own string-literal
 * union and maps every code to an HTTP status in a table checked by the compiler; the HTTP
 * edge turns any AppError into an RFC 9457 problem document.
 */
export interface FieldError {
  /** Where the problem is, as a dotted path into the request (`body.lines.2.qty`). */
  field: string;
  code: string;
  message: string;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly extra: Record<string, unknown> | undefined;
  readonly errors: FieldError[] | undefined;

  constructor(code: string, status: number, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(detail);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.extra = options?.extra;
    this.errors = options?.errors;
  }
}

export type PlatformErrorCode =
  | 'validation_failed'
  | 'malformed_json'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'route_not_found'
  | 'url_invalid'
  | 'url_too_long'
  | 'not_found'
  | 'number_out_of_range'
  | 'idempotency_key_reused'
  | 'idempotency_key_invalid'
  | 'rate_limited'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf_failed'
  | 'conflict'
  | 'database_busy'
  | 'internal_error';

export const platformErrorStatuses = {
  validation_failed: 400,
  malformed_json: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  route_not_found: 404,
  url_invalid: 400,
  url_too_long: 414,
  not_found: 404,
  number_out_of_range: 422,
  idempotency_key_reused: 422,
  idempotency_key_invalid: 400,
  rate_limited: 429,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  conflict: 409,
  database_busy: 503,
  internal_error: 500,
} as const satisfies Record<PlatformErrorCode, number>;

export class PlatformError extends AppError {
  constructor(code: PlatformErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, platformErrorStatuses[code], detail, options);
    this.name = 'PlatformError';
  }
}

export function validationError(errors: FieldError[], detail = 'The request is not valid.'): PlatformError {
  return new PlatformError('validation_failed', detail, { errors });
}

/** Asserts what must hold; a failure is a bug in this code base, never the caller's fault. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant failed: ${message}`);
}
