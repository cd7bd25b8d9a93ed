import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { itemListingBody, itemListingOutput, productListingBody, productListingOutput } from './listings.schema.ts';
import { getItemListing, getProductListing, setItemListing, setProductListing, type ItemListing, type ProductListing } from './listings.service.ts';

const tags = ['items'];

export const toItemListingJson = (l: ItemListing) => ({
  item_id: l.itemId,
  google: l.google,
  condition: l.condition,
  brand: l.brand,
  image_url: l.imageUrl,
  link_url: l.linkUrl,
  product_id: l.productId,
  effective: { description: l.effective.description, brand: l.effective.brand, image_url: l.effective.imageUrl, link_url: l.effective.linkUrl },
});
const toProductListingJson = (l: ProductListing) => ({ product_id: l.productId, brand: l.brand, image_url: l.imageUrl, link_url: l.linkUrl });

export function registerListingRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/items/:id/listing', {
    schema: { tags, summary: "How the item is listed online: listed on Google, brand, picture, web page, condition (a variant's empty fields come from its product)", params: idParams('itm'), response: { 200: itemListingOutput } },
    config: { access: { permission: 'items.read' }, errors: ['item_not_found'] },
    handler: async (request) => toItemListingJson(await getItemListing(contextOf(deps, request), request.params.id)),
  });
  app.put('/api/v1/items/:id/listing', {
    schema: { tags, summary: "Set how the item is listed online; fields left out keep their value", params: idParams('itm'), body: itemListingBody, response: { 200: itemListingOutput } },
    config: { access: { permission: 'items.write' }, errors: ['item_not_found'] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => toItemListingJson(await setItemListing(ctx, request.params.id, request.body)), { targets: () => [{ type: 'item', id: request.params.id }] }),
  });
  app.get('/api/v1/products/:id/listing', {
    schema: { tags: ['products'], summary: "What the product's variants share when listed online: brand, picture, web page", params: idParams('pdt'), response: { 200: productListingOutput } },
    config: { access: { permission: 'items.read' }, errors: ['product_not_found'] },
    handler: async (request) => toProductListingJson(await getProductListing(contextOf(deps, request), request.params.id)),
  });
  app.put('/api/v1/products/:id/listing', {
    schema: { tags: ['products'], summary: "Set what the product's variants share when listed online; fields left out keep their value", params: idParams('pdt'), body: productListingBody, response: { 200: productListingOutput } },
    config: { access: { permission: 'items.write' }, errors: ['product_not_found'] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => toProductListingJson(await setProductListing(ctx, request.params.id, request.body)), { targets: () => [{ type: 'product', id: request.params.id }] }),
  });
}
