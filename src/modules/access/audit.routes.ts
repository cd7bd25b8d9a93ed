import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { toAuditEventJson } from './access.mapper.ts';
import { auditEventPage, listAuditEventsQuery } from './access.schema.ts';
import { listAuditEvents } from './audit.service.ts';

export function registerAuditRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/audit-events', {
    schema: {
      tags: ['access'],
      summary: 'The audit log, newest first',
      description:
        'One event per change made or refused, and per sign-in attempt. Managers see the events at their sites and those tied to no site. ' +
        'The log is append-only: there is no way to change or delete an event.',
      querystring: listAuditEventsQuery,
      response: { 200: auditEventPage },
    },
    config: { access: { permission: 'audit.read' }, errors: [] },
    handler: async (request) => {
      const q = request.query;
      const page = await listAuditEvents(contextOf(deps, request), {
        actorId: q.actor_id,
        targetId: q.target_id,
        route: q.route,
        method: q.method,
        from: q.from,
        to: q.to,
        outcome: q.outcome,
        limit: q.limit,
        cursor: q.cursor,
      });
      return { data: page.records.map(toAuditEventJson), next_cursor: page.nextCursor };
    },
  });
}
