import { postingErrorCodes } from '../ledger/index.ts';
import { runCommand, type CommandDeps } from '../../platform/http/command.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { moveBetweenBins } from './bin-moves.service.ts';
import { toBinMoveJson } from './transfers.mapper.ts';
import { binMoveBody, binMoveOutput } from './transfers.schema.ts';

export function registerBinMoveRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/bin-moves', {
    schema: {
      tags: ['transfers'],
      summary: 'Move stock between two bins of one site in one step',
      description: 'Put-away, replenishing a pick face, consolidating. At a strict site the source bin never goes below zero or below what is reserved there (409 insufficient_stock).',
      body: binMoveBody,
      response: { 201: binMoveOutput },
    },
    config: { access: { permission: 'transfers.write', location: { from: 'body', field: 'from_location_id' } }, errors: ['bin_move_invalid', 'location_not_found', 'item_not_found', ...postingErrorCodes] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toBinMoveJson(await moveBetweenBins(ctx, request.body)), { status: 201, targets: (m) => [{ type: 'bin_move', id: m.id }] }),
  });
}
