import { z } from 'zod';
import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import { dateInput, idInput, idParams, moneyOutput, quantityOutput } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { formatMoney } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { itemSales } from './item-sales.service.ts';

const itemSalesOutput = z
  .object({
    item_id: z.string(),
    from: z.string(),
    to: z.string(),
    days: z.array(z.object({ date: z.string(), qty: quantityOutput, lines: z.number().int(), revenue: moneyOutput.meta({ description: 'Net of discounts, before tax.' }) })),
    totals: z.object({ qty: quantityOutput, lines: z.number().int(), revenue: moneyOutput }),
    consumed: z.array(
      z.object({
        item_id: z.string(),
        sku: z.string(),
        name: z.string(),
        base_unit: z.string(),
        qty: quantityOutput,
        cost: moneyOutput.optional().meta({ description: 'Cost of what was consumed; omitted for those who may not see costs.' }),
      }),
    ),
  })
  .meta({ id: 'ItemSales' });

export function registerItemSalesRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/items/:id/sales', {
    schema: {
      tags: ['sales'],
      summary: 'What an item sold per day, and the stock those sales consumed',
      description:
        'Days are the shop’s (settings time zone), every day of the range listed, at most 366. Voided sales count for nothing. ' +
        '`consumed` is what the sale lines took from stock: the item itself when it is stocked, its components (and modifiers’) when it is a recipe or bundle. ' +
        'Only the sites the caller is granted are counted; `cost` is left out for those who may not see costs.',
      params: idParams('itm'),
      querystring: z.strictObject({ from: dateInput, to: dateInput, location_id: idInput('loc').optional().meta({ description: 'Only sales at this site (or the site of this bin).' }) }),
      response: { 200: itemSalesOutput },
    },
    config: { access: { permission: 'sales.read', location: { from: 'query', field: 'location_id' } }, errors: ['item_not_found', 'location_not_found'] },
    handler: async (request) => {
      const q = request.query;
      const result = await itemSales(contextOf(deps, request), request.params.id, { from: q.from, to: q.to, locationId: q.location_id });
      const sum = (pick: (d: (typeof result.days)[number]) => number) => result.days.reduce((s, d) => s + pick(d), 0);
      return {
        item_id: result.itemId,
        from: q.from,
        to: q.to,
        days: result.days.map((d) => ({ date: d.date, qty: quantityToNumber(d.qty), lines: d.lines, revenue: formatMoney(d.revenueMicros) })),
        totals: { qty: quantityToNumber(sum((d) => d.qty)), lines: sum((d) => d.lines), revenue: formatMoney(sum((d) => d.revenueMicros)) },
        consumed: result.consumed.map((c) => ({ item_id: c.itemId, sku: c.sku, name: c.name, base_unit: c.baseUnit, qty: quantityToNumber(c.qty), ...(c.costMicros === null ? {} : { cost: formatMoney(c.costMicros) }) })),
      };
    },
  });
}
