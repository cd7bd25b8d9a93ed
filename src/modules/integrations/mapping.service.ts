import { sql } from 'kysely';
import { callUpstream } from './upstream.ts';
import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { ChannelVariantMapRow } from '../../platform/db/schema.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { parseMoney } from '../../platform/money.ts';
import { barcodeLookupKey, createItem, resolveItemRefs } from '../catalog/index.ts';
import { Throttled, type UpstreamVariant } from './adapter.ts';
import { connected, getConnection } from './connections.service.ts';
import { IntegrationError } from './integrations.errors.ts';
import { logSync } from './sync-log.ts';

/**
 * The catalogue map: which Stockroom item each upstream variant sells. Upstream variants are read
 * into `channel_variant_maps` by a catalogue refresh (every page, so a 5,000-product store is read
 * in the platform's page size); matching tries the SKU, then the barcode, and anything else is
 * linked by hand or imported as a new item. A newly mapped variant is owed a push at once.
 */

/** Pages of the upstream catalogue read per refresh; a guard against a platform that never ends a listing. */
const maxPages = 1000;

export async function refreshCatalogue(ctx: ServiceContext, connectionId: string): Promise<{ variants: number; matched: number }> {
  const row = await getConnection(ctx, connectionId);
  const link = connected(row, () => ctx.clock.now());
  let cursor: string | null = null;
  let variants = 0;
  for (let page = 0; page < maxPages; page += 1) {
    const read = await callUpstream(row.platform, () => withThrottleWaits(() => link.adapter.listVariants(link.credentials, link.env, cursor)));
    await inTransaction(ctx, (trx) => upsertVariants(trx, connectionId, read.variants, ctx.clock.now()));
    variants += read.variants.length;
    cursor = read.nextCursor;
    if (!cursor) break;
  }
  const matched = await matchUnmapped(ctx, connectionId);
  await inTransaction(ctx, (trx) => logSync(trx, { connectionId, kind: 'catalogue', ok: true, detail: `${variants} upstream variants read, ${matched} matched` }, ctx.clock.now()));
  return { variants, matched };
}

async function upsertVariants(trx: Trx, connectionId: string, variants: readonly UpstreamVariant[], now: number): Promise<void> {
  for (let i = 0; i < variants.length; i += 200) {
    const rows = variants.slice(i, i + 200).map((v) => ({
      connection_id: connectionId,
      variant_ref: v.ref,
      parent_ref: v.parentRef,
      title: v.title.slice(0, 300),
      sku: v.sku,
      barcode: v.barcode,
      price: v.price,
      item_id: null,
      matched_by: null,
      dirty_gen: 0,
      pushed_gen: 0,
      pushed_qty: null,
      pushed_at: null,
      upstream_qty: null,
      updated_at: now,
    }));
    await trx
      .insertInto('channel_variant_maps')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['connection_id', 'variant_ref']).doUpdateSet({
          parent_ref: sql`excluded.parent_ref`,
          title: sql`excluded.title`,
          sku: sql`excluded.sku`,
          barcode: sql`excluded.barcode`,
          price: sql`excluded.price`,
          updated_at: sql`excluded.updated_at`,
        }),
      )
      .execute();
  }
}

/** Links unmapped variants to items by SKU, then by barcode; an item already linked on this connection is not linked twice. */
export async function matchUnmapped(ctx: ServiceContext, connectionId: string, by: ReadonlyArray<'sku' | 'barcode'> = ['sku', 'barcode']): Promise<number> {
  return inTransaction(ctx, async (trx) => {
    const unmapped = await trx.selectFrom('channel_variant_maps').selectAll().where('connection_id', '=', connectionId).where('item_id', 'is', null).execute();
    const taken = new Set((await trx.selectFrom('channel_variant_maps').select('item_id').where('connection_id', '=', connectionId).where('item_id', 'is not', null).execute()).map((r) => r.item_id!));
    let matched = 0;
    for (let i = 0; i < unmapped.length; i += 500) {
      const batch = unmapped.slice(i, i + 500);
      const found = await resolveItemRefs(trx, {
        ids: [],
        skus: by.includes('sku') ? batch.flatMap((v) => (v.sku?.trim() ? [v.sku] : [])) : [],
        barcodes: by.includes('barcode') ? batch.flatMap((v) => (v.barcode?.trim() ? [v.barcode] : [])) : [],
      });
      for (const v of batch) {
        const bySku = by.includes('sku') && v.sku?.trim() ? found.bySku.get(v.sku.trim().toUpperCase()) : undefined;
        const barcodeKey = by.includes('barcode') && v.barcode ? barcodeLookupKey(v.barcode) : null;
        const byBarcode = barcodeKey ? found.byBarcode.get(barcodeKey) : undefined;
        const item = bySku ?? byBarcode;
        if (!item || item.status !== 'active' || taken.has(item.id)) continue;
        taken.add(item.id);
        await link(trx, connectionId, v.variant_ref, item.id, bySku ? 'sku' : 'barcode', ctx.clock.now());
        matched += 1;
      }
    }
    return matched;
  });
}

async function link(trx: Trx, connectionId: string, variantRef: string, itemId: string | null, by: ChannelVariantMapRow['matched_by'], now: number): Promise<void> {
  await trx
    .updateTable('channel_variant_maps')
    .set((eb) => ({ item_id: itemId, matched_by: itemId ? by : null, dirty_gen: eb('pushed_gen', '+', 1), pushed_qty: null, updated_at: now }))
    .where('connection_id', '=', connectionId)
    .where('variant_ref', '=', variantRef)
    .execute();
}

/** Links one variant by hand (or unlinks it with null). */
export async function setMapping(ctx: ServiceContext, connectionId: string, variantRef: string, itemId: string | null): Promise<ChannelVariantMapRow> {
  return inTransaction(ctx, async (trx) => {
    await getConnection({ ...ctx, trx }, connectionId);
    const variant = await trx.selectFrom('channel_variant_maps').selectAll().where('connection_id', '=', connectionId).where('variant_ref', '=', variantRef).executeTakeFirst();
    if (!variant) throw new IntegrationError('mapping_invalid', `No upstream variant ${variantRef} on this connection; refresh the catalogue first.`);
    if (itemId) {
      const item = (await resolveItemRefs(trx, { ids: [itemId], skus: [], barcodes: [] })).byId.get(itemId);
      if (!item || item.status !== 'active') throw new IntegrationError('mapping_invalid', `No active item ${itemId}.`, { errors: [{ field: 'body.item_id', code: 'not_found', message: 'no such active item' }] });
      const other = await trx.selectFrom('channel_variant_maps').select('variant_ref').where('connection_id', '=', connectionId).where('item_id', '=', itemId).executeTakeFirst();
      if (other && other.variant_ref !== variantRef) throw new IntegrationError('mapping_invalid', `${item.sku} is already linked to ${other.variant_ref} on this channel.`);
    }
    await link(trx, connectionId, variantRef, itemId, 'manual', ctx.clock.now());
    return trx.selectFrom('channel_variant_maps').selectAll().where('connection_id', '=', connectionId).where('variant_ref', '=', variantRef).executeTakeFirstOrThrow();
  });
}

export async function listMappings(
  ctx: ServiceContext,
  connectionId: string,
  query: { mapped?: boolean | undefined; limit: number; cursor?: string | undefined },
): Promise<{ variants: ChannelVariantMapRow[]; nextCursor: string | null }> {
  await getConnection(ctx, connectionId);
  const after = decodeCursor(query.cursor, ['string']);
  let q = reader(ctx).selectFrom('channel_variant_maps').selectAll().where('connection_id', '=', connectionId);
  if (query.mapped === true) q = q.where('item_id', 'is not', null);
  if (query.mapped === false) q = q.where('item_id', 'is', null);
  if (after) q = q.where('variant_ref', '>', after[0] as string);
  const rows = await q.orderBy('variant_ref').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const variants = more ? rows.slice(0, query.limit) : rows;
  return { variants, nextCursor: more ? encodeCursor([variants[variants.length - 1]!.variant_ref]) : null };
}

/** Active items no upstream variant of this connection sells: Stockroom's unmapped side. */
export async function listUnmappedItems(ctx: ServiceContext, connectionId: string, query: { limit: number; cursor?: string | undefined }) {
  await getConnection(ctx, connectionId);
  const after = decodeCursor(query.cursor, ['string']);
  let q = reader(ctx)
    .selectFrom('items as i')
    .select(['i.id', 'i.sku', 'i.name'])
    .where('i.status', '=', 'active')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('channel_variant_maps as m').select('m.variant_ref').where('m.connection_id', '=', connectionId).whereRef('m.item_id', '=', 'i.id'))));
  if (after) q = q.where('i.id', '>', after[0] as string);
  const rows = await q.orderBy('i.id').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const items = more ? rows.slice(0, query.limit) : rows;
  return { items, nextCursor: more ? encodeCursor([items[items.length - 1]!.id]) : null };
}

/** Makes new items of unmapped upstream variants (SKU, title, barcode, price as upstream has them) and links them. */
export async function importVariants(ctx: ServiceContext, connectionId: string, refs: readonly string[]): Promise<Array<{ variant_ref: string; item_id: string }>> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    await getConnection(tctx, connectionId);
    const rows = await trx.selectFrom('channel_variant_maps').selectAll().where('connection_id', '=', connectionId).where('variant_ref', 'in', [...refs]).execute();
    const out: Array<{ variant_ref: string; item_id: string }> = [];
    for (const ref of refs) {
      const v = rows.find((r) => r.variant_ref === ref);
      if (!v) throw new IntegrationError('mapping_invalid', `No upstream variant ${ref}; refresh the catalogue first.`);
      if (v.item_id) continue;
      if (!v.sku?.trim()) throw new IntegrationError('mapping_invalid', `${v.title} has no SKU upstream; give it one there or link it by hand.`);
      const item = await createItem(tctx, {
        sku: v.sku.trim(),
        name: v.title,
        base_unit: 'ea',
        tracking: 'none',
        tracks_expiry: false,
        costing_method: 'fifo',
        stocked: true,
        units: [],
        barcodes: [],
        components: [],
        price: priceOf(v.price),
        category: undefined,
        description: undefined,
        unit_weight_g: undefined,
        reorder_point: undefined,
      } as Parameters<typeof createItem>[1]);
      await link(trx, connectionId, ref, item.id, 'import', ctx.clock.now());
      out.push({ variant_ref: ref, item_id: item.id });
    }
    return out;
  });
}

/** Upstream's decimal price in micros, or none when it has none or it does not parse. */
function priceOf(price: string | null): number | undefined {
  if (!price) return undefined;
  const parsed = parseMoney(price);
  return parsed.ok && parsed.value >= 0 ? parsed.value : undefined;
}

/** Reading a big catalogue runs into the platform's rate limit: wait as long as it says, a bounded number of times. */
async function withThrottleWaits<T>(call: () => Promise<T>, waits = 20): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof Throttled) || attempt >= waits) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(error.retryAfterMs, 30_000)));
    }
  }
}
