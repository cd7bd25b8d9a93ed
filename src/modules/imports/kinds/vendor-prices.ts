import { canSeeCosts, reader, type ServiceContext } from '../../../platform/context.ts';
import type { ItemRow, VendorItemRow, VendorRow } from '../../../platform/db/schema.ts';
import type { Executor } from '../../../platform/db/transaction.ts';
import type { BulkOutcome } from '../../catalog/index.ts';
import { findUnit, setVendorItem, setVendorItemBody } from '../../purchasing/index.ts';
import { booleanCell, moneyCell, numberCell, seen, yesNo, zodFailures, type ImportKind, type KindRow } from './kind.ts';

/**
 * What vendors charge for items: one row per vendor and SKU with the vendor's SKU, the purchase
 * unit, the unit cost in the vendor's currency (per purchase unit), the minimum order and pack
 * multiple (in purchase units) and whether the vendor is the item's preferred one — the fields of
 * PUT /vendors/{id}/items/{item_id}, validated by its schema. The Currency column, when given,
 * must be the vendor's: prices are kept in it.
 */

interface VendorPriceRow extends KindRow {
  vendor: string;
  sku: string;
  currency: string | undefined;
  vendor_sku: string | null | undefined;
  purchase_unit: string | undefined;
  unit_cost: number;
  min_order_qty: number | null | undefined;
  pack_multiple: number | null | undefined;
  preferred: boolean | undefined;
}

const columns = [
  { key: 'vendor', label: 'Vendor', type: 'text', required: true },
  { key: 'sku', label: 'SKU', type: 'text', required: true },
  { key: 'vendor_sku', label: 'Vendor SKU', type: 'text' },
  { key: 'purchase_unit', label: 'Purchase unit', type: 'text' },
  { key: 'unit_cost', label: 'Unit cost', type: 'money', required: true, cost: true },
  { key: 'currency', label: 'Currency', type: 'text' },
  { key: 'min_order_qty', label: 'Minimum order', type: 'qty' },
  { key: 'pack_multiple', label: 'Pack multiple', type: 'qty' },
  { key: 'preferred', label: 'Preferred', type: 'text' },
] as const;

export const vendorPricesKind: ImportKind<VendorPriceRow> = {
  name: 'vendor-prices',
  title: 'Vendor prices',
  columns,
  parse(row, cells, fail) {
    const vendor = cells.get('vendor') ?? '';
    const sku = cells.get('sku') ?? '';
    if (!vendor) fail('vendor', 'required', 'name the vendor');
    if (!sku) fail('sku', 'required', 'give the item’s SKU');
    const body: Record<string, unknown> = { unit_cost: moneyCell(cells.get('unit_cost') ?? '') };
    const vendorSku = cells.get('vendor_sku');
    if (vendorSku !== undefined) body.vendor_sku = vendorSku === '' ? null : vendorSku;
    const unit = cells.get('purchase_unit');
    if (unit) body.purchase_unit = unit;
    for (const key of ['min_order_qty', 'pack_multiple'] as const) {
      const text = cells.get(key);
      if (text !== undefined) body[key] = text === '' ? null : numberCell(text);
    }
    const preferredText = cells.get('preferred');
    if (preferredText) {
      const preferred = booleanCell(preferredText);
      if (preferred === undefined) fail('preferred', 'invalid', 'yes or no');
      else body.preferred = preferred;
    }
    const currency = cells.get('currency')?.toUpperCase() || undefined;
    if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) fail('currency', 'invalid', 'an ISO 4217 code such as USD');
    const parsed = setVendorItemBody.safeParse(body);
    if (!parsed.success) zodFailures(parsed.error, body, fail);
    if (!parsed.success || !vendor || !sku) return null;
    return {
      row,
      vendor,
      sku,
      currency,
      vendor_sku: parsed.data.vendor_sku,
      purchase_unit: parsed.data.purchase_unit,
      unit_cost: parsed.data.unit_cost,
      min_order_qty: parsed.data.min_order_qty,
      pack_multiple: parsed.data.pack_multiple,
      preferred: parsed.data.preferred,
    };
  },
  async check(ctx, rows, state) {
    const errors: Array<{ row: number; key: string | null; code: string; message: string }> = [];
    const { vendors, items } = await references(reader(ctx), rows);
    for (const r of rows) {
      const fail = (key: string, code: string, message: string) => errors.push({ row: r.row, key, code, message });
      const vendor = vendors.get(r.vendor.toLowerCase());
      const item = items.get(r.sku.toUpperCase());
      if (!vendor) fail('vendor', 'unknown_vendor', `no vendor ${r.vendor}; import the vendors first`);
      if (!item) fail('sku', 'unknown_sku', `no item ${r.sku}`);
      if (vendor && r.currency !== undefined && r.currency !== vendor.currency) fail('currency', 'currency_mismatch', `${vendor.name} is priced in ${vendor.currency}`);
      if (item && r.purchase_unit !== undefined && !findUnit(item, r.purchase_unit)) fail('purchase_unit', 'unknown_unit', `${item.sku} has no unit ${r.purchase_unit}`);
      if (seen(state, 'pair', `${r.vendor.toLowerCase()}\u0001${r.sku.toUpperCase()}`)) fail('sku', 'duplicate', `${r.vendor} and ${r.sku} are on an earlier row of the file`);
      if (r.preferred && seen(state, 'preferred', r.sku.toUpperCase())) fail('preferred', 'duplicate', `another vendor of ${r.sku} is marked preferred earlier in the file; an item has one preferred vendor`);
    }
    return errors;
  },
  async apply(ctx, rows) {
    const { vendors, items } = await references(ctx.trx, rows);
    const outcomes: BulkOutcome[] = [];
    for (const r of rows) {
      const vendor = vendors.get(r.vendor.toLowerCase())!;
      const item = items.get(r.sku.toUpperCase())!;
      const current = await ctx.trx.selectFrom('vendor_items').selectAll().where('vendor_id', '=', vendor.id).where('item_id', '=', item.id).executeTakeFirst();
      const wanted = {
        vendor_sku: r.vendor_sku !== undefined ? r.vendor_sku : (current?.vendor_sku ?? null),
        purchase_unit: findUnit(item, r.purchase_unit ?? current?.purchase_unit)!.name,
        unit_cost: r.unit_cost,
        min_order_qty: r.min_order_qty !== undefined ? r.min_order_qty : current ? nullableNumber(current.min_order_qty) : null,
        pack_multiple: r.pack_multiple !== undefined ? r.pack_multiple : current ? nullableNumber(current.pack_multiple) : null,
        preferred: r.preferred ?? (current ? current.preferred === 1 : false),
      };
      if (current && same(current, wanted)) {
        outcomes.push('unchanged');
        continue;
      }
      await setVendorItem(ctx, vendor.id, item.id, wanted);
      outcomes.push(current ? 'updated' : 'created');
    }
    return outcomes;
  },
  async exportRows(ctx: ServiceContext) {
    const costs = canSeeCosts(ctx.actor);
    const rows = await reader(ctx)
      .selectFrom('vendor_items as vi')
      .innerJoin('vendors as v', 'v.id', 'vi.vendor_id')
      .innerJoin('items as i', 'i.id', 'vi.item_id')
      .select(['v.name', 'v.currency', 'i.sku', 'vi.vendor_sku', 'vi.purchase_unit', 'vi.unit_cost_micros', 'vi.min_order_qty', 'vi.pack_multiple', 'vi.preferred'])
      .where('v.status', '=', 'active')
      .where('i.status', '=', 'active')
      .orderBy('v.name_key')
      .orderBy('i.sku_key')
      .execute();
    return rows.map((r) => ({
      vendor: r.name,
      sku: r.sku,
      vendor_sku: r.vendor_sku,
      purchase_unit: r.purchase_unit,
      ...(costs ? { unit_cost: Number(r.unit_cost_micros) } : {}),
      currency: r.currency,
      min_order_qty: nullableNumber(r.min_order_qty),
      pack_multiple: nullableNumber(r.pack_multiple),
      preferred: yesNo(r.preferred === 1),
    }));
  },
};

function nullableNumber(value: number | null): number | null {
  return value === null ? null : Number(value);
}

function same(current: VendorItemRow, wanted: { vendor_sku: string | null; purchase_unit: string; unit_cost: number; min_order_qty: number | null; pack_multiple: number | null; preferred: boolean }): boolean {
  return (
    current.vendor_sku === wanted.vendor_sku &&
    current.purchase_unit === wanted.purchase_unit &&
    Number(current.unit_cost_micros) === wanted.unit_cost &&
    nullableNumber(current.min_order_qty) === wanted.min_order_qty &&
    nullableNumber(current.pack_multiple) === wanted.pack_multiple &&
    (current.preferred === 1) === wanted.preferred
  );
}

async function references(db: Executor, rows: readonly VendorPriceRow[]): Promise<{ vendors: Map<string, VendorRow>; items: Map<string, ItemRow> }> {
  if (rows.length === 0) return { vendors: new Map(), items: new Map() };
  const vendors = await db.selectFrom('vendors').selectAll().where('name_key', 'in', [...new Set(rows.map((r) => r.vendor.toLowerCase()))]).execute();
  const items = await db.selectFrom('items').selectAll().where('sku_key', 'in', [...new Set(rows.map((r) => r.sku.toUpperCase()))]).execute();
  return { vendors: new Map(vendors.map((v) => [v.name_key, v])), items: new Map(items.map((i) => [i.sku_key, i])) };
}
