import { toIso } from '../../platform/clock.ts';
import type { LocationRow } from '../../platform/db/schema.ts';
import type { LocationJson, LocationNodeJson } from './locations.schema.ts';
import { holdsStock } from './locations.service.ts';

export function toLocationJson(row: LocationRow): LocationJson {
  return {
    id: row.id,
    kind: row.kind,
    parent_id: row.parent_id,
    site_id: row.site_id,
    code: row.code,
    full_code: row.full_code,
    name: row.name,
    site_type: row.site_type,
    virtual_type: row.virtual_type,
    negative_stock: row.negative_stock,
    default_bin_id: row.default_bin_id,
    pick_order: row.pick_order,
    purpose: row.purpose,
    address: row.address,
    holds_stock: holdsStock(row),
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

/** Rows sorted by path become a forest; a child whose parent is not in the list becomes a root. */
export function toLocationTree(rows: LocationRow[]): LocationNodeJson[] {
  const nodes = new Map<string, LocationNodeJson>();
  const roots: LocationNodeJson[] = [];
  for (const row of rows) {
    const node: LocationNodeJson = { ...toLocationJson(row), children: [] };
    nodes.set(row.id, node);
    const parent = row.parent_id ? nodes.get(row.parent_id) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const byOrder = (a: LocationNodeJson, b: LocationNodeJson) => a.pick_order - b.pick_order || a.code.localeCompare(b.code);
  const sortDeep = (list: LocationNodeJson[]) => {
    list.sort(byOrder);
    for (const n of list) sortDeep(n.children);
  };
  sortDeep(roots);
  return roots;
}
