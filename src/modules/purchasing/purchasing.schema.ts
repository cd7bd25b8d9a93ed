import { z } from 'zod';
import { parseScaled } from '../../platform/decimal.ts';
import {
  currencyInput,
  dateInput,
  idInput,
  instantInput,
  instantOutput,
  moneyOutput,
  nonNegativeMoneyInput,
  optionalTextInput,
  positiveQuantityInput,
  quantityOutput,
  textInput,
} from '../../platform/http/fields.ts';
import { cursorParam, limitParam, pageSchema } from '../../platform/http/pagination.ts';
import { scanInput } from '../scanning/index.ts';

/**
 * Requests and responses of purchasing. Quantities are numbers in the line's unit (at most three
 * decimals), money decimal strings in the document's currency, percentages numbers with at most
 * three decimals, exchange rates decimal strings with at most nine.
 */

function percentInput(max: number) {
  return z
    .number()
    .transform((value, ctx) => {
      const parsed = parseScaled(value, 3);
      if (!parsed.ok || parsed.value < 0 || parsed.value > max * 1000) {
        ctx.addIssue({ code: 'custom', message: parsed.ok ? `must be from 0 to ${max}` : parsed.reason === 'too_precise' ? 'has more than 3 decimals' : 'is not a number' });
        return z.NEVER;
      }
      return parsed.value;
    })
    .meta({ description: 'A percentage, at most 3 decimals.', example: 20 });
}

export const taxRateInput = percentInput(100);

/** Base-currency units per one unit of the foreign currency; stored × 10^9. */
export const exchangeRateInput = z
  .string()
  .max(24)
  .transform((value, ctx) => {
    const parsed = /^\d{1,9}(\.\d+)?$/.test(value) ? parseScaled(value, 9) : ({ ok: false, reason: 'not_a_number' } as const);
    if (!parsed.ok || parsed.value <= 0) {
      ctx.addIssue({ code: 'custom', message: parsed.ok ? 'must be greater than zero' : parsed.reason === 'too_precise' ? 'has more than 9 decimals' : 'is not a positive decimal' });
      return z.NEVER;
    }
    return parsed.value;
  })
  .meta({ description: 'Base-currency units one unit of this currency buys, at most 9 decimals.', example: '1.0825' });

const unitInput = z.string().trim().min(1).max(16).meta({ description: 'The item’s base unit or one of its purchase units (case). Leading and trailing whitespace is removed.', example: 'case' });
const nullableText = (max: number) => optionalTextInput(max).nullable();

// Vendors

const vendorFields = {
  name: textInput(120),
  email: z.email().max(200).nullable(),
  phone: z.string().trim().regex(/^[0-9+()\-. ]{3,40}$/, 'digits, spaces and + ( ) - .').nullable().meta({ description: 'Leading and trailing whitespace is removed.' }),
  contact_name: nullableText(120),
  currency: currencyInput,
  payment_terms: nullableText(500),
  lead_time_days: z.number().int().min(0).max(3650).nullable(),
  over_receipt_tolerance_percent: percentInput(1000).meta({ description: 'How far over the ordered quantity a line may be received without a manager (5 = 5%).' }),
  notes: nullableText(2000),
};

export const createVendorBody = z.strictObject({
  name: vendorFields.name,
  email: vendorFields.email.optional(),
  phone: vendorFields.phone.optional(),
  contact_name: vendorFields.contact_name.optional(),
  currency: vendorFields.currency.optional().meta({ description: 'Defaults to the shop’s base currency.' }),
  payment_terms: vendorFields.payment_terms.optional(),
  lead_time_days: vendorFields.lead_time_days.optional(),
  over_receipt_tolerance_percent: vendorFields.over_receipt_tolerance_percent.optional(),
  notes: vendorFields.notes.optional(),
});

export const updateVendorBody = z
  .strictObject({
    name: vendorFields.name.optional(),
    email: vendorFields.email.optional(),
    phone: vendorFields.phone.optional(),
    contact_name: vendorFields.contact_name.optional(),
    currency: vendorFields.currency.optional(),
    payment_terms: vendorFields.payment_terms.optional(),
    lead_time_days: vendorFields.lead_time_days.optional(),
    over_receipt_tolerance_percent: vendorFields.over_receipt_tolerance_percent.optional(),
    notes: vendorFields.notes.optional(),
    status: z.enum(['active', 'archived']).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });

export const listVendorsQuery = z.strictObject({
  q: z.string().trim().max(100).optional().meta({ description: 'Leading and trailing whitespace is removed.' }),
  status: z.enum(['active', 'archived', 'all']).default('active'),
  limit: limitParam,
  cursor: cursorParam,
});

export const vendorOutput = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    contact_name: z.string().nullable(),
    currency: z.string(),
    payment_terms: z.string().nullable(),
    lead_time_days: z.number().int().nullable(),
    over_receipt_tolerance_percent: z.number(),
    notes: z.string().nullable(),
    status: z.enum(['active', 'archived']),
    created_at: instantOutput,
    updated_at: instantOutput,
  })
  .meta({ id: 'Vendor' });
export const vendorPage = pageSchema(vendorOutput);

export const vendorItemParams = z.strictObject({ id: idInput('ven'), item_id: idInput('itm') });

export const setVendorItemBody = z.strictObject({
  vendor_sku: nullableText(64).optional(),
  purchase_unit: unitInput.optional().meta({ description: 'Defaults to the item’s base unit.' }),
  unit_cost: nonNegativeMoneyInput.meta({ description: 'In the vendor’s currency, per purchase unit.' }),
  min_order_qty: positiveQuantityInput.nullable().optional().meta({ description: 'In purchase units.' }),
  pack_multiple: positiveQuantityInput.nullable().optional().meta({ description: 'In purchase units.' }),
  preferred: z.boolean().optional().meta({ description: 'Makes this the item’s preferred vendor (and no other).' }),
});

export const vendorItemOutput = z
  .object({
    vendor_id: z.string(),
    item_id: z.string(),
    vendor_sku: z.string().nullable(),
    purchase_unit: z.string(),
    unit_cost: moneyOutput.optional(),
    min_order_qty: quantityOutput.nullable(),
    pack_multiple: quantityOutput.nullable(),
    preferred: z.boolean(),
    updated_at: instantOutput,
  })
  .meta({ id: 'VendorItem' });

// Exchange rates

export const setExchangeRateBody = z.strictObject({ currency: currencyInput, rate: exchangeRateInput, effective_on: dateInput });
export const exchangeRateOutput = z.object({ currency: z.string(), rate: z.string(), effective_on: z.string() }).meta({ id: 'ExchangeRate' });
export const listExchangeRatesQuery = z.strictObject({ currency: currencyInput.optional() });

// Purchase orders

const poLineFields = {
  item_id: idInput('itm'),
  qty: positiveQuantityInput.meta({ description: 'In `unit`.' }),
  unit: unitInput.optional().meta({ description: 'Defaults to the vendor’s purchase unit for the item, else the base unit.' }),
  unit_price: nonNegativeMoneyInput.optional().meta({ description: 'Per `unit`, in the vendor’s currency; defaults to the vendor’s terms.' }),
  tax_rate_percent: taxRateInput.nullable().optional().meta({ description: 'Defaults to the order’s rate.' }),
  vendor_sku: nullableText(64).optional(),
  notes: nullableText(500).optional(),
};

export const poLineInput = z.strictObject(poLineFields);

export const createPurchaseOrderBody = z.strictObject({
  vendor_id: idInput('ven'),
  delivery_site_id: idInput('loc'),
  expected_on: dateInput.nullable().optional(),
  notes: nullableText(2000).optional(),
  terms: nullableText(2000).optional().meta({ description: 'Defaults to the vendor’s payment terms.' }),
  tax_rate_percent: taxRateInput.optional().meta({ description: 'Tax rate of lines that give none. Tax is per line, on its subtotal; shipping is untaxed.' }),
  shipping: nonNegativeMoneyInput.optional(),
  lines: z.array(poLineInput).max(500).default([]),
});

export const updatePurchaseOrderBody = z
  .strictObject({
    delivery_site_id: idInput('loc').optional(),
    expected_on: dateInput.nullable().optional(),
    notes: nullableText(2000).optional(),
    terms: nullableText(2000).optional(),
    tax_rate_percent: taxRateInput.optional(),
    shipping: nonNegativeMoneyInput.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });

export const addPurchaseOrderLinesBody = z.strictObject({ lines: z.array(poLineInput).min(1).max(500) });

export const updatePurchaseOrderLineBody = z
  .strictObject({
    qty: poLineFields.qty.optional(),
    unit: poLineFields.unit,
    unit_price: poLineFields.unit_price,
    tax_rate_percent: poLineFields.tax_rate_percent,
    vendor_sku: poLineFields.vendor_sku,
    notes: poLineFields.notes,
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });

export const poLineParams = z.strictObject({ id: idInput('po'), line_id: idInput('pol') });

export const PURCHASE_ORDER_STATUSES = ['draft', 'sent', 'partially_received', 'received', 'closed', 'cancelled'] as const;
export const DISCREPANCY_KINDS = ['short', 'over', 'unexpected_item', 'wrong_unit', 'damaged'] as const;

export const listPurchaseOrdersQuery = z.strictObject({
  status: z.enum(PURCHASE_ORDER_STATUSES).optional(),
  vendor_id: idInput('ven').optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const discrepancyOutput = z
  .object({
    kind: z.enum(DISCREPANCY_KINDS),
    receipt_id: z.string().nullable(),
    receipt_line_id: z.string().nullable(),
    purchase_order_line_id: z.string().nullable(),
    item_id: z.string(),
    qty: quantityOutput.meta({ description: 'In base units.' }),
    detail: z.string(),
    beyond_tolerance: z.boolean(),
    approved_by: z.string().nullable(),
  })
  .meta({ id: 'Discrepancy' });

const poLineOutput = z.object({
  id: z.string(),
  line_no: z.number().int(),
  item_id: z.string(),
  vendor_sku: z.string().nullable(),
  qty: z.number().meta({ description: 'Quantity ordered, in `unit` (the purchase unit, e.g. cases); `qty_base` is the same in base units.' }),
  unit: z.string().meta({ description: 'The unit of `qty` and `unit_price`: a purchase unit of the item (`case`) or its base unit.' }),
  unit_factor: quantityOutput.meta({ description: 'Base units in one `unit` (12 for a case of 12).' }),
  qty_base: quantityOutput.meta({ description: 'Quantity ordered, in the item’s base unit (`qty` × `unit_factor`): compare it with `qty_received` and `qty_outstanding`.' }),
  unit_price: moneyOutput.optional(),
  tax_rate_percent: z.number().optional(),
  subtotal: moneyOutput.optional(),
  tax: moneyOutput.optional(),
  qty_received: quantityOutput.meta({ description: 'Good units received, in the item’s base unit (not in `unit`).' }),
  qty_damaged: quantityOutput.meta({ description: 'Damaged units received, in the item’s base unit (not in `unit`).' }),
  qty_outstanding: quantityOutput.meta({ description: 'Still owed by the vendor, in the item’s base unit (not in `unit`).' }),
  qty_outstanding_in_unit: z.number().nullable().meta({ description: 'Still owed, in `unit` (null when it is not a whole number of thousandths of it).' }),
  notes: z.string().nullable(),
  warnings: z.array(z.object({ code: z.enum(['below_minimum_order', 'not_pack_multiple']), message: z.string() })),
});

export const purchaseOrderOutput = z
  .object({
    id: z.string(),
    number: z.string(),
    status: z.enum(PURCHASE_ORDER_STATUSES),
    revision: z.number().int(),
    vendor: z.object({ id: z.string(), name: z.string() }),
    currency: z.string(),
    delivery_site_id: z.string(),
    expected_on: z.string().nullable(),
    notes: z.string().nullable(),
    terms: z.string().nullable(),
    tax_rate_percent: z.number().optional(),
    shipping: moneyOutput.optional(),
    subtotal: moneyOutput.optional(),
    tax: moneyOutput.optional(),
    total: moneyOutput.optional(),
    lines: z.array(poLineOutput),
    receipts: z.array(z.object({ id: z.string(), number: z.string(), status: z.string(), received_at: instantOutput.nullable(), posted_at: instantOutput.nullable() })),
    discrepancies: z.array(discrepancyOutput),
    created_by: z.string().nullable(),
    created_at: instantOutput,
    updated_at: instantOutput,
    sent_at: instantOutput.nullable(),
    received_at: instantOutput.nullable(),
    closed_at: instantOutput.nullable(),
    cancelled_at: instantOutput.nullable(),
    email: z
      .object({ delivery_id: z.string(), message_id: z.string().nullable().meta({ description: 'The SMTP Message-ID once the mail server accepted it.' }) })
      .nullable()
      .meta({ description: 'The email "send" queued to the vendor (null when the vendor has no address).' }),
  })
  .meta({ id: 'PurchaseOrder' });

export const purchaseOrderSummaryOutput = z
  .object({
    id: z.string(),
    number: z.string(),
    status: z.enum(PURCHASE_ORDER_STATUSES),
    vendor_id: z.string(),
    currency: z.string(),
    delivery_site_id: z.string(),
    expected_on: z.string().nullable(),
    revision: z.number().int(),
    created_at: instantOutput,
    sent_at: instantOutput.nullable(),
  })
  .meta({ id: 'PurchaseOrderSummary' });
export const purchaseOrderPage = pageSchema(purchaseOrderSummaryOutput);

export const revisionOutput = z
  .object({
    revision: z.number().int(),
    actor_id: z.string().nullable(),
    created_at: instantOutput,
    changes: z.array(z.object({ field: z.string(), line_id: z.string().optional(), line_no: z.number().int().optional(), from: z.unknown().optional(), to: z.unknown().optional() })),
  })
  .meta({ id: 'PurchaseOrderRevision' });

// Receipts

const receiptLineFields = {
  purchase_order_line_id: idInput('pol').optional(),
  item_id: idInput('itm').optional(),
  qty: positiveQuantityInput.meta({ description: 'In `unit`.' }),
  unit: unitInput.optional().meta({ description: 'Defaults to the order line’s unit, else the base unit.' }),
  lot_code: z.string().trim().min(1).max(64).nullable().optional().meta({ description: 'Leading and trailing whitespace is removed.' }),
  expires_on: dateInput.nullable().optional(),
  serials: z.array(z.string().trim().min(1).max(64)).max(1000).optional().meta({ description: 'One per unit, for serial-tracked items. Leading and trailing whitespace is removed.' }),
  condition: z.enum(['good', 'damaged']).optional(),
  disposition: z.enum(['quarantine', 'scrap']).optional().meta({ description: 'Where damaged goods go; default quarantine.' }),
  bin_id: idInput('loc').nullable().optional(),
  unit_cost: nonNegativeMoneyInput.optional().meta({ description: 'Per `unit`, in the receipt’s currency; defaults to the order line’s price or the vendor’s terms.' }),
};

export const receiptLineInput = z.strictObject(receiptLineFields);

export const createReceiptBody = z.strictObject({
  purchase_order_id: idInput('po').optional(),
  vendor_id: idInput('ven').optional(),
  site_id: idInput('loc').optional().meta({ description: 'Defaults to the order’s delivery site; required without an order.' }),
  received_at: instantInput.optional().meta({ description: 'When the goods arrived; defaults to when the receipt is posted.' }),
  currency: currencyInput.optional().meta({ description: 'Without an order or vendor; defaults to the base currency.' }),
  exchange_rate: exchangeRateInput.optional().meta({ description: 'Defaults to the latest rate on or before the day the goods arrived.' }),
  notes: nullableText(2000).optional(),
  lines: z.array(receiptLineInput).max(1000).default([]),
  post: z.boolean().default(false).meta({ description: 'Post at once (a quick receive) instead of keeping a draft.' }),
  occurred_at: instantInput.optional().meta({ description: 'When an offline scanner recorded it (its queue replaying); checked against the shop’s `offline_window_days`. Give this or received_at, not both.' }),
})
  .refine((body) => body.received_at === undefined || body.occurred_at === undefined, { message: 'give received_at or occurred_at, not both', path: ['occurred_at'] });

export const updateReceiptBody = z
  .strictObject({ received_at: instantInput.nullable().optional(), exchange_rate: exchangeRateInput.nullable().optional(), notes: nullableText(2000).optional() })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });

export const addReceiptLinesBody = z.strictObject({ lines: z.array(receiptLineInput).min(1).max(1000) });

export const updateReceiptLineBody = z
  .strictObject({
    purchase_order_line_id: receiptLineFields.purchase_order_line_id,
    qty: receiptLineFields.qty.optional(),
    unit: receiptLineFields.unit,
    lot_code: receiptLineFields.lot_code,
    expires_on: receiptLineFields.expires_on,
    serials: receiptLineFields.serials,
    condition: receiptLineFields.condition,
    disposition: receiptLineFields.disposition,
    bin_id: receiptLineFields.bin_id,
    unit_cost: receiptLineFields.unit_cost,
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });

export const receiptLineParams = z.strictObject({ id: idInput('rcp'), line_id: idInput('rcl') });

export const scanBody = z.strictObject({
  code: scanInput,
  qty: positiveQuantityInput.optional().meta({ description: 'How many of `unit` this beep stands for; default one (or the GS1 count).' }),
  unit: unitInput.optional(),
  bin_id: idInput('loc').optional(),
  condition: z.enum(['good', 'damaged']).optional(),
  disposition: z.enum(['quarantine', 'scrap']).optional(),
  lot_code: z.string().trim().min(1).max(64).optional().meta({ description: 'When the barcode carries none. Leading and trailing whitespace is removed.' }),
  expires_on: dateInput.optional(),
  serial: z.string().trim().min(1).max(64).optional().meta({ description: 'Leading and trailing whitespace is removed.' }),
});

export const RECEIPT_STATUSES = ['draft', 'awaiting_approval', 'posted', 'cancelled'] as const;

export const listReceiptsQuery = z.strictObject({
  purchase_order_id: idInput('po').optional(),
  vendor_id: idInput('ven').optional(),
  status: z.enum(RECEIPT_STATUSES).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

const receiptLineOutput = z.object({
  id: z.string(),
  line_no: z.number().int(),
  purchase_order_line_id: z.string().nullable(),
  item_id: z.string(),
  qty: z.number().meta({ description: 'Quantity received, in `unit`.' }),
  unit: z.string().meta({ description: 'The unit of `qty`: a purchase unit of the item (`case`) or its base unit.' }),
  qty_base: quantityOutput.meta({ description: 'Quantity received, in the item’s base unit.' }),
  lot_code: z.string().nullable(),
  expires_on: z.string().nullable(),
  serials: z.array(z.string()),
  condition: z.enum(['good', 'damaged']),
  disposition: z.enum(['stock', 'quarantine', 'scrap']),
  bin_id: z.string().nullable(),
  unit_cost: moneyOutput.nullable().optional().meta({ description: 'Per `unit`, in the receipt’s currency.' }),
  base_unit_cost: moneyOutput.nullable().optional().meta({ description: 'Per base unit, in base currency, fixed when posted.' }),
});

export const landedCostOutput = z
  .object({
    id: z.string(),
    number: z.string(),
    kind: z.enum(['freight', 'duty', 'insurance', 'other']),
    method: z.enum(['value', 'quantity', 'weight']),
    reference: z.string().nullable(),
    currency: z.string(),
    amount: moneyOutput,
    exchange_rate: z.string().optional(),
    amount_base: moneyOutput,
    allocations: z.array(z.object({ receipt_id: z.string().optional(), receipt_line_id: z.string(), movement_id: z.string().optional(), amount_base: moneyOutput })),
  })
  .meta({ id: 'LandedCost' });

export const receiptOutput = z
  .object({
    id: z.string(),
    number: z.string(),
    status: z.enum(RECEIPT_STATUSES),
    purchase_order: z.object({ id: z.string(), number: z.string(), status: z.string() }).nullable(),
    vendor: z.object({ id: z.string(), name: z.string() }).nullable(),
    site_id: z.string(),
    currency: z.string(),
    exchange_rate: z.string().nullable(),
    rate_source: z.enum(['explicit', 'table', 'base']).nullable(),
    received_at: instantOutput.nullable(),
    notes: z.string().nullable(),
    lines: z.array(receiptLineOutput),
    discrepancies: z.array(discrepancyOutput),
    needs_approval: z.boolean().meta({ description: 'Posting will stop for a manager: something is over the vendor’s tolerance.' }),
    purchase_order_lines: z.array(
      z.object({
        purchase_order_line_id: z.string(),
        line_no: z.number().int(),
        item_id: z.string(),
        ordered: quantityOutput,
        received_before: quantityOutput,
        good_on_this_receipt: quantityOutput,
        damaged_on_this_receipt: quantityOutput,
        outstanding_after: quantityOutput,
      }),
    ),
    landed_costs: z.array(landedCostOutput).optional(),
    created_by: z.string().nullable(),
    created_at: instantOutput,
    submitted_at: instantOutput.nullable(),
    approved_by: z.string().nullable(),
    approved_at: instantOutput.nullable(),
    posted_by: z.string().nullable(),
    posted_at: instantOutput.nullable(),
    cancelled_at: instantOutput.nullable(),
    txn_id: z.string().nullable(),
    scrap_txn_id: z.string().nullable(),
  })
  .meta({ id: 'Receipt' });

export const receiptSummaryOutput = z
  .object({
    id: z.string(),
    number: z.string(),
    status: z.enum(RECEIPT_STATUSES),
    purchase_order_id: z.string().nullable(),
    vendor_id: z.string().nullable(),
    site_id: z.string(),
    received_at: instantOutput.nullable(),
    created_at: instantOutput,
    posted_at: instantOutput.nullable(),
  })
  .meta({ id: 'ReceiptSummary' });
export const receiptPage = pageSchema(receiptSummaryOutput);

export const scanResultOutput = z.object({
  receipt: receiptOutput,
  line_id: z.string(),
  scan: z.object({ kind: z.string(), item_id: z.string(), gtin: z.string().nullable(), lot_code: z.string().nullable(), expires_on: z.string().nullable(), serial: z.string().nullable(), count: z.number().int().nullable() }),
});

// Landed costs

const chargeInput = z.strictObject({
  kind: z.enum(['freight', 'duty', 'insurance', 'other']),
  amount: nonNegativeMoneyInput.refine((v) => v > 0, { message: 'must be greater than zero' }),
  currency: currencyInput.optional().meta({ description: 'Defaults to the base currency.' }),
  exchange_rate: exchangeRateInput.optional(),
  method: z.enum(['value', 'quantity', 'weight']).default('value').meta({ description: 'Apportion by goods value, quantity or weight.' }),
  description: nullableText(500).optional(),
});

export const receiptLandedCostsBody = z.strictObject({ reference: nullableText(100).optional(), charges: z.array(chargeInput).min(1).max(20) });
export const landedCostsBody = z.strictObject({
  receipt_ids: z.array(idInput('rcp')).min(1).max(50).meta({ description: 'The receipts a vendor bill covers.' }),
  reference: nullableText(100).optional().meta({ description: 'The bill’s number.' }),
  charges: z.array(chargeInput).min(1).max(20),
});
export const landedCostsOutput = z.object({ data: z.array(landedCostOutput) });

// Vendor performance

export const vendorPerformanceQuery = z
  .strictObject({ from: dateInput, to: dateInput, vendor_id: idInput('ven').optional() })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] });

export const vendorPerformanceOutput = z
  .object({
    from: z.string(),
    to: z.string(),
    data: z.array(
      z.object({
        vendor_id: z.string(),
        vendor_name: z.string(),
        currency: z.string(),
        purchase_orders: z.number().int(),
        deliveries: z.number().int(),
        deliveries_with_due_date: z.number().int(),
        on_time_deliveries: z.number().int(),
        on_time_rate_percent: z.number().nullable(),
        ordered_qty: quantityOutput,
        received_qty: quantityOutput,
        fill_rate_percent: z.number().nullable(),
        orders_fully_received: z.number().int(),
        average_lead_time_days: z.number().nullable(),
        promised_lead_time_days: z.number().int().nullable(),
        price_variance: moneyOutput.optional(),
        price_variance_percent: z.number().nullable().optional(),
        discrepancies: z.object({ short: z.number().int(), over: z.number().int(), unexpected_item: z.number().int(), wrong_unit: z.number().int(), damaged: z.number().int() }),
      }),
    ),
  })
  .meta({ id: 'VendorPerformance' });
