import { z } from 'zod';
import { canSeeCosts, type Role } from '../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { dateInput, fileResponse, idInput, instantOutput } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { customReportDefinition } from './custom-report.routes.ts';
import { createSchedule, deleteSchedule, updateSchedule, type ScheduleInput } from './report-schedules.service.ts';
import { tableJson, visibleTable, XLSX_MEDIA_TYPE } from './report-table.ts';
import { createSavedReport, deleteSavedReport, getSavedReport, listSavedReports, runSavedReport, updateSavedReport, type SavedReportInput } from './saved-reports.service.ts';
import { reportOutput, sendTable } from './standard-reports.routes.ts';

/**
 * Saved reports over HTTP: save a report builder definition with a name and share it with roles;
 * list, read, change, delete; run it (as the caller: their sites, no costs for staff) or export
 * it; and schedule it by email. Reading and running need `stock.read`, like the builder;
 * saving, sharing and scheduling need `reports.manage` (owners and managers).
 */

const tags = ['reports'];
const roles = z.enum(['owner', 'manager', 'staff', 'viewer'] satisfies Role[]);

const savedBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  definition: customReportDefinition,
  last_days: z.number().int().min(1).max(366).nullable().optional().meta({ description: 'A rolling period: the last N days before the day it runs, used when no dates are given.' }),
  shared_with: z.array(roles).max(4).default([]).meta({ description: 'Roles that may see and run it besides its owner and shop owners. Staff never get cost columns.' }),
});
const patchBody = savedBody.partial();

const scheduleOutput = z
  .object({
    id: z.string(),
    saved_report_id: z.string(),
    frequency: z.enum(['daily', 'weekly']),
    weekday: z.number().int().nullable(),
    hour: z.number().int(),
    format: z.enum(['csv', 'xlsx']),
    recipients: z.array(z.string()),
    next_run_at: instantOutput,
    last_run_at: instantOutput.nullable(),
  })
  .meta({ id: 'ReportSchedule' });

const savedOutput = z
  .object({
    id: z.string(),
    name: z.string(),
    definition: customReportDefinition,
    last_days: z.number().int().nullable(),
    shared_with: z.array(roles),
    site_id: z.string().nullable(),
    owner_id: z.string(),
    created_at: instantOutput,
    updated_at: instantOutput,
    schedules: z.array(scheduleOutput),
  })
  .meta({ id: 'SavedReport' });

const scheduleFields = {
  frequency: z.enum(['daily', 'weekly']),
  weekday: z.number().int().min(0).max(6).nullable().optional().meta({ description: 'Weekly: 0 Monday … 6 Sunday (Monday when left out).' }),
  hour: z.number().int().min(0).max(23).meta({ description: 'The hour it is sent, in the shop’s time zone.' }),
  format: z.enum(['csv', 'xlsx']).default('csv'),
  recipients: z.array(z.email().max(254)).min(1).max(20),
};
const scheduleBody = z.strictObject(scheduleFields);
const schedulePatch = z.strictObject({ ...scheduleFields, format: z.enum(['csv', 'xlsx']) }).partial();

const reportParams = z.strictObject({ id: idInput('srp') });
const scheduleParams = z.strictObject({ id: idInput('srp'), schedule_id: idInput('rsc') });
const period = { from: dateInput.optional(), to: dateInput.optional() };

const read = { permission: 'stock.read' as const };
const manage = { permission: 'reports.manage' as const };
const runErrors = ['saved_report_not_found', 'location_not_found', 'report_too_broad'];

export function registerSavedReportRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/saved-reports', {
    schema: { tags, summary: 'Saved reports you may see (yours, and those shared with your role)', response: { 200: z.object({ data: z.array(savedOutput) }) } },
    config: { access: read, errors: [] },
    handler: async (request) => ({ data: await listSavedReports(contextOf(deps, request)) }),
  });
  app.post('/api/v1/saved-reports', {
    schema: { tags, summary: 'Save a report builder definition with a name, shared with roles', body: savedBody, response: { 201: savedOutput } },
    config: { access: manage, errors: ['location_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, (ctx) => createSavedReport(ctx, request.body as SavedReportInput), { status: 201, targets: (r) => [{ type: 'saved_report', id: r.id }] }),
  });
  app.get('/api/v1/saved-reports/:id', {
    schema: { tags, summary: 'One saved report, with its schedules', params: reportParams, response: { 200: savedOutput } },
    config: { access: read, errors: ['saved_report_not_found'] },
    handler: async (request) => getSavedReport(contextOf(deps, request), request.params.id),
  });
  app.patch('/api/v1/saved-reports/:id', {
    schema: { tags, summary: 'Rename, redefine or reshare a saved report', params: reportParams, body: patchBody, response: { 200: savedOutput } },
    config: { access: manage, errors: ['saved_report_not_found', 'saved_report_not_yours', 'location_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, (ctx) => updateSavedReport(ctx, request.params.id, request.body as Partial<SavedReportInput>), { targets: () => [{ type: 'saved_report', id: request.params.id }] }),
  });
  app.delete('/api/v1/saved-reports/:id', {
    schema: { tags, summary: 'Delete a saved report and its schedules', params: reportParams, response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) } },
    config: { access: manage, errors: ['saved_report_not_found', 'saved_report_not_yours'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          await deleteSavedReport(ctx, request.params.id);
          return { id: request.params.id, deleted: true as const };
        },
        { targets: () => [{ type: 'saved_report', id: request.params.id }] },
      ),
  });
  app.get('/api/v1/saved-reports/:id/run', {
    schema: {
      tags,
      summary: 'Run a saved report, as you: your granted sites only, no cost columns for staff',
      description: 'The period is `from`/`to` when given, else the saved dates, else the rolling `last_days` ending yesterday. Changes nothing.',
      params: reportParams,
      querystring: z.strictObject(period),
      response: { 200: reportOutput },
    },
    config: { access: read, errors: runErrors },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const { table } = await runSavedReport(ctx, request.params.id, request.query as { from?: string; to?: string });
      return tableJson(visibleTable(table, canSeeCosts(ctx.actor)));
    },
  });
  app.get('/api/v1/saved-reports/:id/export', {
    schema: {
      tags,
      summary: 'Run a saved report — as CSV or XLSX',
      params: reportParams,
      querystring: z.strictObject({ ...period, format: z.enum(['csv', 'xlsx']).default('csv') }),
      response: fileResponse(['text/csv', XLSX_MEDIA_TYPE], 'The report as a file.'),
    },
    config: { access: read, errors: runErrors },
    handler: async (request, reply) => {
      const ctx = contextOf(deps, request);
      const query = request.query as { from?: string; to?: string; format: 'csv' | 'xlsx' };
      const { table } = await runSavedReport(ctx, request.params.id, query);
      return sendTable(reply, visibleTable(table, canSeeCosts(ctx.actor)), query.format, `saved-${request.params.id}`);
    },
  });
  app.post('/api/v1/saved-reports/:id/schedules', {
    schema: {
      tags,
      summary: 'Email a saved report on a schedule, as CSV or XLSX',
      description: 'Daily, or weekly on a weekday, at an hour in the shop’s time zone; one email per recipient, through the delivery outbox. A schedule covers the saved report’s rolling period, else the day (daily) or the seven days (weekly) before.',
      params: reportParams,
      body: scheduleBody,
      response: { 201: scheduleOutput },
    },
    config: { access: manage, errors: ['saved_report_not_found', 'saved_report_not_yours'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, (ctx) => createSchedule(ctx, request.params.id, request.body as ScheduleInput), { status: 201, targets: (s) => [{ type: 'report_schedule', id: s.id }] }),
  });
  app.patch('/api/v1/saved-reports/:id/schedules/:schedule_id', {
    schema: { tags, summary: 'Change a report schedule', params: scheduleParams, body: schedulePatch, response: { 200: scheduleOutput } },
    config: { access: manage, errors: ['saved_report_not_found', 'saved_report_not_yours', 'report_schedule_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, (ctx) => updateSchedule(ctx, request.params.id, request.params.schedule_id, request.body as Partial<ScheduleInput>), {
        targets: () => [{ type: 'report_schedule', id: request.params.schedule_id }],
      }),
  });
  app.delete('/api/v1/saved-reports/:id/schedules/:schedule_id', {
    schema: { tags, summary: 'Stop a report schedule', params: scheduleParams, response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) } },
    config: { access: manage, errors: ['saved_report_not_found', 'saved_report_not_yours', 'report_schedule_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          await deleteSchedule(ctx, request.params.id, request.params.schedule_id);
          return { id: request.params.schedule_id, deleted: true as const };
        },
        { targets: () => [{ type: 'report_schedule', id: request.params.schedule_id }] },
      ),
  });
}
