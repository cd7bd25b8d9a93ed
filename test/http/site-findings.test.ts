import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { makeToken, makeUser, signIn } from '../support/access.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi, type TestClient } from '../support/http.ts';
import { idempotent, makeSiteDocuments, ok, unique, type SiteDocuments } from '../support/site-documents.ts';
import { countStatements } from '../support/statement-counter.ts';
import { statementSize } from '../../src/platform/db/insert-rows.ts';

/**
 * The findings of issue 11 about sites and costs, each as it was reported: a caller granted
 * site B reaches nothing of site A's through returns, exchanges, revisions and aggregates; a
 * user's tokens do not outlive their rights; and the audit log finds a command by the items it
 * moved.
 */

describeEachDatabase('issue 11: site checks, costs, tokens and audit targets', (get, dialect) => {
  let api: TestApi;
  let a: SiteDocuments;
  let b: SiteDocuments;
  let staffB: TestClient;
  let viewerB: TestClient;
  let managerB: TestClient;

  async function countRows(table: 'returns' | 'payments' | 'movements' | 'exchanges'): Promise<number> {
    const row = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(get().db.kysely);
    return Number(row.rows[0]!.n);
  }

  /** An order of `channel`, picked, packed and shipped from wherever it was allocated. */
  async function shippedOrder(channelId: string, itemId: string): Promise<any> {
    const order = ok(await api.post('/api/v1/orders', { channel_id: channelId, channel_order_id: unique('WEB-'), lines: [{ item_id: itemId, qty: 2 }] }, idempotent()), 201);
    const [list] = ok(await api.post(`/api/v1/orders/${order.id}/pick-lists`, {}), 201).data;
    ok(await api.post(`/api/v1/pick-lists/${list.id}/picked`, {}));
    const shipment = ok(await api.post(`/api/v1/pick-lists/${list.id}/shipments`, { packages: [{ weight_g: 500, lines: [{ order_line_id: order.lines[0].id, qty: 2 }] }] }), 201);
    ok(await api.post(`/api/v1/shipments/${shipment.id}/ship`, { carrier: 'Post', service: 'Standard', packages: shipment.packages.map((p: any) => ({ package_id: p.id, tracking_number: unique('TRK') })) }));
    return ok(await api.get(`/api/v1/orders/${order.id}`));
  }

  /** A problem without where it was answered (`instance` is the request's own path). */
  function problemOf(body: any): unknown {
    const { instance: _instance, ...rest } = body;
    return rest;
  }

  /** A problem as it would read for `missing` in place of `id`: a 404 for a record out of sight must read like one for a record that does not exist. */
  function asIfMissing(body: unknown, id: string, missing: string): unknown {
    return JSON.parse(JSON.stringify(body).split(id).join(missing));
  }

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    a = await makeSiteDocuments(api, 'FA');
    b = await makeSiteDocuments(api, 'FB');
    staffB = api.as({ bearer: (await makeToken(api, 'staff', [b.site.id])).secret });
    viewerB = api.as({ bearer: (await makeToken(api, 'viewer', [b.site.id])).secret });
    managerB = api.as({ bearer: (await makeToken(api, 'manager', [b.site.id])).secret });
  });

  it('refuses a return or exchange of another site’s order or sale with the 404 a read of it gets, and changes nothing', async () => {
    const order = await shippedOrder(a.channel.id, a.item.id);
    const read = await staffB.get(`/api/v1/orders/${order.id}`);
    expect(read.status).toBe(404);
    const before = await Promise.all([countRows('returns'), countRows('payments'), countRows('movements')]);

    const line = { line_id: order.lines[0].id, qty: 1, condition: 'restockable' };
    for (const restock of [{}, { restock_location_id: b.bin.id }]) {
      const refund = await staffB.post('/api/v1/returns', { order_id: order.id, reason: 'not mine', lines: [{ ...line, ...restock }] });
      expect(refund.status, JSON.stringify(refund.body)).toBe(404);
      expect(problemOf(refund.body)).toEqual(problemOf(read.body));
    }
    const exchange = await staffB.post('/api/v1/exchanges', {
      return: { order_id: order.id, reason: 'not mine', lines: [line] },
      sale: { location_id: b.site.id, register: 'T1', lines: [{ item_id: b.item.id, qty: 1 }], payments: [{ tender: 'cash', amount: '20.00' }] },
    });
    expect(exchange.status, JSON.stringify(exchange.body)).toBe(404);
    expect(problemOf(exchange.body)).toEqual(problemOf(read.body));
    const saleRead = await staffB.get(`/api/v1/sales/${a.sale.id}`);
    const saleReturn = await staffB.post('/api/v1/returns', { sale_id: a.sale.id, reason: 'not mine', lines: [{ line_id: a.sale.lines[0].id, qty: 1, condition: 'restockable' }] });
    expect([saleRead.status, saleReturn.status]).toEqual([404, 404]);
    expect(problemOf(saleReturn.body)).toEqual(problemOf(saleRead.body));

    expect(await Promise.all([countRows('returns'), countRows('payments'), countRows('movements')])).toEqual(before);
    // Someone granted the order's site takes it back.
    const staffA = api.as({ bearer: a.token.secret });
    ok(await staffA.post('/api/v1/returns', { order_id: order.id, reason: 'too small', lines: [line] }), 201);
  });

  it('restocks goods that left from a site the caller is not granted only to a bin the caller names', async () => {
    const both = ok(await api.post('/api/v1/channels', { name: unique('Both '), kind: 'online', site_ids: [a.site.id, b.site.id] }), 201);
    const order = await shippedOrder(both.id, a.item.id);
    const line = { line_id: order.lines[0].id, qty: 1, condition: 'restockable' };
    expect((await staffB.get(`/api/v1/orders/${order.id}`)).status).toBe(200);

    const implicit = await staffB.post('/api/v1/returns', { order_id: order.id, reason: 'too big', lines: [line] });
    expect(implicit.status, JSON.stringify(implicit.body)).toBe(422);
    expect(implicit.body).toMatchObject({ code: 'return_invalid', errors: [{ field: 'body.lines.0.restock_location_id' }] });
    const intoA = await staffB.post('/api/v1/returns', { order_id: order.id, reason: 'too big', lines: [{ ...line, restock_location_id: a.bin.id }] });
    expect(intoA.status).toBe(404);
    const intoB = ok(await staffB.post('/api/v1/returns', { order_id: order.id, reason: 'too big', lines: [{ ...line, restock_location_id: b.bin.id }] }), 201);
    expect(intoB.lines[0].to_location_id).toBe(b.bin.id);
  });

  it('shows a return or an exchange only to those who see its sale, and its 404 names nothing else', async () => {
    for (const [path, id, missing] of [
      ['returns', a.return.id, 'ret_MISSING000000000000'],
      ['exchanges', a.exchange.id, 'exc_MISSING000000000000'],
    ] as const) {
      const unseen = await staffB.get(`/api/v1/${path}/${id}`);
      const absent = await staffB.get(`/api/v1/${path}/${missing}`);
      expect(unseen.status, `${path}: ${JSON.stringify(unseen.body)}`).toBe(404);
      expect(asIfMissing(unseen.body, id, missing)).toEqual(absent.body);
      expect((await api.as({ bearer: a.token.secret }).get(`/api/v1/${path}/${id}`)).status).toBe(200);
      expect((await api.get(`/api/v1/${path}/${id}`)).status).toBe(200);
    }
  });

  it('leaves prices and shipping out of a purchase order’s revisions for staff', async () => {
    const owner = ok(await api.get(`/api/v1/purchase-orders/${a.purchaseOrder.id}/revisions`));
    const fields = owner.data.flatMap((r: any) => r.changes.map((c: any) => c.field));
    expect(fields).toEqual(expect.arrayContaining(['unit_price', 'shipping', 'line_added']));
    expect(JSON.stringify(owner)).toMatch(/4\.95/);

    const staff = ok(await api.as({ bearer: a.token.secret }).get(`/api/v1/purchase-orders/${a.purchaseOrder.id}/revisions`));
    expect(staff.data.map((r: any) => r.revision)).toEqual(owner.data.map((r: any) => r.revision));
    const text = JSON.stringify(staff);
    expect(text).not.toMatch(/unit_price|shipping|tax_rate/);
    for (const figure of [/"4\.80*"/, /"4\.950*"/, /"12\.0*"/, /"14\.0*"/, /"1\.20*"/]) expect(text).not.toMatch(figure);
    expect(staff.data.flatMap((r: any) => r.changes.map((c: any) => c.field))).toContain('line_added');
  });

  it('lists only the outbox events of channels that sell from the caller’s sites', async () => {
    const all = ok(await api.get('/api/v1/outbox?limit=500')).data;
    expect(all.some((e: any) => e.channel_id === a.channel.id)).toBe(true);
    const mine = ok(await managerB.get('/api/v1/outbox?limit=500')).data;
    const visible = new Set(ok(await managerB.get('/api/v1/channels')).data.map((c: any) => c.id));
    expect(visible.has(b.channel.id) && !visible.has(a.channel.id)).toBe(true);
    expect(mine.some((e: any) => e.channel_id === b.channel.id)).toBe(true);
    expect(mine.filter((e: any) => !visible.has(e.channel_id))).toEqual([]);
    expect(ok(await managerB.get(`/api/v1/outbox?channel_id=${a.channel.id}`)).data).toEqual([]);
  });

  it('judges vendors by the orders delivered to the caller’s sites only', async () => {
    const day = (offset: number) => new Date(api.clock.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const path = `/api/v1/reports/vendor-performance?from=${day(-2)}&to=${day(2)}`;
    const everyone = ok(await api.get(path)).data.map((v: any) => v.vendor_id);
    expect(everyone).toEqual(expect.arrayContaining([a.vendor.id, b.vendor.id]));
    const mine = ok(await viewerB.get(path)).data;
    expect(mine.map((v: any) => v.vendor_id)).toEqual([b.vendor.id]);
    const asked = ok(await viewerB.get(`${path}&vendor_id=${a.vendor.id}`)).data;
    expect(asked.map((v: any) => v.purchase_orders)).toEqual([0]);
  });

  it('shows an item’s costs at the caller’s sites only', async () => {
    const lamp = ok(await api.post('/api/v1/items', { sku: unique('LAMP-'), name: 'Lamp', price: '30.00' }), 201);
    ok(await api.post('/api/v1/adjustments', { location_id: a.bin.id, reason: 'found', lines: [{ item_id: lamp.id, qty: 5, unit_cost: '4.90' }] }), 201);
    ok(await api.post('/api/v1/adjustments', { location_id: b.bin.id, reason: 'found', lines: [{ item_id: lamp.id, qty: 3, unit_cost: '6.00' }] }), 201);
    const owner = ok(await api.get(`/api/v1/items/${lamp.id}/costs`));
    expect(owner.on_hand).toBe(8);
    expect(owner.layers.map((l: any) => Number(l.unit_cost))).toEqual([4.9, 6]);
    const viewer = ok(await viewerB.get(`/api/v1/items/${lamp.id}/costs`));
    expect(viewer.on_hand).toBe(3);
    expect(viewer.layers.map((l: any) => Number(l.unit_cost))).toEqual([6]);
    expect(Number(viewer.value)).toBeCloseTo(Number(owner.unit_cost) * 3, 5);
  });

  it('revokes a user’s tokens for good when they are disabled, demoted or lose a site', async () => {
    const person = await makeUser(api, 'manager', [a.site.id, b.site.id]);
    const signedIn = await signIn(api, person.email, person.password);
    const asPerson = api.as({ session: signedIn.session, csrf: signedIn.csrf });
    const mint = async (role: string, sites: string[]) => ok(await asPerson.post('/api/v1/tokens', { name: unique('tok '), role, sites }), 201);
    const wide = await mint('manager', [a.site.id, b.site.id]);
    const manager = await mint('manager', [a.site.id]);
    const staff = await mint('staff', [a.site.id]);
    const works = async (token: any) => (await api.as({ bearer: token.secret }).get('/api/v1/session')).status;

    ok(await api.patch(`/api/v1/users/${person.user.id}`, { sites: [a.site.id] }));
    expect([await works(wide), await works(manager), await works(staff)]).toEqual([401, 200, 200]);
    ok(await api.patch(`/api/v1/users/${person.user.id}`, { role: 'staff' }));
    expect([await works(manager), await works(staff)]).toEqual([401, 200]);
    ok(await api.patch(`/api/v1/users/${person.user.id}`, { role: 'manager', sites: [a.site.id, b.site.id] }));
    expect([await works(wide), await works(manager), await works(staff)]).toEqual([401, 401, 200]);

    ok(await api.post(`/api/v1/users/${person.user.id}/disable`));
    expect(await works(staff)).toBe(401);
    ok(await api.post(`/api/v1/users/${person.user.id}/enable`));
    expect(await works(staff)).toBe(401);
    const revoked = ok(await api.get(`/api/v1/tokens/${staff.id}`));
    expect(revoked.revoked_at).not.toBeNull();
    const doc = ok(await api.get('/api/openapi.json'));
    expect(doc.paths['/api/v1/users/{id}/disable'].post.description).toMatch(/tokens/);
  });

  it('names the items, bins and sites a command moved as its audit targets', async () => {
    const adjustment = ok(await api.post('/api/v1/adjustments', { location_id: a.bin.id, reason: 'found', lines: [{ item_id: a.item.id, qty: 1, unit_cost: '4.90' }] }), 201);
    for (const target of [a.item.id, a.bin.id, a.site.id]) {
      const events = ok(await api.get(`/api/v1/audit-events?target_id=${target}&route=/api/v1/adjustments`)).data;
      expect(events.map((e: any) => e.targets[0].id), target).toContain(adjustment.id);
    }
    const sale = ok(await api.post('/api/v1/sales', { location_id: a.site.id, register: 'T2', lines: [{ item_id: a.item.id, qty: 1 }], payments: [{ tender: 'cash', amount: '20.00' }] }, idempotent()), 201);
    const events = ok(await api.get(`/api/v1/audit-events?target_id=${a.item.id}&route=/api/v1/sales`)).data;
    expect(events[0].targets).toEqual(expect.arrayContaining([{ type: 'sale', id: sale.id }, { type: 'item', id: a.item.id }, { type: 'location', id: a.site.default_bin_id }, { type: 'site', id: a.site.id }]));
    // Someone granted only site B finds nothing of site A's by the item.
    expect(ok(await managerB.get(`/api/v1/audit-events?target_id=${a.item.id}&route=/api/v1/sales`)).data).toEqual([]);
    // A command that names no location (a return) happened at the one site its stock moved at.
    const ret = ok(await api.post('/api/v1/returns', { sale_id: sale.id, reason: 'audit', lines: [{ line_id: sale.lines[0].id, qty: 1, condition: 'restockable' }] }), 201);
    const [returned] = ok(await api.get(`/api/v1/audit-events?target_id=${ret.id}`)).data;
    expect(returned).toMatchObject({ site_id: a.site.id, route: '/api/v1/returns' });
    expect(ok(await managerB.get(`/api/v1/audit-events?target_id=${ret.id}`)).data).toEqual([]);
  });

  it('writes a sale’s audit targets in one insert however many lines it has', async () => {
    // Counted at the drivers: the targets are written as SQL text (insertRowSets), which Kysely plugins never see.
    const targetInserts = countStatements((text) => /insert into "audit_targets"/i.test(text));
    try {
      const items = [];
      for (let i = 0; i < 8; i += 1) items.push(ok(await api.post('/api/v1/items', { sku: unique('BULK-'), name: `Bulk ${i}`, price: '2.00' }), 201));
      ok(await api.post('/api/v1/adjustments', { location_id: a.bin.id, reason: 'found', lines: items.map((item) => ({ item_id: item.id, qty: 5, unit_cost: '1.00' })) }), 201);
      for (const lines of [1, 8]) {
        const before = targetInserts.count();
        const sale = ok(await api.post('/api/v1/sales', { location_id: a.site.id, register: 'T3', lines: items.slice(0, lines).map((item) => ({ item_id: item.id, qty: 1 })), payments: [{ tender: 'cash', amount: '20.00' }] }, idempotent()), 201);
        const [event] = ok(await api.get(`/api/v1/audit-events?target_id=${sale.id}`)).data;
        // One statement on PostgreSQL; SQLite writes a long list in pieces of a few lengths (statementSize).
        expect(targetInserts.count() - before, `${lines} line(s)`).toBe(dialect === 'postgres' ? 1 : piecesOf(event.targets.length));
        expect(event.targets.filter((t: any) => t.type === 'item')).toHaveLength(lines);
      }
    } finally {
      targetInserts.restore();
    }
  });

});

/** How many statements SQLite writes `rows` rows in (insert-rows.ts). */
function piecesOf(rows: number): number {
  let pieces = 0;
  for (let left = rows; left > 0; left -= statementSize(left)) pieces += 1;
  return pieces;
}
