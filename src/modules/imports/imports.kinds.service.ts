import { canSeeCosts, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { ImportJobRow } from '../../platform/db/schema.ts';
import type { BulkOutcome } from '../catalog/index.ts';
import type { ReportTable } from '../reports/index.ts';
import { readSettings } from '../settings/index.ts';
import { BatchDigest, ValidatedBatches, type FileBatch } from './imports.batches.ts';
import { loadSites, SiteResolver, type SiteRef } from './imports.check.ts';
import { ImportError } from './imports.errors.ts';
import { readRows, type FileFormat, type Source } from './imports.reader.ts';
import type { RowError } from './imports.rows.ts';
import { BATCH_ROWS_DEFAULT, ERRORS_KEPT, getImportJob, startJob, Throttle, updateJob } from './imports.service.ts';
import { Cells, type FileKeys, type ImportKind, type KindEnv, type KindName, type KindRow } from './kinds/kind.ts';
import { openingStockKind } from './kinds/opening-stock.ts';
import { stockLevelsKind } from './kinds/stock-levels.ts';
import { unitsKind } from './kinds/units.ts';
import { vendorPricesKind } from './kinds/vendor-prices.ts';
import { vendorsKind } from './kinds/vendors.ts';

/**
 * Importing vendors, vendor prices, min/max levels, opening stock with lots and items' units: the catalogue
 * import's rules for another kind of row. Every row is validated (by the API's schemas, then
 * against the database and the earlier rows); a dry run stops there, an apply with any bad row
 * writes nothing, and otherwise the rows are applied in batches, each one transaction, as upserts
 * that leave matching records untouched — so the kind's own export imports back as a no-op.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const IMPORT_KINDS: Record<KindName, ImportKind<any>> = {
  vendors: vendorsKind,
  'vendor-prices': vendorPricesKind,
  'stock-levels': stockLevelsKind,
  'opening-stock': openingStockKind,
  units: unitsKind,
};

export interface KindImportOptions {
  format: FileFormat;
  dryRun: boolean;
  /** The site (code, name or id) of opening-stock rows whose Site cell is empty. */
  site?: string | undefined;
  fileName?: string | null | undefined;
  batchRows?: number;
  onProgress?: (phase: 'validating' | 'applying', done: number, total: number | null) => void;
  onStarted?: (id: string) => void;
}

interface Header {
  index: Map<string, number>;
  labels: Map<string, string>;
}

async function readHeader(kind: ImportKind<KindRow>, source: Source, format: FileFormat): Promise<Header> {
  let headers: string[] | null = null;
  for await (const cells of readRows(source, format)) {
    headers = cells.map((c) => c.trim());
    break;
  }
  if (!headers || headers.every((h) => h === '')) throw new ImportError('import_file_invalid', 'The file has no header row.');
  const byName = new Map(headers.map((h, i) => [h.toLowerCase(), i]));
  const index = new Map<string, number>();
  const labels = new Map<string, string>();
  for (const column of kind.columns) {
    const i = byName.get(column.label.toLowerCase());
    if (i === undefined) continue;
    index.set(column.key, i);
    labels.set(column.key, headers[i]!);
  }
  const missing = kind.columns.filter((c) => c.required && !index.has(c.key)).map((c) => c.label);
  if (missing.length) throw new ImportError('import_file_invalid', `The file has no ${missing.join(', ')} column; a ${kind.title.toLowerCase()} file has the columns of its export (${kind.columns.map((c) => c.label).join(', ')}).`, { extra: { columns: missing } });
  return { index, labels };
}

async function* batches<R extends KindRow>(kind: ImportKind<R>, source: Source, format: FileFormat, header: Header, size: number): AsyncGenerator<FileBatch<R>> {
  const digest = new BatchDigest();
  let rowNumber = 0;
  let rows: R[] = [];
  let errors: RowError[] = [];
  for await (const raw of readRows(source, format)) {
    rowNumber += 1;
    if (rowNumber === 1) continue;
    const cells = new Cells(raw, header.index, header.labels);
    if (cells.empty()) continue;
    digest.add(raw);
    const found: RowError[] = [];
    const parsed = kind.parse(rowNumber, cells, (key, code, message) => found.push({ row: rowNumber, column: key === null ? null : cells.label(key), code, message }));
    if (found.length || !parsed) errors.push(...found);
    else rows.push(parsed);
    if (rows.length + errors.length >= size) {
      yield { rows, errors, ...digest.take() };
      rows = [];
      errors = [];
    }
  }
  if (rows.length || errors.length) yield { rows, errors, ...digest.take() };
}

async function loadEnv(ctx: ServiceContext, site: string | undefined): Promise<KindEnv> {
  const db = reader(ctx);
  const sites = await loadSites(db, ctx.actor);
  let defaultSite: SiteRef | null = null;
  if (site) {
    defaultSite = new SiteResolver(sites, null).resolve(site);
    if (!defaultSite) throw new ImportError('import_file_invalid', `No site ${site} that you may stock.`, { extra: { site } });
  }
  return { sites: new SiteResolver(sites, defaultSite), currency: (await readSettings(db)).base_currency };
}

/** Validates every row of a file of this kind; with `dryRun: false` and no errors, applies them. */
export async function runKindImport(ctx: ServiceContext, name: KindName, source: Source, options: KindImportOptions): Promise<ImportJobRow> {
  const kind = IMPORT_KINDS[name];
  const header = await readHeader(kind, source, options.format);
  const env = await loadEnv(ctx, options.site);
  const size = options.batchRows ?? BATCH_ROWS_DEFAULT;
  const id = await startJob(ctx, options, 'stockroom', name);
  options.onStarted?.(id);
  try {
    const state: FileKeys = new Map();
    const validated = new ValidatedBatches<KindRow>(!options.dryRun);
    const errors: RowError[] = [];
    const progress = new Throttle();
    let errorCount = 0;
    let total = 0;
    for await (const batch of batches(kind, source, options.format, header, size)) {
      const checked = (await kind.check(ctx, batch.rows, state, env)).map(({ key, ...e }) => ({ ...e, column: key === null ? null : (header.labels.get(key) ?? key) }));
      const found = [...batch.errors, ...checked].sort((a, b) => a.row - b.row);
      errorCount += found.length;
      errors.push(...found.slice(0, Math.max(0, ERRORS_KEPT - errors.length)));
      total += batch.rows.length + new Set(batch.errors.map((e) => e.row)).size;
      validated.add(batch);
      if (progress.due()) await updateJob(ctx, id, { rows_done: total, error_count: errorCount });
      options.onProgress?.('validating', total, null);
    }
    if (options.dryRun || errorCount > 0) {
      await updateJob(ctx, id, {
        status: options.dryRun ? 'done' : 'failed',
        failure: errorCount > 0 && !options.dryRun ? `${errorCount} errors in the file; nothing was applied` : null,
        rows_total: total,
        rows_done: total,
        error_count: errorCount,
        errors_json: JSON.stringify(errors),
        finished_at: ctx.clock.now(),
      });
      return getImportJob(ctx, id);
    }
    await updateJob(ctx, id, { rows_total: total, rows_done: 0 });
    const counts = { created: 0, updated: 0, unchanged: 0 };
    let done = 0;
    for await (const rows of validated.replay(() => batches(kind, source, options.format, header, size), id)) {
      let outcomes: BulkOutcome[];
      try {
        outcomes = await inTransaction({ ...ctx, trx: undefined }, (trx) => kind.apply({ ...ctx, trx }, rows, env, id));
      } catch (error) {
        const first = rows[0]?.row;
        const last = rows[rows.length - 1]?.row;
        const detail = error instanceof Error ? error.message : String(error);
        throw new ImportError('import_batch_failed', `Rows ${first}–${last} were not applied: ${detail} Rows before them were; importing the file again finishes the job.`, { extra: { import_id: id, first_row: first, last_row: last } });
      }
      for (const outcome of outcomes) counts[outcome] += 1;
      done += rows.length;
      if (progress.due() || done === total) await updateJob(ctx, id, { rows_done: done, created_count: counts.created, updated_count: counts.updated, unchanged_count: counts.unchanged });
      options.onProgress?.('applying', done, total);
    }
    await updateJob(ctx, id, { status: 'done', finished_at: ctx.clock.now() });
  } catch (error) {
    await updateJob(ctx, id, { status: 'failed', failure: error instanceof Error ? error.message : String(error), finished_at: ctx.clock.now() });
    throw error;
  }
  return getImportJob(ctx, id);
}

/** Every record of the kind in its import layout, as a report table for the formula-safe CSV and XLSX writers. */
export async function exportKind(ctx: ServiceContext, name: KindName): Promise<ReportTable> {
  const kind = IMPORT_KINDS[name];
  const costs = canSeeCosts(ctx.actor);
  const columns = kind.columns.filter((c) => costs || !c.cost).map((c) => ({ key: c.key, label: c.label, type: c.type, ...(c.cost ? { cost: true } : {}) }));
  const rows = (await kind.exportRows(ctx)).map((cells) => ({ cells, drill: null }));
  return { report: name, title: kind.title, meta: { layout: 'stockroom' }, columns, rows, totals: null, truncated: false };
}
