import { z } from 'zod';
import { PlatformError } from '../errors.ts';

/** Page sizes are capped: a client asking for more gets a validation error, not a slow query. */
export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 500;

export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(PAGE_SIZE_MAX)
  .default(PAGE_SIZE_DEFAULT)
  .meta({ description: `Page size, at most ${PAGE_SIZE_MAX}.` });

export const cursorParam = z.string().max(512).optional().meta({ description: 'The `next_cursor` of the previous page.' });

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Cursors are opaque to clients: the sort key of the last row, base64url-encoded. */
export function encodeCursor(key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, shape: ReadonlyArray<'string' | 'number'>): Array<string | number> | null {
  if (cursor === undefined || cursor === '') return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const valid =
    Array.isArray(key) &&
    key.length === shape.length &&
    key.every((part, i) => (shape[i] === 'number' ? Number.isSafeInteger(part) : typeof part === 'string'));
  if (!valid) throw new PlatformError('validation_failed', 'The cursor is not one this server issued.', {
    errors: [{ field: 'querystring.cursor', code: 'invalid_cursor', message: 'not a cursor from this server' }],
  });
  return key as Array<string | number>;
}

/** Takes `limit + 1` rows and splits off the extra one into a cursor. */
export function toPage<R, T>(rows: R[], limit: number, cursorKey: (row: R) => ReadonlyArray<string | number>, map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { data: pageRows.map(map), next_cursor: more && last !== undefined ? encodeCursor(cursorKey(last)) : null };
}
