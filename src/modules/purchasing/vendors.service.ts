import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import { isUniqueViolation } from '../../platform/db/dialect.ts';
import type { ItemRow, VendorItemRow, VendorRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { findItem, getItem } from '../catalog/index.ts';
import { readSettings } from '../settings/index.ts';
import { findUnit } from './conversion.ts';
import { PurchasingError } from './purchasing.errors.ts';

/**
 * Vendors and what they sell: per item, the vendor's SKU, the unit it sells in (a case of 12),
 * its price in the vendor's currency per that unit, the minimum order and pack multiple, and
 * whether it is the item's preferred vendor (at most one per item).
 */

export interface VendorInput {
  name: string;
  email?: string | null;
  phone?: string | null;
  contact_name?: string | null;
  currency?: string;
  payment_terms?: string | null;
  lead_time_days?: number | null;
  over_receipt_tolerance?: number;
  notes?: string | null;
}

export type VendorPatch = Partial<VendorInput> & { status?: 'active' | 'archived' };

export interface VendorItemInput {
  vendor_sku?: string | null;
  purchase_unit?: string;
  unit_cost: number;
  min_order_qty?: number | null;
  pack_multiple?: number | null;
  preferred?: boolean;
}

export async function findVendor(db: Executor, id: string): Promise<VendorRow | undefined> {
  return db.selectFrom('vendors').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getVendor(ctx: ServiceContext, id: string): Promise<VendorRow> {
  const row = await findVendor(reader(ctx), id);
  if (!row) throw new PurchasingError('vendor_not_found', `No vendor ${id}.`, { extra: { vendor_id: id } });
  return row;
}

function nameTaken(name: string): PurchasingError {
  return new PurchasingError('vendor_name_taken', `A vendor named ${name} already exists.`, { extra: { name } });
}

export async function createVendor(ctx: ServiceContext, input: VendorInput): Promise<VendorRow> {
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    const currency = input.currency ?? (await readSettings(trx)).base_currency;
    const row: VendorRow = {
      id: newId('ven', now),
      name: input.name,
      name_key: input.name.toLowerCase(),
      email: input.email ?? null,
      phone: input.phone ?? null,
      contact_name: input.contact_name ?? null,
      currency,
      payment_terms: input.payment_terms ?? null,
      lead_time_days: input.lead_time_days ?? null,
      over_receipt_tolerance: input.over_receipt_tolerance ?? 0,
      notes: input.notes ?? null,
      status: 'active',
      created_at: now,
      updated_at: now,
    };
    if (await trx.selectFrom('vendors').select('id').where('name_key', '=', row.name_key).executeTakeFirst()) throw nameTaken(input.name);
    try {
      await trx.insertInto('vendors').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(input.name);
      throw error;
    }
    return row;
  });
}

export async function updateVendor(ctx: ServiceContext, id: string, patch: VendorPatch): Promise<VendorRow> {
  return inTransaction(ctx, async (trx) => {
    const current = await getVendor({ ...ctx, trx }, id);
    if (patch.name !== undefined && patch.name.toLowerCase() !== current.name_key) {
      const clash = await trx.selectFrom('vendors').select('id').where('name_key', '=', patch.name.toLowerCase()).executeTakeFirst();
      if (clash) throw nameTaken(patch.name);
    }
    // Orders keep the currency they were priced in; a vendor with orders keeps its currency too.
    if (patch.currency !== undefined && patch.currency !== current.currency && (await hasPurchaseOrders(trx, id))) {
      throw new PurchasingError('vendor_currency_locked', `${current.name} has purchase orders in ${current.currency}; its currency cannot change.`);
    }
    const { name, ...rest } = patch;
    await trx
      .updateTable('vendors')
      .set({ ...rest, ...(name !== undefined ? { name, name_key: name.toLowerCase() } : {}), updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .execute();
    return (await findVendor(trx, id))!;
  });
}

async function hasPurchaseOrders(db: Executor, vendorId: string): Promise<boolean> {
  const row = await db.selectFrom('purchase_orders').select('id').where('vendor_id', '=', vendorId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Only a vendor nobody ordered from or received from can be deleted; archive the others. */
export async function deleteVendor(ctx: ServiceContext, id: string): Promise<void> {
  await inTransaction(ctx, async (trx) => {
    await getVendor({ ...ctx, trx }, id);
    const receipt = await trx.selectFrom('receipts').select('id').where('vendor_id', '=', id).limit(1).executeTakeFirst();
    if (receipt || (await hasPurchaseOrders(trx, id))) {
      throw new PurchasingError('vendor_in_use', 'The vendor has purchase orders or receipts; archive it instead (PATCH status=archived).');
    }
    await trx.deleteFrom('vendor_items').where('vendor_id', '=', id).execute();
    await trx.deleteFrom('vendors').where('id', '=', id).execute();
  });
}

export async function listVendors(
  ctx: ServiceContext,
  query: { q?: string; status: 'active' | 'archived' | 'all'; limit: number; cursor?: string },
): Promise<{ rows: VendorRow[]; nextCursor: string | null }> {
  let q = reader(ctx).selectFrom('vendors').selectAll();
  if (query.status !== 'all') q = q.where('status', '=', query.status);
  if (query.q) q = q.where('name_key', 'like', `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const after = decodeCursor(query.cursor, ['string', 'string']);
  if (after) q = q.where((eb) => eb.or([eb('name_key', '>', after[0] as string), eb.and([eb('name_key', '=', after[0] as string), eb('id', '>', after[1] as string)])]));
  const rows = await q.orderBy('name_key').orderBy('id').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1];
  return { rows: page, nextCursor: more && last ? encodeCursor([last.name_key, last.id]) : null };
}

export async function findVendorItem(db: Executor, vendorId: string, itemId: string): Promise<VendorItemRow | undefined> {
  return db.selectFrom('vendor_items').selectAll().where('vendor_id', '=', vendorId).where('item_id', '=', itemId).executeTakeFirst();
}

async function itemForTerms(trx: Trx, itemId: string): Promise<ItemRow> {
  const item = await findItem(trx, itemId);
  if (!item) throw new PurchasingError('vendor_item_invalid', `No item ${itemId}.`, { errors: [{ field: 'params.item_id', code: 'not_found', message: `no item ${itemId}` }] });
  return item;
}

/** Sets (creates or replaces) the vendor's terms for an item. Making it preferred un-prefers the item's other vendor. */
export async function setVendorItem(ctx: ServiceContext, vendorId: string, itemId: string, input: VendorItemInput): Promise<VendorItemRow> {
  return inTransaction(ctx, async (trx) => {
    await getVendor({ ...ctx, trx }, vendorId);
    const item = await itemForTerms(trx, itemId);
    const unit = findUnit(item, input.purchase_unit);
    if (!unit) {
      throw new PurchasingError('vendor_item_invalid', `${item.sku} has no unit ${input.purchase_unit}.`, {
        errors: [{ field: 'body.purchase_unit', code: 'unknown_unit', message: `one of ${[item.base_unit, ...JSON.parse(item.units_json).map((u: { name: string }) => u.name)].join(', ')}` }],
      });
    }
    const now = ctx.clock.now();
    const existing = await findVendorItem(trx, vendorId, itemId);
    const preferred = input.preferred ?? (existing ? existing.preferred === 1 : false);
    if (preferred) {
      await trx.updateTable('vendor_items').set({ preferred: 0, updated_at: now }).where('item_id', '=', itemId).where('vendor_id', '<>', vendorId).where('preferred', '=', 1).execute();
    }
    const row: VendorItemRow = {
      vendor_id: vendorId,
      item_id: itemId,
      vendor_sku: input.vendor_sku ?? null,
      purchase_unit: unit.name,
      unit_cost_micros: input.unit_cost,
      min_order_qty: input.min_order_qty ?? null,
      pack_multiple: input.pack_multiple ?? null,
      preferred: preferred ? 1 : 0,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    const { vendor_id: _v, item_id: _i, created_at: _c, ...changes } = row;
    await trx
      .insertInto('vendor_items')
      .values(row)
      .onConflict((oc) => oc.columns(['vendor_id', 'item_id']).doUpdateSet(changes))
      .execute();
    return row;
  });
}

export async function deleteVendorItem(ctx: ServiceContext, vendorId: string, itemId: string): Promise<void> {
  await inTransaction(ctx, async (trx) => {
    const deleted = await trx.deleteFrom('vendor_items').where('vendor_id', '=', vendorId).where('item_id', '=', itemId).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw new PurchasingError('vendor_item_not_found', `Vendor ${vendorId} has no terms for ${itemId}.`);
  });
}

export async function listVendorItems(ctx: ServiceContext, vendorId: string): Promise<VendorItemRow[]> {
  await getVendor(ctx, vendorId);
  return reader(ctx).selectFrom('vendor_items').selectAll().where('vendor_id', '=', vendorId).orderBy('item_id').limit(5000).execute();
}

/** The vendors that sell an item, the preferred one first. */
export async function listItemVendors(ctx: ServiceContext, itemId: string): Promise<VendorItemRow[]> {
  await getItem(ctx, itemId);
  return reader(ctx).selectFrom('vendor_items').selectAll().where('item_id', '=', itemId).orderBy('preferred', 'desc').orderBy('vendor_id').limit(500).execute();
}
