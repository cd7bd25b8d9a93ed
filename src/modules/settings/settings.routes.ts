import { z } from 'zod';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { getSettings, settingsPatch, updateSettings } from './settings.service.ts';

const settingsOutput = z.object({ shop_name: z.string(), base_currency: z.string(), time_zone: z.string(), offline_window_days: z.number().int(), prices_include_tax: z.boolean() }).meta({ id: 'Settings' });

export function registerSettingsRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/settings', {
    schema: { tags: ['settings'], summary: 'Shop settings: name, base currency, time zone, offline window, whether prices include tax', response: { 200: settingsOutput } },
    config: { access: { permission: 'items.read' }, errors: [] },
    handler: async (request) => getSettings(contextOf(deps, request)),
  });
  app.patch('/api/v1/settings', {
    schema: {
      tags: ['settings'],
      summary: 'Change shop settings',
      description: 'The base currency is the one costs and prices are kept in; change it only before recording costs.',
      body: settingsPatch,
      response: { 200: settingsOutput },
    },
    config: { access: { permission: 'settings.write' }, errors: [] },
    handler: (request, reply) => runCommand(deps, request, reply, (ctx) => updateSettings(ctx, request.body), { targets: () => [{ type: 'settings', id: 'shop' }] }),
  });
}
