import { toIso } from '../../platform/clock.ts';
import { canSeeCosts } from '../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { formatMoney } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import type { View } from '../ledger/index.ts';
import { createSale } from './checkout.service.ts';
import { registerItemSalesRoutes } from './item-sales.routes.ts';
import { modifierSales } from './modifier-sales.service.ts';
import { createExchange, createReturn, getExchange, getReturn, voidSale, type ExchangeRecord } from './returns.service.ts';
import { getSale, listSales } from './sale-records.service.ts';
import { toReturnJson, toSaleJson } from './sales.mapper.ts';
import {
  createExchangeBody,
  createReturnBody,
  createSaleBody,
  exchangeOutput,
  listSalesQuery,
  modifierSalesOutput,
  modifierSalesQuery,
  returnOutput,
  saleOutput,
  salePage,
  voidSaleBody,
} from './sales.schema.ts';

function toExchangeJson(record: ExchangeRecord, view: View) {
  return {
    id: record.id,
    difference: formatMoney(record.differenceMicros),
    created_at: toIso(record.createdAt),
    return: toReturnJson(record.ret, view),
    sale: toSaleJson(record.sale, view),
  };
}

export function registerSalesRoutes(app: AppInstance, deps: CommandDeps): void {
  registerItemSalesRoutes(app, deps);
  app.post('/api/v1/sales', {
    schema: {
      tags: ['sales'],
      summary: 'Record a counter sale and answer with the receipt',
      description:
        'Lines name the item by id, SKU or scanned barcode. Stock moves from the store to the customer with its cost of goods sold, in one transaction. ' +
        'An allow-negative store never refuses: the receipt warns of balances left below zero; a strict location refuses with 409 insufficient_stock. ' +
        'Requires an Idempotency-Key. Cost and margin are left out for staff. ' +
        'An offline till replaying its queue sends `occurred_at`: the sale is dated and valued then and is never refused for stock (see docs/offline.md).',
      body: createSaleBody,
      response: { 201: saleOutput },
    },
    config: { access: { permission: 'sales.write', location: { from: 'body', field: 'location_id' } }, errors: ['currency_mismatch', 'discount_invalid', 'insufficient_stock', 'item_not_stockable', 'location_not_found', 'location_not_sellable', 'location_not_stockable', 'lot_invalid', 'lot_required', 'modifier_invalid', 'movement_invalid', 'occurred_at_in_future', 'occurred_at_too_old', 'payment_insufficient', 'payment_invalid', 'reservation_invalid', 'sale_line_invalid', 'serial_in_stock'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toSaleJson(await createSale(ctx, request.body), { costs: canSeeCosts(ctx.actor) }), {
        status: 201,
        requireKey: true,
        targets: (sale) => [{ type: 'sale', id: sale.id }],
      }),
  });

  app.get('/api/v1/sales/:id', {
    schema: { tags: ['sales'], summary: 'One sale (the receipt, with returns counted)', params: idParams('sal'), response: { 200: saleOutput } },
    config: { access: { permission: 'sales.read' }, errors: ['sale_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toSaleJson(await getSale(ctx, request.params.id), { costs: canSeeCosts(ctx.actor) });
    },
  });

  app.get('/api/v1/sales', {
    schema: { tags: ['sales'], summary: 'Sales, newest first', querystring: listSalesQuery, response: { 200: salePage } },
    config: { access: { permission: 'sales.read', location: { from: 'query', field: 'location_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const q = request.query;
      const page = await listSales(ctx, { locationId: q.location_id, from: q.from, to: q.to, limit: q.limit, cursor: q.cursor });
      const view = { costs: canSeeCosts(ctx.actor) };
      return { data: page.records.map((r) => toSaleJson(r, view)), next_cursor: page.nextCursor };
    },
  });

  app.post('/api/v1/sales/:id/void', {
    schema: {
      tags: ['sales'],
      summary: 'Void a sale, or some of its lines, at the counter',
      description: 'Puts the goods back where they were sold at the cost they left with, by new movements, and records the refund. A sale is voided once.',
      params: idParams('sal'),
      body: voidSaleBody,
      response: { 201: returnOutput },
    },
    config: { access: { permission: 'sales.write' }, errors: ['insufficient_stock', 'item_not_stockable', 'location_not_found', 'location_not_stockable', 'lot_invalid', 'lot_required', 'movement_invalid', 'order_not_found', 'payment_invalid', 'reservation_invalid', 'return_exceeds_sold', 'return_invalid', 'sale_already_voided', 'sale_not_found', 'serial_in_stock'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toReturnJson(await voidSale(ctx, request.params.id, request.body), { costs: canSeeCosts(ctx.actor) }), {
        status: 201,
        targets: (r) => [{ type: 'return', id: r.id }, { type: 'sale', id: request.params.id }],
      }),
  });

  app.post('/api/v1/returns', {
    schema: {
      tags: ['returns'],
      summary: 'Take goods back from a sale or an order, and refund them',
      description:
        'Per line: `restockable` goes back to stock (where it left from, or `restock_location_id`) at the cost it left with and into its own lot; ' +
        '`damaged` goes to scrap or a quarantine bin; `not_received` is a refund only.',
      body: createReturnBody,
      response: { 201: returnOutput },
    },
    config: { access: { permission: 'returns.write' }, errors: ['insufficient_stock', 'item_not_stockable', 'location_not_found', 'location_not_stockable', 'lot_invalid', 'lot_required', 'movement_invalid', 'order_not_found', 'payment_invalid', 'reservation_invalid', 'return_exceeds_sold', 'return_invalid', 'sale_not_found', 'serial_in_stock'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toReturnJson(await createReturn(ctx, request.body), { costs: canSeeCosts(ctx.actor) }), {
        status: 201,
        targets: (r) => [{ type: 'return', id: r.id }],
      }),
  });

  app.get('/api/v1/returns/:id', {
    schema: { tags: ['returns'], summary: 'One return or void', params: idParams('ret'), response: { 200: returnOutput } },
    config: { access: { permission: 'sales.read' }, errors: ['return_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toReturnJson(await getReturn(ctx, request.params.id), { costs: canSeeCosts(ctx.actor) });
    },
  });

  app.post('/api/v1/exchanges', {
    schema: {
      tags: ['returns'],
      summary: 'Exchange: a return and a new sale in one document',
      description: 'The return is credited to the new sale; the sale’s payments cover the difference, or the rest of the refund is paid in `refund_tender`.',
      body: createExchangeBody,
      response: { 201: exchangeOutput },
    },
    config: { access: { permission: 'returns.write' }, errors: ['currency_mismatch', 'discount_invalid', 'insufficient_stock', 'item_not_stockable', 'location_not_found', 'location_not_sellable', 'location_not_stockable', 'lot_invalid', 'lot_required', 'modifier_invalid', 'movement_invalid', 'order_not_found', 'payment_insufficient', 'payment_invalid', 'reservation_invalid', 'return_exceeds_sold', 'return_invalid', 'sale_line_invalid', 'sale_not_found', 'serial_in_stock'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toExchangeJson(await createExchange(ctx, request.body), { costs: canSeeCosts(ctx.actor) }), {
        status: 201,
        targets: (e) => [{ type: 'exchange', id: e.id }],
      }),
  });

  app.get('/api/v1/exchanges/:id', {
    schema: { tags: ['returns'], summary: 'One exchange', params: idParams('exc'), response: { 200: exchangeOutput } },
    config: { access: { permission: 'sales.read' }, errors: ['exchange_not_found', 'sale_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toExchangeJson(await getExchange(ctx, request.params.id), { costs: canSeeCosts(ctx.actor) });
    },
  });

  app.get('/api/v1/reports/modifier-sales', {
    schema: { tags: ['reports'], summary: 'Modifier sales over a period', querystring: modifierSalesQuery, response: { 200: modifierSalesOutput } },
    config: { access: { permission: 'reports.read', location: { from: 'query', field: 'location_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const q = request.query;
      const rows = await modifierSales(contextOf(deps, request), { from: q.from, to: q.to, locationId: q.location_id });
      return {
        from: toIso(q.from),
        to: toIso(q.to),
        data: rows.map((r) => ({
          modifier_id: r.modifierId,
          group_id: r.groupId,
          name: r.name,
          lines: r.lines,
          qty: quantityToNumber(r.qty),
          qty_returned: quantityToNumber(r.qtyReturned),
          revenue: formatMoney(r.revenueMicros),
        })),
      };
    },
  });

}
