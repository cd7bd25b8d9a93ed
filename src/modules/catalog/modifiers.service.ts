import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { ModifierGroupRow, ModifierRow } from '../../platform/db/schema.ts';
import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import type { FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { assertPricePrecision } from '../../platform/money.ts';
import { readSettings } from '../settings/index.ts';
import { CatalogError } from './catalog.errors.ts';
import { componentsOf, findItem, findItems } from './items.service.ts';
import type { CreateModifierGroupInput } from './modifiers.schema.ts';

/**
 * Modifier groups ("Milk": whole, oat, none; "Extras": extra shot, syrup) are attached to items
 * a till sells. A modifier changes the line's unit price and what the line consumes, per one
 * base unit of the item sold:
 * - `{ item_id, qty }` adds a component (an extra shot adds 9 g of beans);
 * - `{ item_id, replaces_item_id }` stands in for one of the item's own components, at its
 *   quantity unless `qty` says otherwise (oat milk instead of whole milk);
 * - `{ replaces_item_id }` alone removes a component (no milk).
 * Groups say how many of their modifiers a line may or must choose (`min_select`, `max_select`).
 */

export interface ModifierComponent {
  item_id: string | null;
  qty: number | null;
  replaces_item_id: string | null;
}

export interface ModifierGroupRecord extends ModifierGroupRow {
  modifiers: Array<ModifierRow & { components: ModifierComponent[] }>;
}

export function modifierComponentsOf(row: Pick<ModifierRow, 'components_json'>): ModifierComponent[] {
  return JSON.parse(row.components_json) as ModifierComponent[];
}

export async function createModifierGroup(ctx: ServiceContext, input: CreateModifierGroupInput): Promise<ModifierGroupRecord> {
  return inTransaction(ctx, async (trx) => {
    await assertComponentItemsUsable(trx, input);
    assertPricePrecision(
      input.modifiers.map((m, i) => ({ field: `body.modifiers.${i}.price_delta`, micros: m.price_delta })),
      (await readSettings(trx)).base_currency,
    );
    const now = ctx.clock.now();
    const id = newId('mgr', now);
    const single = input.selection === 'single';
    const group: ModifierGroupRow = {
      id,
      name: input.name,
      selection: input.selection,
      min_select: input.min ?? (input.required ? 1 : 0),
      max_select: single ? 1 : (input.max ?? null),
      status: 'active',
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('modifier_groups').values(group).execute();
    const modifiers = input.modifiers.map((m, i) => {
      const components: ModifierComponent[] = m.components.map((c) => ({ item_id: c.item_id ?? null, qty: c.qty ?? null, replaces_item_id: c.replaces_item_id ?? null }));
      return { id: newId('mod', now), group_id: id, position: i, name: m.name, price_delta_micros: m.price_delta, components_json: JSON.stringify(components), components };
    });
    await trx
      .insertInto('modifiers')
      .values(modifiers.map(({ components: _components, ...row }) => row))
      .execute();
    return { ...group, modifiers };
  });
}

async function assertComponentItemsUsable(trx: Trx, input: CreateModifierGroupInput): Promise<void> {
  const ids = input.modifiers.flatMap((m) => m.components.flatMap((c) => [c.item_id, c.replaces_item_id])).filter((id): id is string => id !== undefined);
  const items = await findItems(trx, ids);
  const errors: FieldError[] = [];
  input.modifiers.forEach((m, i) =>
    m.components.forEach((c, j) => {
      for (const field of ['item_id', 'replaces_item_id'] as const) {
        const id = c[field];
        if (id === undefined) continue;
        const item = items.get(id);
        const usable = item && item.status === 'active' && (item.stocked === 1 || componentsOf(item).length > 0);
        if (!usable) errors.push({ field: `body.modifiers.${i}.components.${j}.${field}`, code: 'not_usable', message: `${id} is not an active item that can be consumed` });
      }
    }),
  );
  if (errors.length) throw new CatalogError('modifier_invalid', errors[0]!.message, { errors });
}

export async function getModifierGroup(ctx: ServiceContext, id: string): Promise<ModifierGroupRecord> {
  const [group] = await loadGroups(reader(ctx), [id]);
  if (!group) throw new CatalogError('modifier_group_not_found', `No modifier group ${id}.`);
  return group;
}

export async function listModifierGroups(ctx: ServiceContext): Promise<ModifierGroupRecord[]> {
  const db = reader(ctx);
  const ids = await db.selectFrom('modifier_groups').select('id').where('status', '=', 'active').orderBy('name').orderBy('id').limit(500).execute();
  return loadGroups(db, ids.map((r) => r.id));
}

async function loadGroups(db: Executor, ids: readonly string[]): Promise<ModifierGroupRecord[]> {
  if (ids.length === 0) return [];
  const [groups, modifiers] = await Promise.all([
    db.selectFrom('modifier_groups').selectAll().where('id', 'in', [...ids]).execute(),
    db.selectFrom('modifiers').selectAll().where('group_id', 'in', [...ids]).orderBy('group_id').orderBy('position').execute(),
  ]);
  const byId = new Map(groups.map((g) => [g.id, { ...g, modifiers: [] as ModifierGroupRecord['modifiers'] }]));
  for (const m of modifiers) byId.get(m.group_id)?.modifiers.push({ ...m, components: modifierComponentsOf(m) });
  return ids.map((id) => byId.get(id)).filter((g): g is ModifierGroupRecord => g !== undefined);
}

/**
 * Replaces the groups offered with an item. A modifier that replaces a component must name one
 * of the item's own components, so "oat milk instead of whole milk" cannot go on a croissant.
 */
export async function setItemModifierGroups(ctx: ServiceContext, itemId: string, groupIds: readonly string[]): Promise<ModifierGroupRecord[]> {
  return inTransaction(ctx, async (trx) => {
    const item = (await findItems(trx, [itemId])).get(itemId);
    if (!item) throw new CatalogError('item_not_found', `No item ${itemId}.`, { extra: { item_id: itemId } });
    if (new Set(groupIds).size !== groupIds.length) throw new CatalogError('modifier_invalid', 'A group is listed twice.');
    const groups = await loadGroups(trx, groupIds);
    const errors: FieldError[] = [];
    const own = new Set(componentsOf(item).map((c) => c.item_id));
    groupIds.forEach((id, i) => {
      const group = groups.find((g) => g.id === id);
      if (!group || group.status !== 'active') {
        errors.push({ field: `body.group_ids.${i}`, code: 'not_found', message: `no active modifier group ${id}` });
        return;
      }
      for (const m of group.modifiers) {
        for (const c of m.components) {
          if (c.replaces_item_id !== null && !own.has(c.replaces_item_id)) {
            errors.push({ field: `body.group_ids.${i}`, code: 'replaces_missing', message: `${m.name} replaces ${c.replaces_item_id}, which is not a component of ${item.sku}` });
          }
        }
      }
    });
    if (errors.length) throw new CatalogError('modifier_invalid', errors[0]!.message, { errors });
    await trx.deleteFrom('item_modifier_groups').where('item_id', '=', itemId).execute();
    if (groupIds.length) {
      await trx
        .insertInto('item_modifier_groups')
        .values(groupIds.map((groupId, position) => ({ item_id: itemId, group_id: groupId, position })))
        .execute();
    }
    return groups;
  });
}

export async function listItemModifierGroups(ctx: ServiceContext, itemId: string): Promise<ModifierGroupRecord[]> {
  const db = reader(ctx);
  if (!(await findItem(db, itemId))) throw new CatalogError('item_not_found', `No item ${itemId}.`, { extra: { item_id: itemId } });
  const rows = await db.selectFrom('item_modifier_groups').select('group_id').where('item_id', '=', itemId).orderBy('position').execute();
  return loadGroups(db, rows.map((r) => r.group_id));
}

/** A group offered with an item, as a till needs it to check and price a line. */
export interface OfferedGroup {
  group: ModifierGroupRow;
  modifiers: Map<string, ModifierRow & { components: ModifierComponent[] }>;
}

/**
 * The modifier groups offered with each of the items, with their modifiers, in one query: the
 * checkout reads it for every sale, since a required group must be checked even when a line
 * chose nothing.
 */
const offeredModifiersQuery = cachedQuery((db: Executor, args: { itemIds: readonly string[] }) =>
  db
    .selectFrom('item_modifier_groups as img')
    .innerJoin('modifier_groups as g', 'g.id', 'img.group_id')
    .innerJoin('modifiers as m', 'm.group_id', 'g.id')
    .select([
      'img.item_id',
      'g.id as group_id',
      'g.name as group_name',
      'g.selection',
      'g.min_select',
      'g.max_select',
      'g.status',
      'g.created_at',
      'g.updated_at',
      'm.id',
      'm.position',
      'm.name',
      'm.price_delta_micros',
      'm.components_json',
    ])
    .where('img.item_id', 'in', [...args.itemIds])
    .where('g.status', '=', 'active')
    .orderBy('img.item_id')
    .orderBy('img.position')
    .orderBy('m.position'),
);

export async function loadOfferedModifiers(db: Executor, itemIds: readonly string[]): Promise<Map<string, OfferedGroup[]>> {
  const result = new Map<string, OfferedGroup[]>();
  if (itemIds.length === 0) return result;
  const rows = await offeredModifiersQuery.execute(db, { itemIds: [...new Set(itemIds)] });
  for (const r of rows) {
    const groups = result.get(r.item_id) ?? [];
    if (!result.has(r.item_id)) result.set(r.item_id, groups);
    let offered = groups.find((g) => g.group.id === r.group_id);
    if (!offered) {
      offered = {
        group: { id: r.group_id, name: r.group_name, selection: r.selection, min_select: r.min_select, max_select: r.max_select, status: r.status, created_at: r.created_at, updated_at: r.updated_at },
        modifiers: new Map(),
      };
      groups.push(offered);
    }
    const modifier = { id: r.id, group_id: r.group_id, position: r.position, name: r.name, price_delta_micros: r.price_delta_micros, components_json: r.components_json };
    offered.modifiers.set(r.id, { ...modifier, components: modifierComponentsOf(modifier) });
  }
  return result;
}

/** Whether a modifier consumes or replaces the item; the catalog keeps such an item from being deleted. */
export async function isUsedByModifier(db: Executor, itemId: string): Promise<boolean> {
  const row = await db.selectFrom('modifiers').select('id').where('components_json', 'like', `%"${itemId}"%`).limit(1).executeTakeFirst();
  return row !== undefined;
}
