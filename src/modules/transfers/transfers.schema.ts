import { z } from 'zod';
import type { ItemRow, TransferStatus } from '../../platform/db/schema.ts';
import { mulDivExact } from '../../platform/decimal.ts';
import {
  idInput,
  instantInput,
  instantOutput,
  moneyOutput,
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

export const TRANSFER_STATUSES = ['requested', 'draft', 'picked', 'in_transit', 'received', 'closed', 'cancelled'] as const satisfies readonly TransferStatus[];

/** A quantity in a purchase unit becomes base units exactly, or not at all. */
export function toBaseQuantity(item: ItemRow, qty: number, unit: string | undefined): number | null {
  if (unit === undefined || unit.toLowerCase() === item.base_unit.toLowerCase()) return qty;
  const found = unitsOf(item).find((u) => u.name.toLowerCase() === unit.toLowerCase());
  if (!found) return null;
  return mulDivExact(qty, found.factor, QTY_SCALE);
}

const lotCode = z.string().trim().min(1).max(64);

export const createTransferBody = z.strictObject({
  source_site_id: idInput('loc').meta({ description: 'The site the stock leaves from.' }),
  destination_site_id: idInput('loc').meta({ description: 'The site the stock goes to.' }),
  destination_bin_id: idInput('loc').optional().meta({ description: 'The bin it arrives in; the destination’s default bin when left out.' }),
  request: z.boolean().optional().meta({
    description: 'Only ask for the stock: the source side accepts it later. A caller not granted the source site always makes a request.',
  }),
  over_tolerance: percentInput.optional().meta({ description: 'How much more than was shipped a receipt may bring (default 5%).' }),
  note: optionalTextInput(1000).optional(),
  lines: z
    .array(
      z.strictObject({
        item_id: idInput('itm'),
        qty: positiveQuantityInput.meta({ description: 'In `unit` if given, else base units.' }),
        unit: z.string().trim().min(1).max(16).optional().meta({ description: 'A purchase unit of the item, such as case.' }),
        lot_code: lotCode.optional().meta({ description: 'Send this lot or serial number; otherwise lots are picked soonest expiry first.' }),
      }),
    )
    .min(1)
    .max(500),
});
export type CreateTransferInput = z.output<typeof createTransferBody>;

export const pickBody = z.strictObject({
  code: z.string().min(1).max(512).optional().meta({ description: 'What was scanned: a GS1 element string, a barcode or a SKU.' }),
  item_id: idInput('itm').optional(),
  lot_code: lotCode.optional(),
  bin_id: idInput('loc').optional().meta({ description: 'The bin picked from, when the picker scanned it.' }),
  qty: positiveQuantityInput.optional().meta({ description: 'Base units; one unit (or the GS1 count) when left out.' }),
});
export type PickInput = z.output<typeof pickBody>;

const shipLine = z.strictObject({
  line_id: idInput('trl').optional(),
  item_id: idInput('itm').optional(),
  qty: positiveQuantityInput,
});
export const shipBody = z.strictObject({
  lines: z.array(shipLine).min(1).max(500).optional().meta({
    description: 'What to ship now (a partial shipment). Left out: everything picked and not yet shipped, or, if nothing was picked, everything allocated.',
  }),
  effective_at: instantInput.optional(),
  note: optionalTextInput(1000).optional(),
});
export type ShipInput = z.output<typeof shipBody>;

const receiveLine = z.strictObject({
  line_id: idInput('trl').optional(),
  item_id: idInput('itm').optional(),
  lot_code: lotCode.optional().meta({ description: 'The lot or serial received; lots in transit are taken soonest expiry first when left out.' }),
  qty: quantityInput.refine((v) => v >= 0, { message: 'must not be negative' }).meta({ description: 'Good units received into the destination bin.' }),
  damaged_qty: quantityInput.refine((v) => v >= 0, { message: 'must not be negative' }).optional().meta({ description: 'Units that arrived damaged; they go to scrap.' }),
});
export const receiveBody = z.strictObject({
  lines: z.array(receiveLine).min(1).max(500).optional().meta({ description: 'What arrived. Left out: everything in transit, in good condition.' }),
  bin_id: idInput('loc').optional().meta({ description: 'Receive into this bin of the destination instead of the transfer’s.' }),
  close: z.boolean().optional().meta({ description: 'Close the transfer after this receipt: anything still in transit is written off as lost.' }),
  effective_at: instantInput.optional(),
  note: optionalTextInput(1000).optional(),
});
export type ReceiveInput = z.output<typeof receiveBody>;

export const closeBody = z.strictObject({ note: optionalTextInput(1000).optional() });
export const cancelBody = z.strictObject({ note: optionalTextInput(1000).optional() });

export const listTransfersQuery = z.strictObject({
  status: z.enum(TRANSFER_STATUSES).optional(),
  site_id: idInput('loc').optional().meta({ description: 'Transfers from or to this site.' }),
  direction: z.enum(['outbound', 'inbound']).optional().meta({ description: 'With site_id: only those leaving it, or only those arriving.' }),
  limit: limitParam,
  cursor: cursorParam,
});

const siteRef = z.object({ id: z.string(), code: z.string(), name: z.string() });

export const transferOutput = z
  .object({
    id: z.string(),
    number: z.string(),
    status: z.enum(TRANSFER_STATUSES),
    source_site: siteRef,
    destination_site: siteRef,
    destination_bin: z.object({ id: z.string(), code: z.string() }),
    over_tolerance: percentOutput,
    note: z.string().nullable(),
    requested_by: z.string().nullable(),
    created_by: z.string().nullable(),
    created_at: instantOutput,
    accepted_at: instantOutput.nullable(),
    picked_at: instantOutput.nullable(),
    first_shipped_at: instantOutput.nullable(),
    last_received_at: instantOutput.nullable(),
    closed_at: instantOutput.nullable(),
    cancelled_at: instantOutput.nullable(),
    lines: z.array(
      z.object({
        id: z.string(),
        line_no: z.number().int(),
        item_id: z.string(),
        sku: z.string(),
        name: z.string(),
        tracking: z.enum(['none', 'lot', 'serial']),
        qty_requested: quantityOutput,
        qty_allocated: quantityOutput,
        qty_picked: quantityOutput,
        qty_shipped: quantityOutput,
        qty_received: quantityOutput,
        qty_over: quantityOutput,
        qty_damaged: quantityOutput,
        qty_lost: quantityOutput,
        qty_in_transit: quantityOutput,
        in_transit: z.array(z.object({ lot_id: z.string().nullable(), lot_code: z.string().nullable(), qty: quantityOutput })),
        value_shipped: moneyOutput.optional(),
        value_received: moneyOutput.optional(),
        value_damaged: moneyOutput.optional(),
        value_lost: moneyOutput.optional(),
        value_in_transit: moneyOutput.optional(),
      }),
    ),
    allocations: z.array(
      z.object({
        id: z.string(),
        line_id: z.string(),
        bin_id: z.string(),
        bin: z.string(),
        lot_id: z.string().nullable(),
        lot_code: z.string().nullable(),
        expires_on: z.string().nullable(),
        qty: quantityOutput,
        qty_picked: quantityOutput,
        qty_shipped: quantityOutput,
      }),
    ),
    postings: z.array(
      z.object({ id: z.string(), kind: z.enum(['shipment', 'receipt', 'close']), txn_id: z.string().nullable(), actor_id: z.string().nullable(), note: z.string().nullable(), effective_at: instantOutput }),
    ),
    discrepancies: z.array(
      z.object({
        id: z.string(),
        posting_id: z.string(),
        line_id: z.string(),
        item_id: z.string(),
        lot_id: z.string().nullable(),
        kind: z.enum(['short', 'over', 'damaged', 'lost']),
        qty: quantityOutput,
        detail: z.string(),
      }),
    ),
  })
  .meta({ id: 'Transfer' });
export type TransferJson = z.infer<typeof transferOutput>;
export const transferPage = pageSchema(transferOutput);

export const pickResultOutput = z
  .object({
    transfer: transferOutput,
    picked: z.object({ item_id: z.string(), sku: z.string(), lot_code: z.string().nullable(), qty: quantityOutput, bin: z.string() }),
  })
  .meta({ id: 'TransferPick' });

export const BIN_MOVE_REASONS = ['put_away', 'replenish', 'consolidate', 'other'] as const;

export const binMoveBody = z.strictObject({
  from_location_id: idInput('loc').meta({ description: 'The bin the stock leaves.' }),
  to_location_id: idInput('loc').meta({ description: 'A bin of the same site.' }),
  reason: z.enum(BIN_MOVE_REASONS).default('other'),
  note: optionalTextInput(1000).optional(),
  lines: z
    .array(
      z.strictObject({
        item_id: idInput('itm'),
        qty: positiveQuantityInput,
        unit: z.string().trim().min(1).max(16).optional(),
        lot_code: lotCode.optional(),
      }),
    )
    .min(1)
    .max(500),
});
export type BinMoveInput = z.output<typeof binMoveBody>;

export const binMoveOutput = z
  .object({
    id: z.string(),
    number: z.string(),
    site_id: z.string(),
    from_location_id: z.string(),
    to_location_id: z.string(),
    reason: z.enum(BIN_MOVE_REASONS),
    note: z.string().nullable(),
    txn_id: z.string(),
    created_at: instantOutput,
    lines: z.array(z.object({ item_id: z.string(), lot_id: z.string().nullable(), qty: quantityOutput })),
  })
  .meta({ id: 'BinMove' });
