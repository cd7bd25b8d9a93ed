/**
 * Problems (RFC 9457) from the API, turned into words next to the fields they concern.
 * The server names a field by where it was in the request (`body.lines.0.qty`,
 * `querystring.cursor`); forms name their fields without the `body.` part.
 */

export interface FieldProblem {
  field: string;
  code?: string;
  message: string;
}

export interface ProblemDocument {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail: string;
  errors?: FieldProblem[];
  [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: FieldProblem[];
  readonly problem: ProblemDocument;

  constructor(problem: ProblemDocument) {
    super(problem.detail || problem.title || `Request failed (${problem.status})`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.problem = problem;
  }
}

/** A problem document from whatever a failed response carried (a proxy's HTML page included). */
export function toProblem(status: number, body: unknown): ProblemDocument {
  if (body && typeof body === 'object' && typeof (body as ProblemDocument).code === 'string') {
    const p = body as ProblemDocument;
    return { ...p, status: typeof p.status === 'number' ? p.status : status, detail: String(p.detail ?? p.title ?? '') };
  }
  const detail =
    status === 0
      ? 'The server could not be reached. Check the connection; nothing was changed.'
      : status >= 500
        ? `The server answered ${status}; try again in a moment.`
        : `The request failed with status ${status}.`;
  return { status, code: status === 0 ? 'network_error' : 'http_error', detail };
}

/** `body.lines.0.qty` → `lines.0.qty`. */
export function formFieldOf(field: string): string {
  return field.replace(/^(body|querystring|params|headers)\.?/, '');
}

function humanise(message: string): string {
  const trimmed = message.trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}

/**
 * Problem codes that concern one field although they are not validation errors: a taken SKU
 * belongs next to the SKU box. Extend as modules add codes.
 */
const fieldOfCode: Record<string, string> = {
  sku_taken: 'sku',
  barcode_taken: 'barcodes',
  email_taken: 'email',
  vendor_name_taken: 'name',
  current_password_incorrect: 'current_password',
  unit_conversion_inexact: 'qty',
};

export interface MappedProblem {
  /** Messages by form field, in words, for the fields the form has. */
  byField: Record<string, string>;
  /** What could not be put next to a field: shown at the top of the form. */
  general: string[];
}

/**
 * Spreads a problem over a form. `fields` are the form's field names; an error on a nested
 * field (`lines.0.qty`) goes to it when the form has it, else to its closest parent the form has
 * (`lines`), else to the general list with the field named.
 */
export function mapProblem(error: unknown, fields: readonly string[]): MappedProblem {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  if (!(error instanceof ApiError)) {
    general.push(error instanceof Error ? error.message : String(error));
    return { byField, general };
  }
  const known = new Set(fields);
  const place = (field: string, message: string): boolean => {
    const parts = field.split('.');
    for (let n = parts.length; n > 0; n -= 1) {
      const candidate = parts.slice(0, n).join('.');
      if (known.has(candidate)) {
        byField[candidate] = byField[candidate] ? `${byField[candidate]}; ${humanise(message)}` : humanise(message);
        return true;
      }
    }
    return false;
  };
  for (const e of error.errors) {
    const field = formFieldOf(e.field);
    if (!place(field, e.message)) general.push(field ? `${field.replace(/\./g, ' › ')}: ${e.message}` : humanise(e.message));
  }
  // Some problems name their fields in an extra: `fields: ['base_unit', 'tracking']`.
  const extraFields = Array.isArray(error.problem.fields) ? (error.problem.fields as unknown[]).filter((f): f is string => typeof f === 'string') : [];
  const codeField = fieldOfCode[error.code] ?? (typeof error.problem.field === 'string' ? formFieldOf(error.problem.field) : undefined);
  const candidates = [...extraFields, ...(codeField ? [codeField] : [])];
  let placedByCode = false;
  if (error.errors.length === 0) for (const f of candidates) placedByCode = place(f, error.detail) || placedByCode;
  if (!placedByCode && (error.errors.length === 0 || general.length === 0)) {
    if (error.errors.length === 0 || error.code !== 'validation_failed') general.unshift(error.detail);
  }
  if (error.errors.length > 0 && Object.keys(byField).length > 0 && general.length === 0) {
    general.push('Some fields need attention; see the messages beside them.');
  }
  return { byField, general };
}

/** One line for a toast or a banner. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.errors.map((e) => `${formFieldOf(e.field)} ${e.message}`).join('; ');
    return fields ? `${error.detail} (${fields})` : error.detail;
  }
  return error instanceof Error ? error.message : String(error);
}
