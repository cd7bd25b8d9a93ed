import { z } from 'zod';
import {
  dateInput,
  idInput,
  instantInput,
  instantOutput,
  moneyOutput,
  nonNegativeMoneyInput,
  nonZeroQuantityInput,
  optionalTextInput,
  quantityOutput,
} from '../../platform/http/fields.ts';
import { cursorParam, limitParam, pageSchema } from '../../platform/http/pagination.ts';

/**
 * Why stock was adjusted. Stable codes, grouped by where the stock goes: scrap for what is
 * destroyed, the adjustment location for everything else.
 */
export const ADJUSTMENT_REASONS = ['opening_balance', 'found', 'damaged', 'expired', 'theft', 'correction'] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

export const reasonRules = {
  opening_balance: { sign: 'in', counterpart: 'adjustment' },
  found: { sign: 'in', counterpart: 'adjustment' },
  damaged: { sign: 'out', counterpart: 'scrap' },
  expired: { sign: 'out', counterpart: 'scrap' },
  theft: { sign: 'out', counterpart: 'adjustment' },
  correction: { sign: 'either', counterpart: 'adjustment' },
} as const satisfies Record<AdjustmentReason, { sign: 'in' | 'out' | 'either'; counterpart: 'adjustment' | 'scrap' }>;

const adjustmentLineInput = z.strictObject({
  item_id: idInput('itm'),
  qty: nonZeroQuantityInput.meta({ description: 'Positive adds stock, negative removes it; in `unit` if given, else base units.' }),
  unit: z.string().trim().min(1).max(16).optional().meta({ description: 'A purchase unit of the item, such as case. Leading and trailing whitespace is removed.' }),
  lot_code: z.string().trim().min(1).max(64).optional().meta({ description: 'Lot or serial number, for tracked items. Leading and trailing whitespace is removed.' }),
  expires_on: dateInput.optional().meta({ description: 'Expiry of a new lot.' }),
  unit_cost: nonNegativeMoneyInput.optional().meta({ description: 'Cost per base unit of stock added.' }),
});

export const createAdjustmentBody = z.strictObject({
  location_id: idInput('loc').meta({ description: 'A bin, or a site to use its default bin.' }),
  reason: z.enum(ADJUSTMENT_REASONS),
  note: optionalTextInput(1000).optional(),
  effective_at: instantInput.optional().meta({ description: 'When it happened, if earlier than now.' }),
  occurred_at: instantInput.optional().meta({ description: 'When an offline scanner recorded it (its queue replaying); checked against the shop’s `offline_window_days`. Give this or effective_at, not both.' }),
  lines: z.array(adjustmentLineInput).min(1).max(500),
})
  .refine((body) => body.effective_at === undefined || body.occurred_at === undefined, { message: 'give effective_at or occurred_at, not both', path: ['occurred_at'] });
export type CreateAdjustmentInput = z.output<typeof createAdjustmentBody>;

export const reverseAdjustmentBody = z.strictObject({ note: optionalTextInput(1000).optional() });

export const adjustmentOutput = z
  .object({
    id: z.string(),
    number: z.string(),
    location_id: z.string(),
    reason: z.enum(ADJUSTMENT_REASONS),
    note: z.string().nullable(),
    effective_at: instantOutput,
    posted_at: instantOutput,
    actor_id: z.string().nullable(),
    txn_id: z.string(),
    reverses_id: z.string().nullable(),
    reversed_by_id: z.string().nullable(),
    lines: z.array(
      z.object({
        id: z.string(),
        line_no: z.number().int(),
        item_id: z.string(),
        lot_id: z.string().nullable(),
        qty: quantityOutput,
        unit_cost: moneyOutput.nullable().optional(),
      }),
    ),
    warnings: z
      .array(z.object({ code: z.literal('negative_balance'), item_id: z.string(), location_id: z.string(), lot_id: z.string().nullable(), on_hand: quantityOutput }))
      .optional(),
  })
  .meta({ id: 'Adjustment' });
export type AdjustmentJson = z.infer<typeof adjustmentOutput>;

export const listAdjustmentsQuery = z.strictObject({
  location_id: idInput('loc').optional(),
  reason: z.enum(ADJUSTMENT_REASONS).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const adjustmentPage = pageSchema(adjustmentOutput);
