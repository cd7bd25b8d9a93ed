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

/** An instant with an explicit offset; decoded to epoch milliseconds. */
export const instantInput = z.iso
  .datetime({ offset: true })
  .transform((text) => Date.parse(text))
  .meta({ description: 'ISO 8601 date-time with offset.', example: '2026-11-27T09:30:00Z' });

export const dateInput = z.iso.date().meta({ example: '2027-03-31' });

/** Text that is trimmed, non-empty and bounded; control characters other than newlines refused. */
export function textInput(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), { message: 'contains control characters' });
}

export function optionalTextInput(max: number) {
  return z.string().trim().max(max).refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), {
    message: 'contains control characters',
  });
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
