import { toIso } from '../../platform/clock.ts';
import { canSeeCosts, type ServiceContext } from '../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { formatMoney } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { postingErrorCodes } from '../ledger/index.ts';
import { createDraftPurchaseOrders, createProposedTransfers, readAutoDrafts, setAutoDrafts } from './drafts.service.ts';
import { bulkSetLevels, getLevel, listLevels, putLevel, suggestLevels, type LevelRecord, type UnsetLevel } from './levels.service.ts';
import type { LevelBasis } from './planning.ts';
import { proposeReplenishment, type Proposals } from './proposals.service.ts';
import {
  bulkLevelsBody,
  bulkOutput,
  createDraftsBody,
  createdDraftsOutput,
  createdTransfersOutput,
  createTransfersBody,
  levelBody,
  levelOutput,
  levelPage,
  levelParams,
  listLevelsQuery,
  proposalsOutput,
  proposalsQuery,
  scheduleBody,
  scheduleOutput,
  suggestionOutput,
  suggestLevelsBody,
} from './replenishment.schema.ts';

const tags = ['replenishment'];
const n = quantityToNumber;

function basisJson(b: LevelBasis | null) {
  if (!b) return null;
  return { lead_time_days: b.leadTimeDays, lead_time_source: b.leadTimeSource, review_days: b.reviewDays, ...(b.storesCounted ? { stores_counted: b.storesCounted, own_keep: n(b.ownKeep ?? 0) } : {}), service_percent: b.servicePermille / 10, forecast: n(b.forecast), ...(b.shelfFloor ? { shelf_floor: true } : {}) };
}

function levelJson(r: LevelRecord | UnsetLevel) {
  if ('unset' in r) return { item_id: r.item_id, location_id: r.location_id, site_id: r.site_id, min: null, max: null, delivered_daily: false, source: 'none' as const, basis: null, updated_at: null };
  return {
    item_id: r.item_id,
    location_id: r.location_id,
    site_id: r.site_id,
    min: n(r.min_qty),
    max: n(r.max_qty),
    delivered_daily: Number(r.delivered_daily) === 1,
    source: r.source,
    basis: basisJson(r.basis),
    updated_at: toIso(Number(r.updated_at)),
  };
}

function proposalsJson(ctx: ServiceContext, p: Proposals) {
  const costs = canSeeCosts(ctx.actor);
  return {
    purchase: p.purchase.map((g) => ({
      vendor_id: g.vendorId,
      vendor_name: g.vendorName,
      currency: g.currency,
      site_id: g.siteId,
      site_name: g.siteName,
      expected_on: g.expectedOn,
      ...(costs ? { total_cost: g.totalMicros === null ? null : formatMoney(g.totalMicros) } : {}),
      lines: g.lines.map((l) => ({
        item_id: l.itemId,
        sku: l.sku,
        name: l.name,
        site_id: l.siteId,
        position: { on_hand: n(l.position.onHand), reserved: n(l.position.reserved), on_order: n(l.position.onOrder), in_transit: n(l.position.inTransit) },
        transfer_in: n(l.transferIn),
        stores_short: n(l.storesShort),
        min: n(l.level.min),
        max: n(l.level.max),
        basis: basisJson(l.basis),
        need: n(l.order.need),
        qty: n(l.order.qty),
        unit: l.terms.unitName,
        unit_factor: n(l.terms.factor),
        qty_base: n(l.order.qtyBase),
        lead_time_days: l.leadTimeDays,
        expected_on: l.expectedOn,
        why: l.why,
        ...(costs
          ? { unit_cost: l.unitCostMicros === null ? null : formatMoney(l.unitCostMicros), line_cost: l.lineCostMicros === null ? null : formatMoney(l.lineCostMicros) }
          : {}),
      })),
    })),
    transfer: p.transfer.map((g) => ({
      source_site_id: g.sourceSiteId,
      source_site_name: g.sourceSiteName,
      destination_site_id: g.destinationSiteId,
      destination_site_name: g.destinationSiteName,
      lines: g.lines.map((l) => ({ item_id: l.itemId, sku: l.sku, name: l.name, qty: n(l.qty), why: l.why })),
    })),
    bin_moves: p.binMoves.map((g) => ({
      site_id: g.siteId,
      site_name: g.siteName,
      lines: g.lines.map((l) => ({
        item_id: l.itemId,
        sku: l.sku,
        name: l.name,
        from_location_id: l.fromLocationId,
        from_code: l.fromCode,
        to_location_id: l.toLocationId,
        to_code: l.toCode,
        qty: n(l.qty),
        why: l.why,
      })),
    })),
  };
}

export function registerReplenishmentRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/stock-levels', {
    schema: { tags, summary: 'Min/max stock levels at the granted sites and their bins', querystring: listLevelsQuery, response: { 200: levelPage } },
    config: { access: { permission: 'stock.read', location: { from: 'query', field: 'site_id' } }, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const q = request.query;
      const page = await listLevels(ctx, { itemId: q.item_id, siteId: q.site_id, locationId: q.location_id, limit: q.limit, cursor: q.cursor });
      return { data: page.records.map(levelJson), next_cursor: page.nextCursor };
    },
  });

  app.get('/api/v1/stock-levels/:item_id/:location_id', {
    schema: { tags, summary: 'The level of one item at one site or bin (`source: none` when never set)', params: levelParams, response: { 200: levelOutput } },
    config: { access: { permission: 'stock.read', location: { from: 'params', field: 'location_id' } }, errors: ['stock_level_not_found'] },
    handler: async (request) => levelJson(await getLevel(contextOf(deps, request), request.params.item_id, request.params.location_id)),
  });

  app.put('/api/v1/stock-levels/:item_id/:location_id', {
    schema: { tags, summary: 'Set the min and max of one item at a site or a pick-face bin', params: levelParams, body: levelBody, response: { 200: levelOutput } },
    config: { access: { permission: 'purchasing.write', location: { from: 'params', field: 'location_id' } }, errors: ['location_not_found', 'item_not_found', 'stock_level_invalid', 'stock_level_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => levelJson(await putLevel(ctx, request.params.item_id, request.params.location_id, request.body)), {
        targets: () => [{ type: 'item', id: request.params.item_id }],
      }),
  });

  app.post('/api/v1/stock-levels/bulk', {
    schema: { tags, summary: 'Set one min and max for many items at a site or bin: by ids, category or vendor', body: bulkLevelsBody, response: { 200: bulkOutput } },
    config: { access: { permission: 'purchasing.write', location: { from: 'body', field: 'location_id' } }, errors: ['location_not_found', 'stock_level_invalid'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => {
        const b = request.body;
        const updated = await bulkSetLevels(ctx, b.location_id, { itemIds: b.item_ids, category: b.category, vendorId: b.vendor_id }, { min: b.min, max: b.max, delivered_daily: b.delivered_daily });
        return { updated };
      }),
  });

  app.post('/api/v1/stock-levels/suggest', {
    schema: {
      tags,
      summary: 'Suggest levels from the forecast (and optionally apply them)',
      description:
        'min = forecast demand over (measured lead time + review period) at the item class’s service level (A 98 %, B 95 %, C 90 % by sales value), rounded up to whole units; max = min + one review period’s mean demand.',
      body: suggestLevelsBody,
      response: { 200: suggestionOutput },
    },
    config: { access: { permission: 'purchasing.write', location: { from: 'body', field: 'site_id' } }, errors: ['location_not_found', 'stock_level_invalid'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => {
        const b = request.body;
        const out = await suggestLevels(ctx, b.site_id, { itemIds: b.item_ids, category: b.category, vendorId: b.vendor_id }, { reviewDays: b.review_days, apply: b.apply });
        return { data: out.map((s) => ({ item_id: s.itemId, site_id: s.siteId, min: n(s.level.min), max: n(s.level.max), delivered_daily: s.deliveredDaily, basis: basisJson(s.basis)! })) };
      }),
  });

  app.get('/api/v1/replenishment/proposals', {
    schema: {
      tags,
      summary: 'What to buy and what to move, each line explained',
      description: 'Purchase proposals by vendor and delivery site, and transfer proposals by source and destination. Costs are left out for staff.',
      querystring: proposalsQuery,
      response: { 200: proposalsOutput },
    },
    config: { access: { permission: 'purchasing.read', location: { from: 'query', field: 'site_id' } }, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return proposalsJson(ctx, await proposeReplenishment(ctx, { siteId: request.query.site_id }));
    },
  });

  app.post('/api/v1/replenishment/purchase-orders', {
    schema: {
      tags,
      summary: 'Create draft purchase orders from chosen (and edited) proposal lines',
      description: 'One draft per vendor and delivery site, in one transaction; send an Idempotency-Key to make a retry safe. Nothing is sent to a vendor.',
      body: createDraftsBody,
      response: { 201: createdDraftsOutput },
    },
    config: {
      access: { permission: 'purchasing.write', location: { from: 'none' } },
      errors: ['replenishment_line_invalid', 'location_not_found', 'purchase_order_line_invalid', 'unit_conversion_inexact', 'vendor_archived', 'vendor_not_found', 'item_not_found'],
    },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => ({
          data: (await createDraftPurchaseOrders(ctx, request.body.lines)).map((po) => ({
            id: po.id,
            number: po.number,
            vendor_id: po.vendor_id,
            delivery_site_id: po.delivery_site_id,
            status: po.status,
            expected_on: po.expected_on,
            lines: po.lines.length,
          })),
        }),
        { status: 201, targets: (r) => r.data.map((po) => ({ type: 'purchase_order', id: po.id })) },
      ),
  });

  app.post('/api/v1/replenishment/transfers', {
    schema: {
      tags,
      summary: 'Create transfers from chosen transfer proposal lines',
      description: 'One transfer per source and destination, allocated and reserved at the source as any transfer is (`draft`).',
      body: createTransfersBody,
      response: { 201: createdTransfersOutput },
    },
    config: { access: { permission: 'transfers.write', location: { from: 'none' } }, errors: ['transfer_sites_invalid', 'transfer_line_invalid', 'location_not_found', 'item_not_found', ...postingErrorCodes] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => ({
          data: (await createProposedTransfers(ctx, request.body.lines)).map((t) => ({
            id: t.transfer.id,
            number: t.transfer.number,
            status: t.transfer.status,
            source_site_id: t.transfer.source_site_id,
            destination_site_id: t.transfer.destination_site_id,
            lines: t.lines.length,
          })),
        }),
        { status: 201, targets: (r) => r.data.map((t) => ({ type: 'transfer', id: t.id })) },
      ),
  });

  app.get('/api/v1/replenishment/schedule', {
    schema: { tags, summary: 'Whether proposals become draft purchase orders automatically each day', response: { 200: scheduleOutput } },
    config: { access: { permission: 'purchasing.read' }, errors: [] },
    handler: async (request) => {
      const s = await readAutoDrafts(contextOf(deps, request));
      return { auto_drafts: s.enabled, last_run_on: s.lastRunOn };
    },
  });

  app.put('/api/v1/replenishment/schedule', {
    schema: { tags, summary: 'Turn the daily draft purchase orders on or off (off by default)', body: scheduleBody, response: { 200: scheduleOutput } },
    config: { access: { permission: 'settings.write' }, errors: [] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => {
        const s = await setAutoDrafts(ctx, request.body.auto_drafts);
        return { auto_drafts: s.enabled, last_run_on: s.lastRunOn };
      }),
  });
}
