import { postingErrorCodes } from '../ledger/index.ts';
import { runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { approveCount, submitCount } from './count-approval.service.ts';
import { toCountJson } from './counts.mapper.ts';
import { approveBody, countOutput, submitBody } from './counts.schema.ts';

const tags = ['counts'];

export function registerCountApprovalRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/counts/:id/submit', {
    schema: {
      tags,
      summary: 'Submit a count for approval',
      description:
        'Measures every counted line against the ledger at the instant it was counted. Variances within the site’s thresholds are approved as they stand; the others wait for counts.approve. ' +
        'When nothing waits (and no unknown scan is held), the count posts at once.',
      params: idParams('cnt'),
      body: submitBody,
      response: { 200: countOutput },
    },
    config: { access: { permission: 'counts.write' }, errors: ['count_not_found', 'count_not_open', 'count_lines_uncounted', ...postingErrorCodes] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toCountJson(await submitCount(ctx, request.params.id, request.body.uncounted), ctx.actor), {
        targets: (c) => [{ type: 'count', id: c.id }],
      }),
  });

  app.post('/api/v1/counts/:id/approve', {
    schema: {
      tags,
      summary: 'Approve, reject or edit waiting variances, and post',
      description:
        'Without decisions every waiting line is approved. Rejecting asks for a recount of the line; editing corrects its counted quantity; both need a reason. ' +
        'Once nothing waits, the count posts each variance to or from the adjustment location with reason count_variance, effective at the line’s instant.',
      params: idParams('cnt'),
      body: approveBody,
      response: { 200: countOutput },
    },
    config: {
      access: { permission: 'counts.approve' },
      errors: ['count_not_found', 'count_not_open', 'count_self_approval', 'count_decision_invalid', 'count_nothing_to_approve', ...postingErrorCodes],
    },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toCountJson(await approveCount(ctx, request.params.id, request.body.decisions), ctx.actor), {
        targets: (c) => [{ type: 'count', id: c.id }],
      }),
  });
}
