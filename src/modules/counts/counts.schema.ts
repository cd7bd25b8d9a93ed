import { z } from 'zod';
import { dateInput, idInput, instantInput, instantOutput, moneyOutput, nonNegativeMoneyInput, optionalTextInput, percentInput, percentOutput, quantityInput, quantityOutput, textInput } from '../../platform/http/fields.ts';
import { cursorParam, limitParam, pageSchema } from '../../platform/http/pagination.ts';

export const COUNT_KINDS = ['full', 'cycle', 'spot'] as const;
export const COUNT_MODES = ['blind', 'guided'] as const;
export const COUNT_STATUSES = ['counting', 'submitted', 'posted', 'cancelled'] as const;
export const COUNT_LINE_STATUSES = ['open', 'pending', 'approved', 'posted', 'skipped', 'superseded'] as const;
/** The reason every count variance posts with. */
export const COUNT_VARIANCE_REASON = 'count_variance';

const countedQtyInput = quantityInput.refine((v) => v >= 0, { message: 'a counted quantity is never negative' });

export const countScopeInput = z.strictObject({
  location_ids: z.array(idInput('loc')).max(200).optional().meta({ description: 'Zones or bins of the site to count; the whole site when left out.' }),
  item_ids: z.array(idInput('itm')).max(500).optional(),
  category: textInput(120).optional(),
  vendor_id: idInput('ven').optional().meta({ description: 'Items this vendor supplies.' }),
  negative_only: z.boolean().optional().meta({ description: 'Only balances below zero: reconcile what went negative.' }),
  cycle_plan: z.boolean().optional().meta({ description: 'The items the cycle-count schedule proposes for today.' }),
});
export type CountScope = z.output<typeof countScopeInput>;

export const createCountBody = z.strictObject({
  site_id: idInput('loc'),
  kind: z.enum(COUNT_KINDS).default('cycle').meta({ description: 'full: a stocktake of the site; cycle: a scope of it; spot: one item.' }),
  mode: z.enum(COUNT_MODES).default('blind').meta({ description: 'blind: counters never see the expected quantity; guided: they do.' }),
  note: optionalTextInput(1000).optional(),
  scope: countScopeInput.default({}),
  sheets: z
    .array(z.strictObject({ name: textInput(80), location_ids: z.array(idInput('loc')).min(1).max(200), counter_id: idInput('usr').optional() }))
    .max(50)
    .optional()
    .meta({ description: 'Split the count among counters by zone or bin; one sheet for everything when left out.' }),
});
export type CreateCountInput = z.output<typeof createCountBody>;

export const countLineInput = z.strictObject({
  location_id: idInput('loc').meta({ description: 'The bin counted.' }),
  item_id: idInput('itm'),
  lot_code: z.string().trim().min(1).max(64).optional(),
  expires_on: dateInput.optional(),
  qty: countedQtyInput.meta({ description: 'What is on the shelf, in `unit` if given, else base units.' }),
  unit: z.string().trim().min(1).max(16).optional(),
  counted_at: instantInput.optional().meta({ description: 'When the shelf was counted; now when left out. Never in the future.' }),
});
export type CountLineInput = z.output<typeof countLineInput>;

export const enterLinesBody = z.strictObject({ lines: z.array(countLineInput).min(1).max(500) });

export const scanBody = z.strictObject({
  location_id: idInput('loc').meta({ description: 'The bin being counted.' }),
  code: z.string().min(1).max(512).meta({ description: 'What the scanner read: a GS1 element string, a barcode or a SKU.' }),
  qty: countedQtyInput.refine((v) => v > 0, { message: 'must be greater than zero' }).optional().meta({ description: 'How many this beep stands for; one when left out.' }),
  unit: z.string().trim().min(1).max(16).optional().meta({ description: 'A unit of the item (case): the beep counts that many base units.' }),
  occurred_at: instantInput.optional().meta({ description: 'When an offline scanner made the beep (its queue replaying): the line is counted at that instant. Checked against the shop’s `offline_window_days`.' }),
});
export type ScanInput = z.output<typeof scanBody>;

export const submitBody = z.strictObject({
  uncounted: z.enum(['error', 'zero', 'skip']).default('error').meta({ description: 'Lines nobody counted: refuse (default), count them as zero, or leave them out.' }),
});

export const decisionInput = z.strictObject({
  line_id: idInput('cnl'),
  action: z.enum(['approve', 'reject', 'edit']),
  qty: countedQtyInput.optional().meta({ description: 'edit: the corrected counted quantity, in base units.' }),
  reason: textInput(500).optional().meta({ description: 'Required to reject (the recount asked for) and to edit.' }),
});
export type DecisionInput = z.output<typeof decisionInput>;

export const approveBody = z.strictObject({
  decisions: z.array(decisionInput).max(5000).optional().meta({ description: 'Per line; when left out every line awaiting approval is approved.' }),
});

export const resolveScanBody = z
  .strictObject({ item_id: idInput('itm').optional(), dismiss: z.boolean().optional(), lot_code: z.string().trim().min(1).max(64).optional() })
  .refine((b) => (b.item_id !== undefined) !== (b.dismiss === true), { message: 'give item_id, or dismiss: true' });

export const countSettingsBody = z.strictObject({
  qty_abs_threshold: quantityInput.refine((v) => v >= 0).nullable().optional(),
  qty_pct_threshold: percentInput.nullable().optional(),
  value_abs_threshold: nonNegativeMoneyInput.nullable().optional(),
  value_pct_threshold: percentInput.nullable().optional(),
  require_second_person: z.boolean().optional(),
  cycle_a_days: z.number().int().min(1).max(3660).optional(),
  cycle_b_days: z.number().int().min(1).max(3660).optional(),
  cycle_c_days: z.number().int().min(1).max(3660).optional(),
});
export type CountSettingsInput = z.output<typeof countSettingsBody>;

export const countSettingsOutput = z
  .object({
    site_id: z.string(),
    qty_abs_threshold: quantityOutput.nullable(),
    qty_pct_threshold: percentOutput.nullable(),
    value_abs_threshold: moneyOutput.nullable().optional().meta({ description: 'Left out for those who may not see costs.' }),
    value_pct_threshold: percentOutput.nullable().optional().meta({ description: 'Left out for those who may not see costs.' }),
    require_second_person: z.boolean(),
    cycle_a_days: z.number().int(),
    cycle_b_days: z.number().int(),
    cycle_c_days: z.number().int(),
  })
  .meta({ id: 'CountSettings' });

export const countLineOutput = z.object({
  id: z.string(),
  line_no: z.number().int(),
  sheet_id: z.string().nullable(),
  location_id: z.string(),
  location_code: z.string(),
  item_id: z.string(),
  sku: z.string(),
  item_name: z.string(),
  base_unit: z.string(),
  lot_id: z.string().nullable(),
  lot_code: z.string().nullable(),
  round: z.number().int(),
  status: z.enum(COUNT_LINE_STATUSES),
  found: z.boolean(),
  counted_qty: quantityOutput.nullable(),
  counted_at: instantOutput.nullable(),
  counted_by: z.string().nullable(),
  expected_qty: quantityOutput.nullable().optional().meta({ description: 'Left out of blind counts for counters.' }),
  variance_qty: quantityOutput.nullable().optional(),
  unit_cost: moneyOutput.nullable().optional(),
  variance_value: moneyOutput.nullable().optional(),
  needs_approval: z.boolean(),
  decision: z.string().nullable(),
  decision_reason: z.string().nullable(),
  decided_by: z.string().nullable(),
  edited_from_qty: quantityOutput.nullable(),
  txn_id: z.string().nullable(),
  posted_at: instantOutput.nullable(),
});
export type CountLineJson = z.infer<typeof countLineOutput>;

export const countOutput = z
  .object({
    id: z.string(),
    number: z.string(),
    site_id: z.string(),
    kind: z.enum(COUNT_KINDS),
    mode: z.enum(COUNT_MODES),
    status: z.enum(COUNT_STATUSES),
    note: z.string().nullable(),
    scope: z.record(z.string(), z.unknown()),
    created_by: z.string().nullable(),
    created_at: instantOutput,
    submitted_by: z.string().nullable(),
    submitted_at: instantOutput.nullable(),
    posted_by: z.string().nullable(),
    posted_at: instantOutput.nullable(),
    expected_visible: z.boolean(),
    summary: z.object({ lines: z.number().int(), counted: z.number().int(), pending: z.number().int(), approved: z.number().int(), posted: z.number().int(), held_scans: z.number().int() }),
    sheets: z.array(z.object({ id: z.string(), sheet_no: z.number().int(), name: z.string(), location_ids: z.array(z.string()), counter_id: z.string().nullable() })),
    lines: z.array(countLineOutput),
    unknown_scans: z.array(
      z.object({ id: z.string(), location_id: z.string(), code: z.string(), qty: quantityOutput, status: z.string(), scanned_by: z.string().nullable(), scanned_at: instantOutput, resolved_item_id: z.string().nullable() }),
    ),
  })
  .meta({ id: 'Count' });
export type CountJson = z.infer<typeof countOutput>;

export const countSummaryOutput = countOutput.omit({ lines: true, unknown_scans: true, sheets: true }).meta({ id: 'CountSummary' });
export const countPage = pageSchema(countSummaryOutput);

export const listCountsQuery = z.strictObject({
  site_id: idInput('loc').optional(),
  status: z.enum(COUNT_STATUSES).optional(),
  awaiting_approval: z.enum(['true', 'false']).optional().meta({ description: 'true: counts with lines waiting for a person with counts.approve.' }),
  limit: limitParam,
  cursor: cursorParam,
});

export const getCountQuery = z.strictObject({ sheet_id: idInput('cnh').optional() });

export const scanResultOutput = z
  .object({
    result: z.enum(['counted', 'held']).meta({ description: 'held: nothing is known by this code; a manager resolves it.' }),
    line: countLineOutput.nullable(),
    unknown_scan_id: z.string().nullable(),
    scan: z.object({ kind: z.string(), lot_code: z.string().nullable(), expires_on: z.string().nullable(), serial: z.string().nullable() }),
  })
  .meta({ id: 'CountScanResult' });

export const siteQuery = z.strictObject({ site_id: idInput('loc') });

export const needsCountOutput = z
  .object({
    site_id: z.string(),
    negative: z.array(z.object({ item_id: z.string(), sku: z.string(), name: z.string(), location_id: z.string(), location_code: z.string(), lot_id: z.string().nullable(), on_hand: quantityOutput })),
    overdue: z.array(z.object({ item_id: z.string(), sku: z.string(), name: z.string(), abc_class: z.enum(['A', 'B', 'C']), last_counted_at: instantOutput.nullable(), due_since: instantOutput.nullable() })),
    shortages: z
      .array(
        z.object({
          item_id: z.string(),
          sku: z.string(),
          name: z.string(),
          location_id: z.string(),
          location_code: z.string(),
          lot_id: z.string().nullable(),
          qty: quantityOutput,
          sale_id: z.string(),
          occurred_at: instantOutput,
        }),
      )
      .meta({ description: 'Stock offline sales took beyond a strict site’s records (booked as `offline_shortage`) and not counted since.' }),
  })
  .meta({ id: 'NeedsCount' });

export const cyclePlanOutput = z
  .object({
    site_id: z.string(),
    date: z.string(),
    classes: z.object({ A: z.number().int(), B: z.number().int(), C: z.number().int() }),
    items: z.array(z.object({ item_id: z.string(), sku: z.string(), name: z.string(), abc_class: z.enum(['A', 'B', 'C']), annual_cogs: moneyOutput.optional(), last_counted_at: instantOutput.nullable() })),
  })
  .meta({ id: 'CyclePlan' });

export const periodQuery = z.strictObject({ site_id: idInput('loc').optional(), from: dateInput, to: dateInput });

export const varianceReportOutput = z
  .object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    lines: z.array(
      z.object({
        count_id: z.string(),
        count_number: z.string(),
        line_id: z.string(),
        site_id: z.string(),
        item_id: z.string(),
        sku: z.string(),
        name: z.string(),
        category: z.string().nullable(),
        location_id: z.string(),
        lot_id: z.string().nullable(),
        counted_at: instantOutput,
        counted_by: z.string().nullable(),
        counted_qty: quantityOutput,
        expected_qty: quantityOutput,
        variance_qty: quantityOutput,
        variance_value: moneyOutput.nullable().optional(),
        reason: z.string(),
      }),
    ),
    by_item: z.array(z.object({ item_id: z.string(), sku: z.string(), variance_qty: quantityOutput, variance_value: moneyOutput.optional() })),
    by_reason: z.array(z.object({ reason: z.string(), lines: z.number().int(), variance_value: moneyOutput.optional() })),
    by_counter: z.array(z.object({ counter_id: z.string().nullable(), lines: z.number().int(), variance_qty: quantityOutput, variance_value: moneyOutput.optional() })),
  })
  .meta({ id: 'CountVarianceReport' });

export const shrinkageOutput = z
  .object({
    from: z.string(),
    to: z.string(),
    rows: z.array(
      z.object({ site_id: z.string(), category: z.string().nullable(), lost_qty: quantityOutput, lost_value: moneyOutput, found_qty: quantityOutput, found_value: moneyOutput, net_value: moneyOutput }),
    ),
  })
  .meta({ id: 'Shrinkage' });

export const itemCountHistoryOutput = z
  .object({
    item_id: z.string(),
    last_counted_at: instantOutput.nullable(),
    history: z.array(
      z.object({
        count_id: z.string(),
        count_number: z.string(),
        site_id: z.string(),
        location_id: z.string(),
        lot_id: z.string().nullable(),
        counted_at: instantOutput,
        counted_qty: quantityOutput,
        expected_qty: quantityOutput,
        variance_qty: quantityOutput,
        variance_value: moneyOutput.nullable().optional(),
      }),
    ),
  })
  .meta({ id: 'ItemCountHistory' });

export const countPdfQuery = z.strictObject({ sheet_id: idInput('cnh').optional() });
