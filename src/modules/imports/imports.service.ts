import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { ImportJobRow } from '../../platform/db/schema.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { upsertItemsBySku, upsertVariantLinks, type BulkOutcome, type BulkResult } from '../catalog/index.ts';
import { readSettings } from '../settings/index.ts';
import { BatchDigest, ValidatedBatches, type FileBatch } from './imports.batches.ts';
import { checkBatch, FileState, loadSites, SiteResolver, type SiteRef } from './imports.check.ts';
import { ImportError } from './imports.errors.ts';
import { detectLayout, mappingFor, type ColumnMapping, type ImportField, type Layout } from './imports.layouts.ts';
import { readRows, type FileFormat, type Source } from './imports.reader.ts';
import { RowReader, type ImportRow, type RowError } from './imports.rows.ts';

/**
 * Importing a catalogue file: a dry run that validates every row, then (unless it is only a dry
 * run, or a row failed) the rows applied in batches, each batch one transaction. The apply writes
 * the batches the dry run checked (see imports.batches.ts) rather than checking them again. Applying is an
 * upsert by SKU that leaves matching items untouched, links variants to their products, and posts
 * opening stock (an `opening_balance` adjustment valued at the row's cost) only at sites where the
 * item has no stock history yet — so importing the same file twice changes nothing, and a run cut
 * short by a failed batch is finished by running it again.
 */

export const BATCH_ROWS_DEFAULT = 500;
/** Errors kept on the import record and returned; the rest are counted. */
export const ERRORS_KEPT = 1000;

export interface ImportOptions {
  format: FileFormat;
  dryRun: boolean;
  layout?: Layout | undefined;
  mapping?: ColumnMapping | undefined;
  /** The site (code, name or id) of quantity columns that name none (Shopify's Variant Inventory Qty). */
  site?: string | undefined;
  fileName?: string | null | undefined;
  batchRows?: number;
  /** Called after each validated or applied batch: rows done, rows in the file (known once the dry run is over). */
  onProgress?: (phase: 'validating' | 'applying', done: number, total: number | null) => void;
  /** Called once the import record exists (the web app polls it for progress while the file is applied). */
  onStarted?: (id: string) => void;
}

export interface ImportPreview {
  format: FileFormat;
  layout: Layout;
  headers: string[];
  mapping: ColumnMapping;
  sample: string[][];
}

async function readHeader(source: Source, format: FileFormat, sampleRows = 0): Promise<{ headers: string[]; sample: string[][] }> {
  const sample: string[][] = [];
  let headers: string[] | null = null;
  for await (const cells of readRows(source, format)) {
    if (!headers) headers = cells.map((c) => c.trim());
    else sample.push(cells);
    if (sample.length >= sampleRows) break;
  }
  if (!headers || headers.every((h) => h === '')) throw new ImportError('import_file_invalid', 'The file has no header row.');
  return { headers, sample };
}

/** The file's columns, the layout they look like, the mapping it implies and the first rows: the mapping step's page. */
export async function previewImport(source: Source, format: FileFormat): Promise<ImportPreview> {
  const { headers, sample } = await readHeader(source, format, 10);
  const layout = detectLayout(headers);
  return { format, layout, headers, mapping: mappingFor(layout, headers), sample };
}

interface Prepared {
  headers: string[];
  layout: Layout;
  mapping: ColumnMapping;
}

async function prepare(source: Source, options: ImportOptions): Promise<Prepared> {
  const { headers } = await readHeader(source, options.format);
  const layout = options.layout ?? detectLayout(headers);
  const mapping = options.mapping ?? mappingFor(layout, headers);
  const missing = new RowReader(headers, mapping, layout).missingColumns();
  if (missing.length) throw new ImportError('import_file_invalid', `The mapping names columns the file does not have: ${missing.join(', ')}.`, { extra: { columns: missing } });
  if (!mapping.fields.sku) throw new ImportError('import_file_invalid', 'No column is mapped to the SKU; items are matched by SKU.');
  if (!mapping.fields.name && !mapping.fields.product_name) throw new ImportError('import_file_invalid', 'No column is mapped to the name.');
  return { headers, layout, mapping };
}

/** The file's rows in batches, each row parsed (or its errors), skipping the header. */
async function* batches(source: Source, prepared: Prepared, format: FileFormat, size: number): AsyncGenerator<FileBatch<ImportRow>> {
  const rowReader = new RowReader(prepared.headers, prepared.mapping, prepared.layout);
  const digest = new BatchDigest();
  let rowNumber = 0;
  let rows: ImportRow[] = [];
  let errors: RowError[] = [];
  for await (const cells of readRows(source, format)) {
    rowNumber += 1;
    if (rowNumber === 1) continue;
    const parsed = rowReader.read(rowNumber, cells);
    if (parsed.ok === 'skip') continue;
    digest.add(cells);
    if (parsed.ok) rows.push(parsed.row);
    else errors.push(...parsed.errors);
    if (rows.length + errors.length >= size) {
      yield { rows, errors, ...digest.take() };
      rows = [];
      errors = [];
    }
  }
  if (rows.length || errors.length) yield { rows, errors, ...digest.take() };
}

function columnNamer(mapping: ColumnMapping) {
  return (e: RowError): RowError => ({ ...e, column: e.column && e.column in mapping.fields ? mapping.fields[e.column as ImportField]! : e.column });
}

export async function startJob(ctx: ServiceContext, options: Pick<ImportOptions, 'fileName' | 'dryRun'>, layout: Layout, kind = 'items'): Promise<string> {
  const id = newId('imp', ctx.clock.now());
  await ctx.db.kysely
    .insertInto('import_jobs')
    .values({
      id,
      kind,
      file_name: options.fileName ?? null,
      layout,
      dry_run: options.dryRun ? 1 : 0,
      status: 'running',
      rows_total: 0,
      rows_done: 0,
      created_count: 0,
      updated_count: 0,
      unchanged_count: 0,
      error_count: 0,
      errors_json: '[]',
      failure: null,
      actor_id: ctx.actor.id,
      created_at: ctx.clock.now(),
      finished_at: null,
    })
    .execute();
  return id;
}

export type JobUpdate = Partial<Omit<ImportJobRow, 'id'>>;

export async function updateJob(ctx: ServiceContext, id: string, update: JobUpdate): Promise<void> {
  await ctx.db.kysely.updateTable('import_jobs').set(update).where('id', '=', id).execute();
}

/**
 * An import's errors can name sites and their stock, so one granted only some sites sees only the
 * imports they ran themselves; one granted every site sees them all.
 */
function visibleJobs(ctx: ServiceContext) {
  const q = reader(ctx).selectFrom('import_jobs').selectAll();
  return ctx.actor.sites === 'all' ? q : q.where('actor_id', '=', ctx.actor.id);
}

export async function getImportJob(ctx: ServiceContext, id: string): Promise<ImportJobRow> {
  const row = await visibleJobs(ctx).where('id', '=', id).executeTakeFirst();
  if (!row) throw new ImportError('import_not_found', `No import ${id}.`);
  return row;
}

export async function listImportJobs(ctx: ServiceContext, limit: number): Promise<ImportJobRow[]> {
  return visibleJobs(ctx).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export function jobErrors(job: Pick<ImportJobRow, 'errors_json'>): RowError[] {
  return JSON.parse(job.errors_json) as RowError[];
}

/**
 * Progress is written to the import record at most every half second: each write is a commit of
 * its own (an fsync on SQLite), which per 500-row batch cost more than a tenth of a small import.
 */
export class Throttle {
  private last = 0;
  due(): boolean {
    const now = Date.now();
    if (now - this.last < 500) return false;
    this.last = now;
    return true;
  }
}

interface Context {
  sites: SiteResolver;
  currency: string;
}

async function loadContext(ctx: ServiceContext, site: string | undefined): Promise<Context> {
  const db = reader(ctx);
  const sites = await loadSites(db, ctx.actor);
  let defaultSite: SiteRef | null = null;
  if (site) {
    defaultSite = new SiteResolver(sites, null).resolve(site);
    if (!defaultSite) throw new ImportError('import_file_invalid', `No site ${site} that you may stock.`, { extra: { site } });
  }
  return { sites: new SiteResolver(sites, defaultSite), currency: (await readSettings(db)).base_currency };
}

/** Validates every row; with `dryRun: false` and no errors, applies them. Returns the finished import record. */
export async function runImport(ctx: ServiceContext, source: Source, options: ImportOptions): Promise<ImportJobRow> {
  const prepared = await prepare(source, options);
  const context = await loadContext(ctx, options.site);
  const size = options.batchRows ?? BATCH_ROWS_DEFAULT;
  const id = await startJob(ctx, options, prepared.layout);
  options.onStarted?.(id);
  try {
    const validated = new ValidatedBatches<ImportRow>(!options.dryRun);
    const { total, errors, errorCount } = await validateFile(ctx, source, prepared, options, context, size, id, validated);
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
    await applyFile(ctx, validated.replay(() => batches(source, prepared, options.format, size), id), options, context, id, total);
    await updateJob(ctx, id, { status: 'done', finished_at: ctx.clock.now() });
  } catch (error) {
    await updateJob(ctx, id, { status: 'failed', failure: error instanceof Error ? error.message : String(error), finished_at: ctx.clock.now() });
    throw error;
  }
  return getImportJob(ctx, id);
}

async function validateFile(ctx: ServiceContext, source: Source, prepared: Prepared, options: ImportOptions, context: Context, size: number, id: string, validated: ValidatedBatches<ImportRow>) {
  const state = new FileState();
  const name = columnNamer(prepared.mapping);
  const errors: RowError[] = [];
  const progress = new Throttle();
  let errorCount = 0;
  let total = 0;
  for await (const batch of batches(source, prepared, options.format, size)) {
    const found = [...batch.errors, ...(await checkBatch(reader(ctx), batch.rows, state, context.sites, context.currency)).map(name)].sort((a, b) => a.row - b.row);
    errorCount += found.length;
    errors.push(...found.slice(0, Math.max(0, ERRORS_KEPT - errors.length)));
    total += batch.rows.length + new Set(batch.errors.map((e) => e.row)).size;
    validated.add(batch);
    if (progress.due()) await updateJob(ctx, id, { rows_done: total, error_count: errorCount });
    options.onProgress?.('validating', total, null);
  }
  return { total, errors, errorCount };
}

/** Applies the batches the dry run validated (see ValidatedBatches), each in one transaction. */
async function applyFile(ctx: ServiceContext, validated: AsyncIterable<ImportRow[]>, options: ImportOptions, context: Context, id: string, total: number) {
  const counts = { created: 0, updated: 0, unchanged: 0 };
  const progress = new Throttle();
  let done = 0;
  for await (const rows of validated) {
    let outcomes: BulkOutcome[];
    try {
      outcomes = await inTransaction({ ...ctx, trx: undefined }, (trx) => applyBatch({ ...ctx, trx }, rows, context.sites, id));
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
}

/** One batch in one transaction: items upserted, variants linked, opening stock posted where the item has none yet. */
async function applyBatch(ctx: ServiceContext & { trx: Trx }, rows: readonly ImportRow[], sites: SiteResolver, jobId: string): Promise<BulkOutcome[]> {
  const results = await upsertItemsBySku(ctx, rows);
  const outcomes = results.map((r) => r.outcome);
  const linked = rows.flatMap((row, i) => (row.product ? [{ i, link: { handle: row.product.handle, name: row.product.name || row.name, category: row.category ?? null, optionNames: row.product.optionNames, values: row.product.values, itemId: results[i]!.item.id } }] : []));
  const linkOutcomes = await upsertVariantLinks(ctx.trx, ctx, linked.map((l) => l.link));
  linked.forEach(({ i }, j) => {
    if (linkOutcomes[j] !== 'unchanged' && outcomes[i] === 'unchanged') outcomes[i] = 'updated';
  });
  const posted = await postOpeningStock(ctx, rows, results, sites, jobId);
  for (const i of posted) if (outcomes[i] === 'unchanged') outcomes[i] = 'updated';
  return outcomes;
}

/** Posts one opening_balance adjustment per site for the batch; returns the indexes of the rows that got stock. */
async function postOpeningStock(ctx: ServiceContext & { trx: Trx }, rows: readonly ImportRow[], items: readonly BulkResult[], sites: SiteResolver, jobId: string): Promise<number[]> {
  const bySite = new Map<string, Array<{ index: number; itemId: string; qty: number; cost: number | null; created: boolean }>>();
  rows.forEach((row, index) => {
    for (const s of row.stock) {
      if (s.qty <= 0) continue;
      const site = sites.resolve(s.site)!;
      const lines = bySite.get(site.id) ?? [];
      lines.push({ index, itemId: items[index]!.item.id, qty: s.qty, cost: row.cost, created: items[index]!.outcome === 'created' });
      bySite.set(site.id, lines);
    }
  });
  // The rows upserted a moment ago in this transaction: the adjustment need not read them again.
  const known = new Map(items.map((r) => [r.item.id, r.item]));
  const posted: number[] = [];
  for (const [siteId, lines] of bySite) {
    const existing = lines.filter((l) => !l.created).map((l) => l.itemId);
    const withHistory = new Set(
      existing.length
        ? (await ctx.trx.selectFrom('balances as b').innerJoin('locations as l', 'l.id', 'b.location_id').select('b.item_id').distinct().where('l.site_id', '=', siteId).where('b.item_id', 'in', existing).execute()).map((r) => r.item_id)
        : [],
    );
    const fresh = lines.filter((l) => !withHistory.has(l.itemId));
    for (let i = 0; i < fresh.length; i += 500) {
      const chunk = fresh.slice(i, i + 500);
      await createAdjustment(ctx, {
        location_id: siteId,
        reason: 'opening_balance',
        note: `Opening stock from import ${jobId}`,
        lines: chunk.map((l) => ({ item_id: l.itemId, qty: l.qty, ...(l.cost !== null ? { unit_cost: l.cost } : {}) })),
      }, known);
      posted.push(...chunk.map((l) => l.index));
    }
  }
  return posted;
}
