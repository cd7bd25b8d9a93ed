import { toIso } from '../../platform/clock.ts';
import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import { fileResponse } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import type { ImportJobRow } from '../../platform/db/schema.ts';
import { tableCsv, tableXlsx } from '../reports/index.ts';
import { ImportError } from './imports.errors.ts';
import { exportCatalogue } from './imports.export.ts';
import { bufferSource, detectFormat, type FileFormat } from './imports.reader.ts';
import {
  exportQuery,
  IMPORT_BODY_LIMIT_BYTES,
  importIdParams,
  importJobList,
  importJobOutput,
  importQuery,
  kindImportQuery,
  previewOutput,
  previewQuery,
  UPLOAD_MEDIA_TYPES,
  XLSX_MEDIA_TYPE,
} from './imports.schema.ts';
import { getImportJob, jobErrors, listImportJobs, previewImport, runImport } from './imports.service.ts';
import type { Layout } from './imports.layouts.ts';
import { exportKind, IMPORT_KINDS, runKindImport } from './imports.kinds.service.ts';
import type { KindName } from './kinds/kind.ts';
import type { Permission } from '../access/index.ts';

const tags = ['imports'];

export function toImportJobJson(job: ImportJobRow) {
  return {
    id: job.id,
    kind: job.kind,
    file_name: job.file_name,
    layout: job.layout as Layout,
    dry_run: job.dry_run === 1,
    status: job.status,
    rows_total: job.rows_total,
    rows_done: job.rows_done,
    created: job.created_count,
    updated: job.updated_count,
    unchanged: job.unchanged_count,
    error_count: job.error_count,
    errors: jobErrors(job),
    failure: job.failure,
    created_at: toIso(job.created_at),
    finished_at: job.finished_at === null ? null : toIso(job.finished_at),
  };
}

function uploaded(body: unknown): Buffer {
  if (!Buffer.isBuffer(body) || body.length === 0) throw new ImportError('import_file_invalid', 'Send the file as the request body (Content-Type text/csv or the XLSX type).');
  return body;
}

function formatOf(contentType: string | undefined, asked: FileFormat | undefined, body: Buffer): FileFormat {
  if (asked) return asked;
  if (contentType?.startsWith('text/csv')) return 'csv';
  if (contentType?.startsWith(XLSX_MEDIA_TYPE)) return 'xlsx';
  return detectFormat(body);
}

const uploadDescription = 'The file is the request body, sent as `text/csv`, the XLSX type or `application/octet-stream` (up to 64 MiB).';

/**
 * The routes live in their own scope because they alone take a file as the body: the CSV and XLSX
 * parsers registered here do not reach any other route, which keep refusing non-JSON with 415.
 */
export function registerImportRoutes(app: AppInstance, deps: CommandDeps): void {
  void app.register(async (scope: AppInstance) => {
    scope.addContentTypeParser([...UPLOAD_MEDIA_TYPES], { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT_BYTES }, (_request, body, done) => done(null, body));
    registerUploadRoutes(scope, deps);
    registerKindUploadRoutes(scope, deps);
  });
  registerReadRoutes(app, deps);
  registerKindExportRoutes(app, deps);
}

/** Who may import and export each kind: the permissions of the API that sets and lists the same records. */
const kindAccess: Record<KindName, { write: Permission; read: Permission; what: string }> = {
  vendors: { write: 'purchasing.write', read: 'purchasing.read', what: 'vendors (matched by name): email, phone, contact, currency, payment terms, lead time, over-receipt tolerance, notes' },
  'vendor-prices': { write: 'purchasing.write', read: 'purchasing.read', what: 'vendor prices (by vendor name and SKU): vendor SKU, purchase unit, unit cost in the vendor’s currency, minimum order, pack multiple, preferred' },
  'stock-levels': { write: 'purchasing.write', read: 'stock.read', what: 'min/max stock levels (by SKU and site code or bin full code)' },
  // Like the catalogue import, which also opens stock: those who manage items, not everyone who may adjust.
  'opening-stock': { write: 'items.write', read: 'stock.read', what: 'opening stock per site with lot and expiry, posted as `opening_balance` adjustments where the item (or lot) has no stock at the site yet' },
  // Units are part of the item, set by PATCH /items/{id}; the catalogue export is for everyone who reads items.
  units: { write: 'items.write', read: 'items.read', what: 'units of measure (by SKU and unit name): how many base units one of the unit holds, added to or changed on the item’s purchase units' },
};

function registerKindUploadRoutes(app: AppInstance, deps: CommandDeps): void {
  for (const name of Object.keys(IMPORT_KINDS) as KindName[]) {
    const access = kindAccess[name];
    const columns = IMPORT_KINDS[name].columns.map((c) => `\`${c.label}\``).join(', ');
    app.post(`/api/v1/imports/${name}`, {
      bodyLimit: IMPORT_BODY_LIMIT_BYTES,
      schema: {
        tags,
        summary: `Dry-run or apply a file of ${access.what.split(' (')[0]!.split(':')[0]}`,
        description:
          `${uploadDescription} Imports ${access.what}. Columns (the layout of GET /exports/${name}, matched by name in any order, any case): ${columns}. ` +
          'Every row is validated by the API’s rules first; `mode=apply` then upserts in batches of 500, each one transaction, and writes nothing if any row fails. Importing the same file again changes nothing.',
        querystring: kindImportQuery,
        response: { 200: importJobOutput, 202: importJobOutput },
      },
      config: { access: { permission: access.write }, errors: ['import_file_invalid', 'import_invalid', 'import_batch_failed'] },
      handler: async (request, reply) => {
        const ctx = contextOf(deps, request);
        const body = uploaded(request.body);
        const query = request.query;
        const options = { format: formatOf(request.headers['content-type'], query.format, body), dryRun: query.mode === 'dry_run', site: query.site, fileName: query.file_name ?? null };
        if (!query.wait) {
          const started = new Promise<string>((resolve, reject) => {
            runKindImport(ctx, name, bufferSource(body), { ...options, onStarted: resolve }).catch((error: unknown) => {
              request.log.warn({ err: error }, 'import failed');
              reject(error);
            });
          });
          const id = await started;
          return reply.code(202).send(toImportJobJson(await getImportJob(ctx, id)));
        }
        const job = await runKindImport(ctx, name, bufferSource(body), options);
        if (job.status === 'failed' && !options.dryRun) {
          throw new ImportError('import_invalid', `${job.error_count} rows have errors; nothing was applied.`, {
            extra: { import_id: job.id, error_count: job.error_count },
            errors: jobErrors(job).map((e) => ({ field: `rows.${e.row}${e.column ? `.${e.column}` : ''}`, code: e.code, message: e.message })),
          });
        }
        return toImportJobJson(job);
      },
    });
  }
}

function registerKindExportRoutes(app: AppInstance, deps: CommandDeps): void {
  for (const name of Object.keys(IMPORT_KINDS) as KindName[]) {
    const access = kindAccess[name];
    app.get(`/api/v1/exports/${name}`, {
      schema: {
        tags,
        summary: `${IMPORT_KINDS[name].title} as a file in the layout POST /imports/${name} reads`,
        description: `Importing it back changes nothing. Costs are left out for those who may not see them; formula-like text is made inert.`,
        querystring: exportQuery,
        response: fileResponse(['text/csv', XLSX_MEDIA_TYPE], `The ${IMPORT_KINDS[name].title.toLowerCase()} file.`),
      },
      config: { access: { permission: access.read }, errors: [] },
      handler: async (request, reply) => {
        const table = await exportKind(contextOf(deps, request), name);
        const raw = reply as unknown as { type(t: string): { header(k: string, v: string): { send(b: Buffer | string): unknown } } };
        if (request.query.format === 'xlsx') raw.type(XLSX_MEDIA_TYPE).header('content-disposition', `attachment; filename="${name}.xlsx"`).send(await tableXlsx(table));
        else raw.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(tableCsv(table));
      },
    });
  }
}

function registerUploadRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/imports/items/preview', {
    bodyLimit: IMPORT_BODY_LIMIT_BYTES,
    schema: {
      tags,
      summary: 'Read a catalogue file’s columns and first rows, and the mapping its layout implies',
      description: `${uploadDescription} Recognises Stockroom’s export, Shopify’s product export and Square’s item library export. Changes nothing.`,
      querystring: previewQuery,
      response: { 200: previewOutput },
    },
    config: { access: { permission: 'items.write' }, errors: ['import_file_invalid'] },
    handler: async (request) => {
      const body = uploaded(request.body);
      return previewImport(bufferSource(body), formatOf(request.headers['content-type'], request.query.format, body));
    },
  });

  app.post('/api/v1/imports/items', {
    bodyLimit: IMPORT_BODY_LIMIT_BYTES,
    schema: {
      tags,
      summary: 'Dry-run or apply a catalogue file (items, variants, barcodes, prices, opening stock)',
      description:
        `${uploadDescription} Every row is validated by the API’s rules first; \`mode=apply\` then upserts by SKU in batches of 500, each one transaction, ` +
        'and posts opening stock as an `opening_balance` adjustment valued at the row’s cost where the item has no stock at that site yet. Importing the same file again changes nothing.',
      querystring: importQuery,
      response: { 200: importJobOutput, 202: importJobOutput },
    },
    config: { access: { permission: 'items.write' }, errors: ['import_file_invalid', 'import_invalid', 'import_batch_failed'] },
    handler: async (request, reply) => {
      const ctx = contextOf(deps, request);
      const body = uploaded(request.body);
      const query = request.query;
      const options = {
        format: formatOf(request.headers['content-type'], query.format, body),
        dryRun: query.mode === 'dry_run',
        layout: query.layout,
        mapping: query.mapping,
        site: query.site,
        fileName: query.file_name ?? null,
      };
      if (!query.wait) {
        // Answer once the import record exists; the rows are applied after the answer, batch by batch.
        const started = new Promise<string>((resolve, reject) => {
          runImport(ctx, bufferSource(body), { ...options, onStarted: resolve }).catch((error: unknown) => {
            request.log.warn({ err: error }, 'import failed');
            reject(error);
          });
        });
        const id = await started;
        return reply.code(202).send(toImportJobJson(await getImportJob(ctx, id)));
      }
      const job = await runImport(ctx, bufferSource(body), options);
      if (job.status === 'failed' && !options.dryRun) {
        throw new ImportError('import_invalid', `${job.error_count} rows have errors; nothing was applied.`, {
          extra: { import_id: job.id, error_count: job.error_count },
          errors: jobErrors(job).map((e) => ({ field: `rows.${e.row}${e.column ? `.${e.column}` : ''}`, code: e.code, message: e.message })),
        });
      }
      return toImportJobJson(job);
    },
  });
}

function registerReadRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/imports', {
    schema: { tags, summary: 'The latest imports and dry runs, newest first', response: { 200: importJobList } },
    config: { access: { permission: 'items.write' }, errors: [] },
    handler: async (request) => ({ data: (await listImportJobs(contextOf(deps, request), 50)).map(toImportJobJson) }),
  });

  app.get('/api/v1/imports/:id', {
    schema: { tags, summary: 'One import: its progress, counts and row errors', params: importIdParams, response: { 200: importJobOutput } },
    config: { access: { permission: 'items.write' }, errors: ['import_not_found'] },
    handler: async (request) => toImportJobJson(await getImportJob(contextOf(deps, request), request.params.id)),
  });

  app.get('/api/v1/exports/items', {
    schema: {
      tags,
      summary: 'The catalogue as a file in Stockroom’s import layout',
      description: 'Every active item with its product, options, barcodes, price, cost (for those who may see costs) and stock per site. Importing it back changes nothing. Formula-like text is made inert.',
      querystring: exportQuery,
      response: fileResponse(['text/csv', XLSX_MEDIA_TYPE], 'The catalogue file.'),
    },
    config: { access: { permission: 'items.read' }, errors: [] },
    handler: async (request, reply) => {
      const table = await exportCatalogue(contextOf(deps, request));
      // The typed reply expects the documented string schema; the XLSX body is a Buffer of the binary format the document names.
      const raw = reply as unknown as { type(t: string): { header(k: string, v: string): { send(b: Buffer | string): unknown } } };
      if (request.query.format === 'xlsx') raw.type(XLSX_MEDIA_TYPE).header('content-disposition', 'attachment; filename="catalogue.xlsx"').send(await tableXlsx(table));
      else raw.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="catalogue.csv"').send(tableCsv(table));
    },
  });
}
