import { z } from 'zod';
import { idInput, moneyOutput, positiveQuantityInput, quantityInput, quantityOutput } from '../../platform/http/fields.ts';
import { cursorParam, limitParam, pageSchema } from '../../platform/http/pagination.ts';

const nonNegative = quantityInput.refine((v) => v >= 0, { message: 'must not be negative' });

export const levelParams = z.strictObject({ item_id: idInput('itm'), location_id: idInput('loc') });

export const levelBody = z.strictObject({
  min: nonNegative.meta({ description: 'Reorder point in base units: at or below it (counting what is on its way) the item is proposed.' }),
  max: nonNegative.meta({ description: 'Order-up-to level (PAR) in base units; at least `min`.' }),
  delivered_daily: z.boolean().optional().meta({ description: 'Restocked every day (bakes, milk): empty at closing is not reported as out of stock.' }),
});

const filterFields = {
  item_ids: z.array(idInput('itm')).min(1).max(1000).optional(),
  category: z.string().trim().min(1).max(120).optional(),
  vendor_id: idInput('ven').optional().meta({ description: 'Items this vendor supplies.' }),
};

export const bulkLevelsBody = z.strictObject({
  location_id: idInput('loc').meta({ description: 'A site, or a pick-face bin.' }),
  ...filterFields,
  min: nonNegative,
  max: nonNegative,
  delivered_daily: z.boolean().optional(),
});

export const suggestLevelsBody = z.strictObject({
  site_id: idInput('loc'),
  ...filterFields,
  review_days: z.number().int().min(1).max(90).optional().meta({ description: 'Days between orders (default: the vendor’s delivery cadence at the site, measured from receipts, else 7; items delivered daily use 1).' }),
  apply: z.boolean().optional().meta({ description: 'Write the suggestions as the site’s levels (source `suggested`).' }),
});

export const listLevelsQuery = z.strictObject({
  item_id: idInput('itm').optional(),
  site_id: idInput('loc').optional(),
  location_id: idInput('loc').optional(),
  limit: limitParam,
  cursor: cursorParam,
});

const basisOutput = z
  .object({
    lead_time_days: z.number().int(),
    lead_time_source: z.enum(['measured', 'promised', 'default', 'delivery_cycle', 'transfer']).meta({ description: '`transfer`: the store is filled from a warehouse, on its transfer cycle.' }),
    review_days: z.number().int(),
    stores_counted: z.number().int().optional().meta({ description: 'At a warehouse: how many stores it fills whose demand the level counts, beside its own.' }),
    own_keep: quantityOutput.optional().meta({ description: 'At a warehouse planned for its stores: what it keeps on its shelf for its own customers when it sends to them.' }),
    service_percent: z.number(),
    forecast: quantityOutput.meta({ description: 'Forecast demand over lead time + review.' }),
    shelf_floor: z.boolean().optional().meta({ description: 'In a shop with a warehouse: the max was raised to one unit, the least a site keeps of an item it carries (the why adds "one kept on the shelf").' }),
  })
  .meta({ id: 'LevelBasis' });

export const levelOutput = z
  .object({
    item_id: z.string(),
    location_id: z.string(),
    site_id: z.string(),
    min: quantityOutput.nullable().meta({ description: 'Null when no level is set here.' }),
    max: quantityOutput.nullable(),
    delivered_daily: z.boolean(),
    source: z.enum(['manual', 'suggested', 'migrated', 'none']).meta({ description: '`none`: never set; the item’s shop-wide reorder point, if any, stands in.' }),
    basis: basisOutput.nullable(),
    updated_at: z.string().nullable(),
  })
  .meta({ id: 'StockLevel' });
export const levelPage = pageSchema(levelOutput);

export const suggestionOutput = z.object({
  data: z.array(z.object({ item_id: z.string(), site_id: z.string(), min: quantityOutput, max: quantityOutput, delivered_daily: z.boolean(), basis: basisOutput })),
});

export const bulkOutput = z.object({ updated: z.number().int() });

export const proposalsQuery = z.strictObject({ site_id: idInput('loc').optional().meta({ description: 'Only proposals for this site (as destination or source).' }) });

const positionOutput = z.object({ on_hand: quantityOutput, reserved: quantityOutput, on_order: quantityOutput, in_transit: quantityOutput });

const purchaseLineOutput = z.object({
  item_id: z.string(),
  sku: z.string(),
  name: z.string(),
  site_id: z.string(),
  position: positionOutput,
  transfer_in: quantityOutput,
  stores_short: quantityOutput.meta({ description: 'At a warehouse: what the stores it fills still need after the proposed moves; it buys for them (two-level planning).' }),
  min: quantityOutput,
  max: quantityOutput,
  basis: basisOutput.nullable(),
  need: quantityOutput.meta({ description: 'What reaching the max takes, base units.' }),
  qty: quantityOutput.meta({ description: 'Proposed, in `unit`, rounded to the vendor’s packs and minimum.' }),
  unit: z.string(),
  unit_factor: quantityOutput.meta({ description: 'Base units in one `unit`.' }),
  qty_base: quantityOutput,
  lead_time_days: z.number().int(),
  expected_on: z.string(),
  why: z.string(),
  unit_cost: moneyOutput.nullable().optional().meta({ description: 'Vendor’s terms per `unit`; left out for staff.' }),
  line_cost: moneyOutput.nullable().optional().meta({ description: 'Left out for staff.' }),
});

export const proposalsOutput = z
  .object({
    purchase: z.array(
      z.object({
        vendor_id: z.string().nullable(),
        vendor_name: z.string().nullable(),
        currency: z.string().nullable(),
        site_id: z.string(),
        site_name: z.string(),
        expected_on: z.string().nullable(),
        total_cost: moneyOutput.nullable().optional().meta({ description: 'Left out for staff.' }),
        lines: z.array(purchaseLineOutput),
      }),
    ),
    transfer: z.array(
      z.object({
        source_site_id: z.string(),
        source_site_name: z.string(),
        destination_site_id: z.string(),
        destination_site_name: z.string(),
        lines: z.array(z.object({ item_id: z.string(), sku: z.string(), name: z.string(), qty: quantityOutput, why: z.string() })),
      }),
    ),
    bin_moves: z
      .array(
        z.object({
          site_id: z.string(),
          site_name: z.string(),
          lines: z.array(
            z.object({
              item_id: z.string(),
              sku: z.string(),
              name: z.string(),
              from_location_id: z.string().meta({ description: 'A reserve bin of the same site.' }),
              from_code: z.string(),
              to_location_id: z.string().meta({ description: 'The pick-face bin at or below its min.' }),
              to_code: z.string(),
              qty: quantityOutput,
              why: z.string(),
            }),
          ),
        }),
      )
      .meta({ description: 'Moves inside a site: pick-face bins at or below their min, filled from the reserve bins. Make them with POST /api/v1/bin-moves.' }),
  })
  .meta({ id: 'ReplenishmentProposals' });

export const createDraftsBody = z.strictObject({
  lines: z
    .array(
      z.strictObject({
        item_id: idInput('itm'),
        site_id: idInput('loc').meta({ description: 'The delivery site.' }),
        vendor_id: idInput('ven').nullable().optional().meta({ description: 'Defaults to the item’s preferred vendor.' }),
        qty: positiveQuantityInput.meta({ description: 'In `unit`: the proposal’s `qty`, or your edit of it.' }),
        unit: z.string().trim().min(1).max(16).optional().meta({ description: 'Defaults to the vendor’s purchase unit.' }),
      }),
    )
    .min(1)
    .max(500),
});

export const createdDraftsOutput = z.object({
  data: z.array(z.object({ id: z.string(), number: z.string(), vendor_id: z.string(), delivery_site_id: z.string(), status: z.string(), expected_on: z.string().nullable(), lines: z.number().int() })),
});

export const createTransfersBody = z.strictObject({
  lines: z
    .array(z.strictObject({ item_id: idInput('itm'), source_site_id: idInput('loc'), destination_site_id: idInput('loc'), qty: positiveQuantityInput }))
    .min(1)
    .max(500),
});

export const createdTransfersOutput = z.object({
  data: z.array(z.object({ id: z.string(), number: z.string(), status: z.string(), source_site_id: z.string(), destination_site_id: z.string(), lines: z.number().int() })),
});

export const scheduleBody = z.strictObject({ auto_drafts: z.boolean().meta({ description: 'Create proposals as draft purchase orders once a day. Drafts are never sent automatically.' }) });
export const scheduleOutput = z.object({ auto_drafts: z.boolean(), last_run_on: z.string().nullable() });
