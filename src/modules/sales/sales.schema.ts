import { z } from 'zod';
import {
  currencyInput,
  idInput,
  instantInput,
  instantOutput,
  moneyOutput,
  nonNegativeMoneyInput,
  optionalTextInput,
  percentInput,
  percentOutput,
  positiveQuantityInput,
  quantityOutput,
  textInput,
} from '../../platform/http/fields.ts';
import { cursorParam, limitParam, pageSchema } from '../../platform/http/pagination.ts';

export const TENDERS = ['cash', 'card', 'voucher', 'other'] as const;

const exactlyOne = (keys: readonly string[]) => (value: Record<string, unknown>) => keys.filter((k) => value[k] !== undefined).length === 1;

export const discountInput = z
  .strictObject({
    amount: nonNegativeMoneyInput.optional().meta({ description: 'An amount off, in whole minor units (cents).' }),
    percent: percentInput.optional().meta({ description: 'A percentage off.' }),
    reason: textInput(200),
    employee: textInput(120).optional().meta({ description: 'Who gave the discount; the signed-in user when left out.' }),
  })
  .refine(exactlyOne(['amount', 'percent']), { message: 'give either amount or percent' });
export type DiscountInput = z.output<typeof discountInput>;

export const paymentInput = z.strictObject({
  tender: z.enum(TENDERS),
  amount: nonNegativeMoneyInput,
  reference: optionalTextInput(120).optional().meta({ description: 'Card slip, voucher code.' }),
});
export type PaymentInput = z.output<typeof paymentInput>;

export const registerInput = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'letters, digits, dot, dash and underscore; at most 32')
  .meta({ description: 'The till: receipts are numbered per register, so tills never wait on each other.', example: 'T1' });

const saleLineInput = z
  .strictObject({
    item_id: idInput('itm').optional(),
    sku: z.string().trim().min(1).max(64).optional().meta({ description: 'Leading and trailing whitespace is removed.' }),
    barcode: z.string().trim().min(1).max(64).optional().meta({ description: 'A scanned barcode. Leading and trailing whitespace is removed.' }),
    qty: positiveQuantityInput,
    unit_price: nonNegativeMoneyInput.optional().meta({ description: 'Per base unit, before modifiers, in whole minor units of the shop currency (at most 2 decimals for USD); the item’s price when left out.' }),
    lot_code: z.string().trim().min(1).max(64).optional().meta({ description: 'Lot or serial number of a tracked item; FEFO when left out for lots. Leading and trailing whitespace is removed.' }),
    modifiers: z.array(idInput('mod')).max(20).default([]).meta({ description: 'Modifier ids; each applies once per unit sold.' }),
    discount: discountInput.optional(),
    tax_rate: percentInput.optional().meta({ description: 'Tax on this line, overriding the shop’s tax rules; the sale’s `tax_rate` when left out, else the rules’ rate for the item at the site.' }),
  })
  .refine(exactlyOne(['item_id', 'sku', 'barcode']), { message: 'name the item by exactly one of item_id, sku or barcode' });

export const saleFields = {
  location_id: idInput('loc').meta({ description: 'The store (its default bin) or the bin sold from.' }),
  register: registerInput,
  channel_id: idInput('chn').optional(),
  currency: currencyInput.optional().meta({ description: 'Must be the shop’s currency when given.' }),
  employee: textInput(120).optional(),
  note: optionalTextInput(1000).optional(),
  tax_rate: percentInput.optional().meta({
    description: 'Tax rate for lines that give none, overriding the shop’s tax rules; when left out each line gets its item’s rate at the site from the rules (GET /api/v1/tax-table). Whether prices include tax is the shop setting `prices_include_tax`.',
  }),
  discount: discountInput.optional().meta({ description: 'A discount on the whole sale, shared over the lines in proportion.' }),
  lines: z.array(saleLineInput).min(1).max(200),
  payments: z.array(paymentInput).max(20).default([]),
};

export const createSaleBody = z.strictObject({
  ...saleFields,
  occurred_at: instantInput.optional().meta({
    description:
      'When an offline till rang the sale up. The sale is dated and valued at that moment, keeps its items and prices as rung up, and is never refused for stock (at a strict site the shortfall is booked as `offline_shortage` and flagged for a count). At most the shop’s `offline_window_days` back and never in the future beyond 5 minutes of clock skew.',
  }),
});
export type CreateSaleInput = z.output<typeof createSaleBody>;

const consumedOutput = z.object({
  item_id: z.string(),
  lot_id: z.string().nullable(),
  location_id: z.string(),
  qty: quantityOutput,
  cost: moneyOutput.nullable().optional().meta({ description: 'Cost of goods sold; omitted for staff.' }),
});

const warningOutput = z.union([
  z.object({ code: z.literal('negative_balance'), item_id: z.string(), location_id: z.string(), lot_id: z.string().nullable(), on_hand: quantityOutput }),
  z.object({
    code: z.literal('offline_shortage'),
    item_id: z.string(),
    location_id: z.string(),
    lot_id: z.string().nullable(),
    qty: quantityOutput.meta({ description: 'Booked in as shortage so a strict site never goes below zero; the item needs a count there.' }),
  }),
]);

export const saleOutput = z
  .object({
    id: z.string(),
    number: z.string(),
    register: z.string(),
    location_id: z.string(),
    site_id: z.string(),
    channel_id: z.string().nullable(),
    currency: z.string(),
    status: z.enum(['completed', 'partially_returned', 'returned', 'voided']),
    employee: z.string().nullable(),
    note: z.string().nullable(),
    exchange_id: z.string().nullable(),
    created_at: instantOutput,
    tax_included: z.boolean().meta({ description: 'The prices included tax: each line’s total is its amount after discounts and `net` is that less the tax.' }),
    lines: z.array(
      z.object({
        id: z.string(),
        line_no: z.number().int(),
        item_id: z.string(),
        sku: z.string(),
        name: z.string(),
        lot_id: z.string().nullable(),
        qty: quantityOutput,
        base_unit_price: moneyOutput,
        unit_price: moneyOutput,
        modifiers: z.array(z.object({ modifier_id: z.string(), group_id: z.string(), name: z.string(), price_delta: moneyOutput })),
        gross: moneyOutput,
        discount: moneyOutput,
        sale_discount: moneyOutput,
        net: moneyOutput,
        tax_rate: percentOutput,
        tax: moneyOutput,
        total: moneyOutput,
        qty_returned: quantityOutput,
        refunded: moneyOutput,
        consumed: z.array(consumedOutput),
        cost: moneyOutput.optional(),
        margin: moneyOutput.optional(),
      }),
    ),
    discounts: z.array(
      z.object({ line_id: z.string().nullable(), kind: z.enum(['amount', 'percent']), percent: percentOutput.nullable(), amount: moneyOutput, reason: z.string(), employee: z.string() }),
    ),
    totals: z.object({ subtotal: moneyOutput, discount: moneyOutput, tax: moneyOutput, total: moneyOutput, paid: moneyOutput, change: moneyOutput, refunded: moneyOutput }),
    payments: z.array(z.object({ tender: z.string(), amount: moneyOutput, reference: z.string().nullable() })),
    cost_of_goods: moneyOutput.optional().meta({ description: 'Omitted for staff.' }),
    margin: moneyOutput.optional().meta({ description: 'Net sales less cost of goods; omitted for staff.' }),
    warnings: z.array(warningOutput),
  })
  .meta({ id: 'Sale' });
export type SaleJson = z.infer<typeof saleOutput>;

export const listSalesQuery = z.strictObject({
  location_id: idInput('loc').optional().meta({ description: 'A store, or a bin.' }),
  from: instantInput.optional(),
  to: instantInput.optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const salePage = pageSchema(saleOutput);

const returnLineInput = z.strictObject({
  line_id: z
    .string()
    .regex(/^(sll|orl)_[0-9A-Za-z]{1,40}$/, 'a sale line (sll_) or order line (orl_) id')
    .meta({ description: 'The sale or order line coming back.' }),
  qty: positiveQuantityInput,
  condition: z.enum(['restockable', 'damaged', 'not_received']).meta({
    description: '`restockable` goes back to stock at the cost it left with; `damaged` to scrap or a quarantine bin; `not_received` is a refund only.',
  }),
  restock_location_id: idInput('loc').optional().meta({ description: 'Restockable: a store or bin; where it was sold or shipped from when left out.' }),
  damaged_to: z
    .union([z.literal('scrap'), idInput('loc')])
    .optional()
    .meta({ description: 'Damaged: `scrap` (the default) or a quarantine bin.' }),
});

export const returnFields = {
  sale_id: idInput('sal').optional(),
  order_id: idInput('ord').optional(),
  reason: textInput(200),
  note: optionalTextInput(1000).optional(),
  lines: z.array(returnLineInput).min(1).max(200),
};

export const createReturnBody = z
  .strictObject({
    ...returnFields,
    refunds: z.array(paymentInput).max(10).optional().meta({ description: 'How the refund is paid out; all of it in the sale’s first tender when left out.' }),
  })
  .refine(exactlyOne(['sale_id', 'order_id']), { message: 'give either sale_id or order_id' });
export type CreateReturnInput = z.output<typeof createReturnBody>;

export const voidSaleBody = z.strictObject({
  reason: textInput(200),
  line_ids: z.array(idInput('sll')).min(1).max(200).optional().meta({ description: 'Lines to void; the whole sale when left out.' }),
  refunds: z.array(paymentInput).max(10).optional(),
});
export type VoidSaleInput = z.output<typeof voidSaleBody>;

export const returnOutput = z
  .object({
    id: z.string(),
    kind: z.enum(['return', 'void']),
    sale_id: z.string().nullable(),
    order_id: z.string().nullable(),
    reason: z.string(),
    note: z.string().nullable(),
    currency: z.string(),
    refund: moneyOutput,
    exchange_id: z.string().nullable(),
    created_at: instantOutput,
    lines: z.array(
      z.object({
        id: z.string(),
        line_no: z.number().int(),
        line_id: z.string(),
        item_id: z.string(),
        qty: quantityOutput,
        condition: z.enum(['restockable', 'damaged', 'not_received']),
        to_location_id: z.string().nullable(),
        refund: moneyOutput,
        returned: z.array(consumedOutput),
      }),
    ),
    refunds: z.array(z.object({ tender: z.string(), amount: moneyOutput, reference: z.string().nullable() })),
  })
  .meta({ id: 'Return' });
export type ReturnJson = z.infer<typeof returnOutput>;

export const createExchangeBody = z.strictObject({
  return: z.strictObject(returnFields).refine(exactlyOne(['sale_id', 'order_id']), { message: 'give either sale_id or order_id' }),
  sale: z.strictObject(saleFields).meta({ description: 'The new sale; its payments cover what the return does not.' }),
  refund_tender: z.enum(TENDERS).default('cash').meta({ description: 'How the customer is paid when the return is worth more than the new sale.' }),
});
export type CreateExchangeInput = z.output<typeof createExchangeBody>;

export const exchangeOutput = z
  .object({
    id: z.string(),
    difference: moneyOutput.meta({ description: 'New sale total less the refund: positive when the customer paid the difference.' }),
    created_at: instantOutput,
    return: returnOutput,
    sale: saleOutput,
  })
  .meta({ id: 'Exchange' });

export const modifierSalesQuery = z.strictObject({ from: instantInput, to: instantInput, location_id: idInput('loc').optional() });

export const modifierSalesOutput = z
  .object({
    from: instantOutput,
    to: instantOutput,
    data: z.array(
      z.object({
        modifier_id: z.string(),
        group_id: z.string(),
        name: z.string(),
        lines: z.number().int(),
        qty: quantityOutput.meta({ description: 'Units sold with the modifier.' }),
        qty_returned: quantityOutput,
        revenue: moneyOutput.meta({ description: 'The modifier’s price changes on those units, before discounts and tax.' }),
      }),
    ),
  })
  .meta({ id: 'ModifierSales' });
