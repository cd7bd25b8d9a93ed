import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import type { Actor, ServiceContext } from '../../platform/context.ts';
import { AUDIT_TARGETS_MAX, listAuditEvents, recordAuditEvent, type AuditEventInput } from './audit.service.ts';

/**
 * The audit log at service level: what an event keeps, and who sees which events through which
 * filters. test/http/audit.test.ts checks that requests write them; these run in a second, for
 * mutation testing.
 */
describeEachDatabase('audit log', (get) => {
  const t0 = Date.UTC(2026, 10, 2, 9);
  const manager: Actor = { kind: 'user', id: 'usr_manager', label: 'manager@example.com', role: 'manager', sites: new Set(['loc_a']) };
  let owner: ServiceContext;
  let ids: Record<string, string>;

  const event = (over: Partial<AuditEventInput>): AuditEventInput => ({
    at: t0,
    actor: manager,
    credentialId: 'ses_1',
    method: 'POST',
    route: '/api/v1/adjustments',
    path: '/api/v1/adjustments',
    status: 201,
    problemCode: null,
    targets: [],
    siteId: null,
    ip: '10.0.0.1',
    userAgent: 'test',
    idempotencyKey: null,
    requestId: null,
    note: null,
    ...over,
  });

  beforeAll(async () => {
    owner = serviceContext(get().db);
    const db = get().db.kysely;
    ids = {
      atA: await recordAuditEvent(db, event({ at: t0 + 1, siteId: 'loc_a', targets: [{ type: 'adjustment', id: 'adj_1' }] })),
      atB: await recordAuditEvent(db, event({ at: t0 + 2, siteId: 'loc_b', actor: { ...manager, id: 'usr_other' }, method: 'PATCH', route: '/api/v1/items/{id}', status: 409, problemCode: 'conflict' })),
      nowhere: await recordAuditEvent(db, event({ at: t0 + 3, actor: null, credentialId: null, route: '/api/v1/session', status: 401, problemCode: 'unauthenticated', targets: [{ type: 'user', id: 'usr_x' }] })),
      last: await recordAuditEvent(db, event({ at: t0 + 4, siteId: 'loc_a', status: 200 })),
    };
  });

  const listed = async (ctx: ServiceContext, query: Partial<Parameters<typeof listAuditEvents>[1]> = {}) => (await listAuditEvents(ctx, { limit: 50, ...query })).records.map((r) => r.id);

  it('keeps who, what, where and how it ended; each target once; long texts cut', async () => {
    const db = get().db.kysely;
    const targets = Array.from({ length: 1201 }, (_, i) => ({ type: 'item', id: `itm_${i}` }));
    const id = await recordAuditEvent(db, event({ at: t0 - 10, targets: [...targets, targets[0]!, { type: 'location', id: 'itm_0' }, { type: 'ab', id: 'c' }, { type: 'a', id: 'bc' }], path: `/x/${'p'.repeat(2000)}`, userAgent: 'u'.repeat(1000) }));
    const [record] = (await listAuditEvents(owner, { limit: 1, to: t0 - 9 })).records;
    expect(record).toMatchObject({ id, at: t0 - 10, actor_kind: 'user', actor_id: 'usr_manager', actor_label: 'manager@example.com', credential_id: 'ses_1', method: 'POST', status: 201, ip: '10.0.0.1' });
    expect(id).toMatch(/^aud_/);
    expect(record!.path).toHaveLength(1000);
    expect(record!.user_agent).toHaveLength(300);
    // The row lists the first 200; audit_targets holds every one, once (a location and an item may share an id; `ab`+`c` is not `a`+`bc`).
    expect(record!.targets).toHaveLength(200);
    expect(record!.targets[0]).toEqual({ type: 'item', id: 'itm_0' });
    const stored = await db.selectFrom('audit_targets').select(['target_type', 'target_id']).where('event_id', '=', id).execute();
    expect(stored).toHaveLength(1204);
    expect(stored.filter((t) => t.target_id === 'itm_0').map((t) => t.target_type).sort()).toEqual(['item', 'location']);
    expect(await listed(owner, { targetId: 'itm_1200' })).toEqual([id]);

    const none = await recordAuditEvent(db, event({ at: t0 - 20, actor: null, userAgent: null }));
    const [bare] = (await listAuditEvents(owner, { limit: 1, to: t0 - 19 })).records;
    expect(bare).toMatchObject({ id: none, actor_kind: null, actor_id: null, actor_label: null, user_agent: null, targets: [] });
  });

  it(`stores at most ${AUDIT_TARGETS_MAX} targets of one event`, async () => {
    const db = get().db.kysely;
    const targets = Array.from({ length: AUDIT_TARGETS_MAX + 5 }, (_, i) => ({ type: 'item', id: `many_${i}` }));
    const id = await recordAuditEvent(db, event({ at: t0 - 30, targets }));
    const count = await db.selectFrom('audit_targets').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(AUDIT_TARGETS_MAX);
  });

  it('shows a site-limited caller the events at its sites and those at no site; newest first', async () => {
    const from = { from: t0 };
    expect(await listed(owner, from)).toEqual([ids.last, ids.nowhere, ids.atB, ids.atA]);
    expect(await listed({ ...owner, actor: manager }, from)).toEqual([ids.last, ids.nowhere, ids.atA]);
    expect(await listed({ ...owner, actor: { ...manager, sites: new Set() } }, from)).toEqual([ids.nowhere]);
  });

  it('filters by actor, target, route, method, time and outcome, and pages', async () => {
    const from = { from: t0 };
    expect(await listed(owner, { ...from, actorId: 'usr_other' })).toEqual([ids.atB]);
    expect(await listed(owner, { ...from, targetId: 'adj_1' })).toEqual([ids.atA]);
    expect(await listed(owner, { ...from, route: '/api/v1/session' })).toEqual([ids.nowhere]);
    expect(await listed(owner, { ...from, method: 'PATCH' })).toEqual([ids.atB]);
    expect(await listed(owner, { from: t0 + 2, to: t0 + 4 })).toEqual([ids.nowhere, ids.atB]);
    expect(await listed(owner, { ...from, outcome: 'success' })).toEqual([ids.last, ids.atA]);
    expect(await listed(owner, { ...from, outcome: 'failure' })).toEqual([ids.nowhere, ids.atB]);
    const first = await listAuditEvents(owner, { ...from, limit: 3 });
    expect(first.records.map((r) => r.id)).toEqual([ids.last, ids.nowhere, ids.atB]);
    const second = await listAuditEvents(owner, { ...from, limit: 3, cursor: first.nextCursor! });
    expect([second.records.map((r) => r.id), second.nextCursor]).toEqual([[ids.atA], null]);
    // A page the remaining events fill exactly is the last.
    expect((await listAuditEvents(owner, { ...from, limit: 4 })).nextCursor).toBeNull();
  });
});
