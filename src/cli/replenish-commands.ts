import type { Command, Option } from 'commander';
import type { ServiceContext } from '../platform/context.ts';
import { formatMoney } from '../platform/money.ts';
import { formatQuantity } from '../platform/quantity.ts';
import { findSiteByCode } from '../modules/locations/index.ts';
import { createDraftPurchaseOrders, createProposedTransfers, proposeReplenishment, type Proposals } from '../modules/replenishment/index.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom replenish`: the proposals of the Replenishment page from a script, acting as the
 * system (which sees costs): what to buy by vendor, what to move by destination, each line's why;
 * `--create-drafts` makes the draft purchase orders (never sent), `--create-transfers` the transfers.
 */

function printProposals(p: Proposals): void {
  if (!p.purchase.length && !p.transfer.length) console.log('Nothing to buy or move: every item is above its min.');
  for (const g of p.purchase) {
    const total = g.totalMicros === null ? '' : `  ${formatMoney(g.totalMicros)} ${g.currency ?? ''}`;
    console.log(`BUY  ${g.vendorName ?? '(no vendor)'} → ${g.siteName}  expected ${g.expectedOn ?? '—'}${total}`);
    for (const l of g.lines) console.log(`  ${l.sku.padEnd(16)} ${formatQuantity(l.order.qty)} ${l.terms.unitName}  ${l.why}`);
  }
  for (const g of p.transfer) {
    console.log(`MOVE ${g.sourceSiteName} → ${g.destinationSiteName}`);
    for (const l of g.lines) console.log(`  ${l.sku.padEnd(16)} ${formatQuantity(l.qty)}  ${l.why}`);
  }
}

async function siteIdOf(ctx: ServiceContext, code: string | undefined): Promise<string | undefined> {
  if (!code) return undefined;
  const site = await findSiteByCode(ctx.db.kysely, code);
  if (!site) throw new Error(`no site with the code ${code}`);
  return site.id;
}

export function addReplenishCommands(program: Command, dbOption: () => Option): void {
  program
    .command('replenish')
    .description('List what to buy and what to move, each line explained; optionally create the drafts and transfers.')
    .option('--site <code>', 'only proposals for this site')
    .option('--create-drafts', 'create the purchase proposals as draft purchase orders (nothing is sent)')
    .option('--create-transfers', 'create the transfer proposals as transfers')
    .addOption(dbOption())
    .action(async (options: { site?: string; createDrafts?: boolean; createTransfers?: boolean; db: string }) => {
      await withServiceContext(
        options.db,
        async (ctx) => {
          const proposals = await proposeReplenishment(ctx, { siteId: await siteIdOf(ctx, options.site) });
          printProposals(proposals);
          if (options.createDrafts) {
            const lines = proposals.purchase
              .filter((g) => g.vendorId !== null)
              .flatMap((g) => g.lines.map((l) => ({ item_id: l.itemId, site_id: l.siteId, vendor_id: g.vendorId, qty: l.order.qty, unit: l.terms.unitName })));
            const made = lines.length ? await createDraftPurchaseOrders(ctx, lines) : [];
            for (const po of made) console.log(`draft ${po.number}  ${po.id}`);
          }
          if (options.createTransfers) {
            const lines = proposals.transfer.flatMap((g) => g.lines.map((l) => ({ item_id: l.itemId, source_site_id: g.sourceSiteId, destination_site_id: g.destinationSiteId, qty: l.qty })));
            const made = lines.length ? await createProposedTransfers(ctx, lines) : [];
            for (const t of made) console.log(`transfer ${t.transfer.number}  ${t.transfer.id}`);
          }
        },
        { showCode: true },
      );
    });
}
