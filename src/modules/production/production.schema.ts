import { z } from 'zod';
import type { ItemRow, ProductionOrderStatus } from '../../platform/db/schema.ts';
import { mulDivExact } from '../../platform/decimal.ts';
import {
  dateInput,
  idInput,
  instantInput,
  instantOutput,
  moneyOutput,
  nonNegativeMoneyInput,
  optionalTextInput,
  percentInput,
  percentOutput,
  positiveQuantityInput,
  quantityInput,
  quantityOutput,
} from '../../platform/http/fields.ts';
import { cursorParam, limitParam, pageSchema } from '../../platform/http/pagination.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { unitsOf } from '../catalog/index.ts';

export const PRODUCTION_ORDER_STATUSES = ['planned', 'started', 'completed', 'closed', 'cancelled'] as const satisfies readonly ProductionOrderStatus[];
export const COST_BASES = ['batch', 'unit'] as const;

/** A quantity in one of the item's units becomes base units exactly, or not at all (1/3 of a case of 12 is 4; 1/7 g is refused). */
export function toBaseQuantity(item: ItemRow, qty: number, unit: string | undefined | null): number | null {
  if (unit === undefined || unit === null || unit.toLowerCase() === item.base_unit.toLowerCase()) return qty;
  const found = unitsOf(item).find((u) => u.name.toLowerCase() === unit.toLowerCase());
  if (!found) return null;
  return mulDivExact(qty, found.factor, QTY_SCALE);
}

const unitInput = z.string().trim().min(1).max(16).meta({ description: 'One of the component’s units (g of a kg item, a case); base units when left out.' });
const lotCode = z.string().trim().min(1).max(64);

export const bomLineInput = z.strictObject({
  item_id: idInput('itm'),
  qty: positiveQuantityInput.meta({ description: 'Per batch, in `unit` if given, else base units; must convert exactly.' }),
  unit: unitInput.optional(),
});

export const createBomBody = z.strictObject({
  batch_qty: positiveQuantityInput.meta({ description: 'What one batch is meant to make, in the item’s base unit (20 loaves, 10 kg of dough).' }),
  yield: percentInput.optional().meta({ description: 'Expected good output as a share of batch_qty (default 100).' }),
  scrap: percentInput.optional().meta({ description: 'Expected component loss on top of the listed quantities, planned into the reservations (default 0).' }),
  labour: nonNegativeMoneyInput.optional().meta({ description: 'Labour cost per batch or per unit made (labour_basis).' }),
  labour_basis: z.enum(COST_BASES).optional(),
  overhead: nonNegativeMoneyInput.optional().meta({ description: 'Overhead (oven, energy) per batch or per unit made (overhead_basis).' }),
  overhead_basis: z.enum(COST_BASES).optional(),
  shelf_life_days: z.number().int().min(0).max(3650).nullable().optional().meta({ description: 'Finished goods get a lot expiring this many days after the day they are made.' }),
  note: optionalTextInput(1000).optional(),
  lines: z.array(bomLineInput).min(1).max(200).optional().meta({ description: 'The components; left out, the item’s catalog components are taken as they are.' }),
});
export type CreateBomInput = z.output<typeof createBomBody>;

const costField = moneyOutput.optional().meta({ description: 'Left out for staff.' });

export const bomOutput = z.object({
  id: z.string(),
  item_id: z.string(),
  version: z.number(),
  status: z.enum(['active', 'superseded']),
  batch_qty: quantityOutput,
  yield: percentOutput,
  scrap: percentOutput,
  labour: costField,
  labour_basis: z.enum(COST_BASES),
  overhead: costField,
  overhead_basis: z.enum(COST_BASES),
  shelf_life_days: z.number().nullable(),
  note: z.string().nullable(),
  created_at: instantOutput,
  lines: z.array(
    z.object({
      line_no: z.number(),
      item_id: z.string(),
      sku: z.string(),
      name: z.string(),
      base_unit: z.string(),
      qty: quantityOutput,
      unit: z.string().nullable(),
      unit_qty: quantityOutput,
    }),
  ),
});
export const bomListOutput = z.object({ data: z.array(bomOutput) });

export const bomTreeOutput = z.object({
  item_id: z.string(),
  bom_id: z.string(),
  version: z.number(),
  unit_cost: costField.meta({ description: 'Standard cost of one base unit of good output, rolled up from the levels below. Left out for staff.' }),
  nodes: z.array(
    z.object({
      depth: z.number().meta({ description: '1 for the components of the item itself, 2 for those of a sub-assembly, …' }),
      parent_item_id: z.string(),
      item_id: z.string(),
      sku: z.string(),
      name: z.string(),
      base_unit: z.string(),
      qty: quantityOutput.meta({ description: 'Per batch of the parent.' }),
      sub_assembly: z.boolean().meta({ description: 'The component has a bill of materials of its own.' }),
      unit_cost: costField.meta({ description: 'Current cost of one base unit (rolled up for a sub-assembly). Left out for staff.' }),
      cost: costField.meta({ description: 'unit_cost × qty, scrap included. Left out for staff.' }),
    }),
  ),
});

export const createOrderBody = z.strictObject({
  item_id: idInput('itm'),
  site_id: idInput('loc'),
  qty: positiveQuantityInput.meta({ description: 'What to make, in the item’s base unit (nominal, before yield).' }),
  bin_id: idInput('loc').optional().meta({ description: 'Where components are picked and finished goods put; the site’s default bin when left out.' }),
  bom_id: idInput('bom').optional().meta({ description: 'A particular version; the active one when left out.' }),
  planned_for: dateInput.optional(),
  start: z.boolean().optional().meta({ description: 'Start at once (reserve the components).' }),
  note: optionalTextInput(1000).optional(),
});
export type CreateOrderInput = z.output<typeof createOrderBody>;

export const completeBody = z.strictObject({
  qty_produced: quantityInput.refine((v) => v >= 0, { message: 'must not be negative' }).meta({ description: 'Good units made now (base units).' }),
  qty_scrapped: quantityInput.refine((v) => v >= 0, { message: 'must not be negative' }).optional().meta({ description: 'Units made but thrown away (burnt); recorded, never stocked.' }),
  lines: z
    .array(
      z.strictObject({
        item_id: idInput('itm'),
        qty_consumed: quantityInput.refine((v) => v >= 0, { message: 'must not be negative' }).meta({ description: 'Actually used now, in `unit` or base units.' }),
        unit: unitInput.optional(),
      }),
    )
    .max(200)
    .optional()
    .meta({ description: 'Actual consumption per component. Left out: the plan’s share for what was made (the rest of the plan on the final completion).' }),
  final: z.boolean().optional().meta({ description: 'Default true: the order is done, unused reservations are released. false: a partial completion.' }),
  lot_code: lotCode.optional().meta({ description: 'For a lot-tracked item; the order number when left out.' }),
  expires_on: dateInput.optional().meta({ description: 'Defaults to the day made plus the recipe’s shelf life.' }),
  effective_at: instantInput.optional(),
  note: optionalTextInput(1000).optional(),
});
export type CompleteInput = z.output<typeof completeBody>;

export const noteBody = z.strictObject({ note: optionalTextInput(1000).optional() });

export const orderOutput = z.object({
  id: z.string(),
  number: z.string(),
  status: z.enum(PRODUCTION_ORDER_STATUSES),
  site: z.object({ id: z.string(), code: z.string(), name: z.string() }),
  bin_id: z.string(),
  item: z.object({ id: z.string(), sku: z.string(), name: z.string(), base_unit: z.string() }),
  bom_id: z.string(),
  bom_version: z.number(),
  qty_planned: quantityOutput,
  qty_expected: quantityOutput.meta({ description: 'qty_planned × the recipe’s yield.' }),
  qty_produced: quantityOutput,
  qty_scrapped: quantityOutput,
  yield_variance: quantityOutput.meta({ description: 'qty_produced − qty_expected once completed, else 0.' }),
  planned_for: z.string().nullable(),
  note: z.string().nullable(),
  lines: z.array(
    z.object({
      id: z.string(),
      item_id: z.string(),
      sku: z.string(),
      name: z.string(),
      base_unit: z.string(),
      qty_planned: quantityOutput,
      qty_reserved: quantityOutput,
      qty_consumed: quantityOutput,
      qty_variance: quantityOutput.meta({ description: 'qty_consumed − qty_planned once completed, else 0.' }),
      value_consumed: costField,
    }),
  ),
  postings: z.array(
    z.object({
      id: z.string(),
      qty_produced: quantityOutput,
      qty_scrapped: quantityOutput,
      lot_code: z.string().nullable(),
      expires_on: z.string().nullable(),
      value_consumed: costField,
      labour: costField,
      overhead: costField,
      value_produced: costField,
      unit_cost: costField,
      effective_at: instantOutput,
      note: z.string().nullable(),
    }),
  ),
  value_consumed: costField,
  value_produced: costField,
  unit_cost: costField.meta({ description: 'Value produced ÷ good quantity, over all completions. Left out for staff.' }),
  created_at: instantOutput,
  started_at: instantOutput.nullable(),
  completed_at: instantOutput.nullable(),
  closed_at: instantOutput.nullable(),
});
export const orderPage = pageSchema(orderOutput);

export const listOrdersQuery = z.strictObject({
  site_id: idInput('loc').optional(),
  status: z.enum(PRODUCTION_ORDER_STATUSES).optional(),
  planned_for: dateInput.optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const planQuery = z.strictObject({
  site_id: idInput('loc'),
  date: dateInput.optional().meta({ description: 'The day to plan for; tomorrow when left out.' }),
});

export const planOutput = z.object({
  site_id: z.string(),
  date: z.string(),
  lines: z.array(
    z.object({
      item_id: z.string(),
      sku: z.string(),
      name: z.string(),
      bom_id: z.string(),
      batch_qty: quantityOutput,
      on_hand: quantityOutput,
      planned_open: quantityOutput.meta({ description: 'Still to come from open production orders at the site.' }),
      min: quantityOutput,
      max: quantityOutput,
      qty: quantityOutput.meta({ description: 'Suggested: up to max, in whole batches.' }),
      reason: z.string(),
    }),
  ),
});

export const createPlanBody = z.strictObject({
  site_id: idInput('loc'),
  date: dateInput.optional(),
  lines: z
    .array(z.strictObject({ item_id: idInput('itm'), qty: positiveQuantityInput }))
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'What to make; the suggested plan when left out.' }),
  start: z.boolean().optional(),
});
export const createPlanOutput = z.object({ data: z.array(orderOutput) });

export const disassembleBody = z.strictObject({
  item_id: idInput('itm'),
  site_id: idInput('loc'),
  qty: positiveQuantityInput.meta({ description: 'How many kits to break up (base units).' }),
  bin_id: idInput('loc').optional(),
  lot_code: lotCode.optional().meta({ description: 'Which lot of the kit; soonest expiry first when left out.' }),
  rule: z.enum(['standard', 'declared']).optional().meta({ description: 'How the kit’s cost is shared: by each component’s current cost × quantity (default), or by declared shares.' }),
  lines: z
    .array(
      z.strictObject({
        item_id: idInput('itm'),
        qty: positiveQuantityInput.meta({ description: 'Per kit, in `unit` or base units.' }),
        unit: unitInput.optional(),
        share: percentInput.optional().meta({ description: 'Declared share of the cost (rule `declared`); shares add up to 100.' }),
      }),
    )
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'What one kit breaks into; the kit’s bill of materials (or catalog components) when left out.' }),
  effective_at: instantInput.optional(),
  note: optionalTextInput(1000).optional(),
});
export type DisassembleInput = z.output<typeof disassembleBody>;

export const disassemblyOutput = z.object({
  id: z.string(),
  number: z.string(),
  site_id: z.string(),
  bin_id: z.string(),
  item_id: z.string(),
  lot_code: z.string().nullable(),
  qty: quantityOutput,
  rule: z.enum(['standard', 'declared']),
  value: costField.meta({ description: 'Cost of the kits taken apart. Left out for staff.' }),
  lines: z.array(z.object({ item_id: z.string(), sku: z.string(), qty: quantityOutput, value: costField })),
  effective_at: instantOutput,
  created_at: instantOutput,
});

export { moneyOutput };
