import { z } from 'zod';
import { canSeeCosts } from '../../platform/context.ts';
import { runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idInput, idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { enterCountLines, resolveUnknownScan, scanIntoCount } from './count-lines.service.ts';
import { toCountJson, toCountLineJson } from './counts.mapper.ts';
import { countLineOutput, countOutput, enterLinesBody, resolveScanBody, scanBody, scanResultOutput } from './counts.schema.ts';

const tags = ['counts'];
const lineErrors = ['count_not_found', 'count_not_open', 'count_line_invalid', 'count_line_in_future', 'count_line_closed', 'lot_invalid', 'occurred_at_in_future', 'occurred_at_too_old'] as const;

export function registerCountLineRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/counts/:id/lines', {
    schema: {
      tags,
      summary: 'Enter counted lines',
      description:
        'Each line says what was on the shelf of a bin (per lot for tracked items) at `counted_at` (now when left out; never in the future), in base units or a unit of the item. ' +
        'It sets the line of that bin, item and lot; an item the sheet did not expect is added as found.',
      params: idParams('cnt'),
      body: enterLinesBody,
      response: { 200: z.object({ lines: z.array(countLineOutput) }) },
    },
    config: { access: { permission: 'counts.write' }, errors: lineErrors },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const entered = await enterCountLines(ctx, request.params.id, request.body.lines);
          const view = { expected: entered.expectedVisible, costs: canSeeCosts(ctx.actor) };
          return { lines: entered.lines.map((l) => toCountLineJson(l, view)) };
        },
        { targets: () => [{ type: 'count', id: request.params.id }] },
      ),
  });

  app.post('/api/v1/counts/:id/scans', {
    schema: {
      tags,
      summary: 'Count by scanning',
      description:
        'One beep adds to the line of what was scanned in the bin: one unit, or `qty` in `unit` (a case), or the count a GS1 label carries; GS1 labels fill lot and expiry. ' +
        'Two counters scanning the same bin at once both count. A code nothing is known by is held for a manager (`result: held`).',
      params: idParams('cnt'),
      body: scanBody,
      response: { 200: scanResultOutput },
    },
    config: { access: { permission: 'counts.write' }, errors: lineErrors },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const r = await scanIntoCount(ctx, request.params.id, request.body);
          return {
            result: r.result,
            line: r.line ? toCountLineJson(r.line, { expected: r.expectedVisible, costs: canSeeCosts(ctx.actor) }) : null,
            unknown_scan_id: r.unknownScanId,
            scan: { kind: r.scan.kind, lot_code: r.scan.lotCode, expires_on: r.scan.expiresOn, serial: r.scan.serial },
          };
        },
        { targets: () => [{ type: 'count', id: request.params.id }] },
      ),
  });

  app.post('/api/v1/counts/:id/unknown-scans/:scan_id/resolve', {
    schema: {
      tags,
      summary: 'Say what an unknown scan was, or dismiss it',
      params: z.strictObject({ id: idInput('cnt'), scan_id: idInput('cnu') }),
      body: resolveScanBody,
      response: { 200: countOutput },
    },
    config: { access: { permission: 'counts.approve' }, errors: ['count_not_found', 'count_unknown_scan_not_found', 'count_not_open', 'count_line_invalid', 'count_line_closed'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toCountJson(await resolveUnknownScan(ctx, request.params.id, request.params.scan_id, request.body), ctx.actor), {
        targets: () => [{ type: 'count', id: request.params.id }],
      }),
  });
}
