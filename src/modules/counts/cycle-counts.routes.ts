import { toIsoOrNull } from '../../platform/clock.ts';
import { canSeeCosts } from '../../platform/context.ts';
import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { formatMoney } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { lotOrNull } from '../ledger/index.ts';
import { cyclePlanOutput, needsCountOutput, siteQuery } from './counts.schema.ts';
import { cyclePlan, needsCount } from './cycle-counts.service.ts';

const tags = ['counts'];

export function registerCycleCountRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/counts/needs-count', {
    schema: {
      tags,
      summary: 'What needs a count at a site',
      description: 'Every balance below zero, every item whose last count is older than its cycle, and every shortage an offline sale booked at a strict site that no count has looked at since. POST /api/v1/counts with scope.negative_only or scope.item_ids counts them.',
      querystring: siteQuery,
      response: { 200: needsCountOutput },
    },
    config: { access: { permission: 'counts.write', location: { from: 'query', field: 'site_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const result = await needsCount(contextOf(deps, request), request.query.site_id);
      return {
        site_id: result.siteId,
        negative: result.negative.map((n) => ({ ...n, lot_id: lotOrNull(n.lot_id), on_hand: quantityToNumber(n.on_hand) })),
        overdue: result.overdue.map((o) => ({ item_id: o.itemId, sku: o.sku, name: o.name, abc_class: o.abcClass, last_counted_at: toIsoOrNull(o.lastCountedAt), due_since: toIsoOrNull(o.dueAt) })),
        shortages: result.shortages.map((s) => ({ ...s, lot_id: lotOrNull(s.lot_id), qty: quantityToNumber(s.qty), occurred_at: toIsoOrNull(s.occurred_at)! })),
      };
    },
  });

  app.get('/api/v1/counts/cycle-plan', {
    schema: {
      tags,
      summary: 'Today’s cycle count for a site',
      description:
        'Items are classed A, B and C by their share of the site’s cost of goods sold over the last year (80% and 15%); each class is counted once per its cycle (30, 91 and 365 days unless the site says otherwise), spread evenly over the days. ' +
        'Everything below zero is included. POST /api/v1/counts with scope.cycle_plan counts it.',
      querystring: siteQuery,
      response: { 200: cyclePlanOutput },
    },
    config: { access: { permission: 'counts.write', location: { from: 'query', field: 'site_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const plan = await cyclePlan(ctx, request.query.site_id);
      const costs = canSeeCosts(ctx.actor);
      return {
        site_id: plan.siteId,
        date: plan.date,
        classes: plan.classes,
        items: plan.items.map((i) => ({
          item_id: i.itemId,
          sku: i.sku,
          name: i.name,
          abc_class: i.abcClass,
          ...(costs ? { annual_cogs: formatMoney(i.annualCogsMicros) } : {}),
          last_counted_at: toIsoOrNull(i.lastCountedAt),
        })),
      };
    },
  });
}
