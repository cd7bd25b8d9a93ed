import { z } from 'zod';
import { cursorParam, limitParam, pageSchema } from '../../platform/http/pagination.ts';
import { instantOutput, optionalTextInput } from '../../platform/http/fields.ts';
import { DELIVERY_STATUSES } from './deliveries.service.ts';
import { WEBHOOK_EVENT_TYPES } from './webhook-events.ts';

const eventTypeInput = z.enum([...(Object.keys(WEBHOOK_EVENT_TYPES) as Array<keyof typeof WEBHOOK_EVENT_TYPES>), '*']).meta({ description: 'An event type, or `*` for every event (webhook.test is sent only by the test action).' });

export const createSubscriptionBody = z.strictObject({
  url: z.string().trim().url().max(2000).meta({ description: 'Where to POST. Private, loopback and link-local addresses are refused unless the notification settings allow them.', example: 'https://example.com/hooks/stockroom' }),
  event_types: z.array(eventTypeInput).min(1).max(20),
  description: optionalTextInput(200).nullable().optional(),
  active: z.boolean().optional(),
});

export const updateSubscriptionBody = z
  .strictObject({
    url: createSubscriptionBody.shape.url.optional(),
    event_types: createSubscriptionBody.shape.event_types.optional(),
    description: createSubscriptionBody.shape.description,
    active: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });

export const subscriptionOutput = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    event_types: z.array(z.string()),
    active: z.boolean(),
    rotating_until: instantOutput.nullable().meta({ description: 'While set, the previous secret still signs beside the current one.' }),
    created_at: instantOutput,
    updated_at: instantOutput,
  })
  .meta({ id: 'WebhookSubscription' });

export const subscriptionWithSecretOutput = subscriptionOutput
  .extend({ secret: z.string().meta({ description: 'The signing secret (`whsec_…`), shown this once. Verify with any Standard Webhooks library.' }) })
  .meta({ id: 'WebhookSubscriptionWithSecret' });

export const eventTypesOutput = z.object({ data: z.array(z.object({ type: z.string(), description: z.string() })) });

export const testSendOutput = z.object({ delivery_id: z.string(), event_id: z.string() });

export const attemptOutput = z.object({
  attempt: z.number().int(),
  worker: z.string(),
  started_at: instantOutput,
  latency_ms: z.number().int(),
  outcome: z.enum(['delivered', 'retry', 'dead']),
  status_code: z.number().int().nullable(),
  response_excerpt: z.string().nullable(),
  error: z.string().nullable(),
});

export const deliveryOutput = z
  .object({
    id: z.string(),
    channel: z.string(),
    destination: z.string(),
    event_id: z.string(),
    event_type: z.string(),
    ordering_key: z.string().nullable(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    next_attempt_at: instantOutput.nullable(),
    created_at: instantOutput,
    delivered_at: instantOutput.nullable(),
    last_error: z.string().nullable(),
    provider_ref: z.string().nullable(),
    summary: z.string().meta({ description: 'The subject of an email, the start of a text, the event type of a webhook.' }),
  })
  .meta({ id: 'Delivery' });

export const deliveryDetailOutput = deliveryOutput
  .extend({ paused: z.boolean(), payload: z.record(z.string(), z.unknown()), log: z.array(attemptOutput) })
  .meta({ id: 'DeliveryDetail' });

export const deliveryPage = pageSchema(deliveryOutput);

export const listDeliveriesQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional(),
  channel: z.enum(['email', 'sms', 'webhook']).optional(),
  destination: z.string().max(300).optional(),
  event_id: z.string().max(64).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const destinationBody = z.strictObject({
  destination: z.string().trim().min(1).max(300).meta({ description: 'An email address, a phone number or a webhook subscription id, as the delivery log shows it.' }),
  reason: optionalTextInput(200).nullable().optional(),
});

export const destinationOutput = z
  .object({
    destination: z.string(),
    channel: z.string(),
    pending: z.number().int(),
    dead: z.number().int(),
    delivered: z.number().int(),
    paused: z.boolean(),
    paused_at: instantOutput.nullable(),
    pause_reason: z.string().nullable(),
  })
  .meta({ id: 'DeliveryDestination' });

export const resumeOutput = z.object({ destination: z.string(), released: z.number().int().meta({ description: 'Deliveries waiting for this destination, now due.' }) });
