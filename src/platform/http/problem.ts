import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NumberRangeError } from '../decimal.ts';
import { AppError, PlatformError, type FieldError } from '../errors.ts';
import { isUniqueViolation } from '../db/dialect.ts';

/** RFC 9457 problem details, with our stable machine `code` and per-field `errors`. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'An RFC 9457 problem document; `code` is stable and meant for programs.' });

export type Problem = z.infer<typeof problemSchema>;

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemFrom(error: AppError, instance?: string): Problem {
  return {
    type: `urn:stockroom:problem:${error.code}`,
    title: titles[error.status] ?? 'Error',
    status: error.status,
    code: error.code,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
    ...(error.extra ?? {}),
  };
}

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
}

function validationErrors(error: FastifyError & { validation?: unknown; validationContext?: string }): FieldError[] {
  const issues = (error.validation ?? []) as ValidationIssue[];
  const context = error.validationContext ?? 'body';
  return issues.map((issue) => ({
    field: [context, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
    code: issue.keyword,
    message: issue.message ?? 'invalid',
  }));
}

const fastifyErrorCodes: Record<string, () => PlatformError> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => new PlatformError('malformed_json', 'The body is not valid JSON.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new PlatformError('malformed_json', 'The body is empty but its content type says JSON.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new PlatformError('unsupported_media_type', 'Send the body as application/json.'),
  FST_ERR_CTP_BODY_TOO_LARGE: () => new PlatformError('payload_too_large', 'The body is larger than this server accepts.'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new PlatformError('validation_failed', 'The Content-Length header does not match the body.'),
};

/** Turns anything thrown while handling a request into a problem; never leaks internals. */
export function toAppError(error: unknown, log: FastifyRequest['log']): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError & { validation?: unknown; validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(fastifyError)) {
    return new PlatformError('validation_failed', 'The request is not valid.', { errors: validationErrors(fastifyError) });
  }
  if (error instanceof NumberRangeError) return new PlatformError('number_out_of_range', error.message);
  if (error instanceof SyntaxError && (error as { statusCode?: number }).statusCode === 400) {
    return new PlatformError('malformed_json', 'The body is not valid JSON.');
  }
  const known = fastifyError?.code ? fastifyErrorCodes[fastifyError.code] : undefined;
  if (known) return known();
  if (isUniqueViolation(error)) {
    log.warn({ err: error }, 'unique violation reached the edge');
    return new PlatformError('conflict', 'That conflicts with a record that already exists.');
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('bad_request', status, fastifyError.message || 'The request could not be processed.');
  }
  log.error({ err: error }, 'unhandled error');
  return new PlatformError('internal_error', 'Something went wrong on our side; the request changed nothing.');
}

export function sendProblem(reply: FastifyReply, error: AppError): FastifyReply {
  const problem = problemFrom(error, reply.request.url.split('?')[0]);
  reply.request.problemCode = error.code;
  if (error.status === 429 || error.status === 503) {
    const retryAfter = error.extra?.retry_after_s;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  }
  return reply.code(error.status).type('application/problem+json').serializer(JSON.stringify).send(problem);
}

/** Errors Fastify raises before routing (a malformed or over-long URL), as problems too. */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const problem =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new PlatformError('url_too_long', 'A part of the URL is longer than any id or code this server knows.')
      : error.code === 'FST_ERR_BAD_URL'
        ? new PlatformError('url_invalid', 'The URL is not valid.')
        : toAppError(error, request.log);
  sendProblem(reply, problem);
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.decorateRequest('problemCode', null);
  app.setErrorHandler((error, request, reply) => sendProblem(reply, toAppError(error, request.log)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new PlatformError('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}.`)),
  );
}
