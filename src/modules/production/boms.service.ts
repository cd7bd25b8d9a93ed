import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { BomLineRow, BomRow, ItemRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import type { FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { componentsOf, findItem, findItems } from '../catalog/index.ts';
import { currentUnitCosts } from '../costing/index.ts';
import { ProductionError } from './production.errors.ts';
import { toBaseQuantity, type CreateBomInput } from './production.schema.ts';

/**
 * Bills of materials of stocked items. A bill is versioned: saving a recipe adds a version and
 * marks the previous one superseded, so the orders made from it still say what they were made
 * from. A component that has a bill of its own is a sub-assembly (dough for loaves), made by
 * its own production order; the tree below walks the levels and rolls the standard cost up.
 * The catalog's `components` of a stocked item seed its first bill.
 */

export const PPM = 1_000_000;
/** Recipes are shallow; a deeper one is refused rather than walked forever. */
export const MAX_BOM_DEPTH = 8;

export interface BomRecord {
  bom: BomRow;
  lines: Array<BomLineRow & { sku: string; name: string; base_unit: string }>;
}

export async function createBomVersion(ctx: ServiceContext, itemId: string, input: CreateBomInput): Promise<BomRecord> {
  return inTransaction(ctx, async (trx) => {
    const item = await findItem(trx, itemId);
    if (!item) throw new ProductionError('bom_not_found', `No item ${itemId}.`);
    if (item.stocked !== 1 || item.status !== 'active') throw new ProductionError('bom_invalid', `${item.sku} is not an active stocked item; only stocked items are made by production.`);
    if (input.yield !== undefined && input.yield <= 0) {
      throw new ProductionError('bom_invalid', 'A yield of 0% makes nothing.', { errors: [{ field: 'body.yield', code: 'out_of_range', message: 'must be greater than zero' }] });
    }
    const lines = await prepareLines(trx, item, input);
    await assertNoCycle(trx, item.id, lines.map((l) => l.itemId));
    const now = ctx.clock.now();
    const last = await trx.selectFrom('boms').select(['version']).where('item_id', '=', item.id).orderBy('version', 'desc').limit(1).executeTakeFirst();
    await trx.updateTable('boms').set({ status: 'superseded' }).where('item_id', '=', item.id).where('status', '=', 'active').execute();
    const bom: BomRow = {
      id: newId('bom', now),
      item_id: item.id,
      version: (last?.version ?? 0) + 1,
      status: 'active',
      batch_qty: input.batch_qty,
      yield_ppm: input.yield ?? PPM,
      scrap_ppm: input.scrap ?? 0,
      labour_micros: input.labour ?? 0,
      labour_basis: input.labour_basis ?? 'batch',
      overhead_micros: input.overhead ?? 0,
      overhead_basis: input.overhead_basis ?? 'batch',
      shelf_life_days: input.shelf_life_days ?? null,
      note: input.note ?? null,
      created_by: ctx.actor.id,
      created_at: now,
    };
    await trx.insertInto('boms').values(bom).execute();
    await trx
      .insertInto('bom_lines')
      .values(lines.map((l, i) => ({ id: newId('bml', now), bom_id: bom.id, line_no: i + 1, component_item_id: l.itemId, qty: l.qty, unit: l.unit, unit_qty: l.unitQty })))
      .execute();
    return loadBom(trx, bom);
  });
}

interface PreparedLine {
  itemId: string;
  qty: number;
  unit: string | null;
  unitQty: number;
}

async function prepareLines(trx: Trx, item: ItemRow, input: CreateBomInput): Promise<PreparedLine[]> {
  const given = input.lines ?? componentsOf(item).map((c) => ({ item_id: c.item_id, qty: c.qty, unit: undefined }));
  if (given.length === 0) {
    throw new ProductionError('bom_invalid', `${item.sku} has no catalog components; give the bill's lines.`, { errors: [{ field: 'body.lines', code: 'required', message: 'give at least one component' }] });
  }
  const items = await findItems(trx, given.map((l) => l.item_id));
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const prepared: PreparedLine[] = [];
  for (const [i, line] of given.entries()) {
    const fail = (field: string, code: string, message: string) => errors.push({ field: `body.lines.${i}.${field}`, code, message });
    const component = items.get(line.item_id);
    if (!component) {
      fail('item_id', 'not_found', `no item ${line.item_id}`);
      continue;
    }
    if (component.stocked !== 1 || component.status !== 'active') {
      fail('item_id', 'not_stockable', `${component.sku} is not an active stocked item`);
      continue;
    }
    if (component.id === item.id) {
      fail('item_id', 'cycle', `${item.sku} cannot be a component of itself`);
      continue;
    }
    const qty = toBaseQuantity(component, line.qty, line.unit);
    if (qty === null || qty <= 0) {
      fail('unit', 'unknown_unit', `${component.sku} has no unit ${line.unit}, or ${line.qty / QTY_SCALE} ${line.unit} is not an exact number of thousandths of a ${component.base_unit}`);
      continue;
    }
    if (seen.has(component.id)) fail('item_id', 'duplicate', `${component.sku} is listed twice; give one line per component`);
    seen.add(component.id);
    prepared.push({ itemId: component.id, qty, unit: line.unit ?? null, unitQty: line.qty });
  }
  if (errors.length) throw new ProductionError('bom_invalid', errors[0]!.message, { errors });
  return prepared;
}

/** Refuses components that would make the item (through their active bills) a component of itself. */
async function assertNoCycle(trx: Trx, itemId: string, componentIds: string[]): Promise<void> {
  let frontier = [...new Set(componentIds)];
  const seen = new Set(frontier);
  for (let depth = 1; frontier.length > 0; depth += 1) {
    if (frontier.includes(itemId)) throw new ProductionError('bom_cycle', 'These components would make the item a component of itself.');
    if (depth > MAX_BOM_DEPTH) throw new ProductionError('bom_invalid', `Sub-assemblies nest more than ${MAX_BOM_DEPTH} levels deep.`);
    const rows = await trx
      .selectFrom('bom_lines as l')
      .innerJoin('boms as b', 'b.id', 'l.bom_id')
      .select('l.component_item_id')
      .where('b.item_id', 'in', frontier)
      .where('b.status', '=', 'active')
      .execute();
    frontier = [];
    for (const { component_item_id: id } of rows) {
      if (id === itemId) throw new ProductionError('bom_cycle', 'These components would make the item a component of itself.');
      if (!seen.has(id)) {
        seen.add(id);
        frontier.push(id);
      }
    }
  }
}

async function loadBom(db: Executor, bom: BomRow): Promise<BomRecord> {
  const lines = await db.selectFrom('bom_lines').selectAll().where('bom_id', '=', bom.id).orderBy('line_no').execute();
  const items = await findItems(db, lines.map((l) => l.component_item_id));
  return {
    bom,
    lines: lines.map((l) => {
      const c = items.get(l.component_item_id)!;
      return { ...l, sku: c.sku, name: c.name, base_unit: c.base_unit };
    }),
  };
}

export async function getBom(db: Executor, bomId: string): Promise<BomRecord> {
  const bom = await db.selectFrom('boms').selectAll().where('id', '=', bomId).executeTakeFirst();
  if (!bom) throw new ProductionError('bom_not_found', `No bill of materials ${bomId}.`);
  return loadBom(db, bom);
}

export async function findActiveBom(db: Executor, itemId: string): Promise<BomRecord | null> {
  const bom = await db.selectFrom('boms').selectAll().where('item_id', '=', itemId).where('status', '=', 'active').executeTakeFirst();
  return bom ? loadBom(db, bom) : null;
}

/** Every version of the item's bill, newest first. */
export async function listBomVersions(ctx: ServiceContext, itemId: string): Promise<BomRecord[]> {
  const db = reader(ctx);
  if (!(await findItem(db, itemId))) throw new ProductionError('bom_not_found', `No item ${itemId}.`);
  const boms = await db.selectFrom('boms').selectAll().where('item_id', '=', itemId).orderBy('version', 'desc').limit(100).execute();
  return Promise.all(boms.map((b) => loadBom(db, b)));
}

/** Component quantity for `qty` of output made with `bom`, loss allowance included. */
export function componentQtyFor(bom: BomRow, lineQty: number, outputQty: number): number {
  const base = mulDiv(lineQty, outputQty, bom.batch_qty);
  return base + mulDiv(base, bom.scrap_ppm, PPM);
}

/** Labour and overhead for `qty` of nominal output (batch basis) or `good` units made (unit basis). */
export function conversionCost(amountMicros: number, basis: 'batch' | 'unit', bom: BomRow, nominalQty: number, goodQty: number): number {
  return basis === 'batch' ? mulDiv(amountMicros, nominalQty, bom.batch_qty) : mulDiv(amountMicros, goodQty, QTY_SCALE);
}

export interface BomTreeNode {
  depth: number;
  parentItemId: string;
  itemId: string;
  sku: string;
  name: string;
  baseUnit: string;
  qty: number;
  subAssembly: boolean;
  unitCostMicros: number;
  costMicros: number;
}

export interface BomTree {
  itemId: string;
  bomId: string;
  version: number;
  unitCostMicros: number;
  nodes: BomTreeNode[];
}

/**
 * The item's active bill as a tree, depth first, with a standard cost at every level: a bought
 * component at its current cost, a sub-assembly at the cost rolled up from its own bill
 * (components with their loss allowance, plus labour and overhead, over the expected good output).
 */
export async function bomTree(ctx: ServiceContext, itemId: string): Promise<BomTree> {
  const db = reader(ctx);
  const root = await findActiveBom(db, itemId);
  if (!root) throw new ProductionError('bom_not_found', `No bill of materials for ${itemId}.`);
  const nodes: BomTreeNode[] = [];
  const unitCost = await rollUp(db, root, 1, nodes);
  return { itemId, bomId: root.bom.id, version: root.bom.version, unitCostMicros: unitCost, nodes };
}

async function rollUp(db: Executor, record: BomRecord, depth: number, nodes: BomTreeNode[]): Promise<number> {
  if (depth > MAX_BOM_DEPTH) throw new ProductionError('bom_invalid', `Sub-assemblies nest more than ${MAX_BOM_DEPTH} levels deep.`);
  const bom = record.bom;
  const costs = await currentUnitCosts(db, record.lines.map((l) => l.component_item_id));
  let batchCost = 0;
  for (const line of record.lines) {
    const sub = await findActiveBom(db, line.component_item_id);
    const index = nodes.length;
    const qty = componentQtyFor(bom, line.qty, bom.batch_qty);
    nodes.push({
      depth,
      parentItemId: bom.item_id,
      itemId: line.component_item_id,
      sku: line.sku,
      name: line.name,
      baseUnit: line.base_unit,
      qty: line.qty,
      subAssembly: sub !== null,
      unitCostMicros: 0,
      costMicros: 0,
    });
    const unit = sub ? await rollUp(db, sub, depth + 1, nodes) : (costs.get(line.component_item_id) ?? 0);
    const cost = mulDiv(qty, unit, QTY_SCALE);
    nodes[index] = { ...nodes[index]!, unitCostMicros: unit, costMicros: cost };
    batchCost += cost;
  }
  const expectedGood = mulDiv(bom.batch_qty, bom.yield_ppm, PPM);
  batchCost += conversionCost(bom.labour_micros, bom.labour_basis, bom, bom.batch_qty, expectedGood);
  batchCost += conversionCost(bom.overhead_micros, bom.overhead_basis, bom, bom.batch_qty, expectedGood);
  return expectedGood > 0 ? mulDiv(batchCost, QTY_SCALE, expectedGood) : 0;
}
