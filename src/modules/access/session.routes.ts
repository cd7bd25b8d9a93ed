import { toIso } from '../../platform/clock.ts';
import { PlatformError } from '../../platform/errors.ts';
import { actorOf, contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { newId } from '../../platform/ids.ts';
import { isUniqueViolation } from '../../platform/db/dialect.ts';
import { AccessError } from './access.errors.ts';
import { clearSessionCookie, setSessionCookie } from './access.http.ts';
import { toSessionJson } from './access.mapper.ts';
import { ALL_PERMISSIONS, PERMISSIONS, ROLE_DESCRIPTIONS, ROLES, permissionsOf } from './access.permissions.ts';
import { changePasswordBody, loginBody, permissionsOutput, sessionOutput, setupBody, setupStatusOutput } from './access.schema.ts';
import { loadGrantedSites } from './grants.service.ts';
import { needsRehash, preparePassword, rehashPassword, verifyPassword } from './passwords.ts';
import { createSession, revokeSession, userActor } from './sessions.service.ts';
import { ACCOUNT_ADDRESS_THROTTLE, forgiveSignIn, gateSignIn, type SignInGate } from './throttle.service.ts';
import { changeOwnPassword, countUsers, createUser, findUserByEmail, findUserById, getUser, recordSignIn } from './users.service.ts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

/** First-run setup, sign-in and sign-out, who-am-I, and one's own password. */
export function registerSessionRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/setup', {
    schema: { tags: ['access'], summary: 'Whether first-run setup is still open (no user exists yet)', response: { 200: setupStatusOutput } },
    config: { access: { public: true, reason: 'the web app asks it before anyone can sign in' }, errors: [] },
    handler: async (request) => ({ open: (await countUsers(deps.db.kysely)) === 0, signed_in: request.actor !== null }),
  });

  app.post('/api/v1/setup', {
    schema: {
      tags: ['access'],
      summary: 'Create the first owner and sign them in (only while no user exists)',
      body: setupBody,
      response: { 201: sessionOutput },
    },
    config: { access: { public: true, reason: 'nobody can sign in before the first owner exists; it closes for good once a user exists' }, errors: ['email_taken', 'password_too_weak', 'setup_closed'] },
    handler: async (request, reply) => {
      if ((await countUsers(deps.db.kysely)) > 0) throw new AccessError('setup_closed', 'Setup is done: a user already exists. Sign in instead.');
      const { email, name, password } = request.body;
      const passwordHash = await preparePassword(password, { email, name });
      const id = newId('usr', deps.clock.now());
      request.actor = userActor({ id, email, role: 'owner', all_sites: 1 }, []);
      return runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const trx = ctx.trx!;
          // The settings row is the lock: of two setups racing, the second fails here.
          try {
            await trx.insertInto('settings').values({ key: 'access.setup_completed_at', value: toIso(ctx.clock.now()) }).execute();
          } catch (error) {
            if (isUniqueViolation(error)) throw new AccessError('setup_closed', 'Setup is done: a user already exists. Sign in instead.');
            throw error;
          }
          if ((await countUsers(trx)) > 0) throw new AccessError('setup_closed', 'Setup is done: a user already exists. Sign in instead.');
          const user = await createUser(ctx, { email, name, role: 'owner', sites: 'all', passwordHash }, { id });
          const created = await createSession(trx, { userId: id, now: ctx.clock.now(), ip: request.ip, userAgent: userAgentOf(request) });
          setSessionCookie(reply, created.secret);
          request.credential = { kind: 'session', session: created.row };
          return toSessionJson(ctx.actor, { user, session: created.row });
        },
        { status: 201, targets: () => [{ type: 'user', id }] },
      );
    },
  });

  app.post('/api/v1/session', {
    schema: {
      tags: ['access'],
      summary: 'Sign in with email and password; sets the session cookie',
      description:
        'The answer carries the `csrf_token` to send as `X-CSRF-Token` with every change. ' +
        `Wrong passwords are slowed down, never locked out: after ${ACCOUNT_ADDRESS_THROTTLE.freeAttempts} attempts at one account from one address, ` +
        `each further attempt waits a delay that doubles up to ${ACCOUNT_ADDRESS_THROTTLE.delayMaxMs / 60_000} minutes (429 with Retry-After, before the password is checked). ` +
        'Addresses that try many accounts, and accounts tried from many addresses, are slowed the same way; an address the person has signed in from before is not slowed by guesses made elsewhere.',
      body: loginBody,
      response: { 200: sessionOutput },
    },
    config: { access: { public: true, reason: 'signing in is how one gets credentials' }, errors: ['invalid_credentials'] },
    handler: async (request, reply) => {
      const { email, password } = request.body;
      const ip = request.ip;
      request.auditNote = `sign-in as ${email.slice(0, 254)}`;
      const user = await findUserByEmail(deps.db.kysely, email);
      if (user) request.auditTargets = [{ type: 'user', id: user.id }];
      // Counted before the password is checked, so concurrent guesses cannot slip past the count.
      assertGateOpen(await gateSignIn(deps.db.kysely, { email, ip, userId: user?.id ?? null, now: deps.clock.now() }), request);
      const verified = await verifyPassword(user?.password_hash ?? null, password);
      if (!verified || !user || user.status !== 'active') throw new AccessError('invalid_credentials', 'The email or password is wrong.');
      // Hashing happens here, before the transaction, when today's parameters are stronger than the stored hash's.
      const rehashed = needsRehash(user.password_hash) ? await rehashPassword(password) : null;
      const sites = (await loadGrantedSites(deps.db.kysely, [user.id])).get(user.id) ?? [];
      request.actor = userActor(user, sites);
      const previous = request.credential?.kind === 'session' ? request.credential.session : null;
      return runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const trx = ctx.trx!;
          const now = ctx.clock.now();
          // A new session id at every sign-in, so a session id planted before sign-in is worth nothing after.
          if (previous) await revokeSession(trx, previous.id, 'signed_in_again', now);
          await forgiveSignIn(trx, { email, ip, userId: user.id, now });
          await recordSignIn(trx, user.id, now, rehashed);
          const created = await createSession(trx, { userId: user.id, now, ip, userAgent: userAgentOf(request) });
          setSessionCookie(reply, created.secret);
          request.credential = { kind: 'session', session: created.row };
          return toSessionJson(ctx.actor, { user: await getUser(ctx, user.id), session: created.row });
        },
        { targets: () => [{ type: 'user', id: user.id }] },
      );
    },
  });

  app.get('/api/v1/session', {
    schema: {
      tags: ['access'],
      summary: 'Who you are: user or token, role, sites, permissions, and the CSRF token for cookie sessions',
      response: { 200: sessionOutput },
    },
    config: { access: { permission: 'account.read' }, errors: ['user_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const credential = request.credential;
      if (credential?.kind === 'session') return toSessionJson(ctx.actor, { user: await getUser(ctx, ctx.actor.id), session: credential.session });
      return toSessionJson(ctx.actor, { token: credential?.kind === 'token' ? { id: credential.id, name: credential.name } : { id: ctx.actor.id, name: ctx.actor.label } });
    },
  });

  app.delete('/api/v1/session', {
    schema: {
      tags: ['access'],
      summary: 'Sign out: ends the session and clears its cookie',
      response: { 200: z.object({ signed_out: z.boolean().meta({ description: 'False when the request came with a token, which stays valid.' }) }) },
    },
    config: { access: { permission: 'account.write' }, errors: [] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const credential = request.credential;
          if (credential?.kind !== 'session') return { signed_out: false };
          await revokeSession(ctx.trx!, credential.session.id, 'signed_out', ctx.clock.now());
          clearSessionCookie(reply);
          return { signed_out: true };
        },
        { targets: () => (request.credential?.kind === 'session' ? [{ type: 'session', id: request.credential.session.id }] : []) },
      ),
  });

  app.post('/api/v1/session/password', {
    schema: {
      tags: ['access'],
      summary: 'Change your own password; every session of yours ends and this one is replaced',
      body: changePasswordBody,
      response: { 200: sessionOutput },
    },
    config: { access: { permission: 'account.write' }, errors: ['current_password_incorrect', 'password_too_weak', 'session_required', 'user_not_found'] },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      if (request.credential?.kind !== 'session') throw new AccessError('session_required', 'Only a signed-in person has a password to change; tokens have none.');
      const user = (await findUserById(deps.db.kysely, actor.id))!;
      const ip = request.ip;
      assertGateOpen(await gateSignIn(deps.db.kysely, { email: user.email, ip, userId: user.id, now: deps.clock.now() }), request);
      if (!(await verifyPassword(user.password_hash, request.body.current_password))) {
        throw new AccessError('current_password_incorrect', 'The current password is wrong.', {
          errors: [{ field: 'body.current_password', code: 'incorrect', message: 'is not your current password' }],
        });
      }
      await forgiveSignIn(deps.db.kysely, { email: user.email, ip, userId: user.id, now: deps.clock.now() });
      const passwordHash = await preparePassword(request.body.new_password, { email: user.email, name: user.name }, 'body.new_password');
      return runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const record = await changeOwnPassword(ctx, passwordHash);
          const created = await createSession(ctx.trx!, { userId: user.id, now: ctx.clock.now(), ip, userAgent: userAgentOf(request) });
          setSessionCookie(reply, created.secret);
          request.credential = { kind: 'session', session: created.row };
          return toSessionJson(ctx.actor, { user: record, session: created.row });
        },
        { targets: () => [{ type: 'user', id: user.id }] },
      );
    },
  });

  app.get('/api/v1/permissions', {
    schema: { tags: ['access'], summary: 'The permission catalogue and what each role holds', response: { 200: permissionsOutput } },
    config: { access: { permission: 'account.read' }, errors: [] },
    handler: async () => ({
      permissions: ALL_PERMISSIONS.map((name) => ({ name, description: PERMISSIONS[name] })),
      roles: ROLES.map((role) => ({ role, description: ROLE_DESCRIPTIONS[role], permissions: permissionsOf(role) })),
    }),
  });
}

const throttledWhat = {
  address: 'from this address',
  account_address: 'for this account from this address',
  account: 'for this account',
} as const;

/** Refuses an attempt the throttle holds back: 429 with the wait, noted in the audit log. */
function assertGateOpen(gate: SignInGate, request: FastifyRequest): void {
  if (gate.allowed) return;
  const retryAfterS = Math.max(1, Math.ceil(gate.retryAfterMs / 1000));
  request.auditNote = `${request.auditNote ?? 'password check'}; throttled (${gate.limited}) for ${retryAfterS} s`;
  throw new PlatformError('rate_limited', `Too many sign-in attempts ${throttledWhat[gate.limited]}; try again in ${retryAfterS} s.`, {
    extra: { retry_after_s: retryAfterS },
  });
}

function userAgentOf(request: FastifyRequest): string | null {
  const agent = request.headers['user-agent'];
  return typeof agent === 'string' ? agent.slice(0, 300) : null;
}
