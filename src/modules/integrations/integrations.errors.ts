import { AppError, type FieldError } from '../../platform/errors.ts';

export type IntegrationErrorCode =
  | 'connection_not_found'
  | 'connection_exists'
  | 'connection_invalid'
  | 'connection_failed'
  | 'platform_unknown'
  | 'webhook_refused'
  | 'mapping_invalid'
  | 'upstream_line_unmapped'
  | 'upstream_unavailable';

export const integrationErrorStatuses = {
  connection_not_found: 404,
  connection_exists: 409,
  connection_invalid: 422,
  // The platform answered with an error (bad token, unknown shop): the request was fine, upstream was not.
  connection_failed: 502,
  platform_unknown: 422,
  webhook_refused: 401,
  mapping_invalid: 422,
  upstream_line_unmapped: 422,
  upstream_unavailable: 503,
} as const satisfies Record<IntegrationErrorCode, number>;

export class IntegrationError extends AppError {
  constructor(code: IntegrationErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, integrationErrorStatuses[code], detail, options);
    this.name = 'IntegrationError';
  }
}
