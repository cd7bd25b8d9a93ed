import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { makeToken, makeUser, signIn, TEST_PASSWORD } from '../support/access.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

describeEachDatabase('audit log', (get) => {
  let api: TestApi;
  let siteA: any;
  let siteB: any;
  let ownerTokenId: string;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const tag = Date.now() % 100000;
    siteA = (await api.post('/api/v1/locations', { kind: 'site', code: `AA${tag}`, name: 'A', site_type: 'store' })).body;
    siteB = (await api.post('/api/v1/locations', { kind: 'site', code: `AB${tag}`, name: 'B', site_type: 'store' })).body;
    ownerTokenId = (await api.get('/api/v1/session')).body.token.id;
  });

  const eventsAbout = async (id: string) => (await api.get(`/api/v1/audit-events?target_id=${id}`)).body.data;
  const newItem = async () => (await api.post('/api/v1/items', { sku: `AUD-${Date.now()}-${Math.random().toString(36).slice(2, 7)}`, name: 'Audited' })).body;

  it('records a change with who made it, what it touched, when and from where', async () => {
    const before = Date.now();
    const response = await api.request('POST', '/api/v1/items', {
      body: { sku: `AUD-${Date.now()}`, name: 'Candle' },
      headers: { 'user-agent': 'till/1.0', 'idempotency-key': `audit-${Date.now()}` },
      remoteAddress: '192.0.2.7',
    });
    expect(response.status).toBe(201);
    const [event] = await eventsAbout(response.body.id);
    expect(event).toMatchObject({
      actor: { kind: 'token', id: ownerTokenId, label: 'token test owner' },
      credential_id: ownerTokenId,
      method: 'POST',
      route: '/api/v1/items',
      path: '/api/v1/items',
      status: 201,
      outcome: 'success',
      problem_code: null,
      targets: [{ type: 'item', id: response.body.id }],
      ip: '192.0.2.7',
      user_agent: 'till/1.0',
      idempotency_key: expect.stringMatching(/^audit-/),
      request_id: expect.any(String),
    });
    expect(Date.parse(event.at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('names the person, not just a token, for a change made in a session', async () => {
    const person = await makeUser(api, 'staff', [siteA.id]);
    const { session, csrf } = await signIn(api, person.email, TEST_PASSWORD);
    const item = await newItem();
    const posted = await api.as({ session, csrf }).post('/api/v1/adjustments', { location_id: siteA.id, reason: 'found', lines: [{ item_id: item.id, qty: 2 }] });
    expect(posted.status).toBe(201);
    const [event] = await eventsAbout(posted.body.id);
    expect(event).toMatchObject({ actor: { kind: 'user', id: person.user.id, label: person.email }, route: '/api/v1/adjustments', site_id: siteA.id, status: 201 });
    expect(event.credential_id).toMatch(/^ses_/);
  });

  it('records refused and failed requests too, and nothing of a change that rolled back', async () => {
    const item = await newItem();
    const moved = await api.post('/api/v1/adjustments', { location_id: siteA.id, reason: 'found', lines: [{ item_id: item.id, qty: 5 }] });
    expect(moved.status).toBe(201);
    const missing = await api.post('/api/v1/items/itm_NOSUCHITEM/archive');
    expect(missing.status).toBe(404);
    const events = await eventsAbout('itm_NOSUCHITEM');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 404, outcome: 'failure', problem_code: 'item_not_found', route: '/api/v1/items/:id/archive', path: '/api/v1/items/itm_NOSUCHITEM/archive' });

    const anonymous = await api.as(null).request('DELETE', `/api/v1/items/${item.id}`, { remoteAddress: '198.51.100.4' });
    expect(anonymous.status).toBe(401);
    const viewer = await makeToken(api, 'viewer', [siteA.id]);
    expect((await api.as({ bearer: viewer.secret }).delete(`/api/v1/items/${item.id}`)).status).toBe(403);
    // A command that fails inside its transaction writes its failure, and no success.
    expect((await api.delete(`/api/v1/items/${item.id}`)).status).toBe(409);
    const about = await eventsAbout(item.id);
    expect(about.map((e: any) => [e.method, e.status, e.problem_code, e.actor?.id ?? null])).toEqual([
      ['DELETE', 409, 'item_has_movements', ownerTokenId],
      ['DELETE', 403, 'forbidden', viewer.id],
      ['DELETE', 401, 'unauthenticated', null],
      // The adjustment moved the item, so it names the item among its targets; then the item's creation.
      ['POST', 201, null, ownerTokenId],
      ['POST', 201, null, ownerTokenId],
    ]);
    expect(about.slice(3).map((e: any) => e.route)).toEqual(['/api/v1/adjustments', '/api/v1/items']);
    expect(about[2].ip).toBe('198.51.100.4');
    expect((await api.get(`/api/v1/items/${item.id}`)).status).toBe(200);
  });

  it('records a replayed request as such, and a CSRF refusal', async () => {
    const item = await newItem();
    const key = { 'idempotency-key': `replay-${Date.now()}` };
    const first = await api.post(`/api/v1/items/${item.id}/archive`, undefined, key);
    const replay = await api.post(`/api/v1/items/${item.id}/archive`, undefined, key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const archives = (await eventsAbout(item.id)).filter((e: any) => e.route === '/api/v1/items/:id/archive');
    expect(archives.map((e: any) => [e.status, e.note])).toEqual([
      [first.status, 'replayed the stored response of an earlier request'],
      [first.status, null],
    ]);

    const person = await makeUser(api, 'manager', [siteA.id]);
    const { session } = await signIn(api, person.email, TEST_PASSWORD);
    expect((await api.as({ session }).post(`/api/v1/items/${item.id}/unarchive`)).status).toBe(403);
    const [refused] = await eventsAbout(item.id);
    expect(refused).toMatchObject({ status: 403, problem_code: 'csrf_failed', actor: { id: person.user.id } });
  });

  it('is append-only: the database refuses to change or delete an event, and no route offers to', async () => {
    const item = await newItem();
    const [event] = await eventsAbout(item.id);
    const db = get().db.kysely;
    await expect(db.updateTable('audit_events').set({ status: 200, actor_label: 'someone else' }).where('id', '=', event.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_events').where('id', '=', event.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_targets').where('event_id', '=', event.id).execute()).rejects.toThrow(/append-only/);
    expect((await eventsAbout(item.id))[0]).toEqual(event);
    for (const method of ['PATCH', 'PUT', 'DELETE'] as const) {
      expect((await api.request(method, `/api/v1/audit-events/${event.id}`, { body: {} })).status).toBe(404);
      expect((await api.request(method, '/api/v1/audit-events', { body: {} })).status).toBe(404);
    }
  });

  it('filters by actor, target, route, method, outcome and time, and pages with a cursor', async () => {
    const token = await makeToken(api, 'manager', [siteA.id]);
    const client = api.as({ bearer: token.secret });
    const started = new Date(api.clock.now()).toISOString();
    const made: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      api.clock.advance(1000);
      made.push((await client.post('/api/v1/items', { sku: `FILTER-${Date.now()}-${i}`, name: `Filter ${i}` })).body.id);
    }
    await client.post('/api/v1/items', { sku: 'bad sku!', name: 'x' });
    const mine = (await api.get(`/api/v1/audit-events?actor_id=${token.id}`)).body.data;
    expect(mine).toHaveLength(6);
    expect(mine.slice(1).map((e: any) => e.targets[0].id)).toEqual([...made].reverse());
    expect((await api.get(`/api/v1/audit-events?actor_id=${token.id}&outcome=failure`)).body.data.map((e: any) => e.status)).toEqual([400]);
    expect((await api.get(`/api/v1/audit-events?actor_id=${token.id}&outcome=success&method=POST&route=/api/v1/items`)).body.data).toHaveLength(5);
    expect((await api.get(`/api/v1/audit-events?actor_id=${token.id}&route=/api/v1/adjustments`)).body.data).toHaveLength(0);
    const middle = new Date(Date.parse(mine[3].at)).toISOString();
    const window = await api.get(`/api/v1/audit-events?actor_id=${token.id}&from=${encodeURIComponent(started)}&to=${encodeURIComponent(middle)}`);
    expect(window.body.data.map((e: any) => e.targets[0].id)).toEqual([made[1], made[0]]);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.get(`/api/v1/audit-events?actor_id=${token.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...page.body.data.map((e: any) => e.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(pages).toEqual(mine.map((e: any) => e.id));
  });

  it('shows a manager the events at their sites and those tied to no site; staff may not read it', async () => {
    const item = await newItem();
    const atA = (await api.post('/api/v1/adjustments', { location_id: siteA.id, reason: 'found', lines: [{ item_id: item.id, qty: 1 }] })).body;
    const atB = (await api.post('/api/v1/adjustments', { location_id: siteB.id, reason: 'found', lines: [{ item_id: item.id, qty: 1 }] })).body;
    const manager = await makeToken(api, 'manager', [siteA.id]);
    const seen = (await api.as({ bearer: manager.secret }).get(`/api/v1/audit-events?limit=500`)).body.data.flatMap((e: any) => e.targets.map((t: any) => t.id));
    expect(seen).toContain(atA.id);
    expect(seen).toContain(item.id);
    expect(seen).not.toContain(atB.id);
    const staff = await makeToken(api, 'staff', [siteA.id]);
    expect((await api.as({ bearer: staff.secret }).get('/api/v1/audit-events')).status).toBe(403);
  });
});
