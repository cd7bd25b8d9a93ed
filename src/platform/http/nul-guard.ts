import type { FastifyInstance } from 'fastify';
import { PlatformError, type FieldError } from '../errors.ts';

/**
 * Refuses, before validation, any request whose body, query or path carries text no field of the
 * product may hold, or JSON nested deeper than any request needs:
 *
 * - a NUL character: PostgreSQL cannot store or even compare it, so without this guard a NUL in a
 *   login email or a search term reaches the database and fails there instead of at the edge;
 * - a lone UTF-16 surrogate (half of a pair): it is not a character, cannot be encoded as UTF-8
 *   and would be stored as garbage or fail on the way out;
 * - nesting deeper than MAX_JSON_DEPTH: no request schema nests more than a few levels, and a
 *   walk of a deeper document would be the attacker's choice of work.
 *
 * The walk keeps its own stack rather than recursing, so no input can overflow the call stack:
 * a 100 000-level array from an unauthenticated caller is a 400 like any other bad input.
 */
export function registerNulGuard(scope: FastifyInstance): void {
  scope.addHook('preValidation', async (request) => {
    const errors: FieldError[] = [];
    findForbiddenText(request.params, 'params', errors);
    findForbiddenText(request.query, 'query', errors);
    findForbiddenText(request.body, 'body', errors);
    if (errors.length > 0) throw new PlatformError('validation_failed', 'The request is not valid.', { errors });
  });
}

/** Deepest nesting of objects and arrays a request may carry; the deepest schema needs about six. */
export const MAX_JSON_DEPTH = 64;

const NUL = '\u0000';
const MAX_REPORTED = 20;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a text holds a lone UTF-16 surrogate (is not well-formed Unicode). */
export function hasLoneSurrogate(text: string): boolean {
  return loneSurrogate.test(text);
}

function textProblem(text: string): { code: string; what: string } | null {
  if (text.includes(NUL)) return { code: 'nul_character', what: 'a NUL character' };
  if (hasLoneSurrogate(text)) return { code: 'lone_surrogate', what: 'a lone UTF-16 surrogate (not a character)' };
  return null;
}

/** Walks a parsed request part depth-first with an explicit stack; records at most MAX_REPORTED problems. */
export function findForbiddenText(root: unknown, rootPath: string, errors: FieldError[]): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: rootPath, depth: 0 }];
  while (stack.length > 0 && errors.length < MAX_REPORTED) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) errors.push({ field: path, code: problem.code, message: `contains ${problem.what}` });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      errors.push({ field: path, code: 'too_deep', message: `nests more than ${MAX_JSON_DEPTH} levels of objects and arrays` });
      return;
    }
    // Pushed in reverse so problems are reported in document order.
    const entries = Array.isArray(value) ? value.map((element, index) => [String(index), element] as const) : Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, element] = entries[i]!;
      const problem = textProblem(key);
      if (problem) {
        errors.push({ field: path, code: problem.code, message: `has a key with ${problem.what}` });
        continue;
      }
      stack.push({ value: element, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
}
