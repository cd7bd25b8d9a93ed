import { canSeeCosts, reader, type ServiceContext } from '../../platform/context.ts';
import type { ItemRow } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { currentUnitCosts } from '../costing/index.ts';
import { barcodesOf, optionsOf } from '../catalog/index.ts';
import type { ReportTable } from '../reports/index.ts';
import { loadSites, type SiteRef } from './imports.check.ts';
import { IMPORT_FIELDS, STOCKROOM_STOCK_PREFIX, stockroomColumnOf, type ImportField } from './imports.layouts.ts';

/**
 * The catalogue in Stockroom's import layout, as one report table so the reports module's CSV and
 * XLSX writers (formula-safe, exact numbers) write it. Importing the file back changes nothing:
 * every field is written as the import reads it, and stock columns only open stock at sites where
 * an item has none yet. Costs are left out for those who may not see them.
 */

type ReportColumn = ReportTable['columns'][number];

const moneyFields = new Set<ImportField>(['price', 'cost']);
const pageRows = 1000;

function columnsFor(sites: readonly SiteRef[], costs: boolean): ReportColumn[] {
  const fields: ReportColumn[] = IMPORT_FIELDS.filter((f) => stockroomColumnOf(f) !== null && (costs || f !== 'cost')).map((f) => ({
    key: f,
    label: stockroomColumnOf(f)!,
    type: moneyFields.has(f) ? 'money' : 'text',
    ...(f === 'cost' ? { cost: true } : {}),
  }));
  return [...fields, ...sites.map((s) => ({ key: `stock:${s.id}`, label: `${STOCKROOM_STOCK_PREFIX}${s.code}`, type: 'qty' as const }))];
}

export async function exportCatalogue(ctx: ServiceContext): Promise<ReportTable> {
  const db = reader(ctx);
  const sites = await loadSites(db, ctx.actor);
  const costs = canSeeCosts(ctx.actor);
  const columns = columnsFor(sites, costs);
  const rows: ReportTable['rows'] = [];
  let after = '';
  for (;;) {
    const items = await db.selectFrom('items').selectAll().where('status', '=', 'active').where('id', '>', after).orderBy('id').limit(pageRows).execute();
    if (items.length === 0) break;
    rows.push(...(await exportRows(db, items, sites, costs)));
    after = items[items.length - 1]!.id;
  }
  return { report: 'catalogue', title: 'Catalogue', meta: { layout: 'stockroom' }, columns, rows, totals: null, truncated: false };
}

async function exportRows(db: Executor, items: readonly ItemRow[], sites: readonly SiteRef[], costs: boolean): Promise<ReportTable['rows']> {
  const ids = items.map((i) => i.id);
  const variants = await db
    .selectFrom('product_variants as v')
    .innerJoin('products as p', 'p.id', 'v.product_id')
    .select(['v.item_id', 'v.option1', 'v.option2', 'v.option3', 'p.handle', 'p.name', 'p.options_json'])
    .where('v.item_id', 'in', ids)
    .execute();
  const variantOf = new Map(variants.map((v) => [v.item_id, v]));
  const stock = await db
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .select((eb) => ['b.item_id', 'l.site_id', eb.fn.sum<number>('b.on_hand').as('qty')])
    .where('b.item_id', 'in', ids)
    .where('l.kind', '<>', 'virtual')
    .groupBy(['b.item_id', 'l.site_id'])
    .execute();
  const stockOf = new Map(stock.map((s) => [`${s.item_id}\u0000${s.site_id}`, Number(s.qty)]));
  const unitCosts = costs ? await currentUnitCosts(db, ids) : new Map<string, number>();
  return items.map((item) => {
    const variant = variantOf.get(item.id);
    const options = variant ? optionsOf(variant) : [];
    const values = variant ? [variant.option1, variant.option2, variant.option3] : [];
    const cells: Record<string, string | number | null> = {
      sku: item.sku,
      name: item.name,
      description: item.description,
      category: item.category,
      base_unit: item.base_unit,
      price: item.price_micros,
      barcodes: barcodesOf(item).map((b) => b.code).join(' '),
      handle: variant?.handle ?? null,
      product_name: variant?.name ?? null,
    };
    for (let i = 0; i < 3; i += 1) {
      cells[`option${i + 1}_name`] = values[i] ? (options[i]?.name ?? null) : null;
      cells[`option${i + 1}_value`] = values[i] || null;
    }
    if (costs) cells.cost = item.stocked === 1 ? (unitCosts.get(item.id) ?? null) : null;
    for (const site of sites) cells[`stock:${site.id}`] = stockOf.get(`${item.id}\u0000${site.id}`) ?? 0;
    return { cells, drill: null };
  });
}
