import { z } from 'zod';
import { idInput, instantOutput, quantityInput, quantityOutput, textInput } from '../../platform/http/fields.ts';
import { cursorParam, limitParam } from '../../platform/http/pagination.ts';

const channelFields = {
  name: textInput(120),
  kind: z.enum(['pos', 'online', 'marketplace']).meta({ description: 'A store’s point of sale, an online store or a marketplace.' }),
  site_ids: z
    .array(idInput('loc'))
    .min(1)
    .max(50)
    .meta({ description: 'The sites the channel sells from, in the order orders are offered to them (the nearest first).' }),
  backorder_policy: z
    .enum(['refuse', 'allow'])
    .meta({ description: '`refuse`: an order that cannot be covered is refused (409); `allow`: it is accepted and its uncovered lines wait for stock.' }),
  reservation_ttl_minutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 30)
    .nullable()
    .meta({ description: 'Orders not confirmed (paid) within this long release their stock; null keeps it until shipped or cancelled.' }),
  categories: z
    .array(textInput(120))
    .min(1)
    .max(200)
    .nullable()
    .meta({
      description:
        'The assortment: the catalogue categories the channel sells (an item sells there when its category is listed). ' +
        'Only those items are listed in its availability, pushed in its events and accepted on its orders. Null sells every item.',
    }),
};

export const createChannelBody = z.strictObject({
  ...channelFields,
  backorder_policy: channelFields.backorder_policy.default('refuse'),
  reservation_ttl_minutes: channelFields.reservation_ttl_minutes.default(null),
  categories: channelFields.categories.default(null),
});
export type CreateChannelInput = z.output<typeof createChannelBody>;

export const updateChannelBody = z
  .strictObject({
    name: channelFields.name.optional(),
    site_ids: channelFields.site_ids.optional(),
    backorder_policy: channelFields.backorder_policy.optional(),
    reservation_ttl_minutes: channelFields.reservation_ttl_minutes.optional(),
    categories: channelFields.categories.optional(),
    status: z.enum(['active', 'archived']).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });
export type UpdateChannelInput = z.output<typeof updateChannelBody>;

export const channelOutput = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['pos', 'online', 'marketplace']),
    site_ids: z.array(z.string()),
    backorder_policy: z.enum(['refuse', 'allow']),
    reservation_ttl_minutes: z.number().int().nullable(),
    categories: z.array(z.string()).nullable().meta({ description: 'The catalogue categories it sells; null: every item.' }),
    status: z.enum(['active', 'archived']),
    created_at: instantOutput,
    updated_at: instantOutput,
  })
  .meta({ id: 'Channel' });

export const bufferParams = z.strictObject({ id: idInput('chn'), item_id: idInput('itm') });
export const setBufferBody = z.strictObject({
  qty: quantityInput.refine((v) => v >= 0, { message: 'must not be negative' }).meta({ description: 'Safety stock held back from this channel; 0 removes it.' }),
});
export const bufferOutput = z.object({ channel_id: z.string(), item_id: z.string(), buffer: quantityOutput, available: quantityOutput });

export const availabilityQuery = z.strictObject({
  item_id: idInput('itm').optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const availabilityOutput = z
  .object({
    channel_id: z.string(),
    data: z.array(
      z.object({
        item_id: z.string(),
        sku: z.string(),
        name: z.string(),
        bundle: z.boolean().meta({ description: 'A bundle or recipe: its availability is what its parts allow.' }),
        on_hand_available: quantityOutput,
        buffer: quantityOutput,
        available: quantityOutput,
      }),
    ),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: 'ChannelAvailability' });

export const outboxQuery = z.strictObject({
  after: z.string().max(64).optional().meta({ description: 'The id of the last event seen; events come in id order.' }),
  item_id: idInput('itm').optional(),
  channel_id: idInput('chn').optional(),
  limit: limitParam,
});

export const outboxOutput = z
  .object({
    data: z.array(
      z.object({
        id: z.string(),
        topic: z.string(),
        channel_id: z.string().nullable(),
        item_id: z.string(),
        seq: z.number().int().meta({ description: 'Per item, increasing by one with every event about it, in commit order.' }),
        payload: z.record(z.string(), z.unknown()),
        created_at: instantOutput,
        delivered_at: instantOutput.nullable(),
      }),
    ),
    next_after: z.string().nullable(),
  })
  .meta({ id: 'OutboxPage' });
