import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import type { Actor } from '../../platform/context.ts';
import type { SessionRow } from '../../platform/db/schema.ts';
import { permissionsOf } from './access.permissions.ts';
import type { AuditEventJson, SessionJson, TokenJson, UserJson } from './access.schema.ts';
import type { AuditEventRecord } from './audit.service.ts';
import { idleExpiryOf } from './sessions.service.ts';
import type { TokenRecord } from './tokens.service.ts';
import type { UserRecord } from './users.service.ts';

export function toUserJson(user: UserRecord): UserJson {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    sites: user.sites,
    status: user.status,
    last_login_at: toIsoOrNull(user.last_login_at),
    password_changed_at: toIso(user.password_changed_at),
    created_by_id: user.created_by_id,
    created_at: toIso(user.created_at),
    updated_at: toIso(user.updated_at),
  };
}

export function tokenStatus(token: Pick<TokenRecord, 'revoked_at' | 'expires_at'>, now: number): TokenJson['status'] {
  if (token.revoked_at !== null) return 'revoked';
  if (token.expires_at !== null && token.expires_at <= now) return 'expired';
  return 'active';
}

export function toTokenJson(token: TokenRecord, now: number): TokenJson {
  return {
    id: token.id,
    name: token.name,
    secret_hint: token.secret_hint,
    role: token.role,
    sites: token.sites,
    status: tokenStatus(token, now),
    owner_user_id: token.owner_user_id,
    created_by_id: token.created_by_id,
    created_by_label: token.created_by_label,
    created_at: toIso(token.created_at),
    expires_at: toIsoOrNull(token.expires_at),
    last_used_at: toIsoOrNull(token.last_used_at),
    revoked_at: toIsoOrNull(token.revoked_at),
    revoked_by_id: token.revoked_by_id,
  };
}

function sitesJson(sites: Actor['sites']): 'all' | string[] {
  return sites === 'all' ? 'all' : [...sites].sort();
}

/** Who the caller is: a signed-in person (with the CSRF token their writes need) or a token. */
export function toSessionJson(actor: Actor, detail: { user?: UserRecord; session?: SessionRow; token?: { id: string; name: string } }): SessionJson {
  return {
    kind: detail.session ? 'session' : 'token',
    user: detail.user ? toUserJson(detail.user) : null,
    token: detail.token ?? null,
    role: actor.role,
    sites: sitesJson(actor.sites),
    permissions: permissionsOf(actor.role),
    csrf_token: detail.session?.csrf_token ?? null,
    expires_at: detail.session ? toIso(detail.session.expires_at) : null,
    idle_expires_at: detail.session ? toIso(idleExpiryOf(detail.session)) : null,
  };
}

export function toAuditEventJson(event: AuditEventRecord): AuditEventJson {
  return {
    id: event.id,
    at: toIso(event.at),
    actor: event.actor_kind && event.actor_id ? { kind: event.actor_kind, id: event.actor_id, label: event.actor_label ?? event.actor_id } : null,
    credential_id: event.credential_id,
    method: event.method,
    route: event.route,
    path: event.path,
    status: event.status,
    outcome: event.status < 400 ? 'success' : 'failure',
    problem_code: event.problem_code,
    targets: event.targets,
    site_id: event.site_id,
    ip: event.ip,
    user_agent: event.user_agent,
    idempotency_key: event.idempotency_key,
    request_id: event.request_id,
    note: event.note,
  };
}
