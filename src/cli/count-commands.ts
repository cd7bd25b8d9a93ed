import fs from 'node:fs';
import { withServiceContext } from './service-context.ts';
import { Command, Option } from 'commander';
import type { ServiceContext } from '../platform/context.ts';
import { formatQuantity } from '../platform/quantity.ts';
import { findItemBySku } from '../modules/catalog/index.ts';
import { approveCount, createCount, getCount, listCounts, needsCount, renderCountSheetPdf, submitCount, type CountRecord } from '../modules/counts/index.ts';
import { findSiteByCode } from '../modules/locations/index.ts';
import { readSettings } from '../modules/settings/index.ts';

/**
 * `stockroom count …`: what a person scripts around counting — start tonight's cycle count,
 * print its sheets, list what needs a count, submit and approve. Acts as the system, through the
 * same services as the API; counting itself happens on the scanner or the web app.
 */

const withContext = <T>(url: string, work: (ctx: ServiceContext) => Promise<T>): Promise<T> => withServiceContext(url, work);

async function siteId(ctx: ServiceContext, code: string): Promise<string> {
  const site = await findSiteByCode(ctx.db.kysely, code);
  if (!site) throw new Error(`no site with the code ${code}`);
  return site.id;
}

/** A count by its id (cnt_…) or its number (CNT-000042). */
async function countId(ctx: ServiceContext, ref: string): Promise<string> {
  if (ref.startsWith('cnt_')) return ref;
  const row = await ctx.db.kysely.selectFrom('counts').select('id').where('number', '=', ref.toUpperCase()).executeTakeFirst();
  if (!row) throw new Error(`no count ${ref}`);
  return row.id;
}

function printCount(record: CountRecord): void {
  const c = record.count;
  const live = record.lines.filter((l) => l.status !== 'superseded');
  console.log(`${c.number} (${c.id}): ${c.kind} count, ${c.mode}, ${c.status}; ${live.length} lines, ${live.filter((l) => l.counted_qty !== null).length} counted.`);
  for (const line of live.filter((l) => l.status === 'pending' || l.status === 'posted').slice(0, 50)) {
    const variance = line.variance_qty === null ? '' : ` variance ${formatQuantity(Number(line.variance_qty))}`;
    console.log(`  ${line.location_code.padEnd(16)} ${line.sku.padEnd(20)} ${line.lot_code ?? ''} counted ${line.counted_qty === null ? '—' : formatQuantity(Number(line.counted_qty))}${variance} [${line.status}]`);
  }
}

export function addCountCommands(program: Command, dbOption: () => Option): void {
  const count = program.command('count').description('Stock counts: start one, print its sheets, see what needs counting, submit and approve.');

  count
    .command('create')
    .description('Start a count of a site: everything (--kind full), today’s cycle plan, what went negative, or named items.')
    .requiredOption('--site <code>', 'the site to count (MAIN, WH, …)')
    .addOption(new Option('--kind <kind>', 'full, cycle or spot').choices(['full', 'cycle', 'spot']).default('cycle'))
    .addOption(new Option('--mode <mode>', 'blind or guided').choices(['blind', 'guided']).default('blind'))
    .option('--cycle-plan', 'the items the cycle-count schedule proposes for today')
    .option('--negative', 'only balances below zero')
    .option('--item <sku...>', 'named items')
    .option('--category <name>', 'one category')
    .addOption(dbOption())
    .action(async (options: { site: string; kind: 'full' | 'cycle' | 'spot'; mode: 'blind' | 'guided'; cyclePlan?: boolean; negative?: boolean; item?: string[]; category?: string; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const itemIds: string[] = [];
        for (const sku of options.item ?? []) {
          const item = await findItemBySku(ctx.db.kysely, sku);
          if (!item) throw new Error(`no item with the SKU ${sku}`);
          itemIds.push(item.id);
        }
        const record = await createCount(ctx, {
          site_id: await siteId(ctx, options.site),
          kind: options.kind,
          mode: options.mode,
          scope: {
            ...(options.cyclePlan ? { cycle_plan: true } : {}),
            ...(options.negative ? { negative_only: true } : {}),
            ...(itemIds.length ? { item_ids: itemIds } : {}),
            ...(options.category ? { category: options.category } : {}),
          },
        });
        printCount(record);
      });
    });

  count
    .command('list')
    .description('Counts, newest first.')
    .option('--site <code>', 'one site')
    .option('--awaiting-approval', 'only counts with variances waiting for a manager')
    .addOption(dbOption())
    .action(async (options: { site?: string; awaitingApproval?: boolean; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const page = await listCounts(ctx, { siteId: options.site ? await siteId(ctx, options.site) : undefined, awaitingApproval: options.awaitingApproval ? true : undefined, limit: 50 });
        if (page.records.length === 0) console.log('No counts.');
        for (const { count: c, summary } of page.records) {
          console.log(`${c.number}  ${c.id}  ${c.kind.padEnd(5)} ${c.status.padEnd(9)} ${summary.counted}/${summary.lines} counted, ${summary.pending} waiting, ${summary.posted} posted`);
        }
      });
    });

  count
    .command('show')
    .description('One count, with the lines waiting for approval or posted.')
    .argument('<count>', 'its number (CNT-000042) or id')
    .addOption(dbOption())
    .action(async (ref: string, options: { db: string }) => {
      await withContext(options.db, async (ctx) => printCount(await getCount(ctx, await countId(ctx, ref))));
    });

  count
    .command('sheet')
    .description('Write the printable count sheet (PDF): bins in walking order, no expected quantities on a blind count.')
    .argument('<count>', 'its number (CNT-000042) or id')
    .requiredOption('--out <file>', 'where to write the PDF')
    .addOption(dbOption())
    .action(async (ref: string, options: { out: string; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const record = await getCount(ctx, await countId(ctx, ref));
        if (record.count.mode === 'blind') for (const line of record.lines) line.expected_qty = null;
        const { shop_name } = await readSettings(ctx.db.kysely);
        fs.writeFileSync(options.out, await renderCountSheetPdf(record, shop_name));
        console.log(`Wrote ${options.out} (${record.sheets.length} sheet${record.sheets.length === 1 ? '' : 's'}).`);
      });
    });

  count
    .command('needs')
    .description('What needs a count at a site: balances below zero and items past their cycle.')
    .requiredOption('--site <code>', 'the site')
    .addOption(dbOption())
    .action(async (options: { site: string; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const result = await needsCount(ctx, await siteId(ctx, options.site));
        console.log(`${result.negative.length} balances below zero, ${result.overdue.length} items past their cycle.`);
        for (const n of result.negative.slice(0, 50)) console.log(`  negative  ${n.location_code.padEnd(16)} ${n.sku.padEnd(20)} ${formatQuantity(n.on_hand)}`);
      });
    });

  count
    .command('submit')
    .description('Submit a count: variances within the site’s thresholds are approved, the rest wait; posts when nothing waits.')
    .argument('<count>', 'its number (CNT-000042) or id')
    .addOption(new Option('--uncounted <what>', 'lines nobody counted: error, zero or skip').choices(['error', 'zero', 'skip']).default('error'))
    .addOption(dbOption())
    .action(async (ref: string, options: { uncounted: 'error' | 'zero' | 'skip'; db: string }) => {
      await withContext(options.db, async (ctx) => printCount(await submitCount(ctx, await countId(ctx, ref), options.uncounted)));
    });

  count
    .command('approve')
    .description('Approve every waiting variance of a submitted count and post it.')
    .argument('<count>', 'its number (CNT-000042) or id')
    .addOption(dbOption())
    .action(async (ref: string, options: { db: string }) => {
      await withContext(options.db, async (ctx) => printCount(await approveCount(ctx, await countId(ctx, ref), undefined)));
    });
}
