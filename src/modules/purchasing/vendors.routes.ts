import { z } from 'zod';
import { canSeeCosts } from '../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { toExchangeRateJson, toVendorItemJson, toVendorJson } from './purchasing.mapper.ts';
import {
  createVendorBody,
  exchangeRateOutput,
  listExchangeRatesQuery,
  listVendorsQuery,
  setExchangeRateBody,
  setVendorItemBody,
  updateVendorBody,
  vendorItemOutput,
  vendorItemParams,
  vendorOutput,
  vendorPage,
} from './purchasing.schema.ts';
import { listExchangeRates, setExchangeRate } from './exchange-rates.service.ts';
import { createVendor, deleteVendor, getVendor, listItemVendors, listVendorItems, listVendors, setVendorItem, updateVendor, deleteVendorItem } from './vendors.service.ts';

const tags = ['purchasing'];

export function registerVendorRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/vendors', {
    schema: { tags, summary: 'Create a vendor', body: createVendorBody, response: { 201: vendorOutput } },
    config: { access: { permission: 'purchasing.write' }, errors: ['vendor_name_taken'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const { over_receipt_tolerance_percent, ...rest } = request.body;
          return toVendorJson(await createVendor(ctx, { ...rest, over_receipt_tolerance: over_receipt_tolerance_percent }));
        },
        { status: 201, targets: (v) => [{ type: 'vendor', id: v.id }] },
      ),
  });

  app.get('/api/v1/vendors', {
    schema: { tags, summary: 'Vendors by name', querystring: listVendorsQuery, response: { 200: vendorPage } },
    config: { access: { permission: 'purchasing.read' }, errors: [] },
    handler: async (request) => {
      const page = await listVendors(contextOf(deps, request), request.query);
      return { data: page.rows.map(toVendorJson), next_cursor: page.nextCursor };
    },
  });

  app.get('/api/v1/vendors/:id', {
    schema: { tags, summary: 'One vendor', params: idParams('ven'), response: { 200: vendorOutput } },
    config: { access: { permission: 'purchasing.read' }, errors: ['vendor_not_found'] },
    handler: async (request) => toVendorJson(await getVendor(contextOf(deps, request), request.params.id)),
  });

  app.patch('/api/v1/vendors/:id', {
    schema: { tags, summary: 'Change a vendor (archive it with status=archived)', params: idParams('ven'), body: updateVendorBody, response: { 200: vendorOutput } },
    config: { access: { permission: 'purchasing.write' }, errors: ['vendor_currency_locked', 'vendor_name_taken', 'vendor_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const { over_receipt_tolerance_percent, ...rest } = request.body;
          return toVendorJson(await updateVendor(ctx, request.params.id, { ...rest, ...(over_receipt_tolerance_percent !== undefined ? { over_receipt_tolerance: over_receipt_tolerance_percent } : {}) }));
        },
        { targets: (v) => [{ type: 'vendor', id: v.id }] },
      ),
  });

  app.delete('/api/v1/vendors/:id', {
    schema: { tags, summary: 'Delete a vendor nobody ordered from', params: idParams('ven'), response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) } },
    config: { access: { permission: 'purchasing.write' }, errors: ['vendor_in_use', 'vendor_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          await deleteVendor(ctx, request.params.id);
          return { id: request.params.id, deleted: true as const };
        },
        { targets: () => [{ type: 'vendor', id: request.params.id }] },
      ),
  });

  app.put('/api/v1/vendors/:id/items/:item_id', {
    schema: { tags, summary: 'Set a vendor’s terms for an item: vendor SKU, purchase unit, unit cost, minimum order, pack multiple, preferred', params: vendorItemParams, body: setVendorItemBody, response: { 200: vendorItemOutput } },
    config: { access: { permission: 'purchasing.write' }, errors: ['vendor_item_invalid', 'vendor_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => toVendorItemJson(await setVendorItem(ctx, request.params.id, request.params.item_id, request.body), { costs: canSeeCosts(ctx.actor) }),
        { targets: () => [{ type: 'vendor', id: request.params.id }] },
      ),
  });

  app.delete('/api/v1/vendors/:id/items/:item_id', {
    schema: { tags, summary: 'Remove a vendor’s terms for an item', params: vendorItemParams, response: { 200: z.object({ vendor_id: z.string(), item_id: z.string(), deleted: z.literal(true) }) } },
    config: { access: { permission: 'purchasing.write' }, errors: ['vendor_item_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => {
        await deleteVendorItem(ctx, request.params.id, request.params.item_id);
        return { vendor_id: request.params.id, item_id: request.params.item_id, deleted: true as const };
      }),
  });

  app.get('/api/v1/vendors/:id/items', {
    schema: { tags, summary: 'What a vendor sells, on what terms', params: idParams('ven'), response: { 200: z.object({ data: z.array(vendorItemOutput) }) } },
    config: { access: { permission: 'purchasing.read' }, errors: ['vendor_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return { data: (await listVendorItems(ctx, request.params.id)).map((r) => toVendorItemJson(r, { costs: canSeeCosts(ctx.actor) })) };
    },
  });

  app.get('/api/v1/items/:id/vendors', {
    schema: { tags, summary: 'The vendors of an item, preferred first', params: idParams('itm'), response: { 200: z.object({ data: z.array(vendorItemOutput) }) } },
    config: { access: { permission: 'purchasing.read' }, errors: ['item_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return { data: (await listItemVendors(ctx, request.params.id)).map((r) => toVendorItemJson(r, { costs: canSeeCosts(ctx.actor) })) };
    },
  });

  app.post('/api/v1/exchange-rates', {
    schema: {
      tags,
      summary: 'Record an exchange rate to the base currency from a date on',
      description: 'The rate is base-currency units per one unit of `currency` (at most 9 decimals). A second rate for the same currency and date replaces the first.',
      body: setExchangeRateBody,
      response: { 201: exchangeRateOutput },
    },
    config: { access: { permission: 'settings.write' }, errors: ['exchange_rate_missing'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => toExchangeRateJson(await setExchangeRate(ctx, { currency: request.body.currency, rateE9: request.body.rate, effectiveOn: request.body.effective_on })),
        { status: 201, targets: (r) => [{ type: 'exchange_rate', id: `${r.currency}:${r.effective_on}` }] },
      ),
  });

  app.get('/api/v1/exchange-rates', {
    schema: { tags, summary: 'Exchange rates, newest first per currency', querystring: listExchangeRatesQuery, response: { 200: z.object({ data: z.array(exchangeRateOutput) }) } },
    config: { access: { permission: 'purchasing.read' }, errors: [] },
    handler: async (request) => ({ data: (await listExchangeRates(contextOf(deps, request), request.query.currency)).map(toExchangeRateJson) }),
  });
}
