import { z } from 'zod';
import { canSeeCosts, type ServiceContext } from '../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { fileResponse, idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { loadPurchaseOrderDocument, purchaseOrderCsv } from './purchase-order-export.ts';
import { renderPurchaseOrderPdf } from './purchase-order-pdf.ts';
import {
  addPurchaseOrderLines,
  cancelPurchaseOrder,
  closePurchaseOrder,
  createPurchaseOrder,
  getPurchaseOrder,
  listPurchaseOrderRevisions,
  listPurchaseOrders,
  removePurchaseOrderLine,
  sendPurchaseOrder,
  updatePurchaseOrder,
  updatePurchaseOrderLine,
  type LineInput,
  type PurchaseOrderRecord,
} from './purchase-orders.service.ts';
import { toPurchaseOrderJson, toPurchaseOrderSummaryJson, toRevisionJson } from './purchasing.mapper.ts';
import {
  addPurchaseOrderLinesBody,
  createPurchaseOrderBody,
  listPurchaseOrdersQuery,
  poLineParams,
  purchaseOrderOutput,
  purchaseOrderPage,
  revisionOutput,
  updatePurchaseOrderBody,
  updatePurchaseOrderLineBody,
} from './purchasing.schema.ts';

const tags = ['purchasing'];

type LineBody = Omit<LineInput, 'tax_rate'> & { tax_rate_percent?: number | null };
const toLineInput = ({ tax_rate_percent, ...rest }: LineBody): LineInput => ({ ...rest, ...(tax_rate_percent !== undefined ? { tax_rate: tax_rate_percent } : {}) });
const json = (ctx: ServiceContext, po: PurchaseOrderRecord) => toPurchaseOrderJson(po, { costs: canSeeCosts(ctx.actor) });

export function registerPurchaseOrderRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/purchase-orders', {
    schema: {
      tags,
      summary: 'Create a draft purchase order',
      description:
        'Lines are in the vendor’s purchase units (converted to base units exactly; an inexact conversion is refused) and priced in the vendor’s currency, by default at the vendor’s terms. ' +
        'Tax is per line at its rate or the order’s; shipping is added untaxed.',
      body: createPurchaseOrderBody,
      response: { 201: purchaseOrderOutput },
    },
    config: { access: { permission: 'purchasing.write', location: { from: 'body', field: 'delivery_site_id' } }, errors: ['location_not_found', 'purchase_order_line_invalid', 'purchase_order_not_found', 'unit_conversion_inexact', 'vendor_archived', 'vendor_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const { tax_rate_percent, lines, ...rest } = request.body;
          return json(ctx, await createPurchaseOrder(ctx, { ...rest, ...(tax_rate_percent !== undefined ? { tax_rate: tax_rate_percent } : {}), lines: lines.map(toLineInput) }));
        },
        { status: 201, targets: (po) => [{ type: 'purchase_order', id: po.id }] },
      ),
  });

  app.get('/api/v1/purchase-orders', {
    schema: { tags, summary: 'Purchase orders, newest first', querystring: listPurchaseOrdersQuery, response: { 200: purchaseOrderPage } },
    config: { access: { permission: 'purchasing.read' }, errors: [] },
    handler: async (request) => {
      const q = request.query;
      const page = await listPurchaseOrders(contextOf(deps, request), { status: q.status, vendorId: q.vendor_id, limit: q.limit, cursor: q.cursor });
      return { data: page.rows.map(toPurchaseOrderSummaryJson), next_cursor: page.nextCursor };
    },
  });

  app.get('/api/v1/purchase-orders/:id', {
    schema: { tags, summary: 'A purchase order with its lines, what is still outstanding, its receipts and discrepancies', params: idParams('po'), response: { 200: purchaseOrderOutput } },
    config: { access: { permission: 'purchasing.read' }, errors: ['purchase_order_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return json(ctx, await getPurchaseOrder(ctx, request.params.id));
    },
  });

  app.patch('/api/v1/purchase-orders/:id', {
    schema: { tags, summary: 'Change the order’s header; after sending, each change is a new revision', params: idParams('po'), body: updatePurchaseOrderBody, response: { 200: purchaseOrderOutput } },
    config: { access: { permission: 'purchasing.write' }, errors: ['location_not_found', 'purchase_order_line_invalid', 'purchase_order_not_editable', 'purchase_order_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const { tax_rate_percent, ...rest } = request.body;
          return json(ctx, await updatePurchaseOrder(ctx, request.params.id, { ...rest, ...(tax_rate_percent !== undefined ? { tax_rate: tax_rate_percent } : {}) }));
        },
        { targets: (po) => [{ type: 'purchase_order', id: po.id }] },
      ),
  });

  app.post('/api/v1/purchase-orders/:id/lines', {
    schema: { tags, summary: 'Add lines', params: idParams('po'), body: addPurchaseOrderLinesBody, response: { 200: purchaseOrderOutput } },
    config: { access: { permission: 'purchasing.write' }, errors: ['purchase_order_line_invalid', 'purchase_order_not_editable', 'purchase_order_not_found', 'unit_conversion_inexact'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => json(ctx, await addPurchaseOrderLines(ctx, request.params.id, request.body.lines.map(toLineInput))), {
        targets: (po) => [{ type: 'purchase_order', id: po.id }],
      }),
  });

  app.patch('/api/v1/purchase-orders/:id/lines/:line_id', {
    schema: { tags, summary: 'Change a line (never below what was received)', params: poLineParams, body: updatePurchaseOrderLineBody, response: { 200: purchaseOrderOutput } },
    config: { access: { permission: 'purchasing.write' }, errors: ['purchase_order_line_invalid', 'purchase_order_line_not_found', 'purchase_order_not_editable', 'purchase_order_not_found', 'unit_conversion_inexact'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const { tax_rate_percent, ...rest } = request.body;
          return json(ctx, await updatePurchaseOrderLine(ctx, request.params.id, request.params.line_id, { ...rest, ...(tax_rate_percent !== undefined ? { tax_rate: tax_rate_percent } : {}) }));
        },
        { targets: (po) => [{ type: 'purchase_order', id: po.id }] },
      ),
  });

  app.delete('/api/v1/purchase-orders/:id/lines/:line_id', {
    schema: { tags, summary: 'Remove a line nothing was received against', params: poLineParams, response: { 200: purchaseOrderOutput } },
    config: { access: { permission: 'purchasing.write' }, errors: ['purchase_order_line_invalid', 'purchase_order_line_not_found', 'purchase_order_not_editable', 'purchase_order_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => json(ctx, await removePurchaseOrderLine(ctx, request.params.id, request.params.line_id)), {
        targets: (po) => [{ type: 'purchase_order', id: po.id }],
      }),
  });

  const transition = (action: 'send' | 'cancel' | 'close', summary: string, description: string, run: (ctx: ServiceContext, id: string) => Promise<PurchaseOrderRecord>, errors: readonly string[]) =>
    app.post(`/api/v1/purchase-orders/:id/${action}`, {
      schema: { tags, summary, description, params: idParams('po'), response: { 200: purchaseOrderOutput } },
      config: { access: { permission: 'purchasing.write' }, errors },
      handler: (request, reply) =>
        runCommand(deps, request, reply, async (ctx) => json(ctx, await run(ctx, request.params.id)), { targets: (po) => [{ type: 'purchase_order', id: po.id }] }),
    });
  transition('send', 'Send a draft order', 'Records when it was sent, starts the revision history, and emails the PDF to the vendor’s address (a copy to the sender) once committed; `email` follows that delivery.', sendPurchaseOrder, ['purchase_order_not_found', 'purchase_order_transition_invalid', 'vendor_archived', 'vendor_not_found']);
  transition('cancel', 'Cancel a draft or sent order', 'Receipts still being prepared against it are cancelled too.', cancelPurchaseOrder, ['purchase_order_not_found', 'purchase_order_transition_invalid']);
  transition('close', 'Close a (partially) received order', 'Whatever is still outstanding is recorded as a shortage.', closePurchaseOrder, ['purchase_order_not_found', 'purchase_order_transition_invalid']);

  app.get('/api/v1/purchase-orders/:id/revisions', {
    schema: { tags, summary: 'What changed after sending, by whom, when', description: 'Price, tax and shipping changes are left out for staff.', params: idParams('po'), response: { 200: z.object({ data: z.array(revisionOutput) }) } },
    config: { access: { permission: 'purchasing.read' }, errors: ['purchase_order_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const view = { costs: canSeeCosts(ctx.actor) };
      return { data: (await listPurchaseOrderRevisions(ctx, request.params.id)).map((r) => toRevisionJson(r, view)) };
    },
  });

  app.get('/api/v1/purchase-orders/:id/pdf', {
    schema: {
      tags,
      summary: 'The order as a PDF for the vendor',
      description: 'application/pdf. Prices are left out for staff.',
      params: idParams('po'),
      response: fileResponse('application/pdf', 'The purchase order as a PDF.'),
    },
    config: { access: { permission: 'purchasing.read' }, errors: ['purchase_order_not_found'] },
    handler: async (request, reply) => {
      const ctx = contextOf(deps, request);
      const document = await loadPurchaseOrderDocument(ctx, request.params.id, canSeeCosts(ctx.actor));
      // Rendered after every read is done: no transaction waits on the PDF.
      const pdf = await renderPurchaseOrderPdf(document);
      // The document describes the body as a binary string; Fastify sends the Buffer as it is.
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${document.order.number}.pdf"`).send(pdf as unknown as string);
    },
  });

  app.get('/api/v1/purchase-orders/:id/csv', {
    schema: {
      tags,
      summary: 'The order’s lines as CSV',
      description: 'text/csv, one row per line. Prices are left out for staff.',
      params: idParams('po'),
      response: fileResponse('text/csv', 'One row per line.'),
    },
    config: { access: { permission: 'purchasing.read' }, errors: ['purchase_order_not_found'] },
    handler: async (request, reply) => {
      const ctx = contextOf(deps, request);
      const document = await loadPurchaseOrderDocument(ctx, request.params.id, canSeeCosts(ctx.actor));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${document.order.number}.csv"`).send(purchaseOrderCsv(document));
    },
  });
}
