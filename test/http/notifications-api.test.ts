import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { DeliveryWorker } from '../../src/modules/notifications/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { makeToken } from '../support/access.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { makeItem, makeShop, type Shop } from '../support/fixtures.ts';
import { buildTestApi, type ApiResponse, type TestApi } from '../support/http.ts';

function expectProblem(response: ApiResponse, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, code });
}

describeEachDatabase('notifications over HTTP', (get) => {
  let api: TestApi;
  let shop: Shop;
  let item: { id: string };
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const ctx = { db: get().db, clock: systemClock, actor: systemActor };
    shop = await makeShop(ctx);
    item = await makeItem(ctx, { price: 4_000_000 });
    await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 10_000, unit_cost: 1_500_000 }] });
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stockroom`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('refuses a loopback URL until the owner allows private addresses, and shows the secret once', async () => {
    expectProblem(await api.post('/api/v1/webhook-subscriptions', { url, event_types: ['stock.level_changed'] }), 422, 'webhook_url_refused');
    expectProblem(await api.post('/api/v1/webhook-subscriptions', { url: 'http://169.254.169.254/latest', event_types: ['order.created'] }), 422, 'webhook_url_refused');
    const settings = await api.patch('/api/v1/notification-settings', { webhooks_allow_private: true, sms_auth_token: 'never-shown' });
    expect(settings.status).toBe(200);
    expect(settings.body).toMatchObject({ webhooks_allow_private: true, sms_auth_token_set: true });
    expect(JSON.stringify(settings.body)).not.toContain('never-shown');

    const made = await api.post('/api/v1/webhook-subscriptions', { url, event_types: ['stock.level_changed'], description: 'till feed' });
    expect(made.status).toBe(201);
    expect(made.body.secret).toMatch(/^whsec_/);
    const listed = await api.get('/api/v1/webhook-subscriptions');
    expect(listed.body.data).toEqual([expect.objectContaining({ id: made.body.id, url, event_types: ['stock.level_changed'], active: true })]);
    expect(JSON.stringify(listed.body)).not.toContain(made.body.secret);
    expectProblem(await api.get('/api/v1/webhook-subscriptions/whs_01JD0000000000000000000000'), 404, 'webhook_subscription_not_found');
  });

  it('turns a counter sale into one signed stock.level_changed webhook per item and site, delivered after commit', async () => {
    const hook = (await api.get('/api/v1/webhook-subscriptions')).body.data[0];
    const secret = (await api.post(`/api/v1/webhook-subscriptions/${hook.id}/rotate-secret`, {})).body.secret as string;
    const sale = await api.request('POST', '/api/v1/sales', {
      body: { location_id: shop.store.id, register: 'HOOK', lines: [{ item_id: item.id, qty: 3 }], payments: [{ tender: 'cash', amount: '12.00' }] },
      headers: { 'idempotency-key': `hook-sale-${Date.now()}` },
    });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    const queued = await api.get(`/api/v1/deliveries?destination=${hook.id}&status=pending`);
    expect(queued.body.data).toHaveLength(1);
    expect(queued.body.data[0]).toMatchObject({ channel: 'webhook', event_type: 'stock.level_changed', attempts: 0, ordering_key: `${hook.id}:${item.id}:${shop.store.id}` });
    // Nothing was sent inside the request: the worker sends after commit.
    expect(received).toHaveLength(0);

    await new DeliveryWorker({ db: get().db, clock: systemClock }).runOnce();
    expect(received).toHaveLength(1);
    const got = received[0]!;
    const payload = new Webhook(secret).verify(got.body, {
      'webhook-id': String(got.headers['webhook-id']),
      'webhook-timestamp': String(got.headers['webhook-timestamp']),
      'webhook-signature': String(got.headers['webhook-signature']),
    }) as any;
    // 10 on hand, 3 sold: 7 left, none reserved.
    expect(payload).toMatchObject({ type: 'stock.level_changed', data: { item_id: item.id, site_id: shop.store.id, on_hand: 7, reserved: 0, available: 7 } });

    const detail = await api.get(`/api/v1/deliveries/${queued.body.data[0].id}`);
    expect(detail.body).toMatchObject({ status: 'delivered', attempts: 1, log: [{ attempt: 1, outcome: 'delivered', status_code: 200, response_excerpt: 'ok' }] });
  });

  it('redelivers only what is finished, pauses and resumes a destination, and keeps the log from staff and limited managers', async () => {
    const hook = (await api.get('/api/v1/webhook-subscriptions')).body.data[0];
    const test = await api.post(`/api/v1/webhook-subscriptions/${hook.id}/test`, {});
    expect(test.status).toBe(202);
    expectProblem(await api.post(`/api/v1/deliveries/${test.body.delivery_id}/redeliver`, {}), 409, 'delivery_state');
    const delivered = (await api.get(`/api/v1/deliveries?destination=${hook.id}&status=delivered`)).body.data[0];
    const again = await api.post(`/api/v1/deliveries/${delivered.id}/redeliver`, {});
    expect(again.body).toMatchObject({ status: 'pending', attempts: 0 });

    const paused = await api.post('/api/v1/delivery-destinations/pause', { destination: hook.id, reason: 'maintenance' });
    expect(paused.body).toMatchObject({ destination: hook.id, paused: true, pause_reason: 'maintenance', pending: 2 });
    expect((await api.post('/api/v1/delivery-destinations/resume', { destination: hook.id })).body).toEqual({ destination: hook.id, released: 2 });
    expectProblem(await api.post('/api/v1/delivery-destinations/resume', { destination: hook.id }), 409, 'destination_not_paused');

    const staff = api.as({ bearer: (await makeToken(api, 'staff', [shop.store.id])).secret });
    expectProblem(await staff.get('/api/v1/deliveries'), 403, 'forbidden');
    const manager = api.as({ bearer: (await makeToken(api, 'manager', [shop.store.id])).secret });
    expect((await manager.get('/api/v1/deliveries')).body.data).toEqual([]);
    expectProblem(await manager.get(`/api/v1/deliveries/${delivered.id}`), 404, 'delivery_not_found');
    expect((await api.get('/api/v1/webhook-event-types')).body.data.map((t: any) => t.type)).toContain('count.approved');
  });
});
