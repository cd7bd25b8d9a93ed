import { canSeeCosts, type ServiceContext } from '../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { createVendorReturnBody, listVendorReturnsQuery, toVendorReturnJson, toVendorReturnSummaryJson, vendorReturnOutput, vendorReturnPage } from './vendor-returns.schema.ts';
import { cancelVendorReturn, createVendorReturn, getVendorReturn, listVendorReturns, postVendorReturn, type VendorReturnRecord } from './vendor-returns.service.ts';

const tags = ['receiving'];
const json = (ctx: ServiceContext, r: VendorReturnRecord) => toVendorReturnJson(r, { costs: canSeeCosts(ctx.actor) });
const postErrors = ['exchange_rate_missing', 'insufficient_stock', 'item_not_stockable', 'location_not_found', 'lot_invalid', 'lot_required', 'movement_invalid', 'reservation_invalid', 'serial_in_stock', 'vendor_return_not_found', 'vendor_return_transition_invalid'];

export function registerVendorReturnRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/vendor-returns', {
    schema: {
      tags,
      summary: 'Start a return to vendor, against a posted receipt or not',
      description:
        'A draft naming the units going back (lot or serial for tracked items) and the bin they leave from; `post: true` posts it at once. ' +
        'Posting moves them to the vendor at the cost the ledger assigns (FIFO layers or the average) and fixes the credit expected from the vendor in its currency.',
      body: createVendorReturnBody,
      response: { 201: vendorReturnOutput },
    },
    config: { access: { permission: 'receiving.write' }, errors: [...postErrors, 'receipt_not_found', 'vendor_not_found', 'vendor_return_line_invalid'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const { post, ...input } = request.body;
          const draft = await createVendorReturn(ctx, input);
          return json(ctx, post ? await postVendorReturn(ctx, draft.id) : draft);
        },
        { status: 201, targets: (r) => [{ type: 'vendor_return', id: r.id }] },
      ),
  });

  app.get('/api/v1/vendor-returns', {
    schema: { tags, summary: 'Returns to vendor, newest first', querystring: listVendorReturnsQuery, response: { 200: vendorReturnPage } },
    config: { access: { permission: 'purchasing.read' }, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const q = request.query;
      const page = await listVendorReturns(ctx, { vendorId: q.vendor_id, siteId: q.site_id, status: q.status, limit: q.limit, cursor: q.cursor });
      const view = { costs: canSeeCosts(ctx.actor) };
      return { data: page.rows.map((r) => toVendorReturnSummaryJson(r, view)), next_cursor: page.nextCursor };
    },
  });

  app.get('/api/v1/vendor-returns/:id', {
    schema: { tags, summary: 'A return to vendor with its lines', params: idParams('vrt'), response: { 200: vendorReturnOutput } },
    config: { access: { permission: 'purchasing.read' }, errors: ['vendor_return_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return json(ctx, await getVendorReturn(ctx, request.params.id));
    },
  });

  app.post('/api/v1/vendor-returns/:id/post', {
    schema: { tags, summary: 'Post a draft return: the goods leave for the vendor at ledger cost', params: idParams('vrt'), response: { 200: vendorReturnOutput } },
    config: { access: { permission: 'receiving.write' }, errors: postErrors },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => json(ctx, await postVendorReturn(ctx, request.params.id)), { targets: (r) => [{ type: 'vendor_return', id: r.id }] }),
  });

  app.post('/api/v1/vendor-returns/:id/cancel', {
    schema: { tags, summary: 'Cancel a draft return (nothing moved)', params: idParams('vrt'), response: { 200: vendorReturnOutput } },
    config: { access: { permission: 'receiving.write' }, errors: ['vendor_return_not_found', 'vendor_return_transition_invalid'] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => json(ctx, await cancelVendorReturn(ctx, request.params.id)), { targets: (r) => [{ type: 'vendor_return', id: r.id }] }),
  });
}
