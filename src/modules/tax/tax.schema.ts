import { z } from 'zod';
import { idInput, instantOutput, percentInput, percentOutput, textInput } from '../../platform/http/fields.ts';

export const createTaxRateBody = z.strictObject({
  name: textInput(80).meta({ description: 'What receipts and screens call it: "Sales tax", "VAT reduced".', example: 'Sales tax' }),
  rate: percentInput,
});
export type CreateTaxRateInput = z.output<typeof createTaxRateBody>;

export const updateTaxRateBody = z
  .strictObject({ name: textInput(80).optional(), rate: percentInput.optional() })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
export type UpdateTaxRateInput = z.output<typeof updateTaxRateBody>;

export const taxRateOutput = z
  .object({ id: z.string(), name: z.string(), rate: percentOutput, rules: z.number().int().meta({ description: 'How many rules use it.' }), created_at: instantOutput, updated_at: instantOutput })
  .meta({ id: 'TaxRate' });
export const taxRateList = z.object({ data: z.array(taxRateOutput) });

export const setTaxRuleBody = z.strictObject({
  site_id: idInput('loc').nullable().default(null).meta({ description: 'A site; every site when null or left out.' }),
  category: z.string().trim().max(120).nullable().default(null).meta({ description: 'An item category (matched trimmed and case-insensitively); every category (the default rate) when null, empty or left out.' }),
  tax_rate_id: idInput('txr').nullable().meta({ description: 'The rate for that site and category; null removes the rule.' }),
});
export type SetTaxRuleInput = z.output<typeof setTaxRuleBody>;

export const taxRuleOutput = z
  .object({
    site_id: z.string().nullable(),
    category: z.string().nullable(),
    tax_rate_id: z.string(),
    name: z.string(),
    rate: percentOutput,
    updated_at: instantOutput,
  })
  .meta({ id: 'TaxRule' });
export const taxRuleList = z.object({ data: z.array(taxRuleOutput) });
export const setTaxRuleOutput = z.object({ rule: taxRuleOutput.nullable().meta({ description: 'null when the rule was removed.' }) });

export const itemTaxBody = z.strictObject({ exempt: z.boolean().meta({ description: 'Sold without tax wherever it is sold, whatever the rules say.' }) });
export const itemTaxOutput = z.object({ item_id: z.string(), exempt: z.boolean() }).meta({ id: 'ItemTax' });

export const taxTableQuery = z.strictObject({ site_id: idInput('loc') });
export const taxTableOutput = z
  .object({
    site_id: z.string(),
    prices_include_tax: z.boolean(),
    default_rate: percentOutput.meta({ description: 'The rate of items whose category has no rule here.' }),
    categories: z.array(z.object({ category: z.string(), rate: percentOutput })).meta({ description: 'Categories with their own rate here (matched trimmed and case-insensitively).' }),
    exempt_item_ids: z.array(z.string()),
  })
  .meta({ id: 'TaxTable' });
