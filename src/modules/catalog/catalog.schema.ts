import { z } from 'zod';
import {
  idInput,
  instantOutput,
  moneyOutput,
  nonNegativeMoneyInput,
  optionalTextInput,
  positiveQuantityInput,
  quantityInput,
  quantityOutput,
  textInput,
} from '../../platform/http/fields.ts';
import { cursorParam, limitParam, pageSchema } from '../../platform/http/pagination.ts';

export const skuInput = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/, 'letters, digits and . _ - /; at most 64')
  .meta({ description: 'Letters, digits and . _ - /; at most 64. Leading and trailing whitespace is removed.', example: 'BEAN-ESP-1KG' });

export const unitNameInput = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_ ]{0,15}$/, 'a short unit name such as ea, kg, case')
  .meta({ description: 'A short unit name. Leading and trailing whitespace is removed.', example: 'ea' });

export const barcodeInput = z.string().min(1).max(64).meta({ example: '4006381333931' });

/** How many purchase units an item may have. */
export const MAX_ITEM_UNITS = 20;

export const purchaseUnitInput = z.strictObject({
  name: unitNameInput,
  factor: positiveQuantityInput.meta({ description: 'How many base units one of this unit holds (a case of 12: 12).' }),
});

const componentInput = z.strictObject({
  item_id: idInput('itm'),
  qty: positiveQuantityInput.meta({ description: 'Quantity of the component, in its base unit, per one base unit of this item.' }),
});

const itemFields = {
  name: textInput(200),
  description: optionalTextInput(2000).nullable(),
  category: optionalTextInput(100).nullable(),
  price: nonNegativeMoneyInput.nullable().meta({ description: 'Default selling price per base unit, in the shop currency, in whole minor units (at most 2 decimals for USD).' }),
  unit_weight_g: positiveQuantityInput.nullable().meta({ description: 'Weight of one base unit in grams.' }),
  reorder_point: quantityInput.refine((v) => v >= 0, { message: 'must not be negative' }).nullable().meta({
    deprecated: true,
    description: 'Deprecated: use per-site levels (`/api/v1/stock-levels`). The shop-wide min, standing in only at sites where the item has no level of its own (max twice it).',
  }),
  units: z.array(purchaseUnitInput).max(MAX_ITEM_UNITS),
  barcodes: z.array(barcodeInput).max(50),
  components: z.array(componentInput).max(200),
};

export const createItemBody = z.strictObject({
  sku: skuInput,
  name: itemFields.name,
  description: itemFields.description.optional(),
  category: itemFields.category.optional(),
  base_unit: unitNameInput.default('ea'),
  tracking: z.enum(['none', 'lot', 'serial']).default('none'),
  tracks_expiry: z.boolean().default(false),
  costing_method: z.enum(['fifo', 'average']).default('fifo'),
  price: itemFields.price.optional(),
  unit_weight_g: itemFields.unit_weight_g.optional(),
  reorder_point: itemFields.reorder_point.optional(),
  stocked: z.boolean().default(true),
  units: itemFields.units.default([]),
  barcodes: itemFields.barcodes.default([]),
  components: itemFields.components.default([]),
});
export type CreateItemInput = z.output<typeof createItemBody>;

export const updateItemBody = z
  .strictObject({
    sku: skuInput.optional(),
    name: itemFields.name.optional(),
    description: itemFields.description.optional(),
    category: itemFields.category.optional(),
    base_unit: unitNameInput.optional(),
    tracking: z.enum(['none', 'lot', 'serial']).optional(),
    tracks_expiry: z.boolean().optional(),
    costing_method: z.enum(['fifo', 'average']).optional(),
    price: itemFields.price.optional(),
    unit_weight_g: itemFields.unit_weight_g.optional(),
    reorder_point: itemFields.reorder_point.optional(),
    stocked: z.boolean().optional(),
    units: itemFields.units.optional(),
    barcodes: itemFields.barcodes.optional(),
    components: itemFields.components.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });
export type UpdateItemInput = z.output<typeof updateItemBody>;

export const itemOutput = z
  .object({
    id: z.string(),
    sku: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    category: z.string().nullable(),
    base_unit: z.string(),
    units: z.array(z.object({ name: z.string(), factor: quantityOutput })),
    barcodes: z.array(z.object({ code: z.string(), kind: z.enum(['gtin', 'other']) })),
    tracking: z.enum(['none', 'lot', 'serial']),
    tracks_expiry: z.boolean(),
    costing_method: z.enum(['fifo', 'average']),
    price: moneyOutput.nullable(),
    unit_weight_g: quantityOutput.nullable(),
    reorder_point: quantityOutput.nullable(),
    stocked: z.boolean(),
    components: z.array(z.object({ item_id: z.string(), qty: quantityOutput })),
    status: z.enum(['active', 'archived']),
    created_at: instantOutput,
    updated_at: instantOutput,
  })
  .meta({ id: 'Item' });
export type ItemJson = z.infer<typeof itemOutput>;

export const itemByBarcodeOutput = itemOutput.extend({ matched_barcode: z.string() }).meta({ id: 'ItemByBarcode' });

export const listItemsQuery = z.strictObject({
  q: z.string().trim().max(100).optional().meta({ description: 'Matches SKU, name and barcodes. Leading and trailing whitespace is removed.' }),
  category: z.string().trim().max(100).optional().meta({ description: 'Leading and trailing whitespace is removed.' }),
  status: z.enum(['active', 'archived', 'all']).default('active'),
  stocked: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  sort: z.enum(['name', 'sku', 'updated']).default('name'),
  location_id: idInput('loc').optional().meta({ description: 'Count `on_hand` at this site or bin only.' }),
  limit: limitParam,
  cursor: cursorParam,
});
export type ListItemsQuery = z.output<typeof listItemsQuery>;

export const itemListOutput = itemOutput.extend({
  on_hand: quantityOutput.nullable().meta({ description: 'Sellable stock over the sites you may see (or at `location_id`); null for items not stocked.' }),
});

export const itemPage = pageSchema(itemListOutput);

export const barcodeParams = z.strictObject({ code: z.string().min(1).max(64) });
