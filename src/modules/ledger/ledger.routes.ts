import { z } from 'zod';
import { canSeeCosts, reader } from '../../platform/context.ts';
import { toIsoOrNull } from '../../platform/clock.ts';
import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import { idInput } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { listBalances } from './balances.service.ts';
import { listMovements } from './history.service.ts';
import { toBalanceJson, toLotJson, toMovementJson, toReservationJson } from './ledger.mapper.ts';
import { balancePage, listBalancesQuery, listLotsQuery, listMovementsQuery, lotOutput, movementPage, reservationOutput } from './ledger.schema.ts';
import { listLotsOfItem } from './lots.service.ts';
import { inScope, resolveStockScope } from './stock-scope.ts';

export function registerLedgerRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/balances', {
    schema: {
      tags: ['stock'],
      summary: 'Stock on hand, reserved and available, now or as of a past instant',
      description: 'Give a site or zone as `location_id` to include every bin below it; `group_by=item` sums per item.',
      querystring: listBalancesQuery,
      response: { 200: balancePage },
    },
    config: { access: { permission: 'stock.read', location: { from: 'query', field: 'location_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const q = request.query;
      const page = await listBalances(contextOf(deps, request), {
        itemId: q.item_id,
        locationId: q.location_id,
        asOf: q.as_of,
        groupBy: q.group_by,
        includeVirtual: q.include_virtual,
        limit: q.limit,
        cursor: q.cursor,
      });
      return { data: page.lines.map(toBalanceJson), next_cursor: page.nextCursor, as_of: toIsoOrNull(q.as_of ?? null) };
    },
  });

  app.get('/api/v1/movements', {
    schema: {
      tags: ['stock'],
      summary: 'Movement history, newest first',
      querystring: listMovementsQuery,
      response: { 200: movementPage },
    },
    config: { access: { permission: 'stock.read', location: { from: 'query', field: 'location_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const q = request.query;
      const ctx = contextOf(deps, request);
      const page = await listMovements(ctx, {
        itemId: q.item_id,
        locationId: q.location_id,
        documentId: q.document_id,
        documentType: q.document_type,
        kind: q.kind,
        from: q.from,
        to: q.to,
        limit: q.limit,
        cursor: q.cursor,
      });
      const view = { costs: canSeeCosts(ctx.actor) };
      return { data: page.lines.map((line) => toMovementJson(line, view)), next_cursor: page.nextCursor };
    },
  });

  app.get('/api/v1/lots', {
    schema: { tags: ['stock'], summary: 'Lots and serial numbers of an item, soonest expiry first', querystring: listLotsQuery, response: { 200: z.object({ data: z.array(lotOutput) }) } },
    config: { access: { permission: 'stock.read' }, errors: [] },
    handler: async (request) => {
      const rows = await listLotsOfItem(reader(contextOf(deps, request)), request.query.item_id);
      return { data: rows.map(toLotJson) };
    },
  });

  app.get('/api/v1/reservations', {
    schema: {
      tags: ['stock'],
      summary: 'Open reservations: stock promised to orders',
      querystring: z.strictObject({ item_id: idInput('itm').optional(), location_id: idInput('loc').optional(), document_id: z.string().max(64).optional() }),
      response: { 200: z.object({ data: z.array(reservationOutput) }) },
    },
    config: { access: { permission: 'stock.read', location: { from: 'query', field: 'location_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const scope = await resolveStockScope(ctx, request.query.location_id);
      let q = reader(ctx).selectFrom('reservations as r').selectAll('r').where(inScope(scope, 'r.location_id'));
      if (request.query.item_id) q = q.where('r.item_id', '=', request.query.item_id);
      if (request.query.document_id) q = q.where('r.document_id', '=', request.query.document_id);
      const rows = await q.orderBy('r.created_at').limit(1000).execute();
      return { data: rows.map(toReservationJson) };
    },
  });
}
