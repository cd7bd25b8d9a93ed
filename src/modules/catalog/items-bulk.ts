import type { ServiceContext } from '../../platform/context.ts';
import type { ItemRow } from '../../platform/db/schema.ts';
import { insertRows } from '../../platform/db/insert-rows.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { assertPricePrecision } from '../../platform/money.ts';
import { readSettings } from '../settings/index.ts';
import { barcodeLookupKey } from './barcodes.ts';
import { CatalogError } from './catalog.errors.ts';
import { barcodesOf, newItemRow, prepareBarcodes, updateItem } from './items.service.ts';
import type { UpdateItemInput } from './catalog.schema.ts';

/**
 * Many items upserted by SKU in the caller's transaction, for imports. New items are written with
 * one multi-row insert per chunk (a 100,000-row catalogue would otherwise cost a round of queries
 * per row); an existing item is changed through `updateItem`, so it meets exactly the rules of
 * PATCH /items/:id, and an item whose fields already match is not touched at all, which is what
 * makes re-importing a file a no-op.
 */

export interface BulkItemInput {
  sku: string;
  name: string;
  /** undefined: the file has no such column, keep what the item has. */
  description?: string | null;
  category?: string | null;
  base_unit?: string;
  price?: number | null;
  barcodes?: string[];
}

export type BulkOutcome = 'created' | 'updated' | 'unchanged';

export interface BulkResult {
  /** The item as it stands in the caller's transaction after the upsert. */
  item: ItemRow;
  outcome: BulkOutcome;
}

// One statement per import batch: 500 rows of 21 columns stay under both databases' parameter limits.
const insertChunk = 500;

export async function upsertItemsBySku(ctx: ServiceContext & { trx: Trx }, inputs: readonly BulkItemInput[]): Promise<BulkResult[]> {
  const trx = ctx.trx;
  const currency = (await readSettings(trx)).base_currency;
  inputs.forEach((input, i) => input.price != null && assertPricePrecision([{ field: `rows.${i}.price`, micros: input.price }], currency));
  const keys = inputs.map((i) => i.sku.toUpperCase());
  const existing = new Map<string, ItemRow>();
  for (let i = 0; i < keys.length; i += 500) {
    for (const row of await trx.selectFrom('items').selectAll().where('sku_key', 'in', keys.slice(i, i + 500)).execute()) existing.set(row.sku_key, row);
  }
  const results: BulkResult[] = [];
  const fresh: Array<{ input: BulkItemInput; index: number }> = [];
  for (const [index, input] of inputs.entries()) {
    const current = existing.get(input.sku.toUpperCase());
    if (!current) {
      fresh.push({ input, index });
      continue;
    }
    const changes = changesOf(current, input);
    if (Object.keys(changes).length === 0) {
      results[index] = { item: current, outcome: 'unchanged' };
      continue;
    }
    const updated = await updateItem(ctx, current.id, changes);
    results[index] = { item: updated, outcome: 'updated' };
  }
  for (let i = 0; i < fresh.length; i += insertChunk) {
    const created = await insertItems(ctx, fresh.slice(i, i + insertChunk).map((f) => f.input));
    created.forEach((item, j) => (results[fresh[i + j]!.index] = { item, outcome: 'created' }));
  }
  return results;
}

/** The fields of PATCH /items/:id that would bring the item to the file's row; empty when it already matches. */
function changesOf(current: ItemRow, input: BulkItemInput): UpdateItemInput {
  const changes: Record<string, unknown> = {};
  if (input.name !== current.name) changes.name = input.name;
  if (input.description !== undefined && (input.description ?? null) !== current.description) changes.description = input.description;
  if (input.category !== undefined && (input.category ?? null) !== current.category) changes.category = input.category;
  if (input.base_unit !== undefined && input.base_unit !== current.base_unit) changes.base_unit = input.base_unit;
  if (input.price !== undefined && input.price !== current.price_micros) changes.price = input.price;
  if (input.barcodes !== undefined) {
    const have = barcodesOf(current).map((b) => barcodeLookupKey(b.code) ?? b.code).sort();
    const want = input.barcodes.map((b) => barcodeLookupKey(b) ?? b.trim()).sort();
    if (have.join('\u0000') !== want.join('\u0000')) changes.barcodes = input.barcodes;
  }
  return changes as UpdateItemInput;
}

async function insertItems(ctx: ServiceContext & { trx: Trx }, inputs: readonly BulkItemInput[]): Promise<ItemRow[]> {
  const trx = ctx.trx;
  const now = ctx.clock.now();
  const prepared = inputs.map((input) => ({ input, id: newId('itm', now), barcodes: prepareBarcodes(input.barcodes ?? []) }));
  const barcodeKeys = prepared.flatMap((p) => p.barcodes.map((b) => b.key));
  if (new Set(barcodeKeys).size !== barcodeKeys.length) throw new CatalogError('barcode_taken', 'Two items of the import share a barcode.');
  if (barcodeKeys.length) {
    const taken = await trx.selectFrom('item_barcodes').select(['code', 'item_id']).where('code_key', 'in', barcodeKeys).execute();
    if (taken.length) throw new CatalogError('barcode_taken', `Barcode ${taken.map((t) => t.code).join(', ')} already belongs to another item.`);
  }
  const rows = prepared.map(({ input, id, barcodes }) =>
    newItemRow(id, now, { ...input, base_unit: input.base_unit ?? 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', stocked: true }, { units: [], barcodes, components: [] }),
  );
  await insertRows(trx, 'items', rows);
  const barcodeRows = prepared.flatMap((p) => p.barcodes.map((b) => ({ code_key: b.key, code: b.code, kind: b.kind, item_id: p.id })));
  await insertRows(trx, 'item_barcodes', barcodeRows);
  return rows;
}
