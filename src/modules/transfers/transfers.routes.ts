import { fileResponse } from '../../platform/http/fields.ts';
import { postingErrorCodes } from '../ledger/index.ts';
import { z } from 'zod';
import { canSeeCosts, type ServiceContext } from '../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { renderPackingSlipPdf } from './packing-slip-pdf.ts';
import { pickTransfer } from './transfer-picking.service.ts';
import { closeTransfer, receiveTransfer } from './transfer-receiving.service.ts';
import { shipTransfer } from './transfer-shipping.service.ts';
import { toPickResultJson, toTransferJson } from './transfers.mapper.ts';
import {
  cancelBody,
  closeBody,
  createTransferBody,
  listTransfersQuery,
  pickBody,
  pickResultOutput,
  receiveBody,
  shipBody,
  transferOutput,
  transferPage,
} from './transfers.schema.ts';
import { acceptTransfer, cancelTransfer, createTransfer, getTransfer, listTransfers, type TransferRecord } from './transfers.service.ts';

const tags = ['transfers'];
const json = (ctx: ServiceContext, r: TransferRecord) => toTransferJson(r, { costs: canSeeCosts(ctx.actor) });
const params = idParams('trf');
const write = { permission: 'transfers.write', location: { from: 'none' } } as const;
const seen = ['transfer_not_found', 'transfer_state', 'transfer_side_forbidden'] as const;

export function registerTransferRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/transfers', {
    schema: {
      tags,
      summary: 'Send stock to another site, or ask for it',
      description:
        'Granted the source site, the transfer is allocated at once (soonest expiry first, then walking order) and its stock reserved: `draft`. ' +
        'Granted only the destination (or with `request: true`) it is a request the source side accepts later. 409 insufficient_stock when the source cannot cover a line.',
      body: createTransferBody,
      response: { 201: transferOutput },
    },
    config: { access: write, errors: ['transfer_sites_invalid', 'transfer_line_invalid', 'location_not_found', 'item_not_found', ...postingErrorCodes] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => json(ctx, await createTransfer(ctx, request.body)), { status: 201, targets: (t) => [{ type: 'transfer', id: t.id }] }),
  });

  app.get('/api/v1/transfers', {
    schema: { tags, summary: 'Transfers from or to the granted sites, newest first', querystring: listTransfersQuery, response: { 200: transferPage } },
    config: { access: { permission: 'stock.read', location: { from: 'query', field: 'site_id' } }, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const q = request.query;
      const page = await listTransfers(ctx, { status: q.status, siteId: q.site_id, direction: q.direction, limit: q.limit, cursor: q.cursor });
      return { data: page.records.map((r) => json(ctx, r)), next_cursor: page.nextCursor };
    },
  });

  app.get('/api/v1/transfers/:id', {
    schema: { tags, summary: 'One transfer: lines, allocations, what is in transit, postings and discrepancies', params, response: { 200: transferOutput } },
    config: { access: { permission: 'stock.read' }, errors: ['transfer_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return json(ctx, await getTransfer(ctx, request.params.id));
    },
  });

  app.get('/api/v1/transfers/:id/packing-slip', {
    schema: { tags, summary: 'The packing slip as a PDF', description: 'application/pdf. Carried values are left out for staff.', params, response: fileResponse('application/pdf', 'The packing slip.') },
    config: { access: { permission: 'stock.read' }, errors: ['transfer_not_found'] },
    handler: async (request, reply) => {
      const ctx = contextOf(deps, request);
      const record = await getTransfer(ctx, request.params.id);
      const pdf = await renderPackingSlipPdf(record, canSeeCosts(ctx.actor));
      // The document describes the body as a binary string; Fastify sends the Buffer as it is.
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${record.transfer.number}.pdf"`).send(pdf as unknown as string);
    },
  });

  const transition = (
    path: string,
    summary: string,
    description: string,
    body: z.ZodType,
    errors: readonly string[],
    work: (ctx: ServiceContext, id: string, body: never) => Promise<TransferRecord>,
  ) =>
    app.post(`/api/v1/transfers/:id/${path}`, {
      schema: { tags, summary, description, params, body, response: { 200: transferOutput } },
      config: { access: write, errors: [...seen, ...errors] },
      handler: (request, reply) =>
        runCommand(deps, request, reply, async (ctx) => json(ctx, await work(ctx, (request.params as { id: string }).id, request.body as never)), {
          targets: (t) => [{ type: 'transfer', id: t.id }],
        }),
    });

  transition('accept', 'Accept a requested transfer at the source', 'Allocates and reserves its lines: `requested` → `draft`.', z.strictObject({}), postingErrorCodes, (ctx, id) =>
    acceptTransfer(ctx, id),
  );
  transition(
    'ship',
    'Ship stock into transit',
    'Moves stock from its source bins to transit, consuming its reservations. Partial shipments name `lines`; without them everything picked (or, with nothing picked, everything allocated) ships. Source side only.',
    shipBody,
    ['transfer_line_invalid', 'transfer_nothing_to_ship', ...postingErrorCodes],
    (ctx, id, body: z.output<typeof shipBody>) => shipTransfer(ctx, id, body),
  );
  transition(
    'receive',
    'Receive what arrived at the destination',
    'Good units into the destination bin, damaged ones to scrap; units still in transit on a counted line are flagged short, units beyond what shipped over (refused beyond the tolerance: 422 transfer_over_receipt). Destination side only.',
    receiveBody,
    ['transfer_receive_invalid', 'transfer_over_receipt', 'location_not_found', ...postingErrorCodes],
    (ctx, id, body: z.output<typeof receiveBody>) => receiveTransfer(ctx, id, body),
  );
  transition(
    'close',
    'Close the transfer',
    'Releases what has not shipped and writes off what is still in transit as lost. Destination side only.',
    closeBody,
    postingErrorCodes,
    (ctx, id, body: z.output<typeof closeBody>) => closeTransfer(ctx, id, body.note),
  );
  transition('cancel', 'Cancel a transfer nothing of which has shipped', 'Releases its reservations.', cancelBody, [], (ctx, id, body: z.output<typeof cancelBody>) =>
    cancelTransfer(ctx, id, body.note),
  );

  app.post('/api/v1/transfers/:id/picks', {
    schema: {
      tags,
      summary: 'Record a pick scan at the source',
      description: 'A scanned code (GS1, barcode or SKU) or an item id; takes the quantity off the allocations in order. Picking moves no stock.',
      params,
      body: pickBody,
      response: { 200: pickResultOutput },
    },
    config: { access: write, errors: [...seen, 'transfer_pick_invalid'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toPickResultJson(await pickTransfer(ctx, request.params.id, request.body), { costs: canSeeCosts(ctx.actor) }), {
        targets: (r) => [{ type: 'transfer', id: r.transfer.id }],
      }),
  });
}
