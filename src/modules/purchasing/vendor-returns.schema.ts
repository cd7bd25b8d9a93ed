import { z } from 'zod';
import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import type { VendorReturnRow } from '../../platform/db/schema.ts';
import { idInput, instantInput, instantOutput, moneyOutput, nonNegativeMoneyInput, optionalTextInput, positiveQuantityInput, quantityOutput } from '../../platform/http/fields.ts';
import { formatMoneyOrNull } from '../../platform/money.ts';
import { cursorParam, limitParam, pageSchema } from '../../platform/http/pagination.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { lotOrNull, type View } from '../ledger/index.ts';
import { formatRate } from './purchasing.mapper.ts';
import { VENDOR_RETURN_REASONS, type VendorReturnRecord } from './vendor-returns.service.ts';

const STATUSES = ['draft', 'posted', 'cancelled'] as const;

const lineInput = z.strictObject({
  item_id: idInput('itm').optional().meta({ description: 'The item; or give the receipt line.' }),
  receipt_line_id: idInput('rcl').optional().meta({ description: 'The line of the return’s receipt the goods came in on: item, lot, bin and price follow from it.' }),
  qty: positiveQuantityInput.meta({ description: 'Quantity in the item’s base unit; 1 per serial number.' }),
  lot_code: z.string().trim().min(1).max(64).optional().meta({ description: 'Lot or serial number, for tracked items.' }),
  bin_id: idInput('loc').optional().meta({ description: 'The bin the goods leave from; defaults to the receipt line’s bin, else the site’s default bin.' }),
  unit_credit: nonNegativeMoneyInput.optional().meta({ description: 'The vendor’s price per base unit in the return’s currency; defaults to the price the goods came in at.' }),
});

export const createVendorReturnBody = z.strictObject({
  vendor_id: idInput('ven').optional().meta({ description: 'Required without a receipt.' }),
  site_id: idInput('loc').optional().meta({ description: 'The site the goods leave from; required without a receipt.' }),
  receipt_id: idInput('rcp').optional().meta({ description: 'A posted receipt the goods came in on.' }),
  reason: z.enum(VENDOR_RETURN_REASONS),
  notes: optionalTextInput(2000).nullable().optional(),
  returned_at: instantInput.optional().meta({ description: 'When the goods left; defaults to when the return is posted.' }),
  lines: z.array(lineInput).min(1).max(500),
  post: z.boolean().default(false).meta({ description: 'Post at once instead of keeping a draft.' }),
});

export const listVendorReturnsQuery = z.strictObject({
  vendor_id: idInput('ven').optional(),
  site_id: idInput('loc').optional(),
  status: z.enum(STATUSES).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

const summaryFields = {
  id: z.string(),
  number: z.string(),
  status: z.enum(STATUSES),
  vendor_id: z.string(),
  site_id: z.string(),
  receipt_id: z.string().nullable(),
  reason: z.enum(VENDOR_RETURN_REASONS),
  currency: z.string(),
  credit: moneyOutput.nullable().optional().meta({ description: 'The credit expected from the vendor, in `currency`, fixed when posted.' }),
  returned_at: instantOutput.nullable(),
  created_at: instantOutput,
  posted_at: instantOutput.nullable(),
};

export const vendorReturnSummaryOutput = z.object({ ...summaryFields, vendor_name: z.string() }).meta({ id: 'VendorReturnSummary' });
export const vendorReturnPage = pageSchema(vendorReturnSummaryOutput);

export const vendorReturnOutput = z
  .object({
    ...summaryFields,
    vendor_name: z.string(),
    receipt_number: z.string().nullable(),
    notes: z.string().nullable(),
    exchange_rate: z.string().nullable().optional().meta({ description: 'Base currency per unit of `currency` the credit was valued at.' }),
    value: moneyOutput.nullable().optional().meta({ description: 'What the goods were worth in the ledger, base currency, fixed when posted.' }),
    txn_id: z.string().nullable(),
    cancelled_at: instantOutput.nullable(),
    lines: z.array(
      z.object({
        id: z.string(),
        line_no: z.number().int(),
        item_id: z.string(),
        receipt_line_id: z.string().nullable(),
        lot_id: z.string().nullable(),
        bin_id: z.string(),
        qty: quantityOutput,
        unit_credit: moneyOutput.nullable().optional(),
        credit: moneyOutput.nullable().optional(),
        value: moneyOutput.nullable().optional(),
      }),
    ),
    warnings: z.array(z.object({ code: z.literal('negative_balance'), item_id: z.string(), location_id: z.string(), lot_id: z.string().nullable(), on_hand: quantityOutput })).optional(),
  })
  .meta({ id: 'VendorReturn' });

/** Rows to JSON; credits and values are left out for those who may not see costs. */
function summary(row: VendorReturnRow, view: View) {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    vendor_id: row.vendor_id,
    site_id: row.site_id,
    receipt_id: row.receipt_id,
    reason: row.reason as (typeof VENDOR_RETURN_REASONS)[number],
    currency: row.currency,
    ...(view.costs ? { credit: formatMoneyOrNull(row.credit_micros) } : {}),
    returned_at: toIsoOrNull(row.returned_at),
    created_at: toIso(row.created_at),
    posted_at: toIsoOrNull(row.posted_at),
  };
}

export function toVendorReturnSummaryJson(row: VendorReturnRow & { vendor_name: string }, view: View): z.infer<typeof vendorReturnSummaryOutput> {
  return { ...summary(row, view), vendor_name: row.vendor_name };
}

export function toVendorReturnJson(record: VendorReturnRecord, view: View): z.infer<typeof vendorReturnOutput> {
  return {
    ...summary(record, view),
    vendor_name: record.vendor.name,
    receipt_number: record.receiptNumber,
    notes: record.notes,
    ...(view.costs ? { exchange_rate: record.exchange_rate_e9 === null ? null : formatRate(record.exchange_rate_e9), value: formatMoneyOrNull(record.value_micros) } : {}),
    txn_id: record.txn_id,
    cancelled_at: toIsoOrNull(record.cancelled_at),
    lines: record.lines.map((l) => ({
      id: l.id,
      line_no: l.line_no,
      item_id: l.item_id,
      receipt_line_id: l.receipt_line_id,
      lot_id: lotOrNull(l.lot_id),
      bin_id: l.bin_id,
      qty: quantityToNumber(l.qty_base),
      ...(view.costs ? { unit_credit: formatMoneyOrNull(l.unit_credit_micros), credit: formatMoneyOrNull(l.credit_micros), value: formatMoneyOrNull(l.value_micros) } : {}),
    })),
    ...(record.negativeBalances?.length
      ? { warnings: record.negativeBalances.map((b) => ({ code: 'negative_balance' as const, item_id: b.itemId, location_id: b.locationId, lot_id: lotOrNull(b.lotId), on_hand: quantityToNumber(b.onHand) })) }
      : {}),
  };
}
