import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import { canSeeCosts } from '../../platform/context.ts';
import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { formatMoney, formatMoneyOrNull } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { getItem } from '../catalog/index.ts';
import { lotOrNull } from '../ledger/index.ts';
import { countVarianceReport, itemCountHistory, periodVarianceReport, shrinkage } from './count-reports.service.ts';
import { toVarianceReportJson } from './counts.mapper.ts';
import { itemCountHistoryOutput, periodQuery, shrinkageOutput, varianceReportOutput } from './counts.schema.ts';

const tags = ['counts'];

export function registerCountReportRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/counts/:id/variances', {
    schema: {
      tags,
      summary: 'The variance report of a posted count',
      description: 'Quantity and value by line, item, reason and counter; values only for those who may see costs.',
      params: idParams('cnt'),
      response: { 200: varianceReportOutput },
    },
    config: { access: { permission: 'stock.read' }, errors: ['count_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toVarianceReportJson(await countVarianceReport(ctx, request.params.id), canSeeCosts(ctx.actor));
    },
  });

  app.get('/api/v1/reports/count-variances', {
    schema: { tags: ['reports', 'counts'], summary: 'Count variances posted over a period', querystring: periodQuery, response: { 200: varianceReportOutput } },
    config: { access: { permission: 'reports.read', location: { from: 'query', field: 'site_id' } }, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const q = request.query;
      return toVarianceReportJson(await periodVarianceReport(ctx, { siteId: q.site_id, from: q.from, to: q.to }), canSeeCosts(ctx.actor));
    },
  });

  app.get('/api/v1/reports/shrinkage', {
    schema: {
      tags: ['reports', 'counts'],
      summary: 'Shrinkage per site and category over a period',
      description: 'From posted count variances: what went missing and what turned up, in quantity and value (the shop’s time zone decides the days).',
      querystring: periodQuery,
      response: { 200: shrinkageOutput },
    },
    config: { access: { permission: 'reports.read', location: { from: 'query', field: 'site_id' } }, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const q = request.query;
      const rows = await shrinkage(ctx, { siteId: q.site_id, from: q.from, to: q.to });
      // reports.read is held by those who may see costs; a role that lacks costs.read never gets here.
      return {
        from: q.from,
        to: q.to,
        rows: rows.map((r) => ({
          site_id: r.site_id,
          category: r.category,
          lost_qty: quantityToNumber(r.lost_qty),
          lost_value: formatMoney(r.lost_value_micros),
          found_qty: quantityToNumber(r.found_qty),
          found_value: formatMoney(r.found_value_micros),
          net_value: formatMoney(r.found_value_micros - r.lost_value_micros),
        })),
      };
    },
  });

  app.get('/api/v1/items/:id/count-history', {
    schema: { tags: ['counts', 'items'], summary: 'When an item was last counted, and its variances', params: idParams('itm'), response: { 200: itemCountHistoryOutput } },
    config: { access: { permission: 'stock.read' }, errors: ['item_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      await getItem(ctx, request.params.id);
      const history = await itemCountHistory(ctx, request.params.id);
      const costs = canSeeCosts(ctx.actor);
      return {
        item_id: request.params.id,
        last_counted_at: toIsoOrNull(history[0]?.counted_at ?? null),
        history: history.map((h) => ({
          count_id: h.count_id,
          count_number: h.count_number,
          site_id: h.site_id,
          location_id: h.location_id,
          lot_id: lotOrNull(h.lot_id),
          counted_at: toIso(h.counted_at),
          counted_qty: quantityToNumber(h.counted_qty),
          expected_qty: quantityToNumber(h.expected_qty),
          variance_qty: quantityToNumber(h.variance_qty),
          ...(costs ? { variance_value: formatMoneyOrNull(h.variance_value_micros) } : {}),
        })),
      };
    },
  });
}
