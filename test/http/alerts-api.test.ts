import { beforeAll, expect, it } from 'vitest';
import { makeUser, signIn } from '../support/access.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type ApiResponse, type TestApi, type TestClient } from '../support/http.ts';

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-5)}${(counter += 1)}`.toUpperCase();

function expectProblem(response: ApiResponse, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toMatchObject({ status, code });
}

describeEachDatabase('alerts over HTTP', (get) => {
  let api: TestApi;
  let store: any;
  let other: any;
  let manager: { client: TestClient; id: string };
  let stranger: { client: TestClient; id: string };

  const signedIn = async (role: 'manager' | 'staff', sites: string[]) => {
    const person = await makeUser(api, role, sites);
    const session = await signIn(api, person.email, person.password);
    return { client: api.as({ session: session.session, csrf: session.csrf }), id: person.user.id };
  };

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    store = (await api.post('/api/v1/locations', { kind: 'site', code: unique('AS'), name: 'Alert store', site_type: 'store' })).body;
    other = (await api.post('/api/v1/locations', { kind: 'site', code: unique('AO'), name: 'Other store', site_type: 'store' })).body;
    manager = await signedIn('manager', [store.id]);
    stranger = await signedIn('manager', [other.id]);
  });

  it('subscribes a manager in-app, rings their bell when a sale crosses the minimum, and marks it read', async () => {
    const item = (await api.post('/api/v1/items', { sku: unique('SKU'), name: 'Tea tin', price: '9.00', reorder_point: 2, barcodes: [] })).body;
    expect((await api.post('/api/v1/adjustments', { location_id: store.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 3, unit_cost: '4.00' }] })).status).toBe(201);
    const sub = await manager.client.post('/api/v1/alert-subscriptions', { rule: 'low_stock', site_id: store.id, channel: 'in_app' });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    expect(sub.body).toMatchObject({ user_id: manager.id, rule: 'low_stock', site_id: store.id, channel: 'in_app', digest: false });
    expectProblem(await manager.client.post('/api/v1/alert-subscriptions', { rule: 'low_stock', site_id: store.id, channel: 'in_app' }), 409, 'alert_subscription_exists');
    expectProblem(await manager.client.post('/api/v1/alert-subscriptions', { rule: 'low_stock', site_id: other.id, channel: 'email' }), 422, 'alert_subscription_invalid');
    expectProblem(await manager.client.post('/api/v1/alert-subscriptions', { rule: 'low_stock', channel: 'sms', digest: true }), 422, 'alert_subscription_invalid');

    const sale = await api.post('/api/v1/sales', { location_id: store.id, register: 'T1', lines: [{ item_id: item.id, qty: 1 }], payments: [{ tender: 'cash', amount: '9.00' }] }, { 'idempotency-key': unique('k') });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    const bell = await manager.client.get('/api/v1/notifications?unread=true');
    expect(bell.status).toBe(200);
    expect(bell.body.unread_count).toBe(1);
    expect(bell.body.data[0]).toMatchObject({ rule: 'low_stock', site_id: store.id, title: `Low stock: Tea tin (${item.sku}) at Alert store`, read_at: null });
    // Someone else's notification ids change nothing; one's own are marked.
    expect((await stranger.client.post('/api/v1/notifications/read', { ids: [bell.body.data[0].id] })).body).toEqual({ marked: 0 });
    expect((await manager.client.post('/api/v1/notifications/read', { ids: [bell.body.data[0].id] })).body).toEqual({ marked: 1 });
    expect((await manager.client.get('/api/v1/notifications')).body).toMatchObject({ unread_count: 0, data: [{ id: bell.body.data[0].id }] });

    // Another manager cannot see or remove it; the owner can list it by user.
    expectProblem(await stranger.client.request('DELETE', `/api/v1/alert-subscriptions/${sub.body.id}`), 404, 'alert_subscription_not_found');
    expectProblem(await stranger.client.get(`/api/v1/alert-subscriptions?user_id=${manager.id}`), 404, 'alert_user_not_found');
    expect((await api.get(`/api/v1/alert-subscriptions?user_id=${manager.id}`)).body.data.map((s: any) => s.id)).toEqual([sub.body.id]);
    expect((await manager.client.request('DELETE', `/api/v1/alert-subscriptions/${sub.body.id}`)).body).toEqual({ id: sub.body.id, deleted: true });
    expect((await manager.client.get('/api/v1/alert-subscriptions')).body.data).toEqual([]);
  });

  it('keeps quiet hours and a phone number per person, and rule thresholds for owners to change', async () => {
    const put = await manager.client.request('PUT', '/api/v1/alert-preferences', { body: { phone: '+15550123', quiet_from: '21:30', quiet_to: '06:45' } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ user_id: manager.id, phone: '+15550123', quiet_from: '21:30', quiet_to: '06:45', digest_at: '07:00' });
    expect((await manager.client.request('PUT', '/api/v1/alert-preferences', { body: { quiet_from: '25:00', quiet_to: '06:00' } })).status).toBe(400);

    const rules = (await manager.client.get('/api/v1/alert-rules')).body.data;
    expect(rules.find((r: any) => r.rule === 'low_stock')).toEqual({ rule: 'low_stock', enabled: true, cooldown_minutes: 1440, days: null, qty: null, amount: null, count: null });
    expect((await manager.client.patch('/api/v1/alert-rules/lot_expiring', { days: 10 })).status).toBe(403);
    expect((await api.patch('/api/v1/alert-rules/lot_expiring', { days: 10 })).body).toMatchObject({ rule: 'lot_expiring', days: 10 });
    expect((await api.patch('/api/v1/alert-rules/count_variance', { amount: '25.00', qty: 2.5 })).body).toMatchObject({ amount: '25.00', qty: 2.5 });
    expectProblem(await api.patch('/api/v1/alert-rules/low_stock', { days: 3 }), 422, 'alert_rule_invalid');
  });
});
