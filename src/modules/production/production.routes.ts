import { z } from 'zod';
import { canSeeCosts, type ServiceContext } from '../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { postingErrorCodes } from '../ledger/index.ts';
import { bomTree, createBomVersion, getBom, listBomVersions } from './boms.service.ts';
import { disassemble, getDisassembly } from './disassembly.service.ts';
import { completeProductionOrder } from './production-completion.service.ts';
import {
  cancelProductionOrder,
  closeProductionOrder,
  createProductionOrder,
  getProductionOrder,
  listProductionOrders,
  startProductionOrder,
  type ProductionOrderRecord,
} from './production-orders.service.ts';
import { createPlannedOrders, productionPlan } from './production-plan.service.ts';
import { toBomJson, toBomTreeJson, toDisassemblyJson, toOrderJson, toPlanJson } from './production.mapper.ts';
import {
  bomListOutput,
  bomOutput,
  bomTreeOutput,
  completeBody,
  createBomBody,
  createOrderBody,
  createPlanBody,
  createPlanOutput,
  disassembleBody,
  disassemblyOutput,
  listOrdersQuery,
  noteBody,
  orderOutput,
  orderPage,
  planOutput,
  planQuery,
} from './production.schema.ts';

const tags = ['production'];
const view = (ctx: ServiceContext) => ({ costs: canSeeCosts(ctx.actor) });
const orderJson = (ctx: ServiceContext, r: ProductionOrderRecord) => toOrderJson(r, view(ctx));
const write = { permission: 'production.write', location: { from: 'none' } } as const;

/** Bills of materials live with the catalogue (items.read / items.write); they belong to no site. */
export function registerBomRoutes(app: AppInstance, deps: CommandDeps): void {
  const itemParams = idParams('itm');
  app.get('/api/v1/items/:id/boms', {
    schema: { tags, summary: 'Every version of the item’s bill of materials, newest first', params: itemParams, response: { 200: bomListOutput } },
    config: { access: { permission: 'items.read' }, errors: ['bom_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return { data: (await listBomVersions(ctx, request.params.id)).map((r) => toBomJson(r, view(ctx))) };
    },
  });

  app.post('/api/v1/items/:id/boms', {
    schema: {
      tags,
      summary: 'Save a new version of the item’s bill of materials',
      description: 'The previous version is kept, superseded, for the orders made from it. Components are stocked items in any of their units, converted exactly; a component with a bill of its own is a sub-assembly. Without `lines` the item’s catalog components are used.',
      params: itemParams,
      body: createBomBody,
      response: { 201: bomOutput },
    },
    config: { access: { permission: 'items.write' }, errors: ['bom_not_found', 'bom_invalid', 'bom_cycle'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toBomJson(await createBomVersion(ctx, request.params.id, request.body), view(ctx)), {
        status: 201,
        targets: (b) => [{ type: 'item', id: b.item_id }],
      }),
  });

  app.get('/api/v1/items/:id/bom-tree', {
    schema: {
      tags,
      summary: 'The active bill as a tree, with the cost rolled up at every level',
      description: 'Depth first; sub-assemblies are followed into their own bills. Costs are left out for staff.',
      params: itemParams,
      response: { 200: bomTreeOutput },
    },
    config: { access: { permission: 'items.read' }, errors: ['bom_not_found', 'bom_invalid'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toBomTreeJson(await bomTree(ctx, request.params.id), view(ctx));
    },
  });

  app.get('/api/v1/boms/:id', {
    schema: { tags, summary: 'One version of a bill of materials', params: idParams('bom'), response: { 200: bomOutput } },
    config: { access: { permission: 'items.read' }, errors: ['bom_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toBomJson(await getBom(ctx.trx ?? ctx.db.kysely, request.params.id), view(ctx));
    },
  });
}

export function registerProductionRoutes(app: AppInstance, deps: CommandDeps): void {
  const params = idParams('prd');
  app.post('/api/v1/production-orders', {
    schema: {
      tags,
      summary: 'Plan a production order',
      description: 'From the item’s active bill (or `bom_id`). With `start: true` the components are reserved at once; a strict site answers 409 insufficient_stock rather than promise what it has not got.',
      body: createOrderBody,
      response: { 201: orderOutput },
    },
    config: { access: { permission: 'production.write', location: { from: 'body', field: 'site_id' } }, errors: ['production_order_invalid', 'bom_not_found', ...postingErrorCodes] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => orderJson(ctx, await createProductionOrder(ctx, request.body)), {
        status: 201,
        targets: (o) => [{ type: 'production_order', id: o.id }],
      }),
  });

  app.get('/api/v1/production-orders', {
    schema: { tags, summary: 'Production orders at the granted sites, newest first', querystring: listOrdersQuery, response: { 200: orderPage } },
    config: { access: { permission: 'stock.read', location: { from: 'query', field: 'site_id' } }, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const q = request.query;
      const page = await listProductionOrders(ctx, { siteId: q.site_id, status: q.status, plannedFor: q.planned_for, limit: q.limit, cursor: q.cursor });
      return { data: page.records.map((r) => orderJson(ctx, r)), next_cursor: page.nextCursor };
    },
  });

  app.get('/api/v1/production-orders/:id', {
    schema: { tags, summary: 'One production order: lines with reserved and consumed quantities, completions, costs', params, response: { 200: orderOutput } },
    config: { access: { permission: 'stock.read' }, errors: ['production_order_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return orderJson(ctx, await getProductionOrder(ctx, request.params.id));
    },
  });

  const transition = (
    path: string,
    summary: string,
    description: string,
    body: z.ZodType,
    errors: readonly string[],
    work: (ctx: ServiceContext, id: string, body: never) => Promise<ProductionOrderRecord>,
  ) =>
    app.post(`/api/v1/production-orders/:id/${path}`, {
      schema: { tags, summary, description, params, body, response: { 200: orderOutput } },
      config: { access: write, errors: ['production_order_not_found', 'production_order_state', ...errors] },
      handler: (request, reply) =>
        runCommand(deps, request, reply, async (ctx) => orderJson(ctx, await work(ctx, (request.params as { id: string }).id, request.body as never)), {
          targets: (o) => [{ type: 'production_order', id: o.id }],
        }),
    });

  transition('start', 'Start: reserve the components', 'planned → started. Components are reserved at the site, soonest expiry first.', z.strictObject({}), postingErrorCodes, (ctx, id) =>
    startProductionOrder(ctx, id),
  );
  transition(
    'complete',
    'Complete with what was actually used and made',
    'Posts consumption (bins → production) and the good units made (production → the order’s bin, in a lot with an expiry from the shelf life). `final: false` completes in part. The good units cost what was consumed plus labour and overhead.',
    completeBody,
    ['production_completion_invalid', ...postingErrorCodes],
    (ctx, id, body: z.output<typeof completeBody>) => completeProductionOrder(ctx, id, body),
  );
  transition('close', 'Close the order', 'completed (or started) → closed; what is still reserved is released.', noteBody, postingErrorCodes, (ctx, id, body: z.output<typeof noteBody>) =>
    closeProductionOrder(ctx, id, body.note),
  );
  transition('cancel', 'Cancel an order nothing of which was posted', 'Releases its reservations.', noteBody, postingErrorCodes, (ctx, id, body: z.output<typeof noteBody>) =>
    cancelProductionOrder(ctx, id, body.note),
  );

  app.get('/api/v1/production/plan', {
    schema: {
      tags,
      summary: 'The daily production plan of a site',
      description: 'Each item with a bill of materials at or below its minimum (with what open orders will still make), made up to its maximum in whole batches.',
      querystring: planQuery,
      response: { 200: planOutput },
    },
    config: { access: { permission: 'stock.read', location: { from: 'query', field: 'site_id' } }, errors: ['production_order_invalid'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toPlanJson(await productionPlan(ctx, request.query.site_id, request.query.date));
    },
  });

  app.post('/api/v1/production/plan', {
    schema: { tags, summary: 'Create the day’s production orders from the plan (or the lines given)', body: createPlanBody, response: { 201: createPlanOutput } },
    config: { access: { permission: 'production.write', location: { from: 'body', field: 'site_id' } }, errors: ['production_order_invalid', 'bom_not_found', ...postingErrorCodes] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => ({ data: (await createPlannedOrders(ctx, request.body)).map((r) => orderJson(ctx, r)) }), {
        status: 201,
        targets: (r) => r.data.map((o) => ({ type: 'production_order', id: o.id })),
      }),
  });

  app.post('/api/v1/disassemblies', {
    schema: {
      tags,
      summary: 'Break kits into their components',
      description: 'The kits leave stock and the components come in, the kits’ cost shared by the rule (standard: current cost × quantity; declared: shares adding up to 100).',
      body: disassembleBody,
      response: { 201: disassemblyOutput },
    },
    config: { access: { permission: 'production.write', location: { from: 'body', field: 'site_id' } }, errors: ['disassembly_invalid', ...postingErrorCodes] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toDisassemblyJson(await disassemble(ctx, request.body), view(ctx)), {
        status: 201,
        targets: (d) => [{ type: 'disassembly', id: d.id }],
      }),
  });

  app.get('/api/v1/disassemblies/:id', {
    schema: { tags, summary: 'One disassembly', params: idParams('dis'), response: { 200: disassemblyOutput } },
    config: { access: { permission: 'stock.read' }, errors: ['disassembly_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toDisassemblyJson(await getDisassembly(ctx, request.params.id), view(ctx));
    },
  });
}
