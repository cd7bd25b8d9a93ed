import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import type { ItemListingInput, ProductListingInput } from './listings.schema.ts';
import { getItem } from './items.service.ts';
import { ProductError } from './products.errors.ts';

/**
 * How an item is shown where the shop lists it online (Google's product feed first): brand,
 * picture, web page, condition, and whether it is listed at all. A variant shares its product's
 * description, brand, picture and page unless it sets its own, so a shop fills in a jumper once,
 * not once per size and colour.
 */

export interface ItemListing {
  itemId: string;
  google: boolean;
  condition: 'new' | 'refurbished' | 'used';
  brand: string | null;
  imageUrl: string | null;
  linkUrl: string | null;
  productId: string | null;
  effective: { description: string | null; brand: string | null; imageUrl: string | null; linkUrl: string | null };
}

export interface ProductListing {
  productId: string;
  brand: string | null;
  imageUrl: string | null;
  linkUrl: string | null;
}

const blank = (s: string | null | undefined) => (s === undefined || s === null || s === '' ? null : s);

/** The listings of these items, with what their products give them; items without a row are unlisted and new. */
export async function itemListings(db: Executor, itemIds: readonly string[]): Promise<Map<string, ItemListing>> {
  const found = new Map<string, ItemListing>();
  if (itemIds.length === 0) return found;
  const rows = await db
    .selectFrom('items as i')
    .leftJoin('item_listings as l', 'l.item_id', 'i.id')
    .leftJoin('product_variants as v', 'v.item_id', 'i.id')
    .leftJoin('products as p', 'p.id', 'v.product_id')
    .leftJoin('product_listings as pl', 'pl.product_id', 'v.product_id')
    .select([
      'i.id',
      'i.description',
      'l.google',
      'l.condition',
      'l.brand',
      'l.image_url',
      'l.link_url',
      'v.product_id',
      'p.description as product_description',
      'pl.brand as product_brand',
      'pl.image_url as product_image_url',
      'pl.link_url as product_link_url',
    ])
    .where('i.id', 'in', [...itemIds])
    .execute();
  for (const r of rows) {
    found.set(r.id, {
      itemId: r.id,
      google: r.google === 1,
      condition: r.condition ?? 'new',
      brand: r.brand ?? null,
      imageUrl: r.image_url ?? null,
      linkUrl: r.link_url ?? null,
      productId: r.product_id ?? null,
      effective: {
        description: blank(r.description) ?? blank(r.product_description),
        brand: blank(r.brand) ?? blank(r.product_brand),
        imageUrl: blank(r.image_url) ?? blank(r.product_image_url),
        linkUrl: blank(r.link_url) ?? blank(r.product_link_url),
      },
    });
  }
  return found;
}

export async function getItemListing(ctx: ServiceContext, itemId: string): Promise<ItemListing> {
  const item = await getItem(ctx, itemId);
  return (await itemListings(reader(ctx), [item.id])).get(item.id)!;
}

/** Sets an item's listing; fields left out keep their value. */
export async function setItemListing(ctx: ServiceContext, itemId: string, input: ItemListingInput): Promise<ItemListing> {
  const current = await getItemListing(ctx, itemId);
  const now = ctx.clock.now();
  const row = {
    item_id: current.itemId,
    google: (input.google ?? current.google) ? 1 : 0,
    condition: input.condition ?? current.condition,
    brand: input.brand !== undefined ? blank(input.brand) : current.brand,
    image_url: input.image_url !== undefined ? input.image_url : current.imageUrl,
    link_url: input.link_url !== undefined ? input.link_url : current.linkUrl,
    updated_at: now,
  };
  await inTransaction(ctx, async (trx) => {
    await trx
      .insertInto('item_listings')
      .values(row)
      .onConflict((oc) => oc.column('item_id').doUpdateSet({ google: row.google, condition: row.condition, brand: row.brand, image_url: row.image_url, link_url: row.link_url, updated_at: now }))
      .execute();
  });
  return getItemListing(ctx, itemId);
}

export async function getProductListing(ctx: ServiceContext, productId: string): Promise<ProductListing> {
  const db = reader(ctx);
  const product = await db.selectFrom('products').select('id').where('id', '=', productId).executeTakeFirst();
  if (!product) throw new ProductError('product_not_found', `No product ${productId}.`, { extra: { product_id: productId } });
  const row = await db.selectFrom('product_listings').selectAll().where('product_id', '=', productId).executeTakeFirst();
  return { productId, brand: row?.brand ?? null, imageUrl: row?.image_url ?? null, linkUrl: row?.link_url ?? null };
}

export async function setProductListing(ctx: ServiceContext, productId: string, input: ProductListingInput): Promise<ProductListing> {
  const current = await getProductListing(ctx, productId);
  const now = ctx.clock.now();
  const row = {
    product_id: productId,
    brand: input.brand !== undefined ? blank(input.brand) : current.brand,
    image_url: input.image_url !== undefined ? input.image_url : current.imageUrl,
    link_url: input.link_url !== undefined ? input.link_url : current.linkUrl,
    updated_at: now,
  };
  await inTransaction(ctx, (trx) =>
    trx.insertInto('product_listings').values(row).onConflict((oc) => oc.column('product_id').doUpdateSet({ brand: row.brand, image_url: row.image_url, link_url: row.link_url, updated_at: now })).execute(),
  );
  return { productId, brand: row.brand, imageUrl: row.image_url, linkUrl: row.link_url };
}
