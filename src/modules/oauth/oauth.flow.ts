import { createHash } from 'node:crypto';
import { inTransaction, type Actor, type ServiceContext } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import type { OauthClientRow } from '../../platform/db/schema.ts';
import { transact, type Executor, type Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { hashSecret, randomSecret, safeEqual, userActor } from '../access/index.ts';
import { findLiveClient, type OauthScope } from './oauth.clients.ts';
import { OauthError } from './oauth.errors.ts';
import { loadUserSites } from './oauth.grants.ts';

/**
 * The authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636), hand-rolled on node:crypto
 * rather than on @node-oauth/oauth2-server: that library checks every expiry against the wall
 * clock (`new Date()`), not the server's Clock the rest of Stockroom (and its tests) runs on; it
 * calls its model step by step, so using a code and issuing its tokens could not be one
 * transaction, and a reused code could not revoke what the first use issued; and PKCE is optional
 * in it, where here it is required. What remains is small: the checks below.
 *
 * - A code lives CODE_TTL_MS, is used once (a guarded UPDATE … WHERE used_at IS NULL), and a
 *   second use revokes the grant the first one made (RFC 6749 §4.1.2).
 * - Access tokens live an hour and act as one user, with that user's role and sites as they are
 *   at each request; refresh tokens rotate, and presenting a rotated one again revokes the grant
 *   (OAuth 2.0 Security BCP §4.14: a replay means the token leaked).
 * - Every secret is stored as its sha256 only; the client secret is compared in constant time.
 */
export const CODE_TTL_MS = 5 * 60 * 1000;
export const ACCESS_TOKEN_TTL_MS = 60 * 60 * 1000;
export const REFRESH_TOKEN_TTL_MS = 180 * 24 * 60 * 60 * 1000;
export const ACCESS_TOKEN_PREFIX = 'oat_';
export const REFRESH_TOKEN_PREFIX = 'ort_';
export const CODE_PREFIX = 'oco_';
/** `last_used_at` of a grant is written at most this often. */
export const GRANT_TOUCH_MS = 60 * 1000;
const STATE_MAX = 2048;

export interface AuthorizationParams {
  response_type?: string | undefined;
  client_id?: string | undefined;
  redirect_uri?: string | undefined;
  scope?: string | undefined;
  state?: string | undefined;
  code_challenge?: string | undefined;
  code_challenge_method?: string | undefined;
}

export interface AuthorizationRequest {
  client: { id: string; name: string };
  redirectUri: string;
  scopes: OauthScope[];
  state: string | null;
  codeChallenge: string;
}

/** The client's redirect URI with OAuth's answer in its query (RFC 6749 §4.1.2). */
export function redirectWith(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * Checks an authorization request. The client and redirect URI are checked first: when either is
 * wrong the answer must not go to that URI. Every other fault is sent back to the client.
 */
export async function checkAuthorizationRequest(db: Executor, params: AuthorizationParams): Promise<AuthorizationRequest> {
  const client = params.client_id ? await findLiveClient(db, params.client_id) : undefined;
  if (!client) throw new OauthError('oauth_client_unknown', 'This app is not registered with the shop (unknown client_id).');
  const allowed = JSON.parse(client.redirect_uris_json) as string[];
  const redirectUri = params.redirect_uri;
  if (!redirectUri || !allowed.includes(redirectUri)) {
    throw new OauthError('oauth_redirect_uri_mismatch', `The redirect_uri is not one registered for ${client.name}; the request was not sent back.`);
  }
  const state = params.state ?? null;
  const refuse = (error: string, description: string): never => {
    throw new OauthError('oauth_request_invalid', description, {
      extra: { error, redirect_to: redirectWith(redirectUri, { error, error_description: description, state: state !== null && state.length <= STATE_MAX ? state : null }) },
    });
  };
  if (state !== null && state.length > STATE_MAX) refuse('invalid_request', `state is at most ${STATE_MAX} characters.`);
  if (params.response_type !== 'code') refuse('unsupported_response_type', 'Only response_type=code is supported.');
  if (params.code_challenge_method !== 'S256') refuse('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256 (plain is refused).');
  const challenge = params.code_challenge ?? '';
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) refuse('invalid_request', 'code_challenge must be the 43-character BASE64URL SHA-256 of the code_verifier.');
  const clientScopes = client.scopes.split(' ').filter(Boolean) as OauthScope[];
  const asked = (params.scope ?? '').split(' ').filter(Boolean);
  if (asked.some((s) => !clientScopes.includes(s as OauthScope))) refuse('invalid_scope', `This app may ask only for: ${clientScopes.join(' ')}.`);
  const scopes = asked.length > 0 ? ([...new Set(asked)] as OauthScope[]) : clientScopes;
  return { client: { id: client.id, name: client.name }, redirectUri, scopes, state, codeChallenge: challenge };
}

/** The signed-in user approves or denies: returns where to send the browser (with a code, or access_denied). */
export async function decideAuthorization(ctx: ServiceContext, params: AuthorizationParams, approve: boolean): Promise<{ redirectTo: string; request: AuthorizationRequest }> {
  return inTransaction(ctx, async (trx) => {
    const request = await checkAuthorizationRequest(trx, params);
    if (!approve) {
      return { request, redirectTo: redirectWith(request.redirectUri, { error: 'access_denied', error_description: 'The account owner denied the request.', state: request.state }) };
    }
    const now = ctx.clock.now();
    const code = `${CODE_PREFIX}${randomSecret()}`;
    await trx
      .insertInto('oauth_codes')
      .values({
        code_hash: hashSecret(code),
        client_id: request.client.id,
        user_id: ctx.actor.id,
        redirect_uri: request.redirectUri,
        scopes: request.scopes.join(' '),
        code_challenge: request.codeChallenge,
        created_at: now,
        expires_at: now + CODE_TTL_MS,
        used_at: null,
        grant_id: null,
      })
      .execute();
    return { request, redirectTo: redirectWith(request.redirectUri, { code, state: request.state }) };
  });
}

// ---- token endpoint

export type TokenErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

export interface TokenSuccess {
  ok: true;
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}
export interface TokenFailure {
  ok: false;
  error: TokenErrorCode;
  error_description: string;
}
export type TokenResult = TokenSuccess | TokenFailure;

const fail = (error: TokenErrorCode, error_description: string): TokenFailure => ({ ok: false, error, error_description });

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const verifierPattern = /^[A-Za-z0-9._~-]{43,128}$/;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

async function issueTokens(trx: Trx, grantId: string, scopes: string, now: number): Promise<TokenSuccess> {
  const access = `${ACCESS_TOKEN_PREFIX}${randomSecret()}`;
  const refresh = `${REFRESH_TOKEN_PREFIX}${randomSecret()}`;
  await trx
    .insertInto('oauth_tokens')
    .values([
      { secret_hash: hashSecret(access), grant_id: grantId, kind: 'access', created_at: now, expires_at: now + ACCESS_TOKEN_TTL_MS, used_at: null },
      { secret_hash: hashSecret(refresh), grant_id: grantId, kind: 'refresh', created_at: now, expires_at: now + REFRESH_TOKEN_TTL_MS, used_at: null },
    ])
    .execute();
  return { ok: true, access_token: access, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_MS / 1000, refresh_token: refresh, scope: scopes };
}

async function revokeGrant(trx: Trx, grantId: string, reason: string, now: number): Promise<void> {
  await trx.updateTable('oauth_grants').set({ revoked_at: now, revoked_reason: reason }).where('id', '=', grantId).where('revoked_at', 'is', null).execute();
}

async function userIsActive(trx: Trx, userId: string): Promise<boolean> {
  const user = await trx.selectFrom('users').select('status').where('id', '=', userId).executeTakeFirst();
  return user?.status === 'active';
}

/**
 * `grant_type=authorization_code`. Every check runs before the code is spent, so a request that
 * fails a check changes nothing — except a code presented a second time, which revokes what the
 * first use issued: that answer is returned, not thrown, so the revocation commits.
 */
export async function exchangeCode(db: Database, now: number, client: OauthClientRow, params: Record<string, string>): Promise<TokenResult> {
  const { code, redirect_uri: redirectUri, code_verifier: verifier } = params;
  if (!code) return fail('invalid_request', 'code is required.');
  if (!verifier) return fail('invalid_request', 'code_verifier is required (PKCE).');
  return transact(db, async (trx) => {
    const row = await trx.selectFrom('oauth_codes').selectAll().where('code_hash', '=', hashSecret(code)).executeTakeFirst();
    if (!row || row.client_id !== client.id) return fail('invalid_grant', 'The authorization code is not valid.');
    if (row.used_at !== null) {
      if (row.grant_id !== null) await revokeGrant(trx, row.grant_id, 'code_reused', now);
      return fail('invalid_grant', 'The authorization code was already used; the tokens it gave were revoked.');
    }
    if (row.expires_at <= now) return fail('invalid_grant', 'The authorization code has expired.');
    if (redirectUri !== row.redirect_uri) return fail('invalid_grant', 'redirect_uri is not the one the code was issued for.');
    if (!verifierPattern.test(verifier) || !safeEqual(s256(verifier), row.code_challenge)) return fail('invalid_grant', 'The code_verifier does not match the code_challenge.');
    if (!(await userIsActive(trx, row.user_id))) return fail('invalid_grant', 'The account that approved this is disabled.');
    const grantId = newId('oag', now);
    const spent = await trx.updateTable('oauth_codes').set({ used_at: now, grant_id: grantId }).where('code_hash', '=', row.code_hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) return fail('invalid_grant', 'The authorization code was already used.');
    // Linking the same app again replaces the earlier link: the Users page shows one per app.
    await trx
      .updateTable('oauth_grants')
      .set({ revoked_at: now, revoked_reason: 'replaced' })
      .where('user_id', '=', row.user_id)
      .where('client_id', '=', client.id)
      .where('revoked_at', 'is', null)
      .execute();
    await trx
      .insertInto('oauth_grants')
      .values({ id: grantId, client_id: client.id, user_id: row.user_id, scopes: row.scopes, created_at: now, last_used_at: null, revoked_at: null, revoked_by_id: null, revoked_reason: null })
      .execute();
    return issueTokens(trx, grantId, row.scopes, now);
  });
}

/** `grant_type=refresh_token`: rotates the refresh token; a rotated one presented again revokes the grant. */
export async function refreshTokens(db: Database, now: number, client: OauthClientRow, params: Record<string, string>): Promise<TokenResult> {
  const sent = params.refresh_token;
  if (!sent) return fail('invalid_request', 'refresh_token is required.');
  return transact(db, async (trx) => {
    const token = await trx.selectFrom('oauth_tokens').selectAll().where('secret_hash', '=', hashSecret(sent)).where('kind', '=', 'refresh').executeTakeFirst();
    const grant = token ? await trx.selectFrom('oauth_grants').selectAll().where('id', '=', token.grant_id).executeTakeFirst() : undefined;
    if (!token || !grant || grant.client_id !== client.id) return fail('invalid_grant', 'The refresh token is not valid.');
    if (grant.revoked_at !== null) return fail('invalid_grant', 'The link was revoked; link the account again.');
    if (token.used_at !== null) {
      await revokeGrant(trx, grant.id, 'refresh_reused', now);
      return fail('invalid_grant', 'The refresh token was already used; the link was revoked.');
    }
    if (token.expires_at <= now) return fail('invalid_grant', 'The refresh token has expired; link the account again.');
    const granted = grant.scopes.split(' ');
    const asked = (params.scope ?? '').split(' ').filter(Boolean);
    if (asked.some((s) => !granted.includes(s))) return fail('invalid_scope', 'A refresh cannot widen the scopes granted.');
    if (!(await userIsActive(trx, grant.user_id))) return fail('invalid_grant', 'The linked account is disabled.');
    const rotated = await trx.updateTable('oauth_tokens').set({ used_at: now }).where('secret_hash', '=', token.secret_hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(rotated.numUpdatedRows) !== 1) return fail('invalid_grant', 'The refresh token was already used.');
    return issueTokens(trx, grant.id, asked.length > 0 ? [...new Set(asked)].join(' ') : grant.scopes, now);
  });
}

// ---- using an access token

export type AccessTokenCheck =
  | { ok: true; actor: Actor; grantId: string; clientName: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'scope' | 'user_disabled' };

/** Finds the user an access token acts for, as they are now (role, sites), when it holds `scope`. */
export async function authenticateAccessToken(db: Database, secret: string, now: number, scope: OauthScope): Promise<AccessTokenCheck> {
  if (!secret.startsWith(ACCESS_TOKEN_PREFIX)) return { ok: false, reason: 'unknown' };
  const row = await db.kysely
    .selectFrom('oauth_tokens as t')
    .innerJoin('oauth_grants as g', 'g.id', 't.grant_id')
    .innerJoin('oauth_clients as c', 'c.id', 'g.client_id')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .select(['t.expires_at', 'g.id as grant_id', 'g.scopes', 'g.revoked_at', 'g.last_used_at', 'c.name as client_name', 'c.revoked_at as client_revoked_at', 'u.id as user_id', 'u.email', 'u.role', 'u.all_sites', 'u.status'])
    .where('t.secret_hash', '=', hashSecret(secret))
    .where('t.kind', '=', 'access')
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.revoked_at !== null || row.client_revoked_at !== null) return { ok: false, reason: 'revoked' };
  if (row.expires_at <= now) return { ok: false, reason: 'expired' };
  if (!row.scopes.split(' ').includes(scope)) return { ok: false, reason: 'scope' };
  if (row.status !== 'active') return { ok: false, reason: 'user_disabled' };
  if (row.last_used_at === null || now - row.last_used_at >= GRANT_TOUCH_MS) {
    await db.kysely.updateTable('oauth_grants').set({ last_used_at: now }).where('id', '=', row.grant_id).execute();
  }
  const actor = userActor({ id: row.user_id, email: row.email, role: row.role, all_sites: row.all_sites }, await loadUserSites(db, row.user_id));
  return { ok: true, actor: { ...actor, label: `${row.email} via ${row.client_name}` }, grantId: row.grant_id, clientName: row.client_name };
}

/** Spent or expired codes and dead tokens are kept a day for the reuse check's sake, then go. */
export const OAUTH_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Deletes codes and tokens that can no longer be used (nor reused to revoke anything); returns how many. */
export async function purgeEndedOauth(db: Database, now: number): Promise<number> {
  const cutoff = now - OAUTH_RETENTION_MS;
  const codes = await db.kysely.deleteFrom('oauth_codes').where('expires_at', '<', cutoff).executeTakeFirst();
  const tokens = await db.kysely.deleteFrom('oauth_tokens').where('expires_at', '<', cutoff).executeTakeFirst();
  return Number(codes.numDeletedRows) + Number(tokens.numDeletedRows);
}
