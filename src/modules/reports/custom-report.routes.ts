import { z } from 'zod';
import { canSeeCosts } from '../../platform/context.ts';
import { PlatformError } from '../../platform/errors.ts';
import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import { dateInput, fileResponse } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { customReportTable, DATASETS, definitionProblems, DIMENSIONS, MAX_FACT_ROWS, MAX_GROUPS, MEASURES, type CustomReportDefinition } from './custom-report.service.ts';
import { tableJson, visibleTable, XLSX_MEDIA_TYPE } from './report-table.ts';
import { reportOutput, sendTable } from './standard-reports.routes.ts';

/**
 * The report builder over HTTP: a definition in the body, a table back (`/run`) or the same
 * table as CSV or XLSX (`/export`). Changes nothing. Cost measures (value, cost, margin) are
 * left out for staff, as in the standard reports.
 */

const text = z.string().min(1).max(100);

export const customReportDefinition = z
  .strictObject({
    dataset: z.enum(DATASETS).meta({ description: 'movements: ledger movements in the period; sales_lines: counter sale lines rung up in the period (not voided, net of returns); balances: stock on the shelf now; purchase_lines: lines of purchase orders sent in the period, with what was received; counts: count lines posted in the period.' }),
    dimensions: z.array(z.enum(DIMENSIONS)).max(4).default([]).meta({ description: 'What rows are grouped by; each dataset has its own (see the guide). day/week/month are the shop’s local days, weeks starting Monday.' }),
    measures: z.array(z.enum(MEASURES)).min(1).max(8).meta({ description: 'What is summed. value, cost, margin, received_value, unit_cost and variance_value are costs: left out for staff.' }),
    from: dateInput.optional().meta({ description: 'First day of the period (needed except for balances).' }),
    to: dateInput.optional().meta({ description: 'Last day of the period, included.' }),
    filters: z
      .strictObject({
        site_id: text.optional(),
        item_id: text.optional(),
        category: text.optional(),
        vendor_id: text.optional(),
        channel_id: text.optional().meta({ description: 'A channel id, or `counter`.' }),
        employee: text.optional().meta({ description: 'sales_lines: the sale’s employee; movements: the actor id; purchase_lines: who made the order; counts: the counter.' }),
        kind: text.optional().meta({ description: 'movements: a movement kind (receipt, sale, adjustment, ...); purchase_lines: the order status; counts: the count kind.' }),
        reason: text.optional().meta({ description: 'movements: an adjustment reason; counts: the variance reason.' }),
      })
      .optional(),
    compare: z.boolean().default(false).meta({ description: 'Add, per measure, the previous period of the same length and the change.' }),
  })
  .meta({ id: 'CustomReportDefinition' });

const errors = ['location_not_found', 'report_too_broad'];
const access = { permission: 'stock.read' as const };

function checked(body: CustomReportDefinition): CustomReportDefinition {
  const problems = definitionProblems(body);
  if (problems.length) throw new PlatformError('validation_failed', 'The definition names fields its dataset does not have.', { errors: problems });
  return body;
}

const boundsText = `At most ${MAX_GROUPS} rows and ${MAX_FACT_ROWS} facts read, and on PostgreSQL a statement timeout; beyond, 422 \`report_too_broad\` with the reason. Fields outside the dataset's whitelist answer 400 \`validation_failed\`.`;

export function registerCustomReportRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/reports/custom/run', {
    schema: {
      tags: ['reports'],
      summary: 'Run a user-defined report (report builder)',
      description: `A dataset grouped by dimensions with measures summed, filtered, optionally compared with the previous period. Changes nothing. ${boundsText}`,
      body: customReportDefinition,
      response: { 200: reportOutput },
    },
    config: { access, errors },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const table = await customReportTable(ctx, checked(request.body as CustomReportDefinition));
      return tableJson(visibleTable(table, canSeeCosts(ctx.actor)));
    },
  });
  app.post('/api/v1/reports/custom/export', {
    schema: {
      tags: ['reports'],
      summary: 'Run a user-defined report — as CSV or XLSX',
      description: `The same table as \`POST /api/v1/reports/custom/run\`, as a file. ${boundsText}`,
      querystring: z.strictObject({ format: z.enum(['csv', 'xlsx']).default('csv') }),
      body: customReportDefinition,
      response: fileResponse(['text/csv', XLSX_MEDIA_TYPE], 'The report as a file.'),
    },
    config: { access, errors },
    handler: async (request, reply) => {
      const ctx = contextOf(deps, request);
      const def = checked(request.body as CustomReportDefinition);
      const table = visibleTable(await customReportTable(ctx, def), canSeeCosts(ctx.actor));
      return sendTable(reply, table, (request.query as { format: 'csv' | 'xlsx' }).format, `custom-${def.dataset}`);
    },
  });
}
