import fs from 'node:fs';
import type { Command, Option } from 'commander';
import { findSiteByCode } from '../modules/locations/index.ts';
import { formatCell, runStandardReport, STANDARD_REPORT_NAMES, tableCsv, tableXlsx, takeStockSnapshots, stockSnapshotSettings } from '../modules/reports/index.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom report <name>`: a standard report from a script (a weekly mail, a spreadsheet kept
 * up to date), through the same services as the API, acting as the system. Prints a plain table,
 * or writes CSV or XLSX. Sites are named by code.
 */
export function addReportCommands(program: Command, dbOption: () => Option): void {
  program
    .command('report')
    .description(`Run a standard report: ${STANDARD_REPORT_NAMES.join(', ')}.`)
    .argument('<name>', 'the report')
    .option('--from <date>', 'first day, YYYY-MM-DD')
    .option('--to <date>', 'last day, YYYY-MM-DD (included)')
    .option('--site <code>', 'one site, by code')
    .option('--by <dimension>', 'the grouping, where the report has several')
    .option('--category <name>', 'one category')
    .option('--days <n>', 'dead stock: no sale in this many days; expiring lots: within this many days')
    .option('--format <format>', 'table, csv or xlsx', 'table')
    .option('--out <file>', 'write to this file instead of the terminal (xlsx needs one)')
    .addOption(dbOption())
    .action(async (name: string, options: { from?: string; to?: string; site?: string; by?: string; category?: string; days?: string; format: string; out?: string; db: string }) => {
      await withServiceContext(options.db, async (ctx) => {
        const query: Record<string, string> = {};
        if (options.from) query.from = options.from;
        if (options.to) query.to = options.to;
        if (options.by) query.by = options.by;
        if (options.category) query.category = options.category;
        if (options.days) query.days = options.days;
        if (options.site) {
          const site = await findSiteByCode(ctx.db.kysely, options.site);
          if (!site) throw new Error(`no site with the code ${options.site}`);
          query.site_id = site.id;
        }
        const table = await runStandardReport(ctx, name, query);
        if (options.format === 'xlsx') {
          if (!options.out) throw new Error('--format xlsx needs --out FILE');
          fs.writeFileSync(options.out, await tableXlsx(table));
          return;
        }
        if (options.format === 'csv') {
          if (options.out) fs.writeFileSync(options.out, tableCsv(table));
          else process.stdout.write(tableCsv(table));
          return;
        }
        const lines = [table.columns.map((c) => c.label), ...table.rows.map((r) => table.columns.map((c) => String(formatCell(c.type, r.cells[c.key] ?? null) ?? '—')))];
        if (table.totals) lines.push(table.columns.map((c, i) => (i === 0 && table.totals![c.key] == null ? 'Totals' : String(formatCell(c.type, table.totals![c.key] ?? null) ?? ''))));
        const widths = table.columns.map((_, i) => Math.min(40, Math.max(...lines.map((l) => l[i]!.length))));
        const text = lines.map((l) => l.map((cell, i) => (table.columns[i]!.type === 'text' || table.columns[i]!.type === 'date' ? cell.slice(0, 40).padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
        if (options.out) fs.writeFileSync(options.out, `${text}\n`);
        else console.log(`${table.title}\n\n${text}`);
      });
    });
  program
    .command('snapshots')
    .description('Take the daily stock snapshots now (the server does this every 15 minutes): retakes days a back-dated entry made stale, then every missing day up to yesterday.')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      await withServiceContext(options.db, async (ctx) => {
        // The job takes a month a run; from the command line, go on until caught up.
        const days: string[] = [];
        let batch: string[];
        do {
          batch = await takeStockSnapshots(ctx);
          days.push(...batch);
        } while (batch.length === stockSnapshotSettings.maxDaysPerRun);
        console.log(days.length ? `took ${days.length} daily snapshots, ${days[0]} to ${days[days.length - 1]}` : 'every day up to yesterday already has its snapshot');
      });
    });
}
