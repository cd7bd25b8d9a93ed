import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { ManualClock } from '../clock.ts';
import type { ServiceContext } from '../context.ts';
import { PlatformError } from '../errors.ts';
import { runCommand } from './command.ts';
import { registerProblemHandlers } from './problem.ts';

/**
 * The key's claim is sent ahead of the work (on PostgreSQL, answered on the work's first trip), so
 * a replay first runs into its own work. These commands show the stored response wins whatever
 * that work did: read nothing, read, or failed before any query.
 */
describeEachDatabase('a command’s idempotency key, claimed ahead of its work', (get) => {
  let app: FastifyInstance | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  async function serve(work: (ctx: ServiceContext) => Promise<unknown>) {
    app = Fastify();
    registerProblemHandlers(app);
    app.decorateRequest('actor', null);
    app.addHook('onRequest', async (request) => {
      request.actor = { kind: 'user', id: 'usr_command_test', label: 'test', role: 'owner', sites: 'all' };
    });
    const deps = { db: get().db, clock: new ManualClock(Date.UTC(2026, 11, 7)), observers: [] };
    app.post('/commands', (request, reply) => runCommand(deps, request, reply, work, { status: 201 }));
    const post = async (body: object, key: string) => {
      const response = await app!.inject({ method: 'POST', url: '/commands', payload: body, headers: { 'idempotency-key': key } });
      return { status: response.statusCode, body: response.json(), replayed: response.headers['idempotent-replayed'] === 'true' };
    };
    return post;
  }

  const key = () => `cmd-${Math.random().toString(36).slice(2)}`;

  it('replays the stored response to a work that reads nothing', async () => {
    let runs = 0;
    const post = await serve(async () => ({ run: ++runs }));
    const k = key();
    expect(await post({ a: 1 }, k)).toEqual({ status: 201, body: { run: 1 }, replayed: false });
    expect(await post({ a: 1 }, k)).toEqual({ status: 201, body: { run: 1 }, replayed: true });
    expect((await post({ a: 2 }, k)).body.code).toBe('idempotency_key_reused');
  });

  it('replays the stored response to a work that queries', async () => {
    let runs = 0;
    const post = await serve(async (ctx) => {
      await ctx.trx!.selectFrom('settings').select('key').execute();
      return { run: ++runs };
    });
    const k = key();
    expect(await post({ a: 1 }, k)).toEqual({ status: 201, body: { run: 1 }, replayed: false });
    expect(await post({ a: 1 }, k)).toEqual({ status: 201, body: { run: 1 }, replayed: true });
  });

  it('replays the stored response to a work that now fails before it queries', async () => {
    let runs = 0;
    const post = await serve(async () => {
      runs += 1;
      if (runs > 1) throw new PlatformError('validation_failed', 'refused the second time');
      return { run: runs };
    });
    const k = key();
    expect(await post({ a: 1 }, k)).toEqual({ status: 201, body: { run: 1 }, replayed: false });
    expect(await post({ a: 1 }, k)).toEqual({ status: 201, body: { run: 1 }, replayed: true });
  });

  it('runs a new key’s work once and keeps its response', async () => {
    let runs = 0;
    const post = await serve(async () => ({ run: ++runs }));
    expect((await post({ a: 1 }, key())).body).toEqual({ run: 1 });
    expect((await post({ a: 1 }, key())).body).toEqual({ run: 2 });
    expect(runs).toBe(2);
  });
});
