import type { ServiceContext } from '../../src/platform/context.ts';
import type { ItemRow, LocationRow } from '../../src/platform/db/schema.ts';
import { createItem, type CreateItemInput } from '../../src/modules/catalog/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';

let skuCounter = 0;

export function uniqueSku(prefix = 'SKU'): string {
  skuCounter += 1;
  return `${prefix}-${process.pid}-${skuCounter}-${Math.floor(Math.random() * 1e6)}`;
}

export async function makeItem(ctx: ServiceContext, overrides: Partial<CreateItemInput> = {}): Promise<ItemRow> {
  return createItem(ctx, {
    sku: uniqueSku(),
    name: 'Test item',
    base_unit: 'ea',
    tracking: 'none',
    tracks_expiry: false,
    costing_method: 'fifo',
    stocked: true,
    units: [],
    barcodes: [],
    components: [],
    ...overrides,
  });
}

export interface Shop {
  store: LocationRow;
  storeBin: string;
  warehouse: LocationRow;
  warehouseBins: string[];
}

let siteCounter = 0;

/** A store (allow-negative, default bin only) and a warehouse (strict) with two bins in a zone. */
export async function makeShop(ctx: ServiceContext): Promise<Shop> {
  siteCounter += 1;
  const tag = `${process.pid % 10000}${siteCounter}`;
  const store = await createLocation(ctx, { kind: 'site', code: `S${tag}`, name: 'Store', site_type: 'store' });
  const warehouse = await createLocation(ctx, { kind: 'site', code: `W${tag}`, name: 'Warehouse', site_type: 'warehouse' });
  const zone = await createLocation(ctx, { kind: 'zone', parent_id: warehouse.id, code: 'A', name: 'Aisle A' });
  const bin1 = await createLocation(ctx, { kind: 'bin', parent_id: zone.id, code: '01', name: 'A-01', pick_order: 1 });
  const bin2 = await createLocation(ctx, { kind: 'bin', parent_id: zone.id, code: '02', name: 'A-02', pick_order: 2 });
  return { store, storeBin: store.default_bin_id!, warehouse, warehouseBins: [bin1.id, bin2.id] };
}
