import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import { fileResponse } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { renderLabelsPdf } from './label-pdf.ts';
import { renderLabelsZpl } from './label-zpl.ts';
import { LabelError } from './labels.errors.ts';
import { labelsBody, printLabelsOutput } from './labels.schema.ts';
import { buildLabels } from './labels.service.ts';
import { configuredPrinter, sendToPrinter } from './zpl-printer.ts';

const tags = ['labels'];
const errors = ['label_request_invalid', 'item_not_found', 'location_not_found', 'receipt_not_found'] as const;
/** Labels show prices and codes, never costs: whoever may read the catalogue may print them. */
const access = { permission: 'items.read' } as const;

export function registerLabelRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/labels', {
    schema: {
      tags,
      summary: 'Labels and price tags as a PDF or ZPL file',
      description:
        'Shelf price tags, product labels or bin labels for items (with copies), bins, or what a receipt brought in (one per unit or per case; GS1-128 with lot and expiry). ' +
        'PDF on Avery 5160 / L7160 sheets or one label per page; ZPL for Zebra printers. Changes nothing.',
      body: labelsBody,
      response: fileResponse(['application/pdf', 'application/vnd.zebra.zpl'], 'The labels.'),
    },
    config: { access, errors: [...errors] },
    handler: async (request, reply) => {
      const ctx = contextOf(deps, request);
      const body = request.body;
      const labels = await buildLabels(ctx, body);
      const name = `labels-${body.template}`;
      if (body.format === 'zpl') {
        return reply.type('application/vnd.zebra.zpl').header('content-disposition', `attachment; filename="${name}.zpl"`).send(renderLabelsZpl(labels));
      }
      const pdf = await renderLabelsPdf(labels, body.layout, name);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}.pdf"`).send(pdf as unknown as string);
    },
  });

  app.post('/api/v1/labels/print', {
    schema: {
      tags,
      summary: 'Send labels to the configured Zebra printer',
      description: 'The same labels as ZPL, sent to the printer named by STOCKROOM_ZPL_PRINTER (host:port, port 9100 unless said). 409 when no printer is configured.',
      body: labelsBody,
      response: { 200: printLabelsOutput },
    },
    config: { access, errors: [...errors, 'label_printer_not_configured', 'label_printer_unreachable'] },
    handler: async (request) => {
      const printer = configuredPrinter();
      if (!printer) throw new LabelError('label_printer_not_configured', 'No label printer is configured; set STOCKROOM_ZPL_PRINTER to host:port, or download the ZPL.');
      const labels = await buildLabels(contextOf(deps, request), request.body);
      const zpl = renderLabelsZpl(labels);
      await sendToPrinter(printer, zpl);
      return { printer: `${printer.host}:${printer.port}`, labels: labels.length, bytes: Buffer.byteLength(zpl) };
    },
  });
}
