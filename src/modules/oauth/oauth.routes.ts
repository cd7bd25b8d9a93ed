import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { AccessError } from '../access/index.ts';
import { getClient, listClients, registerClient, removeClient, type OauthClientRecord } from './oauth.clients.ts';
import { checkAuthorizationRequest, decideAuthorization } from './oauth.flow.ts';
import { listLinkedApps, revokeLinkedApp, type LinkedAppRecord } from './oauth.grants.ts';
import {
  authorizationOutput,
  authorizationParams,
  clientOutput,
  clientPage,
  createClientBody,
  createdClientOutput,
  decisionBody,
  decisionOutput,
  linkedAppOutput,
  linkedAppPage,
} from './oauth.schema.ts';
import type { OauthErrorCode } from './oauth.errors.ts';

const tags = ['oauth'];

const toClientJson = (c: OauthClientRecord) => ({
  id: c.id,
  name: c.name,
  secret_hint: c.secret_hint,
  redirect_uris: c.redirect_uris,
  scopes: c.scopes,
  created_by_id: c.created_by_id,
  created_at: toIso(c.created_at),
  removed_at: toIsoOrNull(c.revoked_at),
});

const toLinkedAppJson = (g: LinkedAppRecord) => ({
  id: g.id,
  client_id: g.client_id,
  client_name: g.client_name,
  user_id: g.user_id,
  scopes: g.scopes,
  linked_at: toIso(g.created_at),
  last_used_at: toIsoOrNull(g.last_used_at),
  revoked_at: toIsoOrNull(g.revoked_at),
});

const authorizationErrors = ['oauth_client_unknown', 'oauth_redirect_uri_mismatch', 'oauth_request_invalid'] as const satisfies readonly OauthErrorCode[];

/**
 * OAuth clients (shop-wide, owners: settings.write), the authorization endpoint behind the web
 * app's consent page, and each person's linked apps. The token endpoint is in
 * oauth.token.routes.ts: it speaks RFC 6749's JSON, not problem+json.
 */
export function registerOauthManagementRoutes(app: AppInstance, deps: CommandDeps): void {
  const manage = { access: { permission: 'settings.write' } };
  const clientTarget = (c: { id: string }) => [{ type: 'oauth_client', id: c.id }];

  app.post('/api/v1/oauth/clients', {
    schema: {
      tags,
      summary: 'Register an OAuth client (an app people may link to their account, such as the Alexa skill); its secret is in this response only',
      body: createClientBody,
      response: { 201: createdClientOutput },
    },
    config: { ...manage, errors: ['oauth_clients_limit'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const made = await registerClient(ctx, { name: request.body.name, redirectUris: request.body.redirect_uris, scopes: request.body.scopes });
          return { ...toClientJson(made.client), client_secret: made.secret };
        },
        { status: 201, targets: clientTarget },
      ),
  });

  app.get('/api/v1/oauth/clients', {
    schema: { tags, summary: 'The registered OAuth clients, newest first (never their secrets)', response: { 200: clientPage } },
    config: { ...manage, errors: [] },
    handler: async (request) => ({ data: (await listClients(contextOf(deps, request))).map(toClientJson), next_cursor: null }),
  });

  app.get('/api/v1/oauth/clients/:id', {
    schema: { tags, summary: 'One OAuth client', params: idParams('oac'), response: { 200: clientOutput } },
    config: { ...manage, errors: ['oauth_client_not_found'] },
    handler: async (request) => toClientJson(await getClient(contextOf(deps, request), request.params.id)),
  });

  app.delete('/api/v1/oauth/clients/:id', {
    schema: { tags, summary: 'Remove an OAuth client: every account linked through it is unlinked at once', params: idParams('oac'), response: { 200: clientOutput } },
    config: { ...manage, errors: ['oauth_client_not_found'] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => toClientJson(await removeClient(ctx, request.params.id)), { targets: clientTarget }),
  });

  app.get('/api/v1/oauth/authorize', {
    schema: {
      tags,
      summary: 'Check an authorization request and say what the consent page should show',
      description:
        'The web app’s consent page (/oauth/authorize) calls this with the query the OAuth client sent. `oauth_request_invalid` carries `redirect_to`, ' +
        'the client’s redirect URI with the OAuth `error`: send the browser there. An unknown client or redirect URI is never redirected to.',
      querystring: authorizationParams,
      response: { 200: authorizationOutput },
    },
    config: { access: { permission: 'account.read' }, errors: authorizationErrors },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const checked = await checkAuthorizationRequest(deps.db.kysely, request.query);
      return { client: checked.client, redirect_uri: checked.redirectUri, scopes: checked.scopes, user: { id: ctx.actor.id, label: ctx.actor.label } };
    },
  });

  app.post('/api/v1/oauth/authorize', {
    schema: {
      tags,
      summary: 'Approve or deny an authorization request as the signed-in person (the consent page’s buttons)',
      description: 'Needs a web session: an app is linked to a person, never to an API token. Answers where to send the browser.',
      body: decisionBody,
      response: { 200: decisionOutput },
    },
    config: { access: { permission: 'account.write' }, errors: [...authorizationErrors, 'session_required'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          if (request.credential?.kind !== 'session') throw new AccessError('session_required', 'Approve linking an app in the web app, signed in as yourself.');
          const { approve, ...params } = request.body;
          const decided = await decideAuthorization(ctx, params, approve);
          return { redirect_to: decided.redirectTo, client_id: decided.request.client.id };
        },
        { targets: (r) => [{ type: 'oauth_client', id: r.client_id }] },
      ),
  });

  app.get('/api/v1/users/:id/linked-apps', {
    schema: { tags, summary: 'The apps a person linked to their account (yours, or anyone’s for an owner)', params: idParams('usr'), response: { 200: linkedAppPage } },
    config: { access: { permission: 'account.read' }, errors: ['user_not_found'] },
    handler: async (request) => ({ data: (await listLinkedApps(contextOf(deps, request), request.params.id)).map(toLinkedAppJson), next_cursor: null }),
  });

  app.delete('/api/v1/oauth/linked-apps/:id', {
    schema: { tags, summary: 'Unlink an app: its tokens stop working at once (your own links, or anyone’s for an owner)', params: idParams('oag'), response: { 200: linkedAppOutput } },
    config: { access: { permission: 'account.write' }, errors: ['oauth_grant_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toLinkedAppJson(await revokeLinkedApp(ctx, request.params.id)), {
        targets: (g) => [{ type: 'oauth_grant', id: g.id }, { type: 'user', id: g.user_id }],
      }),
  });
}
