import { z } from 'zod';
import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import { idInput, idParams, instantInput, instantOutput, moneyOutput, quantityOutput } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { formatMoney } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { getItem } from '../catalog/index.ts';
import { getItemCosts, unitCostOf } from '../costing/index.ts';
import { inventoryValuation } from './valuation.service.ts';

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
        received_at: instantOutput,
        qty_in: quantityOutput,
        qty_remaining: quantityOutput,
        unit_cost: moneyOutput,
        value_remaining: moneyOutput,
      }),
    ),
  })
  .meta({ id: 'ItemCosts' });

const valuationOutput = z
  .object({
    as_of: instantOutput.nullable(),
    location_id: z.string().nullable(),
    total_value: moneyOutput,
    data: z.array(
      z.object({ item_id: z.string(), sku: z.string(), name: z.string(), category: z.string().nullable(), on_hand: quantityOutput, unit_cost: moneyOutput, value: moneyOutput }),
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
    config: { access: { permission: 'costs.read' } },
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
      }),
      response: { 200: valuationOutput },
    },
    config: { access: { permission: 'costs.read', location: { from: 'query', field: 'location_id' } } },
    handler: async (request) => {
      const report = await inventoryValuation(contextOf(deps, request), { locationId: request.query.location_id, asOf: request.query.as_of, category: request.query.category });
      return {
        as_of: toIsoOrNull(report.asOf),
        location_id: report.locationId,
        total_value: formatMoney(report.totalValue),
        data: report.lines.map((l) => ({
          item_id: l.itemId,
          sku: l.sku,
          name: l.name,
          category: l.category,
          on_hand: quantityToNumber(l.qty),
          unit_cost: formatMoney(l.unitCost),
          value: formatMoney(l.value),
        })),
      };
    },
  });
}
