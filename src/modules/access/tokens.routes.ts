import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { toTokenJson } from './access.mapper.ts';
import { createdTokenOutput, createTokenBody, listTokensQuery, tokenOutput, tokenPage } from './access.schema.ts';
import { createToken, getToken, listTokens, revokeToken } from './tokens.service.ts';


export function registerTokenRoutes(app: AppInstance, deps: CommandDeps): void {
  const manage = { access: { permission: 'tokens.manage' } };

  app.post('/api/v1/tokens', {
    schema: {
      tags: ['access'],
      summary: 'Make an API token; its secret is in this response only',
      description: 'A token never has a role or sites its maker lacks. It is revoked for good when the person it acts for is disabled, or loses the role or a site the token needs; giving those back does not revive it.',
      body: createTokenBody,
      response: { 201: createdTokenOutput },
    },
    config: { ...manage, errors: ['grant_exceeds_own', 'grant_invalid'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const { name, role, sites, expires_at, expires_in_days } = request.body;
          const made = await createToken(ctx, { name, role, sites, expiresAt: expires_at ?? null, expiresInDays: expires_in_days });
          return { ...toTokenJson(made.token, made.token.created_at), secret: made.secret };
        },
        { status: 201, targets: (t) => [{ type: 'token', id: t.id }] },
      ),
  });

  app.get('/api/v1/tokens', {
    schema: { tags: ['access'], summary: 'API tokens, newest first (owners see all; others the ones they made)', querystring: listTokensQuery, response: { 200: tokenPage } },
    config: { ...manage, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const page = await listTokens(ctx, { includeRevoked: request.query.include_revoked, limit: request.query.limit, cursor: request.query.cursor });
      const now = ctx.clock.now();
      return { data: page.records.map((t) => toTokenJson(t, now)), next_cursor: page.nextCursor };
    },
  });

  app.get('/api/v1/tokens/:id', {
    schema: { tags: ['access'], summary: 'One API token (never its secret)', params: idParams('tok'), response: { 200: tokenOutput } },
    config: { ...manage, errors: ['token_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      return toTokenJson(await getToken(ctx, request.params.id), ctx.clock.now());
    },
  });

  app.delete('/api/v1/tokens/:id', {
    schema: { tags: ['access'], summary: 'Revoke an API token; it stops working at once', params: idParams('tok'), response: { 200: tokenOutput } },
    config: { ...manage, errors: ['token_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toTokenJson(await revokeToken(ctx, request.params.id), ctx.clock.now()), {
        targets: (t) => [{ type: 'token', id: t.id }],
      }),
  });
}
