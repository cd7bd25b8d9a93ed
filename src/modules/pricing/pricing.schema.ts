import { z } from 'zod';
import { parseScaled } from '../../platform/decimal.ts';
import { idInput, instantOutput, moneyInput, moneyOutput, percentInput, percentOutput, textInput } from '../../platform/http/fields.ts';

/** A markup may pass 100 % (a 250 % markup is common on small goods); bounded at 10 000 %. */
const markupInput = z
  .union([z.string().max(16), z.number()])
  .transform((value, ctx) => {
    const parsed = parseScaled(value, 4);
    if (!parsed.ok || parsed.value < 0 || parsed.value > 1_000_000_000) {
      ctx.addIssue({ code: 'custom', message: 'must be a percentage from 0 to 10000 with at most 4 decimals' });
      return z.NEVER;
    }
    return parsed.value;
  })
  .meta({ description: 'Percentage from 0 to 10000, at most 4 decimals.', example: '60' });

const positiveMoney = moneyInput.refine((v) => v > 0, { message: 'must be greater than zero' });
const endingMoney = moneyInput.refine((v) => v >= 0, { message: 'must not be negative' });

const bandInput = z.strictObject({
  below: positiveMoney.optional().meta({ description: 'The band holds prices below this; leave it out on the last band.' }),
  ending: endingMoney.meta({ description: 'The ending prices in the band are rounded up to, such as 0.99 or 9.00.' }),
  step: positiveMoney.optional().meta({ description: 'The step the ending repeats in (1.00 unless said; 10.00 for …9.00 endings).' }),
});

export const roundingInput = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('none') }),
    z.strictObject({ kind: z.literal('ending'), ending: endingMoney.meta({ description: '0.99 or 0.95: round up to the next price with this ending.' }), step: positiveMoney.optional() }),
    z.strictObject({ kind: z.literal('nearest'), step: positiveMoney.meta({ description: 'Round half up to a multiple of this, such as 0.05.' }) }),
    z.strictObject({ kind: z.literal('bands'), bands: z.array(bandInput).min(1).max(10) }),
  ])
  .meta({ id: 'PriceRounding' });

export const selectionInput = z
  .strictObject({
    item_ids: z.array(idInput('itm')).min(1).max(1000).optional(),
    category: z.string().trim().min(1).max(100).optional(),
    vendor_id: idInput('ven').optional().meta({ description: 'Items this vendor supplies.' }),
  })
  .meta({ description: 'Which items: named ones, a category, a vendor’s items; filters combine. At most 1000 items.' });

export const pricingRuleBody = z.strictObject({
  selection: selectionInput,
  method: z.enum(['markup', 'margin']),
  percent: markupInput.meta({ description: 'Markup over cost, or the target margin of the price (below 100).' }),
  cost_basis: z.enum(['last', 'average', 'replacement']).meta({ description: 'last receipt cost, average (pool) cost, or the preferred vendor’s current price.' }),
  rounding: roundingInput.default({ kind: 'none' }),
});
export type PricingRuleInput = z.output<typeof pricingRuleBody>;

export const applyPricingBody = pricingRuleBody.extend({ reason: textInput(500) });
export type ApplyPricingInput = z.output<typeof applyPricingBody>;

const pricingLineOutput = z
  .object({
    item_id: z.string(),
    sku: z.string(),
    name: z.string(),
    cost: moneyOutput.nullable(),
    price_before: moneyOutput.nullable(),
    price_after: moneyOutput.nullable(),
    margin_before_percent: percentOutput.nullable(),
    margin_after_percent: percentOutput.nullable(),
    outcome: z.enum(['changed', 'unchanged', 'no_cost']),
  })
  .meta({ id: 'PricingLine' });

export const pricingResultOutput = z
  .object({ rule: z.string(), applied: z.boolean(), lines: z.array(pricingLineOutput), changed: z.number(), skipped: z.number() })
  .meta({ id: 'PricingResult' });

export const priceChangeOutput = z
  .object({
    id: z.string(),
    item_id: z.string(),
    price_before: moneyOutput.nullable(),
    price_after: moneyOutput,
    cost_basis: z.string(),
    cost: moneyOutput.nullable(),
    rule: z.string(),
    reason: z.string(),
    actor_id: z.string(),
    created_at: instantOutput,
  })
  .meta({ id: 'PriceChange' });
export const priceHistoryOutput = z.object({ data: z.array(priceChangeOutput) }).meta({ id: 'PriceHistory' });

export const marginAlertsQuery = z.strictObject({
  below_percent: percentInput.optional().meta({ description: 'Flag margins below this (30 unless said).' }),
});

export const marginAlertOutput = z
  .object({
    item_id: z.string(),
    sku: z.string(),
    name: z.string(),
    price: moneyOutput,
    previous_cost: moneyOutput,
    cost: moneyOutput,
    margin_before_percent: percentOutput.nullable(),
    margin_percent: percentOutput.nullable(),
    receipt_id: z.string(),
    received_at: instantOutput,
  })
  .meta({ id: 'MarginAlert' });
export const marginAlertsOutput = z.object({ data: z.array(marginAlertOutput) }).meta({ id: 'MarginAlerts' });
