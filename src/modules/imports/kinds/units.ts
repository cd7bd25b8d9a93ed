import { reader, type ServiceContext } from '../../../platform/context.ts';
import type { ItemRow } from '../../../platform/db/schema.ts';
import type { Executor } from '../../../platform/db/transaction.ts';
import { MAX_ITEM_UNITS, purchaseUnitInput, unitsOf, updateItem, type BulkOutcome, type PurchaseUnit } from '../../catalog/index.ts';
import { numberCell, seen, zodFailures, type Fail, type ImportKind, type KindRow } from './kind.ts';

/**
 * Items' purchase units (a case of 12, a pallet of 480): one row per SKU and unit with how many
 * base units one of it holds, validated as PATCH /items/{id} validates `units`. A unit the item
 * has (by name, any case) gets the row's factor and spelling, a new one is added after the
 * item's others; units the file leaves out are kept, so a file of only the new cases is enough.
 * The Base unit column, which the export writes for whoever reads the file, must be the item's
 * when given: a factor counted in another unit would be wrong by that unit's size.
 */

interface UnitImportRow extends KindRow {
  sku: string;
  base_unit: string | undefined;
  unit: string;
  factor: number;
}

const columns = [
  { key: 'sku', label: 'SKU', type: 'text', required: true },
  { key: 'base_unit', label: 'Base unit', type: 'text' },
  { key: 'unit', label: 'Unit', type: 'text', required: true },
  { key: 'factor', label: 'Factor', type: 'qty', required: true },
] as const;

export const unitsKind: ImportKind<UnitImportRow> = {
  name: 'units',
  title: 'Units of measure',
  columns,
  parse(row, cells, fail) {
    const sku = cells.get('sku') ?? '';
    if (!sku) fail('sku', 'required', 'give the item’s SKU');
    const body = { name: cells.get('unit') ?? '', factor: numberCell(cells.get('factor') ?? '') };
    const parsed = purchaseUnitInput.safeParse(body);
    // The schema names its fields as the API does (name, factor); the file calls the name Unit.
    const onColumn: Fail = (key, code, message) => fail(key === 'name' ? 'unit' : key, code, message);
    if (!parsed.success) zodFailures(parsed.error, body, onColumn);
    if (!parsed.success || !sku) return null;
    return { row, sku, base_unit: cells.get('base_unit') || undefined, unit: parsed.data.name, factor: parsed.data.factor };
  },
  async check(ctx, rows, state) {
    const errors: Array<{ row: number; key: string | null; code: string; message: string }> = [];
    const items = await bySku(reader(ctx), rows);
    for (const r of rows) {
      const fail = (key: string, code: string, message: string) => errors.push({ row: r.row, key, code, message });
      const set = `units\u0001${r.sku.toUpperCase()}`;
      const unitKey = r.unit.toLowerCase();
      if (seen(state, set, unitKey)) {
        fail('unit', 'duplicate', `${r.sku} ${r.unit} is on an earlier row of the file`);
        continue;
      }
      const item = items.get(r.sku.toUpperCase());
      if (!item) {
        fail('sku', 'unknown_sku', `no item ${r.sku}`);
        continue;
      }
      // The item API's rules: items.service.ts prepareUnits, and the schema's limit on units.
      if (unitKey === item.base_unit.toLowerCase()) fail('unit', 'base_unit', `${r.unit} is ${item.sku}’s base unit; a purchase unit needs another name`);
      if (r.base_unit !== undefined && r.base_unit.toLowerCase() !== item.base_unit.toLowerCase()) fail('base_unit', 'base_unit_mismatch', `${item.sku} is counted in ${item.base_unit}, not ${r.base_unit}`);
      const names = new Set([...unitsOf(item).map((u) => u.name.toLowerCase()), ...state.get(set)!]);
      if (names.size > MAX_ITEM_UNITS) fail('unit', 'too_many', `${item.sku} would have more than ${MAX_ITEM_UNITS} units`);
    }
    return errors;
  },
  async apply(ctx, rows) {
    const items = await bySku(ctx.trx, rows);
    const outcomes: BulkOutcome[] = [];
    const changed = new Map<string, PurchaseUnit[]>();
    for (const r of rows) {
      const item = items.get(r.sku.toUpperCase());
      // Checked before, but an item may be deleted while a large file is applied.
      if (!item) throw new Error(`No item ${r.sku} any more.`);
      const units = changed.get(item.id) ?? unitsOf(item);
      const i = units.findIndex((u) => u.name.toLowerCase() === r.unit.toLowerCase());
      if (i >= 0 && units[i]!.name === r.unit && units[i]!.factor === r.factor) {
        outcomes.push('unchanged');
        continue;
      }
      // Changed in place, so the item's units keep their order and the export its rows.
      if (i < 0) units.push({ name: r.unit, factor: r.factor });
      else units[i] = { name: r.unit, factor: r.factor };
      changed.set(item.id, units);
      outcomes.push(i < 0 ? 'created' : 'updated');
    }
    for (const [id, units] of changed) await updateItem(ctx, id, { units });
    return outcomes;
  },
  async exportRows(ctx: ServiceContext) {
    const items = await reader(ctx).selectFrom('items').select(['sku', 'base_unit', 'units_json']).where('status', '=', 'active').where('units_json', '<>', '[]').orderBy('sku_key').execute();
    return items.flatMap((item) => unitsOf(item).map((u) => ({ sku: item.sku, base_unit: item.base_unit, unit: u.name, factor: u.factor })));
  },
};

async function bySku(db: Executor, rows: readonly UnitImportRow[]): Promise<Map<string, ItemRow>> {
  if (rows.length === 0) return new Map();
  const found = await db.selectFrom('items').selectAll().where('sku_key', 'in', [...new Set(rows.map((r) => r.sku.toUpperCase()))]).execute();
  return new Map(found.map((i) => [i.sku_key, i]));
}
