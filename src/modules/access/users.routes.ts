import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { toUserJson } from './access.mapper.ts';
import { createUserBody, listUsersQuery, resetPasswordBody, updateUserBody, userOutput, userPage } from './access.schema.ts';
import { preparePassword } from './passwords.ts';
import { createUser, getUser, listUsers, resetUserPassword, setUserStatus, updateUser } from './users.service.ts';

/**
 * Users. Owners manage everybody; managers manage the staff and viewers of their own sites.
 * Passwords are hashed here, before `runCommand` opens its transaction.
 */
export function registerUserRoutes(app: AppInstance, deps: CommandDeps): void {
  const manage = { access: { permission: 'users.manage' } };
  const targets = (u: { id: string }) => [{ type: 'user', id: u.id }];

  app.get('/api/v1/users', {
    schema: { tags: ['access'], summary: 'Users you may manage, by email', querystring: listUsersQuery, response: { 200: userPage } },
    config: { ...manage, errors: [] },
    handler: async (request) => {
      const page = await listUsers(contextOf(deps, request), request.query);
      return { data: page.records.map(toUserJson), next_cursor: page.nextCursor };
    },
  });

  app.post('/api/v1/users', {
    schema: {
      tags: ['access'],
      summary: 'Add a user',
      description: 'Nobody grants a role or a site they do not hold; managers add staff and viewers of their own sites.',
      body: createUserBody,
      response: { 201: userOutput },
    },
    config: { ...manage, errors: ['email_taken', 'grant_exceeds_own', 'grant_invalid', 'password_too_weak'] },
    handler: async (request, reply) => {
      const { password, ...rest } = request.body;
      const passwordHash = await preparePassword(password, { email: rest.email, name: rest.name });
      return runCommand(deps, request, reply, async (ctx) => toUserJson(await createUser(ctx, { ...rest, passwordHash })), { status: 201, targets });
    },
  });

  app.get('/api/v1/users/:id', {
    schema: { tags: ['access'], summary: 'One user', params: idParams('usr'), response: { 200: userOutput } },
    config: { ...manage, errors: ['user_not_found'] },
    handler: async (request) => toUserJson(await getUser(contextOf(deps, request), request.params.id)),
  });

  app.patch('/api/v1/users/:id', {
    schema: {
      tags: ['access'],
      summary: 'Change a user’s name, role or sites',
      description:
        'A change of role or sites ends the user’s sessions, so the new rights apply from their next sign-in, and revokes for good the tokens acting for them that the new role or sites do not cover: giving the rights back later does not bring those tokens back.',
      params: idParams('usr'),
      body: updateUserBody,
      response: { 200: userOutput },
    },
    config: { ...manage, errors: ['grant_exceeds_own', 'grant_invalid', 'last_owner', 'user_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toUserJson(await updateUser(ctx, request.params.id, request.body)), { targets }),
  });

  app.post('/api/v1/users/:id/disable', {
    schema: { tags: ['access'], summary: 'Disable a user: their sessions end and their tokens are revoked',
      description: 'Revoked for good: enabling the user again brings back neither sessions nor tokens; they sign in again and make new tokens.',
      params: idParams('usr'), response: { 200: userOutput } },
    config: { ...manage, errors: ['last_owner', 'user_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toUserJson(await setUserStatus(ctx, request.params.id, 'disabled')), { targets }),
  });

  app.post('/api/v1/users/:id/enable', {
    schema: { tags: ['access'], summary: 'Enable a disabled user again',
      description: 'They sign in again; the tokens revoked when they were disabled stay revoked.',
      params: idParams('usr'), response: { 200: userOutput } },
    config: { ...manage, errors: ['last_owner', 'user_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toUserJson(await setUserStatus(ctx, request.params.id, 'active')), { targets }),
  });

  app.post('/api/v1/users/:id/password', {
    schema: {
      tags: ['access'],
      summary: 'Set a new password for a user',
      description: 'Their sessions end and any sign-in lock on the account is lifted.',
      params: idParams('usr'),
      body: resetPasswordBody,
      response: { 200: userOutput },
    },
    config: { ...manage, errors: ['password_too_weak', 'user_not_found'] },
    handler: async (request, reply) => {
      const ctx = contextOf(deps, request);
      // Read first (and 404 for a user out of reach) so nobody can spend argon2 time on a stranger.
      const user = await getUser(ctx, request.params.id);
      const passwordHash = await preparePassword(request.body.password, { email: user.email, name: user.name });
      return runCommand(deps, request, reply, async (trxCtx) => toUserJson(await resetUserPassword(trxCtx, user.id, passwordHash)), { targets });
    },
  });
}
