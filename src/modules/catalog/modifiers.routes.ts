import { z } from 'zod';
import { toIso } from '../../platform/clock.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { formatMoney } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { createModifierGroupBody, modifierGroupOutput, setItemModifierGroupsBody, type ModifierGroupJson } from './modifiers.schema.ts';
import { createModifierGroup, getModifierGroup, listItemModifierGroups, listModifierGroups, setItemModifierGroups, type ModifierGroupRecord } from './modifiers.service.ts';

export function toModifierGroupJson(group: ModifierGroupRecord): ModifierGroupJson {
  return {
    id: group.id,
    name: group.name,
    selection: group.selection,
    required: group.min_select > 0,
    min: group.min_select,
    max: group.max_select,
    status: group.status,
    modifiers: group.modifiers.map((m) => ({
      id: m.id,
      name: m.name,
      price_delta: formatMoney(m.price_delta_micros),
      components: m.components.map((c) => ({ item_id: c.item_id, qty: c.qty === null ? null : quantityToNumber(c.qty), replaces_item_id: c.replaces_item_id })),
    })),
    created_at: toIso(group.created_at),
  };
}

const groupList = z.object({ data: z.array(modifierGroupOutput) });

export function registerModifierRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/modifier-groups', {
    schema: {
      tags: ['items'],
      summary: 'Create a modifier group with its modifiers',
      description:
        'Each modifier changes the unit price (`price_delta`) and what the item sold consumes, per one base unit of it: ' +
        '`{item_id, qty}` adds a component, `{item_id, replaces_item_id}` stands in for one of the item’s components (oat milk for whole milk), ' +
        '`{replaces_item_id}` removes one.',
      body: createModifierGroupBody,
      response: { 201: modifierGroupOutput },
    },
    config: { access: { permission: 'items.write' }, errors: ['modifier_invalid'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toModifierGroupJson(await createModifierGroup(ctx, request.body)), {
        status: 201,
        targets: (g) => [{ type: 'modifier_group', id: g.id }],
      }),
  });

  app.get('/api/v1/modifier-groups', {
    schema: { tags: ['items'], summary: 'Modifier groups', response: { 200: groupList } },
    config: { access: { permission: 'items.read' }, errors: [] },
    handler: async (request) => ({ data: (await listModifierGroups(contextOf(deps, request))).map(toModifierGroupJson) }),
  });

  app.get('/api/v1/modifier-groups/:id', {
    schema: { tags: ['items'], summary: 'One modifier group', params: idParams('mgr'), response: { 200: modifierGroupOutput } },
    config: { access: { permission: 'items.read' }, errors: ['modifier_group_not_found'] },
    handler: async (request) => toModifierGroupJson(await getModifierGroup(contextOf(deps, request), request.params.id)),
  });

  app.put('/api/v1/items/:id/modifier-groups', {
    schema: {
      tags: ['items'],
      summary: 'Attach modifier groups to an item (replaces the list)',
      params: idParams('itm'),
      body: setItemModifierGroupsBody,
      response: { 200: groupList },
    },
    config: { access: { permission: 'items.write' }, errors: ['item_not_found', 'modifier_invalid'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => ({ data: (await setItemModifierGroups(ctx, request.params.id, request.body.group_ids)).map(toModifierGroupJson) }),
        { targets: () => [{ type: 'item', id: request.params.id }] },
      ),
  });

  app.get('/api/v1/items/:id/modifier-groups', {
    schema: { tags: ['items'], summary: 'The modifier groups offered with an item', params: idParams('itm'), response: { 200: groupList } },
    config: { access: { permission: 'items.read' }, errors: ['item_not_found'] },
    handler: async (request) => ({ data: (await listItemModifierGroups(contextOf(deps, request), request.params.id)).map(toModifierGroupJson) }),
  });
}
