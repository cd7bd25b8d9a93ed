import { z } from 'zod';
import { parseMoney } from '../money.ts';
import { parseQuantity } from '../quantity.ts';
import { parsePercent } from '../rate.ts';
import type { ScaledParse } from '../decimal.ts';
import type { IdPrefix } from '../ids.ts';

/**
 * The zod building blocks for request and response bodies. Request fields decode decimals into
 * the integers used inside (thousandths, micros, epoch ms); response fields describe the JSON
 * the mappers produce.
 */

const reasonMessages = {
  not_a_number: 'is not a number',
  too_precise: 'has more decimals than allowed',
  out_of_range: 'is too large',
} as const;

function scaled<V>(parse: (v: V) => ScaledParse, decimals: number) {
  return (value: V, ctx: z.RefinementCtx) => {
    const parsed = parse(value);
    if (!parsed.ok) {
      ctx.addIssue({
        code: 'custom',
        message: parsed.reason === 'too_precise' ? `has more than ${decimals} decimals` : reasonMessages[parsed.reason],
        params: { reason: parsed.reason },
      });
      return z.NEVER;
    }
    return parsed.value;
  };
}

/** A quantity in the item's base unit, at most three decimals; decoded to thousandths. */
export const quantityInput = z
  .number()
  .transform(scaled<number>(parseQuantity, 3))
  .meta({ description: 'Quantity in base units, at most 3 decimals.', example: 1.5 });

export const positiveQuantityInput = quantityInput.refine((v) => v > 0, { message: 'must be greater than zero' });

export const nonZeroQuantityInput = quantityInput.refine((v) => v !== 0, { message: 'must not be zero' });

/** A money amount as a decimal string; decoded to micros. */
export const moneyInput = z
  .string()
  .max(24)
  .transform(scaled<string>(parseMoney, 6))
  .meta({ description: 'Amount as a decimal string, at most 6 decimals.', example: '12.50' });

export const nonNegativeMoneyInput = moneyInput.refine((v) => v >= 0, { message: 'must not be negative' });

export const currencyInput = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code');

export function idInput(prefix: IdPrefix) {
  return z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9A-Za-z]{1,40}$`), `must be an id starting with ${prefix}_`)
    .meta({ example: `${prefix}_01JD0000000000000000000000` });
}

/**
 * The range every date and instant a request may carry must fall in. Nothing a shop records
 * happened before 1970 or is planned after 2200, and a bound here keeps year 1 or 9999 from
 * reaching date arithmetic (and the 500 it used to cause) on any route.
 */
export const DATE_MIN = '1970-01-01';
export const DATE_MAX = '2200-12-31';
const instantMinMs = Date.parse(`${DATE_MIN}T00:00:00Z`);
const instantMaxMs = Date.parse(`${DATE_MAX}T23:59:59.999Z`);
const rangeMessage = `must be between ${DATE_MIN} and ${DATE_MAX}`;

/** Whether an epoch-millisecond instant lies in the accepted range. */
export function isInstantInRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= instantMinMs && ms <= instantMaxMs;
}

/** An instant with an explicit offset, from 1970 to 2200; decoded to epoch milliseconds. */
export const instantInput = z.iso
  .datetime({ offset: true })
  .transform((text, ctx) => {
    const ms = Date.parse(text);
    if (!isInstantInRange(ms)) {
      ctx.addIssue({ code: 'custom', message: rangeMessage, params: { reason: 'out_of_range' } });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ description: `ISO 8601 date-time with offset, from ${DATE_MIN} to ${DATE_MAX}.`, example: '2026-11-27T09:30:00Z' });

/** A calendar date (YYYY-MM-DD) from 1970 to 2200; kept as text. */
export const dateInput = z.iso
  .date()
  .refine((text) => text >= DATE_MIN && text <= DATE_MAX, { message: rangeMessage, params: { reason: 'out_of_range' } })
  .meta({ description: `Calendar date (YYYY-MM-DD), from ${DATE_MIN} to ${DATE_MAX}.`, example: '2027-03-31' });

const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one: not a character. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const trimNote = 'Leading and trailing whitespace is removed before the text is checked and stored.';

function cleanText(schema: z.ZodString) {
  return schema
    .refine((s) => !controlCharacters.test(s), { message: 'contains control characters' })
    .refine((s) => !loneSurrogate.test(s), { message: 'contains a lone UTF-16 surrogate (not a character)' });
}

/** Text that is trimmed (say so: the API description tells callers), non-empty and bounded; control characters other than newlines and lone surrogates refused. */
export function textInput(max: number) {
  return cleanText(z.string().trim().min(1).max(max)).meta({ description: `Text of 1 to ${max} characters. ${trimNote}` });
}

export function optionalTextInput(max: number) {
  return cleanText(z.string().trim().max(max)).meta({ description: `Text of at most ${max} characters. ${trimNote}` });
}

export const quantityOutput = z.number().meta({ description: 'Quantity in base units.' });
export const moneyOutput = z.string().meta({ description: 'Decimal amount.' });
export const instantOutput = z.string().meta({ description: 'ISO 8601 UTC.' });

export const idParams = <P extends IdPrefix>(prefix: P) => z.strictObject({ id: idInput(prefix) });

/** A percentage from 0 to 100 with at most four decimals (as text or a number); decoded to parts per million. */
export const percentInput = z
  .union([z.string().max(16), z.number()])
  .transform(scaled<number | string>(parsePercent, 4))
  .meta({ description: 'Percentage from 0 to 100, at most 4 decimals.', example: '8.875' });

export const percentOutput = z.string().meta({ description: 'Percentage.' });

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
type FileMediaType = 'application/pdf' | 'text/csv' | typeof XLSX | 'application/vnd.zebra.zpl';

/** A 200 answered with a file: one media type, or several that `format` (or the route) chooses between. */
export function fileResponse(mediaType: FileMediaType | readonly FileMediaType[], description: string) {
  const types = typeof mediaType === 'string' ? [mediaType] : mediaType;
  const schemaOf = (type: FileMediaType) => (type === 'text/csv' || type === 'application/vnd.zebra.zpl' ? z.string() : z.string().meta({ format: 'binary' }));
  return { 200: { description, content: Object.fromEntries(types.map((type) => [type, { schema: schemaOf(type) }])) } };
}
