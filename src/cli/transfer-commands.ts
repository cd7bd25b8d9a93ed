import { withServiceContext } from './service-context.ts';
import { InvalidArgumentError, type Command, type Option } from 'commander';
import type { ServiceContext } from '../platform/context.ts';
import { formatQuantity, parseQuantity } from '../platform/quantity.ts';
import { findItemBySku } from '../modules/catalog/index.ts';
import { findSiteByCode } from '../modules/locations/index.ts';
import { closeTransfer, createTransfer, getTransfer, listTransfers, receiveTransfer, shipTransfer, type TransferRecord } from '../modules/transfers/index.ts';
import { createTransferBody } from '../modules/transfers/transfers.schema.ts';

/**
 * `stockroom transfer …`: send stock between sites from a script (a nightly replenishment run,
 * a one-off move), through the same services as the API, acting as the system. Sites are named
 * by code and items by SKU; quantities are in base units.
 */

const withContext = <T>(url: string, work: (ctx: ServiceContext) => Promise<T>): Promise<T> => withServiceContext(url, work, { showCode: true });

interface LineSpec {
  sku: string;
  qty: number;
}

/** `SKU=QTY`, QTY in base units with at most three decimals. */
function lineSpec(value: string, previous: LineSpec[] = []): LineSpec[] {
  const eq = value.lastIndexOf('=');
  const sku = value.slice(0, eq).trim();
  const qty = Number(value.slice(eq + 1));
  if (eq <= 0 || !sku || !parseQuantity(qty).ok || qty <= 0) throw new InvalidArgumentError('a line is SKU=QTY, e.g. TEA-EARL=12');
  return [...previous, { sku, qty }];
}

async function siteId(ctx: ServiceContext, code: string): Promise<string> {
  const site = await findSiteByCode(ctx.db.kysely, code);
  if (!site) throw new Error(`no site with the code ${code}`);
  return site.id;
}

async function itemLines(ctx: ServiceContext, lines: LineSpec[]) {
  const out = [];
  for (const line of lines) {
    const item = await findItemBySku(ctx.db.kysely, line.sku);
    if (!item) throw new Error(`no item with the SKU ${line.sku}`);
    out.push({ item, qty: line.qty });
  }
  return out;
}

function printTransfer(record: TransferRecord): void {
  const t = record.transfer;
  console.log(`${t.number}  ${t.id}  ${t.status}  ${record.sourceSite.code} → ${record.destinationSite.code}`);
  for (const l of record.lines) {
    const inTransit = l.inTransit.reduce((s, x) => s + x.qty, 0);
    console.log(
      `  ${String(l.line_no).padStart(3)}  ${l.sku.padEnd(16)} asked ${formatQuantity(l.qty_requested)}  shipped ${formatQuantity(l.qty_shipped)}  received ${formatQuantity(l.qty_received)}` +
        `  damaged ${formatQuantity(l.qty_damaged)}  lost ${formatQuantity(l.qty_lost)}  in transit ${formatQuantity(inTransit)}`,
    );
  }
  for (const d of record.discrepancies) console.log(`  ! ${d.kind}: ${d.detail}`);
}

async function findTransfer(ctx: ServiceContext, ref: string): Promise<string> {
  if (ref.startsWith('trf_')) return ref;
  const row = await ctx.db.kysely.selectFrom('transfers').select('id').where('number', '=', ref.toUpperCase()).executeTakeFirst();
  if (!row) throw new Error(`no transfer ${ref}`);
  return row.id;
}

export function addTransferCommands(program: Command, dbOption: () => Option): void {
  const transfer = program.command('transfer').description('Send stock between sites: create, ship, receive, list, show.');

  transfer
    .command('create')
    .description('Allocate and reserve stock at the source for a new transfer.')
    .requiredOption('--from <site>', 'source site code')
    .requiredOption('--to <site>', 'destination site code')
    .requiredOption('--line <SKU=QTY>', 'an item and its quantity in base units (repeat for more lines)', lineSpec)
    .option('--note <text>', 'a note on the transfer')
    .option('--ship', 'ship it at once')
    .addOption(dbOption())
    .action(async (options: { from: string; to: string; line: LineSpec[]; note?: string; ship?: boolean; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const lines = await itemLines(ctx, options.line);
        const body = createTransferBody.parse({
          source_site_id: await siteId(ctx, options.from),
          destination_site_id: await siteId(ctx, options.to),
          ...(options.note ? { note: options.note } : {}),
          lines: lines.map((l) => ({ item_id: l.item.id, qty: l.qty })),
        });
        let record = await createTransfer(ctx, body);
        if (options.ship) record = await shipTransfer(ctx, record.transfer.id, {});
        printTransfer(record);
      });
    });

  transfer
    .command('ship')
    .description('Ship what is picked (or, with nothing picked, everything allocated) into transit.')
    .argument('<transfer>', 'TRF-000012 or its id')
    .addOption(dbOption())
    .action(async (ref: string, options: { db: string }) => {
      await withContext(options.db, async (ctx) => printTransfer(await shipTransfer(ctx, await findTransfer(ctx, ref), {})));
    });

  transfer
    .command('receive')
    .description('Receive at the destination: everything in transit, or the lines given (short and damaged are flagged).')
    .argument('<transfer>', 'TRF-000012 or its id')
    .option('--line <SKU=QTY>', 'good units received of an item (repeat); without it, everything in transit', lineSpec)
    .option('--damaged <SKU=QTY>', 'units of an item that arrived damaged (repeat)', lineSpec)
    .option('--close', 'close the transfer afterwards, writing off what is still in transit')
    .addOption(dbOption())
    .action(async (ref: string, options: { line?: LineSpec[]; damaged?: LineSpec[]; close?: boolean; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const id = await findTransfer(ctx, ref);
        const good = await itemLines(ctx, options.line ?? []);
        const damaged = await itemLines(ctx, options.damaged ?? []);
        const itemIds = [...new Set([...good, ...damaged].map((l) => l.item.id))];
        const scale = (n: number) => Math.round(n * 1000);
        const lines = itemIds.map((itemId) => ({
          item_id: itemId,
          qty: scale(good.filter((l) => l.item.id === itemId).reduce((s, l) => s + l.qty, 0)),
          damaged_qty: scale(damaged.filter((l) => l.item.id === itemId).reduce((s, l) => s + l.qty, 0)),
        }));
        const record = await receiveTransfer(ctx, id, { ...(lines.length ? { lines } : {}), ...(options.close ? { close: true } : {}) });
        printTransfer(record);
      });
    });

  transfer
    .command('close')
    .description('Close a transfer: release what never shipped, write off what is still in transit.')
    .argument('<transfer>', 'TRF-000012 or its id')
    .addOption(dbOption())
    .action(async (ref: string, options: { db: string }) => {
      await withContext(options.db, async (ctx) => printTransfer(await closeTransfer(ctx, await findTransfer(ctx, ref))));
    });

  transfer
    .command('show')
    .description('One transfer with its lines and discrepancies.')
    .argument('<transfer>', 'TRF-000012 or its id')
    .addOption(dbOption())
    .action(async (ref: string, options: { db: string }) => {
      await withContext(options.db, async (ctx) => printTransfer(await getTransfer(ctx, await findTransfer(ctx, ref))));
    });

  transfer
    .command('list')
    .description('The latest transfers, newest first.')
    .option('--status <status>', 'only transfers in this status (requested, draft, picked, in_transit, received, closed, cancelled)')
    .option('--site <code>', 'only transfers from or to this site')
    .addOption(dbOption())
    .action(async (options: { status?: string; site?: string; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const page = await listTransfers(ctx, {
          ...(options.status ? { status: options.status as never } : {}),
          ...(options.site ? { siteId: await siteId(ctx, options.site) } : {}),
          limit: 50,
        });
        if (page.records.length === 0) console.log('No transfers.');
        for (const record of page.records) printTransfer(record);
      });
    });
}
