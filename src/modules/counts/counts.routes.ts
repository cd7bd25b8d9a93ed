import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { fileResponse, idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { readSettings } from '../settings/index.ts';
import { registerCountApprovalRoutes } from './count-approval.routes.ts';
import { registerCountLineRoutes } from './count-lines.routes.ts';
import { registerCountReportRoutes } from './count-reports.routes.ts';
import { getCountSettings, updateCountSettings } from './count-settings.service.ts';
import { renderCountSheetPdf } from './count-sheet-pdf.ts';
import { registerCycleCountRoutes } from './cycle-counts.routes.ts';
import { toCountJson, toCountSettingsJson, toCountSummaryJson } from './counts.mapper.ts';
import { countOutput, countPage, countPdfQuery, countSettingsBody, countSettingsOutput, createCountBody, getCountQuery, listCountsQuery } from './counts.schema.ts';
import { cancelCount, createCount, expectedVisibleTo, getCount, listCounts } from './counts.service.ts';

export const tags = ['counts'];

/** Counts: the documents, their lines and scans, approval, cycle counting and what counts found. */
export function registerCountRoutes(app: AppInstance, deps: CommandDeps): void {
  registerCountDocumentRoutes(app, deps);
  registerCountLineRoutes(app, deps);
  registerCountApprovalRoutes(app, deps);
  registerCycleCountRoutes(app, deps);
  registerCountReportRoutes(app, deps);
}

function registerCountDocumentRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/counts', {
    schema: {
      tags,
      summary: 'Start a count',
      description:
        'A full stocktake of a site, a cycle count of a scope (zones or bins, items, a category, a vendor, everything below zero, or today’s cycle plan), or a spot count of one item. ' +
        'The lines the ledger expects are laid out in walking order and split among the sheets. The shop keeps trading: each line is measured against the ledger at the instant it is counted.',
      body: createCountBody,
      response: { 201: countOutput },
    },
    config: { access: { permission: 'counts.write', location: { from: 'body', field: 'site_id' } }, errors: ['count_scope_empty', 'count_scope_too_large', 'count_line_invalid', 'location_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toCountJson(await createCount(ctx, request.body), ctx.actor), { status: 201, targets: (c) => [{ type: 'count', id: c.id }] }),
  });

  app.get('/api/v1/counts', {
    schema: { tags, summary: 'Counts, newest first', querystring: listCountsQuery, response: { 200: countPage } },
    config: { access: { permission: 'stock.read', location: { from: 'query', field: 'site_id' } }, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const q = request.query;
      const page = await listCounts(ctx, {
        siteId: q.site_id,
        status: q.status,
        awaitingApproval: q.awaiting_approval === undefined ? undefined : q.awaiting_approval === 'true',
        limit: q.limit,
        cursor: q.cursor,
      });
      return { data: page.records.map((r) => toCountSummaryJson(r.count, r.summary, expectedVisibleTo(ctx, r.count))), next_cursor: page.nextCursor };
    },
  });

  app.get('/api/v1/counts/:id', {
    schema: {
      tags,
      summary: 'One count with its sheets, lines and held scans',
      description: 'Expected quantities (and variances) are left out of a blind count for counters; money is left out for staff.',
      params: idParams('cnt'),
      querystring: getCountQuery,
      response: { 200: countOutput },
    },
    config: { access: { permission: 'stock.read' }, errors: ['count_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toCountJson(await getCount(ctx, request.params.id, { sheetId: request.query.sheet_id }), ctx.actor);
    },
  });

  app.post('/api/v1/counts/:id/cancel', {
    schema: { tags, summary: 'Cancel a count that posted nothing', params: idParams('cnt'), response: { 200: countOutput } },
    config: { access: { permission: 'counts.approve' }, errors: ['count_not_found', 'count_not_open'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toCountJson(await cancelCount(ctx, request.params.id), ctx.actor), { targets: (c) => [{ type: 'count', id: c.id }] }),
  });

  app.get('/api/v1/counts/:id/pdf', {
    schema: {
      tags,
      summary: 'The printable count sheet',
      description: 'application/pdf: bins in walking order, a box per line; expected quantities only on a guided count. One sheet with `sheet_id`, else all.',
      params: idParams('cnt'),
      querystring: countPdfQuery,
      response: fileResponse('application/pdf', 'The count sheet.'),
    },
    config: { access: { permission: 'counts.write' }, errors: ['count_not_found'] },
    handler: async (request, reply) => {
      const ctx = contextOf(deps, request);
      const record = await getCount(ctx, request.params.id);
      if (!record.expectedVisible) for (const line of record.lines) line.expected_qty = null;
      const { shop_name } = await readSettings(deps.db.kysely);
      const pdf = await renderCountSheetPdf(record, shop_name, request.query.sheet_id);
      // The document describes the body as a binary string; Fastify sends the Buffer as it is.
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${record.count.number}.pdf"`).send(pdf as unknown as string);
    },
  });

  app.get('/api/v1/count-settings/:id', {
    schema: { tags, summary: 'A site’s count approval thresholds and cycle lengths', params: idParams('loc'), response: { 200: countSettingsOutput } },
    config: { access: { permission: 'stock.read', location: { from: 'params', field: 'id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toCountSettingsJson(await getCountSettings(ctx, request.params.id), ctx.actor);
    },
  });

  app.patch('/api/v1/count-settings/:id', {
    schema: {
      tags,
      summary: 'Change a site’s count approval thresholds and cycle lengths',
      description: 'A variance beyond any threshold waits for a person with counts.approve; null turns a threshold off. `require_second_person` forbids deciding on a line you counted.',
      params: idParams('loc'),
      body: countSettingsBody,
      response: { 200: countSettingsOutput },
    },
    config: { access: { permission: 'counts.approve', location: { from: 'params', field: 'id' } }, errors: ['location_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toCountSettingsJson(await updateCountSettings(ctx, request.params.id, request.body), ctx.actor), {
        targets: () => [{ type: 'location', id: request.params.id }],
      }),
  });

}
