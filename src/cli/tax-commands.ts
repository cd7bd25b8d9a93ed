import type { Command, Option } from 'commander';
import { findSiteByCode } from '../modules/locations/index.ts';
import { getTaxTable, listTaxRates, listTaxRules } from '../modules/tax/index.ts';
import { formatPercent } from '../platform/rate.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom tax` prints the shop's tax set-up: its rates, the rules that give them to sites and
 * categories, and, with `--site`, what a till there charges (the same table the counter reads).
 */
export function addTaxCommands(program: Command, dbOption: () => Option): void {
  program
    .command('tax')
    .description('Show the tax set-up: rates, rules per site and category, and what a store charges.')
    .option('--site <code>', 'also show the rates a till at this site charges')
    .addOption(dbOption())
    .action(async (o: { site?: string; db: string }) => {
      await withServiceContext(
        o.db,
        async (ctx) => {
          for (const r of await listTaxRates(ctx)) console.log(`rate  ${r.name.padEnd(24)} ${formatPercent(r.rate_ppm).padStart(8)}%  (${r.rules} rules)`);
          for (const r of await listTaxRules(ctx)) console.log(`rule  ${(r.siteId ?? 'every site').padEnd(30)} ${(r.category ?? 'every category').padEnd(24)} ${r.name} ${formatPercent(r.ratePpm)}%`);
          if (!o.site) return;
          const site = await findSiteByCode(ctx.db.kysely, o.site);
          if (!site) throw new Error(`no site with the code ${o.site}`);
          const { table, pricesIncludeTax } = await getTaxTable(ctx, site.id);
          console.log(`${site.code}: prices ${pricesIncludeTax ? 'include' : 'exclude'} tax; default ${formatPercent(table.defaultPpm)}%`);
          for (const c of table.byCategory.values()) console.log(`  ${c.category.padEnd(24)} ${formatPercent(c.ratePpm)}%`);
          console.log(`  ${table.exemptItemIds.size} exempt items`);
        },
        { showCode: true },
      );
    });
}
