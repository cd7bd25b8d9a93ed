import { toIso } from '../../platform/clock.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { formatMoney, formatMoneyOrNull } from '../../platform/money.ts';
import { formatPercent } from '../../platform/rate.ts';
import { getItem } from '../catalog/index.ts';
import {
  applyPricingBody,
  marginAlertsOutput,
  marginAlertsQuery,
  priceHistoryOutput,
  pricingResultOutput,
  pricingRuleBody,
} from './pricing.schema.ts';
import { applyPricing, listMarginAlerts, listPriceHistory, previewPricing, type PricingResult } from './pricing.service.ts';

const tags = ['pricing'];
const percentOrNull = (ppm: number | null) => (ppm === null ? null : formatPercent(ppm));
const ruleErrors = ['pricing_rule_invalid', 'pricing_selection_empty'] as const;

function toResultJson(r: PricingResult) {
  return {
    rule: r.rule,
    applied: r.applied,
    changed: r.lines.filter((l) => l.outcome === 'changed').length,
    skipped: r.lines.filter((l) => l.outcome === 'no_cost').length,
    lines: r.lines.map((l) => ({
      item_id: l.itemId,
      sku: l.sku,
      name: l.name,
      cost: formatMoneyOrNull(l.cost),
      price_before: formatMoneyOrNull(l.priceBefore),
      price_after: formatMoneyOrNull(l.priceAfter),
      margin_before_percent: percentOrNull(l.marginBefore),
      margin_after_percent: percentOrNull(l.marginAfter),
      outcome: l.outcome,
    })),
  };
}

/** Costs and margins show in every answer here, so each route needs `costs.read` (owners, managers, viewers; never staff). */
export function registerPricingRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/pricing/preview', {
    schema: {
      tags,
      summary: 'Preview prices set by markup or target margin over a cost',
      description: 'Prices every selected item from its last, average or replacement cost, rounds to the chosen ending, and shows the margin before and after. Changes nothing.',
      body: pricingRuleBody,
      response: { 200: pricingResultOutput },
    },
    config: { access: { permission: 'costs.read' }, errors: [...ruleErrors] },
    handler: async (request) => toResultJson(await previewPricing(contextOf(deps, request), request.body)),
  });

  app.post('/api/v1/pricing/apply', {
    schema: {
      tags,
      summary: 'Apply a repricing with a reason',
      description: 'The same calculation as the preview, written: new prices and one price history row per changed item, in one transaction. Send an Idempotency-Key to make a retry safe.',
      body: applyPricingBody,
      response: { 200: pricingResultOutput },
    },
    config: { access: { permission: 'items.write' }, errors: [...ruleErrors] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toResultJson(await applyPricing(ctx, request.body)), {
        targets: (r) => r.lines.filter((l) => l.outcome === 'changed').map((l) => ({ type: 'item', id: l.item_id })),
      }),
  });

  app.get('/api/v1/items/:id/price-history', {
    schema: { tags, summary: 'Price changes of an item made by the pricing calculator, newest first', params: idParams('itm'), response: { 200: priceHistoryOutput } },
    config: { access: { permission: 'costs.read' }, errors: ['item_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      await getItem(ctx, request.params.id);
      const rows = await listPriceHistory(ctx, request.params.id);
      return {
        data: rows.map((r) => ({
          id: r.id,
          item_id: r.item_id,
          price_before: formatMoneyOrNull(r.old_price_micros === null ? null : Number(r.old_price_micros)),
          price_after: formatMoney(Number(r.new_price_micros)),
          cost_basis: r.cost_basis,
          cost: formatMoneyOrNull(r.cost_micros === null ? null : Number(r.cost_micros)),
          rule: r.rule,
          reason: r.reason,
          actor_id: r.actor_id,
          created_at: toIso(Number(r.created_at)),
        })),
      };
    },
  });

  app.get('/api/v1/pricing/margin-alerts', {
    schema: {
      tags,
      summary: 'Items whose margin fell below a threshold after a receipt with a higher cost',
      querystring: marginAlertsQuery,
      response: { 200: marginAlertsOutput },
    },
    config: { access: { permission: 'costs.read' }, errors: [] },
    handler: async (request) => {
      const alerts = await listMarginAlerts(contextOf(deps, request), request.query.below_percent ?? 300_000);
      return {
        data: alerts.map((a) => ({
          item_id: a.itemId,
          sku: a.sku,
          name: a.name,
          price: formatMoney(a.price),
          previous_cost: formatMoney(a.previousCost),
          cost: formatMoney(a.cost),
          margin_before_percent: percentOrNull(a.marginBefore),
          margin_percent: percentOrNull(a.margin),
          receipt_id: a.receiptId,
          received_at: toIso(a.receivedAt),
        })),
      };
    },
  });
}
