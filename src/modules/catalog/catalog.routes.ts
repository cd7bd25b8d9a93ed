import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import { toPage } from '../../platform/http/pagination.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { onHandByItem } from '../ledger/index.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { z } from 'zod';
import { toItemJson } from './catalog.mapper.ts';
import { barcodeParams, createItemBody, itemByBarcodeOutput, itemOutput, itemPage, listItemsQuery, updateItemBody } from './catalog.schema.ts';
import { registerListingRoutes } from './listings.routes.ts';
import { registerModifierRoutes } from './modifiers.routes.ts';
import { registerProductRoutes } from './products.routes.ts';
import { createItem, deleteItem, getItem, getItemByBarcode, itemCursorKey, searchItems, setItemStatus, updateItem } from './items.service.ts';

export function registerCatalogRoutes(app: AppInstance, deps: CommandDeps): void {
  registerModifierRoutes(app, deps);
  registerProductRoutes(app, deps);
  registerListingRoutes(app, deps);
  app.post('/api/v1/items', {
    schema: { tags: ['items'], summary: 'Create an item', body: createItemBody, response: { 201: itemOutput } },
    config: { access: { permission: 'items.write' }, errors: ['barcode_invalid', 'barcode_taken', 'component_cycle', 'component_invalid', 'sku_taken', 'unit_invalid'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toItemJson(await createItem(ctx, request.body)), {
        status: 201,
        targets: (item) => [{ type: 'item', id: item.id }],
      }),
  });

  app.get('/api/v1/items', {
    schema: {
      tags: ['items'],
      summary: 'Search and list items',
      description: '`q` matches SKU, name, category and barcodes; an exact barcode scan matches too.',
      querystring: listItemsQuery,
      response: { 200: itemPage },
    },
    config: { access: { permission: 'items.read', location: { from: 'query', field: 'location_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const rows = await searchItems(ctx, request.query);
      const page = rows.slice(0, request.query.limit);
      const stocked = page.filter((row) => row.stocked === 1).map((row) => row.id);
      // One grouped read for the page's items: the list shows stock without a request per row.
      const onHand = await onHandByItem(ctx, { locationId: request.query.location_id, itemIds: stocked });
      return toPage(rows, request.query.limit, (row) => itemCursorKey(row, request.query.sort), (row) => ({
        ...toItemJson(row),
        on_hand: row.stocked === 1 ? quantityToNumber(onHand.get(row.id) ?? 0) : null,
      }));
    },
  });

  app.get('/api/v1/items/by-barcode/:code', {
    schema: {
      tags: ['items'],
      summary: 'Look an item up by a scanned barcode',
      description: 'One indexed read. A GTIN finds its item whether scanned as 8, 12, 13 or 14 digits.',
      params: barcodeParams,
      response: { 200: itemByBarcodeOutput },
    },
    config: { access: { permission: 'items.read' }, errors: ['item_not_found'] },
    handler: async (request) => {
      const found = await getItemByBarcode(contextOf(deps, request), request.params.code);
      return { ...toItemJson(found.item), matched_barcode: found.matched };
    },
  });

  app.get('/api/v1/items/:id', {
    schema: { tags: ['items'], summary: 'One item', params: idParams('itm'), response: { 200: itemOutput } },
    config: { access: { permission: 'items.read' }, errors: ['item_not_found'] },
    handler: async (request) => toItemJson(await getItem(contextOf(deps, request), request.params.id)),
  });

  app.patch('/api/v1/items/:id', {
    schema: {
      tags: ['items'],
      summary: 'Change an item',
      description: 'Lists (units, barcodes, components) are replaced whole. Base unit, tracking and stocked are frozen once the item has moved.',
      params: idParams('itm'),
      body: updateItemBody,
      response: { 200: itemOutput },
    },
    config: { access: { permission: 'items.write' }, errors: ['barcode_invalid', 'barcode_taken', 'component_cycle', 'component_invalid', 'item_locked_field', 'item_not_found', 'sku_taken', 'unit_invalid'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toItemJson(await updateItem(ctx, request.params.id, request.body)), {
        targets: (item) => [{ type: 'item', id: item.id }],
      }),
  });

  app.post('/api/v1/items/:id/archive', {
    schema: { tags: ['items'], summary: 'Archive an item: it keeps its history but can no longer be bought or sold', params: idParams('itm'), response: { 200: itemOutput } },
    config: { access: { permission: 'items.write' }, errors: ['item_in_use', 'item_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toItemJson(await setItemStatus(ctx, request.params.id, 'archived')), {
        targets: (item) => [{ type: 'item', id: item.id }],
      }),
  });

  app.post('/api/v1/items/:id/unarchive', {
    schema: { tags: ['items'], summary: 'Bring an archived item back', params: idParams('itm'), response: { 200: itemOutput } },
    config: { access: { permission: 'items.write' }, errors: ['item_in_use', 'item_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toItemJson(await setItemStatus(ctx, request.params.id, 'active')), {
        targets: (item) => [{ type: 'item', id: item.id }],
      }),
  });

  app.delete('/api/v1/items/:id', {
    schema: {
      tags: ['items'],
      summary: 'Delete an item that never moved',
      description: 'An item with stock movements cannot be deleted (409 item_has_movements); archive it instead.',
      params: idParams('itm'),
      response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) },
    },
    config: { access: { permission: 'items.write' }, errors: ['item_has_movements', 'item_in_use', 'item_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          await deleteItem(ctx, request.params.id);
          return { id: request.params.id, deleted: true as const };
        },
        { targets: (r) => [{ type: 'item', id: r.id }] },
      ),
  });
}
