import { canSeeCosts } from '../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { toAdjustmentJson } from './adjustments.mapper.ts';
import { adjustmentOutput, adjustmentPage, createAdjustmentBody, listAdjustmentsQuery, reverseAdjustmentBody } from './adjustments.schema.ts';
import { createAdjustment, getAdjustment, listAdjustments, reverseAdjustment } from './adjustments.service.ts';

export function registerAdjustmentRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/adjustments', {
    schema: {
      tags: ['stock'],
      summary: 'Post a stock adjustment',
      description:
        'Posted at once and immutable. `damaged` and `expired` send stock to scrap; the other reasons to the adjustment location. ' +
        'At an allow-negative store a removal never fails; the response warns of any balance it left below zero.',
      body: createAdjustmentBody,
      response: { 201: adjustmentOutput },
    },
    config: { access: { permission: 'adjustments.write', location: { from: 'body', field: 'location_id' } }, errors: ['adjustment_line_invalid', 'insufficient_stock', 'item_not_stockable', 'location_not_found', 'location_not_stockable', 'lot_invalid', 'lot_required', 'movement_invalid', 'occurred_at_in_future', 'occurred_at_too_old', 'reservation_invalid', 'serial_in_stock'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => toAdjustmentJson(await createAdjustment(ctx, request.body), { costs: canSeeCosts(ctx.actor) }),
        { status: 201, targets: (a) => [{ type: 'adjustment', id: a.id }] },
      ),
  });

  app.post('/api/v1/adjustments/:id/reverse', {
    schema: {
      tags: ['stock'],
      summary: 'Reverse an adjustment with a new one of opposite quantities',
      params: idParams('adj'),
      body: reverseAdjustmentBody,
      response: { 201: adjustmentOutput },
    },
    config: { access: { permission: 'adjustments.write' }, errors: ['adjustment_already_reversed', 'adjustment_not_found', 'insufficient_stock', 'item_not_stockable', 'lot_invalid', 'lot_required', 'movement_invalid', 'reservation_invalid', 'serial_in_stock'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => toAdjustmentJson(await reverseAdjustment(ctx, request.params.id, request.body.note), { costs: canSeeCosts(ctx.actor) }),
        { status: 201, targets: (a) => [{ type: 'adjustment', id: a.id }, { type: 'adjustment', id: request.params.id }] },
      ),
  });

  app.get('/api/v1/adjustments/:id', {
    schema: { tags: ['stock'], summary: 'One adjustment with its lines', params: idParams('adj'), response: { 200: adjustmentOutput } },
    config: { access: { permission: 'adjustments.read' }, errors: ['adjustment_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toAdjustmentJson(await getAdjustment(ctx, request.params.id), { costs: canSeeCosts(ctx.actor) });
    },
  });

  app.get('/api/v1/adjustments', {
    schema: { tags: ['stock'], summary: 'Adjustments, newest first', querystring: listAdjustmentsQuery, response: { 200: adjustmentPage } },
    config: { access: { permission: 'adjustments.read', location: { from: 'query', field: 'location_id' } }, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const q = request.query;
      const page = await listAdjustments(ctx, { locationId: q.location_id, reason: q.reason, limit: q.limit, cursor: q.cursor });
      const view = { costs: canSeeCosts(ctx.actor) };
      return { data: page.records.map((r) => toAdjustmentJson(r, view)), next_cursor: page.nextCursor };
    },
  });
}
