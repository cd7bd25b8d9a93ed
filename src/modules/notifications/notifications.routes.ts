import { z } from 'zod';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { getDelivery, listDeliveries, listDestinations, pauseDestination, redeliver, resumeDestination } from './deliveries.service.ts';
import { notificationSettingsOutput, notificationSettingsPatch, readNotificationSettings, toNotificationSettingsJson, writeNotificationSettings } from './notification-settings.ts';
import { toDeliveryDetailJson, toDeliveryJson, toDestinationJson, toSubscriptionJson } from './notifications.mapper.ts';
import {
  createSubscriptionBody,
  deliveryDetailOutput,
  deliveryPage,
  destinationBody,
  destinationOutput,
  eventTypesOutput,
  listDeliveriesQuery,
  resumeOutput,
  subscriptionOutput,
  subscriptionWithSecretOutput,
  testSendOutput,
  updateSubscriptionBody,
} from './notifications.schema.ts';
import { WEBHOOK_EVENT_TYPES } from './webhook-events.ts';
import {
  assertWebhookUrl,
  createWebhookSubscription,
  deleteWebhookSubscription,
  getWebhookSubscription,
  listWebhookSubscriptions,
  rotateWebhookSecret,
  sendTestWebhook,
  updateWebhookSubscription,
} from './webhook-subscriptions.service.ts';

const tags = ['notifications'];
const webhooks = { permission: 'webhooks.manage' } as const;
const deliveries = { permission: 'deliveries.manage' } as const;

export function registerNotificationRoutes(app: AppInstance, deps: CommandDeps): void {
  registerWebhookRoutes(app, deps);
  registerDeliveryRoutes(app, deps);
  registerSettingsRoutes(app, deps);
}

function registerWebhookRoutes(app: AppInstance, deps: CommandDeps): void {
  const params = idParams('whs');
  const withSecret = (r: { subscription: Parameters<typeof toSubscriptionJson>[0]; secret: string }, now: number) => ({ ...toSubscriptionJson(r.subscription, now), secret: r.secret });

  app.get('/api/v1/webhook-event-types', {
    schema: { tags, summary: 'The event types a webhook subscription can ask for', response: { 200: eventTypesOutput } },
    config: { access: webhooks, errors: [] },
    handler: async () => ({ data: Object.entries(WEBHOOK_EVENT_TYPES).map(([type, description]) => ({ type, description })) }),
  });

  app.post('/api/v1/webhook-subscriptions', {
    schema: {
      tags,
      summary: 'Subscribe a URL to events',
      description: 'Answers the signing secret once. 422 webhook_url_refused for a URL that resolves to a private, loopback or link-local address (unless allowed in the notification settings).',
      body: createSubscriptionBody,
      response: { 201: subscriptionWithSecretOutput },
    },
    config: { access: webhooks, errors: ['webhook_url_refused', 'webhook_event_type_unknown'] },
    handler: async (request, reply) => {
      // Resolving the URL's host is network I/O: before the command's transaction opens.
      await assertWebhookUrl(deps, request.body.url);
      return runCommand(deps, request, reply, async (ctx) => withSecret(await createWebhookSubscription(ctx, request.body), ctx.clock.now()), {
        status: 201,
        targets: (s) => [{ type: 'webhook_subscription', id: s.id }],
      });
    },
  });

  app.get('/api/v1/webhook-subscriptions', {
    schema: { tags, summary: 'Webhook subscriptions (shop-wide: listed to those granted every site)', response: { 200: z.object({ data: z.array(subscriptionOutput) }) } },
    config: { access: webhooks, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return { data: (await listWebhookSubscriptions(ctx)).map((s) => toSubscriptionJson(s, ctx.clock.now())) };
    },
  });

  app.get('/api/v1/webhook-subscriptions/:id', {
    schema: { tags, summary: 'One webhook subscription', params, response: { 200: subscriptionOutput } },
    config: { access: webhooks, errors: ['webhook_subscription_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toSubscriptionJson(await getWebhookSubscription(ctx, request.params.id), ctx.clock.now());
    },
  });

  app.patch('/api/v1/webhook-subscriptions/:id', {
    schema: { tags, summary: 'Change a subscription’s URL, events, description or whether it is active', params, body: updateSubscriptionBody, response: { 200: subscriptionOutput } },
    config: { access: webhooks, errors: ['webhook_subscription_not_found', 'webhook_url_refused', 'webhook_event_type_unknown'] },
    handler: async (request, reply) => {
      if (request.body.url !== undefined) await assertWebhookUrl(deps, request.body.url);
      return runCommand(deps, request, reply, async (ctx) => toSubscriptionJson(await updateWebhookSubscription(ctx, request.params.id, request.body), ctx.clock.now()), {
        targets: (s) => [{ type: 'webhook_subscription', id: s.id }],
      });
    },
  });

  app.delete('/api/v1/webhook-subscriptions/:id', {
    schema: { tags, summary: 'Delete a subscription; its undelivered messages are dead-lettered', params, response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) } },
    config: { access: webhooks, errors: ['webhook_subscription_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, (ctx) => deleteWebhookSubscription(ctx, request.params.id), { targets: (s) => [{ type: 'webhook_subscription', id: s.id }] }),
  });

  app.post('/api/v1/webhook-subscriptions/:id/rotate-secret', {
    schema: {
      tags,
      summary: 'Rotate the signing secret',
      description: 'Answers the new secret once. For 24 hours both secrets sign every message (two signatures in webhook-signature), so the receiver can switch without losing one.',
      params,
      response: { 200: subscriptionWithSecretOutput },
    },
    config: { access: webhooks, errors: ['webhook_subscription_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => withSecret(await rotateWebhookSecret(ctx, request.params.id), ctx.clock.now()), {
        targets: (s) => [{ type: 'webhook_subscription', id: s.id }],
      }),
  });

  app.post('/api/v1/webhook-subscriptions/:id/test', {
    schema: { tags, summary: 'Send a webhook.test event to this subscription', description: 'Queued like any delivery; follow it in the delivery log.', params, response: { 202: testSendOutput } },
    config: { access: webhooks, errors: ['webhook_subscription_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, (ctx) => sendTestWebhook(ctx, request.params.id), { status: 202, targets: () => [{ type: 'webhook_subscription', id: request.params.id }] }),
  });
}

function registerDeliveryRoutes(app: AppInstance, deps: CommandDeps): void {
  const params = idParams('dlv');
  app.get('/api/v1/deliveries', {
    schema: { tags, summary: 'The delivery log: emails, texts and webhooks, newest first', querystring: listDeliveriesQuery, response: { 200: deliveryPage } },
    config: { access: deliveries, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const q = request.query;
      const page = await listDeliveries(ctx, { status: q.status, channel: q.channel, destination: q.destination, eventId: q.event_id, limit: q.limit, cursor: q.cursor });
      return { data: page.records.map(toDeliveryJson), next_cursor: page.nextCursor };
    },
  });

  app.get('/api/v1/deliveries/:id', {
    schema: { tags, summary: 'One delivery with its attempt log (status, latency, response excerpt)', params, response: { 200: deliveryDetailOutput } },
    config: { access: deliveries, errors: ['delivery_not_found'] },
    handler: async (request) => toDeliveryDetailJson(await getDelivery(contextOf(deps, request), request.params.id)),
  });

  app.post('/api/v1/deliveries/:id/redeliver', {
    schema: {
      tags,
      summary: 'Deliver again',
      description: 'A delivered or dead-lettered delivery goes back to pending, due now, with a fresh attempt budget and the same event id. 409 delivery_state while it is still pending or sending.',
      params,
      response: { 200: deliveryDetailOutput },
    },
    config: { access: deliveries, errors: ['delivery_not_found', 'delivery_state'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toDeliveryDetailJson(await redeliver(ctx, request.params.id)), { targets: (d) => [{ type: 'delivery', id: d.id }] }),
  });

  app.get('/api/v1/delivery-destinations', {
    schema: { tags, summary: 'Destinations with deliveries or a pause, with counts by status', response: { 200: z.object({ data: z.array(destinationOutput) }) } },
    config: { access: deliveries, errors: [] },
    handler: async (request) => ({ data: (await listDestinations(contextOf(deps, request))).map(toDestinationJson) }),
  });

  app.post('/api/v1/delivery-destinations/pause', {
    schema: { tags, summary: 'Pause a destination', description: 'Nothing more is sent to it until resumed; its deliveries wait in order. Pausing a paused destination changes nothing.', body: destinationBody, response: { 200: destinationOutput } },
    config: { access: deliveries, errors: [] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const paused = await pauseDestination(ctx, request.body.destination, request.body.reason ?? null);
          const summary = (await listDestinations(ctx)).find((d) => d.destination === paused.destination);
          return toDestinationJson(summary ?? { destination: paused.destination, channel: 'unknown', pending: 0, dead: 0, delivered: 0, paused });
        },
        { targets: () => [{ type: 'delivery_destination', id: request.body.destination }] },
      ),
  });

  app.post('/api/v1/delivery-destinations/resume', {
    schema: { tags, summary: 'Resume a paused destination', description: 'What waited is due at once. 409 destination_not_paused when it was not paused.', body: destinationBody, response: { 200: resumeOutput } },
    config: { access: deliveries, errors: ['destination_not_paused'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, (ctx) => resumeDestination(ctx, request.body.destination), { targets: () => [{ type: 'delivery_destination', id: request.body.destination }] }),
  });
}

function registerSettingsRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/notification-settings', {
    schema: { tags, summary: 'How email, texts and webhooks go out (secrets only said to be set)', response: { 200: notificationSettingsOutput } },
    config: { access: { permission: 'settings.write' }, errors: [] },
    handler: async (request) => toNotificationSettingsJson(await readNotificationSettings(contextOf(deps, request).db.kysely)),
  });
  app.patch('/api/v1/notification-settings', {
    schema: {
      tags,
      summary: 'Configure the SMTP server, the text provider and webhook rules',
      description: 'null clears a setting. The SMTP URL and the provider’s auth token are stored sealed with STOCKROOM_SECRETS_KEY.',
      body: notificationSettingsPatch,
      response: { 200: notificationSettingsOutput },
    },
    config: { access: { permission: 'settings.write' }, errors: [] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          await writeNotificationSettings(ctx.trx!, request.body);
          return toNotificationSettingsJson(await readNotificationSettings(ctx.trx!));
        },
        { targets: () => [{ type: 'settings', id: 'notifications' }] },
      ),
  });
}
