import type { Command, Option } from 'commander';
import { listConnections, listSyncLog, pollOrders, processChannelEvents, pushLevels, reconcile, refreshCatalogue, testConnection } from '../modules/integrations/index.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom connectors …`: the sales-platform connections, and the jobs the server runs on a
 * timer run now (apply received webhooks, push levels, poll orders) — for a shop that runs the
 * server only in opening hours, or to see a connection's state from a terminal.
 */
export function addConnectorCommands(program: Command, dbOption: () => Option): void {
  const connectors = program.command('connectors').description('Sales-platform connections (Shopify, Square, WooCommerce): list, test, read the catalogue, sync now, reconcile, show the log.');
  connectors
    .command('list')
    .description('List the connections.')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const rows = await withServiceContext(options.db, (ctx) => listConnections(ctx));
      if (rows.length === 0) console.log('No channel is connected.');
      for (const r of rows) console.log(`${r.id}  ${r.platform.padEnd(12)} ${r.status.padEnd(7)} channel ${r.channel_id}  ${r.shop_name ?? ''}${r.last_test_error ? `  last test failed: ${r.last_test_error}` : ''}`);
    });
  connectors
    .command('test <connection>')
    .description('Make one authenticated call to the platform.')
    .addOption(dbOption())
    .action(async (id: string, options: { db: string }) => {
      const row = await withServiceContext(options.db, (ctx) => testConnection(ctx, id));
      console.log(row.last_test_error ? `Failed: ${row.last_test_error}` : `Connected to ${row.shop_name}.`);
      if (row.last_test_error) process.exitCode = 1;
    });
  connectors
    .command('catalogue <connection>')
    .description('Read the upstream catalogue and match new variants by SKU, then barcode.')
    .addOption(dbOption())
    .action(async (id: string, options: { db: string }) => {
      const result = await withServiceContext(options.db, (ctx) => refreshCatalogue(ctx, id));
      console.log(`${result.variants} upstream variants read, ${result.matched} newly matched.`);
    });
  connectors
    .command('sync')
    .description('Apply received webhooks, poll recent orders and push owed levels now.')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const [applied, polled, pushed] = await withServiceContext(options.db, async (ctx) => [await processChannelEvents(ctx), await pollOrders(ctx), await pushLevels(ctx)]);
      console.log(`${applied} event(s) applied, ${polled} order(s) from the poll, ${pushed} level(s) pushed.`);
    });
  connectors
    .command('reconcile <connection>')
    .description('Compare upstream levels with available-to-sell; --repair queues pushes for the drifted ones.')
    .option('--repair', 'queue pushes for what drifted')
    .addOption(dbOption())
    .action(async (id: string, options: { db: string; repair?: boolean }) => {
      const result = await withServiceContext(options.db, (ctx) => reconcile(ctx, id, { repair: options.repair ?? false }));
      console.log(`${result.checked} checked, ${result.drift.length} drifted.`);
      for (const d of result.drift) console.log(`  ${d.title}: upstream ${d.upstream === null ? 'unknown' : d.upstream / 1000}, available ${d.available / 1000}`);
    });
  connectors
    .command('log <connection>')
    .description('The sync log, newest first.')
    .option('--failed', 'errors only')
    .addOption(dbOption())
    .action(async (id: string, options: { db: string; failed?: boolean }) => {
      const { entries } = await withServiceContext(options.db, (ctx) => listSyncLog(ctx, id, { limit: 50, failedOnly: options.failed ?? false }));
      for (const e of entries) console.log(`${new Date(e.at).toISOString()}  ${e.ok ? 'ok    ' : 'FAILED'}  ${e.kind.padEnd(16)} ${e.detail}`);
    });
}
