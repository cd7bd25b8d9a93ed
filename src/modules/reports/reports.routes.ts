import { z } from 'zod';
import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import { dateInput, idInput, idParams, instantInput, instantOutput, moneyOutput, quantityOutput } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { formatMoney } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { getItem } from '../catalog/index.ts';
import { getItemCosts, unitCostOf } from '../costing/index.ts';
import { inventoryValuation, inventoryValueTotal } from './valuation.service.ts';
import { stockAlerts, stockValueHistory } from './stock-status.service.ts';
import { salesByDay } from './sales-by-day.service.ts';

const itemCostsOutput = z
  .object({
    item_id: z.string(),
    costing_method: z.enum(['fifo', 'average']),
    on_hand: quantityOutput,
    value: moneyOutput,
    unit_cost: moneyOutput,
    last_unit_cost: moneyOutput,
    shortfall: z.object({ qty: quantityOutput, value: moneyOutput }).meta({ description: 'Stock sold before it was recorded, valued at the last cost until stock arrives.' }),
    layers: z.array(
      z.object({
        movement_id: z.string(),
        lot_id: z.string().nullable().meta({ description: 'The lot or serial the layer came in with; stock of a lot draws only its own layers.' }),
        received_at: instantOutput,
        qty_in: quantityOutput,
        qty_remaining: quantityOutput,
        unit_cost: moneyOutput,
        value_remaining: moneyOutput,
      }),
    ),
  })
  .meta({ id: 'ItemCosts' });

/** With `group_by=lot`, the lot or serial of each line (null for stock without one). */
const lotFieldsOutput = {
  lot_id: z.string().nullable().optional(),
  lot_code: z.string().nullable().optional(),
  expires_on: z.string().nullable().optional(),
};

const valuationOutput = z
  .object({
    as_of: instantOutput.nullable(),
    location_id: z.string().nullable(),
    total_value: moneyOutput,
    data: z.array(
      z.object({
        item_id: z.string(),
        sku: z.string(),
        name: z.string(),
        category: z.string().nullable(),
        ...lotFieldsOutput,
        on_hand: quantityOutput,
        unit_cost: moneyOutput,
        value: moneyOutput,
      }),
    ),
  })
  .meta({ id: 'InventoryValuation' });

export function registerReportRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/items/:id/costs', {
    schema: {
      tags: ['costing'],
      summary: 'An item’s cost position: open FIFO layers (or average pool), value and unit cost',
      params: idParams('itm'),
      response: { 200: itemCostsOutput },
    },
    config: { access: { permission: 'costs.read' }, errors: ['item_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const item = await getItem(ctx, request.params.id);
      const costs = await getItemCosts(ctx, item.id, item.costing_method);
      return {
        item_id: item.id,
        costing_method: item.costing_method,
        on_hand: quantityToNumber(costs.qty),
        value: formatMoney(costs.value),
        unit_cost: formatMoney(costs.unitCost),
        last_unit_cost: formatMoney(costs.lastUnitCost),
        shortfall: { qty: quantityToNumber(costs.shortfall.qty), value: formatMoney(costs.shortfall.value) },
        layers: costs.layers.map((l) => ({
          movement_id: l.movementId,
          lot_id: l.lotId || null,
          received_at: toIso(l.effectiveAt),
          qty_in: quantityToNumber(l.qtyIn),
          qty_remaining: quantityToNumber(l.qtyRemaining),
          unit_cost: formatMoney(unitCostOf(l.valueIn, l.qtyIn)),
          value_remaining: formatMoney(l.valueRemaining),
        })),
      };
    },
  });

  app.get('/api/v1/reports/valuation', {
    schema: {
      tags: ['reports'],
      summary: 'Inventory valuation per item, now or as of a past instant, for the shop or one location',
      querystring: z.strictObject({
        location_id: idInput('loc').optional(),
        as_of: instantInput.optional(),
        category: z.string().max(100).optional(),
        group_by: z
          .enum(['item', 'lot'])
          .default('item')
          .meta({ description: '`lot`: a line per item and lot (or serial); a FIFO item’s lots are each valued at what they cost, an average item’s at its average.' }),
        lines: z
          .enum(['true', 'false'])
          .default('true')
          .transform((v) => v === 'true')
          .meta({ description: '`false` answers the total alone (a dashboard tile), without a line per item.' }),
      }),
      response: { 200: valuationOutput },
    },
    config: { access: { permission: 'costs.read', location: { from: 'query', field: 'location_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const query = { locationId: request.query.location_id, asOf: request.query.as_of, category: request.query.category, groupBy: request.query.group_by };
      if (!request.query.lines) {
        const total = await inventoryValueTotal(contextOf(deps, request), query);
        return { as_of: toIsoOrNull(query.asOf ?? null), location_id: query.locationId ?? null, total_value: formatMoney(total), data: [] };
      }
      const report = await inventoryValuation(contextOf(deps, request), query);
      return {
        as_of: toIsoOrNull(report.asOf),
        location_id: report.locationId,
        total_value: formatMoney(report.totalValue),
        data: report.lines.map((l) => ({
          item_id: l.itemId,
          sku: l.sku,
          name: l.name,
          category: l.category,
          ...(l.lot ? { lot_id: l.lot.lotId, lot_code: l.lot.code, expires_on: l.lot.expiresOn } : {}),
          on_hand: quantityToNumber(l.qty),
          unit_cost: formatMoney(l.unitCost),
          value: formatMoney(l.value),
        })),
      };
    },
  });

  app.get('/api/v1/reports/stock-alerts', {
    schema: {
      tags: ['reports'],
      summary: 'Items out of stock, or at or below their reorder point',
      description: 'Counts sellable stock only (not virtual locations or quarantine bins). Out of stock first, then low, by SKU.',
      querystring: z.strictObject({ location_id: idInput('loc').optional(), limit: z.coerce.number().int().min(1).max(5000).default(500) }),
      response: {
        200: z.object({
          counts: z.object({ out_of_stock: z.number().int(), low: z.number().int() }),
          data: z.array(
            z.object({
              item_id: z.string(),
              sku: z.string(),
              name: z.string(),
              category: z.string().nullable(),
              on_hand: quantityOutput,
              reorder_point: quantityOutput.nullable(),
              on_order: quantityOutput.meta({ description: 'Still owed by vendors on sent purchase orders to the same sites.' }),
              status: z.enum(['out_of_stock', 'low']),
            }),
          ),
        }),
      },
    },
    config: { access: { permission: 'stock.read', location: { from: 'query', field: 'location_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const { alerts, counts } = await stockAlerts(contextOf(deps, request), { locationId: request.query.location_id, limit: request.query.limit });
      return {
        counts,
        data: alerts.map((a) => ({
          item_id: a.itemId,
          sku: a.sku,
          name: a.name,
          category: a.category,
          on_hand: quantityToNumber(a.onHand),
          reorder_point: a.reorderPoint === null ? null : quantityToNumber(a.reorderPoint),
          on_order: quantityToNumber(a.onOrder),
          status: a.status,
        })),
      };
    },
  });

  app.get('/api/v1/reports/stock-value-history', {
    schema: {
      tags: ['reports'],
      summary: 'The value of all owned stock at the end of each of the last days',
      description: 'Days end at midnight in the shop’s time zone (settings), exact to the hour.',
      querystring: z.strictObject({ days: z.coerce.number().int().min(1).max(366).default(30) }),
      response: { 200: z.object({ data: z.array(z.object({ date: z.string(), value: moneyOutput })) }) },
    },
    config: { access: { permission: 'costs.read' }, errors: [] },
    handler: async (request) => ({
      data: (await stockValueHistory(contextOf(deps, request), request.query.days)).map((d) => ({ date: d.date, value: formatMoney(d.value) })),
    }),
  });

  app.get('/api/v1/reports/sales-by-day', {
    schema: {
      tags: ['reports'],
      summary: 'Sales per day: how many, net takings before tax, and their cost of goods',
      description: 'Days are the shop’s (settings time zone). `cogs` is left out for those who may not see costs.',
      querystring: z.strictObject({ from: dateInput, to: dateInput, location_id: idInput('loc').optional() }),
      response: {
        200: z.object({
          data: z.array(z.object({ date: z.string(), sales_count: z.number().int(), revenue: moneyOutput, cogs: moneyOutput.optional() })),
        }),
      },
    },
    config: { access: { permission: 'sales.read', location: { from: 'query', field: 'location_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const days = await salesByDay(contextOf(deps, request), { from: request.query.from, to: request.query.to, locationId: request.query.location_id });
      return {
        data: days.map((d) => ({ date: d.date, sales_count: d.count, revenue: formatMoney(d.revenue), ...(d.cogs === null ? {} : { cogs: formatMoney(d.cogs) }) })),
      };
    },
  });
}
