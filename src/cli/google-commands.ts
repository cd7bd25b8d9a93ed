import type { Command, Option } from 'commander';
import { listSyncLog } from '../modules/integrations/index.ts';
import { GOOGLE_LOG_ID, merchantStatus, productFeed, productFeedTsv, pushGoogleMerchant } from '../modules/integrations/google/index.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom google …`: the Merchant Center link from a terminal — its state, a push now (what
 * changed, or everything with --full), the push log, and the product feed as Merchant Center reads it.
 */
export function addGoogleCommands(program: Command, dbOption: () => Option): void {
  const google = program.command('google').description('Google Merchant Center: status, push now, the push log, the product feed.');
  google
    .command('status')
    .description('Whether a service account is connected, the last push, and the product feed’s size.')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const [status, feed] = await withServiceContext(options.db, async (ctx) => [await merchantStatus(ctx), await productFeed(ctx)] as const);
      console.log(status.connected ? `Connected: account ${status.merchantId}, data source ${status.dataSource}, as ${status.clientEmail}.` : 'No service account connected (Merchant Center fetches the feeds).');
      console.log(`Last push: ${status.lastPushAt === null ? 'never' : new Date(status.lastPushAt).toISOString()}.`);
      console.log(`${feed.rows.length} item(s) in the product feed; ${feed.problems.length} listed but left out.`);
      for (const p of feed.problems) console.log(`  ${p.sku}: no ${p.missing.join(', ')}`);
    });
  google
    .command('push')
    .description('Push to the Merchant API now: what changed since the last push, or everything with --full.')
    .option('--full', 'send everything again')
    .addOption(dbOption())
    .action(async (options: { db: string; full?: boolean }) => {
      const r = await withServiceContext(options.db, (ctx) => pushGoogleMerchant(ctx, { full: options.full ?? false }));
      console.log(`${r.status}: ${r.products} product(s) and ${r.localInventories} local inventories sent, ${r.removed} taken off, ${r.unchanged} unchanged, ${r.failed} failed.`);
      if (r.status === 'failed' || r.status === 'not_connected') process.exitCode = 1;
    });
  google
    .command('log')
    .description('The push log, newest first.')
    .option('--failed', 'errors only')
    .addOption(dbOption())
    .action(async (options: { db: string; failed?: boolean }) => {
      const { entries } = await withServiceContext(options.db, (ctx) => listSyncLog(ctx, GOOGLE_LOG_ID, { limit: 50, failedOnly: options.failed ?? false }));
      if (entries.length === 0) console.log('Nothing pushed yet.');
      for (const e of entries) console.log(`${new Date(e.at).toISOString()}  ${e.ok ? 'ok    ' : 'FAILED'}  ${e.kind.padEnd(12)} ${e.detail}`);
    });
  google
    .command('products')
    .description('Print the product feed (tab-delimited) as Merchant Center fetches it.')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const { rows } = await withServiceContext(options.db, (ctx) => productFeed(ctx));
      process.stdout.write(productFeedTsv(rows));
    });
}
