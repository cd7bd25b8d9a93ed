import { z } from 'zod';
import { idInput, instantInput, instantOutput, textInput } from '../../platform/http/fields.ts';
import { cursorParam, limitParam, pageSchema } from '../../platform/http/pagination.ts';
import { ALL_PERMISSIONS, ROLES } from './access.permissions.ts';
import { MAX_GRANTED_SITES } from './grants.service.ts';
import { PASSWORD_MAX_LENGTH } from './passwords.ts';
import { TOKEN_NAME_MAX } from './tokens.service.ts';

export const roleInput = z.enum(ROLES).meta({ description: 'owner, manager, staff or viewer; see GET /api/v1/permissions.' });

export const sitesInput = z
  .union([z.literal('all'), z.array(idInput('loc')).max(MAX_GRANTED_SITES)])
  .meta({ description: '`"all"` for every site (present and future), or the ids of the sites granted; a site covers its bins. Owners always have all.' });

export const sitesOutput = z.union([z.literal('all'), z.array(z.string())]);

const emailInput = z.email().max(254).meta({ example: 'sam@example.com' });
// The policy (length, common passwords) is checked after validation, so that its refusal says which rule failed.
const passwordInput = z.string().min(1).max(PASSWORD_MAX_LENGTH * 4).meta({ description: 'At least 12 characters, not a common password.' });

const trueFalse = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');

// ---- users

export const userOutput = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    sites: sitesOutput,
    status: z.enum(['active', 'disabled']),
    last_login_at: instantOutput.nullable(),
    password_changed_at: instantOutput,
    created_by_id: z.string().nullable(),
    created_at: instantOutput,
    updated_at: instantOutput,
  })
  .meta({ id: 'User' });
export type UserJson = z.infer<typeof userOutput>;

export const userPage = pageSchema(userOutput);

export const createUserBody = z.strictObject({
  email: emailInput,
  name: textInput(120),
  role: roleInput,
  sites: sitesInput.default([]),
  password: passwordInput,
});

export const updateUserBody = z
  .strictObject({ name: textInput(120).optional(), role: roleInput.optional(), sites: sitesInput.optional() })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });

export const resetPasswordBody = z.strictObject({ password: passwordInput });

export const listUsersQuery = z.strictObject({
  q: z.string().trim().max(100).optional().meta({ description: 'Part of an email or a name. Leading and trailing whitespace is removed.' }),
  role: roleInput.optional(),
  status: z.enum(['active', 'disabled']).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

// ---- tokens

export const tokenOutput = z
  .object({
    id: z.string(),
    name: z.string(),
    secret_hint: z.string().meta({ description: 'The first characters of the secret, to tell tokens apart.' }),
    role: z.enum(ROLES),
    sites: sitesOutput,
    status: z.enum(['active', 'expired', 'revoked']),
    owner_user_id: z.string().nullable().meta({ description: 'The person the token acts for; it never has more than they have. Null when made by the CLI.' }),
    created_by_id: z.string(),
    created_by_label: z.string(),
    created_at: instantOutput,
    expires_at: instantOutput.nullable(),
    last_used_at: instantOutput.nullable().meta({ description: 'Updated at most once a minute.' }),
    revoked_at: instantOutput.nullable(),
    revoked_by_id: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });
export type TokenJson = z.infer<typeof tokenOutput>;

export const createdTokenOutput = tokenOutput
  .extend({ secret: z.string().meta({ description: 'Send it as `Authorization: Bearer <secret>`. Shown only now; store it safely.' }) })
  .meta({ id: 'NewApiToken' });

export const tokenPage = pageSchema(tokenOutput);

export const createTokenBody = z
  .strictObject({
    name: textInput(TOKEN_NAME_MAX),
    role: roleInput,
    sites: sitesInput.default([]),
    expires_at: instantInput.optional(),
    expires_in_days: z.number().int().min(1).max(3650).optional(),
  })
  .refine((b) => b.expires_at === undefined || b.expires_in_days === undefined, { message: 'give expires_at or expires_in_days, not both' });

export const listTokensQuery = z.strictObject({ include_revoked: trueFalse, limit: limitParam, cursor: cursorParam });

// ---- sessions and setup

export const sessionOutput = z
  .object({
    kind: z.enum(['session', 'token']),
    user: userOutput.nullable(),
    token: z.object({ id: z.string(), name: z.string() }).nullable(),
    role: z.enum(ROLES),
    sites: sitesOutput,
    permissions: z.array(z.enum(ALL_PERMISSIONS as [string, ...string[]])),
    csrf_token: z.string().nullable().meta({ description: 'Send it as the X-CSRF-Token header on every POST, PATCH, PUT and DELETE made with the session cookie.' }),
    expires_at: instantOutput.nullable(),
    idle_expires_at: instantOutput.nullable(),
  })
  .meta({ id: 'Session' });
export type SessionJson = z.infer<typeof sessionOutput>;

export const loginBody = z.strictObject({ email: z.string().trim().min(1).max(254).meta({ description: 'Leading and trailing whitespace is removed.' }), password: z.string().min(1).max(PASSWORD_MAX_LENGTH * 4) });

export const setupBody = z.strictObject({ email: emailInput, name: textInput(120), password: passwordInput });

export const setupStatusOutput = z.object({
  open: z.boolean().meta({ description: 'True while no user exists: POST /api/v1/setup creates the first owner.' }),
  signed_in: z.boolean().meta({ description: 'Whether the request came with a valid session or token, so a web app can tell without a 401 from GET /api/v1/session.' }),
});

export const changePasswordBody = z.strictObject({ current_password: z.string().min(1).max(PASSWORD_MAX_LENGTH * 4), new_password: passwordInput });

export const permissionsOutput = z.object({
  permissions: z.array(z.object({ name: z.string(), description: z.string() })),
  roles: z.array(z.object({ role: z.enum(ROLES), description: z.string(), permissions: z.array(z.string()) })),
});

// ---- audit

export const auditEventOutput = z
  .object({
    id: z.string(),
    at: instantOutput,
    actor: z.object({ kind: z.enum(['user', 'token', 'system']), id: z.string(), label: z.string() }).nullable(),
    credential_id: z.string().nullable().meta({ description: 'The session or token the request came with.' }),
    method: z.string(),
    route: z.string().meta({ description: 'The route pattern, such as /api/v1/items/:id.' }),
    path: z.string(),
    status: z.number().int(),
    outcome: z.enum(['success', 'failure']),
    problem_code: z.string().nullable(),
    targets: z.array(z.object({ type: z.string(), id: z.string() })),
    site_id: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    idempotency_key: z.string().nullable(),
    request_id: z.string().nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: 'AuditEvent' });
export type AuditEventJson = z.infer<typeof auditEventOutput>;

export const auditEventPage = pageSchema(auditEventOutput);

export const listAuditEventsQuery = z.strictObject({
  actor_id: z.string().max(64).optional().meta({ description: 'A user or token id.' }),
  target_id: z.string().max(64).optional().meta({ description: 'Events that touched this record.' }),
  route: z.string().max(200).optional().meta({ description: 'A route pattern, such as /api/v1/adjustments.' }),
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']).optional(),
  from: instantInput.optional(),
  to: instantInput.optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  limit: limitParam,
  cursor: cursorParam,
});
