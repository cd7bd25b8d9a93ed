import type { CommandDeps } from '../../platform/http/command.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { registerAuditRoutes } from './audit.routes.ts';
import { registerSessionRoutes } from './session.routes.ts';
import { registerTokenRoutes } from './tokens.routes.ts';
import { registerUserRoutes } from './users.routes.ts';

export function registerAccessRoutes(app: AppInstance, deps: CommandDeps): void {
  registerSessionRoutes(app, deps);
  registerUserRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerAuditRoutes(app, deps);
}

export { registerAccess, assertRouteAccess, type RegisteredRoute, type AccessOptions } from './access.http.ts';
export {
  PERMISSIONS,
  ALL_PERMISSIONS,
  ROLES,
  ROLE_PERMISSIONS,
  ROLE_DESCRIPTIONS,
  isPermission,
  roleHas,
  roleCovers,
  permissionsOf,
  type Permission,
} from './access.permissions.ts';
export { AccessError, type AccessErrorCode } from './access.errors.ts';
export { httpStatusByCode as accessErrorStatuses } from './access.errors.ts';
export { ARGON2_PARAMS, PASSWORD_MIN_LENGTH, checkPassword, preparePassword, verifyPassword, type PasswordHash } from './passwords.ts';
export { createUser, findUserByEmail, getUser, listUsers, resetUserPassword, setUserStatus, updateUser, countUsers, type UserRecord } from './users.service.ts';
export { createToken, getToken, listTokens, revokeToken, TOKEN_PREFIX, type TokenRecord } from './tokens.service.ts';
export { authenticateToken, type TokenCheck } from './tokens.service.ts';
export { SESSION_ABSOLUTE_MS, SESSION_COOKIE, SESSION_IDLE_MS, purgeEndedSessions, userActor } from './sessions.service.ts';
export { ACCOUNT_ADDRESS_THROTTLE, ACCOUNT_THROTTLE, ADDRESS_THROTTLE, purgeStaleThrottles, throttleDelayMs } from './throttle.service.ts';
export { listAuditEvents, type AuditEventRecord } from './audit.service.ts';
export type { SiteGrant } from './grants.service.ts';
export { hashSecret, randomSecret, safeEqual } from './secrets.ts';
export { loadGrantedSites } from './grants.service.ts';
