import { z } from 'zod';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import {
  createSubscription,
  deleteSubscription,
  getPreferences,
  listNotifications,
  listRules,
  listSubscriptions,
  markNotificationsRead,
  updatePreferences,
  updateRule,
} from './alerts.service.ts';
import {
  createSubscriptionBody,
  markReadBody,
  notificationPage,
  notificationsQuery,
  preferencesBody,
  preferencesOutput,
  ruleBody,
  ruleOutput,
  ruleParams,
  subscriptionOutput,
  userQuery,
} from './alerts.schema.ts';

const tags = ['alerts'];

export function registerAlertRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/notifications', {
    schema: { tags, summary: 'Your in-app notifications, newest first, with the unread count', querystring: notificationsQuery, response: { 200: notificationPage } },
    config: { access: { permission: 'account.read' }, errors: [] },
    handler: async (request) => listNotifications(contextOf(deps, request), request.query),
  });
  app.post('/api/v1/notifications/read', {
    schema: { tags, summary: 'Mark your notifications read: some by id, or all', body: markReadBody, response: { 200: z.object({ marked: z.number().int() }) } },
    config: { access: { permission: 'account.write' }, errors: [] },
    handler: (request, reply) => runCommand(deps, request, reply, (ctx) => markNotificationsRead(ctx, request.body)),
  });

  app.get('/api/v1/alert-subscriptions', {
    schema: { tags, summary: 'The alert subscriptions of a user (yours unless an owner names another)', querystring: userQuery, response: { 200: z.object({ data: z.array(subscriptionOutput) }) } },
    config: { access: { permission: 'account.read' }, errors: ['alert_user_not_found'] },
    handler: async (request) => ({ data: await listSubscriptions(contextOf(deps, request), request.query.user_id) }),
  });
  app.post('/api/v1/alert-subscriptions', {
    schema: {
      tags,
      summary: 'Subscribe to an alert rule by email, text or in-app, at one site or every granted site',
      description: 'Email alerts can go in the morning digest instead (`digest: true`). Texts need a phone number in the alert preferences.',
      body: createSubscriptionBody,
      response: { 201: subscriptionOutput },
    },
    config: { access: { permission: 'account.write' }, errors: ['alert_user_not_found', 'alert_subscription_invalid', 'alert_subscription_exists'] },
    handler: (request, reply) => runCommand(deps, request, reply, (ctx) => createSubscription(ctx, request.body), { status: 201, targets: (s) => [{ type: 'alert_subscription', id: s.id }] }),
  });
  app.delete('/api/v1/alert-subscriptions/:id', {
    schema: { tags, summary: 'Unsubscribe', params: idParams('asb'), response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) } },
    config: { access: { permission: 'account.write' }, errors: ['alert_subscription_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          await deleteSubscription(ctx, request.params.id);
          return { id: request.params.id, deleted: true as const };
        },
        { targets: () => [{ type: 'alert_subscription', id: request.params.id }] },
      ),
  });

  app.get('/api/v1/alert-preferences', {
    schema: { tags, summary: 'Quiet hours, phone number and digest time of a user (yours unless an owner names another)', querystring: userQuery, response: { 200: preferencesOutput } },
    config: { access: { permission: 'account.read' }, errors: ['alert_user_not_found'] },
    handler: async (request) => getPreferences(contextOf(deps, request), request.query.user_id),
  });
  app.put('/api/v1/alert-preferences', {
    schema: {
      tags,
      summary: 'Set quiet hours, phone number and digest time',
      description: 'Times are in the shop’s time zone. During quiet hours emails and texts wait until the hours end; in-app notifications arrive at once.',
      body: preferencesBody,
      response: { 200: preferencesOutput },
    },
    config: { access: { permission: 'account.write' }, errors: ['alert_user_not_found'] },
    handler: (request, reply) => runCommand(deps, request, reply, (ctx) => updatePreferences(ctx, request.body)),
  });

  app.get('/api/v1/alert-rules', {
    schema: { tags, summary: 'The alert rules and their thresholds', response: { 200: z.object({ data: z.array(ruleOutput) }) } },
    config: { access: { permission: 'account.read' }, errors: [] },
    handler: async (request) => ({ data: await listRules(contextOf(deps, request)) }),
  });
  app.patch('/api/v1/alert-rules/:rule', {
    schema: { tags, summary: 'Change an alert rule: on or off, cooldown, thresholds', params: ruleParams, body: ruleBody, response: { 200: ruleOutput } },
    config: { access: { permission: 'settings.write' }, errors: ['alert_rule_invalid'] },
    handler: (request, reply) => runCommand(deps, request, reply, (ctx) => updateRule(ctx, request.params.rule, request.body), { targets: (r) => [{ type: 'alert_rule', id: r.rule }] }),
  });
}
