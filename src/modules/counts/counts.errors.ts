import { AppError, type FieldError } from '../../platform/errors.ts';

export type CountErrorCode =
  | 'count_not_found'
  | 'count_line_not_found'
  | 'count_unknown_scan_not_found'
  | 'count_not_open'
  | 'count_line_invalid'
  | 'count_line_in_future'
  | 'count_line_closed'
  | 'count_lines_uncounted'
  | 'count_scope_empty'
  | 'count_scope_too_large'
  | 'count_self_approval'
  | 'count_nothing_to_approve'
  | 'count_decision_invalid';

export const countErrorStatuses = {
  count_not_found: 404,
  count_line_not_found: 404,
  count_unknown_scan_not_found: 404,
  count_not_open: 409,
  count_line_invalid: 422,
  count_line_in_future: 422,
  count_line_closed: 409,
  count_lines_uncounted: 409,
  count_scope_empty: 422,
  count_scope_too_large: 422,
  count_self_approval: 403,
  count_nothing_to_approve: 409,
  count_decision_invalid: 422,
} as const satisfies Record<CountErrorCode, number>;

export class CountError extends AppError {
  constructor(code: CountErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, countErrorStatuses[code], detail, options);
    this.name = 'CountError';
  }
}
