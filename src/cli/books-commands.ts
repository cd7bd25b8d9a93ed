import fs from 'node:fs';
import type { Command, Option } from 'commander';
import { buildJournal, journalCsv, journalIif, qboConfigFromEnv, syncQuickbooks } from '../modules/integrations/quickbooks/index.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom books`: the stock journal for the bookkeeper. `export` writes a CSV journal or an IIF
 * file for QuickBooks Desktop for any range of days; `sync` books into QuickBooks Online now (the
 * server's daily job does the same), with the Intuit app set in the environment.
 */
export function addBooksCommands(program: Command, dbOption: () => Option): void {
  const books = program.command('books').description('The stock journal for your books: export it, or sync it to QuickBooks Online.');
  books
    .command('export')
    .description('Write the stock journal (per day and site, balanced) as CSV or IIF.')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD (included)')
    .option('--format <format>', 'csv (date, account, debit, credit, memo) or iif (QuickBooks Desktop)', 'csv')
    .option('--out <file>', 'write to this file instead of the terminal')
    .option('--sales', 'also book sales: revenue net of tax, discounts, tax collected, money due in')
    .addOption(dbOption())
    .action(async (options: { from: string; to: string; format: string; out?: string; sales?: boolean; db: string }) => {
      if (options.format !== 'csv' && options.format !== 'iif') throw new Error('--format is csv or iif');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(options.from) || !/^\d{4}-\d{2}-\d{2}$/.test(options.to)) throw new Error('--from and --to are dates, YYYY-MM-DD');
      await withServiceContext(options.db, async (ctx) => {
        const journal = await buildJournal(ctx, options.from, options.to, options.sales ? { sales: () => true } : {});
        const text = options.format === 'iif' ? journalIif(journal) : journalCsv(journal);
        if (options.out) fs.writeFileSync(options.out, text);
        else process.stdout.write(text);
      });
    });
  books
    .command('sync')
    .description('Book every day not yet booked into QuickBooks Online, correct changed days, send bills, retry failures.')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const config = qboConfigFromEnv();
      if (!config) throw new Error('set STOCKROOM_QBO_CLIENT_ID and STOCKROOM_QBO_CLIENT_SECRET first');
      await withServiceContext(options.db, async (ctx) => {
        const result = await syncQuickbooks(ctx, config);
        console.log(`${result.status}: ${result.planned} planned, ${result.posted} posted, ${result.failed} failed${result.throttled ? ' (throttled; the rest go next run)' : ''}`);
        if (result.status === 'incomplete') process.exitCode = 1;
      });
    });
}
