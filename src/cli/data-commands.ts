import type { Command, Option } from 'commander';
import { backupDatabase, restoreDatabase } from '../platform/db/backup.ts';
import { openDatabase } from '../platform/db/database.ts';
import { exportDatabase, importDatabase } from '../platform/db/transfer.ts';
import { checkLedger } from '../modules/ledger/index.ts';
import { progressBar } from './progress.ts';

/** backup, restore, export and import: moving a shop's data safely. */
export function registerDataCommands(program: Command, dbOption: () => Option): void {
  program
    .command('backup')
    .description('Take a consistent copy of the database while the server keeps running (SQLite online backup, or pg_dump).')
    .argument('<file>', 'where to write the backup (must not exist)')
    .addOption(dbOption())
    .action(async (file: string, options: { db: string }) => {
      const bar = progressBar('backup');
      const result = await backupDatabase(options.db, file, bar.update).finally(() => bar.stop());
      console.log(`Backed up ${result.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} to ${file} (${(result.bytes / 1024).toFixed(0)} KiB).`);
    });

  program
    .command('restore')
    .description('Put a backup back (stop the server first: on SQLite it is refused while the database is open). The SQLite file it replaces, with its write-ahead log folded in, is kept beside it.')
    .argument('<file>', 'a file written by `stockroom backup`')
    .addOption(dbOption())
    .action(async (file: string, options: { db: string }) => {
      const result = await restoreDatabase(options.db, file);
      const db = await openDatabase({ url: options.db });
      try {
        const report = await checkLedger(db);
        console.log(`Restored ${file}${result.keptAside ? `; the previous database is at ${result.keptAside}` : ''}. Ledger check: ${report.ok ? 'ok' : 'FAILED'}.`);
        if (!report.ok) process.exitCode = 1;
      } finally {
        await db.close();
      }
    });

  program
    .command('export')
    .description('Write every table as JSON lines: a consistent, dialect-neutral copy (to move from SQLite to PostgreSQL).')
    .argument('<file>', 'where to write the export')
    .addOption(dbOption())
    .action(async (file: string, options: { db: string }) => {
      const db = await openDatabase({ url: options.db });
      const bar = progressBar('export');
      try {
        const counts = await exportDatabase(db, file, bar.update);
        bar.stop();
        console.log(`Exported ${Object.values(counts).reduce((a, b) => a + b, 0)} rows from ${db.description} to ${file}.`);
      } finally {
        bar.stop();
        await db.close();
      }
    });

  program
    .command('import')
    .description('Load an export into an empty database (either dialect), then check the ledger.')
    .argument('<file>', 'a file written by `stockroom export`')
    .addOption(dbOption())
    .action(async (file: string, options: { db: string }) => {
      const db = await openDatabase({ url: options.db });
      const bar = progressBar('import');
      try {
        const counts = await importDatabase(db, file, bar.update);
        bar.stop();
        const report = await checkLedger(db);
        console.log(`Imported ${Object.values(counts).reduce((a, b) => a + b, 0)} rows into ${db.description}. Ledger check: ${report.ok ? 'ok' : 'FAILED'}.`);
        if (!report.ok) process.exitCode = 1;
      } finally {
        bar.stop();
        await db.close();
      }
    });
}
