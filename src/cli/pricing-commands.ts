import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command, type Option } from 'commander';
import type { ServiceContext } from '../platform/context.ts';
import { findItemBySku } from '../modules/catalog/index.ts';
import { buildLabels, renderLabelsPdf, renderLabelsZpl } from '../modules/labels/index.ts';
import { labelsBody } from '../modules/labels/labels.schema.ts';
import { applyPricing, previewPricing, type PricingResult } from '../modules/pricing/index.ts';
import { applyPricingBody, pricingRuleBody } from '../modules/pricing/pricing.schema.ts';
import { formatMoneyOrNull } from '../platform/money.ts';
import { formatPercent } from '../platform/rate.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom pricing preview|apply` reprices a category, a vendor's items or named SKUs by markup
 * or margin from a script; `stockroom labels` writes a label file (PDF or ZPL) for SKUs. Both use
 * the same services and validation as the API, acting as the system.
 */

const withContext = <T>(url: string, work: (ctx: ServiceContext) => Promise<T>): Promise<T> => withServiceContext(url, work, { showCode: true });
const collect = (value: string, previous: string[] = []) => [...previous, value];

async function itemIds(ctx: ServiceContext, skus: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const sku of skus) {
    const item = await findItemBySku(ctx.db.kysely, sku);
    if (!item) throw new Error(`no item with the SKU ${sku}`);
    ids.push(item.id);
  }
  return ids;
}

function rounding(value: string | undefined) {
  if (!value || value === 'none') return { kind: 'none' };
  if (value.startsWith('nearest:')) return { kind: 'nearest', step: value.slice(8) };
  if (/^0\.\d{2}$/.test(value)) return { kind: 'ending', ending: value };
  throw new InvalidArgumentError('--round is none, an ending such as 0.99, or nearest:0.05');
}

function printResult(result: PricingResult): void {
  const pct = (v: number | null) => (v === null ? '—' : `${formatPercent(v)}%`);
  console.log(`${result.applied ? 'applied' : 'preview'}: ${result.rule}`);
  for (const l of result.lines) {
    console.log(`  ${l.sku.padEnd(16)} cost ${String(formatMoneyOrNull(l.cost) ?? '—').padStart(10)}  ${String(formatMoneyOrNull(l.priceBefore) ?? '—').padStart(10)} → ${String(formatMoneyOrNull(l.priceAfter) ?? '—').padStart(10)}  margin ${pct(l.marginBefore)} → ${pct(l.marginAfter)}  ${l.outcome}`);
  }
}

interface PricingOptions {
  sku?: string[];
  category?: string;
  vendor?: string;
  markup?: string;
  margin?: string;
  cost: string;
  round?: string;
  reason?: string;
  db: string;
}

async function ruleBody(ctx: ServiceContext, o: PricingOptions) {
  if ((o.markup === undefined) === (o.margin === undefined)) throw new Error('give one of --markup or --margin');
  return {
    selection: { ...(o.sku ? { item_ids: await itemIds(ctx, o.sku) } : {}), ...(o.category ? { category: o.category } : {}), ...(o.vendor ? { vendor_id: o.vendor } : {}) },
    method: o.markup !== undefined ? 'markup' : 'margin',
    percent: o.markup ?? o.margin,
    cost_basis: o.cost,
    rounding: rounding(o.round),
  };
}

export function addPricingCommands(program: Command, dbOption: () => Option): void {
  const pricing = program.command('pricing').description('Set prices by markup or target margin over a cost: preview, apply.');
  const common = (cmd: Command) =>
    cmd
      .option('--sku <sku>', 'an item to price (repeat)', collect)
      .option('--category <name>', 'every active item of a category')
      .option('--vendor <id>', 'every item a vendor supplies (ven_…)')
      .option('--markup <percent>', 'markup over cost, e.g. 60')
      .option('--margin <percent>', 'target margin of the price, e.g. 40')
      .option('--cost <basis>', 'last, average or replacement', 'last')
      .option('--round <rule>', 'none, an ending such as 0.99 or 0.95, or nearest:0.05')
      .addOption(dbOption());

  common(pricing.command('preview').description('Show the new prices and margins; changes nothing.')).action(async (o: PricingOptions) => {
    await withContext(o.db, async (ctx) => printResult(await previewPricing(ctx, pricingRuleBody.parse(await ruleBody(ctx, o)))));
  });
  common(pricing.command('apply').description('Write the new prices and their history.'))
    .requiredOption('--reason <text>', 'why the prices change (kept in the price history)')
    .action(async (o: PricingOptions) => {
      await withContext(o.db, async (ctx) => printResult(await applyPricing(ctx, applyPricingBody.parse({ ...(await ruleBody(ctx, o)), reason: o.reason }))));
    });

  program
    .command('labels')
    .description('Write labels or price tags for items to a PDF or ZPL file.')
    .requiredOption('--sku <sku>', 'an item to label (repeat)', collect)
    .option('--copies <n>', 'labels of each item', '1')
    .option('--template <name>', 'shelf_tag, product or bin', 'shelf_tag')
    .option('--layout <name>', 'single, avery_5160 or avery_l7160', 'single')
    .option('--format <pdf|zpl>', 'pdf or zpl', 'pdf')
    .requiredOption('--out <file>', 'where to write the file')
    .addOption(dbOption())
    .action(async (o: { sku: string[]; copies: string; template: string; layout: string; format: string; out: string; db: string }) => {
      await withContext(o.db, async (ctx) => {
        const ids = await itemIds(ctx, o.sku);
        const body = labelsBody.parse({ source: { kind: 'items', items: ids.map((item_id) => ({ item_id, copies: Number(o.copies) })) }, template: o.template, layout: o.layout, format: o.format });
        const labels = await buildLabels(ctx, body);
        writeFileSync(o.out, body.format === 'zpl' ? renderLabelsZpl(labels) : await renderLabelsPdf(labels, body.layout, 'labels'));
        console.log(`${labels.length} labels written to ${o.out}`);
      });
    });
}
