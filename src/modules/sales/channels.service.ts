import { canSeeSite, inTransaction, reader, type Actor, type ServiceContext } from '../../platform/context.ts';
import type { ChannelRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { findItems } from '../catalog/index.ts';
import { sumPickableByItem } from '../ledger/index.ts';
import { getLocation } from '../locations/index.ts';
import { emitAvailability, todayOf } from './availability.service.ts';
import type { CreateChannelInput, UpdateChannelInput } from './channels.schema.ts';
import { SalesError } from './sales.errors.ts';

/**
 * Sales channels: a store's point of sale, an online store, a marketplace. A channel sells from an
 * ordered list of sites (orders are offered to the first that can ship them), may hold some stock
 * of an item back (a buffer), and says whether orders it cannot cover wait for stock or are
 * refused. What it can sell, and every change of that, is in availability.service.
 */

export interface ChannelRecord extends ChannelRow {
  /** In priority order. */
  siteIds: string[];
  /** The assortment: the categories it sells, or null for every item. */
  categories: string[] | null;
}

/**
 * Whether a channel sells an item: every item when it has no assortment, else those whose
 * category it lists (case and spacing as in the catalogue, compared without case).
 */
export function channelSells(categories: readonly string[] | null, item: { category: string | null }): boolean {
  if (categories === null) return true;
  const category = item.category?.trim().toLowerCase();
  return category !== undefined && categories.some((c) => c.trim().toLowerCase() === category);
}

export function categoriesOf(row: Pick<ChannelRow, 'categories_json'>): string[] | null {
  return row.categories_json === null ? null : (JSON.parse(row.categories_json) as string[]);
}

function categoriesJson(categories: readonly string[] | null): string | null {
  return categories === null ? null : JSON.stringify([...new Set(categories)]);
}

const minuteMs = 60_000;

/** `categories` left out sells every item, as a channel made before assortments did. */
export async function createChannel(ctx: ServiceContext, input: Omit<CreateChannelInput, 'categories'> & { categories?: string[] | null }): Promise<ChannelRecord> {
  return inTransaction(ctx, async (trx) => {
    await assertSites({ ...ctx, trx }, input.site_ids);
    const now = ctx.clock.now();
    const channel: ChannelRow = {
      id: newId('chn', now),
      name: input.name,
      kind: input.kind,
      backorder_policy: input.backorder_policy,
      reservation_ttl_ms: input.reservation_ttl_minutes === null ? null : input.reservation_ttl_minutes * minuteMs,
      categories_json: categoriesJson(input.categories ?? null),
      status: 'active',
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('channels').values(channel).execute();
    await writeSites(trx, channel.id, input.site_ids);
    return { ...channel, siteIds: input.site_ids, categories: categoriesOf(channel) };
  });
}

/**
 * Changes a channel. When its sites change, what it can sell changes for every item stocked at the
 * sites it gained or lost, and an event goes out for each.
 */
export async function updateChannel(ctx: ServiceContext, id: string, input: UpdateChannelInput): Promise<ChannelRecord> {
  return inTransaction(ctx, async (trx) => {
    const current = await getChannel({ ...ctx, trx }, id);
    const now = ctx.clock.now();
    await trx
      .updateTable('channels')
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.backorder_policy !== undefined ? { backorder_policy: input.backorder_policy } : {}),
        ...(input.reservation_ttl_minutes !== undefined ? { reservation_ttl_ms: input.reservation_ttl_minutes === null ? null : input.reservation_ttl_minutes * minuteMs } : {}),
        ...(input.status !== undefined ? { status: input.status } : {}),
        ...(input.categories !== undefined ? { categories_json: categoriesJson(input.categories) } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    if (input.site_ids) {
      await assertSites({ ...ctx, trx }, input.site_ids);
      await trx.deleteFrom('channel_sites').where('channel_id', '=', id).execute();
      await writeSites(trx, id, input.site_ids);
      const touched = [...new Set([...current.siteIds, ...input.site_ids])];
      await emitForSites(trx, id, input.site_ids, touched, now);
    } else if (input.categories !== undefined) {
      // A changed assortment changes what the channel lists: an event for every item stocked at its sites.
      await emitForSites(trx, id, current.siteIds, current.siteIds, now);
    }
    return getChannel({ ...ctx, trx }, id);
  });
}

/** Every item with stock to spare at any of `touchedSites` gets an event with what the channel can sell now. */
async function emitForSites(trx: Trx, channelId: string, siteIds: string[], touchedSites: string[], now: number): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const page = await sumPickableByItem(trx, { siteIds: touchedSites, today: todayOf(now), afterItemId: after, limit: 500 });
    if (page.length === 0) return;
    await emitAvailability(trx, new Map([[channelId, siteIds]]), page.map((p) => ({ channelId, itemId: p.itemId })), now, { itemsAreStocked: true });
    after = page[page.length - 1]!.itemId;
  }
}

async function assertSites(ctx: ServiceContext, siteIds: readonly string[]): Promise<void> {
  if (new Set(siteIds).size !== siteIds.length) throw new SalesError('channel_invalid', 'A site is listed twice.');
  for (const [i, id] of siteIds.entries()) {
    const location = await getLocation(ctx, id);
    if (location.kind !== 'site') {
      throw new SalesError('channel_invalid', `${location.full_code} is not a site.`, { errors: [{ field: `body.site_ids.${i}`, code: 'not_a_site', message: 'a channel sells from sites' }] });
    }
  }
}

async function writeSites(trx: Trx, channelId: string, siteIds: readonly string[]): Promise<void> {
  await trx
    .insertInto('channel_sites')
    .values(siteIds.map((siteId, priority) => ({ channel_id: channelId, site_id: siteId, priority })))
    .execute();
}

/**
 * A channel, and its orders, belong to the sites it sells from: someone granted any of them sees
 * it. One that sells only from other sites is, to them, a channel that does not exist.
 */
export function channelVisibleTo(actor: Actor, siteIds: readonly string[]): boolean {
  return actor.sites === 'all' || siteIds.some((site) => canSeeSite(actor, site));
}

export async function getChannel(ctx: ServiceContext, id: string): Promise<ChannelRecord> {
  const [channel] = await loadChannels(reader(ctx), [id]);
  if (!channel || !channelVisibleTo(ctx.actor, channel.siteIds)) throw new SalesError('channel_not_found', `No channel ${id}.`);
  return channel;
}

export async function listChannels(ctx: ServiceContext): Promise<ChannelRecord[]> {
  const db = reader(ctx);
  const ids = await db.selectFrom('channels').select('id').orderBy('name').orderBy('id').limit(500).execute();
  return (await loadChannels(db, ids.map((r) => r.id))).filter((channel) => channelVisibleTo(ctx.actor, channel.siteIds));
}

async function loadChannels(db: Executor, ids: readonly string[]): Promise<ChannelRecord[]> {
  if (ids.length === 0) return [];
  const [channels, sites] = await Promise.all([
    db.selectFrom('channels').selectAll().where('id', 'in', [...ids]).execute(),
    db.selectFrom('channel_sites').selectAll().where('channel_id', 'in', [...ids]).orderBy('channel_id').orderBy('priority').execute(),
  ]);
  const byId = new Map(channels.map((c) => [c.id, c]));
  return ids
    .map((id) => byId.get(id))
    .filter((c): c is ChannelRow => c !== undefined)
    .map((c) => ({ ...c, siteIds: sites.filter((s) => s.channel_id === c.id).map((s) => s.site_id), categories: categoriesOf(c) }));
}

/** Holds `qty` of an item back from the channel (0 removes the buffer); what it can sell changes, and an event says so. */
export async function setChannelBuffer(ctx: ServiceContext, channelId: string, itemId: string, qty: number): Promise<{ buffer: number; available: number }> {
  return inTransaction(ctx, async (trx) => {
    const channel = await getChannel({ ...ctx, trx }, channelId);
    if (!(await findItems(trx, [itemId])).has(itemId)) throw new SalesError('channel_invalid', `No item ${itemId}.`);
    const now = ctx.clock.now();
    if (qty === 0) await trx.deleteFrom('channel_item_buffers').where('channel_id', '=', channelId).where('item_id', '=', itemId).execute();
    else {
      await trx
        .insertInto('channel_item_buffers')
        .values({ channel_id: channelId, item_id: itemId, qty, updated_at: now })
        .onConflict((oc) => oc.columns(['channel_id', 'item_id']).doUpdateSet({ qty, updated_at: now }))
        .execute();
    }
    // The events also cover the bundles made of the item; this answer is about the item itself.
    const events = await emitAvailability(trx, new Map([[channelId, channel.siteIds]]), [{ channelId, itemId }], now);
    return { buffer: qty, available: events.find((e) => e.itemId === itemId)?.available ?? 0 };
  });
}
