import { z } from 'zod';
import { idInput, instantOutput, moneyInput, moneyOutput, positiveQuantityInput, quantityOutput, textInput } from '../../platform/http/fields.ts';

const modifierComponentInput = z
  .strictObject({
    item_id: idInput('itm').optional().meta({ description: 'The item the modifier consumes (oat milk).' }),
    qty: positiveQuantityInput
      .optional()
      .meta({ description: 'Per one base unit of the item sold; with `replaces_item_id` it defaults to the replaced component’s quantity.' }),
    replaces_item_id: idInput('itm').optional().meta({ description: 'A component of the item sold that this one stands in for (whole milk); alone, it removes it.' }),
  })
  .refine((c) => c.item_id !== undefined || c.replaces_item_id !== undefined, { message: 'give item_id, replaces_item_id or both' })
  .refine((c) => c.replaces_item_id !== undefined || c.qty !== undefined, { message: 'an added component needs a qty', path: ['qty'] });

const modifierInput = z.strictObject({
  name: textInput(120),
  price_delta: moneyInput.default(0).meta({ description: 'Added to the unit price of the item sold; negative for a cheaper option. Whole minor units of the shop currency.' }),
  components: z.array(modifierComponentInput).max(20).default([]),
});

export const createModifierGroupBody = z
  .strictObject({
    name: textInput(120),
    selection: z.enum(['single', 'multiple']).meta({ description: '`single`: at most one modifier of the group per line.' }),
    required: z.boolean().default(false).meta({ description: 'A line of an item with this group must choose at least one (or `min`).' }),
    min: z.number().int().min(0).max(50).optional(),
    max: z.number().int().min(1).max(50).optional(),
    modifiers: z.array(modifierInput).min(1).max(50),
  })
  .refine((g) => g.selection === 'multiple' || (g.min === undefined && g.max === undefined), { message: 'min and max are for multiple-choice groups' })
  .refine((g) => g.min === undefined || g.max === undefined || g.min <= g.max, { message: 'min exceeds max' })
  .refine((g) => !g.required || g.min === undefined || g.min >= 1, { message: 'a required group chooses at least one' });
export type CreateModifierGroupInput = z.output<typeof createModifierGroupBody>;

export const setItemModifierGroupsBody = z.strictObject({
  group_ids: z.array(idInput('mgr')).max(20).meta({ description: 'The groups offered with this item, in the order a till shows them; replaces the list.' }),
});

export const modifierComponentOutput = z.object({ item_id: z.string().nullable(), qty: quantityOutput.nullable(), replaces_item_id: z.string().nullable() });

export const modifierGroupOutput = z
  .object({
    id: z.string(),
    name: z.string(),
    selection: z.enum(['single', 'multiple']),
    required: z.boolean(),
    min: z.number().int(),
    max: z.number().int().nullable(),
    status: z.enum(['active', 'archived']),
    modifiers: z.array(z.object({ id: z.string(), name: z.string(), price_delta: moneyOutput, components: z.array(modifierComponentOutput) })),
    created_at: instantOutput,
  })
  .meta({ id: 'ModifierGroup' });
export type ModifierGroupJson = z.infer<typeof modifierGroupOutput>;
