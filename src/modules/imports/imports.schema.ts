import { z } from 'zod';
import { instantOutput } from '../../platform/http/fields.ts';
import { IMPORT_FIELDS, LAYOUTS } from './imports.layouts.ts';

export const IMPORT_BODY_LIMIT_BYTES = 64 * 1024 * 1024;
export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const UPLOAD_MEDIA_TYPES = ['text/csv', XLSX_MEDIA_TYPE, 'application/octet-stream'] as const;

const mappingSchema = z.strictObject({
  fields: z.partialRecord(z.enum(IMPORT_FIELDS), z.string().min(1).max(200)),
  stock: z.array(z.strictObject({ column: z.string().min(1).max(200), site: z.string().max(100) })).max(100),
});

const mappingParam = z
  .string()
  .max(8000)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(mappingSchema)
  .meta({ description: 'The column mapping as JSON, `{"fields":{"sku":"Variant SKU",…},"stock":[{"column":"Qty","site":"MAIN"}]}`; default: the one the layout implies (see the preview).' });

export const importQuery = z.strictObject({
  mode: z.enum(['dry_run', 'apply']).default('dry_run').meta({ description: 'dry_run validates every row and changes nothing; apply validates, then writes (nothing if a row fails).' }),
  format: z.enum(['csv', 'xlsx']).optional().meta({ description: 'Default: from the Content-Type, else from the file’s first bytes.' }),
  layout: z.enum(LAYOUTS).optional().meta({ description: 'Default: recognised from the header row.' }),
  mapping: mappingParam.optional(),
  site: z.string().trim().min(1).max(100).optional().meta({ description: 'Site (code, name or id) of quantity columns that name none, such as Shopify’s Variant Inventory Qty.' }),
  file_name: z.string().trim().max(200).optional(),
  wait: z.enum(['true', 'false']).default('true').transform((v) => v === 'true').meta({ description: 'false: answer 202 as soon as the import has started and poll GET /imports/{id} for progress.' }),
});

export const previewQuery = z.strictObject({ format: z.enum(['csv', 'xlsx']).optional() });

export const previewOutput = z.object({
  format: z.enum(['csv', 'xlsx']),
  layout: z.enum(LAYOUTS),
  headers: z.array(z.string()),
  mapping: z.object({ fields: z.record(z.string(), z.string()), stock: z.array(z.object({ column: z.string(), site: z.string() })) }),
  sample: z.array(z.array(z.string())),
});

export const importJobOutput = z
  .object({
    id: z.string(),
    kind: z.string(),
    file_name: z.string().nullable(),
    layout: z.enum(LAYOUTS),
    dry_run: z.boolean(),
    status: z.enum(['running', 'done', 'failed']),
    rows_total: z.number().int(),
    rows_done: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    error_count: z.number().int(),
    errors: z.array(z.object({ row: z.number().int(), column: z.string().nullable(), code: z.string(), message: z.string() })).meta({ description: 'The first 1000 row errors; `error_count` counts them all.' }),
    failure: z.string().nullable(),
    created_at: instantOutput,
    finished_at: instantOutput.nullable(),
  })
  .meta({ id: 'ImportJob' });

export const importJobList = z.object({ data: z.array(importJobOutput) });
export const importIdParams = z.strictObject({ id: z.string().regex(/^imp_[0-9A-Za-z]{1,40}$/, 'must be an id starting with imp_') });
export const exportQuery = z.strictObject({ format: z.enum(['csv', 'xlsx']).default('csv') });

export const kindImportQuery = z.strictObject({
  mode: importQuery.shape.mode,
  format: importQuery.shape.format,
  site: z.string().trim().min(1).max(100).optional().meta({ description: 'Opening stock: the site (code, name or id) of rows whose Site cell is empty.' }),
  file_name: importQuery.shape.file_name,
  wait: importQuery.shape.wait,
});
