import Fastify, { type FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { NumberRangeError } from '../decimal.ts';
import { AppError, PlatformError } from '../errors.ts';
import { readIdempotencyKey } from './command.ts';
import { registerNulGuard } from './nul-guard.ts';
import { decodeCursor, encodeCursor, toPage } from './pagination.ts';
import { idParams, moneyInput, nonNegativeMoneyInput, nonZeroQuantityInput, optionalTextInput, positiveQuantityInput, quantityInput, textInput } from './fields.ts';
import { frameworkErrorHandler, problemFrom, registerProblemHandlers, sendProblem, toAppError } from './problem.ts';
import { DEFAULT_REQUESTS_PER_MINUTE, rateLimitFromEnv } from './rate-limit.ts';

function thrown(work: () => unknown): AppError {
  try {
    work();
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected an error');
}

function silentLog() {
  return { warn: vi.fn(), error: vi.fn() } as unknown as FastifyRequest['log'] & { warn: ReturnType<typeof vi.fn>; error: ReturnType<typeof vi.fn> };
}

describe('cursors', () => {
  it('round-trips the sort key of the last row', () => {
    expect(decodeCursor(encodeCursor(['itm_1', 42]), ['string', 'number'])).toEqual(['itm_1', 42]);
  });

  it('reads no cursor, or an empty one, as the first page', () => {
    expect(decodeCursor(undefined, ['string'])).toBeNull();
    expect(decodeCursor('', ['string'])).toBeNull();
  });

  it('refuses a cursor it did not issue: not JSON, not a list, the wrong length or the wrong kinds', () => {
    const forged = [
      Buffer.from('not json').toString('base64url'),
      encodeCursor([]).replace(/./, '{'),
      Buffer.from(JSON.stringify({ a: 1 })).toString('base64url'),
      encodeCursor(['a']),
      encodeCursor(['a', 1, 2]),
      encodeCursor([1, 1]),
      encodeCursor(['a', 'b']),
      encodeCursor(['a', 1.5]),
      Buffer.from(JSON.stringify(['a', 2 ** 60])).toString('base64url'),
    ];
    for (const cursor of forged) {
      const error = thrown(() => decodeCursor(cursor, ['string', 'number']));
      expect(error, cursor).toBeInstanceOf(PlatformError);
      expect(error.code).toBe('validation_failed');
      expect(error.errors).toEqual([{ field: 'querystring.cursor', code: 'invalid_cursor', message: 'not a cursor from this server' }]);
    }
  });

  it('splits off the extra row of limit + 1 into a cursor taken from the last row of the page', () => {
    const rows = [1, 2, 3, 4];
    const page = toPage(rows, 3, (r) => [r], (r) => r * 10);
    expect(page.data).toEqual([10, 20, 30]);
    expect(decodeCursor(page.next_cursor!, ['number'])).toEqual([3]);
    expect(toPage(rows, 4, (r) => [r], (r) => r)).toEqual({ data: [1, 2, 3, 4], next_cursor: null });
    expect(toPage([], 4, (r: number) => [r], (r) => r)).toEqual({ data: [], next_cursor: null });
  });
});

describe('problems', () => {
  it('writes an RFC 9457 document with the code, title, instance, field errors and extras', () => {
    const error = new PlatformError('validation_failed', 'Bad.', { errors: [{ field: 'body.qty', code: 'too_small', message: 'small' }], extra: { hint: 'x' } });
    expect(problemFrom(error, '/api/v1/items')).toEqual({
      type: 'urn:stockroom:problem:validation_failed',
      title: 'Bad Request',
      status: 400,
      code: 'validation_failed',
      detail: 'Bad.',
      instance: '/api/v1/items',
      errors: [{ field: 'body.qty', code: 'too_small', message: 'small' }],
      hint: 'x',
    });
    expect(problemFrom(new AppError('odd', 418, 'Teapot.'))).toEqual({ type: 'urn:stockroom:problem:odd', title: 'Error', status: 418, code: 'odd', detail: 'Teapot.' });
  });

  it('maps what is thrown to a problem and never leaks an internal error', () => {
    const log = silentLog();
    const own = new PlatformError('forbidden', 'No.');
    expect(toAppError(own, log)).toBe(own);
    expect(toAppError(new NumberRangeError('too big'), log)).toMatchObject({ code: 'number_out_of_range', status: 422, message: 'too big' });
    expect(toAppError(Object.assign(new SyntaxError('x'), { statusCode: 400 }), log)).toMatchObject({ code: 'malformed_json', status: 400 });
    expect(toAppError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' }), log)).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(toAppError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), log)).toMatchObject({ code: 'unsupported_media_type', status: 415 });
    expect(toAppError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_EMPTY_JSON_BODY' }), log)).toMatchObject({ code: 'malformed_json' });
    expect(log.warn).not.toHaveBeenCalled();
    expect(toAppError(Object.assign(new Error('dup'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }), log)).toMatchObject({ code: 'conflict', status: 409 });
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(toAppError(Object.assign(new Error('Gone'), { statusCode: 410 }), log)).toMatchObject({ code: 'bad_request', status: 410, message: 'Gone' });
    expect(toAppError(Object.assign(new Error(''), { statusCode: 400 }), log)).toMatchObject({ code: 'bad_request', status: 400, message: 'The request could not be processed.' });
    expect(log.error).not.toHaveBeenCalled();
    for (const error of [new Error('boom'), Object.assign(new Error('x'), { statusCode: 500 }), Object.assign(new Error('x'), { statusCode: 399 }), new SyntaxError('not from a body')]) {
      const mapped = toAppError(error, log);
      expect(mapped).toMatchObject({ code: 'internal_error', status: 500 });
      expect(mapped.message).not.toContain(error.message || 'x');
    }
    expect(log.error).toHaveBeenCalledTimes(4);
  });

  it('answers with application/problem+json, the path as instance, and Retry-After only on 429 and 503', async () => {
    const app = Fastify({ logger: false });
    registerProblemHandlers(app);
    const errors: Record<string, AppError> = {
      limited: new PlatformError('rate_limited', 'Slow down.', { extra: { retry_after_s: 7 } }),
      busy: new PlatformError('database_busy', 'Busy.', { extra: { retry_after_s: 2 } }),
      conflict: new PlatformError('conflict', 'Taken.', { extra: { retry_after_s: 3 } }),
      noNumber: new PlatformError('rate_limited', 'Slow down.', { extra: { retry_after_s: '7' } }),
    };
    app.get('/fail/:which', async (request, reply) => sendProblem(reply, errors[(request.params as { which: string }).which]!));
    const answer = async (which: string) => app.inject({ method: 'GET', url: `/fail/${which}?q=1` });
    const limited = await answer('limited');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.headers['retry-after']).toBe('7');
    expect(limited.json()).toMatchObject({ code: 'rate_limited', instance: '/fail/limited', retry_after_s: 7 });
    expect((await answer('busy')).headers['retry-after']).toBe('2');
    expect((await answer('conflict')).headers['retry-after']).toBeUndefined();
    expect((await answer('noNumber')).headers['retry-after']).toBeUndefined();
    const missing = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'route_not_found', detail: 'No route GET /nowhere.' });
    await app.close();
  });
});

describe('the NUL guard', () => {
  async function guarded() {
    const app = Fastify({ logger: false });
    registerProblemHandlers(app);
    registerNulGuard(app);
    app.post('/echo/:id', async (request) => ({ ok: request.body }));
    return app;
  }

  it('names every place a NUL hides: params, query, nested values, array elements and keys', async () => {
    const app = await guarded();
    const response = await app.inject({
      method: 'POST',
      url: '/echo/a%00b?q=x%00',
      payload: { name: 'ok', lines: [{ note: 'fine' }, { note: 'x\u0000' }], ['k\u0000']: 1 },
    });
    expect(response.statusCode).toBe(400);
    // The walk's order is its own business; which places it names is not.
    const errors: { field: string; code: string; message: string }[] = response.json().errors;
    expect(errors.map((e) => [e.field, e.code]).sort()).toEqual([
      ['body', 'nul_character'],
      ['body.lines.1.note', 'nul_character'],
      ['params.id', 'nul_character'],
      ['query.q', 'nul_character'],
    ]);
    expect(errors.find((e) => e.field === 'body')?.message).toBe('has a key with a NUL character');
    await app.close();
  });

  it('lets clean requests through and reports at most 20 NULs', async () => {
    const app = await guarded();
    const clean = await app.inject({ method: 'POST', url: '/echo/a?q=b', payload: { a: ['x', { b: 'y' }], n: 1, z: null } });
    expect(clean.statusCode).toBe(200);
    const flood = await app.inject({ method: 'POST', url: '/echo/a', payload: { many: Array.from({ length: 30 }, () => '\u0000') } });
    expect(flood.statusCode).toBe(400);
    expect(flood.json().errors).toHaveLength(20);
    await app.close();
  });
});

describe('idempotency key header', () => {
  const request = (key?: string | string[]) => ({ headers: key === undefined ? {} : { 'idempotency-key': key } }) as unknown as FastifyRequest;

  it('is optional unless the route requires it', () => {
    expect(readIdempotencyKey(request(), false)).toBeNull();
    expect(thrown(() => readIdempotencyKey(request(), true))).toMatchObject({ code: 'idempotency_key_invalid', status: 400 });
  });

  it('is 1 to 255 visible ASCII characters', () => {
    expect(readIdempotencyKey(request('a'), true)).toBe('a');
    expect(readIdempotencyKey(request('!'.repeat(255)), false)).toBe('!'.repeat(255));
    expect(readIdempotencyKey(request('~key-1'), false)).toBe('~key-1');
    for (const bad of ['', 'a'.repeat(256), 'has space', 'tab\t', 'é', ['a', 'b']]) {
      expect(thrown(() => readIdempotencyKey(request(bad), false)), String(bad)).toMatchObject({ code: 'idempotency_key_invalid' });
    }
  });
});

describe('the rate limit setting', () => {
  it('defaults when unset, turns off at 0, and refuses anything but a whole number', () => {
    expect(rateLimitFromEnv({})).toEqual({ perMinute: DEFAULT_REQUESTS_PER_MINUTE });
    expect(rateLimitFromEnv({ RATE_LIMIT_PER_MINUTE: '' })).toEqual({ perMinute: DEFAULT_REQUESTS_PER_MINUTE });
    expect(rateLimitFromEnv({ RATE_LIMIT_PER_MINUTE: '0' })).toBe(false);
    expect(rateLimitFromEnv({ RATE_LIMIT_PER_MINUTE: '30' })).toEqual({ perMinute: 30 });
    for (const bad of ['-1', '1.5', 'many']) expect(() => rateLimitFromEnv({ RATE_LIMIT_PER_MINUTE: bad })).toThrow(/whole number/);
  });
});

describe('field schemas', () => {
  const issue = (result: { success: boolean; error?: { issues: Array<{ message: string; params?: unknown }> } }) => result.error?.issues[0];

  it('decodes quantities to thousandths and says why one is refused', () => {
    expect(quantityInput.parse(1.5)).toBe(1500);
    expect(issue(quantityInput.safeParse(1.0001))).toMatchObject({ message: 'has more than 3 decimals', params: { reason: 'too_precise' } });
    expect(issue(quantityInput.safeParse(1e300))).toMatchObject({ message: 'is too large', params: { reason: 'out_of_range' } });
    expect(positiveQuantityInput.parse(0.001)).toBe(1);
    expect(issue(positiveQuantityInput.safeParse(0))).toMatchObject({ message: 'must be greater than zero' });
    expect(issue(positiveQuantityInput.safeParse(-1))).toMatchObject({ message: 'must be greater than zero' });
    expect(nonZeroQuantityInput.parse(-2)).toBe(-2000);
    expect(issue(nonZeroQuantityInput.safeParse(0))).toMatchObject({ message: 'must not be zero' });
  });

  it('decodes money to micros, refusing what is not a number and negatives where they make no sense', () => {
    expect(moneyInput.parse('12.50')).toBe(12_500_000);
    expect(issue(moneyInput.safeParse('twelve'))).toMatchObject({ message: 'is not a number', params: { reason: 'not_a_number' } });
    expect(issue(moneyInput.safeParse('1.0000001'))).toMatchObject({ message: 'has more than 6 decimals' });
    expect(nonNegativeMoneyInput.parse('0')).toBe(0);
    expect(issue(nonNegativeMoneyInput.safeParse('-0.01'))).toMatchObject({ message: 'must not be negative' });
  });

  it('takes text trimmed and bounded, with newlines but no other control characters', () => {
    expect(textInput(10).parse('  Tea tin \n')).toBe('Tea tin');
    expect(textInput(10).parse('two\nlines')).toBe('two\nlines');
    for (const bad of ['', '   ', 'x'.repeat(11), 'bell\u0007', 'esc\u001b', 'del\u007f']) expect(textInput(10).safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    expect(optionalTextInput(10).parse('  ')).toBe('');
    expect(optionalTextInput(10).safeParse('nul\u0000').success).toBe(false);
    expect(optionalTextInput(10).parse('tab\tok')).toBe('tab\tok');
  });

  it('takes ids with their prefix only, as path params with nothing else', () => {
    expect(idParams('itm').parse({ id: 'itm_01ABC' })).toEqual({ id: 'itm_01ABC' });
    expect(idParams('itm').safeParse({ id: 'loc_01ABC' }).success).toBe(false);
    expect(idParams('itm').safeParse({ id: 'itm_01ABC', extra: 1 }).success).toBe(false);
  });
});

describe('errors raised before routing', () => {
  it('answers an over-long path parameter with 414 and a malformed URL with 400, as problems', async () => {
    const app = Fastify({ logger: false, maxParamLength: 20, frameworkErrors: frameworkErrorHandler });
    registerProblemHandlers(app);
    app.get('/things/:id', async () => ({ ok: true }));
    const long = await app.inject({ method: 'GET', url: `/things/${'x'.repeat(30)}` });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ code: 'url_too_long' });
    const bad = await app.inject({ method: 'GET', url: '/things/%E0%A4%A' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'url_invalid' });
    await app.close();
  });
});
