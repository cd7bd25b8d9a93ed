import type { CommandDeps } from '../../platform/http/command.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { registerOauthManagementRoutes } from './oauth.routes.ts';
import { registerOauthTokenRoute } from './oauth.token.routes.ts';

export function registerOauthRoutes(app: AppInstance, deps: CommandDeps): void {
  registerOauthManagementRoutes(app, deps);
  registerOauthTokenRoute(app, deps);
}

export { OAUTH_SCOPES, registerClient, listClients, getClient, removeClient, type OauthClientRecord, type OauthScope } from './oauth.clients.ts';
export { listLinkedApps, revokeLinkedApp, type LinkedAppRecord } from './oauth.grants.ts';
export {
  ACCESS_TOKEN_PREFIX,
  ACCESS_TOKEN_TTL_MS,
  CODE_TTL_MS,
  REFRESH_TOKEN_TTL_MS,
  authenticateAccessToken,
  purgeEndedOauth,
  s256,
  type AccessTokenCheck,
} from './oauth.flow.ts';
export { OauthError, oauthErrorStatuses, type OauthErrorCode } from './oauth.errors.ts';
