import { toIso } from '../../platform/clock.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { encodeCursor } from '../../platform/http/pagination.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { formatMoneyOrNull } from '../../platform/money.ts';
import { barcodesOf } from './items.service.ts';
import {
  addOptionValueBody,
  createProductBody,
  listProductsQuery,
  productIdParams,
  productOutput,
  productPage,
  setRowPriceBody,
  updateProductBody,
  type ProductJson,
} from './products.schema.ts';
import { addOptionValue, createProduct, getProduct, listProducts, setRowPrice, updateProduct, type ProductView } from './products.service.ts';

const tags = ['products'];
const itemErrors = ['barcode_invalid', 'barcode_taken', 'sku_taken', 'unit_invalid'] as const;

export function toProductJson(view: ProductView): ProductJson {
  const { product } = view;
  return {
    id: product.id,
    handle: product.handle,
    name: product.name,
    description: product.description,
    category: product.category,
    options: view.options,
    status: product.status,
    variants: view.variants.map((v) => ({
      item_id: v.item.id,
      sku: v.item.sku,
      name: v.item.name,
      options: v.options,
      price: formatMoneyOrNull(v.item.price_micros),
      barcodes: barcodesOf(v.item).map((b) => b.code),
      status: v.item.status,
    })),
    created_at: toIso(product.created_at),
    updated_at: toIso(product.updated_at),
  };
}

export function registerProductRoutes(app: AppInstance, deps: CommandDeps): void {
  const targets = (p: ProductJson) => [{ type: 'product', id: p.id }, ...p.variants.map((v) => ({ type: 'item', id: v.item_id }))];

  app.post('/api/v1/products', {
    schema: {
      tags,
      summary: 'Create a product with options and its variants',
      description: 'Each variant is an item of its own. Without `variants`, every combination of the option values is made (the full matrix).',
      body: createProductBody,
      response: { 201: productOutput },
    },
    config: { access: { permission: 'items.write' }, errors: ['product_handle_taken', 'product_option_invalid', 'variant_exists', 'variant_limit', ...itemErrors] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => toProductJson(await createProduct(ctx, request.body)), { status: 201, targets }),
  });

  app.get('/api/v1/products', {
    schema: { tags, summary: 'List products with their variants', querystring: listProductsQuery, response: { 200: productPage } },
    config: { access: { permission: 'items.read' }, errors: [] },
    handler: async (request) => {
      const { views, more } = await listProducts(contextOf(deps, request), request.query);
      const last = views[views.length - 1];
      return { data: views.map(toProductJson), next_cursor: more && last ? encodeCursor([last.product.name, last.product.id]) : null };
    },
  });

  app.get('/api/v1/products/:id', {
    schema: { tags, summary: 'One product with its options and variants', params: productIdParams, response: { 200: productOutput } },
    config: { access: { permission: 'items.read' }, errors: ['product_not_found'] },
    handler: async (request) => toProductJson(await getProduct(contextOf(deps, request), request.params.id)),
  });

  app.patch('/api/v1/products/:id', {
    schema: { tags, summary: 'Rename a product, its handle or its options', params: productIdParams, body: updateProductBody, response: { 200: productOutput } },
    config: { access: { permission: 'items.write' }, errors: ['product_handle_taken', 'product_not_found', 'product_option_invalid'] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => toProductJson(await updateProduct(ctx, request.params.id, request.body)), { targets }),
  });

  app.post('/api/v1/products/:id/option-values', {
    schema: {
      tags,
      summary: 'Add a value to an option, making its variants',
      description: 'Adds the value and one variant per combination of the other options (a new size for every colour at once).',
      params: productIdParams,
      body: addOptionValueBody,
      response: { 200: productOutput },
    },
    config: { access: { permission: 'items.write' }, errors: ['product_not_found', 'product_option_invalid', 'variant_exists', 'variant_limit', ...itemErrors] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => toProductJson(await addOptionValue(ctx, request.params.id, request.body)), { targets }),
  });

  app.post('/api/v1/products/:id/row-price', {
    schema: {
      tags,
      summary: 'Set the price of one row of the matrix',
      description: 'Every variant whose `option` has `value` gets `price`.',
      params: productIdParams,
      body: setRowPriceBody,
      response: { 200: productOutput },
    },
    config: { access: { permission: 'items.write' }, errors: ['product_not_found', 'product_option_invalid'] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => toProductJson(await setRowPrice(ctx, request.params.id, request.body)), { targets }),
  });
}
