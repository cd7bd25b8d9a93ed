import type { FastifyInstance } from 'fastify';
import { PlatformError, type FieldError } from '../errors.ts';

/**
 * Refuses any request whose body, query or path carries a NUL character. No text in the product
 * may hold one, and PostgreSQL cannot store or even compare it: without this guard a NUL in a
 * login email or a search term reaches the database and fails there instead of at the edge.
 */
export function registerNulGuard(scope: FastifyInstance): void {
  scope.addHook('preValidation', async (request) => {
    const errors: FieldError[] = [];
    findNul(request.params, 'params', errors);
    findNul(request.query, 'query', errors);
    findNul(request.body, 'body', errors);
    if (errors.length > 0) throw new PlatformError('validation_failed', 'The request is not valid.', { errors });
  });
}

const NUL = '\u0000';
const MAX_REPORTED = 20;

function findNul(value: unknown, path: string, errors: FieldError[]): void {
  if (errors.length >= MAX_REPORTED) return;
  if (typeof value === 'string') {
    if (value.includes(NUL)) errors.push({ field: path, code: 'nul_character', message: 'contains a NUL character' });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((element, index) => findNul(element, `${path}.${index}`, errors));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, element] of Object.entries(value)) {
      if (key.includes(NUL)) errors.push({ field: path, code: 'nul_character', message: 'has a key with a NUL character' });
      else findNul(element, `${path}.${key}`, errors);
    }
  }
}
