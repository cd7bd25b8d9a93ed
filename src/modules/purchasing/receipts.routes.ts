import { z } from 'zod';
import { canSeeCosts, type ServiceContext } from '../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { addLandedCosts } from './landed-costs.service.ts';
import { toLandedCostJson, toReceiptJson, toReceiptSummaryJson, toVendorPerformanceJson } from './purchasing.mapper.ts';
import {
  addReceiptLinesBody,
  createReceiptBody,
  landedCostsBody,
  landedCostsOutput,
  listReceiptsQuery,
  receiptLandedCostsBody,
  receiptLineParams,
  receiptOutput,
  receiptPage,
  scanBody,
  scanResultOutput,
  updateReceiptBody,
  updateReceiptLineBody,
  vendorPerformanceOutput,
  vendorPerformanceQuery,
} from './purchasing.schema.ts';
import { approveReceipt, postReceipt } from './receipt-posting.service.ts';
import { addScanToReceipt } from './receipt-scans.service.ts';
import {
  addReceiptLines,
  cancelReceipt,
  createReceipt,
  getReceipt,
  listReceipts,
  rejectReceipt,
  removeReceiptLine,
  updateReceipt,
  updateReceiptLine,
  type ReceiptRecord,
} from './receipts.service.ts';
import { vendorPerformance } from './vendor-performance.service.ts';

const tags = ['receiving'];
const json = (ctx: ServiceContext, r: ReceiptRecord) => toReceiptJson(r, { costs: canSeeCosts(ctx.actor) });

export function registerReceiptRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/receipts', {
    schema: {
      tags,
      summary: 'Start a receipt against a purchase order, or a quick receive without one',
      description:
        'Creates a draft that shows its discrepancies against the order as lines are added or scanned; `post: true` posts it at once. ' +
        'Lines are in a purchase unit or the base unit; lot-tracked items need a lot code (and expiry when tracked), serial items one serial per unit.',
      body: createReceiptBody,
      response: { 201: receiptOutput },
    },
    config: { access: { permission: 'receiving.write' }, errors: ['exchange_rate_missing', 'insufficient_stock', 'item_not_stockable', 'location_not_found', 'lot_invalid', 'lot_required', 'movement_invalid', 'occurred_at_in_future', 'occurred_at_too_old', 'purchase_order_not_found', 'purchase_order_not_receivable', 'receipt_line_invalid', 'receipt_not_found', 'receipt_transition_invalid', 'reservation_invalid', 'serial_in_stock', 'unit_conversion_inexact', 'vendor_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const { post, ...input } = request.body;
          const draft = await createReceipt(ctx, input);
          return json(ctx, post ? await postReceipt(ctx, draft.id) : draft);
        },
        { status: 201, targets: (r) => [{ type: 'receipt', id: r.id }] },
      ),
  });

  app.get('/api/v1/receipts', {
    schema: { tags, summary: 'Receipts, newest first', querystring: listReceiptsQuery, response: { 200: receiptPage } },
    config: { access: { permission: 'purchasing.read' }, errors: [] },
    handler: async (request) => {
      const q = request.query;
      const page = await listReceipts(contextOf(deps, request), { purchaseOrderId: q.purchase_order_id, vendorId: q.vendor_id, status: q.status, limit: q.limit, cursor: q.cursor });
      return { data: page.rows.map(toReceiptSummaryJson), next_cursor: page.nextCursor };
    },
  });

  app.get('/api/v1/receipts/:id', {
    schema: { tags, summary: 'A receipt with its lines, its discrepancies and where its order stands', params: idParams('rcp'), response: { 200: receiptOutput } },
    config: { access: { permission: 'purchasing.read' }, errors: ['receipt_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return json(ctx, await getReceipt(ctx, request.params.id));
    },
  });

  /** The commands on one receipt all answer with the receipt. */
  const command = <B>(
    method: 'POST' | 'PATCH' | 'DELETE',
    path: string,
    summary: string,
    description: string,
    params: z.ZodType,
    body: z.ZodType<B> | null,
    permission: string,
    run: (ctx: ServiceContext, p: any, b: B) => Promise<ReceiptRecord>,
    errors: readonly string[],
  ) =>
    app.route({
      method,
      url: path,
      schema: { tags, summary, description, params, ...(body ? { body } : {}), response: { 200: receiptOutput } },
      config: { access: { permission }, errors },
      handler: (request, reply) =>
        runCommand(deps, request, reply, async (ctx) => json(ctx, await run(ctx, request.params, request.body as B)), { targets: (r) => [{ type: 'receipt', id: r.id }] }),
    });

  command('PATCH', '/api/v1/receipts/:id', 'Change a draft receipt’s date, exchange rate or notes', '', idParams('rcp'), updateReceiptBody, 'receiving.write', (ctx, p, b) => updateReceipt(ctx, p.id, b), ['receipt_not_editable', 'receipt_not_found']);
  command('POST', '/api/v1/receipts/:id/lines', 'Add lines to a draft receipt', '', idParams('rcp'), addReceiptLinesBody, 'receiving.write', (ctx, p, b) => addReceiptLines(ctx, p.id, b.lines), ['receipt_line_invalid', 'receipt_not_editable', 'receipt_not_found', 'unit_conversion_inexact']);
  command('PATCH', '/api/v1/receipts/:id/lines/:line_id', 'Change a line of a draft receipt', '', receiptLineParams, updateReceiptLineBody, 'receiving.write', (ctx, p, b) => updateReceiptLine(ctx, p.id, p.line_id, b), ['receipt_line_invalid', 'receipt_line_not_found', 'receipt_not_editable', 'receipt_not_found', 'unit_conversion_inexact']);
  command('DELETE', '/api/v1/receipts/:id/lines/:line_id', 'Remove a line of a draft receipt', '', receiptLineParams, null, 'receiving.write', (ctx, p) => removeReceiptLine(ctx, p.id, p.line_id), ['receipt_line_not_found', 'receipt_not_editable', 'receipt_not_found']);
  command(
    'POST',
    '/api/v1/receipts/:id/post',
    'Post a draft receipt: stock moves from the vendor into the bins',
    'Everything is checked first. A receipt over the vendor’s tolerance stops at awaiting_approval (nothing moves) until a manager approves it.',
    idParams('rcp'),
    null,
    'receiving.write',
    (ctx, p) => postReceipt(ctx, p.id),
    ['exchange_rate_missing', 'item_not_stockable', 'location_not_found', 'lot_invalid', 'lot_required', 'movement_invalid', 'purchase_order_not_found', 'purchase_order_not_receivable', 'receipt_line_invalid', 'receipt_not_found', 'receipt_transition_invalid', 'serial_in_stock'],
  );
  command('POST', '/api/v1/receipts/:id/approve', 'Approve a receipt held for an over-receipt, which posts it', '', idParams('rcp'), null, 'purchasing.approve', (ctx, p) => approveReceipt(ctx, p.id), ['exchange_rate_missing', 'item_not_stockable', 'location_not_found', 'lot_invalid', 'lot_required', 'movement_invalid', 'purchase_order_not_found', 'purchase_order_not_receivable', 'receipt_line_invalid', 'receipt_not_found', 'receipt_transition_invalid', 'serial_in_stock']);
  command('POST', '/api/v1/receipts/:id/reject', 'Send a receipt held for approval back to draft', '', idParams('rcp'), null, 'purchasing.approve', (ctx, p) => rejectReceipt(ctx, p.id), ['receipt_not_found', 'receipt_transition_invalid']);
  command('POST', '/api/v1/receipts/:id/cancel', 'Cancel a receipt that was not posted', '', idParams('rcp'), null, 'receiving.write', (ctx, p) => cancelReceipt(ctx, p.id), ['receipt_not_found', 'receipt_transition_invalid']);

  app.post('/api/v1/receipts/:id/scans', {
    schema: {
      tags,
      summary: 'Add one scan to a draft receipt',
      description:
        'The scanned string is resolved as in POST /scan/resolve (GS1 element strings give lot, expiry, serial and count). One beep is one of the order line’s unit unless `qty` or a GS1 count says otherwise; a matching line grows. The response is the receipt with its discrepancies so far.',
      params: idParams('rcp'),
      body: scanBody,
      response: { 200: scanResultOutput },
    },
    config: { access: { permission: 'receiving.write' }, errors: ['receipt_line_invalid', 'receipt_not_editable', 'receipt_not_found', 'scan_not_recognized', 'unit_conversion_inexact'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const result = await addScanToReceipt(ctx, request.params.id, request.body);
          const s = result.scan;
          return {
            receipt: json(ctx, result.receipt),
            line_id: result.lineId,
            scan: { kind: s.kind, item_id: s.item!.id, gtin: s.gtin, lot_code: s.lotCode, expires_on: s.expiresOn, serial: s.serial, count: s.count },
          };
        },
        { targets: (r) => [{ type: 'receipt', id: r.receipt.id }] },
      ),
  });

  app.post('/api/v1/receipts/:id/landed-costs', {
    schema: {
      tags,
      summary: 'Add freight, duty or other charges to a posted receipt',
      description: 'Converted to base currency and apportioned over the receipt’s lines by value, quantity or weight, exactly to the micro; the cost layers rise and anything already sold from them is re-costed.',
      params: idParams('rcp'),
      body: receiptLandedCostsBody,
      response: { 201: landedCostsOutput },
    },
    config: { access: { permission: 'purchasing.write' }, errors: ['exchange_rate_missing', 'landed_cost_invalid', 'location_not_found', 'receipt_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => ({ data: (await addLandedCosts(ctx, { receiptIds: [request.params.id], reference: request.body.reference, charges: request.body.charges })).map(toLandedCostJson) }),
        { status: 201, targets: (r) => r.data.map((c) => ({ type: 'landed_cost', id: c.id })) },
      ),
  });

  app.post('/api/v1/landed-costs', {
    schema: {
      tags,
      summary: 'Add the charges of a later vendor bill over several posted receipts',
      body: landedCostsBody,
      response: { 201: landedCostsOutput },
    },
    config: { access: { permission: 'purchasing.write' }, errors: ['exchange_rate_missing', 'landed_cost_invalid', 'location_not_found', 'receipt_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => ({ data: (await addLandedCosts(ctx, { receiptIds: request.body.receipt_ids, reference: request.body.reference, charges: request.body.charges })).map(toLandedCostJson) }),
        { status: 201, targets: (r) => r.data.map((c) => ({ type: 'landed_cost', id: c.id })) },
      ),
  });

  app.get('/api/v1/reports/vendor-performance', {
    schema: {
      tags: ['reports'],
      summary: 'Per vendor, over the orders sent in a period: on-time rate, fill rate, lead time against promised, price variance, discrepancies',
      querystring: vendorPerformanceQuery,
      response: { 200: vendorPerformanceOutput },
    },
    config: { access: { permission: 'reports.read' }, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const rows = await vendorPerformance(ctx, { from: request.query.from, to: request.query.to, vendorId: request.query.vendor_id });
      return { from: request.query.from, to: request.query.to, data: rows.map((r) => toVendorPerformanceJson(r, { costs: canSeeCosts(ctx.actor) })) };
    },
  });
}
