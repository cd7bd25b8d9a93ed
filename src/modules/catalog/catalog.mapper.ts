import { toIso } from '../../platform/clock.ts';
import type { ItemRow } from '../../platform/db/schema.ts';
import { formatMoneyOrNull } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import type { ItemJson } from './catalog.schema.ts';
import { barcodesOf, componentsOf, unitsOf } from './items.service.ts';

export function toItemJson(row: ItemRow): ItemJson {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    base_unit: row.base_unit,
    units: unitsOf(row).map((u) => ({ name: u.name, factor: quantityToNumber(u.factor) })),
    barcodes: barcodesOf(row),
    tracking: row.tracking,
    tracks_expiry: row.tracks_expiry === 1,
    costing_method: row.costing_method,
    price: formatMoneyOrNull(row.price_micros),
    unit_weight_g: row.unit_weight_mg === null ? null : quantityToNumber(row.unit_weight_mg),
    reorder_point: row.reorder_point === null ? null : quantityToNumber(row.reorder_point),
    stocked: row.stocked === 1,
    components: componentsOf(row).map((c) => ({ item_id: c.item_id, qty: quantityToNumber(c.qty) })),
    status: row.status,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}
