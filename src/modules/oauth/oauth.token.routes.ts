import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandDeps } from '../../platform/http/command.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { authenticateClient } from './oauth.clients.ts';
import { exchangeCode, refreshTokens, type TokenErrorCode, type TokenResult } from './oauth.flow.ts';
import { tokenOutput, tokenRequestBody } from './oauth.schema.ts';

/**
 * The token endpoint, `POST /api/v1/oauth/token` (RFC 6749 §3.2, §4.1.3, §6).
 *
 * Its refusals are RFC 6749 §5.2 JSON — `{"error":"invalid_grant","error_description":"…"}` with
 * 400, or 401 and `WWW-Authenticate: Basic` for `invalid_client` — and not problem+json: OAuth
 * clients (Amazon's account-linking service among them) read the `error` member to decide whether
 * to refresh, re-link or give up, and know nothing of our `code`. Faults found before the handler
 * runs (a body too large, the rate limit) stay problem+json, like every other route's.
 *
 * The body is `application/x-www-form-urlencoded`, parsed here only: the rest of the API takes JSON.
 */
const FORM_BODY_MAX_BYTES = 16 * 1024;
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Form fields by name; a field sent twice is refused (RFC 6749 §3.2: parameters must not repeat). */
function parseForm(body: string): Record<string, string> | { duplicate: string } {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(fields, key)) return { duplicate: key };
    fields[key] = value;
  }
  return fields;
}

const DUPLICATE = '\u0001duplicate';

/** client_id and client_secret from HTTP Basic (each form-urlencoded, RFC 6749 §2.3.1) or from the body, never both. */
function clientCredentials(request: FastifyRequest, body: Record<string, string>): { id: string; secret: string; basic: boolean } | { error: string } | null {
  const header = request.headers.authorization;
  const inBody = body.client_id !== undefined || body.client_secret !== undefined;
  if (header !== undefined) {
    const match = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!match) return { error: 'The Authorization header must be HTTP Basic with the client id and secret.' };
    if (inBody && body.client_secret !== undefined) return { error: 'Send the client credentials in one place: HTTP Basic or the body.' };
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { error: 'HTTP Basic credentials are client_id:client_secret.' };
    try {
      return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')), basic: true };
    } catch {
      return { error: 'HTTP Basic credentials are not validly encoded.' };
    }
  }
  if (!inBody) return null;
  return { id: body.client_id ?? '', secret: body.client_secret ?? '', basic: false };
}

/** Sent as a string, so no response schema reshapes it: the OAuth error shape is not the documented 200. */
function answer(reply: FastifyReply, status: number, payload: Record<string, unknown>): void {
  // No cache may keep a token or its refusal (RFC 6749 §5.1).
  void reply.code(status).header('cache-control', 'no-store').header('pragma', 'no-cache').type('application/json; charset=utf-8').send(JSON.stringify(payload));
}

const refuse = (reply: FastifyReply, error: TokenErrorCode, description: string, basic = false) => {
  if (error === 'invalid_client') reply.header('www-authenticate', `Basic realm="stockroom"${basic ? ', error="invalid_client"' : ''}`);
  return answer(reply, error === 'invalid_client' ? 401 : 400, { error, error_description: description });
};

export function registerOauthTokenRoute(app: AppInstance, deps: CommandDeps): void {
  // An encapsulated scope, so the form parser serves this route alone.
  void app.register(async (scope) => {
    scope.addContentTypeParser(FORM_TYPE, { parseAs: 'string', bodyLimit: FORM_BODY_MAX_BYTES }, (_request, body, done) => {
      const parsed = parseForm(body as string);
      done(null, 'duplicate' in parsed && typeof parsed.duplicate === 'string' && Object.keys(parsed).length === 1 ? { [DUPLICATE]: parsed.duplicate } : parsed);
    });
    const routes = scope as unknown as AppInstance;
    routes.post('/api/v1/oauth/token', {
      schema: {
        tags: ['oauth'],
        summary: 'The OAuth 2.0 token endpoint: an authorization code (with its PKCE code_verifier) or a refresh token for an access token',
        description:
          'Form-encoded, as RFC 6749 requires. The client authenticates with HTTP Basic (client_id:client_secret) or client_id and client_secret in the body. ' +
          'Refusals are RFC 6749 §5.2 JSON (`error`: invalid_request, invalid_client, invalid_grant, unsupported_grant_type, invalid_scope), not problem+json, because OAuth clients read that shape. ' +
          'A code is single-use: presenting one again revokes the tokens it gave. Refresh tokens rotate: each refresh answers a new one, and presenting a used one again revokes the link.',
        body: tokenRequestBody,
        response: { 200: tokenOutput },
      },
      config: { access: { public: true, reason: 'OAuth clients (Alexa) call it with their client credentials, checked by the handler, to exchange a code or refresh token' }, errors: [] },
      handler: async (request, reply) => {
        await respond(request, reply);
        // The answer was sent by respond(); returning the reply tells Fastify so, and it waits for the
        // async onSend hooks (the audit log) instead of treating `undefined` as an empty answer.
        return reply as never;
      },
    });
  });

  async function respond(request: FastifyRequest, reply: FastifyReply): Promise<void> {
        const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== FORM_TYPE) return refuse(reply, 'invalid_request', `The body must be ${FORM_TYPE}.`);
        const body = request.body as Record<string, string>;
        if (body[DUPLICATE] !== undefined) return refuse(reply, 'invalid_request', `${body[DUPLICATE]} is sent more than once.`);
        const credentials = clientCredentials(request, body);
        if (credentials === null) return refuse(reply, 'invalid_client', 'Authenticate the client with HTTP Basic or client_id and client_secret.');
        if ('error' in credentials) return refuse(reply, 'invalid_client', credentials.error, true);
        const client = await authenticateClient(deps.db.kysely, credentials.id, credentials.secret);
        if (!client) return refuse(reply, 'invalid_client', 'Unknown client, or the wrong client secret.', credentials.basic);
        const now = deps.clock.now();
        let result: TokenResult;
        if (body.grant_type === 'authorization_code') result = await exchangeCode(deps.db, now, client, body);
        else if (body.grant_type === 'refresh_token') result = await refreshTokens(deps.db, now, client, body);
        else if (body.grant_type === undefined) return refuse(reply, 'invalid_request', 'grant_type is required.');
        else return refuse(reply, 'unsupported_grant_type', 'grant_type is authorization_code or refresh_token.');
        if (!result.ok) return refuse(reply, result.error, result.error_description);
        const { ok: _ok, ...tokens } = result;
        return answer(reply, 200, tokens);
  }
}
