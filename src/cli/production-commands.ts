import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ServiceContext } from '../platform/context.ts';
import { formatMoney } from '../platform/money.ts';
import { formatQuantity, parseQuantity } from '../platform/quantity.ts';
import { findItemBySku } from '../modules/catalog/index.ts';
import { findSiteByCode } from '../modules/locations/index.ts';
import {
  closeProductionOrder,
  completeProductionOrder,
  createPlannedOrders,
  createProductionOrder,
  getProductionOrder,
  listProductionOrders,
  productionPlan,
  type ProductionOrderRecord,
} from '../modules/production/index.ts';
import { completeBody, createOrderBody, PRODUCTION_ORDER_STATUSES } from '../modules/production/production.schema.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom production …`: the kitchen's morning from a script (plan the day and create its
 * orders, complete a bake with what was really used), through the same services as the API,
 * acting as the system. Sites by code, items by SKU, quantities in base units.
 */

const withContext = <T>(url: string, work: (ctx: ServiceContext) => Promise<T>): Promise<T> => withServiceContext(url, work, { showCode: true });

interface LineSpec {
  sku: string;
  qty: number;
}

/** `SKU=QTY`, QTY in base units with at most three decimals (zero allowed: nothing of it was used). */
function lineSpec(value: string, previous: LineSpec[] = []): LineSpec[] {
  const eq = value.lastIndexOf('=');
  const sku = value.slice(0, eq).trim();
  const qty = Number(value.slice(eq + 1));
  if (eq <= 0 || !sku || !parseQuantity(qty).ok || qty < 0) throw new InvalidArgumentError('a line is SKU=QTY, e.g. FLOUR-T55=700');
  return [...previous, { sku, qty }];
}

function quantity(value: string): number {
  const n = Number(value);
  if (!parseQuantity(n).ok || n < 0) throw new InvalidArgumentError('a quantity in base units, at most three decimals');
  return n;
}

async function siteId(ctx: ServiceContext, code: string): Promise<string> {
  const site = await findSiteByCode(ctx.db.kysely, code);
  if (!site) throw new Error(`no site with the code ${code}`);
  return site.id;
}

async function findOrder(ctx: ServiceContext, ref: string): Promise<string> {
  if (ref.startsWith('prd_')) return ref;
  const row = await ctx.db.kysely.selectFrom('production_orders').select('id').where('number', '=', ref.toUpperCase()).executeTakeFirst();
  if (!row) throw new Error(`no production order ${ref}`);
  return row.id;
}

function printOrder(record: ProductionOrderRecord): void {
  const o = record.order;
  const value = record.postings.reduce((s, p) => s + p.valueProducedMicros, 0);
  const cost = o.qty_produced > 0 ? `  cost ${formatMoney(value)}` : '';
  console.log(
    `${o.number}  ${o.id}  ${o.status}  ${record.site.code}  ${record.item.sku}  planned ${formatQuantity(o.qty_planned)}  made ${formatQuantity(o.qty_produced)}  scrapped ${formatQuantity(o.qty_scrapped)}${cost}`,
  );
  for (const l of record.lines) {
    console.log(`  ${l.sku.padEnd(16)} planned ${formatQuantity(l.qty_planned)}  reserved ${formatQuantity(l.qtyReserved)}  used ${formatQuantity(l.qty_consumed)}`);
  }
}

export function addProductionCommands(program: Command, dbOption: () => Option): void {
  const production = program.command('production').description('Make items from their bills of materials: plan the day, list and complete orders.');

  production
    .command('plan')
    .description('Show a site’s production plan for a day (tomorrow by default); --create makes its orders.')
    .requiredOption('--site <code>', 'site code')
    .option('--date <YYYY-MM-DD>', 'the day to plan for')
    .option('--create', 'create the plan’s production orders')
    .addOption(dbOption())
    .action(async (options: { site: string; date?: string; create?: boolean; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const site = await siteId(ctx, options.site);
        const plan = await productionPlan(ctx, site, options.date);
        console.log(`Plan for ${options.site} on ${plan.date}: ${plan.lines.length} item(s)`);
        for (const l of plan.lines) console.log(`  ${l.sku.padEnd(16)} make ${formatQuantity(l.qty)}  (${l.reason})`);
        if (options.create && plan.lines.length) {
          const orders = await createPlannedOrders(ctx, { site_id: site, date: plan.date, lines: plan.lines.map((l) => ({ item_id: l.itemId, qty: l.qty })) });
          for (const o of orders) printOrder(o);
        }
      });
    });

  production
    .command('create')
    .description('Plan a production order from the item’s active bill of materials.')
    .requiredOption('--site <code>', 'site code')
    .requiredOption('--item <sku>', 'what to make')
    .requiredOption('--qty <qty>', 'how much, in base units (before yield)', quantity)
    .option('--date <YYYY-MM-DD>', 'the day it is planned for')
    .option('--start', 'start it at once (reserve the components)')
    .addOption(dbOption())
    .action(async (options: { site: string; item: string; qty: number; date?: string; start?: boolean; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const item = await findItemBySku(ctx.db.kysely, options.item);
        if (!item) throw new Error(`no item with the SKU ${options.item}`);
        const body = createOrderBody.parse({
          item_id: item.id,
          site_id: await siteId(ctx, options.site),
          qty: options.qty,
          ...(options.date ? { planned_for: options.date } : {}),
          ...(options.start ? { start: true } : {}),
        });
        printOrder(await createProductionOrder(ctx, body));
      });
    });

  production
    .command('list')
    .description('Production orders, newest first.')
    .option('--site <code>', 'site code')
    .addOption(new Option('--status <status>', 'only orders in this status').choices(PRODUCTION_ORDER_STATUSES))
    .option('--limit <n>', 'how many', '50')
    .addOption(dbOption())
    .action(async (options: { site?: string; status?: (typeof PRODUCTION_ORDER_STATUSES)[number]; limit: string; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const page = await listProductionOrders(ctx, {
          ...(options.site ? { siteId: await siteId(ctx, options.site) } : {}),
          ...(options.status ? { status: options.status } : {}),
          limit: Math.min(500, Math.max(1, Number(options.limit) || 50)),
        });
        for (const record of page.records) printOrder(record);
      });
    });

  production
    .command('complete')
    .description('Complete an order with what was really made and used (components left out use the plan).')
    .argument('<order>', 'PRD-000012 or its id')
    .requiredOption('--made <qty>', 'good units made', quantity)
    .option('--scrapped <qty>', 'units made and thrown away', quantity)
    .option('--used <SKU=QTY>', 'what a component really used, in base units (repeat)', lineSpec)
    .option('--partial', 'a partial completion: keep the rest reserved')
    .option('--close', 'close the order afterwards')
    .addOption(dbOption())
    .action(async (ref: string, options: { made: number; scrapped?: number; used?: LineSpec[]; partial?: boolean; close?: boolean; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const id = await findOrder(ctx, ref);
        const lines = [];
        for (const line of options.used ?? []) {
          const item = await findItemBySku(ctx.db.kysely, line.sku);
          if (!item) throw new Error(`no item with the SKU ${line.sku}`);
          lines.push({ item_id: item.id, qty_consumed: line.qty });
        }
        const body = completeBody.parse({
          qty_produced: options.made,
          ...(options.scrapped !== undefined ? { qty_scrapped: options.scrapped } : {}),
          ...(lines.length ? { lines } : {}),
          ...(options.partial ? { final: false } : {}),
        });
        let record = await completeProductionOrder(ctx, id, body);
        if (options.close) record = await closeProductionOrder(ctx, id);
        printOrder(record);
      });
    });

  production
    .command('show')
    .description('One production order.')
    .argument('<order>', 'PRD-000012 or its id')
    .addOption(dbOption())
    .action(async (ref: string, options: { db: string }) => {
      await withContext(options.db, async (ctx) => printOrder(await getProductionOrder(ctx, await findOrder(ctx, ref))));
    });
}
