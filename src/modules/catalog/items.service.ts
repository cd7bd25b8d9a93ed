import { sql } from 'kysely';
import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../../platform/db/dialect.ts';
import type { ItemRow } from '../../platform/db/schema.ts';
import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import { inList } from '../../platform/db/id-lists.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import type { FieldError } from '../../platform/errors.ts';
import { decodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { assertPricePrecision } from '../../platform/money.ts';
import { readSettings } from '../settings/index.ts';
import { hasMovements, hasPhysicalStock } from '../ledger/index.ts';
import { barcodeLookupKey, parseBarcode, type BarcodeKind } from './barcodes.ts';
import { CatalogError } from './catalog.errors.ts';
import type { CreateItemInput, ListItemsQuery, UpdateItemInput } from './catalog.schema.ts';
import { assertNoComponentCycle } from './components.ts';
import { isUsedByModifier } from './modifiers.service.ts';

/**
 * Items and their barcodes, purchase units and components. The item row carries its own
 * representation of all three (units_json, barcodes_json, components_json) so a scan or an item
 * page is one indexed read; item_barcodes and item_components are the indexes behind barcode
 * uniqueness, look-up by barcode and where-used queries, written in the same transaction.
 */

export interface PurchaseUnit {
  name: string;
  factor: number;
}
export interface StoredBarcode {
  code: string;
  kind: BarcodeKind;
}
export interface Component {
  item_id: string;
  qty: number;
}

export function unitsOf(row: Pick<ItemRow, 'units_json'>): PurchaseUnit[] {
  return JSON.parse(row.units_json) as PurchaseUnit[];
}
export function barcodesOf(row: Pick<ItemRow, 'barcodes_json'>): StoredBarcode[] {
  return JSON.parse(row.barcodes_json) as StoredBarcode[];
}
export function componentsOf(row: Pick<ItemRow, 'components_json'>): Component[] {
  return JSON.parse(row.components_json) as Component[];
}

export async function findItem(db: Executor, id: string): Promise<ItemRow | undefined> {
  return db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getItem(ctx: ServiceContext, id: string): Promise<ItemRow> {
  const row = await findItem(reader(ctx), id);
  if (!row) throw new CatalogError('item_not_found', `No item ${id}.`, { extra: { item_id: id } });
  return row;
}

export async function findItemBySku(db: Executor, sku: string): Promise<ItemRow | undefined> {
  return db.selectFrom('items').selectAll().where('sku_key', '=', sku.trim().toUpperCase()).executeTakeFirst();
}

/** The scanner's look-up: one primary-key probe joined to the item row. */
export async function findItemByBarcode(db: Executor, code: string): Promise<{ item: ItemRow; matched: string } | undefined> {
  const key = barcodeLookupKey(code);
  if (key === null) return undefined;
  const row = await db
    .selectFrom('item_barcodes as b')
    .innerJoin('items as i', 'i.id', 'b.item_id')
    .selectAll('i')
    .select('b.code as matched_code')
    .where('b.code_key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  const { matched_code, ...item } = row;
  return { item, matched: matched_code };
}

export interface ItemRefs {
  ids: readonly string[];
  skus: readonly string[];
  barcodes: readonly string[];
}

export interface ResolvedItems {
  byId: Map<string, ItemRow>;
  /** Keyed by the SKU's key (upper case). */
  bySku: Map<string, ItemRow>;
  /** Keyed by the barcode's lookup key (see barcodeLookupKey). */
  byBarcode: Map<string, ItemRow>;
  /**
   * With `saleFacts`: the items offered with at least one modifier of an active group (exactly
   * those loadOfferedModifiers finds anything for) and the tax-exempt items, read with the items.
   */
  offersModifiers?: Set<string>;
  taxExempt?: Set<string>;
}

/**
 * The checkout's read of its lines' items, built once per shape (see cachedQuery): which of the
 * three lists are given, their lengths, and whether a counter sale's facts come with it.
 */
const itemRefsRead = (db: Executor, args: ItemRefKeys, saleFacts: boolean) =>
  db
    .selectFrom('items as i')
    .$if(args.barcodeKeys.length > 0, (q) => q.leftJoin('item_barcodes as b', (join) => join.onRef('b.item_id', '=', 'i.id').on('b.code_key', 'in', [...args.barcodeKeys])))
    .selectAll('i')
    .$if(args.barcodeKeys.length > 0, (q) => q.select(sql<string | null>`b.code_key`.as('matched_key')))
    // A counter sale asks two more things of each item in the same statement: on PostgreSQL
    // every statement is a round trip, and a sale without modifiers or exemptions then reads no
    // more for them. The first mirrors loadOfferedModifiers' joins and filter exactly.
    .$if(saleFacts, (q) =>
      q.select((eb) => [
        eb
          .case()
          .when(
            eb.exists(
              eb
                .selectFrom('item_modifier_groups as img')
                .innerJoin('modifier_groups as g', 'g.id', 'img.group_id')
                .innerJoin('modifiers as m', 'm.group_id', 'g.id')
                .select(sql.lit(1).as('one'))
                .whereRef('img.item_id', '=', 'i.id')
                .where('g.status', '=', 'active'),
            ),
          )
          .then(sql.lit(1))
          .else(sql.lit(0))
          .end()
          .as('offers_modifiers'),
        eb
          .case()
          .when(eb.exists(eb.selectFrom('tax_exempt_items as e').select(sql.lit(1).as('one')).whereRef('e.item_id', '=', 'i.id')))
          .then(sql.lit(1))
          .else(sql.lit(0))
          .end()
          .as('tax_exempt'),
      ]),
    )
    .where((eb) =>
      eb.or([
        ...(args.ids.length ? [eb('i.id', 'in', [...args.ids])] : []),
        ...(args.skuKeys.length ? [eb('i.sku_key', 'in', [...args.skuKeys])] : []),
        ...(args.barcodeKeys.length ? [eb(sql.ref('b.code_key'), 'in', [...args.barcodeKeys])] : []),
      ]),
    );
const itemRefsQuery = cachedQuery(itemRefsRead);

/** The lookup keys of the items a till names: ids, SKU keys and barcode keys, each once. */
export type ItemRefKeys = {
  ids: readonly string[];
  skuKeys: readonly string[];
  barcodeKeys: readonly string[];
};

export function itemRefKeys(refs: ItemRefs): ItemRefKeys {
  return {
    ids: [...new Set(refs.ids)],
    skuKeys: [...new Set(refs.skus.map((s) => s.trim().toUpperCase()))],
    barcodeKeys: [...new Set(refs.barcodes.map(barcodeLookupKey).filter((k): k is string => k !== null))],
  };
}

/** A counter sale's read of its items with their sale facts, for a caller that reads it with others (cachedReads); at least one key must be given. */
export const saleItemsRead = (db: Executor, keys: ItemRefKeys) => itemRefsRead(db, keys, true);

/**
 * Finds the items a till names by id, SKU or scanned barcode, all in one query: the checkout
 * resolves every line of a sale at once.
 */
export async function resolveItemRefs(db: Executor, refs: ItemRefs, options: { saleFacts?: boolean } = {}): Promise<ResolvedItems> {
  const keys = itemRefKeys(refs);
  const saleFacts = options.saleFacts === true;
  if (keys.ids.length + keys.skuKeys.length + keys.barcodeKeys.length === 0) return resolvedItemsFrom([], saleFacts);
  return resolvedItemsFrom(await itemRefsQuery.execute(db, keys, saleFacts), saleFacts);
}

/** The items itemRefsRead found, by id, SKU key and barcode key. */
export function resolvedItemsFrom(rows: readonly ItemRow[], saleFacts: boolean): ResolvedItems {
  const result: ResolvedItems = { byId: new Map(), bySku: new Map(), byBarcode: new Map() };
  if (saleFacts) {
    result.offersModifiers = new Set();
    result.taxExempt = new Set();
  }
  for (const row of rows as Array<ItemRow & { matched_key?: string | null; offers_modifiers?: number; tax_exempt?: number }>) {
    const { matched_key, offers_modifiers, tax_exempt, ...item } = row;
    if (Number(offers_modifiers) === 1) result.offersModifiers!.add(item.id);
    if (Number(tax_exempt) === 1) result.taxExempt!.add(item.id);
    result.byId.set(item.id, item);
    result.bySku.set(item.sku_key, item);
    if (matched_key) result.byBarcode.set(matched_key, item);
  }
  return result;
}

export async function getItemByBarcode(ctx: ServiceContext, code: string): Promise<{ item: ItemRow; matched: string }> {
  const found = await findItemByBarcode(reader(ctx), code);
  if (!found) throw new CatalogError('item_not_found', `No item has the barcode ${code}.`, { extra: { barcode: code } });
  return found;
}

export interface PreparedFields {
  units: PurchaseUnit[];
  barcodes: Array<StoredBarcode & { key: string }>;
  components: Component[];
}

function prepareUnits(baseUnit: string, units: PurchaseUnit[]): PurchaseUnit[] {
  const seen = new Set<string>([baseUnit.toLowerCase()]);
  const errors: FieldError[] = [];
  units.forEach((unit, i) => {
    const name = unit.name.toLowerCase();
    if (seen.has(name)) errors.push({ field: `body.units.${i}.name`, code: 'duplicate', message: `unit ${unit.name} is given twice or is the base unit` });
    seen.add(name);
  });
  if (errors.length) throw new CatalogError('unit_invalid', 'Each purchase unit needs its own name, other than the base unit.', { errors });
  return units;
}

export function prepareBarcodes(codes: string[]): Array<StoredBarcode & { key: string }> {
  const errors: FieldError[] = [];
  const byKey = new Map<string, StoredBarcode & { key: string }>();
  codes.forEach((raw, i) => {
    const parsed = parseBarcode(raw);
    if (!parsed.ok) {
      errors.push({
        field: `body.barcodes.${i}`,
        code: parsed.reason,
        message: parsed.reason === 'check_digit' ? `${raw} is GTIN-shaped but its check digit is wrong` : 'barcodes are 1 to 64 visible characters',
      });
      return;
    }
    if (byKey.has(parsed.key)) {
      errors.push({ field: `body.barcodes.${i}`, code: 'duplicate', message: `${raw} is the same barcode as another in the list` });
      return;
    }
    byKey.set(parsed.key, { code: parsed.code, kind: parsed.kind, key: parsed.key });
  });
  if (errors.length) throw new CatalogError('barcode_invalid', 'A barcode is not valid.', { errors });
  return [...byKey.values()];
}

async function prepareComponents(trx: Trx, itemId: string, components: Component[]): Promise<Component[]> {
  if (components.length === 0) return [];
  const ids = components.map((c) => c.item_id);
  if (new Set(ids).size !== ids.length) throw new CatalogError('component_invalid', 'A component is listed twice.');
  if (ids.includes(itemId)) throw new CatalogError('component_cycle', 'An item cannot be its own component.');
  const rows = await trx.selectFrom('items').select(['id', 'status', 'stocked', 'components_json']).where('id', 'in', ids).execute();
  const found = new Map(rows.map((r) => [r.id, r]));
  const errors: FieldError[] = [];
  components.forEach((c, i) => {
    const row = found.get(c.item_id);
    if (!row) errors.push({ field: `body.components.${i}.item_id`, code: 'not_found', message: `no item ${c.item_id}` });
    else if (row.status !== 'active') errors.push({ field: `body.components.${i}.item_id`, code: 'archived', message: 'the component is archived' });
    else if (!row.stocked && row.components_json === '[]') {
      errors.push({ field: `body.components.${i}.item_id`, code: 'not_stocked', message: 'the component is neither stocked nor made of components' });
    }
  });
  if (errors.length) throw new CatalogError('component_invalid', 'A component is not usable.', { errors });
  await assertNoComponentCycle(trx, itemId, ids);
  return components;
}

export function searchTextOf(sku: string, name: string, category: string | null, barcodes: StoredBarcode[]): string {
  return [sku, name, category ?? '', ...barcodes.map((b) => b.code)].join(' ').toLowerCase();
}

/** Writes the barcode and component indexes of an item that has none yet. */
async function writeIndexes(trx: Trx, itemId: string, prepared: PreparedFields): Promise<void> {
  if (prepared.barcodes.length) {
    const keys = prepared.barcodes.map((b) => b.key);
    const taken = await trx.selectFrom('item_barcodes').select(['code', 'item_id']).where('code_key', 'in', keys).execute();
    if (taken.length) {
      throw new CatalogError('barcode_taken', `Barcode ${taken.map((t) => t.code).join(', ')} already belongs to another item.`, {
        extra: { barcodes: taken.map((t) => ({ code: t.code, item_id: t.item_id })) },
      });
    }
    await trx
      .insertInto('item_barcodes')
      .values(prepared.barcodes.map((b) => ({ code_key: b.key, code: b.code, kind: b.kind, item_id: itemId })))
      .execute();
  }
  if (prepared.components.length) {
    await trx
      .insertInto('item_components')
      .values(prepared.components.map((c, i) => ({ item_id: itemId, component_item_id: c.item_id, qty: c.qty, position: i })))
      .execute();
  }
}

/** The fields of a new item a caller decides; everything else about a new row is fixed. */
export type NewItemFields = Pick<CreateItemInput, 'sku' | 'name' | 'base_unit' | 'tracking' | 'tracks_expiry' | 'costing_method' | 'stocked'> &
  Partial<Pick<CreateItemInput, 'description' | 'category' | 'price' | 'unit_weight_g' | 'reorder_point'>>;

/** The stored row of a new item: one shape for the API's create and an import's bulk insert. */
export function newItemRow(id: string, now: number, input: NewItemFields, prepared: PreparedFields): ItemRow {
  const category = input.category ?? null;
  return {
    id,
    sku: input.sku,
    sku_key: input.sku.toUpperCase(),
    name: input.name,
    description: input.description ?? null,
    category,
    base_unit: input.base_unit,
    tracking: input.tracking,
    tracks_expiry: input.tracks_expiry ? 1 : 0,
    costing_method: input.costing_method,
    price_micros: input.price ?? null,
    unit_weight_mg: input.unit_weight_g ?? null,
    reorder_point: input.reorder_point ?? null,
    stocked: input.stocked ? 1 : 0,
    status: 'active',
    units_json: JSON.stringify(prepared.units),
    barcodes_json: JSON.stringify(storedBarcodes(prepared)),
    components_json: JSON.stringify(prepared.components),
    search_text: searchTextOf(input.sku, input.name, category, prepared.barcodes),
    created_at: now,
    updated_at: now,
  };
}

function storedBarcodes(prepared: PreparedFields): StoredBarcode[] {
  return prepared.barcodes.map(({ code, kind }) => ({ code, kind }));
}

function uniqueViolationToError(error: unknown, sku: string): never {
  if (isUniqueViolation(error)) {
    const message = String((error as Error).message);
    if (/sku/i.test(message)) throw new CatalogError('sku_taken', `An item with SKU ${sku} already exists.`, { extra: { sku } });
    throw new CatalogError('barcode_taken', 'A barcode already belongs to another item.');
  }
  throw error;
}

/** Expiry dates live on lots, so an item whose expiry is tracked must be lot- or serial-tracked. */
function assertTrackingConsistent(tracking: string, tracksExpiry: boolean): void {
  if (tracksExpiry && tracking === 'none') {
    throw new CatalogError('unit_invalid', 'An item that tracks expiry must be tracked by lot or serial.', {
      errors: [{ field: 'body.tracking', code: 'expiry_needs_lots', message: 'set tracking to lot or serial to track expiry' }],
    });
  }
}

export async function createItem(ctx: ServiceContext, input: CreateItemInput): Promise<ItemRow> {
  assertTrackingConsistent(input.tracking, input.tracks_expiry);
  return inTransaction(ctx, async (trx) => {
    const id = newId('itm');
    const now = ctx.clock.now();
    if (input.price != null) assertPricePrecision([{ field: 'body.price', micros: input.price }], (await readSettings(trx)).base_currency);
    if (await findItemBySku(trx, input.sku)) throw new CatalogError('sku_taken', `An item with SKU ${input.sku} already exists.`, { extra: { sku: input.sku } });
    const prepared: PreparedFields = {
      units: prepareUnits(input.base_unit, input.units),
      barcodes: prepareBarcodes(input.barcodes),
      components: await prepareComponents(trx, id, input.components),
    };
    try {
      await trx.insertInto('items').values(newItemRow(id, now, input, prepared)).execute();
      await writeIndexes(trx, id, prepared);
    } catch (error) {
      uniqueViolationToError(error, input.sku);
    }
    return (await findItem(trx, id))!;
  });
}

/** Fields that change what stored quantities mean; frozen once the item has moved. */
const lockedOnceMoved = ['base_unit', 'tracking', 'stocked'] as const;

export async function updateItem(ctx: ServiceContext, id: string, input: UpdateItemInput): Promise<ItemRow> {
  return inTransaction(ctx, async (trx) => {
    const current = await findItem(trx, id);
    if (!current) throw new CatalogError('item_not_found', `No item ${id}.`, { extra: { item_id: id } });
    if (input.price != null) assertPricePrecision([{ field: 'body.price', micros: input.price }], (await readSettings(trx)).base_currency);
    const changing = lockedOnceMoved.filter((field) => {
      const next = input[field];
      if (next === undefined) return false;
      const now = field === 'stocked' ? current.stocked === 1 : current[field];
      return next !== now;
    });
    if (changing.length && (await hasMovements(trx, id))) {
      throw new CatalogError('item_locked_field', `${changing.join(', ')} cannot change once the item has stock movements.`, {
        extra: { fields: changing },
      });
    }
    if (input.sku !== undefined && input.sku.toUpperCase() !== current.sku_key) {
      if (await findItemBySku(trx, input.sku)) throw new CatalogError('sku_taken', `An item with SKU ${input.sku} already exists.`, { extra: { sku: input.sku } });
    }
    assertTrackingConsistent(input.tracking ?? current.tracking, input.tracks_expiry ?? current.tracks_expiry === 1);
    const baseUnit = input.base_unit ?? current.base_unit;
    const prepared: PreparedFields = {
      units: prepareUnits(baseUnit, input.units ?? unitsOf(current)),
      barcodes: input.barcodes ? prepareBarcodes(input.barcodes) : barcodesOf(current).map((b) => ({ ...b, key: parseKey(b.code) })),
      components: input.components ? await prepareComponents(trx, id, input.components) : componentsOf(current),
    };
    const sku = input.sku ?? current.sku;
    const name = input.name ?? current.name;
    const category = input.category !== undefined ? input.category : current.category;
    try {
      if (input.barcodes || input.components) {
        await trx.deleteFrom('item_barcodes').where('item_id', '=', id).execute();
        await trx.deleteFrom('item_components').where('item_id', '=', id).execute();
        await writeIndexes(trx, id, prepared);
      }
      await trx
        .updateTable('items')
        .set({
          sku,
          sku_key: sku.toUpperCase(),
          name,
          description: input.description !== undefined ? input.description : current.description,
          category,
          base_unit: baseUnit,
          tracking: input.tracking ?? current.tracking,
          tracks_expiry: input.tracks_expiry !== undefined ? (input.tracks_expiry ? 1 : 0) : current.tracks_expiry,
          costing_method: input.costing_method ?? current.costing_method,
          price_micros: input.price !== undefined ? input.price : current.price_micros,
          unit_weight_mg: input.unit_weight_g !== undefined ? input.unit_weight_g : current.unit_weight_mg,
          reorder_point: input.reorder_point !== undefined ? input.reorder_point : current.reorder_point,
          stocked: input.stocked !== undefined ? (input.stocked ? 1 : 0) : current.stocked,
          units_json: JSON.stringify(prepared.units),
          barcodes_json: JSON.stringify(storedBarcodes(prepared)),
          components_json: JSON.stringify(prepared.components),
          search_text: searchTextOf(sku, name, category, prepared.barcodes),
          updated_at: ctx.clock.now(),
        })
        .where('id', '=', id)
        .execute();
    } catch (error) {
      uniqueViolationToError(error, sku);
    }
    return (await findItem(trx, id))!;
  });
}

function parseKey(code: string): string {
  return barcodeLookupKey(code) ?? code;
}

/** Archived items keep their history and stock but can no longer be bought or sold. */
export async function setItemStatus(ctx: ServiceContext, id: string, status: 'active' | 'archived'): Promise<ItemRow> {
  return inTransaction(ctx, async (trx) => {
    const current = await findItem(trx, id);
    if (!current) throw new CatalogError('item_not_found', `No item ${id}.`, { extra: { item_id: id } });
    if (status === 'archived') {
      if (await hasPhysicalStock(trx, id)) {
        throw new CatalogError('item_in_use', 'The item still has stock or reservations; bring them to zero before archiving.');
      }
      const parents = await activeParents(trx, id);
      if (parents.length) {
        throw new CatalogError('item_in_use', `The item is a component of ${parents.map((p) => p.sku).join(', ')}.`, {
          extra: { used_by: parents.map((p) => p.id) },
        });
      }
      if (await isUsedByModifier(trx, id)) throw new CatalogError('item_in_use', 'A modifier consumes this item; change the modifier first.');
    }
    await trx.updateTable('items').set({ status, updated_at: ctx.clock.now() }).where('id', '=', id).execute();
    return (await findItem(trx, id))!;
  });
}

async function activeParents(db: Executor, id: string): Promise<Array<{ id: string; sku: string }>> {
  return db
    .selectFrom('item_components as c')
    .innerJoin('items as i', 'i.id', 'c.item_id')
    .select(['i.id', 'i.sku'])
    .where('c.component_item_id', '=', id)
    .where('i.status', '=', 'active')
    .execute();
}

/** Only an item that never moved can be deleted; one with history is archived instead. */
export async function deleteItem(ctx: ServiceContext, id: string): Promise<void> {
  await inTransaction(ctx, async (trx) => {
    const current = await findItem(trx, id);
    if (!current) throw new CatalogError('item_not_found', `No item ${id}.`, { extra: { item_id: id } });
    if (await hasMovements(trx, id)) {
      throw new CatalogError('item_has_movements', 'The item has stock movements; archive it instead.', { extra: { item_id: id } });
    }
    const parents = await activeParents(trx, id);
    if (parents.length) {
      throw new CatalogError('item_in_use', `The item is a component of ${parents.map((p) => p.sku).join(', ')}.`, {
        extra: { used_by: parents.map((p) => p.id) },
      });
    }
    if (await isUsedByModifier(trx, id)) throw new CatalogError('item_in_use', 'A modifier consumes this item; change the modifier first.');
    try {
      await trx.deleteFrom('item_modifier_groups').where('item_id', '=', id).execute();
      await trx.deleteFrom('item_barcodes').where('item_id', '=', id).execute();
      await trx.deleteFrom('item_components').where('item_id', '=', id).execute();
      await trx.deleteFrom('items').where('id', '=', id).execute();
    } catch (error) {
      // Another module holds a reference (a lot, a purchase order line): keep the item.
      if (isForeignKeyViolation(error)) throw new CatalogError('item_in_use', 'Other records refer to this item; archive it instead.');
      throw error;
    }
  });
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function searchItems(ctx: ServiceContext, query: ListItemsQuery): Promise<ItemRow[]> {
  let q = reader(ctx).selectFrom('items').selectAll();
  if (query.status !== 'all') q = q.where('status', '=', query.status);
  if (query.category !== undefined) q = q.where('category', '=', query.category);
  if (query.stocked !== undefined) q = q.where('stocked', '=', query.stocked ? 1 : 0);
  if (query.q) {
    const pattern = `%${escapeLike(query.q.toLowerCase())}%`;
    const exactKey = barcodeLookupKey(query.q);
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`search_text like ${pattern} escape '\\'`,
        ...(exactKey ? [eb('id', 'in', eb.selectFrom('item_barcodes').select('item_id').where('code_key', '=', exactKey))] : []),
      ]),
    );
  }
  if (query.sort === 'updated') {
    const after = decodeCursor(query.cursor, ['number', 'string']);
    if (after) q = q.where((eb) => eb.or([eb('updated_at', '<', after[0] as number), eb.and([eb('updated_at', '=', after[0] as number), eb('id', '<', after[1] as string)])]));
    q = q.orderBy('updated_at', 'desc').orderBy('id', 'desc');
  } else {
    const column = query.sort === 'sku' ? 'sku_key' : 'name';
    const after = decodeCursor(query.cursor, ['string', 'string']);
    if (after) q = q.where((eb) => eb.or([eb(column, '>', after[0] as string), eb.and([eb(column, '=', after[0] as string), eb('id', '>', after[1] as string)])]));
    q = q.orderBy(column).orderBy('id');
  }
  return q.limit(query.limit + 1).execute();
}

export function itemCursorKey(row: ItemRow, sort: ListItemsQuery['sort']): Array<string | number> {
  if (sort === 'updated') return [row.updated_at, row.id];
  return [sort === 'sku' ? row.sku_key : row.name, row.id];
}

export async function findItems(db: Executor, ids: readonly string[]): Promise<Map<string, ItemRow>> {
  const unique = [...new Set(ids)];
  const rows: ItemRow[] = [];
  for (let i = 0; i < unique.length; i += 500) rows.push(...(await db.selectFrom('items').selectAll().where('id', 'in', inList(db, unique.slice(i, i + 500))).execute()));
  return new Map(rows.map((r) => [r.id, r]));
}
