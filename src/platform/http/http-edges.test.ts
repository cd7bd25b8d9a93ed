import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { AppError, PlatformError, type FieldError } from '../errors.ts';
import { DATE_MAX, DATE_MIN, dateInput, fileResponse, idInput, instantInput, isInstantInRange, optionalTextInput, quantityInput, textInput } from './fields.ts';
import { findForbiddenText, MAX_JSON_DEPTH, registerNulGuard } from './nul-guard.ts';
import { decodeCursor, pageSchema } from './pagination.ts';
import { frameworkErrorHandler, registerProblemHandlers, sendProblem, toAppError } from './problem.ts';
import { rateLimitKey, registerRateLimit } from './rate-limit.ts';

/*
 * The edges of the HTTP platform that http-platform.test.ts leaves out: the date and instant
 * range, file responses, the messages and descriptions clients and the API document show, lone
 * surrogates and nesting depth, validation issues as field errors, and the rate limit's 429.
 */

function silentLog() {
  return { warn: vi.fn(), error: vi.fn() } as unknown as FastifyRequest['log'] & { warn: ReturnType<typeof vi.fn>; error: ReturnType<typeof vi.fn> };
}

const firstIssue = (result: { success: boolean; error?: { issues: Array<{ code?: string; message: string; params?: unknown }> } }) => result.error?.issues[0];

describe('dates and instants', () => {
  it('accepts instants from the first millisecond of 1970 to the last of 2200, with any offset', () => {
    expect([DATE_MIN, DATE_MAX]).toEqual(['1970-01-01', '2200-12-31']);
    expect(instantInput.parse('1970-01-01T00:00:00Z')).toBe(0);
    expect(instantInput.parse('2200-12-31T23:59:59.999Z')).toBe(Date.UTC(2200, 11, 31, 23, 59, 59, 999));
    expect(instantInput.parse('2026-11-27T10:30:00+01:00')).toBe(Date.UTC(2026, 10, 27, 9, 30));
    for (const outside of ['1969-12-31T23:59:59.999Z', '2201-01-01T00:00:00Z', '2200-12-31T23:59:59.999-00:01']) {
      expect(firstIssue(instantInput.safeParse(outside)), outside).toMatchObject({ code: 'custom', message: 'must be between 1970-01-01 and 2200-12-31', params: { reason: 'out_of_range' } });
    }
    expect([isInstantInRange(Number.NaN), isInstantInRange(Number.POSITIVE_INFINITY), isInstantInRange(-1), isInstantInRange(0)]).toEqual([false, false, false, true]);
  });

  it('accepts calendar dates from 1970-01-01 to 2200-12-31', () => {
    expect(dateInput.parse('1970-01-01')).toBe('1970-01-01');
    expect(dateInput.parse('2200-12-31')).toBe('2200-12-31');
    for (const outside of ['1969-12-31', '2201-01-01']) {
      expect(firstIssue(dateInput.safeParse(outside)), outside).toMatchObject({ message: 'must be between 1970-01-01 and 2200-12-31', params: { reason: 'out_of_range' } });
    }
  });
});

describe('what clients and the API document are told', () => {
  it('names the prefix an id must have, with an example of one', () => {
    expect(firstIssue(idInput('itm').safeParse('loc_1'))).toMatchObject({ message: 'must be an id starting with itm_' });
    expect(firstIssue(quantityInput.safeParse(0.0001))).toMatchObject({ code: 'custom', params: { reason: 'too_precise' } });
    expect(idInput('itm').meta()).toMatchObject({ example: 'itm_01JD0000000000000000000000' });
  });

  it('says why text is refused and that it is trimmed', () => {
    expect(firstIssue(textInput(10).safeParse('bell\u0007'))).toMatchObject({ message: 'contains control characters' });
    expect(firstIssue(optionalTextInput(10).safeParse('half \uD800'))).toMatchObject({ message: 'contains a lone UTF-16 surrogate (not a character)' });
    const trimmed = 'Leading and trailing whitespace is removed before the text is checked and stored.';
    expect(textInput(10).meta()).toMatchObject({ description: `Text of 1 to 10 characters. ${trimmed}` });
    expect(optionalTextInput(10).meta()).toMatchObject({ description: `Text of at most 10 characters. ${trimmed}` });
  });

  it('documents a file response as text or binary by its media type', () => {
    const csv = fileResponse('text/csv', 'The export.');
    expect(csv[200].description).toBe('The export.');
    expect(Object.keys(csv[200].content)).toEqual(['text/csv']);
    const several = fileResponse(['application/pdf', 'application/vnd.zebra.zpl', 'text/csv'], 'Labels.')[200].content;
    expect(Object.keys(several)).toEqual(['application/pdf', 'application/vnd.zebra.zpl', 'text/csv']);
    const format = (type: keyof typeof several) => (several[type]!.schema.meta() as { format?: string } | undefined)?.format;
    expect([format('application/pdf'), format('application/vnd.zebra.zpl'), format('text/csv')]).toEqual(['binary', undefined, undefined]);
    expect(several['text/csv']!.schema.parse('a,b')).toBe('a,b');
  });

  it('describes a page as its rows and the next cursor', () => {
    const page = pageSchema(z.number());
    expect(page.parse({ data: [1, 2], next_cursor: null })).toEqual({ data: [1, 2], next_cursor: null });
    expect(page.safeParse({ data: [1] }).success).toBe(false);
    expect(page.safeParse({ data: ['x'], next_cursor: 'c' }).success).toBe(false);
    expect(() => decodeCursor('bm90IGEgY3Vyc29y', ['string'])).toThrow('The cursor is not one this server issued.');
  });
});

describe('forbidden text and nesting', () => {
  const walk = (root: unknown): FieldError[] => {
    const errors: FieldError[] = [];
    findForbiddenText(root, 'body', errors);
    return errors;
  };
  const nested = (levels: number): unknown => {
    let value: unknown = 7;
    for (let i = 0; i < levels; i += 1) value = [value];
    return value;
  };

  it('refuses a request carrying any, as a validation problem', async () => {
    const app = Fastify({ logger: false });
    registerProblemHandlers(app);
    registerNulGuard(app);
    app.post('/echo', async () => ({ ok: true }));
    const response = await app.inject({ method: 'POST', url: '/echo', payload: { note: 'half \uD800' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed', detail: 'The request is not valid.', errors: [{ field: 'body.note', code: 'lone_surrogate' }] });
    await app.close();
  });

  it('finds lone surrogates in values and keys, and lets a real pair through', () => {
    expect(walk({ ok: 'smile \uD83D\uDE00', name: 'half \uD83D', ['k\uDE00']: 1 })).toEqual([
      // Keys are checked as an object is opened, before its values are walked.
      { field: 'body', code: 'lone_surrogate', message: 'has a key with a lone UTF-16 surrogate (not a character)' },
      { field: 'body.name', code: 'lone_surrogate', message: 'contains a lone UTF-16 surrogate (not a character)' },
    ]);
    expect(walk({ note: 'x\u0000' })).toEqual([{ field: 'body.note', code: 'nul_character', message: 'contains a NUL character' }]);
  });

  it(`walks ${MAX_JSON_DEPTH} levels of arrays and refuses one more`, () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(walk(nested(64))).toEqual([]);
    expect(walk(nested(65))).toEqual([{ field: `body${'.0'.repeat(64)}`, code: 'too_deep', message: 'nests more than 64 levels of objects and arrays' }]);
  });
});

describe('problems: what each failure says', () => {
  it('maps the body parser’s failures and a unique violation with their own words', () => {
    const log = silentLog();
    const byCode = (code: string) => toAppError(Object.assign(new Error('x'), { code }), log);
    expect(byCode('FST_ERR_CTP_INVALID_JSON_BODY')).toMatchObject({ code: 'malformed_json', message: 'The body is not valid JSON.' });
    expect(byCode('FST_ERR_CTP_EMPTY_JSON_BODY')).toMatchObject({ code: 'malformed_json', message: 'The body is empty but its content type says JSON.' });
    expect(byCode('FST_ERR_CTP_INVALID_MEDIA_TYPE')).toMatchObject({ message: 'Send the body as application/json.' });
    expect(byCode('FST_ERR_CTP_BODY_TOO_LARGE')).toMatchObject({ message: 'The body is larger than this server accepts.' });
    expect(byCode('FST_ERR_CTP_INVALID_CONTENT_LENGTH')).toMatchObject({ code: 'validation_failed', status: 400, message: 'The Content-Length header does not match the body.' });
    expect(toAppError(Object.assign(new SyntaxError('x'), { statusCode: 400 }), log)).toMatchObject({ message: 'The body is not valid JSON.' });
    const duplicate = Object.assign(new Error('dup'), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect(toAppError(duplicate, log)).toMatchObject({ message: 'That conflicts with a record that already exists.' });
    expect(log.warn).toHaveBeenCalledWith({ err: duplicate }, 'unique violation reached the edge');
  });

  it('answers anything unknown, even a thrown undefined, with an internal error that is logged', () => {
    const log = silentLog();
    for (const odd of [undefined, null]) {
      expect(toAppError(odd, log)).toMatchObject({ code: 'internal_error', status: 500, message: 'Something went wrong on our side; the request changed nothing.' });
    }
    const boom = new Error('boom');
    toAppError(boom, log);
    expect(log.error).toHaveBeenLastCalledWith({ err: boom }, 'unhandled error');
  });

  it('turns schema validation issues into field errors named by where they are', async () => {
    const app = Fastify({ logger: false });
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    registerProblemHandlers(app);
    app.post('/v', { schema: { body: z.object({ qty: z.number(), lines: z.array(z.object({ sku: z.string() })) }), querystring: z.object({ n: z.coerce.number().int().optional() }) } }, async () => ({ ok: true }));
    const body = await app.inject({ method: 'POST', url: '/v', payload: { qty: 'x', lines: [{ sku: 1 }] } });
    expect(body.statusCode).toBe(400);
    const problem = body.json();
    expect(problem).toMatchObject({ code: 'validation_failed', detail: 'The request is not valid.' });
    expect(problem.errors.map((e: FieldError) => [e.field, e.code])).toEqual([
      ['body.qty', 'invalid_type'],
      ['body.lines.0.sku', 'invalid_type'],
    ]);
    expect(problem.errors.every((e: FieldError) => e.message.length > 0 && e.message !== 'invalid')).toBe(true);
    const query = await app.inject({ method: 'POST', url: '/v?n=1.5', payload: { qty: 1, lines: [] } });
    expect(query.json().errors.map((e: FieldError) => e.field)).toEqual(['querystring.n']);
    await app.close();
  });

  it('names the framework’s URL errors, and passes any other framework error on like a thrown one', () => {
    const sent: Array<{ status: number; body: { code: string; detail: string } }> = [];
    const replyFor = () => {
      let status = 0;
      const reply = {
        request: { url: '/x?y=1', log: silentLog() },
        header: () => reply,
        code: (s: number) => ((status = s), reply),
        type: () => reply,
        serializer: () => reply,
        send: (body: { code: string; detail: string }) => (sent.push({ status, body }), reply),
      };
      return reply as unknown as FastifyReply & { request: FastifyRequest };
    };
    const raise = (code: string) => {
      const reply = replyFor();
      frameworkErrorHandler(Object.assign(new Error('x'), { code, statusCode: 400 }) as FastifyError, reply.request, reply);
    };
    raise('FST_ERR_MAX_PARAM_LENGTH');
    raise('FST_ERR_BAD_URL');
    raise('FST_ERR_SOMETHING_ELSE');
    expect(sent.map((s) => [s.status, s.body.code, s.body.detail])).toEqual([
      [414, 'url_too_long', 'A part of the URL is longer than any id or code this server knows.'],
      [400, 'url_invalid', 'The URL is not valid.'],
      [400, 'bad_request', 'x'],
    ]);
  });

  it('answers a 503 without a retry time and with no Retry-After', () => {
    const headers: string[] = [];
    const reply = {
      request: { url: '/x' },
      header: (name: string) => (headers.push(name), reply),
      code: () => reply,
      type: () => reply,
      serializer: () => reply,
      send: () => reply,
    };
    sendProblem(reply as unknown as FastifyReply, new AppError('unavailable', 503, 'Down for a moment.'));
    expect(headers).toEqual([]);
    sendProblem(reply as unknown as FastifyReply, new PlatformError('rate_limited', 'Slow down.', { extra: { retry_after_s: 3 } }));
    expect(headers).toEqual(['retry-after']);
  });
});

describe('the rate limit', () => {
  it('counts requests per principal, else per address, and answers the one over with a 429 problem', async () => {
    const app = Fastify({ logger: false });
    registerProblemHandlers(app);
    app.decorateRequest('principalKey', null);
    app.addHook('onRequest', async (request) => {
      const token = request.headers['x-principal'];
      if (typeof token === 'string') request.principalKey = token;
    });
    await registerRateLimit(app, { perMinute: 2 });
    app.get('/r', async (request) => ({ key: rateLimitKey(request) }));
    const get = (principal?: string) => app.inject({ method: 'GET', url: '/r', headers: principal ? { 'x-principal': principal } : {} });
    expect((await get()).json()).toEqual({ key: 'ip:127.0.0.1' });
    expect((await get('token:a')).json()).toEqual({ key: 'token:a' });
    expect((await get()).statusCode).toBe(200);
    const over = await get();
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ code: 'rate_limited', detail: 'Too many requests from this credential or address: at most 2 a minute.', retry_after_s: 60 });
    expect(over.headers['retry-after']).toBe('60');
    // The token has its own allowance: one used, one left.
    expect((await get('token:a')).statusCode).toBe(200);
    await app.close();
  });
});
