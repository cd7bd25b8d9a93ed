import { AppError, type FieldError } from '../../platform/errors.ts';

/**
 * What the OAuth routes refuse as problem+json: managing clients and linked apps, and the
 * authorization endpoint's checks (the consent page shows them). The token endpoint does NOT use
 * these: OAuth clients (Alexa among them) read RFC 6749 §5.2 JSON (`{"error":"invalid_grant"}`),
 * so it answers in that shape (oauth.token.routes.ts).
 *
 * - oauth_client_unknown / oauth_redirect_uri_mismatch: the request cannot be sent back to the
 *   client safely (RFC 6749 §4.1.2.1), so the person is told instead of redirected.
 * - oauth_request_invalid: anything else wrong with an authorization request; the problem carries
 *   `redirect_to`, the client's redirect URI with the OAuth `error` and `state`.
 */
export type OauthErrorCode =
  | 'oauth_clients_limit'
  | 'oauth_client_not_found'
  | 'oauth_grant_not_found' | 'oauth_client_unknown' | 'oauth_redirect_uri_mismatch' | 'oauth_request_invalid';

export const oauthErrorStatuses = {
  oauth_clients_limit: 409,
  oauth_client_not_found: 404,
  oauth_grant_not_found: 404,
  oauth_client_unknown: 400,
  oauth_redirect_uri_mismatch: 400,
  oauth_request_invalid: 400,
} as const satisfies Record<OauthErrorCode, number>;

export class OauthError extends AppError {
  constructor(code: OauthErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, oauthErrorStatuses[code], detail, options);
    this.name = 'OauthError';
  }
}
