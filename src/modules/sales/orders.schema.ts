import { z } from 'zod';
import {
  currencyInput,
  idInput,
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

export const ORDER_STATUSES = ['back_ordered', 'allocated', 'partially_shipped', 'shipped', 'delivered', 'cancelled', 'expired'] as const;

const orderLineInput = z
  .strictObject({
    item_id: idInput('itm').optional(),
    sku: z.string().trim().min(1).max(64).optional().meta({ description: 'Leading and trailing whitespace is removed.' }),
    qty: positiveQuantityInput,
    unit_price: nonNegativeMoneyInput.optional().meta({ description: 'The price the channel charged, per base unit, in whole minor units of the shop currency; the item’s price when left out.' }),
    tax_rate: percentInput.optional().meta({ description: 'The tax the channel charged on this line; the shop’s tax rules for the item at the channel’s first site when left out.' }),
  })
  .refine((l) => (l.item_id === undefined) !== (l.sku === undefined), { message: 'name the item by exactly one of item_id or sku' });

export const createOrderBody = z.strictObject({
  channel_id: idInput('chn'),
  channel_order_id: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .meta({ description: 'The channel’s own order id; sending the same one again returns the order already taken. Leading and trailing whitespace is removed.' }),
  customer: z.strictObject({ name: optionalTextInput(200).optional(), email: optionalTextInput(320).optional() }).optional(),
  ship_to: optionalTextInput(1000).optional(),
  currency: currencyInput.optional(),
  lines: z.array(orderLineInput).min(1).max(200),
});
export type CreateOrderInput = z.output<typeof createOrderBody>;

export const cancelOrderBody = z.strictObject({
  reason: textInput(200),
  lines: z
    .array(z.strictObject({ line_id: idInput('orl'), qty: positiveQuantityInput }))
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'What to cancel; everything not yet shipped or packed when left out.' }),
});
export type CancelOrderInput = z.output<typeof cancelOrderBody>;

export const listOrdersQuery = z.strictObject({
  channel_id: idInput('chn').optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const orderOutput = z
  .object({
    id: z.string(),
    channel_id: z.string(),
    channel_order_id: z.string(),
    status: z.enum(ORDER_STATUSES),
    currency: z.string(),
    customer_name: z.string().nullable(),
    customer_email: z.string().nullable(),
    ship_to: z.string().nullable(),
    total: moneyOutput.meta({ description: 'What the customer pays for what is not cancelled, tax included.' }),
    tax_included: z.boolean().meta({ description: 'The prices included tax.' }),
    expires_at: instantOutput.nullable().meta({ description: 'When the reservations of an unconfirmed order lapse.' }),
    confirmed_at: instantOutput.nullable(),
    cancel_reason: z.string().nullable(),
    created_at: instantOutput,
    updated_at: instantOutput,
    lines: z.array(
      z.object({
        id: z.string(),
        line_no: z.number().int(),
        item_id: z.string(),
        qty: quantityOutput,
        unit_price: moneyOutput,
        tax_rate: percentOutput,
        tax: moneyOutput.meta({ description: 'The tax in the line’s total.' }),
        total: moneyOutput.meta({ description: 'Quantity × unit price, with its tax (on top, or within when prices include tax).' }),
        allocation: z.enum(['allocated', 'back_ordered']),
        qty_open: quantityOutput,
        qty_packed: quantityOutput,
        qty_shipped: quantityOutput,
        qty_delivered: quantityOutput,
        qty_cancelled: quantityOutput,
        qty_returned: quantityOutput,
        reservations: z.array(
          z.object({ id: z.string(), item_id: z.string(), location_id: z.string(), lot_id: z.string().nullable(), qty: quantityOutput, expires_at: instantOutput.nullable() }),
        ),
      }),
    ),
  })
  .meta({ id: 'Order' });
export type OrderJson = z.infer<typeof orderOutput>;

export const orderPage = pageSchema(orderOutput);
