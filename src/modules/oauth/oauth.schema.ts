import { z } from 'zod';
import { instantOutput, textInput } from '../../platform/http/fields.ts';
import { pageSchema } from '../../platform/http/pagination.ts';
import { OAUTH_SCOPES } from './oauth.clients.ts';

const scopeInput = z.enum(OAUTH_SCOPES).meta({ description: '`voice`: answer voice questions (the Alexa skill) as the linked person.' });

/** An exact redirect URI: https, no fragment (RFC 6749 §3.1.2), e.g. https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA. */
const redirectUriInput = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.hash === '' && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, { message: 'must be an https URL without a fragment' })
  .meta({ example: 'https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA' });

export const createClientBody = z.strictObject({
  name: textInput(100).meta({ example: 'Alexa' }),
  redirect_uris: z.array(redirectUriInput).min(1).max(10).meta({ description: 'Compared exactly with the redirect_uri of each authorization request.' }),
  scopes: z.array(scopeInput).min(1).max(OAUTH_SCOPES.length).default(['voice']),
});

export const clientOutput = z
  .object({
    id: z.string().meta({ description: 'The client_id.' }),
    name: z.string(),
    secret_hint: z.string(),
    redirect_uris: z.array(z.string()),
    scopes: z.array(z.enum(OAUTH_SCOPES)),
    created_by_id: z.string(),
    created_at: instantOutput,
    removed_at: instantOutput.nullable(),
  })
  .meta({ id: 'OauthClient' });

export const createdClientOutput = clientOutput.extend({
  client_secret: z.string().meta({ description: 'Shown in this response only; Stockroom keeps its hash.' }),
});

export const clientPage = pageSchema(clientOutput);

const oauthParam = (max: number) => z.string().max(max).optional();

/** The authorization request's parameters; unknown ones are ignored, as RFC 6749 §3.1 asks. */
export const authorizationParams = z.looseObject({
  response_type: oauthParam(50),
  client_id: oauthParam(100),
  redirect_uri: oauthParam(2000),
  scope: oauthParam(500),
  state: oauthParam(4096),
  code_challenge: oauthParam(200),
  code_challenge_method: oauthParam(20),
});

export const authorizationOutput = z.object({
  client: z.object({ id: z.string(), name: z.string() }),
  redirect_uri: z.string(),
  scopes: z.array(z.enum(OAUTH_SCOPES)),
  user: z.object({ id: z.string(), label: z.string() }),
});

export const decisionBody = z.strictObject({
  ...authorizationParams.shape,
  approve: z.boolean().meta({ description: 'true to link the app to your account, false to refuse.' }),
});

export const decisionOutput = z.object({
  client_id: z.string(),
  redirect_to: z.string().meta({ description: 'Where to send the browser: the client’s redirect URI with `code` and `state`, or `error=access_denied`.' }),
});

export const linkedAppOutput = z
  .object({
    id: z.string(),
    client_id: z.string(),
    client_name: z.string(),
    user_id: z.string(),
    scopes: z.array(z.string()),
    linked_at: instantOutput,
    last_used_at: instantOutput.nullable(),
    revoked_at: instantOutput.nullable(),
  })
  .meta({ id: 'LinkedApp' });

export const linkedAppPage = pageSchema(linkedAppOutput);

export const tokenOutput = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  refresh_token: z.string(),
  scope: z.string(),
});

/** The form fields of a token request; checked by the handler so that every fault answers in RFC 6749 §5.2's shape. */
export const tokenRequestBody = z.record(z.string(), z.string()).meta({
  description:
    '`application/x-www-form-urlencoded`: grant_type (authorization_code | refresh_token), code, redirect_uri, code_verifier, refresh_token, scope; client_id and client_secret here or as HTTP Basic.',
});
