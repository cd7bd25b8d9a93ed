import { createReadStream, openSync, readSync, closeSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command, type Option } from 'commander';
import { detectFormat, exportCatalogue, exportKind, IMPORT_KINDS, jobErrors, KIND_NAMES, LAYOUTS, runImport, runKindImport, type FileFormat, type KindName, type Layout } from '../modules/imports/index.ts';
import type { ImportJobRow } from '../platform/db/schema.ts';
import { tableCsv, tableXlsx } from '../modules/reports/index.ts';
import { progressBar } from './progress.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom import items FILE` brings a catalogue in from a CSV or XLSX file (Stockroom's export,
 * Shopify's or Square's, recognised by their columns) with a progress bar; `--dry-run` only lists
 * the rows that would fail. `stockroom export items` writes the catalogue in the layout the import
 * reads. Both run the module's services as the system; the file is streamed, never read whole.
 * `import vendors|vendor-prices|stock-levels|opening-stock|units FILE` and the `export` of the same
 * names do the same for the other kinds, each in the one layout its export writes.
 */

function formatOfFile(file: string, asked: string | undefined): FileFormat {
  if (asked === 'csv' || asked === 'xlsx') return asked;
  if (asked) throw new InvalidArgumentError('--format is csv or xlsx');
  if (/\.xlsx$/i.test(file)) return 'xlsx';
  if (/\.csv$/i.test(file)) return 'csv';
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(4);
  readSync(fd, head, 0, 4, 0);
  closeSync(fd);
  return detectFormat(head);
}

interface ImportCommandOptions {
  dryRun?: boolean;
  site?: string;
  layout?: string;
  format?: string;
}

/**
 * `import` and `export` already move a whole database (data-commands.ts); the catalogue commands
 * are their `items` subcommands, so `stockroom import items FILE` reads a catalogue and
 * `stockroom import FILE` still loads a database export.
 */
function parentCommand(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

/**
 * The database the command was given: `import` and `export` have a --db of their own, and commander
 * gives a --db written after `items` to whichever of them was given one last, so look up the chain.
 */
function databaseOf(command: Command): string {
  for (let c: Command | null = command; c; c = c.parent) {
    const source = c.getOptionValueSource('db');
    if (source === 'cli' || source === 'env') return c.opts().db as string;
  }
  return command.opts().db as string;
}

export function addImportCommands(program: Command, dbOption: () => Option): void {
  parentCommand(program, 'import', 'Import a catalogue file.')
    .command('items')
    .description('Import a catalogue file (CSV or XLSX): items, variants, barcodes, prices, opening stock.')
    .argument('<file>', 'a CSV or XLSX file: Stockroom’s export, a Shopify product export or a Square item library export')
    .option('--dry-run', 'validate every row and list the errors; change nothing')
    .option('--site <code>', 'the site of quantity columns that name none (Shopify’s Variant Inventory Qty)')
    .option('--layout <name>', `${LAYOUTS.join(', ')} (default: recognised from the header)`)
    .option('--format <csv|xlsx>', 'default: from the file name or its first bytes')
    .addOption(dbOption())
    .action(async (file: string, o: ImportCommandOptions, command: Command) => {
      if (o.layout && !LAYOUTS.includes(o.layout as Layout)) throw new InvalidArgumentError(`--layout is one of ${LAYOUTS.join(', ')}`);
      const format = formatOfFile(file, o.format);
      const bar = progressBar(o.dryRun ? 'checking' : 'importing');
      await withServiceContext(
        databaseOf(command),
        async (ctx) => {
          const job = await runImport(ctx, () => createReadStream(file), {
            format,
            dryRun: Boolean(o.dryRun),
            layout: o.layout as Layout | undefined,
            site: o.site,
            fileName: file,
            onProgress: (phase, done, total) => phase === 'applying' && total !== null && bar.update(done, total),
          });
          bar.stop();
          report(job);
        },
        { showCode: true },
      );
    });

  for (const kind of KIND_NAMES) {
    parentCommand(program, 'import', 'Import a catalogue file.')
      .command(kind)
      .description(`Import a file of ${IMPORT_KINDS[kind].title.toLowerCase()} (CSV or XLSX) in the layout \`stockroom export ${kind}\` writes: ${IMPORT_KINDS[kind].columns.map((c) => c.label).join(', ')}.`)
      .argument('<file>', 'a CSV or XLSX file')
      .option('--dry-run', 'validate every row and list the errors; change nothing')
      .option('--site <code>', kind === 'opening-stock' ? 'the site of rows whose Site cell is empty' : 'not used by this kind')
      .option('--format <csv|xlsx>', 'default: from the file name or its first bytes')
      .addOption(dbOption())
      .action(async (file: string, o: ImportCommandOptions, command: Command) => {
        const format = formatOfFile(file, o.format);
        const bar = progressBar(o.dryRun ? 'checking' : 'importing');
        await withServiceContext(
          databaseOf(command),
          async (ctx) => {
            const job = await runKindImport(ctx, kind as KindName, () => createReadStream(file), {
              format,
              dryRun: Boolean(o.dryRun),
              site: o.site,
              fileName: file,
              onProgress: (phase, done, total) => phase === 'applying' && total !== null && bar.update(done, total),
            });
            bar.stop();
            report(job);
          },
          { showCode: true },
        );
      });

    parentCommand(program, 'export', 'Export the catalogue.')
      .command(kind)
      .description(`Export the ${IMPORT_KINDS[kind].title.toLowerCase()} in the layout \`stockroom import ${kind}\` reads.`)
      .requiredOption('--out <file>', 'where to write it (.csv or .xlsx)')
      .addOption(dbOption())
      .action(async (o: { out: string; db: string }, command: Command) => {
        await withServiceContext(databaseOf(command), async (ctx) => {
          const table = await exportKind(ctx, kind);
          writeFileSync(o.out, /\.xlsx$/i.test(o.out) ? await tableXlsx(table) : tableCsv(table));
          console.log(`${table.rows.length} rows written to ${o.out}`);
        });
      });
  }

  parentCommand(program, 'export', 'Export the catalogue.')
    .command('items')
    .description('Export the catalogue in the layout `stockroom import items` reads.')
    .requiredOption('--out <file>', 'where to write it (.csv or .xlsx)')
    .addOption(dbOption())
    .action(async (o: { out: string; db: string }, command: Command) => {
      await withServiceContext(databaseOf(command), async (ctx) => {
        const table = await exportCatalogue(ctx);
        writeFileSync(o.out, /\.xlsx$/i.test(o.out) ? await tableXlsx(table) : tableCsv(table));
        console.log(`${table.rows.length} items written to ${o.out}`);
      });
    });
}

/** The errors of a run (the first 1000), its counts, and a failing exit code when it failed or a dry run found errors. */
function report(job: ImportJobRow): void {
  for (const e of jobErrors(job)) console.log(`row ${e.row}${e.column ? ` ${e.column}` : ''}: ${e.code}: ${e.message}`);
  if (job.error_count > 1000) console.log(`… and ${job.error_count - 1000} more errors`);
  console.log(`${job.kind === 'items' ? `${job.layout} layout, ` : ''}${job.rows_total} rows, ${job.error_count} errors` + (job.dry_run ? ' (dry run: nothing changed)' : `: ${job.created_count} created, ${job.updated_count} updated, ${job.unchanged_count} unchanged`));
  if (job.status !== 'done') process.exitCode = 1;
  else if (job.dry_run && job.error_count > 0) process.exitCode = 1;
}
