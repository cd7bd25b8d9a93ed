import { z } from 'zod';
import { idInput, instantOutput, positiveQuantityInput, quantityOutput, textInput } from '../../platform/http/fields.ts';

export const packBody = z.strictObject({
  packages: z
    .array(
      z.strictObject({
        weight_g: positiveQuantityInput.meta({ description: 'Weight of the parcel in grams.' }),
        lines: z.array(z.strictObject({ order_line_id: idInput('orl'), qty: positiveQuantityInput })).min(1).max(200),
      }),
    )
    .min(1)
    .max(50)
    .meta({ description: 'What goes into which parcel; a shipment may take part of what was picked.' }),
});
export type PackInput = z.output<typeof packBody>;

export const shipBody = z.strictObject({
  carrier: textInput(60),
  service: textInput(60),
  packages: z
    .array(z.strictObject({ package_id: idInput('pkg'), tracking_number: textInput(64) }))
    .min(1)
    .max(50)
    .meta({ description: 'A tracking number for every parcel of the shipment.' }),
});
export type ShipInput = z.output<typeof shipBody>;

export const pickListOutput = z
  .object({
    id: z.string(),
    order_id: z.string(),
    site_id: z.string(),
    status: z.enum(['open', 'picked', 'cancelled']),
    created_at: instantOutput,
    picked_at: instantOutput.nullable(),
    lines: z.array(
      z.object({
        id: z.string(),
        line_no: z.number().int(),
        order_line_id: z.string(),
        item_id: z.string(),
        location_id: z.string(),
        bin: z.string().meta({ description: 'The bin’s full code, in walking order.' }),
        lot_id: z.string().nullable(),
        expires_on: z.string().nullable(),
        qty: quantityOutput,
        qty_packed: quantityOutput,
      }),
    ),
  })
  .meta({ id: 'PickList' });

export const shipmentOutput = z
  .object({
    id: z.string(),
    order_id: z.string(),
    pick_list_id: z.string(),
    site_id: z.string(),
    status: z.enum(['packed', 'shipped', 'delivered', 'cancelled']),
    carrier: z.string().nullable(),
    service: z.string().nullable(),
    txn_id: z.string().nullable(),
    created_at: instantOutput,
    shipped_at: instantOutput.nullable(),
    delivered_at: instantOutput.nullable(),
    packages: z.array(
      z.object({
        id: z.string(),
        number: z.number().int(),
        weight_g: quantityOutput,
        tracking_number: z.string().nullable(),
        lines: z.array(
          z.object({
            order_line_id: z.string(),
            qty: quantityOutput,
            stock: z.array(z.object({ item_id: z.string(), location_id: z.string(), lot_id: z.string().nullable(), qty: quantityOutput })),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'Shipment' });
