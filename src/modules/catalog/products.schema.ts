import { z } from 'zod';
import { idInput, instantOutput, moneyOutput, nonNegativeMoneyInput, optionalTextInput, textInput } from '../../platform/http/fields.ts';
import { cursorParam, limitParam, pageSchema } from '../../platform/http/pagination.ts';
import { barcodeInput, skuInput } from './catalog.schema.ts';

/** At most three options, as Shopify and Square allow; a product of more would not map to either. */
export const MAX_OPTIONS = 3;
/** A matrix bigger than this is a mistake in the values more often than a real range. */
export const MAX_VARIANTS = 250;

export const handleInput = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,99}$/i, 'letters, digits and -; at most 100')
  .meta({ description: 'The product’s stable name in URLs and imports (Shopify’s Handle). Letters, digits and -.', example: 'wool-gloves' });

const optionValueInput = z.string().trim().min(1).max(60);

const optionInput = z.strictObject({
  name: z.string().trim().min(1).max(40),
  values: z.array(optionValueInput).min(1).max(100),
});

const variantInput = z.strictObject({
  options: z.array(optionValueInput).min(1).max(MAX_OPTIONS).meta({ description: 'One value per product option, in option order.' }),
  sku: skuInput.optional().meta({ description: 'Default: the SKU prefix and the option values joined by -.' }),
  price: nonNegativeMoneyInput.nullable().optional(),
  barcodes: z.array(barcodeInput).max(50).optional(),
});

export const createProductBody = z.strictObject({
  name: textInput(200),
  handle: handleInput.optional().meta({ description: 'Default: made from the name.' }),
  description: optionalTextInput(2000).nullable().optional(),
  category: optionalTextInput(100).nullable().optional(),
  sku_prefix: skuInput.optional().meta({ description: 'Variant SKUs are made from it and the option values (GLOVE-WOOL → GLOVE-WOOL-M-RED). Default: the handle in capitals.' }),
  base_unit: z.string().trim().min(1).max(16).default('ea'),
  price: nonNegativeMoneyInput.nullable().optional().meta({ description: 'Price of every variant made from the matrix.' }),
  options: z.array(optionInput).min(1).max(MAX_OPTIONS),
  variants: z
    .array(variantInput)
    .max(MAX_VARIANTS)
    .optional()
    .meta({ description: 'The variants to make. Default: every combination of the option values (the full matrix).' }),
});
export type CreateProductInput = z.output<typeof createProductBody>;

export const updateProductBody = z
  .strictObject({
    name: textInput(200).optional(),
    handle: handleInput.optional(),
    description: optionalTextInput(2000).nullable().optional(),
    category: optionalTextInput(100).nullable().optional(),
    option_names: z.array(z.string().trim().min(1).max(40)).min(1).max(MAX_OPTIONS).optional().meta({ description: 'Renames the options, in order; their number cannot change.' }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });
export type UpdateProductInput = z.output<typeof updateProductBody>;

export const addOptionValueBody = z.strictObject({
  option: z.string().trim().min(1).max(40).meta({ description: 'The option’s name, such as Size.' }),
  value: optionValueInput,
  price: nonNegativeMoneyInput.nullable().optional().meta({ description: 'Price of the new variants. Default: the price of the variant they copy (same other values).' }),
});
export type AddOptionValueInput = z.output<typeof addOptionValueBody>;

export const setRowPriceBody = z.strictObject({
  option: z.string().trim().min(1).max(40),
  value: optionValueInput,
  price: nonNegativeMoneyInput.nullable(),
});
export type SetRowPriceInput = z.output<typeof setRowPriceBody>;

export const productOutput = z
  .object({
    id: z.string(),
    handle: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    category: z.string().nullable(),
    options: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
    status: z.enum(['active', 'archived']),
    variants: z.array(
      z.object({
        item_id: z.string(),
        sku: z.string(),
        name: z.string(),
        options: z.array(z.string()),
        price: moneyOutput.nullable(),
        barcodes: z.array(z.string()),
        status: z.enum(['active', 'archived']),
      }),
    ),
    created_at: instantOutput,
    updated_at: instantOutput,
  })
  .meta({ id: 'Product' });
export type ProductJson = z.infer<typeof productOutput>;

export const listProductsQuery = z.strictObject({
  q: z.string().trim().max(100).optional().meta({ description: 'Matches the name and handle.' }),
  limit: limitParam,
  cursor: cursorParam,
});
export type ListProductsQuery = z.output<typeof listProductsQuery>;

export const productPage = pageSchema(productOutput);
export const productIdParams = z.strictObject({ id: idInput('pdt') });
